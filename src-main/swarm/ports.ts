// What the swarm needs from the layers around it, as narrow interfaces: a connected peer
// session (transport), a way to dial, and a vault of verified segments (store). Keeping
// them narrow lets the swarm logic be tested and reasoned about on its own.

import type {
  ByteRange,
  Frame,
  PeerAddress,
  SegmentEntry,
  SegmentKind,
  StreamInfo,
} from '../protocol/types.js';
import type { ShoalError } from '../../src-shared/errors.js';

export interface SegmentRequestOptions {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  expectedSize: number;
  deadlineMs: number;
  priority: number;
  /** Only these bytes (a piece, PROTOCOL §7.3); `expectedSize` is then the range's length. */
  range?: ByteRange;
}

export interface SegmentRequestHandle {
  done: Promise<Buffer>;
  cancel(): void;
  /** Bytes received so far; absent = unknown. */
  received?(): number;
}

export interface IncomingSegmentRequest {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  /** ms the requester gives us (PROTOCOL §8.4), when known; 0xffffffff = none. */
  deadlineMs?: number;
  /** The requester's priority (0 = most urgent), when known. */
  priority?: number;
  /** Only these bytes are asked for (PROTOCOL §5.7 range extension). */
  range?: ByteRange;
  respond(data: Uint8Array): void;
  notAvailable(reason: number): void;
}

export interface IncomingPlaylistRequest {
  rendition: number;
  fromSeq: number;
  respond(info: StreamInfo, entries: SegmentEntry[]): void;
}

export interface SessionHealth {
  rttMs: number | null;
  lossRate: number;
  bytesSent: number;
  bytesReceived: number;
  /** Segment responses we are still sending on this session; absent = unknown. */
  activeResponses?: number;
}

export interface SessionListeners {
  frame(frame: Frame): void;
  segmentRequest(request: IncomingSegmentRequest): void;
  playlistRequest(request: IncomingPlaylistRequest): void;
  closed(reason: ShoalError): void;
}

/** One live connection to a peer, as the swarm sees it. */
export interface SwarmSession {
  /** The peer's node id, hex. */
  readonly nodeId: string;
  readonly remote: PeerAddress;
  readonly direction: 'inbound' | 'outbound';
  /** The peer announced itself as the stream's broadcaster. */
  readonly isBroadcaster: boolean;
  /** The peer announced PIECES (PROTOCOL §4.7): range requests, PIECE_MAP, PIECE_HAVE. */
  readonly speaksPieces: boolean;
  /** The peer announced PEX (PROTOCOL §4.7): only then is it sent PEX_REQUEST (§5.14). */
  readonly speaksPex: boolean;
  /** Inbound: its HELLO said NO_PATH (PROTOCOL §4.7): it has no other path to the stream. */
  readonly claimedNoPath?: boolean;
  /** The peer announced PUNCH (PROTOCOL §4.7, §5.18). Absent = no. */
  readonly speaksPunch?: boolean;
  /** The peer announced IPV6 (PROTOCOL §4.7): it can use IPv6 peers. Absent = no. */
  readonly reachesIpv6?: boolean;
  /** Outbound: our address as the peer saw it, from its WELCOME (PROTOCOL §4.3). */
  readonly observedAddress?: PeerAddress | null;
  send(frame: Frame): void;
  requestSegment(options: SegmentRequestOptions): SegmentRequestHandle;
  requestPlaylist(
    rendition: number,
    fromSeq: number,
    timeoutMs: number,
  ): Promise<{ info: StreamInfo; entries: SegmentEntry[] }>;
  listen(listeners: SessionListeners): void;
  health(): SessionHealth;
  /** Smoothed RTT (ms), null before it is measured: what health() says, without building it. */
  rttMs(): number | null;
  /** Responses being served to this peer now: what health() says, without building it. */
  activeResponses(): number;
  /** Milliseconds since anything was last received from the peer. */
  silentMs(): number;
  /** Reliable control frames sent to the peer and not yet acknowledged (0 once closed). */
  unacknowledged(): number;
  close(code: number, message: string): void;
}

export interface Dialer {
  /** Connects to a peer for this stream; rejects with a ShoalError (FULL carries `peers`). */
  /** `noPath`: the HELLO says NO_PATH (PROTOCOL §4.7, §13.5): we have no other path to the stream. */
  dial(address: PeerAddress, options?: { timeoutMs?: number; noPath?: boolean }): Promise<SwarmSession>;
  /** Whether our socket can send to `host` (its IP version, PROTOCOL §2.2). Absent: any. */
  reaches?(host: string): boolean;
}

/** What hole punching (PROTOCOL §5.18) needs from the transport. */
export interface PunchTransport {
  /** Our socket's port. */
  localPort(): number;
  /** Addresses of our own network interfaces (LAN candidates; PUBLIC detection). */
  localHosts(): readonly string[];
  /** Our port mapping on the router (UPnP IGD / NAT-PMP), if any: a MAPPED candidate. */
  mapped?(): PeerAddress | null;
  /** One PUNCH probe (PROTOCOL §4.9) from our socket. */
  probe(to: PeerAddress, token: Uint8Array, index: number): void;
  /**
   * Birthday punching as the symmetric side (§5.18 step 4): extra sockets probe `to`; the
   * session dialled from the one a probe with `token` reached, or null.
   */
  birthday(to: PeerAddress, token: Uint8Array): Promise<SwarmSession | null>;
  /** PUNCH probes the extra sockets of birthday punching sent so far (diagnostics). */
  poolProbesSent?(): number;
}

/** Verified segments this node holds (the segment store). */
export interface SegmentVault {
  get(
    rendition: number,
    kind: SegmentKind,
    seq: number,
  ): { entry: SegmentEntry; data: Uint8Array } | undefined;
  has(rendition: number, kind: SegmentKind, seq: number): boolean;
  /** Stores a segment whose entry signature and hash were verified by the caller. */
  put(entry: SegmentEntry, data: Uint8Array): void;
  /** Media seqs held for a rendition, ascending. */
  heldSeqs(rendition: number): number[];
}
