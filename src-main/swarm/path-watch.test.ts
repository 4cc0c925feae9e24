// A viewer's path (PROTOCOL §5.16): no path after NO_PATH_AFTER_MS without a neighbour other
// than the broadcaster that delivered or was linked lately; the first one that works ends it.

import { describe, expect, it } from 'vitest';
import { fakeSession } from '../../test/fakes/swarm-fakes.js';
import { PeerLink } from './peer-link.js';
import { NO_PATH_AFTER_MS, PathWatch, WORKING_PEER_MS } from './path-watch.js';

describe('PathWatch', () => {
  it('has no path while only the broadcaster works, and a path again with a peer that delivers', () => {
    let t = 0;
    const broadcaster = new PeerLink(fakeSession({ isBroadcaster: true }), () => t);
    const watch = new PathWatch(t);
    expect(watch.update(t, [broadcaster], 1000)).toBe(false);
    t = NO_PATH_AFTER_MS - 1;
    expect(watch.update(t, [broadcaster], 1000)).toBe(false);
    t = NO_PATH_AFTER_MS;
    expect(watch.update(t, [broadcaster], 1000)).toBe(true);
    expect(watch.noPath).toBe(true);

    // A new neighbour gets WORKING_PEER_MS to deliver: a path meanwhile.
    const peer = new PeerLink(fakeSession({ nodeId: 'cc'.repeat(8) }), () => t);
    expect(watch.update(t, [broadcaster, peer], 1000)).toBe(true);
    expect(watch.status).toBe('has-path');
    // It delivers nothing: no path again once its grace and NO_PATH_AFTER_MS have passed.
    t += WORKING_PEER_MS;
    expect(watch.update(t, [broadcaster, peer], 1000)).toBe(false);
    t += NO_PATH_AFTER_MS;
    expect(watch.update(t, [broadcaster, peer], 1000)).toBe(true);
    expect(watch.noPath).toBe(true);
    // It delivers: a path.
    peer.lastDeliveredAt = t;
    expect(watch.update(t, [broadcaster, peer], 1000)).toBe(true);
    expect(watch.noPath).toBe(false);
  });

  it('a viewer with no link at all has no path after NO_PATH_AFTER_MS (refused FULL, listed peers unreachable)', () => {
    const watch = new PathWatch(0);
    expect(watch.update(NO_PATH_AFTER_MS, [], 2000)).toBe(true);
    expect(watch.noPath).toBe(true);
  });
});
