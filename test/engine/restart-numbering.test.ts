// A broadcast restarted with the same key continues its numbering (PROTOCOL §6.1): segments
// it finds again keep their seq and their very entry, new ones take the next seqs without a
// hole (only the newest two of those written while it was down), and a new encoder run
// starts with a DISCONTINUITY. Without a fixed port, the address stays the same too.

import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src-main/engine/engine.js';
import { EntryFlag } from '../../src-main/protocol/constants.js';
import { encodeSegmentEntry } from '../../src-main/protocol/records.js';
import type { SegmentEntry } from '../../src-main/protocol/types.js';
import type { EngineEvent } from '../../src-shared/contract.js';
import { hasFfmpeg, makeTempDir, makeVodHls, removeDir } from '../fixtures/ffmpeg.js';
import { copySegments, writeMediaPlaylist } from '../fixtures/hls-folder.js';
import { waitFor } from '../fakes/engine-net.js';

let root = '';
let vod = '';
beforeAll(async () => {
  root = await makeTempDir('shoal-restart-');
  vod = join(root, 'vod');
  if (hasFfmpeg()) await makeVodHls(vod, { seconds: 8, segmentSeconds: 1 });
});
afterAll(async () => {
  if (root) await removeDir(root);
});

interface Run {
  address: string;
  seqs: number[];
  entry(seq: number): SegmentEntry;
  stop(): Promise<void>;
}

/** Broadcasts `folder` as identity "show" from `dataDir` until `count` segments are published. */
async function broadcast(dataDir: string, folder: string, count: number): Promise<Run> {
  const engine = new Engine({ dataDir, advertiseHost: '127.0.0.1', transport: { bindHost: '127.0.0.1' } });
  await engine.start();
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  const { address } = await engine.startBroadcast({ folder, identity: 'show' });
  const seqs = (): number[] =>
    events.flatMap((e) => (e.type === 'segment' && e.arrival.source === 'ingest' ? [e.arrival.seq] : []));
  await waitFor(() => seqs().length >= count, 15_000, `${count} segments`);
  // The entries as published (the engine's broadcast session is private to it).
  const book = (engine as unknown as { session: { node: { swarm: { book: BookLike } } } }).session.node.swarm
    .book;
  return {
    address,
    seqs: seqs(),
    entry: (seq) => book.get(0, 'media', seq)!,
    stop: () => engine.destroy(),
  };
}
type BookLike = { get(r: number, kind: 'media' | 'init', seq: number): SegmentEntry | undefined };

describe.skipIf(!hasFfmpeg())('a broadcast restarted with the same key', () => {
  it('continues the numbering and republishes the same entries', async () => {
    const dataDir = join(root, 'data');
    const folder = join(root, 'live');
    await mkdir(folder);
    const src = (n: number) => join(vod, `seg0000${n}.ts`);
    await copySegments(
      [0, 1, 2, 3, 4, 5, 6, 7].map((n) => [src(n), `s${n}.ts`] as [string, string]),
      folder,
    );
    const playlist = join(folder, 'live.m3u8');
    const list = (mediaSequence: number, names: string[]) =>
      writeMediaPlaylist(playlist, {
        targetDurationS: 1,
        mediaSequence,
        segments: names.map((uri) => ({ uri, durationS: 1 })),
      });

    await list(0, ['s0.ts', 's1.ts', 's2.ts']);
    const first = await broadcast(dataDir, folder, 3);
    expect(first.seqs).toEqual([0, 1, 2]);
    const before = [1, 2].map((seq) => encodeSegmentEntry(first.entry(seq)));
    await first.stop();

    // The encoder went on while the broadcaster was down.
    await list(1, ['s1.ts', 's2.ts', 's3.ts']);
    const second = await broadcast(dataDir, folder, 3);
    expect(second.seqs).toEqual([1, 2, 3]);
    // No port was given: the one used last keeps the address.
    expect(second.address).toBe(first.address);
    expect([1, 2].map((seq) => encodeSegmentEntry(second.entry(seq)))).toEqual(before);
    expect(second.entry(3).flags & EntryFlag.DISCONTINUITY).toBe(0);
    await second.stop();

    // The encoder restarted too: its numbering is back at 0, with new files. Of the four it
    // wrote while the broadcaster was down, the newest two are published.
    await list(0, ['s4.ts', 's5.ts', 's6.ts', 's7.ts']);
    const third = await broadcast(dataDir, folder, 2);
    expect(third.seqs).toEqual([4, 5]);
    const sha6 = createHash('sha256')
      .update(await readFile(join(folder, 's6.ts')))
      .digest();
    expect(Buffer.from(third.entry(4).sha256).equals(sha6)).toBe(true);
    expect(third.entry(4).flags & EntryFlag.DISCONTINUITY).toBe(EntryFlag.DISCONTINUITY);
    expect(third.entry(5).flags & EntryFlag.DISCONTINUITY).toBe(0);
    await third.stop();
  }, 60_000);
});
