// A viewer's path (PROTOCOL §5.17): no path after NO_PATH_AFTER_MS without a neighbour other
// than the broadcaster that delivered or was linked lately, or while starving; a path again
// once working peers deliver at least half the bit rate.

import { describe, expect, it } from 'vitest';
import { fakeSession } from '../../test/fakes/swarm-fakes.js';
import { PeerLink } from './peer-link.js';
import { NO_PATH_AFTER_MS, PathWatch, WORKING_PEER_MS } from './path-watch.js';

const STREAM = 100_000;
const calm = { segmentMs: 1000, streamBytesPerSec: STREAM, starving: false };

describe('PathWatch', () => {
  it('has no path while only the broadcaster works, and a path again with a peer that delivers enough', () => {
    let t = 0;
    const broadcaster = new PeerLink(fakeSession({ isBroadcaster: true }), () => t);
    const watch = new PathWatch(t);
    expect(watch.update(t, [broadcaster], calm)).toBe(false);
    t = NO_PATH_AFTER_MS - 1;
    expect(watch.update(t, [broadcaster], calm)).toBe(false);
    t = NO_PATH_AFTER_MS;
    expect(watch.update(t, [broadcaster], calm)).toBe(true);
    expect(watch.noPath).toBe(true);

    // A new neighbour that delivers nothing yet is no path.
    const peer = new PeerLink(fakeSession({ nodeId: 'cc'.repeat(8) }), () => t);
    expect(watch.update(t, [broadcaster, peer], calm)).toBe(false);
    // It delivers a tenth of the bit rate: still none.
    peer.down.record(STREAM * 0.3);
    peer.lastDeliveredAt = t;
    expect(watch.update(t, [broadcaster, peer], calm)).toBe(false);
    // It delivers the bit rate: a path.
    peer.down.record(STREAM * 3);
    expect(watch.update(t, [broadcaster, peer], calm)).toBe(true);
    expect(watch.noPath).toBe(false);
    // It stops delivering: no path again once WORKING_PEER_MS and NO_PATH_AFTER_MS have passed.
    t += WORKING_PEER_MS;
    expect(watch.update(t, [broadcaster, peer], calm)).toBe(false);
    t += NO_PATH_AFTER_MS;
    expect(watch.update(t, [broadcaster, peer], calm)).toBe(true);
    expect(watch.noPath).toBe(true);
  });

  it('a viewer with no link at all has no path after NO_PATH_AFTER_MS (refused FULL, listed peers unreachable)', () => {
    const watch = new PathWatch(0);
    expect(watch.update(NO_PATH_AFTER_MS, [], calm)).toBe(true);
    expect(watch.noPath).toBe(true);
  });

  it('a starving viewer has no path although a peer delivers a little', () => {
    let t = 0;
    const peer = new PeerLink(fakeSession(), () => t);
    const watch = new PathWatch(t);
    const starving = { ...calm, starving: true };
    expect(watch.update(t, [peer], starving)).toBe(false);
    t = NO_PATH_AFTER_MS;
    peer.lastDeliveredAt = t;
    expect(watch.update(t, [peer], starving)).toBe(true);
    expect(watch.noPath).toBe(true);
  });
});
