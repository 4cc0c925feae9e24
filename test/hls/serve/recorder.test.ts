// SegmentRecorder: in-order files from out-of-order arrivals, fMP4 init first, holes
// skipped, clear open errors; recordings of real ffmpeg output decode without errors.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src-shared/errors.js';
import { FolderIngest, type IngestedSegment } from '../../../src-main/hls/ingest/folder-ingest.js';
import { SegmentRecorder } from '../../../src-main/hls/serve/recorder.js';
import { SegmentStore } from '../../../src-main/store/segment-store.js';
import { entryForIngested, fakeSegment } from '../../fakes/segments.js';
import { makeTempDir, makeVodHls, removeDir, runFfmpeg } from '../../fixtures/ffmpeg.js';

let root: string;
beforeAll(async () => {
  root = await makeTempDir('shoal-rec-');
});
afterAll(async () => {
  await removeDir(root);
});

async function ingestAll(folder: string): Promise<IngestedSegment[]> {
  const segments: IngestedSegment[] = [];
  const ingest = new FolderIngest({ folder, vodSpeed: Infinity });
  ingest.on('segment', (s) => segments.push(s));
  await new Promise<void>((resolve, reject) => {
    ingest.on('ended', () => resolve());
    ingest.on('error', reject);
    ingest.start();
  });
  await ingest.destroy();
  return segments;
}

async function expectDecodes(file: string): Promise<void> {
  const result = await runFfmpeg(['-v', 'error', '-i', file, '-f', 'null', '-']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
}

describe('SegmentRecorder', () => {
  it('writes MPEG-TS segments in seq order whatever order they arrive in', async () => {
    const dir = join(root, 'ts');
    await makeVodHls(dir, { seconds: 8, segmentSeconds: 2 });
    const segments = await ingestAll(dir);
    const file = join(root, 'out.ts');
    const recorder = new SegmentRecorder({ file, rendition: 0, startSeq: 0 });
    await recorder.open();
    for (const i of [1, 0, 3, 2]) recorder.push(entryForIngested(segments[i]!), segments[i]!.data);
    const stats = await recorder.close();
    expect(stats).toMatchObject({ segmentsWritten: 4, skipped: 0, nextSeq: 4 });
    const expected = Buffer.concat(segments.map((s) => s.data));
    expect((await readFile(file)).equals(expected)).toBe(true);
    await expectDecodes(file);
  });

  it('records fMP4 from a store, init segment first', async () => {
    const dir = join(root, 'fmp4');
    await makeVodHls(dir, { seconds: 4, segmentSeconds: 2, fmp4: true });
    const segments = await ingestAll(dir);
    const store = new SegmentStore();
    const file = join(root, 'out.mp4');
    const recorder = new SegmentRecorder({ file, rendition: 0 });
    await recorder.open();
    const detach = recorder.attach(store);
    for (const s of segments) store.put(entryForIngested(s), s.data);
    detach();
    await recorder.close();
    const content = await readFile(file);
    expect(content.subarray(0, segments[0]!.data.length).equals(segments[0]!.data)).toBe(true);
    expect(content.equals(Buffer.concat(segments.map((s) => s.data)))).toBe(true);
    await expectDecodes(file);
  });

  it('skips a segment that never comes, ignores late ones and other renditions', async () => {
    const file = join(root, 'gaps.bin');
    const recorder = new SegmentRecorder({ file, rendition: 0, maxReorder: 3 });
    const skipped: { fromSeq: number; toSeq: number }[] = [];
    recorder.on('skipped', (s) => skipped.push(s));
    const push = (seq: number, rendition = 0) => {
      const { entry, data } = fakeSegment({ seq, rendition, size: 10 });
      recorder.push(entry, data);
    };
    push(0); // before open(): written once the file is open
    await new Promise((r) => setTimeout(r, 20));
    await recorder.open();
    for (const seq of [2, 3, 4]) push(seq);
    expect(skipped).toEqual([]); // still waiting for 1
    push(5);
    expect(skipped).toEqual([{ fromSeq: 1, toSeq: 1 }]);
    push(1); // too late
    push(6, 1); // another rendition
    push(7);
    const stats = await recorder.close(); // flushes 7, giving up on 6
    expect(skipped).toEqual([
      { fromSeq: 1, toSeq: 1 },
      { fromSeq: 6, toSeq: 6 },
    ]);
    expect(stats).toMatchObject({ segmentsWritten: 6, skipped: 2, bytesWritten: 60 });
    const bytes = [...(await readFile(file))].filter((_, i) => i % 10 === 0);
    expect(bytes).toEqual([0, 2, 3, 4, 5, 7]);
  });

  it('explains why it cannot open the file', async () => {
    const existing = join(root, 'exists.ts');
    await writeFile(existing, 'keep me');
    await expect(new SegmentRecorder({ file: existing, rendition: 0 }).open()).rejects.toMatchObject({
      code: ErrorCode.IO,
      message: expect.stringMatching(/already exists/),
    });
    expect(await readFile(existing, 'utf8')).toBe('keep me');
    await expect(
      new SegmentRecorder({ file: join(root, 'no/such/dir.ts'), rendition: 0 }).open(),
    ).rejects.toThrow(/folder does not exist/);
    const over = new SegmentRecorder({ file: existing, rendition: 0, overwrite: true });
    await over.open();
    await over.close();
    expect(await readFile(existing, 'utf8')).toBe('');
  });
});
