// The renderer's security policy as plain data and predicates, so it can be read in one
// place and unit-tested without Electron. window.ts and ipc-bridge.ts apply it.

import { APP_SCHEME, MEDIA_SCHEME, isAppUrl } from './schemes.js';

/**
 * CSP for every renderer response. Only our own scripts run; the player may fetch from
 * the media scheme and play MSE `blob:` URLs; hls.js may start its worker from a blob;
 * the QR code is a data: image. No remote content of any kind, no frames, no plugins.
 * Inline styles stay allowed: React and uPlot set them and they cannot run code.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  `media-src 'self' ${MEDIA_SCHEME}: blob:`,
  `connect-src 'self' ${MEDIA_SCHEME}:`,
  "worker-src 'self' blob:",
  "object-src 'none'",
  "frame-src 'none'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/**
 * Permissions the page may have. Everything else (camera, geolocation, notifications
 * from the page, MIDI, ...) is denied. The player's fullscreen button and the "copy
 * address" button need these two; they are granted only to our own page.
 */
const GRANTED_PERMISSIONS = new Set(['fullscreen', 'clipboard-sanitized-write']);

export function isPermissionAllowed(permission: string, requestingUrl: string): boolean {
  return GRANTED_PERMISSIONS.has(permission) && isAppUrl(requestingUrl);
}

export type NavigationDecision = { action: 'allow' } | { action: 'deny'; openExternally: string | null };

/**
 * What to do when the page tries to navigate or open a window. In-app navigation is
 * allowed; web links open in the user's browser; anything else (file:, javascript:,
 * a dropped file, another custom scheme) goes nowhere.
 */
export function decideNavigation(url: string): NavigationDecision {
  if (isAppUrl(url)) return { action: 'allow' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { action: 'deny', openExternally: null };
  }
  const web = parsed.protocol === 'https:' || parsed.protocol === 'http:';
  return { action: 'deny', openExternally: web ? parsed.href : null };
}

/** The privileged-scheme registration, kept here so it sits next to the CSP it relies on. */
export const PRIVILEGED_SCHEMES = [
  {
    scheme: APP_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true },
  },
  {
    scheme: MEDIA_SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, stream: true },
  },
] as const;

export interface CallSender {
  /** webContents id the call came from, and that of our window (null if it has none). */
  senderId: number;
  windowId: number | null;
  /** null when the frame has been destroyed or navigated away since sending. */
  frame: { url: string; isTop: boolean } | null;
}

/** An IPC call is served only for our window's top frame while it shows our own page. */
export function isTrustedCall({ senderId, windowId, frame }: CallSender): boolean {
  return windowId !== null && senderId === windowId && frame !== null && frame.isTop && isAppUrl(frame.url);
}
