// PEX_REQUEST goes only to peers that announced the PEX capability (PROTOCOL §4.7, §5.14):
// on linking, on the periodic exchange and when the swarm starves.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { generateStreamKeys } from '../protocol/signing.js';
import type { Frame } from '../protocol/types.js';
import type { SegmentVault, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();

function neighbour(id: string, port: number, speaksPex: boolean): SwarmSession & { sent: Frame[] } {
  const sent: Frame[] = [];
  return {
    nodeId: id.repeat(8),
    remote: { host: '127.0.0.1', port },
    direction: 'outbound',
    isBroadcaster: false,
    speaksPieces: false,
    speaksPex,
    sent,
    send: (f) => void sent.push(f),
    requestSegment: () => ({ done: new Promise<Buffer>(() => undefined), cancel: () => undefined }),
    requestPlaylist: () => new Promise(() => undefined),
    listen: () => undefined,
    health: () => ({ rttMs: 10, lossRate: 0, bytesSent: 0, bytesReceived: 0 }),
    rttMs: () => 10,
    activeResponses: () => 0,
    silentMs: () => 0,
    close: () => undefined,
  };
}

const emptyVault: SegmentVault = {
  get: () => undefined,
  has: () => false,
  put: () => undefined,
  heldSeqs: () => [],
};

const pexRequests = (s: { sent: Frame[] }) => s.sent.filter((f) => f.type === 'PEX_REQUEST').length;

afterEach(() => vi.useRealTimers());

describe('PEX requests', () => {
  it('are sent only to neighbours that announced PEX', () => {
    vi.useFakeTimers();
    let now = 0;
    const swarm = new Swarm({
      streamId: keys.streamId,
      role: 'viewer',
      selfNodeId: 'ff'.repeat(8),
      vault: emptyVault,
      dialer: { dial: () => new Promise(() => undefined) },
      bootstrap: [],
      maxPeers: 4,
      joinDistance: 2,
      resyncAfterSegments: 3,
      pushFanout: 1,
      pushDelayShare: 0,
      noUpload: false,
      maxInFlightPerPeer: 2,
      now: () => now,
    });
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
