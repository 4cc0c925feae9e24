// PEX_REQUEST goes only to peers that announced the PEX capability (PROTOCOL §4.7, §5.14):
// on linking, on the periodic exchange and when the swarm starves.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSession, viewerSwarmOptions } from '../../test/fakes/swarm-fakes.js';
import { generateStreamKeys } from '../protocol/signing.js';
import type { Frame } from '../protocol/types.js';
import type { SessionListeners, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();

function neighbour(id: string, port: number, speaksPex: boolean): SwarmSession & { sent: Frame[] } {
  const sent: Frame[] = [];
  return {
    ...fakeSession({
      nodeId: id.repeat(8),
      remote: { host: '127.0.0.1', port },
      speaksPex,
      send: (f) => void sent.push(f),
    }),
    sent,
  };
}

const pexRequests = (s: { sent: Frame[] }) => s.sent.filter((f) => f.type === 'PEX_REQUEST').length;

afterEach(() => vi.useRealTimers());

describe('PEX requests', () => {
  it('are sent only to neighbours that announced PEX', () => {
    vi.useFakeTimers();
    let now = 0;
    const swarm = new Swarm(
      viewerSwarmOptions({ streamId: keys.streamId, selfNodeId: 'ff'.repeat(8), now: () => now }),
    );
    const withPex = neighbour('aa', 1, true);
    const without = neighbour('bb', 2, false);
    swarm.adopt(withPex);
    swarm.adopt(without);
    expect(pexRequests(withPex)).toBe(1); // on linking
    swarm.start();
    // Periodic exchanges (every 15 s) and starvation refreshes (nothing new for > 4 s).
    for (let t = 0; t < 60; t++) {
      now += 1000;
      vi.advanceTimersByTime(1000);
    }
    expect(pexRequests(withPex)).toBeGreaterThan(1);
    expect(pexRequests(without)).toBe(0);
    swarm.destroy();
  });
});

/** A neighbour whose listeners the test holds, to hand the swarm frames from it. */
function talkingNeighbour(
  id: string,
  host: string,
  port: number,
  reachesIpv6 = false,
): SwarmSession & { sent: Frame[]; deliver(frame: Frame): void } {
  const sent: Frame[] = [];
  let listeners: SessionListeners | null = null;
  return {
    ...fakeSession({
      nodeId: id.repeat(8),
      remote: { host, port },
      speaksPex: true,
      reachesIpv6,
      send: (f) => void sent.push(f),
      listen: (l) => void (listeners = l),
    }),
    sent,
    deliver: (frame) => listeners!.frame(frame),
  };
}

const entryHosts = (s: { sent: Frame[] }): string[] =>
  s.sent.flatMap((f) => (f.type === 'PEX_RESPONSE' ? f.peers.map((p) => p.host) : []));

describe('PEX across IP versions (PROTOCOL §2.2, §5.14)', () => {
  it('gives IPv6 peers only to neighbours that can use them', () => {
    const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId, maxPeers: 8 }));
    const v6peer = talkingNeighbour('a1', '2001:db8::1', 4000, true);
    const v4only = talkingNeighbour('a2', '198.51.100.2', 4000);
    const dual = talkingNeighbour('a3', '198.51.100.3', 4000, true);
    for (const n of [v6peer, v4only, dual]) swarm.adopt(n);
    v4only.deliver({ type: 'PEX_REQUEST', max: 16 });
    dual.deliver({ type: 'PEX_REQUEST', max: 16 });
    expect(entryHosts(v4only).sort()).toEqual(['198.51.100.3']);
    expect(entryHosts(dual).sort()).toEqual(['198.51.100.2', '2001:db8::1']);
    swarm.destroy();
  });

  it('a FULL answer names IPv6 peers only to a client that can use them', () => {
    const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId, maxPeers: 2 }));
    swarm.adopt(talkingNeighbour('a1', '2001:db8::1', 4000, true));
    swarm.adopt(talkingNeighbour('a2', '198.51.100.2', 4000));
    const named = (ipv6: boolean): string[] => {
      const a = swarm.admit({ host: '203.0.113.9', port: 1 }, false, undefined, ipv6);
      return a.accept ? [] : (a.peers ?? []).map((p) => p.host).sort();
    };
    expect(named(false)).toEqual(['198.51.100.2']);
    expect(named(true)).toEqual(['198.51.100.2', '2001:db8::1']);
    swarm.destroy();
  });

  it('an IPv4-only node leaves IPv6 entries it is given undialled, and reads mapped ones as IPv4', async () => {
    const dialled: string[] = [];
    const swarm = new Swarm(
      viewerSwarmOptions({
        streamId: keys.streamId,
        maxPeers: 8,
        dialer: {
          dial: (a) => {
            dialled.push(a.host);
            return new Promise(() => undefined);
          },
          reaches: (host) => !host.includes(':'),
        },
      }),
    );
    const source = talkingNeighbour('a1', '198.51.100.1', 4000);
    swarm.adopt(source);
    const entry = (host: string, id: number) => ({
      host,
      port: 4000,
      nodeId: new Uint8Array(8).fill(id),
      flags: 0,
    });
    source.deliver({
      type: 'PEX_RESPONSE',
      peers: [entry('2001:db8::2', 2), entry('198.51.100.3', 3), entry('::ffff:198.51.100.4', 4)],
    });
    await Promise.resolve();
    expect(dialled.sort()).toEqual(['198.51.100.3', '198.51.100.4']);
    swarm.destroy();
  });
});
