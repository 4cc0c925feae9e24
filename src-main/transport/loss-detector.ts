// Sender side of reliability (PROTOCOL §8.3–§8.5), after RFC 9002 §6: acknowledgements,
// loss by packet threshold and time threshold, and the probe timeout with backoff.

import type { AckBlock } from '../protocol/types.js';
import { RttEstimator, TIMER_GRANULARITY_MS } from './rtt-estimator.js';
import { SentPacketWindow, SentState } from './sent-packets.js';

/** RFC 9002 §6.1.1 — a packet is lost once this many later packets are acknowledged. */
export const PACKET_THRESHOLD = 3;
/** RFC 9002 §6.1.2 — …or once it is older than 9/8 of the RTT. */
export const TIME_THRESHOLD = 9 / 8;
/** Cap on the PTO backoff exponent, so a probe still goes out every ~minute at worst. */
const MAX_PTO_BACKOFF = 16;

/** Told about each packet as it is resolved (no per-packet records or result arrays). */
export interface SentPacketSink<P> {
  acked(pn: number, payload: P, aux: number, size: number): void;
  lost(pn: number, payload: P, aux: number, size: number, sentAt: number, now: number): void;
}

export interface AckResult {
  /** Bytes newly acknowledged by this ACK. */
  ackedBytes: number;
  /** Packets declared lost after applying it. */
  lost: number;
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

  constructor(
    private readonly maxAckDelayMs: number,
    private readonly sink: SentPacketSink<P>,
  ) {}

  /** Allocates the next packet number (ack-only packets use one too, but are not tracked). */
  takePacketNumber(): number {
    return this.nextPn++;
  }

  get packetsSent(): number {
    return this.nextPn;
  }

  /** Tracks an ack-eliciting packet; it counts against the congestion window. */
  onSent(pn: number, size: number, now: number, payload: P, aux = 0): void {
    this.sent.push(pn, now, size, payload, aux);
    this.bytesInFlight += size;
    this.elicitingInFlight++;
    this.lastAckElicitingSentAt = now;
  }

  /** Applies an ACK: newly acked packets, then lost ones, go to the sink. */
  onAck(ack: AckBlock, now: number): AckResult {
    const priorInFlight = this.bytesInFlight;
    const largest = ack.ranges[0]![1];
    if (largest >= this.nextPn) return { ackedBytes: 0, lost: 0, priorInFlight, invalid: true };
    const sent = this.sent;
    const head = sent.head;
    let ackedBytes = 0;
    let newest = -1;
    for (const [smallest, high] of ack.ranges) {
      if (high < head) break;
      for (let pn = Math.min(high, sent.end - 1); pn >= smallest && pn >= head; pn--) {
        if (sent.stateOf(pn) !== SentState.OUTSTANDING) continue;
        sent.resolve(pn, SentState.ACKED);
        const size = sent.size(pn);
        ackedBytes += size;
        this.bytesInFlight -= size;
        this.elicitingInFlight--;
        if (newest < 0) newest = pn;
        this.sink.acked(pn, sent.payload(pn), sent.aux(pn), size);
      }
    }
    if (largest > this.largestAcked) {
      this.largestAcked = largest;
      // RFC 9002 §5.1 — sample only when the largest acknowledged is newly acknowledged.
      if (newest === largest) {
        const ackDelay = Math.min(ack.delayUs / 1000, this.maxAckDelayMs);
        this.rtt.update(now - sent.sentAt(newest), ackDelay);
      }
    }
    if (newest >= 0) this.ptoCount = 0;
    // Forget the acknowledged front first: the loss scan then starts at the oldest packet
    // still outstanding instead of walking over everything this ACK just resolved.
    sent.dropResolvedHead();
    const lost = this.detectLost(now);
    return { ackedBytes, lost, priorInFlight, invalid: false };
  }

  /** RFC 9002 §6.1 — also called when the loss timer fires. Returns how many were lost. */
  detectLost(now: number): number {
    this.lossTime = Infinity;
    if (this.largestAcked < 0) return 0;
    const rtt = this.rtt;
    const lossDelay = Math.max(TIME_THRESHOLD * Math.max(rtt.latest, rtt.smoothed), TIMER_GRANULARITY_MS);
    const lostSentBefore = now - lossDelay;
    const sent = this.sent;
    const end = Math.min(this.largestAcked, sent.end);
    let lost = 0;
    for (let pn = sent.head; pn < end; pn++) {
      if (sent.stateOf(pn) !== SentState.OUTSTANDING) continue;
      const sentAt = sent.sentAt(pn);
      if (pn <= this.largestAcked - PACKET_THRESHOLD || sentAt <= lostSentBefore) {
        sent.resolve(pn, SentState.LOST);
        const size = sent.size(pn);
        this.bytesInFlight -= size;
        this.elicitingInFlight--;
        lost++;
        this.sink.lost(pn, sent.payload(pn), sent.aux(pn), size, sentAt, now);
      } else if (sentAt + lossDelay < this.lossTime) {
        this.lossTime = sentAt + lossDelay;
      }
    }
    if (lost > 0) sent.dropResolvedHead();
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

  /** Forgets everything in flight without telling the sink (the session closed). */
  clear(): void {
    this.sent.clear();
    this.bytesInFlight = 0;
    this.elicitingInFlight = 0;
    this.lossTime = Infinity;
  }

  get hasInFlight(): boolean {
    return this.elicitingInFlight > 0;
  }
}
