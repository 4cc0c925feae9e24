// Decoded forms of every datagram, header and message (PROTOCOL §3–§6).
// Byte strings are Uint8Array (Buffers in practice); in the spec's JSON test vectors
// they are written as lower-case hex strings.

import type { FrameTypeName, PacketTypeName } from './constants.js';

/** PROTOCOL §3.3 — acknowledged packet-number ranges, [smallest, largest] inclusive,
 * sorted by descending largest, neither overlapping nor adjacent. */
export type AckRange = [smallest: number, largest: number];

export interface AckBlock {
  /** Time the receiver held the largest acknowledged packet before acking, in µs (multiple of 8 on the wire). */
  delayUs: number;
  ranges: AckRange[];
}

/** PROTOCOL §3.1 */
export interface PacketHeader {
  type: PacketTypeName;
  /** Destination connection id: chosen by the receiver of this packet (8 bytes; zero in a first HELLO). */
  dcid: Uint8Array;
  /** u32, monotonic per direction of a connection. */
  pn: number;
  /** Sender's clock in µs, modulo 2^32. */
  timestamp: number;
  /** Last one-way delay sample (µs, mod 2^32) the sender measured on packets from the peer; 0 = none yet. */
  timestampDiff: number;
  ack?: AckBlock;
}

export interface PeerAddress {
  host: string;
  port: number;
}

/** PROTOCOL §4.1 */
export interface HelloBody {
  minVersion: number;
  maxVersion: number;
  capabilities: number;
  streamId: Uint8Array;
  sourceCid: Uint8Array;
  nodeId: Uint8Array;
  maxDatagram: number;
  cookie: Uint8Array;
}

/** PROTOCOL §4.2 */
export interface RetryBody {
  cookie: Uint8Array;
}

/** PROTOCOL §4.3 */
export interface WelcomeBody {
  version: number;
  capabilities: number;
  sourceCid: Uint8Array;
  nodeId: Uint8Array;
  maxDatagram: number;
  idleTimeoutMs: number;
  observed: PeerAddress;
}

/** PROTOCOL §5.14 */
export interface PexPeer extends PeerAddress {
  nodeId: Uint8Array;
  flags: number;
}

/** PROTOCOL §5.18 — a hole-punching candidate: an address and what it is (CandidateKind). */
export interface PunchCandidate extends PeerAddress {
  kind: number;
}

/** PROTOCOL §4.9 */
export interface PunchBody {
  token: Uint8Array;
  nodeId: Uint8Array;
}

/** PROTOCOL §4.4 */
export interface RejectBody {
  code: number;
  message: string;
  peers: PexPeer[];
}

/** PROTOCOL §6.1 — one signed playlist entry. */
export interface SegmentEntry {
  rendition: number;
  flags: number;
  seq: number;
  /** seq of the init segment (EXT-X-MAP) this media segment needs, or null. */
  initSeq: number | null;
  durationUs: number;
  size: number;
  /** EXT-X-PROGRAM-DATE-TIME in ms since the epoch, or 0 when absent. */
  programDateTimeMs: number;
  sha256: Uint8Array;
  signature: Uint8Array;
}

export interface Rendition {
  id: number;
  bandwidth: number;
  width: number;
  height: number;
  name: string;
  codecs: string;
}

/** PROTOCOL §6.2 — signed description of the stream. */
export interface StreamInfo {
  flags: number;
  createdAtMs: number;
  targetDurationMs: number;
  renditions: Rendition[];
  signature: Uint8Array;
}

export type SegmentKind = 'media' | 'init';

/** A byte range of a segment: `[offset, offset + length)`. */
export interface ByteRange {
  offset: number;
  length: number;
}

/**
 * PROTOCOL §6.4 — the signed piece map of a media segment: the segment cut into pieces of
 * `pieceSize` bytes (the last one shorter), each with its SHA-256, so a piece can be
 * verified (and relayed) before the whole segment has arrived.
 */
export interface PieceMap {
  entry: SegmentEntry;
  pieceSize: number;
  /** SHA-256 of each piece; there are ceil(entry.size / pieceSize) of them. */
  hashes: Uint8Array[];
  signature: Uint8Array;
}

