// EXT-X-PROGRAM-DATE-TIME from a live ffmpeg, through ingest, the swarm and a viewer's
// gateway: what a player measures glass-to-glass latency against (bench:latency). A source
// without it is stamped at ingest. The gateway's playlist offers blocking reload.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { hasFfmpeg, makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { EngineNet, waitFor } from '../fakes/engine-net.js';

const net = new EngineNet();
const dirs: string[] = [];
let live: LiveHls | null = null;
afterEach(async () => {
  await live?.stop(false);
  live = null;
});
afterAll(async () => {
  await net.destroy();
  for (const d of dirs) await removeDir(d);
});

/** seq → program date-time (ms) of each segment a media playlist lists. */
function datesOf(playlist: string): Map<number, number> {
  const dates = new Map<number, number>();
  let seq = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)?.[1] ?? 0);
  let pdt = 0;
  for (const line of playlist.split('\n')) {
    if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) pdt = Date.parse(line.slice(25));
    else if (line !== '' && !line.startsWith('#')) {
      dates.set(seq++, pdt);
      pdt = 0;
    }
  }
  return dates;
}

async function broadcastAndWatch(programDateTime: boolean) {
  const folder = await makeTempDir('shoal-pdt-');
  dirs.push(folder);
  live = startLiveHls(folder, { segmentSeconds: 1, listSize: 10, programDateTime });
  await live.waitForSegments(2, 30_000);
  const broadcaster = await net.engine();
  const { address } = await broadcaster.startBroadcast({ folder });
  const viewer = await net.engine({ settings: { gatewayEnabled: true } });
  await viewer.watch(address);
  const master = viewer.getSnapshot().gatewayUrl!;
  const mediaUrl = master.replace(/master\.m3u8$/, '0/live.m3u8');
  const served = async () => (await fetch(mediaUrl)).text();
  await waitFor(async () => datesOf(await served()).size >= 3, 45_000, 'three segments at the gateway');
  return { folder, served, mediaUrl, viewer };
}

describe.skipIf(!hasFfmpeg())('program date-time through the swarm', () => {
  it("keeps the encoder's EXT-X-PROGRAM-DATE-TIME of every segment, to the millisecond", async () => {
    const { folder, served } = await broadcastAndWatch(true);
    const atGateway = datesOf(await served());
    const atSource = datesOf(await readFile(join(folder, 'stream.m3u8'), 'utf8'));
    // A fresh broadcast numbers segments as the encoder does (PROTOCOL §6.1).
    const both = [...atGateway.keys()].filter((seq) => atSource.has(seq));
    expect(both.length).toBeGreaterThanOrEqual(2);
    for (const seq of both) expect(atGateway.get(seq)).toBe(atSource.get(seq));
  }, 120_000);

  it('stamps segments at ingest when the encoder writes no date, going forward', async () => {
    const { folder, served } = await broadcastAndWatch(false);
    expect(await readFile(join(folder, 'stream.m3u8'), 'utf8')).not.toContain('PROGRAM-DATE-TIME');
    const dates = [...datesOf(await served()).values()];
    expect(dates.every((d) => d > 0)).toBe(true);
    expect(dates.every((d, i) => i === 0 || d > dates[i - 1]!)).toBe(true);
    // The wall clock of this run, not some other epoch (an hour either way is no timing test).
    expect(Math.abs(dates.at(-1)! - Date.now())).toBeLessThan(3_600_000);
  }, 120_000);

  it('offers blocking reload and answers a request for the next segment with it', async () => {
    const { served, mediaUrl, viewer } = await broadcastAndWatch(true);
    const text = await served();
    expect(text).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES');
    const newest = Math.max(...datesOf(text).keys());
    // A player that fetched a segment is where the CLI's status line says it is.
    expect((await fetch(mediaUrl.replace(/live\.m3u8$/, `${newest}.ts`))).status).toBe(200);
    const position = viewer.getSnapshot().gatewayPlayer;
    expect(position?.seq).toBe(newest);
    expect(position?.behindLiveSec).toBeGreaterThanOrEqual(0);
    const next = newest + 1;
    // Held until it is in (held-media.test.ts shows the holding; a busy machine may need a retry).
    const blocking = async () =>
      datesOf(await (await fetch(`${mediaUrl}?_HLS_msn=${next}`)).text()).has(next);
    await waitFor(blocking, 45_000, `segment ${next} through a blocking reload`);
  }, 120_000);
});
