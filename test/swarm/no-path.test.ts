// Issue 16, first rule: no viewer is ever left without a path (PROTOCOL §13.5). On real
// sockets: a broadcaster with one slot, a viewer in it, and a second viewer that is refused
// FULL and cannot reach the first (a firewall drops every datagram between them, both
// ways). The second viewer says so, asks again with NO_PATH, gets a rescue slot, and plays
// every segment from its join on, byte-identical. And the rescue slots are bounded: a
// broadcaster with --max-peers 8 admits 8, then only NO_PATH HELLOs, one per IP, two in all.

import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { mergeEngineConfig } from '../../src-main/engine/engine-config.js';
import { StreamNode } from '../../src-main/engine/stream-node.js';
import { Capability } from '../../src-main/protocol/constants.js';
import { streamKeysFromSeed } from '../../src-main/protocol/signing.js';
import { SegmentStore } from '../../src-main/store/segment-store.js';
import { RESCUE_SLOTS } from '../../src-main/swarm/swarm.js';
import { Endpoint, type PeerSession } from '../../src-main/transport/index.js';
import { hasFfmpeg, makeTempDir, makeVodHls, removeDir } from '../fixtures/ffmpeg.js';
import { BlockingSocket } from '../fakes/blocking-socket.js';
import { bodyBytes, collectEvents, EngineNet, waitFor } from '../fakes/engine-net.js';

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

const net = new EngineNet();
cleanup.push(() => net.destroy());

describe.skipIf(!hasFfmpeg())('a viewer refused FULL that can reach none of the listed peers', () => {
  it('is served by the broadcaster in a rescue slot and plays every segment, byte-identical', async () => {
    const folder = await makeTempDir('shoal-nopath-');
    cleanup.push(() => removeDir(folder));
    await makeVodHls(folder, { seconds: 60, segmentSeconds: 1 });
    const broadcaster = await net.engine({ swarm: { broadcasterMaxPeers: 1 } });
    const { streamId } = await broadcaster.startBroadcast({ folder, vodSpeed: 1 });
    const address = broadcaster.getSnapshot().address!;

    const first = await net.engine();
    await first.watch(address);
    await waitFor(() => first.getSnapshot().state === 'playing', 30_000, 'the first viewer playing');
    const firstPort = Number(/:(\d+)$/.exec(first.getSnapshot().peers[0]?.address ?? '')?.[1]);
    // The first viewer's own UDP port, as the broadcaster lists it in its REJECT FULL.
    const broadcasterPeers = broadcaster.getSnapshot().peers;
    expect(broadcasterPeers).toHaveLength(1);
    const firstOwnPort = Number(/:(\d+)$/.exec(broadcasterPeers[0]!.address)?.[1]);
    expect(firstOwnPort).toBeGreaterThan(0);
    expect(firstPort).toBeGreaterThan(0);

    // The second viewer and the first cannot reach each other (as behind symmetric NATs).
    let firewall: BlockingSocket | null = null;
    const second = await net.engine({
      notFoundAfterMs: 2000,
      transport: {
        wrapSocket: (socket) => {
          firewall = new BlockingSocket(socket);
          firewall.blocked.add(firstOwnPort);
          return firewall;
        },
      },
    });
    const events = collectEvents(second);
    const paths = new Set<string>();
    const off = second.onSnapshot((s) => {
      if (s.path) paths.add(s.path);
    });
    cleanup.push(async () => off());
    await second.watch(address);
    await waitFor(() => second.getSnapshot().segments.received >= 8, 90_000, 'segments at the second viewer');
    await waitFor(() => second.getSnapshot().state === 'playing', 30_000, 'the second viewer playing');

    // It was refused (FULL), could not reach the listed peer, and said what was happening.
    expect(firewall!.dropped).toBeGreaterThan(0);
    expect(events.some((e) => e.type === 'error' && e.error.codeName === 'FULL')).toBe(true);
    expect(events.some((e) => e.type === 'state' && e.state === 'not-found')).toBe(false);
    expect(events.some((e) => e.type === 'error' && /firewall|NAT/.test(e.error.message))).toBe(false);
    expect([...paths]).toContain('No reachable peer — served by the broadcaster');
    // Everything came from the broadcaster: its only link is the broadcaster's rescue slot.
    const snap = second.getSnapshot();
    expect(snap.totals.fromPeers).toBe(0);
    expect(snap.peers.map((p) => p.role)).toEqual(['broadcaster']);
    expect(broadcaster.getSnapshot().peers).toHaveLength(2);

    // Every segment from its join on, in order, none failed, the broadcaster's bytes.
    const seqs = events.flatMap((e) => (e.type === 'segment' ? [e.arrival.seq] : []));
    const sorted = [...new Set(seqs)].sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: sorted.length }, (_, i) => sorted[0]! + i));
    expect(snap.segments.failed).toBe(0);
    let compared = 0;
    for (const seq of sorted) {
      const path = `/stream/${streamId}/0/${seq}.ts`;
      const original = await broadcaster.handleMedia(path);
      const copy = await second.handleMedia(path);
      if (original.status !== 200 || copy.status !== 200) continue; // left the live window
      expect(bodyBytes(copy.body).equals(bodyBytes(original.body))).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(4);
  }, 180_000);
});

