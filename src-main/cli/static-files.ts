// Sends the built renderer's files over HTTP for the UI server; which file a path names is
// decided once for both hosts (host-edge/renderer-files.ts).

import { createReadStream } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { contentTypeFor, RendererFiles } from '../host-edge/renderer-files.js';

/** Streams a resolved file; `extraHeaders` lets the page add its cookie. */
export function sendFile(
  res: ServerResponse,
  file: string,
  headOnly: boolean,
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(200, {
    'Content-Type': contentTypeFor(file),
    // Vite fingerprints asset names, so only the page itself must never be cached.
    'Cache-Control': RendererFiles.isPage(file) ? 'no-store' : 'public, max-age=31536000, immutable',
    ...extraHeaders,
  });
  if (headOnly) {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}
