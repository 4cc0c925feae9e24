// Request handlers for our two schemes, written against the web-standard Request and
// Response (global in Node 20 and in Electron's main process), so they are tested in
// plain Node; main.ts passes them to `protocol.handle`.

import { readFile } from 'node:fs/promises';
import { ShoalError } from '../../src-shared/errors.js';
import type { EngineFacade } from '../engine/engine-facade.js';
import { blockingQuery } from '../hls/serve/held-media.js';
import { contentTypeFor, RendererFiles } from '../host-edge/renderer-files.js';
import { mediaErrorStatus } from '../host-edge/media-path.js';
import { APP_ORIGIN, appPathFromUrl, mediaPathFromUrl } from './schemes.js';
import { CONTENT_SECURITY_POLICY } from './security-policy.js';

/** Statuses whose responses must not have a body (the Response constructor throws). */
const NULL_BODY = new Set([101, 204, 205, 304]);

function plain(status: number, message: string, headers: Record<string, string> = {}): Response {
  return new Response(message, {
    status,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff', ...headers },
  });
}

const READ_METHODS = new Set(['GET', 'HEAD']);

/** Headers on every renderer file: the CSP travels with the page, not just in a meta tag. */
export function appResponseHeaders(file: string): Record<string, string> {
  const isPage = RendererFiles.isPage(file);
  return {
    'Content-Type': contentTypeFor(file),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'Cross-Origin-Opener-Policy': 'same-origin',
    // Vite fingerprints asset names; only the page itself must never be cached.
    'Cache-Control': isPage ? 'no-store' : 'public, max-age=31536000, immutable',
  };
}

export async function handleAppRequest(files: RendererFiles, request: Request): Promise<Response> {
  if (!READ_METHODS.has(request.method)) return plain(405, 'method not allowed', { Allow: 'GET, HEAD' });
  const urlPath = appPathFromUrl(request.url);
  const file = urlPath === null ? null : await files.resolve(urlPath, { spaFallback: true });
  if (file === null) return plain(404, 'not found');
  const body = request.method === 'HEAD' ? null : new Uint8Array(await readFile(file));
  return new Response(body, { status: 200, headers: appResponseHeaders(file) });
}

/** The page (shoal-app://app) and the media (shoal-media://media) are different origins. */
const MEDIA_CORS = { 'Access-Control-Allow-Origin': APP_ORIGIN, Vary: 'Origin' };

export async function handleMediaRequest(engine: EngineFacade, request: Request): Promise<Response> {
  if (request.method === 'OPTIONS') {
    return new Response(null, {
      status: 204,
      headers: {
        ...MEDIA_CORS,
        'Access-Control-Allow-Methods': 'GET, HEAD',
        'Access-Control-Max-Age': '600',
      },
    });
  }
  if (!READ_METHODS.has(request.method))
    return plain(405, 'method not allowed', { Allow: 'GET, HEAD', ...MEDIA_CORS });
  const mediaPath = mediaPathFromUrl(request.url);
  if (mediaPath === null) return plain(400, 'bad media path', MEDIA_CORS);
  try {
    const media = await engine.handleMedia(mediaPath + blockingQuery(new URL(request.url).searchParams));
    const headers = { 'Content-Type': media.contentType, ...media.headers, ...MEDIA_CORS };
    const empty = request.method === 'HEAD' || NULL_BODY.has(media.status);
    const body = empty ? null : typeof media.body === 'string' ? media.body : new Uint8Array(media.body);
    return new Response(body, { status: media.status, headers });
  } catch (err) {
    return plain(mediaErrorStatus(err), ShoalError.from(err).message, MEDIA_CORS);
  }
}
