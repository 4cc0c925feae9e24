// One established connection to a peer, as the layers above see it (PROTOCOL §5, §7,
// §10): control frames, segment and playlist requests in both directions, stats, close.

import {
  MAX_PLAYLIST_ENTRIES_PER_FRAME,
  MAX_SEGMENT_SIZE,
  NotAvailableReason,
  SegmentDataPacket,
  u32At,
  type ByteRange,
  type Frame,
  type FrameOf,
  type PeerAddress,
  type SegmentEntry,
  type SegmentKind,
  type StreamInfo,
} from '../protocol/index.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import type { Connection } from './connection.js';
import { FrameRateLimiter } from './frame-rates.js';
import {
  NO_DEADLINE,
  RequestBook,
  type PlaylistResult,
  type SegmentRequestHandle,
  type SegmentRequestOptions,
} from './request-book.js';
import type { MemoryBudget } from './reassembly.js';
import type { SegmentBufferPool } from './segment-buffer-pool.js';
import { SegmentResponse } from './segment-responses.js';
import { TransportError } from './transport-errors.js';
import type { Clock } from './clock.js';

/** Request ids remembered on the serving side, so a spurious retransmission is not served twice. */
const SEEN_REQUESTS = 4096;
const DEFAULT_PLAYLIST_TIMEOUT_MS = 5_000;

export interface IncomingSegmentRequest {
  reqId: number;
  rendition: number;
  kind: SegmentKind;
  seq: number;
  /** As sent by the requester; NO_DEADLINE (0xffffffff) = none. */
  deadlineMs: number;
  priority: number;
  /** PROTOCOL §5.7 range extension: answer with exactly these bytes of the segment. */
  range?: ByteRange;
  /** The requester cancelled, or the session closed: answering is a no-op. */
  readonly cancelled: boolean;
  /** Sends the segment. The bytes must not change until the transfer ends (no copy is made). */
  respond(data: Uint8Array): void;
  notAvailable(reason: number): void;
}

export interface IncomingPlaylistRequest {
  reqId: number;
  rendition: number;
  fromSeq: number;
  /** STREAM_INFO plus PLAYLIST parts of at most 8 entries (PROTOCOL §5.3). */
  respond(info: StreamInfo, entries: SegmentEntry[]): void;
  notAvailable(reason: number): void;
}

export type PeerSessionEvents = {
  segmentRequest: IncomingSegmentRequest;
  playlistRequest: IncomingPlaylistRequest;
  /** HAVE, AVAILABILITY, CHOKE, UNCHOKE, PEX_REQUEST, PEX_RESPONSE, OFFLINE, ERROR and unknown-to-us types. */
  frame: Frame;
  closed: ShoalError;
};

export interface PeerSessionStats {
  srttMs: number;
  rttVarMs: number;
  minRttMs: number;
  latestRttMs: number;
  /** Packets declared lost / ack-eliciting packets sent. */
  lossRate: number;
  cwndBytes: number;
  bytesInFlight: number;
  queuingDelayMs: number;
  pacingBytesPerSec: number;
  bytesSent: number;
  bytesReceived: number;
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  duplicatePackets: number;
  controlFramesRetransmitted: number;
  fragmentsSent: number;
  fragmentsRetransmitted: number;
  /** Lost fragments dropped because they could no longer meet the requester's deadline. */
  fragmentsExpired: number;
  responsesAbandoned: number;
  payloadBytesSent: number;
  payloadBytesReceived: number;
  sendBytesPerSec: number;
  recvBytesPerSec: number;
  pendingRequests: number;
  activeResponses: number;
  reassemblyBytes: number;
}

export interface PeerIdentity {
  direction: 'inbound' | 'outbound';
  streamId: Uint8Array;
  nodeId: Uint8Array;
  capabilities: number;
  /** Our address as the peer sees it (outbound sessions, from WELCOME). */
  observedAddress: PeerAddress | null;
}

