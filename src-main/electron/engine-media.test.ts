// The Electron media scheme against the real engine: the playlist URL the engine hands
// out must come back through `shoal-media:` to the engine's own media paths.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine/engine.js';
import { handleMediaRequest } from './protocol-handlers.js';
import { MEDIA_BASE_URL } from './schemes.js';

const SAMPLE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../assets/sample');

let dataDir: string;
let engine: Engine;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'shoal-electron-media-'));
  engine = new Engine({
    dataDir,
    mediaBaseUrl: MEDIA_BASE_URL,
    sampleFolder: SAMPLE,
    advertiseHost: '127.0.0.1',
    settings: { gatewayEnabled: false },
    transport: { bindHost: '127.0.0.1' },
  });
  await engine.start();
});

afterAll(async () => {
  await engine?.destroy();
  await rm(dataDir, { recursive: true, force: true });
});

describe('shoal-media: with the real engine', () => {
  it('serves the demo broadcast playlist and its first segment', async () => {
    const session = await engine.startBroadcast({ demo: true });
    expect(session.playlistUrl.startsWith(`${MEDIA_BASE_URL}/`)).toBe(true);

    const fetchMedia = (url: string) => handleMediaRequest(engine, new Request(url));
    const master = await fetchMedia(session.playlistUrl);
    expect(master.status).toBe(200);
    expect(master.headers.get('access-control-allow-origin')).toBe('shoal-app://app');
    let playlistUrl = session.playlistUrl;
    let text = await master.text();
    expect(text.startsWith('#EXTM3U')).toBe(true);

    // Follow a master playlist down to a media playlist, then to its first segment.
    const uriLines = () => text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    if (text.includes('#EXT-X-STREAM-INF')) {
      playlistUrl = new URL(uriLines()[0] as string, playlistUrl).href;
      await expect.poll(async () => (await fetchMedia(playlistUrl)).status, { timeout: 45_000 }).toBe(200);
      text = await (await fetchMedia(playlistUrl)).text();
    }
    await expect
      .poll(
        async () => {
          text = await (await fetchMedia(playlistUrl)).text();
          return uriLines().length;
        },
        { timeout: 45_000 },
      )
      .toBeGreaterThan(0);
    const segment = await fetchMedia(new URL(uriLines()[0] as string, playlistUrl).href);
    expect(segment.status).toBe(200);
    expect((await segment.arrayBuffer()).byteLength).toBeGreaterThan(1000);
  }, 120_000);

  it('answers 404 for a stream it does not have', async () => {
    const res = await handleMediaRequest(
      engine,
      new Request(`${MEDIA_BASE_URL}/stream/${'b'.repeat(52)}/master.m3u8`),
    );
    expect(res.status).toBe(404);
  });
});
