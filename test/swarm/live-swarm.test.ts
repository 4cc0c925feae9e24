// One broadcaster fed by ffmpeg writing a live rolling HLS folder, and 11 viewers (6 in
// this process, 5 in their own processes through the CLI) on 127.0.0.1. Checks that every
// surviving viewer holds a gap-free run up to the live edge, byte-identical to the
// broadcaster's segments, that the broadcaster (3 direct peers) uploads far less than one
// copy per viewer, and that killing 3 viewers mid-stream costs the others nothing.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src-main/engine/engine.js';
import type { EngineEvent } from '../../src-shared/contract.js';
import {
  hasFfmpeg,
  makeTempDir,
  removeDir,
  runFfmpeg,
  startLiveHls,
  type LiveHls,
} from '../fixtures/ffmpeg.js';
import { bodyBytes, collectEvents, EngineNet, playlistSeqs, waitFor } from '../fakes/engine-net.js';

const IN_PROCESS_VIEWERS = 6;
const CLI_VIEWERS = 5;
const KILLED = 3;

const net = new EngineNet();
let live: LiveHls | null = null;
let folder = '';

afterAll(async () => {
  await live?.stop(false);
  await net.destroy();
  if (folder) await removeDir(folder);
});

const segmentSeqs = (events: EngineEvent[], sources: string[]): number[] =>
  events.flatMap((e) => (e.type === 'segment' && sources.includes(e.arrival.source) ? [e.arrival.seq] : []));

async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

