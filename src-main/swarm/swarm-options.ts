// What a swarm is built from and what it reports: its options (the engine's settings for
// one stream) and its events.

import type { ShoalError } from '../../src-shared/errors.js';
import type { OfflineNotice, PeerAddress, StreamInfo } from '../protocol/types.js';
import type { ResyncEvent } from './fetch/live-position.js';
import type { PeerLink } from './peer-link.js';
import type { PeerIdentity } from './peer-snapshot.js';
import type { Dialer, PunchTransport, SegmentVault } from './ports.js';
import type { SegmentArrivalEvent } from './fetch/segment-arrivals.js';
import type { SchedulerPolicy } from './fetch/segment-scheduler.js';

export interface SwarmOptions {
  streamId: Uint8Array;
  role: 'broadcaster' | 'viewer';
  selfNodeId: string;
  vault: SegmentVault;
  dialer: Dialer;
  bootstrap: PeerAddress[];
  maxPeers: number;
  /** Viewers join this many segments behind the live edge. */
  joinDistance: number;
  /**
   * Relative sync: once the player has stalled this many segment durations in total, the
   * viewer gives up on the missing segments and rejoins at `joinDistance` behind live, so
   * every viewer stays within a bounded distance of the live edge. Default 4.
   */
  resyncAfterSegments?: number;
  /** Broadcaster: neighbours told about a fresh segment at once; the rest hear later. */
  pushFanout: number;
  /** Broadcaster: delay before the other neighbours hear of a fresh segment, as a share of its duration. */
  pushDelayShare: number;
  /** Leech-only: serve nothing (the broadcaster ignores this). */
  noUpload: boolean;
  /**
   * Fetch and relay media segments piece by piece (PROTOCOL §7.3) from neighbours that
   * speak PIECES; the endpoint must announce the PIECES capability. Default true.
   */
  pieces?: boolean;
  maxInFlightPerPeer: number;
  /**
   * This node's upload cap (bytes/s), null = none. With a cap, a request is refused
   * (OVERLOADED) while the responses already queued would take longer than a segment
   * duration to send, so the requester asks a less busy holder instead of waiting.
   */
  uploadBytesPerSec?: number | null;
  /** A neighbour idle this long gives its slot to a newcomer when we are full (see Neighbourhood). */
  idleEvictMs?: number;
  /**
   * Broadcaster: rescue slots beyond maxPeers for viewers with no other path (HELLO NO_PATH,
   * PROTOCOL §13.5). Default RESCUE_SLOTS; viewers keep none.
   */
  rescueSlots?: number;
  now: () => number;
  policy?: Partial<SchedulerPolicy>;
  /** Hole punching (PROTOCOL §5.18); absent = none (the endpoint then must not announce PUNCH). */
  punch?: PunchTransport;
  /** Hole punching's diagnostics, one line per event; absent = quiet. */
  punchLog?: (line: string) => void;
}

// A type, not an interface: it fits TypedEmitter's EventMap without an index signature, so
// a misspelt event name (swarm.on('segmnet')) does not compile.
export type SwarmEvents = {
  'peer-joined': PeerIdentity;
  'peer-left': { peer: PeerIdentity; reason: ShoalError };
  segment: SegmentArrivalEvent;
  'segment-failed': { rendition: number; seq: number; reason: ShoalError; from: PeerLink };
  info: StreamInfo;
  /** The broadcaster's offline notice took hold (from: the neighbour it came from; null: ours). */
  offline: { notice: OfflineNotice; from: PeerLink | null };
  /** The viewer jumped ahead to stay near live (relative sync). */
  resync: ResyncEvent;
  uploaded: { link: PeerLink; bytes: number };
  /** A dial failed: no answer, or a REJECT (FULL, STREAM_NOT_FOUND, BANNED…) with its code. */
  'dial-failed': { address: PeerAddress; error: ShoalError };
  error: ShoalError;
};