export class PeerSession extends TypedEmitter<PeerSessionEvents> {
  readonly remote: PeerAddress;
  readonly direction: 'inbound' | 'outbound';
  readonly streamId: Uint8Array;
  readonly peerNodeId: Uint8Array;
  readonly peerCapabilities: number;
  readonly observedAddress: PeerAddress | null;
  private readonly requests: RequestBook;
  private readonly seen = new Set<number>();
  /** Incoming requests not yet answered, so CANCEL can mark them. */
  private readonly incoming = new Map<number, { cancelled: boolean }>();
  /** PROTOCOL §13.4 — the peer's rate of requests and announcements that make us work. */
  private readonly rates = new FrameRateLimiter();
  private closeReason: ShoalError | null = null;

  constructor(
    readonly connection: Connection,
    identity: PeerIdentity,
    private readonly clock: Clock,
    private readonly budget: MemoryBudget,
    private readonly pool: SegmentBufferPool,
    maxPendingRequests: number,
    private readonly maxActiveResponses: number,
  ) {
    // A listener that throws (the swarm handling a frame or a request) is a fault inside
    // this session: it closes the session, never the process (PROTOCOL §10.8).
    super((err) => connection.fail(err));
    this.remote = connection.remote;
    this.direction = identity.direction;
    this.streamId = identity.streamId;
    this.peerNodeId = identity.nodeId;
    this.peerCapabilities = identity.capabilities;
    this.observedAddress = identity.observedAddress;
    this.requests = new RequestBook({
      clock: connection.clock,
      budget,
      pool,
      maxPending: maxPendingRequests,
      sendControl: (f) => connection.queueControl(f),
    });
  }

  /** Smoothed RTT in ms, or null before any packet came back (cheap: no stats() object). */
  get srttMs(): number | null {
    return this.connection.counters.packetsReceived > 0 ? this.connection.loss.rtt.smoothed : null;
  }

  /** Milliseconds since anything was last received from the peer. */
  get silentMs(): number {
    return this.clock.now() - this.connection.lastHeardAt;
  }

