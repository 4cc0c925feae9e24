// Sender side of reliability (PROTOCOL §8.3–§8.5), after RFC 9002 §6: acknowledgements,
// loss by packet threshold and time threshold, and the probe timeout with backoff.

import type { AckBlock } from '../protocol/types.js';
import { RttEstimator, TIMER_GRANULARITY_MS } from './rtt-estimator.js';
import { SentPacketWindow, SentState, type SentPacket } from './sent-packets.js';

/** RFC 9002 §6.1.1 — a packet is lost once this many later packets are acknowledged. */
export const PACKET_THRESHOLD = 3;
/** RFC 9002 §6.1.2 — …or once it is older than 9/8 of the RTT. */
export const TIME_THRESHOLD = 9 / 8;
/** Cap on the PTO backoff exponent, so a probe still goes out every ~minute at worst. */
const MAX_PTO_BACKOFF = 16;

export interface AckResult<P> {
  acked: SentPacket<P>[];
  lost: SentPacket<P>[];
  /** Bytes in flight just before this ACK was applied. */
  priorInFlight: number;
  /** The ACK acknowledged a packet number we never sent: a protocol violation. */
  invalid: boolean;
}

export class LossDetector<P> {
  readonly rtt = new RttEstimator();
  private readonly sent = new SentPacketWindow<P>();
  private nextPn = 0;
  largestAcked = -1;
  bytesInFlight = 0;
  ptoCount = 0;
  lossTime = Infinity;
  private lastAckElicitingSentAt = 0;
  private elicitingInFlight = 0;

  constructor(private readonly maxAckDelayMs: number) {}

  /** Allocates the next packet number (ack-only packets use one too, but are not tracked). */
  takePacketNumber(): number {
    return this.nextPn++;
  }

  get packetsSent(): number {
    return this.nextPn;
  }

  /** Tracks an ack-eliciting packet; it counts against the congestion window. */
  onSent(pn: number, size: number, now: number, payload: P): void {
    this.sent.push({ pn, sentAt: now, size, state: SentState.OUTSTANDING, payload });
    this.bytesInFlight += size;
    this.elicitingInFlight++;
    this.lastAckElicitingSentAt = now;
  }

  onAck(ack: AckBlock, now: number): AckResult<P> {
    const acked: SentPacket<P>[] = [];
    const priorInFlight = this.bytesInFlight;
    const largest = ack.ranges[0]![1];
    if (largest >= this.nextPn) return { acked, lost: [], priorInFlight, invalid: true };
    const head = this.sent.head;
    for (const [smallest, high] of ack.ranges) {
      if (high < head) break;
      for (let pn = high; pn >= smallest && pn >= head; pn--) {
        const p = this.sent.get(pn);
        if (p === undefined || p.state !== SentState.OUTSTANDING) continue;
        p.state = SentState.ACKED;
        this.bytesInFlight -= p.size;
        this.elicitingInFlight--;
        acked.push(p);
      }
    }
    if (largest > this.largestAcked) {
      this.largestAcked = largest;
      const newest = acked[0];
      // RFC 9002 §5.1 — sample only when the largest acknowledged is newly acknowledged.
      if (newest !== undefined && newest.pn === largest) {
        const ackDelay = Math.min(ack.delayUs / 1000, this.maxAckDelayMs);
        this.rtt.update(now - newest.sentAt, ackDelay);
      }
    }
    if (acked.length > 0) this.ptoCount = 0;
    const lost = this.detectLost(now);
    this.sent.dropResolvedHead();
    return { acked, lost, priorInFlight, invalid: false };
  }

  /** RFC 9002 §6.1 — also called when the loss timer fires. */
  detectLost(now: number): SentPacket<P>[] {
    const lost: SentPacket<P>[] = [];
    this.lossTime = Infinity;
    if (this.largestAcked < 0) return lost;
    const rtt = this.rtt;
    const lossDelay = Math.max(TIME_THRESHOLD * Math.max(rtt.latest, rtt.smoothed), TIMER_GRANULARITY_MS);
    const lostSentBefore = now - lossDelay;
    const end = Math.min(this.largestAcked, this.sent.end);
    for (let pn = this.sent.head; pn < end; pn++) {
      const p = this.sent.get(pn);
      if (p === undefined || p.state !== SentState.OUTSTANDING) continue;
      if (pn <= this.largestAcked - PACKET_THRESHOLD || p.sentAt <= lostSentBefore) {
        p.state = SentState.LOST;
        this.bytesInFlight -= p.size;
        this.elicitingInFlight--;
        lost.push(p);
      } else if (p.sentAt + lossDelay < this.lossTime) {
        this.lossTime = p.sentAt + lossDelay;
      }
    }
    if (lost.length > 0) this.sent.dropResolvedHead();
    return lost;
  }

  /** When the probe timer fires; Infinity when nothing ack-eliciting is in flight. */
  ptoDeadline(): number {
    if (this.elicitingInFlight === 0) return Infinity;
    const backoff = 2 ** Math.min(this.ptoCount, MAX_PTO_BACKOFF);
    return this.lastAckElicitingSentAt + this.rtt.pto(this.maxAckDelayMs) * backoff;
  }

  /** Earliest of the loss timer and the probe timer (RFC 9002 §6.2). */
  timerDeadline(): number {
    return this.lossTime !== Infinity ? this.lossTime : this.ptoDeadline();
  }

  onPtoFired(): void {
    this.ptoCount++;
  }

  get hasInFlight(): boolean {
    return this.elicitingInFlight > 0;
  }

  /** Outstanding packets, oldest first (for probes and for failing everything on close). */
  outstanding(): IterableIterator<SentPacket<P>> {
    return this.sent.outstanding();
  }
}
