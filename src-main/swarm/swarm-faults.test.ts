// A bug reached from the swarm's own timers (the 100 ms tick) is reported as one error
// event and never thrown to the process (issue 15 §1: faults stay inside).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { generateStreamKeys } from '../protocol/signing.js';
import type { SegmentVault, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();
const boom = (): never => {
  throw new Error('injected neighbour fault');
};

/** A neighbour whose every query throws once it has been adopted. */
function brokenNeighbour(): SwarmSession {
  return {
    nodeId: 'aa'.repeat(8),
    remote: { host: '127.0.0.1', port: 1 },
    direction: 'outbound',
    isBroadcaster: false,
    speaksPieces: false,
    speaksPex: false,
    send: () => undefined,
    requestSegment: () => ({ done: new Promise<Buffer>(() => undefined), cancel: () => undefined }),
    requestPlaylist: () => new Promise(() => undefined),
    listen: () => undefined,
    health: boom,
    rttMs: boom,
    activeResponses: boom,
    silentMs: boom,
    close: () => undefined,
  };
}

const emptyVault: SegmentVault = {
  get: () => undefined,
  has: () => false,
  put: () => undefined,
  heldSeqs: () => [],
};

afterEach(() => vi.useRealTimers());

describe('swarm faults', () => {
  it('a throwing tick is reported once as an error event, and the timer keeps running', () => {
    vi.useFakeTimers();
    const swarm = new Swarm({
      streamId: keys.streamId,
      role: 'viewer',
      selfNodeId: 'bb'.repeat(8),
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
      now: () => Date.now(),
    });
    const errors: ShoalError[] = [];
    swarm.on('error', (e) => errors.push(e));
    swarm.start();
    swarm.adopt(brokenNeighbour());
    expect(() => vi.advanceTimersByTime(20_000)).not.toThrow();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === ErrorCode.INTERNAL)).toBe(true);
    // The same fault in 200 ticks is reported once, not 200 times.
    expect(new Set(errors.map((e) => e.message)).size).toBe(errors.length);
    swarm.destroy();
  });
});
