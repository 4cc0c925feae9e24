// The browser host is opened as http://127.0.0.1:PORT/?token=XYZ by the CLI; the page
// finds its RPC socket (ws://127.0.0.1:PORT/api) and token from its own address.

import { WS_API_PATH } from '../../src-shared/ws-messages.js';

export interface WsEndpoint {
  url: string;
  token: string;
}

export function wsEndpointFromLocation(
  location: Pick<Location, 'protocol' | 'host' | 'search'>,
): WsEndpoint | null {
  const token = new URLSearchParams(location.search).get('token');
  if (!token) return null;
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return { url: `${scheme}//${location.host}${WS_API_PATH}`, token };
}
