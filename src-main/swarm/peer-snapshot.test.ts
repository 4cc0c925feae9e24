// The engine reads the swarm through plain data (issue 18 §6): snapshots of its neighbours
// and the identity of those that join or leave, never a PeerLink.

import { describe, expect, it } from 'vitest';
import { fakeSession, viewerSwarmOptions } from '../../test/fakes/swarm-fakes.js';
import { NatClass } from '../protocol/constants.js';
import { generateStreamKeys } from '../protocol/signing.js';
import type { PeerIdentity } from './peer-snapshot.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();

describe('the swarm read API', () => {
  it('describes each neighbour as plain data, read at the moment of asking', () => {
    let now = 1_000;
    const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId, now: () => now }));
    const joined: PeerIdentity[] = [];
    swarm.on('peer-joined', (p) => joined.push(p));
    const remote = { host: '198.51.100.9', port: 4100 };
    let silent = 0;
    swarm.adopt(
      fakeSession({
        nodeId: 'cc'.repeat(8),
        remote,
        direction: 'inbound',
        isBroadcaster: true,
        health: () => ({ rttMs: 40, lossRate: 0.01, bytesSent: 0, bytesReceived: 0 }),
        silentMs: () => silent,
      }),
    );
    expect(joined).toEqual([{ nodeId: 'cc'.repeat(8), remote, isBroadcaster: true }]);
    expect(joined[0]!.remote).not.toBe(remote);
    expect(swarm.peerCount).toBe(1);

    now = 4_000;
    silent = 2_500;
    const [peer] = swarm.peerSnapshots();
    expect(peer).toMatchObject({
      nodeId: 'cc'.repeat(8),
      remote,
      isBroadcaster: true,
      direction: 'inbound',
      rttMs: 40,
      lossRate: 0.01,
      bytesUp: 0,
      bytesDown: 0,
      segmentsSent: 0,
      segmentsReceived: 0,
      connectedAt: 1_000,
      health: 'good',
      choked: false,
      path: 'direct',
      silentMs: 2_500,
    });
    swarm.destroy();
  });

  it('knows nothing of the stream or our NAT before it is told', () => {
    const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId }));
    expect(swarm.streamInfo).toBeNull();
    expect(swarm.liveEdge(0)).toBe(-1);
    expect(swarm.segmentDurationMs()).toBe(2000);
    expect(swarm.mediaDurationUs(0, 0, 100)).toBe(0);
    expect(swarm.natClass).toBe(NatClass.UNKNOWN);
    expect(swarm.peerSnapshots()).toEqual([]);
    swarm.destroy();
  });
});
