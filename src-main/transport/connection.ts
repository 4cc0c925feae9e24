// The packet engine of one session (PROTOCOL §8–§10): packet numbers, ACKs, loss
// recovery, congestion control, pacing, the upload cap, and the liveness timers. It knows
// frames only as reliability classes; what they mean is PeerSession's business.

import {
  FRAME_HEADER_LENGTH,
  HEADER_LENGTH,
  MAX_ACK_ONLY_PACKET_LENGTH,
  SEGMENT_DATA_FIXED_LENGTH,
  SegmentDataPacket,
  encodeDataPacket,
  headerLength,
  u32At,
  writeAckOnlyPacket,
  writeSegmentDataPacket,
  type AckBlock,
  type AckOnlyPacket,
  type Frame,
  type PacketHeader,
  type PeerAddress,
} from '../protocol/index.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import type { Clock, TimerHandle } from './clock.js';
import { guardedClock, wireTimestamp } from './clock.js';
import { keepaliveInterval, type TransportConfig } from './config.js';
import { AckTracker } from './ack-tracker.js';
import { ControlQueue, type ControlTotals } from './control-queue.js';
import { Ledbat } from './ledbat.js';
import { LossDetector } from './loss-detector.js';
import { Pacer } from './pacer.js';
import { PacketRateMeter } from './packet-rate-meter.js';
import { ResponseScheduler, SegmentResponse } from './segment-responses.js';
import type { UploadLimiter } from './upload-limiter.js';

/** Packets one flush may send before yielding to the event loop (ACKs must get in). */
const MAX_PACKETS_PER_FLUSH = 128;
/** Upload-cap ordering: a response of priority p+1 waits behind priority p unless its deadline is this much earlier. */
const URGENCY_STEP_MS = 60_000;
/** Consecutive PTOs after which the window collapses (RFC 9002 §7.6, simplified). */
const PERSISTENT_CONGESTION_PTOS = 3;

/** What a tracked packet carried: a fragment of a response (aux: its offset) or control frames. */
type PacketContents = SegmentResponse | Frame[];

export interface ConnectionHost {
  clock: Clock;
  config: TransportConfig;
  limiter: UploadLimiter;
  /** Run `flush` soon, batched with other sessions after the current I/O. */
  scheduleFlush(c: Connection): void;
  /** True when the socket is done with `buf` already (it may be reused at once). */
  send(buf: Buffer, to: PeerAddress): boolean;
  /** A fault inside this session (see Connection.fail): counted and reported once. */
  onFault(c: Connection, error: ShoalError): void;
  /** The peer made this session overrun a per-peer limit (see closeOverLimit): counted. */
  onResourceLimit(c: Connection, error: ShoalError): void;
  /** Control frames all sessions of the endpoint hold, and their bytes (see ControlQueue). */
  readonly controlTotals: ControlTotals;
}

export interface ConnectionEvents {
  frames(frames: Frame[], now: number): void;
  /** A packet whose one frame is SEGMENT_DATA, read in place (see segmentDataLength). */
  segmentData(datagram: Uint8Array, dataLength: number, now: number): void;
  closed(reason: ShoalError): void;
}

export interface ConnectionCounters {
  packetsSent: number;
  packetsReceived: number;
  packetsLost: number;
  duplicatePackets: number;
  invalidAcks: number;
  bytesSent: number;
  bytesReceived: number;
  controlRetransmitted: number;
  payloadBytesSent: number;
}

