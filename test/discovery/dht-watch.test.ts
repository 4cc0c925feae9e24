// Discovery on the DHT end to end (PROTOCOL §15), real sockets on 127.0.0.1: a few
// bittorrent-dht nodes of our own as bootstrap, a broadcaster fed by a live ffmpeg that
// publishes its record, a viewer given only shoal://<id> that resolves it and plays, a
// second viewer that finds the first through get_peers, and the broadcaster restarted on
// another port with the same key: the first viewer finds it again through the DHT.
// Correctness only: how fast is measured by `npm run lab:nat -- --scenario dht`.

import { afterAll, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src-shared/contract.js';
import { parseStreamAddress, streamIdFromPublicKey } from '../../src-shared/stream-address.js';
import { generateStreamKeys } from '../../src-main/protocol/signing.js';
import { hasFfmpeg, makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { freeUdpPort } from '../fixtures/shoal-process.js';
import { collectEvents, EngineNet, waitFor } from '../fakes/engine-net.js';
import { DhtNet } from '../fakes/dht-net.js';

const net = new EngineNet();
let dhtNet: DhtNet | null = null;
let live: LiveHls | null = null;
let folder = '';

afterAll(async () => {
  await live?.stop(false);
  await net.destroy();
  await dhtNet?.destroy();
  if (folder) await removeDir(folder);
});

const receivedSeqs = (events: EngineEvent[]): number[] =>
  events.flatMap((e) => (e.type === 'segment' && e.arrival.source !== 'ingest' ? [e.arrival.seq] : []));

describe('shoal://<id> through the DHT', () => {
  it('says clearly that a short address needs the DHT when it is off', async () => {
    const viewer = await net.engine();
    const id = 'a'.repeat(51) + 'q';
    await expect(viewer.watch(`shoal://${id}`)).rejects.toThrow(/looked up on the DHT, which is turned off/);
  });

  it.skipIf(!hasFfmpeg())(
    'a viewer resolves and plays, another finds it by get_peers, and both follow the broadcaster to a new port',
    async () => {
      dhtNet ??= await DhtNet.start(3);
      const dht = {
        settings: { dhtEnabled: true, dhtBootstrap: dhtNet.bootstrap },
        dht: { bindHost: '127.0.0.1' },
      };
      folder = await makeTempDir('shoal-dht-live-');
      live = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
      await live.waitForSegments(2, 30_000);

      const firstPort = await freeUdpPort();
      const broadcaster = await net.engine({ ...dht, settings: { ...dht.settings, udpPort: firstPort } });
      const info = await broadcaster.startBroadcast({ folder });
      await waitFor(() => broadcaster.getSnapshot().shortAddress != null, 60_000, 'the record on the DHT');
      const short = broadcaster.getSnapshot().shortAddress!;
      expect(short).toBe(`shoal://${info.streamId}`);
      expect(broadcaster.getSnapshot().dht).toMatchObject({ state: 'ready', record: 'published' });

      // 1. Only the short address: resolved on the DHT, then played.
      const a = await net.engine(dht);
      const aEvents = collectEvents(a);
      await a.watch(short);
      await waitFor(() => receivedSeqs(aEvents).length >= 2, 60_000, 'viewer A to receive segments');
      expect(a.getSnapshot().dht).toMatchObject({ record: 'found' });
      expect(a.getSnapshot().shortAddress).toBe(short);

      // 2. A second viewer finds the first on the DHT (get_peers), besides peer exchange.
      const b = await net.engine(dht);
      const bEvents = collectEvents(b);
      await b.watch(short);
      await waitFor(
        () => (b.getSnapshot().dht?.peersFound ?? 0) >= 1,
        60_000,
        'viewer B to find a peer by get_peers',
      );
      await waitFor(() => receivedSeqs(bEvents).length >= 2, 60_000, 'viewer B to receive segments');

      // 3. The broadcaster comes back on another port with the same key.
      await broadcaster.stopBroadcast();
      const edge = Math.max(...receivedSeqs(aEvents));
      const secondPort = await freeUdpPort();
      await broadcaster.updateSettings({ udpPort: secondPort });
      const again = await broadcaster.startBroadcast({ folder });
      expect(again.streamId).toBe(info.streamId);
      expect(parseStreamAddress(again.address).bootstrap[0]!.port).toBe(secondPort);
      await waitFor(
        () => Math.max(...receivedSeqs(aEvents)) > edge + 2,
        120_000,
        'viewer A to play from the broadcaster at its new port',
      );
      await waitFor(
        () =>
          a.getSnapshot().peers.some((p) => p.role === 'broadcaster' && p.address.endsWith(`:${secondPort}`)),
        60_000,
        'viewer A linked to the broadcaster at its new port',
      );
      expect(a.getSnapshot().segments.failed).toBe(0);
    },
    300_000,
  );

  it('says "not found on the DHT yet" for a stream nobody published', async () => {
    dhtNet ??= await DhtNet.start(3);
    const viewer = await net.engine({
      settings: { dhtEnabled: true, dhtBootstrap: dhtNet.bootstrap },
      dht: { bindHost: '127.0.0.1' },
      notFoundAfterMs: 1000,
    });
    await viewer.watch(`shoal://${streamIdFromPublicKey(generateStreamKeys().streamId)}`);
    await waitFor(() => viewer.getSnapshot().state === 'not-found', 30_000, 'not-found');
    expect(viewer.getSnapshot().lastError?.message).toMatch(/not found on the DHT yet \(asked \d+ times?/);
    expect(viewer.getSnapshot().dht).toMatchObject({ record: 'resolving' });
    await viewer.stopWatching();
  }, 60_000);

  it.skipIf(!hasFfmpeg())(
    'a host name in a long address is resolved by DNS (no DHT)',
    async () => {
      await waitFor(() => live !== null, 1000, 'the live stream of the test before');
      const broadcaster = await net.engine();
      const info = await broadcaster.startBroadcast({ folder });
      const port = parseStreamAddress(info.address).bootstrap[0]!.port;
      const viewer = await net.engine();
      const events = collectEvents(viewer);
      await viewer.watch(`shoal://${info.streamId}@localhost:${port}`);
      await waitFor(() => receivedSeqs(events).length >= 1, 60_000, 'the viewer to receive a segment');
    },
    120_000,
  );
});
