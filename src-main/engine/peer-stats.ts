// Dashboard rows for the peers of a swarm.

import type { PeerStat } from '../../src-shared/contract.js';
import { formatHostPort } from '../../src-shared/stream-address.js';
import type { PeerSnapshot } from '../swarm/index.js';

export function peerStat(peer: PeerSnapshot, now: number): PeerStat {
  return {
    nodeId: peer.nodeId,
    address: formatHostPort(peer.remote),
    role: peer.isBroadcaster ? 'broadcaster' : 'viewer',
    direction: peer.direction,
    rttMs: peer.rttMs,
    lossRate: peer.lossRate,
    upBps: peer.upBps,
    downBps: peer.downBps,
    bytesUp: peer.bytesUp,
    bytesDown: peer.bytesDown,
    segmentsSent: peer.segmentsSent,
    segmentsReceived: peer.segmentsReceived,
    connectedMs: now - peer.connectedAt,
    health: peer.health,
    choked: peer.choked,
    path: peer.path,
  };
}