export class Connection {
  readonly loss: LossDetector<PacketContents>;
  readonly acks: AckTracker;
  readonly cc: Ledbat;
  readonly pacer: Pacer;
  readonly responses = new ResponseScheduler();
  readonly fragmentSize: number;
  readonly sendRate = new PacketRateMeter();
  readonly recvRate = new PacketRateMeter();
  readonly counters: ConnectionCounters = {
    packetsSent: 0,
    packetsReceived: 0,
    packetsLost: 0,
    duplicatePackets: 0,
    invalidAcks: 0,
    bytesSent: 0,
    bytesReceived: 0,
    controlRetransmitted: 0,
    payloadBytesSent: 0,
  };
  /** PROTOCOL §8.6, §13.4 — control frames queued, to be resent and in flight, bounded. */
  private readonly control: ControlQueue;
  /** When an ACK last acknowledged something new, or the flight last started from empty. */
  private ackProgressAt: number;
  private owdSample = 0;
  private lastReceivedAt: number;
  private lastSentAt: number;
  private pacerWakeAt = Infinity;
  private timer: TimerHandle | null = null;
  private timerAt = Infinity;
  private readonly keepaliveMs: number;
  private readonly wakeForTokens = (): void => this.host.scheduleFlush(this);
  private readonly onTimerGuarded = (): void => this.guard(() => this.onTimer());
  /** The session's timers (this connection's and its requests'): a throw closes the session. */
  readonly clock: Clock;
  private faulted = false;
  private pingNonce = 0;
  /** The bulk receive path asked the endpoint for a flush (cleared when flush runs). */
  private flushQueued = false;
  /** A datagram buffer the socket gave back: the next fragment is written into it. */
  private spare: Buffer | null = null;
  /** The same for ACK-only packets. */
  private ackSpare: Buffer | null = null;
  /** The last flush ran out of data to send (or hit the upload cap) before cwnd or pacing stopped it. */
  private appLimited = true;
  closed = false;

  constructor(
    private readonly host: ConnectionHost,
    readonly remote: PeerAddress,
    private readonly remoteCid: Uint8Array,
    readonly maxDatagram: number,
    readonly idleTimeoutMs: number,
    private readonly events: ConnectionEvents,
  ) {
    const cfg = host.config;
    this.loss = new LossDetector<PacketContents>(cfg.maxAckDelayMs, {
      acked: (_pn, contents, aux, size) => {
        if (contents instanceof SegmentResponse) {
          this.responses.onAcked(contents);
          return;
        }
        this.control.onAcked(contents, size);
        // PROTOCOL §8.2: the peer has our ACK block up to aux - 1; those ranges need not be repeated.
        if (aux > 0) this.acks.forgetUpTo(aux - 1);
      },
      lost: (_pn, contents, offset, size, sentAt, now) =>
        this.onPacketLost(contents, offset, size, sentAt, now),
    });
    this.acks = new AckTracker({
      ackEveryPackets: cfg.ackEveryPackets,
      maxAckDelayMs: cfg.maxAckDelayMs,
      maxRanges: cfg.maxAckRanges,
    });
    this.cc = new Ledbat({ ...cfg.congestion, mss: maxDatagram });
    this.pacer = new Pacer(maxDatagram);
    // PROTOCOL §7.1 — fixed per session so a retransmission repeats offset and length exactly.
    this.fragmentSize = maxDatagram - HEADER_LENGTH - FRAME_HEADER_LENGTH - SEGMENT_DATA_FIXED_LENGTH;
    this.keepaliveMs = keepaliveInterval(cfg, idleTimeoutMs);
    this.clock = guardedClock(host.clock, (err) => this.fail(err));
    this.control = new ControlQueue(cfg, host.controlTotals);
    const now = host.clock.now();
    this.lastReceivedAt = now;
    this.lastSentAt = now;
    this.ackProgressAt = now;
  }

  /** The handshake gave a first RTT sample (client: HELLO→WELCOME). */
  seedRtt(sampleMs: number): void {
    this.loss.rtt.update(sampleMs, 0);
    this.pacer.update(this.cc.cwnd, this.loss.rtt.smoothed, true);
  }

  start(): void {
    this.armTimer(this.host.clock.now());
  }

  // ---- sending -------------------------------------------------------------------------