/**
 * PROTOCOL §6.5 — the broadcaster's signed word that it stopped on purpose: no entry of
 * rendition 0 with seq >= nextSeq exists yet. Relayed across the swarm (§5.16).
 */
export interface OfflineNotice {
  /** Rendition 0's next media seq: the first seq the broadcaster would sign when it is back. */
  nextSeq: number;
  /** When it stopped, ms since the epoch (information; ordering uses nextSeq). */
  stoppedAtMs: number;
  signature: Uint8Array;
}

/** PROTOCOL §5 — one message inside a DATA packet. */
export type Frame =
  | { type: 'PING'; nonce: number }
  | { type: 'PONG'; nonce: number }
  | { type: 'GOODBYE'; code: number; message: string }
  | { type: 'ERROR'; code: number; message: string }
  | { type: 'PLAYLIST_REQUEST'; reqId: number; rendition: number; fromSeq: number }
  | { type: 'STREAM_INFO'; reqId: number; info: StreamInfo }
  | { type: 'PLAYLIST'; reqId: number; part: number; parts: number; entries: SegmentEntry[] }
  | {
      type: 'SEGMENT_REQUEST';
      reqId: number;
      rendition: number;
      kind: SegmentKind;
      seq: number;
      /** ms from the moment the request is sent until the requester needs the data; 0xffffffff = none. */
      deadlineMs: number;
      priority: number;
      /** PROTOCOL §5.7 range extension: only these bytes of the segment (peers with PIECES). */
      range?: ByteRange;
    }
  | { type: 'SEGMENT_DATA'; reqId: number; offset: number; totalSize: number; data: Uint8Array }
  | { type: 'SEGMENT_NOT_AVAILABLE'; reqId: number; reason: number }
  | { type: 'CANCEL'; reqId: number }
  | { type: 'PRIORITY'; reqId: number; priority: number; deadlineMs: number }
  | { type: 'HAVE'; entry: SegmentEntry }
  | { type: 'AVAILABILITY'; rendition: number; baseSeq: number; count: number; bitmap: Uint8Array }
  | { type: 'CHOKE' }
  | { type: 'UNCHOKE' }
  | { type: 'PIECE_MAP'; map: PieceMap }
  | {
      type: 'PIECE_HAVE';
      rendition: number;
      seq: number;
      count: number;
      bitmap: Uint8Array;
      /** PROTOCOL §5.15 flags extension, bit 0 OFFER: the sender will serve these pieces to the receiver. */
      offer?: boolean;
    }
  | { type: 'OFFLINE'; notice: OfflineNotice }
  | { type: 'PATH_STATE'; state: number }
  | { type: 'PEX_REQUEST'; max: number }
  | { type: 'PEX_RESPONSE'; peers: PexPeer[] }
  | { type: 'ADDRESSES'; nat: number; candidates: PunchCandidate[] }
  | { type: 'PUNCH_REQUEST'; nodeId: Uint8Array }
  | {
      type: 'PUNCH_CONNECT';
      token: Uint8Array;
      nodeId: Uint8Array;
      nat: number;
      role: number;
      candidates: PunchCandidate[];
    }
  | { type: 'PUNCH_FAILED'; nodeId: Uint8Array; reason: number };

export type FrameOf<T extends FrameTypeName> = Extract<Frame, { type: T }>;

/** A whole decoded datagram. Unknown frame types inside DATA are skipped (PROTOCOL §12). */
export type Packet =
  | { header: PacketHeader & { type: 'HELLO' }; body: HelloBody }
  | { header: PacketHeader & { type: 'RETRY' }; body: RetryBody }
  | { header: PacketHeader & { type: 'WELCOME' }; body: WelcomeBody }
  | { header: PacketHeader & { type: 'REJECT' }; body: RejectBody }
  | { header: PacketHeader & { type: 'DATA' }; frames: Frame[]; unknownFrames: number }
  | { header: PacketHeader & { type: 'PUNCH' }; body: PunchBody };
