// HlsGateway: what it serves from a SegmentStore, what it refuses, and that ffmpeg decodes
// real ingested streams (MPEG-TS master with two renditions, and fMP4) through it.

import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FolderIngest } from '../../../src-main/hls/ingest/folder-ingest.js';
import { HlsGateway, type GatewayStream } from '../../../src-main/hls/serve/gateway.js';
import type { Rendition } from '../../../src-main/protocol/types.js';
import { SegmentStore } from '../../../src-main/store/segment-store.js';
import { entryForIngested, fakeSegment } from '../../fakes/segments.js';
import { makeMasterHls, makeTempDir, makeVodHls, removeDir, runFfmpeg } from '../../fixtures/ffmpeg.js';

let gateway: HlsGateway;
let base: string;

function streamOf(store: SegmentStore, renditions: Rendition[] = [], ended = false): GatewayStream {
  return { store, renditions: () => renditions, ended: () => ended, targetDurationMs: () => 2000 };
}

/** Sends raw bytes (no client-side URL normalisation) and returns the status code. */
function rawStatus(port: number, request: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    let text = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      text += chunk;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (m) {
        socket.destroy();
        resolve(Number(m[1]));
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(0));
  });
}

beforeAll(async () => {
  gateway = new HlsGateway();
  const port = await gateway.start();
  base = `http://127.0.0.1:${port}`;
});

afterAll(async () => {
  await gateway.destroy();
});