  /**
   * Queues a frame; everything but PING/PONG is retransmitted until acknowledged. Over the
   * session's control budget the session is closed instead (closeOverLimit).
   */
  queueControl(frame: Frame): void {
    if (this.closed) return;
    const over = this.control.add(frame);
    if (over !== null) return this.closeOverLimit(over);
    this.host.scheduleFlush(this);
  }

  /** Control frames held (queued, to be resent or unacknowledged) and their bytes (§13.4). */
  get controlHeld(): { frames: number; bytes: number; inFlightBytes: number } {
    return this.control.held;
  }

  sendPing(): void {
    this.queueControl({ type: 'PING', nonce: (this.pingNonce = (this.pingNonce + 1) >>> 0) });
  }

  addResponse(r: SegmentResponse): void {
    this.responses.add(r);
    this.host.scheduleFlush(this);
  }

  get halfRtt(): number {
    return this.loss.rtt.smoothed / 2;
  }

  flush(): void {
    this.flushQueued = false;
    if (this.closed) return;
    const now = this.host.clock.now();
    let budget = MAX_PACKETS_PER_FLUSH;
    while (budget > 0) {
      // PROTOCOL §8.6 — control frames wait once the control window is in flight (a probe
      // goes anyway): a peer that acknowledges nothing cannot make us send without end.
      if (this.control.sendable) this.sendControlPacket(now);
      else if (this.acks.ackDeadline() <= now) this.sendAckOnly(now);
      else break;
      budget--;
    }
    this.pacerWakeAt = Infinity;
    const halfRtt = this.halfRtt;
    const cwnd = this.cc.cwnd;
    while (budget > 0) {
      const r = this.responses.pick(now, halfRtt);
      if (r === null) {
        // RFC 9002 §7.8 — an unused window must not grow (pacing- or cwnd-limited is not app-limited).
        this.appLimited = true;
        break;
      }
      this.appLimited = false;
      const size = this.maxDatagram;
      if (this.loss.bytesInFlight + size > cwnd) break;
      if (!this.pacer.tryConsume(size, now)) {
        this.pacerWakeAt = this.pacer.nextSendTime(size, now);
        break;
      }
      // Under the cap, the node's most urgent response goes first, across sessions.
      const rank = r.priority * URGENCY_STEP_MS + r.deadline;
      if (!this.host.limiter.tryTake(size, rank, this.wakeForTokens)) {
        this.pacer.refund(size);
        // The upload cap binds: the window may still grow (bounded by the flight-size cap)
        // so that pacing at cwnd/srtt never ends up below the cap.
        this.host.limiter.whenAvailable(this.wakeForTokens, size, rank);
        break;
      }
      this.sendFragment(r, this.responses.takeFragment(r), now);
      budget--;
    }
    if (budget === 0) this.host.scheduleFlush(this);
    this.armTimer(now);
  }

  private header(now: number, withAck: boolean): Omit<PacketHeader, 'type'> {
    const h: Omit<PacketHeader, 'type'> = {
      dcid: this.remoteCid,
      pn: this.loss.takePacketNumber(),
      timestamp: wireTimestamp(now),
      timestampDiff: this.owdSample,
    };
    // PROTOCOL §8.2 — only an owed ACK rides along: a block the peer already has is dead weight.
    if (withAck && this.acks.ackPending) h.ack = this.acks.build(now);
    return h;
  }

  /** Control frames (and the ACK) in one packet; they ignore cwnd and pacing, not the control window. */
  private sendControlPacket(now: number): void {
    const header = this.header(now, true);
    const frames = this.control.take(this.maxDatagram - headerLength(header));
    const buf = encodeDataPacket(header, frames ?? []);
    // The largest pn this ACK block acknowledges, + 1 (0 = none): see the `acked` sink.
    const ackedUpTo = header.ack ? header.ack.ranges[0]![1] + 1 : 0;
    if (header.ack) this.acks.onAckSent();
    this.transmit(buf, now);
    this.host.limiter.charge(buf.length);
    if (frames !== null) {
      if (!this.loss.hasInFlight) this.ackProgressAt = now;
      this.control.onSent(buf.length);
      this.loss.onSent(header.pn, buf.length, now, frames, ackedUpTo);
    }
  }