describe('rescue slots are bounded (PROTOCOL §13.5)', () => {
  const keys = streamKeysFromSeed(Buffer.alloc(32, 7));

  async function endpoint(host: string): Promise<Endpoint> {
    const e = new Endpoint({
      host,
      port: 0,
      capabilities: 0,
      acceptStream: () => ({ accept: false, code: ErrorCode.STREAM_NOT_FOUND, message: 'not here' }),
    });
    await e.start();
    cleanup.push(() => e.destroy());
    return e;
  }

  it('--max-peers 8 admits 8; then only NO_PATH HELLOs, one per IP, RESCUE_SLOTS in all', async () => {
    const node = await StreamNode.open({
      role: 'broadcaster',
      streamId: keys.streamId,
      bootstrap: [],
      store: new SegmentStore(),
      config: mergeEngineConfig({
        dataDir: '/nonexistent',
        transport: { bindHost: '127.0.0.1' },
        // What `shoal broadcast --max-peers 8` sets (src-main/cli/main.ts): the Settings' limit,
        // which the broadcaster follows as a viewer does.
        settings: { maxPeers: 8 },
      }),
      now: () => performance.now(),
    });
    node.swarm.start();
    cleanup.push(() => node.destroy());
    const target = { host: '127.0.0.1', port: node.port };
    const dial = async (host: string, noPath: boolean): Promise<PeerSession | ShoalError> =>
      (await endpoint(host))
        .connect(target, keys.streamId, noPath ? { extraCapabilities: Capability.NO_PATH } : {})
        .catch((e: ShoalError) => e);

    const held: PeerSession[] = [];
    for (let i = 0; i < 8; i++) {
      const s = await dial('127.0.0.1', false);
      expect(s, `viewer ${i + 1}`).not.toHaveProperty('code');
      held.push(s as PeerSession);
    }
    await waitFor(() => node.swarm.neighbourhood.size === 8, 20_000, '8 neighbours');
    const ninth = await dial('127.0.0.1', false);
    expect((ninth as ShoalError).code).toBe(ErrorCode.FULL);

    // A NO_PATH HELLO gets a rescue slot; a second one from the same IP does not.
    const rescued = await dial('127.0.0.2', true);
    expect(rescued).not.toHaveProperty('code');
    await waitFor(() => node.swarm.neighbourhood.size === 9, 20_000, 'the rescued neighbour');
    expect(((await dial('127.0.0.2', true)) as ShoalError).code).toBe(ErrorCode.FULL);
    for (let i = 1; i < RESCUE_SLOTS; i++)
      expect(await dial(`127.0.0.${3 + i}`, true)).not.toHaveProperty('code');
    // All rescue slots taken: the next NO_PATH claim, from yet another IP, is refused FULL.
    const over = (await dial('127.0.0.20', true)) as ShoalError;
    expect(over.code).toBe(ErrorCode.FULL);
    expect(over.message).toMatch(/no free rescue slot/);
    expect(node.swarm.neighbourhood.rescueCount).toBe(RESCUE_SLOTS);
  }, 60_000);
});
