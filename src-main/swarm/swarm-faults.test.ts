// A bug reached from the swarm's own timers (the 100 ms tick) is reported as one error
// event and never thrown to the process (issue 15 §1: faults stay inside).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { fakeSession, viewerSwarmOptions } from '../../test/fakes/swarm-fakes.js';
import { generateStreamKeys } from '../protocol/signing.js';
import type { SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();
const boom = (): never => {
  throw new Error('injected neighbour fault');
};

/** A neighbour whose every query throws once it has been adopted. */
function brokenNeighbour(): SwarmSession {
  return fakeSession({ health: boom, rttMs: boom, activeResponses: boom, silentMs: boom });
}

afterEach(() => vi.useRealTimers());

describe('swarm faults', () => {
  it('a throwing tick is reported once as an error event, and the timer keeps running', () => {
    vi.useFakeTimers();
    const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId, now: () => Date.now() }));
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