  /** Responses this session is serving now (cheap: no stats() object). */
  get activeResponses(): number {
    return this.connection.responses.size;
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  get reason(): ShoalError | null {
    return this.closeReason;
  }

  /** Reliable control frames sent and not yet acknowledged (0: the peer has all we sent). */
  get unacknowledgedFrames(): number {
    return this.connection.controlHeld.frames;
  }

  /** Control frames: reliable (retransmitted until acked), except PING/PONG. */
  send(frame: Frame): void {
    if (this.closeReason) throw this.closeReason;
    if (frame.type === 'SEGMENT_DATA' || frame.type === 'GOODBYE') {
      throw ShoalError.internal(`${frame.type} is sent by respond()/close(), not send()`);
    }
    this.connection.queueControl(frame);
  }

  requestSegment(opts: SegmentRequestOptions): SegmentRequestHandle {
    return this.requests.requestSegment(opts);
  }

  /**
   * Gives back a segment a request resolved with, once nothing reads or keeps it any more:
   * a later reassembly of the same size may write into it (saves allocating and faulting
   * in fresh memory per segment). Optional; a segment not given back is left to the GC.
   */
  releaseSegment(data: Buffer): void {
    this.pool.give(data);
  }

  requestPlaylist(
    opts: { rendition: number; fromSeq: number },
    timeoutMs = DEFAULT_PLAYLIST_TIMEOUT_MS,
  ): Promise<PlaylistResult> {
    return this.requests.requestPlaylist(opts.rendition, opts.fromSeq, timeoutMs);
  }

  /** Sends GOODBYE and closes; pending requests fail with CLOSED. */
  close(code: number = ErrorCode.CLOSED, message = 'closed'): void {
    if (this.closeReason) return;
    this.connection.sendGoodbye(code, message);
    this.connection.close(new ShoalError(code, message));
  }

  // ---- called by the Connection ----------------------------------------------------------

  onFrames(frames: Frame[], now: number): void {
    for (const f of frames) {
      if (this.closeReason) return;
      if (!this.rates.take(f.type, now)) {
        this.connection.closeOverLimit(`too many ${f.type} frames`);
        return;
      }
      this.onFrame(f, now);
    }
  }

  /** The bulk path: a datagram whose one frame is SEGMENT_DATA (PROTOCOL §5.8), read in place. */
  onSegmentDataPacket(d: Uint8Array, dataLength: number): void {
    if (this.closeReason) return;
    const P = SegmentDataPacket;
    this.requests.onSegmentBytes(
      u32At(d, P.REQ_ID),
      u32At(d, P.OFFSET),
      u32At(d, P.TOTAL_SIZE),
      d,
      P.DATA,
      P.DATA + dataLength,
    );
  }

  private onFrame(f: Frame, now: number): void {
    switch (f.type) {
      case 'SEGMENT_DATA':
        return this.requests.onSegmentData(f);
      case 'SEGMENT_NOT_AVAILABLE':
        return this.requests.onNotAvailable(f);
      case 'STREAM_INFO':
        return this.requests.onStreamInfo(f);
      case 'PLAYLIST':
        return this.requests.onPlaylist(f);
      case 'SEGMENT_REQUEST':
        return this.onSegmentRequest(f, now);
      case 'PLAYLIST_REQUEST':
        return this.onPlaylistRequest(f);
      case 'CANCEL': {
        this.connection.responses.cancel(f.reqId);
        const pending = this.incoming.get(f.reqId);
        if (pending) pending.cancelled = true;
        this.incoming.delete(f.reqId);
        return;
      }
      case 'PRIORITY':
        this.connection.responses.reprioritize(f.reqId, f.priority, this.localDeadline(f.deadlineMs, now));
        return;
      case 'PING':
        this.connection.queueControl({ type: 'PONG', nonce: f.nonce });
        return;
      case 'PONG':
        return;
      case 'GOODBYE':
        this.connection.close(
          ShoalError.peerGone(`${this.remote.host}:${this.remote.port}`, `said goodbye: ${f.message}`),
        );
        return;
      default:
        this.emit('frame', f);
    }
  }

  /**
   * PROTOCOL §8.4 — the requester needs the data deadlineMs after it sent the request,
   * which left it about srtt/2 ago: a fragment must arrive by now + deadlineMs − srtt/2.
   */
  private localDeadline(deadlineMs: number, now: number): number {
    return deadlineMs === NO_DEADLINE ? Infinity : now + deadlineMs - this.connection.halfRtt;
  }

  /** Remembers a request id; false if it was already seen (a spurious retransmission). */
  private firstSighting(reqId: number): boolean {
    if (this.seen.has(reqId)) return false;
    this.seen.add(reqId);
    if (this.seen.size > SEEN_REQUESTS) this.seen.delete(this.seen.values().next().value as number);
    return true;
  }

  private onSegmentRequest(f: FrameOf<'SEGMENT_REQUEST'>, now: number): void {
    if (!this.firstSighting(f.reqId)) return;
    const notAvailable = (reason: number): void =>
      this.connection.queueControl({ type: 'SEGMENT_NOT_AVAILABLE', reqId: f.reqId, reason });
    if (this.listenerCount('segmentRequest') === 0) return notAvailable(NotAvailableReason.UNKNOWN);
    if (this.connection.responses.size + this.incoming.size >= this.maxActiveResponses) {
      return notAvailable(NotAvailableReason.OVERLOADED);
    }
    const state = { cancelled: false };
    this.incoming.set(f.reqId, state);
    const answer = (): boolean => {
      if (state.cancelled || this.closeReason) return false;
      state.cancelled = true; // answered: a second answer is a no-op
      this.incoming.delete(f.reqId);
      return true;
    };
    const deadline = this.localDeadline(f.deadlineMs, now);
    const isClosed = (): boolean => this.closeReason !== null;
    this.emit('segmentRequest', {
      reqId: f.reqId,
      rendition: f.rendition,
      kind: f.kind,
      seq: f.seq,
      deadlineMs: f.deadlineMs,
      priority: f.priority,
      ...(f.range ? { range: f.range } : {}),
      get cancelled() {
        return state.cancelled || isClosed();
      },
      respond: (data) => {
        if (data.length > MAX_SEGMENT_SIZE) throw TransportError.tooLarge(`a ${data.length}-byte segment`);
        if (!answer()) return;
        const c = this.connection;
        c.addResponse(new SegmentResponse(f.reqId, data, c.fragmentSize, f.priority, deadline));
      },
      notAvailable: (reason) => {
        if (answer()) notAvailable(reason);
      },
    });
  }

  private onPlaylistRequest(f: FrameOf<'PLAYLIST_REQUEST'>): void {
    if (!this.firstSighting(f.reqId)) return;
    const notAvailable = (reason: number): void =>
      this.connection.queueControl({ type: 'SEGMENT_NOT_AVAILABLE', reqId: f.reqId, reason });
    if (this.listenerCount('playlistRequest') === 0) return notAvailable(NotAvailableReason.UNKNOWN);
    let answered = false;
    this.emit('playlistRequest', {
      reqId: f.reqId,
      rendition: f.rendition,
      fromSeq: f.fromSeq,
      respond: (info, entries) => {
        const parts = Math.max(1, Math.ceil(entries.length / MAX_PLAYLIST_ENTRIES_PER_FRAME));
        if (parts > 255) throw TransportError.tooLarge(`a playlist of ${entries.length} entries`);
        if (answered || this.closeReason) return;
        answered = true;
        const c = this.connection;
        c.queueControl({ type: 'STREAM_INFO', reqId: f.reqId, info });
        for (let part = 0; part < parts; part++) {
          const slice = entries.slice(
            part * MAX_PLAYLIST_ENTRIES_PER_FRAME,
            (part + 1) * MAX_PLAYLIST_ENTRIES_PER_FRAME,
          );
          c.queueControl({ type: 'PLAYLIST', reqId: f.reqId, part, parts, entries: slice });
        }
      },
      notAvailable: (reason) => {
        if (answered || this.closeReason) return;
        answered = true;
        notAvailable(reason);
      },
    });
  }

  /** The Connection closed (any reason): fail everything pending, tell listeners once. */
  onClosed(reason: ShoalError): void {
    if (this.closeReason) return;
    this.closeReason = reason;
    for (const s of this.incoming.values()) s.cancelled = true;
    this.incoming.clear();
    this.requests.failAll(reason);
    this.emit('closed', reason);
  }

  stats(): PeerSessionStats {
    const c = this.connection;
    const rtt = c.loss.rtt;
    const now = this.clock.now();
    const rs = c.responses.stats;
    const k = c.counters;
    const eliciting = c.loss.packetsSent;
    return {
      srttMs: rtt.smoothed,
      rttVarMs: rtt.variance,
      minRttMs: rtt.hasSample ? rtt.min : rtt.smoothed,
      latestRttMs: rtt.latest,
      lossRate: eliciting > 0 ? k.packetsLost / eliciting : 0,
      cwndBytes: c.cc.cwnd,
      bytesInFlight: c.loss.bytesInFlight,
      queuingDelayMs: c.cc.queuingDelayMs,
      pacingBytesPerSec: c.pacer.bytesPerSecond,
      bytesSent: k.bytesSent,
      bytesReceived: k.bytesReceived,
      packetsSent: k.packetsSent,
      packetsReceived: k.packetsReceived,
      packetsLost: k.packetsLost,
      duplicatePackets: k.duplicatePackets,
      controlFramesRetransmitted: k.controlRetransmitted,
      fragmentsSent: rs.fragmentsSent,
      fragmentsRetransmitted: rs.fragmentsRetransmitted,
      fragmentsExpired: rs.fragmentsExpired,
      responsesAbandoned: rs.responsesAbandoned,
      payloadBytesSent: k.payloadBytesSent,
      payloadBytesReceived: this.requests.stats.payloadBytesReceived,
      sendBytesPerSec: c.sendRate.rate(now),
      recvBytesPerSec: c.recvRate.rate(now),
      pendingRequests: this.requests.pendingCount,
      activeResponses: c.responses.size,
      reassemblyBytes: this.budget.used,
    };
  }

  /** Requester-side counters (unknown data, duplicates, rejected fragments). */
  requestStats(): RequestBook['stats'] {
    return this.requests.stats;
  }
}