describe.skipIf(!hasFfmpeg())('a live swarm of 11 viewers', () => {
  it('delivers every segment, byte-identical, while the broadcaster uploads a few copies', async () => {
    folder = await makeTempDir('shoal-live-');
    live = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
    await live.waitForSegments(2, 20_000);

    const broadcaster = await net.engine({ swarm: { broadcasterMaxPeers: 3 } });
    const bEvents = collectEvents(broadcaster);
    const { address, streamId } = await broadcaster.startBroadcast({ folder });
    await waitFor(() => segmentSeqs(bEvents, ['ingest']).length > 0, 10_000, 'first ingested segment');

    const viewers: { engine: Engine; events: EngineEvent[]; joinedAt: number }[] = [];
    for (let i = 0; i < IN_PROCESS_VIEWERS; i++) {
      const engine = await net.engine({ settings: { gatewayEnabled: i === 0, maxPeers: 6 } });
      const events = collectEvents(engine);
      const joinedAt = Date.now();
      await engine.watch(address);
      viewers.push({ engine, events, joinedAt });
    }
    const cli = await Promise.all(
      Array.from({ length: CLI_VIEWERS }, () => net.cliViewer(address, ['--max-peers', '6'])),
    );

    await waitFor(
      () => viewers.every((v) => v.engine.getSnapshot().state === 'playing'),
      20_000,
      'all viewers playing',
    );
    await new Promise((r) => setTimeout(r, 5000));

    // Abruptly kill three viewers (no GOODBYE): the others must not miss a segment.
    for (const { child } of cli.slice(0, KILLED)) child.kill('SIGKILL');
    const killedAtSeq = Math.max(...segmentSeqs(bEvents, ['ingest']));
    await new Promise((r) => setTimeout(r, 9000));

    const edge = Math.max(...segmentSeqs(bEvents, ['ingest']));
    const bytesOf = async (engine: Engine, seq: number) =>
      bodyBytes((await engine.handleMedia(`/stream/${streamId}/0/${seq}.ts`)).body);

    // The broadcaster's bytes are the files ffmpeg wrote: check those still on disk.
    const diskPlaylist = await readFile(join(folder, 'stream.m3u8'), 'utf8');
    const base = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(diskPlaylist)?.[1]);
    const files = diskPlaylist.split('\n').filter((l) => l.endsWith('.ts'));
    let checkedOnDisk = 0;
    for (const [i, name] of files.entries()) {
      const held = await broadcaster.handleMedia(`/stream/${streamId}/0/${base + i}.ts`);
      if (held.status !== 200) continue;
      expect(bodyBytes(held.body).equals(await readFile(join(folder, name)))).toBe(true);
      checkedOnDisk++;
    }
    expect(checkedOnDisk).toBeGreaterThan(2);

    const report = { joinToFirstSegmentMs: [] as number[], behindLiveSec: [] as number[], viewerUploaded: 0 };
    for (const v of viewers) {
      const seqs = [...new Set(segmentSeqs(v.events, ['broadcaster', 'peer']))].sort((a, b) => a - b);
      const first = seqs[0]!;
      const last = seqs.at(-1)!;
      // A gap-free run from the join point to (nearly) the live edge, across the kills.
      expect(seqs).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
      expect(first).toBeLessThan(killedAtSeq);
      expect(last).toBeGreaterThanOrEqual(edge - 1);
      const snap = v.engine.getSnapshot();
      expect(snap.segments.failed).toBe(0);
      const playlist = String((await v.engine.handleMedia(`/stream/${streamId}/0/live.m3u8`)).body);
      const held = playlistSeqs(playlist);
      expect(held.length).toBeGreaterThan(5);
      for (const seq of held)
        expect((await bytesOf(v.engine, seq)).equals(await bytesOf(broadcaster, seq))).toBe(true);
      const firstArrival = v.events.find((e) => e.type === 'segment');
      if (firstArrival?.type === 'segment')
        report.joinToFirstSegmentMs.push(firstArrival.arrival.at - v.joinedAt);
      report.behindLiveSec.push(snap.behindLiveSec ?? NaN);
      report.viewerUploaded += snap.totals.uploaded;
    }

    // Surviving CLI viewers, checked through their own HTTP gateways.
    for (const { gatewayUrl } of cli.slice(KILLED)) {
      const mediaUrl = gatewayUrl.replace('master.m3u8', '0/live.m3u8');
      const held = playlistSeqs((await fetchBytes(mediaUrl)).toString());
      expect(held.length).toBeGreaterThan(5);
      expect(held.at(-1)!).toBeGreaterThanOrEqual(edge - 2);
      for (const seq of held) {
        const got = await fetchBytes(mediaUrl.replace('live.m3u8', `${seq}.ts`));
        expect(got.equals(await bytesOf(broadcaster, seq))).toBe(true);
      }
    }

    // A player reading a viewer's gateway decodes the stream without errors.
    const gateway = viewers[0]!.engine.getSnapshot().gatewayUrl!;
    const decoded = await runFfmpeg(['-v', 'error', '-i', gateway, '-t', '3', '-f', 'null', '-'], 30_000);
    expect(decoded.stderr.trim()).toBe('');
    expect(decoded.code).toBe(0);

    const b = broadcaster.getSnapshot();
    const ingestedBytes = bEvents.reduce(
      (n, e) => n + (e.type === 'segment' && e.arrival.source === 'ingest' ? e.arrival.bytes : 0),
      0,
    );
    const copies = b.totals.uploaded / ingestedBytes;
    const summary = {
      viewers: IN_PROCESS_VIEWERS + CLI_VIEWERS,
      killed: KILLED,
      broadcasterUploadedBytes: b.totals.uploaded,
      streamBytes: ingestedBytes,
      broadcasterCopies: Number(copies.toFixed(2)),
      inProcessViewersUploadedBytes: report.viewerUploaded,
      joinToFirstSegmentMs: report.joinToFirstSegmentMs,
      behindLiveSec: report.behindLiveSec,
    };
    console.log(`live-swarm report ${JSON.stringify(summary)}`);
    // Eleven viewers, three direct peers: the rest must come from viewers.
    expect(copies).toBeLessThan(4);
    expect(report.viewerUploaded).toBeGreaterThan(0);
  }, 120_000);
});