  /** PROTOCOL §8.1 — an ACK no control frame carries, written into a reused buffer. */
  private sendAckOnly(now: number): void {
    const buf = this.ackSpare ?? Buffer.allocUnsafe(MAX_ACK_ONLY_PACKET_LENGTH);
    this.ackSpare = null;
    const pn = this.loss.takePacketNumber();
    const ack = this.acks.build(now);
    const size = writeAckOnlyPacket(buf, this.remoteCid, pn, wireTimestamp(now), this.owdSample, ack);
    this.acks.onAckSent();
    if (this.transmit(buf.subarray(0, size), now)) this.ackSpare = buf;
    this.host.limiter.charge(size);
  }

  /** PROTOCOL §7.1 — one fragment, alone in its packet, without an ACK block (§8.2). */
  private sendFragment(r: SegmentResponse, offset: number, now: number): void {
    const pn = this.loss.takePacketNumber();
    const length = r.fragmentLength(offset);
    const buf = this.spare ?? Buffer.allocUnsafe(this.maxDatagram);
    this.spare = null;
    const size = writeSegmentDataPacket(
      buf,
      this.remoteCid,
      pn,
      wireTimestamp(now),
      this.owdSample,
      r.reqId,
      r.data,
      offset,
      length,
    );
    if (this.transmit(size === buf.length ? buf : buf.subarray(0, size), now)) this.spare = buf;
    this.counters.payloadBytesSent += length;
    if (!this.loss.hasInFlight) this.ackProgressAt = now;
    this.loss.onSent(pn, size, now, r, offset);
  }

  /** True when `buf` may be reused (see ConnectionHost.send). */
  private transmit(buf: Buffer, now: number): boolean {
    const released = this.host.send(buf, this.remote);
    this.counters.packetsSent++;
    this.counters.bytesSent += buf.length;
    this.sendRate.add(buf.length, now);
    this.lastSentAt = now;
    return released;
  }

  // ---- receiving -----------------------------------------------------------------------

  /** A DATA packet for this session from the right address, decoded. */
  onPacket(header: PacketHeader, frames: Frame[], size: number, now: number): void {
    const eliciting = frames.length > 0;
    if (!this.accept(header.pn, header.timestamp, header.timestampDiff, eliciting, size, now)) return;
    if (header.ack) this.onAck(header.ack, now);
    if (eliciting) this.events.frames(frames, now);
    this.afterPacket(now);
  }

  /** An ACK-only packet read in place (readAckOnlyPacket): onPacket without frames. */
  onAckOnlyPacket(p: AckOnlyPacket, size: number, now: number): void {
    if (!this.accept(p.pn, p.timestamp, p.timestampDiff, false, size, now)) return;
    this.onAck(p.ack, now);
    this.afterPacket(now);
  }

  /**
   * The bulk path: a DATA packet for this session, from the right address, with no ACK
   * block and one SEGMENT_DATA frame of `dataLength` bytes (segmentDataLength said so).
   */
  onSegmentDataPacket(d: Uint8Array, dataLength: number, now: number): void {
    const P = SegmentDataPacket;
    const ackWasOwed = this.acks.ackPending;
    if (
      !this.accept(u32At(d, P.PN), u32At(d, P.TIMESTAMP), u32At(d, P.TIMESTAMP_DIFF), true, d.length, now)
    ) {
      return;
    }
    this.events.segmentData(d, dataLength, now);
    if (this.closed) return;
    if (this.acks.ackDeadline() <= now) {
      // Every packet of the burst owes the ACK: ask the endpoint once.
      if (!this.flushQueued) {
        this.flushQueued = true;
        this.host.scheduleFlush(this);
      }
    }
    // Without an ACK block a packet only pushes the timers later (idle), except that the
    // first one owing an ACK sets the ACK deadline: re-arm only then.
    else if (!ackWasOwed || this.timer === null) this.armTimer(now);
  }

