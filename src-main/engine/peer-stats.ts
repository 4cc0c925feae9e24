// Dashboard rows for the peers of a swarm.

import type { PeerStat } from '../../src-shared/contract.js';
import { formatHostPort } from '../../src-shared/stream-address.js';
import type { PeerLink } from '../swarm/peer-link.js';

export function peerStat(link: PeerLink, now: number): PeerStat {
  const h = link.session.health();
  return {
    nodeId: link.nodeId,
    address: formatHostPort(link.session.remote),
    role: link.isBroadcaster ? 'broadcaster' : 'viewer',
    direction: link.session.direction,
    rttMs: h.rttMs,
    lossRate: h.lossRate,
    upBps: link.up.rate(),
    downBps: link.down.rate(),
    bytesUp: link.up.bytes,
    bytesDown: link.down.bytes,
    segmentsSent: link.segmentsSent,
    segmentsReceived: link.segmentsReceived,
    connectedMs: now - link.connectedAt,
    health: link.health(),
    choked: link.chokesUs,
    path: link.path,
  };
}
