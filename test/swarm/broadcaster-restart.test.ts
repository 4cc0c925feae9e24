// Restarts that viewers survive, on real processes: a `shoal broadcast --name` process fed by
// a live ffmpeg is killed with SIGKILL and started again 10 s later with the same name, data
// folder and port; later the encoder itself is killed and restarted into the same folder
// (its numbering back at 0). Viewers (two engines in this process, one `shoal watch`
// process) must go "broadcaster offline" and back to playing by themselves, hold every
// segment without a gap, byte-identical, and never ban the broadcaster.
// Correctness only: the timings are measured by `npm run bench:restart`.

import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src-main/engine/engine.js';
import type { EngineEvent } from '../../src-shared/contract.js';
import { hasFfmpeg, makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { bodyBytes, collectEvents, EngineNet, playlistSeqs, waitFor } from '../fakes/engine-net.js';
import { freeUdpPort, shoalProcess, type ShoalProcess } from '../fixtures/shoal-process.js';

const net = new EngineNet();
const processes: ShoalProcess[] = [];
let live: LiveHls | null = null;
let folder = '';

afterAll(async () => {
  for (const p of processes) p.kill('SIGKILL');
  await live?.stop(false);
  await net.destroy();
  if (folder) await removeDir(folder);
});

const seqsOf = (events: EngineEvent[]): number[] =>
  [
    ...new Set(
      events.flatMap((e) => (e.type === 'segment' && e.arrival.source !== 'ingest' ? [e.arrival.seq] : [])),
    ),
  ].sort((a, b) => a - b);
const statesOf = (events: EngineEvent[]): string[] =>
  events.flatMap((e) => (e.type === 'state' ? [e.state] : []));

describe.skipIf(!hasFfmpeg())('restarts that viewers survive', () => {
  it('viewers carry on by themselves across a broadcaster SIGKILL and an encoder restart', async () => {
    folder = await makeTempDir('shoal-restart-live-');
    const dataDir = await mkdtemp(join(tmpdir(), 'shoal-restart-data-'));
    live = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
    await live.waitForSegments(2, 30_000);
    const port = await freeUdpPort();
    const broadcastArgs = [
      'broadcast',
      folder,
      '--name',
      'show',
      '--port',
      String(port),
      '--data-dir',
      dataDir,
    ];

    const first = shoalProcess(broadcastArgs);
    processes.push(first);
    const address = await first.firstLine(30_000);

    const viewers: { engine: Engine; events: EngineEvent[] }[] = [];
    for (let i = 0; i < 2; i++) {
      const engine = await net.engine({ settings: { gatewayEnabled: false } });
      viewers.push({ engine, events: collectEvents(engine) });
      await engine.watch(address);
    }
    const cli = shoalProcess(['watch', address, '--http', '0', '--data-dir', dataDir + '-viewer']);
    processes.push(cli);
    const gateway = await cli.firstLine(30_000);
    const streamId = viewers[0]!.engine.getSnapshot().streamId!;

    const allHold = (n: number) => viewers.every((v) => seqsOf(v.events).length >= n);
    await waitFor(() => allHold(4), 60_000, 'viewers holding 4 segments');
    // The CLI viewer goes "offline" only once it has played (before that, connecting and
    // not-found say more): on a loaded machine it may start playing after the others.
    await waitFor(() => /^playing /m.test(cli.output()), 60_000, 'the CLI viewer to play');

    // 1. The broadcaster dies without a word, and comes back 10 s later with the same name.
    first.kill('SIGKILL');
    await waitFor(
      () => viewers.every((v) => v.engine.getSnapshot().state === 'broadcaster-offline'),
      60_000,
      'viewers to say the broadcaster is offline',
    );
    await waitFor(() => cli.output().includes('broadcaster offline — waiting'), 30_000, 'the CLI to say so');
    const edgeAtKill = Math.max(...viewers.flatMap((v) => seqsOf(v.events)));
    await new Promise((r) => setTimeout(r, 10_000));
    const second = shoalProcess(broadcastArgs);
    processes.push(second);
    expect(await second.firstLine(30_000)).toBe(address);
    const beyond = (seq: number) => viewers.every((v) => Math.max(...seqsOf(v.events)) > seq);
    await waitFor(() => beyond(edgeAtKill + 2), 90_000, 'viewers past the restart');
    await waitFor(
      () => viewers.every((v) => v.engine.getSnapshot().state === 'playing'),
      30_000,
      'viewers playing again',
    );

    // 2. The encoder is killed and started again into the same folder: its numbering is back at 0.
    await live.stop(false);
    const edgeAtEncoderKill = Math.max(...viewers.flatMap((v) => seqsOf(v.events)));
    live = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
    await waitFor(() => beyond(edgeAtEncoderKill + 3), 90_000, 'viewers past the encoder restart');
    await waitFor(
      () => viewers.every((v) => v.engine.getSnapshot().state === 'playing'),
      30_000,
      'viewers playing after the encoder restart',
    );

    console.log(
      `broadcaster-restart ${JSON.stringify({
        edgeAtKill,
        edgeAtEncoderKill,
        viewers: viewers.map((v) => ({
          seqs: seqsOf(v.events).join(','),
          states: statesOf(v.events).join('>'),
        })),
      })}`,
    );
    for (const v of viewers) {
      const seqs = seqsOf(v.events);
      // Every segment from the join on, across both restarts: nothing lost, nothing skipped.
      expect(seqs).toEqual(Array.from({ length: seqs.at(-1)! - seqs[0]! + 1 }, (_, i) => seqs[0]! + i));
      expect(seqs[0]!).toBeLessThan(edgeAtKill);
      const states = statesOf(v.events);
      const offline = states.indexOf('broadcaster-offline');
      expect(offline).toBeGreaterThan(-1);
      expect(states.slice(offline)).toContain('playing');
      // Never banned, never a segment that failed verification.
      expect(v.events.filter((e) => e.type === 'peer-left' && /banned/i.test(e.reason))).toEqual([]);
      expect(v.events.filter((e) => e.type === 'segment-failed')).toEqual([]);
      expect(v.engine.getSnapshot().segments.failed).toBe(0);
    }
    // The same bytes everywhere, the CLI viewer's gateway included.
    const [a, b] = viewers.map((v) => v.engine);
    const mediaUrl = gateway.replace('master.m3u8', '0/live.m3u8');
    const cliHeld = playlistSeqs(await (await fetch(mediaUrl)).text());
    expect(cliHeld.length).toBeGreaterThan(3);
    expect(cliHeld).toEqual(Array.from({ length: cliHeld.length }, (_, i) => cliHeld[0]! + i));
    expect(cliHeld.at(-1)!).toBeGreaterThan(edgeAtEncoderKill);
    for (const seq of cliHeld) {
      const path = `/stream/${streamId}/0/${seq}.ts`;
      const fromA = await a!.handleMedia(path);
      if (fromA.status !== 200) continue; // evicted from the in-process window
      expect(bodyBytes((await b!.handleMedia(path)).body).equals(bodyBytes(fromA.body))).toBe(true);
      const fromCli = Buffer.from(
        await (await fetch(mediaUrl.replace('live.m3u8', `${seq}.ts`))).arrayBuffer(),
      );
      expect(fromCli.equals(bodyBytes(fromA.body))).toBe(true);
    }
    const cliLog = cli.output();
    expect(cliLog.lastIndexOf('playing |')).toBeGreaterThan(cliLog.indexOf('broadcaster offline — waiting'));
    expect(cliLog).not.toMatch(/banned|HASH_MISMATCH|hash mismatch/i);
  }, 300_000);
});