  /** What every packet does; false if its frames must not be processed (closed, duplicate). */
  private accept(
    pn: number,
    timestamp: number,
    timestampDiff: number,
    ackEliciting: boolean,
    size: number,
    now: number,
  ): boolean {
    if (this.closed) return false;
    this.lastReceivedAt = now;
    this.counters.packetsReceived++;
    this.counters.bytesReceived += size;
    this.recvRate.add(size, now);
    if (!this.acks.onPacket(pn, ackEliciting, now)) {
      this.counters.duplicatePackets++;
      return false;
    }
    // PROTOCOL §9.1 — our one-way delay sample of the peer's packets, echoed in our headers.
    this.owdSample = (wireTimestamp(now) - timestamp) >>> 0 || 1;
    if (timestampDiff !== 0) this.cc.onDelaySample(timestampDiff, now);
    return true;
  }

  private afterPacket(now: number): void {
    if (this.closed) return;
    if (this.acks.ackDeadline() <= now) this.host.scheduleFlush(this);
    else this.armTimer(now);
  }

  private onAck(ack: AckBlock, now: number): void {
    // Acked and lost packets go to the detector's sink as they are found.
    const res = this.loss.onAck(ack, now);
    if (res.invalid) {
      this.counters.invalidAcks++;
      return;
    }
    if (res.lost > 0) this.afterLoss();
    if (res.ackedBytes > 0) {
      this.ackProgressAt = now;
      const appLimited = this.appLimited && res.priorInFlight < this.cc.cwnd / 2;
      this.cc.onAcked(res.ackedBytes, appLimited, res.priorInFlight);
      this.host.scheduleFlush(this);
    }
    this.pacer.update(this.cc.cwnd, this.loss.rtt.smoothed, this.cc.inSlowStart);
  }

  /** One packet declared lost (from the loss detector); `afterLoss` follows. */
  private onPacketLost(
    contents: PacketContents,
    offset: number,
    size: number,
    sentAt: number,
    now: number,
  ): void {
    this.counters.packetsLost++;
    this.cc.onLoss(sentAt, now);
    if (contents instanceof SegmentResponse) {
      this.responses.onLost(contents, offset, now, this.halfRtt);
      return;
    }
    this.control.onLost(contents, size);
  }

  private afterLoss(): void {
    this.counters.controlRetransmitted += this.control.requeueLost();
    this.host.scheduleFlush(this);
  }

  // ---- timers --------------------------------------------------------------------------

