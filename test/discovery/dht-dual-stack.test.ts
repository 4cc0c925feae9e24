// The DHT record across IP versions (PROTOCOL §15.1, §15.4): the DHT itself is IPv4 (our own
// bittorrent-dht nodes on 127.0.0.1), the broadcaster is dual stack and its record carries
// an IPv6 endpoint (advertised ::1) beside its others. A dual-stack viewer given only
// shoal://<id> reads the record over IPv4 and dials its IPv6 endpoint too; an IPv4-only
// viewer keeps none of the record's IPv6 endpoints.

import { afterAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../src-main/engine/engine.js';
import type { BroadcastDiscovery } from '../../src-main/engine/broadcast-discovery.js';
import type { StreamNode } from '../../src-main/engine/stream-node.js';
import type { EngineEvent } from '../../src-shared/contract.js';
import { hasFfmpeg, makeTempDir, makeVodHls, removeDir } from '../fixtures/ffmpeg.js';
import { hasIpv6Loopback } from '../fixtures/ipv6.js';
import { collectEvents, EngineNet, waitFor } from '../fakes/engine-net.js';
import { DhtNet } from '../fakes/dht-net.js';

const ipv6 = await hasIpv6Loopback();
const net = new EngineNet();
let dhtNet: DhtNet | null = null;
let folder = '';
afterAll(async () => {
  await net.destroy();
  await dhtNet?.destroy();
  if (folder) await removeDir(folder);
});

type Inside = { session: { node: StreamNode; discovery: BroadcastDiscovery | null } };
const inside = (engine: Engine): Inside['session'] => (engine as unknown as Inside).session;
const candidateHosts = (engine: Engine): string[] =>
  [
    ...(
      inside(engine).node.swarm.neighbourhood as unknown as { candidates: Map<string, unknown> }
    ).candidates.keys(),
  ].map((k) => k.split('|')[0]!);
const received = (events: EngineEvent[]): number =>
  events.filter((e) => e.type === 'segment' && e.arrival.source !== 'ingest').length;

describe.skipIf(!hasFfmpeg() || !ipv6)('the DHT record of a dual-stack broadcaster', () => {
  it('carries its IPv6 endpoint to viewers that have IPv6, and to no others', async () => {
    dhtNet = await DhtNet.start(3);
    const dht = {
      settings: { dhtEnabled: true, dhtBootstrap: dhtNet.bootstrap },
      dht: { bindHost: '127.0.0.1' },
    };
    folder = await makeTempDir('shoal-dht-dual-');
    await makeVodHls(folder, { seconds: 10, segmentSeconds: 1 });
    const broadcaster = await net.engine({ ...dht, advertiseHost: '::1', transport: { bindHost: null } });
    await broadcaster.startBroadcast({ folder });
    await waitFor(() => broadcaster.getSnapshot().shortAddress != null, 60_000, 'the record on the DHT');
    const short = broadcaster.getSnapshot().shortAddress!;
    const record = inside(broadcaster).discovery!.lastPublished!.endpoints;
    expect(record[0]!.host).toBe('::1');

    const dual = await net.engine({ ...dht, transport: { bindHost: null } });
    const dualEvents = collectEvents(dual);
    await dual.watch(short);
    await waitFor(() => received(dualEvents) >= 2, 60_000, 'the dual-stack viewer to receive segments');
    expect(candidateHosts(dual)).toContain('::1');

    const v4only = await net.engine({ ...dht, transport: { bindHost: '127.0.0.1' } });
    await v4only.watch(short);
    await waitFor(
      () => v4only.getSnapshot().dht?.record === 'found',
      60_000,
      'the IPv4-only viewer to read the record',
    );
    expect(candidateHosts(v4only).filter((h) => h.includes(':'))).toEqual([]);
  }, 120_000);
});
