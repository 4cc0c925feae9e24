// FolderIngest on real ffmpeg output: VOD (paced), fMP4, master with two renditions, a
// live rolling ffmpeg, and hand-driven live folders for stalls, restarts and bad input.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../src-shared/errors.js';
import { MAX_SEGMENT_SIZE } from '../../../src-main/protocol/constants.js';
import {
  FolderIngest,
  type FolderIngestEvents,
  type FolderIngestOptions,
} from '../../../src-main/hls/ingest/folder-ingest.js';
import { record, type Recorded } from '../../fixtures/events.js';
import {
  makeMasterHls,
  makeTempDir,
  makeVodHls,
  removeDir,
  startLiveHls,
  type LiveHls,
} from '../../fixtures/ffmpeg.js';
import { copySegments, writeAtomically, writeMediaPlaylist } from '../../fixtures/hls-folder.js';
import { waitFor } from '../../fixtures/wait.js';

const EVENTS: (keyof FolderIngestEvents)[] = [
  'renditions',
  'segment',
  'error',
  'stalled',
  'resumed',
  'ended',
];

let root: string;
let vod: string;
let fmp4: string;
let master: string;
const running: FolderIngest[] = [];
let live: LiveHls | null = null;

beforeAll(async () => {
  root = await makeTempDir();
  vod = join(root, 'vod');
  fmp4 = join(root, 'fmp4');
  master = join(root, 'master');
  await Promise.all([
    makeVodHls(vod, { seconds: 8, segmentSeconds: 2 }),
    makeVodHls(fmp4, { seconds: 4, segmentSeconds: 2, fmp4: true }),
    makeMasterHls(master, { seconds: 4, segmentSeconds: 2 }),
  ]);
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((i) => i.destroy()));
  await live?.stop(false);
  live = null;
});

afterAll(async () => {
  await removeDir(root);
});

function ingest(options: FolderIngestOptions): { ingest: FolderIngest; rec: Recorded<FolderIngestEvents> } {
  const i = new FolderIngest({ pollIntervalMs: 100, endGraceMs: 0, ...options });
  running.push(i);
  const rec = record<FolderIngestEvents>(i, EVENTS);
  i.start();
  return { ingest: i, rec };
}

const sha = (data: Uint8Array): string => createHash('sha256').update(data).digest('hex');
const media = (rec: Recorded<FolderIngestEvents>, rendition = 0) =>
  rec.of('segment').filter((s) => s.kind === 'media' && s.rendition === rendition);

async function snapshot(dir: string): Promise<string[]> {
  const names = (await readdir(dir, { recursive: true })).sort();
  return Promise.all(names.map(async (n) => `${n}:${(await stat(join(dir, n))).mtimeMs}`));
}

