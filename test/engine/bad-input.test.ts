// Bad input gets a clear error and never takes the engine down.

import { copyFile, mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { formatStreamAddress, streamIdFromPublicKey } from '../../src-shared/stream-address.js';
import { generateStreamKeys } from '../../src-main/protocol/signing.js';
import { makeTempDir, removeDir } from '../fixtures/ffmpeg.js';
import { MAX_SEGMENT_SIZE } from '../../src-main/protocol/constants.js';
import { collectEvents, EngineNet, ROOT, waitFor } from '../fakes/engine-net.js';

const net = new EngineNet();
const dirs: string[] = [];
afterAll(async () => {
  await net.destroy();
  await Promise.all(dirs.map(removeDir));
});

async function rejection(p: Promise<unknown>): Promise<ShoalError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return err as ShoalError;
  }
  throw new Error('expected a rejection');
}

describe('engine bad input', () => {
  it('rejects malformed addresses with a message saying what is wrong, and keeps working', async () => {
    const engine = await net.engine();
    for (const [text, says] of [
      ['', /empty|address/i],
      ['http://example.com/stream.m3u8', /shoal:/],
      ['shoal://tooshort@127.0.0.1:4000', /stream id/],
      [`shoal://${'a'.repeat(52)}`, /endpoint|host|@/i],
      [`shoal://${'a'.repeat(52)}@127.0.0.1:0`, /port/],
      [`shoal://${'a'.repeat(52)}@127.0.0.1:70000`, /port/],
    ] as const) {
      const err = await rejection(engine.watch(text));
      expect(err.code).toBe(ErrorCode.BAD_ADDRESS);
      expect(err.message).toMatch(says);
    }
    expect(engine.getSnapshot().mode).toBe('idle');
  });

  it('rejects a missing folder and a folder without a playlist', async () => {
    const engine = await net.engine();
    const missing = await rejection(engine.startBroadcast({ folder: '/nonexistent/shoal-folder' }));
    expect(missing.code).toBe(ErrorCode.BAD_FOLDER);
    expect(missing.message).toMatch(/does not exist/);

    const empty = await makeTempDir('shoal-empty-');
    dirs.push(empty);
    const none = await rejection(engine.startBroadcast({ folder: empty }));
    expect(none.message).toMatch(/playlist|m3u8/i);
    expect(engine.getSnapshot().mode).toBe('idle');
  });

  it('reports a playlist that points at missing files, without crashing', async () => {
    const dir = await makeTempDir('shoal-missing-');
    dirs.push(dir);
    await mkdir(dir, { recursive: true });
    await writeFile(
      join(dir, 'stream.m3u8'),
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n#EXTINF:2.0,\nseg0.ts\n#EXTINF:2.0,\nseg1.ts\n',
    );
    const engine = await net.engine();
    const events = collectEvents(engine);
    await engine.startBroadcast({ folder: dir }).catch(() => undefined);
    await waitFor(
      () => events.some((e) => e.type === 'error' && e.error.code === ErrorCode.MISSING_FILE),
      20_000,
      'a missing-file error',
    );
    const err = events.find((e) => e.type === 'error' && e.error.code === ErrorCode.MISSING_FILE);
    expect(err?.type === 'error' && err.error.message).toMatch(/seg0\.ts/);
    expect(engine.getSnapshot().lastError).not.toBeNull();
  });

  it('tells the user about a segment too large to send, and broadcasts the rest', async () => {
    const dir = await makeTempDir('shoal-large-');
    dirs.push(dir);
    const sample = join(ROOT, 'assets', 'sample');
    await copyFile(join(sample, 'seg000.ts'), join(dir, 'a.ts'));
    await copyFile(join(sample, 'seg001.ts'), join(dir, 'c.ts'));
    await writeFile(join(dir, 'b.ts'), '');
    await truncate(join(dir, 'b.ts'), MAX_SEGMENT_SIZE + 1);
    await writeFile(
      join(dir, 'stream.m3u8'),
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:0\n' +
        '#EXTINF:2.0,\na.ts\n#EXTINF:2.0,\nb.ts\n#EXTINF:2.0,\nc.ts\n#EXT-X-ENDLIST\n',
    );
    const engine = await net.engine();
    const events = collectEvents(engine);
    await engine.startBroadcast({ folder: dir, vodSpeed: Infinity });
    await waitFor(() => engine.getSnapshot().state === 'ended', 30_000, 'the broadcast to end');
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: ErrorCode.TOO_LARGE, fatal: false });
    expect(errors[0]!.message).toMatch(/b\.ts is 32\.0 MiB, more than one segment may be .*skipped/);
    expect(engine.getSnapshot().lastError?.code).toBe(ErrorCode.TOO_LARGE);
    expect(engine.getSnapshot().segments.ingested).toBe(2);
  });

  it('says "not found" for a stream id nobody serves, and for an address where nobody answers', async () => {
    const folder = await makeTempDir('shoal-nf-');
    dirs.push(folder);
    await writeFile(join(folder, 'stream.m3u8'), '#EXTM3U\n#EXT-X-TARGETDURATION:2\n');
    const broadcaster = await net.engine();
    const { address } = await broadcaster.startBroadcast({ folder });
    const port = Number(/:(\d+)$/.exec(address)![1]);
    const nobodyServes = formatStreamAddress({
      streamId: streamIdFromPublicKey(generateStreamKeys().streamId),
      bootstrap: [{ host: '127.0.0.1', port }],
    });
    const viewer = await net.engine({ notFoundAfterMs: 1500 });
    const events = collectEvents(viewer);
    await viewer.watch(nobodyServes);
    await waitFor(() => viewer.getSnapshot().state === 'not-found', 30_000, 'not-found');
    expect(events.some((e) => e.type === 'error' && e.error.code === ErrorCode.STREAM_NOT_FOUND)).toBe(true);

    // A port where nothing listens: nobody answers at all.
    const silent = formatStreamAddress({
      streamId: streamIdFromPublicKey(generateStreamKeys().streamId),
      bootstrap: [{ host: '127.0.0.1', port: 9 }],
    });
    await viewer.watch(silent);
    await waitFor(() => viewer.getSnapshot().state === 'not-found', 30_000, 'not-found (silent)');
    expect(viewer.getSnapshot().lastError?.code).toBe(ErrorCode.NO_PEERS);
  });
});
