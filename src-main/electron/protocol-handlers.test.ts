import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import type { EngineFacade, MediaResponse } from '../engine/engine-facade.js';
import { RendererFiles } from '../host-edge/renderer-files.js';
import { handleAppRequest, handleMediaRequest } from './protocol-handlers.js';
import { CONTENT_SECURITY_POLICY } from './security-policy.js';

let dir: string;
let files: RendererFiles;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shoal-protocol-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html><title>Shoal</title>');
  await writeFile(path.join(dir, 'assets', 'app-1a2b.js'), 'console.log(1)');
  files = await RendererFiles.open(dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('handleAppRequest', () => {
  it('serves the page with the CSP and no caching', async () => {
    const res = await handleAppRequest(files, new Request('shoal-app://app/index.html'));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<title>Shoal</title>');
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves fingerprinted assets as cacheable scripts', async () => {
    const res = await handleAppRequest(files, new Request('shoal-app://app/assets/app-1a2b.js'));
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('cache-control')).toContain('immutable');
  });

  it('answers 404 for other hosts, missing files and traversal', async () => {
    for (const url of [
      'shoal-app://elsewhere/index.html',
      'shoal-app://app/assets/missing.js',
      'shoal-app://app/%2e%2e/%2e%2e/etc/passwd.txt',
    ]) {
      expect((await handleAppRequest(files, new Request(url))).status).toBe(404);
    }
  });

  it('refuses writes', async () => {
    const res = await handleAppRequest(
      files,
      new Request('shoal-app://app/index.html', { method: 'POST', body: 'x' }),
    );
    expect(res.status).toBe(405);
  });
});

function engineServing(handleMedia: (path: string) => Promise<MediaResponse>): EngineFacade {
  return { handleMedia } as unknown as EngineFacade;
}

describe('handleMediaRequest', () => {
  it('passes the media path to the engine and returns its answer with CORS for the app', async () => {
    const handleMedia = vi.fn(async () => ({
      status: 200,
      contentType: 'application/vnd.apple.mpegurl',
      body: '#EXTM3U\n',
      headers: { 'Cache-Control': 'no-cache' },
    }));
    const res = await handleMediaRequest(
      engineServing(handleMedia),
      new Request('shoal-media://media/stream/abc/master.m3u8'),
    );
    expect(handleMedia).toHaveBeenCalledWith('/stream/abc/master.m3u8');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('#EXTM3U\n');
    expect(res.headers.get('access-control-allow-origin')).toBe('shoal-app://app');
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('sends binary segments byte for byte', async () => {
    const bytes = new Uint8Array([0x47, 0x40, 0x00, 0x10]);
    const res = await handleMediaRequest(
      engineServing(async () => ({ status: 200, contentType: 'video/mp2t', body: bytes })),
      new Request('shoal-media://media/stream/abc/0/seg000.ts'),
    );
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
  });

  it('maps engine errors to 404 / 500 with the message', async () => {
    const missing = engineServing(async () => {
      throw new ShoalError(ErrorCode.STREAM_NOT_FOUND, 'no such stream');
    });
    const res = await handleMediaRequest(missing, new Request('shoal-media://media/stream/x/master.m3u8'));
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('no such stream');
    const broken = engineServing(async () => {
      throw new Error('disk on fire');
    });
    expect((await handleMediaRequest(broken, new Request('shoal-media://media/stream/x/a.ts'))).status).toBe(
      500,
    );
  });

  it('rejects bad paths before the engine sees them', async () => {
    const handleMedia = vi.fn();
    const res = await handleMediaRequest(
      engineServing(handleMedia),
      new Request('shoal-media://media/stream/a%00b.ts'),
    );
    expect(res.status).toBe(400);
    expect(handleMedia).not.toHaveBeenCalled();
  });

  it('answers HEAD and bodiless statuses without a body, and CORS preflight', async () => {
    const engine = engineServing(async () => ({ status: 304, contentType: 'video/mp2t', body: 'ignored' }));
    expect((await handleMediaRequest(engine, new Request('shoal-media://media/stream/a/b.ts'))).status).toBe(
      304,
    );
    const head = await handleMediaRequest(
      engineServing(async () => ({ status: 200, contentType: 'video/mp2t', body: 'abc' })),
      new Request('shoal-media://media/stream/a/b.ts', { method: 'HEAD' }),
    );
    expect(await head.text()).toBe('');
    const preflight = await handleMediaRequest(
      engine,
      new Request('shoal-media://media/x', { method: 'OPTIONS' }),
    );
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, HEAD');
  });
});