describe('FolderIngest', () => {
  it('replays a VOD folder as live: every segment once, in order, byte-identical, paced, then ended', async () => {
    const before = await snapshot(vod);
    const { ingest: i, rec } = ingest({ folder: vod, vodSpeed: 4 });
    await rec.until(() => rec.of('ended').length > 0, 30_000, 'ended');

    const segments = media(rec);
    expect(segments.map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    for (const s of segments) {
      const onDisk = await readFile(join(vod, `seg${String(s.seq).padStart(5, '0')}.ts`));
      expect(s.data.equals(onDisk)).toBe(true);
      expect(s.sha256.toString('hex')).toBe(sha(onDisk));
      expect(s).toMatchObject({ durationUs: 2_000_000, initSeq: null, discontinuity: false });
    }
    // renditions come first; 4 segments of 2 s at 4x speed take 1.5 s: never less (the
    // pacing), and on a loaded machine a little more. Real time (1x) would take 6 s.
    expect(rec.log[0]?.event).toBe('renditions');
    expect(i.renditions[0]!.bandwidth).toBeGreaterThan(0);
    const at = rec.log.filter((l) => l.event === 'segment').map((l) => l.at);
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(1400);
    expect(at[3]! - at[0]!).toBeLessThan(6000);
    expect(rec.log[rec.log.length - 1]?.event).toBe('ended');
    expect(rec.of('error')).toEqual([]);
    expect(await snapshot(vod)).toEqual(before); // never writes into the broadcaster's folder
  });

  it('emits the fMP4 init segment first and media that reference it', async () => {
    const { rec } = ingest({ folder: join(fmp4, 'stream.m3u8'), vodSpeed: Infinity });
    await rec.until(() => rec.of('ended').length > 0, 20_000, 'ended');
    const all = rec.of('segment');
    expect(all.map((s) => `${s.kind}:${s.seq}:${s.initSeq}`)).toEqual([
      'init:0:null',
      'media:0:0',
      'media:1:0',
    ]);
    expect(all[0]!.data.equals(await readFile(join(fmp4, 'init.mp4')))).toBe(true);
    expect(all[1]!.data.equals(await readFile(join(fmp4, 'seg00000.m4s')))).toBe(true);
  });

  it('loops a VOD folder when asked: the numbering goes on, each replay starts with a discontinuity, no end', async () => {
    const { rec } = ingest({ folder: join(fmp4, 'stream.m3u8'), vodSpeed: 20, loopVod: true });
    await rec.until(() => media(rec).length >= 5, 20_000, 'five media segments');
    const all = rec.of('segment').slice(0, 6);
    expect(all.map((s) => `${s.kind}:${s.seq}:${s.discontinuity}`)).toEqual([
      'init:0:false',
      'media:0:false',
      'media:1:false',
      'media:2:true',
      'media:3:false',
      'media:4:true',
    ]);
    // The same bytes again, under new seqs; the init is not sent again (same bytes).
    expect(all[3]!.data.equals(all[1]!.data)).toBe(true);
    expect(all.slice(1).every((s) => s.initSeq === 0)).toBe(true);
    expect(rec.of('ended')).toEqual([]);
  });

  it('carries every variant of a master playlist as a rendition', async () => {
    const { ingest: i, rec } = ingest({ folder: master, vodSpeed: Infinity });
    await rec.until(() => rec.of('ended').length > 0, 20_000, 'ended');
    expect(i.renditions.map((r) => [r.id, r.name, r.width, r.height])).toEqual([
      [0, 'hi', 320, 180],
      [1, 'lo', 160, 90],
    ]);
    expect(i.renditions.every((r) => r.bandwidth > 0 && r.codecs.startsWith('avc1'))).toBe(true);
    for (const r of [0, 1]) {
      const segments = media(rec, r);
      expect(segments.map((s) => s.seq)).toEqual([0, 1]);
      const dir = r === 0 ? 'hi' : 'lo';
      expect(segments[1]!.data.equals(await readFile(join(master, dir, 'seg00001.ts')))).toBe(true);
    }
  });

  it('follows a live rolling ffmpeg playlist and ends when ffmpeg writes ENDLIST', async () => {
    const dir = join(root, 'live');
    await mkdir(dir);
    live = startLiveHls(dir, { segmentSeconds: 1, listSize: 6 });
    await live.waitForSegments(1);
    const { rec } = ingest({ folder: dir });
    const mismatches: number[] = [];
    rec.log.length = 0;
    // compare with the file on disk at the moment the segment is emitted
    const i = running[running.length - 1]!;
    i.on('segment', (s) => {
      if (!readFileSync(s.file).equals(s.data)) mismatches.push(s.seq);
    });
    await rec.until(() => media(rec).length >= 4, 40_000, '4 live segments');
    await live.stop(true);
    await rec.until(() => rec.of('ended').length > 0, 30_000, 'ended after ENDLIST');

    const seqs = media(rec).map((s) => s.seq);
    expect(seqs).toEqual(seqs.map((_, k) => seqs[0]! + k));
    expect(mismatches).toEqual([]);
    const pdts = media(rec).map((s) => s.programDateTimeMs);
    expect(pdts.every((t, k) => t > 0 && (k === 0 || t > pdts[k - 1]!))).toBe(true);
    expect(rec.of('error')).toEqual([]);
  }, 90_000);

  it('reports a stall, keeps seqs increasing across an encoder restart, and ends on ENDLIST', async () => {
    const dir = join(root, 'hand-live');
    await mkdir(dir);
    const src = (n: number) => join(vod, `seg0000${n}.ts`);
    await copySegments(
      [
        [src(0), 'a0.ts'],
        [src(1), 'a1.ts'],
        [src(2), 'a2.ts'],
        [src(3), 'b0.ts'],
      ],
      dir,
    );
    const playlist = join(dir, 'live.m3u8');
    const seg = (uri: string) => ({ uri, durationS: 1 });
    await writeMediaPlaylist(playlist, {
      targetDurationS: 1,
      mediaSequence: 0,
      segments: [seg('a0.ts'), seg('a1.ts')],
    });
    const { rec } = ingest({ folder: dir, stallTargetDurations: 1 });
    await rec.until(() => media(rec).length === 2, 20_000, 'first 2');

    await writeMediaPlaylist(playlist, {
      targetDurationS: 1,
      mediaSequence: 1,
      segments: [seg('a1.ts'), seg('a2.ts')],
    });
    await rec.until(() => rec.of('stalled').length === 1, 20_000, 'stalled');
    // the encoder restarts its numbering from 0 with new files
    await writeMediaPlaylist(playlist, { targetDurationS: 1, mediaSequence: 0, segments: [seg('b0.ts')] });
    await rec.until(() => media(rec).length === 4, 20_000, 'segment after restart');
    expect(rec.of('resumed')).toEqual([{ rendition: 0 }]);
    await writeMediaPlaylist(playlist, {
      targetDurationS: 1,
      mediaSequence: 0,
      segments: [seg('b0.ts')],
      endlist: true,
    });
    await rec.until(() => rec.of('ended').length === 1, 20_000, 'ended');

    expect(media(rec).map((s) => [s.seq, s.discontinuity])).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);
    expect(media(rec)[3]!.data.equals(await readFile(src(3)))).toBe(true);
  });

  it('carries on when the encoder stops with ENDLIST and starts again (OBS stop/start)', async () => {
    const dir = join(root, 'obs-restart');
    await mkdir(dir);
    const src = (n: number) => join(vod, `seg0000${n}.ts`);
    await copySegments(
      [
        [src(0), 'a0.ts'],
        [src(1), 'a1.ts'],
        [src(2), 'b0.ts'],
      ],
      dir,
    );
    const playlist = join(dir, 'live.m3u8');
    const seg = (uri: string) => ({ uri, durationS: 1 });
    const write = (segments: string[], endlist: boolean) =>
      writeMediaPlaylist(playlist, { targetDurationS: 1, segments: segments.map(seg), endlist });
    await write(['a0.ts', 'a1.ts'], false);
    const { rec } = ingest({ folder: dir, endGraceMs: 3000 });
    await rec.until(() => media(rec).length === 2, 20_000, 'first run');
    await write(['a0.ts', 'a1.ts'], true); // the encoder stops
    await new Promise((r) => setTimeout(r, 500));
    await write(['b0.ts'], false); // and starts again, numbering back at 0
    await rec.until(() => media(rec).length === 3, 20_000, 'segment of the new run');
    expect(rec.of('ended')).toEqual([]);
    expect(media(rec).map((s) => [s.seq, s.discontinuity])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    // Stopped for good: ended once the grace has passed.
    const stoppedAt = Date.now();
    await write(['b0.ts'], true);
    await rec.until(() => rec.of('ended').length === 1, 30_000, 'ended');
    expect(Date.now() - stoppedAt).toBeGreaterThanOrEqual(2900);
  });

  it('takes a new encoder run that reuses the file names and numbering for a restart', async () => {
    const dir = join(root, 'same-names');
    await mkdir(dir);
    const src = (n: number) => join(vod, `seg0000${n}.ts`);
    await copySegments(
      [
        [src(0), 'x0.ts'],
        [src(1), 'x1.ts'],
      ],
      dir,
    );
    const playlist = join(dir, 'live.m3u8');
    const t0 = Date.UTC(2026, 0, 1);
    const seg = (n: number, at: number) => ({
      uri: `x${n}.ts`,
      durationS: 1,
      programDateTimeMs: at + n * 1000,
    });
    await writeMediaPlaylist(playlist, { targetDurationS: 1, segments: [seg(0, t0), seg(1, t0)] });
    const { rec } = ingest({ folder: dir });
    await rec.until(() => media(rec).length === 2, 20_000, 'first run');
    // A second run, 30 s later, writes x0.ts again as msn 0 (then x1.ts): same names, new times.
    await copySegments([[src(2), 'x0.ts']], dir);
    await writeMediaPlaylist(playlist, { targetDurationS: 1, segments: [seg(0, t0 + 30_000)] });
    await rec.until(() => media(rec).length === 3, 20_000, 'segment of the new run');
    expect(media(rec).map((s) => [s.seq, s.discontinuity])).toEqual([
      [0, false],
      [1, false],
      [2, true],
    ]);
    expect(media(rec)[2]!.data.equals(await readFile(src(2)))).toBe(true);
  });

  it('reacts to playlist changes through the watcher, without waiting for the poll', async () => {
    const dir = join(root, 'watched');
    await mkdir(dir);
    await copySegments(
      [
        [join(vod, 'seg00000.ts'), 'w0.ts'],
        [join(vod, 'seg00001.ts'), 'w1.ts'],
      ],
      dir,
    );
    const playlist = join(dir, 'live.m3u8');
    await writeMediaPlaylist(playlist, { segments: [{ uri: 'w0.ts' }] });
    const { ingest: i, rec } = ingest({ folder: dir, pollIntervalMs: 60_000 });
    await rec.until(() => media(rec).length === 1, 20_000, 'first segment');
    // A change is seen once chokidar has finished its initial scan.
    const watcher = () => (i as unknown as { watcher: { _readyEmitted: boolean } | null }).watcher;
    await waitFor(() => watcher()?._readyEmitted === true, { what: 'the watcher to be ready' });
    await writeMediaPlaylist(playlist, { segments: [{ uri: 'w0.ts' }, { uri: 'w1.ts' }] });
    // Within 30 s while the next poll is 60 s away: through the watcher, however slow the
    // machine.
    await rec.until(() => media(rec).length === 2, 30_000, 'segment through the watcher');
  });

  it('goes on without a listed file that rolled out of the live window (no hole in the numbering), and honours minSeq', async () => {
    const dir = join(root, 'rolled');
    await mkdir(dir);
    await copySegments(
      [
        [join(vod, 'seg00000.ts'), 'm0.ts'],
        [join(vod, 'seg00002.ts'), 'm2.ts'],
      ],
      dir,
    );
    const playlist = join(dir, 'live.m3u8');
    const segs = (...n: number[]) => n.map((k) => ({ uri: `m${k}.ts` }));
    await writeMediaPlaylist(playlist, { mediaSequence: 0, segments: segs(0, 1, 2) });
    const { rec } = ingest({ folder: dir, minSeq: 100 });
    await rec.until(() => rec.of('error').length === 1, 20_000, 'missing m1');
    expect(rec.of('error')[0]).toMatchObject({ code: ErrorCode.MISSING_FILE });
    expect(media(rec).map((s) => s.seq)).toEqual([100]);

    await copySegments([[join(vod, 'seg00003.ts'), 'm3.ts']], dir);
    await writeMediaPlaylist(playlist, { mediaSequence: 2, segments: segs(2, 3) });
    await rec.until(() => media(rec).length === 3, 20_000, 'segments after the hole');
    expect(media(rec).map((s) => [s.seq, s.discontinuity])).toEqual([
      [100, false],
      [101, true],
      [102, false],
    ]);
    expect(rec.of('resumed')).toEqual([{ rendition: 0 }]);
  });

  it('numbers on without a hole when segments rolled out of the playlist before it was read', async () => {
    // A broadcaster held up for longer than the encoder's list lasts (a loaded machine):
    // the encoder listed and deleted m1..m3 meanwhile.
    const dir = join(root, 'held-up');
    await mkdir(dir);
    await copySegments(
      [
        [join(vod, 'seg00000.ts'), 'm0.ts'],
        [join(vod, 'seg00002.ts'), 'm4.ts'],
        [join(vod, 'seg00003.ts'), 'm5.ts'],
      ],
      dir,
    );
    const playlist = join(dir, 'live.m3u8');
    const segs = (...n: number[]) => n.map((k) => ({ uri: `m${k}.ts` }));
    await writeMediaPlaylist(playlist, { mediaSequence: 0, segments: segs(0) });
    const { rec } = ingest({ folder: dir });
    await rec.until(() => media(rec).length === 1, 20_000, 'm0');
    await writeMediaPlaylist(playlist, { mediaSequence: 4, segments: segs(4, 5) });
    await rec.until(() => media(rec).length === 3, 20_000, 'the segments after the jump');
    expect(media(rec).map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(media(rec).map((s) => s.discontinuity)).toEqual([false, true, false]);
  });

  it('reports bad folders and playlists without crashing, and resumes once the folder is fixed', async () => {
    const dir = join(root, 'broken');
    const { rec } = ingest({ folder: dir });
    const lastError = () => rec.of('error').at(-1);
    await rec.until(() => rec.of('error').length === 1, 20_000, 'missing folder error');
    expect(lastError()).toMatchObject({ code: ErrorCode.BAD_FOLDER, fatal: false });
    expect(lastError()!.message).toMatch(/does not exist/);

    await mkdir(dir);
    await rec.until(() => rec.of('error').length === 2, 20_000, 'no playlist error');
    expect(lastError()!.message).toMatch(/no \.m3u8 playlist/);

    await writeAtomically(join(dir, 'stream.m3u8'), 'this is not a playlist\n');
    await rec.until(() => rec.of('error').length === 3, 20_000, 'garbage error');
    expect(lastError()).toMatchObject({ code: ErrorCode.BAD_PLAYLIST });
    expect(lastError()!.message).toMatch(/stream\.m3u8.*#EXTM3U/);

    await writeMediaPlaylist(join(dir, 'stream.m3u8'), {
      segments: [{ uri: 'x0.ts' }, { uri: 'x1.ts' }],
      endlist: true,
    });
    await rec.until(() => rec.of('error').length === 4, 20_000, 'missing segment error');
    expect(lastError()).toMatchObject({ code: ErrorCode.MISSING_FILE });
    expect(lastError()!.message).toMatch(/x0\.ts/);
    expect(media(rec)).toEqual([]);

    await copySegments(
      [
        [join(vod, 'seg00000.ts'), 'x0.ts'],
        [join(vod, 'seg00001.ts'), 'x1.ts'],
      ],
      dir,
    );
    await rec.until(() => rec.of('ended').length === 1, 20_000, 'ended after the fix');
    expect(media(rec).map((s) => s.seq)).toEqual([0, 1]);
    expect(rec.of('resumed').length).toBeGreaterThan(0);
  });

  it('refuses segments that links lead out of the folder, and reads links that stay inside', async () => {
    const dir = join(root, 'links');
    const outside = join(root, 'outside');
    await mkdir(dir);
    await mkdir(outside);
    const secret = Buffer.from('a private file that must never be published\n');
    await writeFile(join(outside, 'secret.ts'), secret);
    await copySegments(
      [
        [join(vod, 'seg00000.ts'), 'a0.ts'],
        [join(vod, 'seg00001.ts'), 'a1.ts'],
      ],
      dir,
    );
    await symlink(join(outside, 'secret.ts'), join(dir, 'leak.ts'));
    await symlink(outside, join(dir, 'sub')); // a linked folder leads out too
    await symlink('a0.ts', join(dir, 'again.ts')); // a link inside the folder is fine
    await writeMediaPlaylist(join(dir, 'stream.m3u8'), {
      segments: ['a0.ts', 'leak.ts', 'sub/secret.ts', 'again.ts', 'a1.ts'].map((uri) => ({ uri })),
      endlist: true,
    });
    const { rec } = ingest({ folder: dir, vodSpeed: Infinity });
    await rec.until(() => rec.of('ended').length > 0, 20_000, 'ended');

    // The refused ones leave no hole in the numbering; the next is flagged a discontinuity.
    expect(media(rec).map((s) => [s.seq, s.discontinuity])).toEqual([
      [0, false],
      [1, true],
      [2, false],
    ]);
    expect(media(rec)[1]!.data.equals(await readFile(join(dir, 'a0.ts')))).toBe(true);
    expect(rec.of('segment').some((s) => s.data.includes(secret))).toBe(false);
    const errors = rec.of('error');
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.BAD_FOLDER, ErrorCode.BAD_FOLDER]);
    expect(errors[0]!.message).toMatch(/leak\.ts is a link to .*secret\.ts, outside the broadcast folder/);
    expect(errors[1]!.message).toMatch(/sub\/secret\.ts is a link to .*outside the broadcast folder/);
  });

  it('refuses a playlist that is a link out of the folder, and follows a folder reached through a link', async () => {
    const dir = join(root, 'linked-playlist');
    await mkdir(dir);
    await symlink(join(vod, 'stream.m3u8'), join(dir, 'stream.m3u8'));
    const { rec } = ingest({ folder: dir });
    await rec.until(() => rec.of('error').length === 1, 20_000, 'an error');
    expect(rec.of('error')[0]).toMatchObject({ code: ErrorCode.BAD_FOLDER });
    expect(rec.of('error')[0]!.message).toMatch(/stream\.m3u8 is a link to .*outside the broadcast folder/);
    expect(rec.of('segment')).toEqual([]);

    const viaLink = join(root, 'vod-link');
    await symlink(vod, viaLink);
    const { rec: linked } = ingest({ folder: viaLink, vodSpeed: Infinity });
    await linked.until(() => linked.of('ended').length > 0, 20_000, 'ended');
    expect(media(linked).map((s) => s.seq)).toEqual([0, 1, 2, 3]);
    expect(linked.of('error')).toEqual([]);
  });

  it('says at once that a segment is too large to send, skips it and goes on', async () => {
    const dir = join(root, 'too-large');
    await mkdir(dir);
    await copySegments(
      [
        [join(vod, 'seg00000.ts'), 'a0.ts'],
        [join(vod, 'seg00001.ts'), 'a1.ts'],
        [join(vod, 'seg00002.ts'), 'a2.ts'],
      ],
      dir,
    );
    await writeFile(join(dir, 'huge.ts'), '');
    await truncate(join(dir, 'huge.ts'), MAX_SEGMENT_SIZE + 1); // sparse: no disk used
    const playlist = join(dir, 'live.m3u8');
    await writeMediaPlaylist(playlist, {
      segments: [{ uri: 'a0.ts' }, { uri: 'huge.ts' }, { uri: 'a1.ts' }],
    });
    const { rec } = ingest({ folder: dir });
    await rec.until(() => media(rec).length === 2, 20_000, 'the segments around the large one');
    // The error comes with the skip, not after a later problem happens to look again.
    await rec.until(() => rec.of('error').length === 1, 20_000, 'the too-large error');
    const error = rec.of('error')[0]!;
    expect(error.code).toBe(ErrorCode.TOO_LARGE);
    expect(error.message).toMatch(/huge\.ts is 32\.0 MiB, more than one segment may be \(32 MiB/);
    expect(error.message).toMatch(/segment 1 skipped/);
    expect(media(rec).map((s) => [s.seq, s.discontinuity])).toEqual([
      [0, false],
      [1, true],
    ]);

    await writeMediaPlaylist(playlist, {
      segments: [{ uri: 'a0.ts' }, { uri: 'huge.ts' }, { uri: 'a1.ts' }, { uri: 'a2.ts' }],
      endlist: true,
    });
    await rec.until(() => rec.of('ended').length > 0, 20_000, 'ended');
    expect(media(rec).map((s) => s.seq)).toEqual([0, 1, 2]);
    expect(rec.of('error')).toHaveLength(1); // reported once, not again on every read
  });

  it('asks the user to choose between several playlists', async () => {
    const dir = join(root, 'two');
    await mkdir(dir);
    await writeMediaPlaylist(join(dir, 'a.m3u8'), { segments: [] });
    await writeMediaPlaylist(join(dir, 'b.m3u8'), { segments: [] });
    await writeFile(join(dir, 'notes.txt'), 'x');
    const { rec } = ingest({ folder: dir });
    await rec.until(() => rec.of('error').length === 1, 20_000, 'ambiguity error');
    expect(rec.of('error')[0]!.message).toMatch(/several media playlists \(a\.m3u8, b\.m3u8\)/);
  });
});
