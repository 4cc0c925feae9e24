// Serves the built renderer (dist/renderer) and nothing else: every request path is
// resolved inside the root, symlinks included, before a file is opened.

import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export class StaticFiles {
  private constructor(private readonly root: string) {}

  static async open(root: string): Promise<StaticFiles> {
    return new StaticFiles(await realpath(root));
  }

  /** A resolved file that is a page (the token-guarded UI), not an asset. */
  static isPage(file: string): boolean {
    return path.extname(file).toLowerCase() === '.html';
  }

  /** The file a URL path names, or null if it is outside the root, missing or not a file. */
  async resolve(urlPath: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const candidate = path.resolve(this.root, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded));
    if (!this.contains(candidate)) return null;
    try {
      const real = await realpath(candidate);
      if (!this.contains(real)) return null;
      return (await stat(real)).isFile() ? real : null;
    } catch {
      return null;
    }
  }

  /** Streams a resolved file; `extraHeaders` lets the page add its cookie. */
  send(
    res: ServerResponse,
    file: string,
    headOnly: boolean,
    extraHeaders: Record<string, string> = {},
  ): void {
    const ext = path.extname(file).toLowerCase();
    const isPage = StaticFiles.isPage(file);
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      // Vite fingerprints asset names, so only the page itself must never be cached.
      'Cache-Control': isPage ? 'no-store' : 'public, max-age=31536000, immutable',
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

  private contains(p: string): boolean {
    return p === this.root || p.startsWith(this.root + path.sep);
  }
}
