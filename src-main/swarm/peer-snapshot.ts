// What the engine may know of a neighbour: plain data read at one moment. Nothing outside
// the swarm holds a PeerLink or reaches into its session (issue 18 §6).

import type { PeerAddress } from '../protocol/types.js';
import type { LinkHealth, LinkPath, PeerLink } from './peer-link.js';

/** Who a neighbour is: what the peer-joined and peer-left events carry. */
export interface PeerIdentity {
  nodeId: string;
  remote: PeerAddress;
  isBroadcaster: boolean;
}

export interface PeerSnapshot extends PeerIdentity {
  /** Who opened the connection. */
  direction: 'inbound' | 'outbound';
  rttMs: number | null;
  lossRate: number;
  upBps: number;
  downBps: number;
  bytesUp: number;
  bytesDown: number;
  /** Requests answered: whole segments or single pieces of them. */
  segmentsSent: number;
  segmentsReceived: number;
  /** Local ms. */
  connectedAt: number;
  health: LinkHealth;
  /** It chokes us: it serves us nothing for now. */
  choked: boolean;
  path: LinkPath;
  /** Milliseconds since anything was last received from it. */
  silentMs: number;
}

/** Reads nothing of the session's state: safe on a link being set up or torn down. */
export function peerIdentity(link: PeerLink): PeerIdentity {
  return {
    nodeId: link.nodeId,
    remote: { host: link.session.remote.host, port: link.session.remote.port },
    isBroadcaster: link.isBroadcaster,
  };
}

export function peerSnapshot(link: PeerLink): PeerSnapshot {
  const h = link.session.health();
  return {
    ...peerIdentity(link),
    direction: link.session.direction,
    rttMs: h.rttMs,
    lossRate: h.lossRate,
    upBps: link.up.rate(),
    downBps: link.down.rate(),
    bytesUp: link.up.bytes,
    bytesDown: link.down.bytes,
    segmentsSent: link.segmentsSent,
    segmentsReceived: link.segmentsReceived,
    connectedAt: link.connectedAt,
    health: link.health(),
    choked: link.chokesUs,
    path: link.path,
    silentMs: link.session.silentMs(),
  };
}
