// Dual stack end to end on loopback (PROTOCOL §2.2, §5.14): a broadcaster on the default
// bind (every address) serves a viewer that joins over ::1 and one that joins over
// 127.0.0.1 at the same time; both get verified segments, byte-identical to the
// broadcaster's; the broadcaster sees the IPv4 viewer at its dotted address; peer exchange
// gives the IPv4-only viewer no IPv6 peer. A node bound to 0.0.0.0 stays IPv4 only.

import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src-main/engine/engine.js';
import type { StreamNode } from '../../src-main/engine/stream-node.js';
import { Capability } from '../../src-main/protocol/constants.js';
import type { EngineEvent } from '../../src-shared/contract.js';
import { hasFfmpeg, makeTempDir, makeVodHls, removeDir } from '../fixtures/ffmpeg.js';
import { hasIpv6Loopback } from '../fixtures/ipv6.js';
import { bodyBytes, collectEvents, EngineNet, waitFor } from '../fakes/engine-net.js';

const ipv6 = await hasIpv6Loopback();
const net = new EngineNet();
let folder = '';
afterAll(async () => {
  await net.destroy();
  if (folder) await removeDir(folder);
});

/** The engine's stream node (private to it: the tests look inside). */
const nodeOf = (engine: Engine): StreamNode =>
  (engine as unknown as { session: { node: StreamNode } }).session.node;

/** Addresses the node's swarm would dial (its candidates), as `host|port`. */
const candidates = (engine: Engine): string[] => [
  ...(
    nodeOf(engine).swarm.neighbourhood as unknown as { candidates: Map<string, unknown> }
  ).candidates.keys(),
];

const arrivals = (events: EngineEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'segment' && e.arrival.source !== 'ingest' ? [e.arrival.seq] : []));

describe.skipIf(!hasFfmpeg() || !ipv6)('dual stack on loopback', () => {
  it('one broadcaster serves a viewer over ::1 and one over 127.0.0.1 at once', async () => {
    folder = await makeTempDir('shoal-dual-');
    await makeVodHls(folder, { seconds: 8, segmentSeconds: 1 });
    const broadcaster = await net.engine({ transport: { bindHost: null } });
    const { address, streamId } = await broadcaster.startBroadcast({ folder, vodSpeed: 2 });
    const bNode = nodeOf(broadcaster);
    expect(bNode.endpoint.families()).toEqual([4, 6]);
    expect(bNode.endpoint.config.capabilities & Capability.IPV6).toBe(Capability.IPV6);

    // One viewer on the default bind joins at [::1], one bound to 127.0.0.1 at 127.0.0.1.
    const over6 = await net.engine({ transport: { bindHost: null }, settings: { joinDistanceSegments: 6 } });
    const over4 = await net.engine({
      transport: { bindHost: '127.0.0.1' },
      settings: { joinDistanceSegments: 6 },
    });
    const events6 = collectEvents(over6);
    const events4 = collectEvents(over4);
    const v6Address = address.replace('@127.0.0.1:', '@[::1]:');
    expect(v6Address).toContain('@[::1]:');
    await Promise.all([over6.watch(v6Address), over4.watch(address)]);

    await waitFor(
      () => arrivals(events6).length >= 3 && arrivals(events4).length >= 3,
      60_000,
      'three verified segments at each viewer',
    );
    for (const [viewer, events] of [
      [over6, events6],
      [over4, events4],
    ] as const) {
      for (const seq of arrivals(events).slice(0, 3)) {
        const got = await viewer.handleMedia(`/stream/${streamId}/0/${seq}.ts`);
        const want = await broadcaster.handleMedia(`/stream/${streamId}/0/${seq}.ts`);
        expect(got.status).toBe(200);
        expect(bodyBytes(got.body).equals(bodyBytes(want.body))).toBe(true);
      }
    }

    // The broadcaster sees one viewer at ::1 and the other at 127.0.0.1, never ::ffff:.
    const seen = broadcaster.getSnapshot().peers.map((p) => p.address);
    expect(seen.some((a) => a.startsWith('[::1]:'))).toBe(true);
    expect(seen.some((a) => a.startsWith('127.0.0.1:'))).toBe(true);
    expect(seen.join(' ')).not.toContain('ffff');
    expect(bNode.endpoint.stats().wrongAddressDropped).toBe(0);

    // Peer exchange gave the IPv4-only viewer no IPv6 peer to dial.
    expect(candidates(over4).filter((k) => k.includes(':'))).toEqual([]);
    expect(nodeOf(over4).endpoint.families()).toEqual([4]);
  }, 120_000);

  it('bound to 0.0.0.0 explicitly, a node is IPv4 only and says so in its HELLOs', async () => {
    const dir = await makeTempDir('shoal-v4only-');
    try {
      await makeVodHls(dir, { seconds: 3, segmentSeconds: 1 });
      const engine = await net.engine({ transport: { bindHost: '0.0.0.0' } });
      await engine.startBroadcast({ folder: dir });
      const node = nodeOf(engine);
      expect(node.endpoint.families()).toEqual([4]);
      expect(node.endpoint.address().host).toBe('0.0.0.0');
      expect(node.endpoint.config.capabilities & Capability.IPV6).toBe(0);
      await engine.stopBroadcast();
    } finally {
      await removeDir(dir);
    }
  }, 60_000);
});
