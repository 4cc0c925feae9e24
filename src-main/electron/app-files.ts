// Serves the built renderer (dist/renderer) on the app scheme and nothing else: every
// request path is resolved inside the root, symlinks included, before a file is read.

import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export class AppFiles {
  private constructor(readonly root: string) {}

  /** Fails if the renderer has not been built, so the app can say so instead of a blank window. */
  static async open(root: string): Promise<AppFiles> {
    const real = await realpath(root);
    await stat(path.join(real, 'index.html'));
    return new AppFiles(real);
  }

  /**
   * The file a URL path names, or null if it is outside the root, missing or not a file.
   * An extension-less path that names no file is a client-side route: it gets index.html.
   */
  async resolve(urlPath: string): Promise<string | null> {
    let decoded: string;
    try {
      decoded = decodeURIComponent(urlPath);
    } catch {
      return null;
    }
    if (decoded.includes('\0') || decoded.includes('\\')) return null;
    const relative = decoded === '/' || decoded === '' ? '/index.html' : decoded;
    const candidate = path.resolve(this.root, '.' + (relative.startsWith('/') ? relative : '/' + relative));
    if (!this.contains(candidate)) return null;
    const found = await this.existingFile(candidate);
    if (found !== null || path.extname(candidate) !== '') return found;
    return this.existingFile(path.join(this.root, 'index.html'));
  }

  private async existingFile(candidate: string): Promise<string | null> {
    try {
      const real = await realpath(candidate);
      if (!this.contains(real)) return null;
      return (await stat(real)).isFile() ? real : null;
    } catch {
      return null;
    }
  }

  private contains(p: string): boolean {
    return p === this.root || p.startsWith(this.root + path.sep);
  }
}
