// Relative sync: a viewer whose player keeps stalling (its neighbours never deliver)
// rejoins near the live edge instead of drifting further and further behind.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSession, signedEntry, viewerSwarmOptions } from '../../../test/fakes/swarm-fakes.js';
import { generateStreamKeys, signStreamInfo } from '../../protocol/signing.js';
import type { SessionListeners, SwarmSession } from '../ports.js';
import { Swarm } from '../swarm.js';

const keys = generateStreamKeys();
const entry = (seq: number) => signedEntry(keys, seq);

/** A neighbour that announces segments but never delivers any (requests hang). */
function silentNeighbour(): SwarmSession & { listeners: SessionListeners | null } {
  return {
    ...fakeSession({ speaksPex: true }),
    listeners: null,
    listen(l) {
      this.listeners = l;
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('relative sync', () => {
  it('rejoins at the join distance behind live after stalling too long', () => {
    vi.useFakeTimers();
    let now = 0;
    const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId, now: () => now }));
    const resyncs: Array<{ fromSeq: number; toSeq: number }> = [];
    swarm.on('resync', (r) => resyncs.push(r));
    // What the viewer learnt from its first playlist: the window up to seq 10.
    for (let seq = 0; seq <= 10; seq++) swarm.book.add(entry(seq));
    const neighbour = silentNeighbour();
    swarm.adopt(neighbour);
    swarm.setInfo(
      signStreamInfo(keys.privateKey, keys.streamId, {
        flags: 2,
        createdAtMs: 1,
        targetDurationMs: 1000,
        renditions: [],
      }),
    );
    swarm.start();
    const announce = (seq: number) => neighbour.listeners!.frame({ type: 'HAVE', entry: entry(seq) });

    for (let seq = 0; seq <= 10; seq++) announce(seq);
    vi.advanceTimersByTime(200);
    expect(swarm.joinSeq(0)).toBe(9); // edge 10, join distance 2

    // The live edge moves on one segment a second while nothing arrives.
    for (let t = 1; t <= 8; t++) {
      now += 1000;
      announce(10 + t);
      vi.advanceTimersByTime(1000);
    }
    expect(resyncs.length).toBeGreaterThan(0);
    expect(resyncs[0]).toEqual({ rendition: 0, fromSeq: 9, toSeq: expect.any(Number) });
    const edge = 18;
    expect(swarm.joinSeq(0)).toBeGreaterThanOrEqual(edge - 2 - 3); // within a few segments of live
    expect(swarm.joinSeq(0)).toBeLessThanOrEqual(edge - 1);
    swarm.destroy();
  });
});
