// PEX_REQUEST goes only to peers that announced the PEX capability (PROTOCOL §4.7, §5.14):
// on linking, on the periodic exchange and when the swarm starves.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSession, viewerSwarmOptions } from '../../test/fakes/swarm-fakes.js';
import { generateStreamKeys } from '../protocol/signing.js';
import type { Frame } from '../protocol/types.js';
import type { SwarmSession } from './ports.js';
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
