// Our two privileged URL schemes. The renderer is served from `shoal-app://app/` (never
// from file://, which would give the page the whole disk as its origin) and the player
// loads media from `shoal-media://media/` (never from a LAN-visible HTTP server).
// URL parsing here is plain Node; main.ts registers the schemes with Electron.

import { mediaPath } from '../host-edge/media-path.js';

export const APP_SCHEME = 'shoal-app';
export const APP_HOST = 'app';
/** What Chromium reports as the page's origin for a standard scheme. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

export const MEDIA_SCHEME = 'shoal-media';
export const MEDIA_HOST = 'media';
/** The engine builds playlist URLs on this: `${MEDIA_BASE_URL}/stream/<id>/master.m3u8`. */
export const MEDIA_BASE_URL = `${MEDIA_SCHEME}://${MEDIA_HOST}`;

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for URLs of our own renderer: `shoal-app://app/...`, nothing else. */
export function isAppUrl(url: string): boolean {
  const parsed = parse(url);
  // Node's URL reports origin "null" for non-special schemes, so compare the parts.
  return (
    parsed !== null &&
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/** The URL path of a renderer request (`/assets/x.js`), or null if it is not ours. */
export function appPathFromUrl(url: string): string | null {
  return isAppUrl(url) ? (parse(url) as URL).pathname : null;
}

/**
 * The engine media path (`/stream/<id>/master.m3u8`) a `shoal-media:` URL names, decoded,
 * or null for anything that is not a plain path on our media host. The engine resolves
 * the path itself; this only keeps traversal tricks and odd bytes from reaching it.
 */
export function mediaPathFromUrl(url: string): string | null {
  const parsed = parse(url);
  if (!parsed || parsed.protocol !== `${MEDIA_SCHEME}:` || parsed.host !== MEDIA_HOST) return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return mediaPath(parsed.pathname);
}
