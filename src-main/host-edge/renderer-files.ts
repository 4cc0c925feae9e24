// The built renderer (dist/renderer) as files a host serves, and nothing else: every request
// path is resolved inside the root, symlinks included, before a file is opened. One
// resolution for both hosts (issue 18 §7): the CLI's UI server (cli/static-files.ts, HTTP)
// and Electron's app scheme (electron/protocol-handlers.ts).

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

export interface ResolveOptions {
  /**
   * An extension-less path that names no file is a client-side route and gets index.html
   * (the app scheme). Off, it is simply not found (the UI server, whose page needs a token).
   */
  spaFallback: boolean;
}

export class RendererFiles {
  private constructor(readonly root: string) {}

  /** Fails if the renderer has not been built, so the host can say so instead of a blank page. */
  static async open(root: string): Promise<RendererFiles> {
    const real = await realpath(root);
    await stat(path.join(real, 'index.html'));
    return new RendererFiles(real);
  }

  /** A resolved file that is a page (the app itself), not an asset. */
  static isPage(file: string): boolean {
    return path.extname(file).toLowerCase() === '.html';
  }

  /** The file a URL path names ('/' is index.html), or null if outside the root, missing or not a file. */
  async resolve(urlPath: string, options: ResolveOptions): Promise<string | null> {
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
    if (found !== null || !options.spaFallback || path.extname(candidate) !== '') return found;
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
