import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentTypeFor, RendererFiles } from './renderer-files.js';

let dir: string;
let files: RendererFiles;
/** The app scheme's resolution (client-side routes get the page); the UI server's has none. */
const app = { spaFallback: true };
const server = { spaFallback: false };

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shoal-renderer-files-'));
  const root = path.join(dir, 'renderer');
  await mkdir(path.join(root, 'assets'), { recursive: true });
  await writeFile(path.join(root, 'index.html'), '<!doctype html>');
  await writeFile(path.join(root, 'assets', 'app.js'), '');
  await writeFile(path.join(dir, 'secret.txt'), 'secret');
  await symlink(path.join(dir, 'secret.txt'), path.join(root, 'assets', 'link.txt'));
  files = await RendererFiles.open(root);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RendererFiles.resolve', () => {
  it('serves index.html for the root and files inside', async () => {
    expect(await files.resolve('/', app)).toBe(path.join(files.root, 'index.html'));
    expect(await files.resolve('/assets/app.js', app)).toBe(path.join(files.root, 'assets', 'app.js'));
  });

  it('never leaves the root', async () => {
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
      '..%2fsecret.txt',
    ]) {
      expect(await files.resolve(p, app)).toBeNull();
    }
  });

  it('does not follow symlinks out of the root', async () => {
    expect(await files.resolve('/assets/link.txt', app)).toBeNull();
  });

  it('rejects backslashes, NUL and bad escapes', async () => {
    expect(await files.resolve('/assets\\app.js', app)).toBeNull();
    expect(await files.resolve('/assets/app.js%00.png', app)).toBeNull();
    expect(await files.resolve('/%zz', app)).toBeNull();
  });

  it('falls back to index.html for client-side routes but not for missing files', async () => {
    expect(await files.resolve('/watch', app)).toBe(path.join(files.root, 'index.html'));
    expect(await files.resolve('/assets/missing.js', app)).toBeNull();
    expect(await files.resolve('/assets', app)).toBe(path.join(files.root, 'index.html'));
  });

  it('without the fallback (the UI server) a route is not found, the page and files still are', async () => {
    expect(await files.resolve('/watch', server)).toBeNull();
    expect(await files.resolve('/', server)).toBe(path.join(files.root, 'index.html'));
    expect(await files.resolve('/assets/app.js', server)).toBe(path.join(files.root, 'assets', 'app.js'));
    for (const p of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/link.txt'])
      expect(await files.resolve(p, server)).toBeNull();
  });

  it('refuses to open a root without index.html', async () => {
    await expect(RendererFiles.open(path.join(dir, 'nope'))).rejects.toThrow();
  });
});

describe('contentTypeFor', () => {
  it('knows the renderer file types', () => {
    expect(contentTypeFor('/x/index.html')).toMatch(/^text\/html/);
    expect(contentTypeFor('/x/a.JS')).toMatch(/^text\/javascript/);
    expect(contentTypeFor('/x/blob.bin')).toBe('application/octet-stream');
  });
});
