// Which viewers with no other path the broadcaster serves alone (PROTOCOL §13.5): earliest
// claim first, as many as its upload carries beside one first copy for those that relay.

import { describe, expect, it } from 'vitest';
import { fakeSession } from '../../../test/fakes/swarm-fakes.js';
import { PeerLink } from '../peer-link.js';
import { planGrants } from './rescue-grants.js';

const STREAM = 125_000; // 1 Mbit/s

function links(lonelyAt: (number | null)[]): PeerLink[] {
  return lonelyAt.map((at, i) => {
    const link = new PeerLink(fakeSession({ nodeId: `${i}`.padStart(16, '0') }), () => at ?? 0);
    if (at !== null) link.notePathState(true);
    return link;
  });
}

describe('planGrants', () => {
  it('serves viewers with no path alone, earliest first, as many as a 3x cap carries', () => {
    const all = links([30, 10, 20, 40]);
    const plan = planGrants(all, { capBytesPerSec: 3 * STREAM, streamBytesPerSec: STREAM, pushFanout: 2 });
    expect([...plan.granted]).toEqual([all[1], all[2]]);
  });

  it('keeps one first copy for the viewers that relay, and gives them what is left', () => {
    const all = links([null, null, 5, 7]);
    const plan = planGrants(all, { capBytesPerSec: 3 * STREAM, streamBytesPerSec: STREAM, pushFanout: 2 });
    expect([...plan.granted]).toEqual([all[2]]);
    expect(plan.fanout).toBe(1);
    const none = planGrants(links([null, null]), {
      capBytesPerSec: 3 * STREAM,
      streamBytesPerSec: STREAM,
      pushFanout: 2,
    });
    expect(none.granted.size).toBe(0);
    expect(none.fanout).toBe(2);
  });

  it('grants nothing a cap cannot carry; without a cap assumes a 20 Mbit/s line', () => {
    const plan = planGrants(links([1]), { capBytesPerSec: STREAM, streamBytesPerSec: STREAM, pushFanout: 2 });
    expect(plan.granted.size).toBe(0);
    const uncapped = planGrants(links(Array.from({ length: 30 }, (_, i) => i)), {
      capBytesPerSec: null,
      streamBytesPerSec: STREAM,
      pushFanout: 2,
    });
    expect(uncapped.granted.size).toBe(18);
  });
});