describe('HlsGateway with a store', () => {
  const store = new SegmentStore();
  for (const seq of [3, 4, 5]) {
    const { entry, data } = fakeSegment({ seq, size: 5000 });
    store.put(entry, data);
  }
  const init = fakeSegment({ rendition: 1, kind: 'init', seq: 0, size: 300 });
  store.put(init.entry, init.data);
  const m4s = fakeSegment({ rendition: 1, seq: 9, initSeq: 0, size: 700 });
  store.put(m4s.entry, m4s.data);
  const renditions: Rendition[] = [
    { id: 0, bandwidth: 0, width: 320, height: 180, name: 'ts', codecs: 'avc1.42c00d' },
    { id: 1, bandwidth: 1000, width: 0, height: 0, name: 'fmp4', codecs: '' },
  ];

  beforeAll(() => gateway.addStream('abc', streamOf(store, renditions)));

  it('serves master and media playlists with the right headers', async () => {
    const master = await fetch(`${base}/stream/abc/master.m3u8`);
    expect(master.status).toBe(200);
    expect(master.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(master.headers.get('cache-control')).toMatch(/no-cache/);
    expect(master.headers.get('access-control-allow-origin')).toBeNull();
    const text = await master.text();
    expect(text).toContain('BANDWIDTH=20000,RESOLUTION=320x180,CODECS="avc1.42c00d"\n0/live.m3u8');
    expect(text).toContain('1/live.m3u8');

    const live = await (await fetch(`${base}/stream/abc/0/live.m3u8?_HLS_msn=1`)).text();
    expect(live).toMatch(/#EXT-X-MEDIA-SEQUENCE:3\n/);
    expect(live).toContain('\n5.ts\n');
    expect(live).not.toContain('ENDLIST');
    const fmp4 = await (await fetch(`${base}/stream/abc/1/live.m3u8`)).text();
    expect(fmp4).toContain('#EXT-X-MAP:URI="init-0.mp4"\n');
    expect(fmp4).toContain('\n9.m4s\n');
  });

  it('serves segment bytes, HEAD and byte ranges, and counts what it sends', async () => {
    const before = gateway.stats().bytesServed;
    const ts = await fetch(`${base}/stream/abc/0/4.ts`);
    expect(ts.status).toBe(200);
    expect(ts.headers.get('content-type')).toBe('video/mp2t');
    expect(Buffer.from(await ts.arrayBuffer()).equals(store.get(0, 'media', 4)!.data)).toBe(true);
    const initRes = await fetch(`${base}/stream/abc/1/init-0.mp4`);
    expect(initRes.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await initRes.arrayBuffer()).equals(init.data)).toBe(true);
    const seg = await fetch(`${base}/stream/abc/1/9.m4s`);
    expect(seg.headers.get('content-type')).toBe('video/iso.segment');
    await seg.arrayBuffer();

    const head = await fetch(`${base}/stream/abc/0/4.ts`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe('5000');
    expect((await head.arrayBuffer()).byteLength).toBe(0);
    const part = await fetch(`${base}/stream/abc/0/4.ts`, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 10-19/5000');
    expect((await part.arrayBuffer()).byteLength).toBe(10);
    const bad = await fetch(`${base}/stream/abc/0/4.ts`, { headers: { Range: 'bytes=6000-' } });
    expect(bad.status).toBe(416);
    await bad.arrayBuffer();

    const stats = gateway.stats();
    expect(stats.bytesServed - before).toBe(5000 + 300 + 700 + 10);
    expect(stats.perStream.abc!.bytesServed).toBeGreaterThanOrEqual(6010);
    expect(stats.consumers).toBeGreaterThan(0);
  });

  it('answers 404 for anything it does not hold and 405 for other methods', async () => {
    for (const path of [
      '/',
      '/stream/abc',
      '/stream/nope/master.m3u8',
      '/stream/abc/7/live.m3u8',
      '/stream/abc/0/6.ts',
      '/stream/abc/0/4.m4s', // wrong container for an MPEG-TS segment
      '/stream/abc/1/9.ts',
      '/stream/abc/0/init-5.mp4',
      '/stream/abc/0/4.ts/',
      '/stream/abc/0/-1.ts',
    ]) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(404);
      await res.arrayBuffer();
    }
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      const res = await fetch(`${base}/stream/abc/master.m3u8`, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD');
      await res.arrayBuffer();
    }
  });

  it('lets no web page read the stream: no CORS, no preflight, cross-site requests refused', async () => {
    // What Chromium sends when a page on another origin fetches a segment.
    const fromPage = (site: string) =>
      fetch(`${base}/stream/abc/0/4.ts`, {
        headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': site, 'Sec-Fetch-Mode': 'cors' },
      });
    for (const site of ['cross-site', 'same-site']) {
      const res = await fromPage(site);
      expect(res.status, site).toBe(403);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(await res.text()).toMatch(/web pages may not read this stream/);
    }
    const preflight = await fetch(`${base}/stream/abc/0/4.ts`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(405);
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    await preflight.arrayBuffer();
    // A player, or the URL typed into the browser's address bar, still plays.
    for (const site of [null, 'none']) {
      const res = await fetch(`${base}/stream/abc/0/4.ts`, {
        headers: site ? { 'Sec-Fetch-Site': site } : {},
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      await res.arrayBuffer();
    }
  });

  it('makes path traversal and forged hosts go nowhere', async () => {
    const port = gateway.port;
    const get = (target: string, host = `127.0.0.1:${port}`) =>
      rawStatus(port, `GET ${target} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
    for (const target of [
      '/stream/abc/../../../etc/passwd',
      '/stream/abc/0/../../abc/0/4.ts',
      '/stream/%2e%2e/%2e%2e/etc/passwd',
      '/stream/abc/0/%34.ts',
      '//etc/passwd',
      '/stream/abc/0/..%2f4.ts',
      '/stream/abc\\0\\4.ts',
      'http://evil.example/stream/abc/0/4.ts',
    ]) {
      expect(await get(target), target).toBe(404);
    }
    // A DNS-rebinding page sends its own name; the right name with another port is not us either.
    for (const host of [
      'evil.example',
      `evil.example:${port}`,
      `127.0.0.1.evil.example:${port}`,
      `localhost.evil.example:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost:${port}0`,
      '127.0.0.1',
    ]) {
      expect(await get('/stream/abc/0/4.ts', host), host).toBe(403);
    }
    for (const host of [`localhost:${port}`, `LOCALHOST:${port}`, `[::1]:${port}`, `127.0.0.1:${port}`]) {
      expect(await get('/stream/abc/0/4.ts', host), host).toBe(200);
    }
    expect(await rawStatus(port, 'NONSENSE\r\n\r\n')).toBe(400);
  });

  it('refuses to listen anywhere but loopback and reports a busy port', async () => {
    const other = new HlsGateway({ port: gateway.port });
    await expect(other.start()).rejects.toThrow(/port \d+ is in use/);
    expect(base.startsWith('http://127.0.0.1:')).toBe(true);
  });
});

describe('HlsGateway with ffmpeg', () => {
  let root: string;
  afterEach(() => {
    gateway.removeStream('ts-master');
    gateway.removeStream('fmp4');
  });
  beforeAll(async () => {
    root = await makeTempDir();
  });
  afterAll(async () => {
    await removeDir(root);
  });

  async function ingestInto(folder: string): Promise<{ store: SegmentStore; renditions: Rendition[] }> {
    const store = new SegmentStore();
    const ingest = new FolderIngest({ folder, vodSpeed: Infinity, pollIntervalMs: 100 });
    ingest.on('segment', (s) => store.put(entryForIngested(s), s.data));
    const ended = new Promise<void>((resolve) => ingest.on('ended', () => resolve()));
    const failed = new Promise<never>((_, reject) => ingest.on('error', reject));
    ingest.start();
    await Promise.race([ended, failed]);
    const renditions = ingest.renditions;
    await ingest.destroy();
    return { store, renditions };
  }

  async function decode(url: string): Promise<void> {
    const result = await runFfmpeg(['-v', 'error', '-i', url, '-map', '0', '-f', 'null', '-'], 30_000);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }

  it('serves an ingested two-rendition MPEG-TS stream that ffmpeg decodes cleanly', async () => {
    const dir = join(root, 'master');
    await makeMasterHls(dir, { seconds: 4, segmentSeconds: 2 });
    const { store, renditions } = await ingestInto(dir);
    expect(store.window(1)).toHaveLength(2);
    gateway.addStream('ts-master', streamOf(store, renditions, true));
    await decode(gateway.urlFor('ts-master'));
    expect(gateway.stats().perStream['ts-master']!.bytesServed).toBeGreaterThan(
      store.window(0).reduce((n, e) => n + e.size, 0),
    );
  });

  it('serves an ingested fMP4 stream that ffmpeg decodes cleanly', async () => {
    const dir = join(root, 'fmp4');
    await makeVodHls(dir, { seconds: 4, segmentSeconds: 2, fmp4: true });
    const { store, renditions } = await ingestInto(dir);
    gateway.addStream('fmp4', streamOf(store, renditions, true));
    await decode(gateway.urlFor('fmp4'));
  });
});