  private armTimer(now: number): void {
    if (this.closed) return;
    const ackAt = this.acks.ackDeadline();
    const at = Math.min(
      this.loss.timerDeadline(),
      ackAt === 0 ? now : ackAt,
      this.pacerWakeAt,
      this.lastSentAt + this.keepaliveMs,
      this.lastReceivedAt + this.idleTimeoutMs,
      this.loss.hasInFlight ? this.ackProgressAt + this.idleTimeoutMs : Infinity,
    );
    if (this.timer !== null && at >= this.timerAt - 0.05) return;
    if (this.timer !== null) this.host.clock.clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = this.host.clock.setTimeout(this.onTimerGuarded, at - now);
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.closed) return;
    const now = this.host.clock.now();
    if (now - this.lastReceivedAt >= this.idleTimeoutMs) {
      this.close(ShoalError.peerTimeout(`${this.remote.host}:${this.remote.port}`));
      return;
    }
    // PROTOCOL §10.5 — a peer that keeps sending but acknowledges nothing of ours for the
    // idle timeout is as gone as a silent one (its packets keep the idle and probe timers
    // from firing while what we sent it piles up).
    if (this.loss.hasInFlight && now - this.ackProgressAt >= this.idleTimeoutMs) {
      this.close(
        ShoalError.peerTimeout(`${this.remote.host}:${this.remote.port} (acknowledged nothing in flight)`),
      );
      return;
    }
    if (this.loss.lossTime <= now) {
      if (this.loss.detectLost(now) > 0) this.afterLoss();
    } else if (this.loss.ptoDeadline() <= now) {
      this.loss.onPtoFired();
      const ptos = this.loss.ptoCount;
      if (ptos >= this.host.config.deadAfterPtos) {
        this.close(
          ShoalError.peerTimeout(`${this.remote.host}:${this.remote.port} (${ptos} probe timeouts)`),
        );
        return;
      }
      if (ptos >= PERSISTENT_CONGESTION_PTOS) this.cc.onPersistentCongestion(now);
      // RFC 9002 §6.2.4 — a probe that elicits an ACK, so loss detection can run: first in
      // the queue, and sent even when the control window is full.
      const over = this.control.addProbe({
        type: 'PING',
        nonce: (this.pingNonce = (this.pingNonce + 1) >>> 0),
      });
      if (over !== null) return this.closeOverLimit(over);
    }
    if (now - this.lastSentAt >= this.keepaliveMs) this.sendPing();
    this.flush();
  }

  // ---- faults --------------------------------------------------------------------------

  /** Runs `fn`; an exception closes this session instead of escaping (see fail). */
  guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fail(err);
    }
  }

  /**
   * A fault while this session handled a datagram, a timer or a listener: a bug or a
   * state a hostile peer steered us into. It closes this session alone, with GOODBYE
   * PROTOCOL_VIOLATION when the peer broke a rule and INTERNAL otherwise; the host counts
   * and reports it once. Every other session and the process carry on (issue 15).
   */
  fail(err: unknown): void {
    // After the close, a throw (e.g. a listener sending on the closed session) is no fault.
    if (this.faulted || this.closed) return;
    this.faulted = true;
    const violation = err instanceof ShoalError && err.code === ErrorCode.PROTOCOL_VIOLATION;
    const reason = violation
      ? err
      : ShoalError.internal(`fault in the session with ${this.remote.host}:${this.remote.port}`, err);
    this.host.onFault(this, reason);
    if (this.closed) return;
    try {
      this.sendGoodbye(reason.code, violation ? reason.message : 'internal error');
    } catch {
      // the GOODBYE is best effort; closing below is what matters
    }
    this.close(reason);
  }

  // ---- closing -------------------------------------------------------------------------

  /**
   * PROTOCOL §13.4 — the peer made this session overrun a per-peer limit (control budget,
   * request rate): GOODBYE RESOURCE_LIMIT and close. Other sessions are not affected.
   */
  closeOverLimit(what: string): void {
    if (this.closed) return;
    const reason = ShoalError.resourceLimit(`${what} (peer ${this.remote.host}:${this.remote.port})`);
    this.host.onResourceLimit(this, reason);
    this.sendGoodbye(ErrorCode.RESOURCE_LIMIT, what);
    this.close(reason);
  }

  /** Sends a GOODBYE at once (best effort, not retransmitted). */
  sendGoodbye(code: number, message: string): void {
    if (this.closed) return;
    const now = this.host.clock.now();
    const header = this.header(now, true);
    this.transmit(encodeDataPacket(header, [{ type: 'GOODBYE', code, message }]), now);
  }

  close(reason: ShoalError): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer !== null) this.host.clock.clearTimeout(this.timer);
    this.timer = null;
    this.host.limiter.cancel(this.wakeForTokens);
    this.responses.clear();
    // Nothing held for the peer outlives the session (PROTOCOL §13.4).
    this.control.clear();
    this.loss.clear();
    this.events.closed(reason);
  }

  get lastHeardAt(): number {
    return this.lastReceivedAt;
  }
}
