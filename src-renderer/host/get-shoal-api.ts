// Picks the host the UI runs in. Electron's preload exposes the API as `window.shoal`
// (over validated IPC); a plain browser page talks to the CLI's UI server instead.

import type { ShoalApi } from '../../src-shared/contract.js';
import { ShoalError } from '../../src-shared/errors.js';
import { createWebSocketApi } from './ws-api';
import { wsEndpointFromLocation } from './ws-endpoint';

declare global {
  interface Window {
    /** Set by the Electron preload through contextBridge. */
    shoal?: ShoalApi;
  }
}

let api: ShoalApi | null = null;

export function getShoalApi(): ShoalApi {
  if (api) return api;
  if (window.shoal) {
    api = window.shoal;
    return api;
  }
  const endpoint = wsEndpointFromLocation(window.location);
  if (!endpoint) {
    throw ShoalError.internal(
      'This page was opened without its access token. Open the link the `shoal` command printed.',
    );
  }
  api = createWebSocketApi(endpoint.url, endpoint.token);
  return api;
}
