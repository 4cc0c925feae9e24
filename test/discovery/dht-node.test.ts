// The DHT operations Shoal uses, on real sockets against a DHT of our own on 127.0.0.1
// (PROTOCOL §15): a signed record is put and found (a newer one replaces it), and a peer
// announced under a stream's swarm key is found by another node's get_peers.

import { afterAll, describe, expect, it } from 'vitest';
import { DhtNode } from '../../src-main/discovery/dht-node.js';
import { RecordPublisher } from '../../src-main/discovery/record-publisher.js';
import { RecordResolver } from '../../src-main/discovery/record-resolver.js';
import { PeerDiscovery } from '../../src-main/discovery/peer-discovery.js';
import { dhtRecordTarget } from '../../src-main/protocol/dht-record.js';
import { generateStreamKeys } from '../../src-main/protocol/signing.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';
import { DhtNet } from '../fakes/dht-net.js';
import { waitFor } from '../fixtures/wait.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const f of cleanup.reverse()) await f();
});

async function setup(): Promise<{ a: DhtNode; b: DhtNode }> {
  const net = await DhtNet.start(3);
  cleanup.push(() => net.destroy());
  const start = () => DhtNode.start({ bootstrap: net.bootstrap, bindHost: '127.0.0.1' });
  const [a, b] = [await start(), await start()];
  cleanup.push(
    () => a.destroy(),
    () => b.destroy(),
  );
  return { a, b };
}

describe('DHT node (bittorrent-dht on loopback)', () => {
  it('publishes a signed record that another node resolves, and then a newer one', async () => {
    const { a, b } = await setup();
    const keys = generateStreamKeys();
    let endpoints: PeerAddress[] = [{ host: '127.0.0.1', port: 4000 }];
    const publisher = new RecordPublisher({
      dht: a,
      streamId: keys.streamId,
      privateKey: keys.privateKey,
      nodeId: Buffer.alloc(8, 7),
      endpoints: () => endpoints,
      checkMs: 200,
    });
    cleanup.push(() => publisher.destroy());
    const stored: number[] = [];
    publisher.on('published', ({ seq }) => stored.push(seq));
    publisher.start();
    await waitFor(() => stored.length === 1, { what: 'the first put', timeoutMs: 30_000 });

    let now = 0;
    const resolver = new RecordResolver({
      dht: b,
      streamId: keys.streamId,
      now: () => now,
      retryMs: () => 0,
    });
    cleanup.push(() => resolver.destroy());
    const found: PeerAddress[][] = [];
    resolver.on('found', ({ record }) => found.push(record.endpoints));
    resolver.start();
    await waitFor(() => found.length === 1, { what: 'the record found', timeoutMs: 30_000 });
    expect(found[0]).toEqual([{ host: '127.0.0.1', port: 4000 }]);

    // The broadcaster moves: the publisher notices and puts a newer record (greater seq).
    endpoints = [{ host: '127.0.0.1', port: 4001 }];
    await waitFor(() => stored.length === 2, { what: 'the second put', timeoutMs: 30_000 });
    expect(stored[1]!).toBeGreaterThan(stored[0]!);
    const poll = setInterval(() => (now += 5000), 50);
    cleanup.push(() => clearInterval(poll));
    await waitFor(() => found.length === 2, { what: 'the newer record found', timeoutMs: 30_000 });
    expect(found[1]).toEqual([{ host: '127.0.0.1', port: 4001 }]);
  }, 120_000);

  it('finds nothing for a stream nobody published, and says so', async () => {
    const { b } = await setup();
    const { streamId } = generateStreamKeys();
    expect(await b.getRecord(dhtRecordTarget(streamId))).toBeNull();
  }, 60_000);

  it('finds a viewer announced under the stream swarm key (BEP 5 get_peers)', async () => {
    const { a, b } = await setup();
    const { streamId } = generateStreamKeys();
    let now = 0;
    const seenByB: PeerAddress[] = [];
    const announcer = new PeerDiscovery({
      dht: a,
      streamId,
      port: () => 4242,
      hungry: () => true,
      onPeers: () => undefined,
      now: () => now,
    });
    const looker = new PeerDiscovery({
      dht: b,
      streamId,
      port: () => 4343,
      hungry: () => true,
      onPeers: (peers) => seenByB.push(...peers),
      now: () => now,
    });
    cleanup.push(
      () => announcer.destroy(),
      () => looker.destroy(),
    );
    announcer.start();
    const poll = setInterval(() => (now += 30_000), 100);
    cleanup.push(() => clearInterval(poll));
    looker.start();
    await waitFor(() => seenByB.some((p) => p.port === 4242), {
      what: "a's announce found",
      timeoutMs: 60_000,
    });
    expect(seenByB.find((p) => p.port === 4242)?.host).toBe('127.0.0.1');
  }, 120_000);
});
