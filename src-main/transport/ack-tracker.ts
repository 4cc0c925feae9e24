// Receiver side of reliability (PROTOCOL §8.1–§8.2): which packet numbers arrived, so
// duplicates are dropped before their frames are processed, and when to send an ACK.

import type { AckBlock, AckRange } from '../protocol/types.js';

export interface AckPolicy {
  /** Ack at the latest after this many ack-eliciting packets. */
  ackEveryPackets: number;
  /** …or when the oldest unacknowledged ack-eliciting packet is this old. */
  maxAckDelayMs: number;
  /** Ranges kept; older ones are forgotten and their packet numbers treated as duplicates. */
  maxRanges: number;
}

export class AckTracker {
  /** Received packet numbers, descending, disjoint and non-adjacent. */
  private readonly ranges: AckRange[] = [];
  /** Packet numbers below this were forgotten: treated as duplicates (their frames may have run). */
  private floor = 0;
  private largestReceivedAt = 0;
  private elicitingSinceAck = 0;
  private oldestUnackedAt = Infinity;
  private immediate = false;
  private elicitingReceived = 0;
  duplicates = 0;

  /** ackThreshold(), recomputed only when it can change (every 64 ack-eliciting packets). */
  private threshold: number;

  constructor(private readonly policy: AckPolicy) {
    this.threshold = this.ackThreshold();
  }

  /**
   * Records a packet; false when it is a duplicate (its frames must not be processed again).
   * Out-of-order arrival of an ack-eliciting packet asks for an immediate ACK (RFC 9000 §13.2.1).
   */
  onPacket(pn: number, ackEliciting: boolean, now: number): boolean {
    const ranges = this.ranges;
    const first = ranges[0];
    let inOrder = false;
    if (first === undefined) {
      if (pn < this.floor) return this.duplicate();
      ranges.push([pn, pn]);
      inOrder = true;
    } else if (pn === first[1] + 1) {
      first[1] = pn;
      inOrder = true;
    } else if (!this.insert(pn)) {
      return this.duplicate();
    }
    if (pn >= ranges[0]![1]) this.largestReceivedAt = now;
    if (ranges.length > this.policy.maxRanges) this.floor = ranges.pop()![1] + 1;
    if (ackEliciting) {
      this.elicitingSinceAck++;
      if (++this.elicitingReceived % 64 === 0) this.threshold = this.ackThreshold();
      if (this.oldestUnackedAt === Infinity) this.oldestUnackedAt = now;
      if (!inOrder) this.immediate = true;
    }
    return true;
  }

  /** Slow path: pn is not the next in order. False if already received. */
  private insert(pn: number): boolean {
    const ranges = this.ranges;
    for (let i = 0; i < ranges.length; i++) {
      const r = ranges[i]!;
      if (pn > r[1]) {
        const above = i > 0 ? ranges[i - 1]! : undefined;
        if (pn === r[1] + 1) {
          r[1] = pn;
          if (above && above[0] === pn + 1) {
            r[1] = above[1];
            ranges.splice(i - 1, 1);
          }
        } else if (above && above[0] === pn + 1) {
          above[0] = pn;
        } else {
          ranges.splice(i, 0, [pn, pn]);
        }
        return true;
      }
      if (pn >= r[0]) return false;
    }
    if (pn < this.floor) return false;
    const last = ranges[ranges.length - 1]!;
    if (last[0] === pn + 1) last[0] = pn;
    else ranges.push([pn, pn]);
    return true;
  }

  private duplicate(): false {
    this.duplicates++;
    return false;
  }

  /** When an ACK must go out: Infinity if none is owed, `now`-ish if immediately. */
  ackDeadline(): number {
    if (this.elicitingSinceAck === 0 || this.ranges.length === 0) return Infinity;
    if (this.immediate || this.elicitingSinceAck >= this.threshold) return 0;
    return this.oldestUnackedAt + this.policy.maxAckDelayMs;
  }

  /**
   * PROTOCOL §8.2 — every 2nd packet at first (the sender's slow start is clocked by ACKs),
   * rising to ackEveryPackets as the flow grows (fewer ACKs: less receiver CPU and overhead).
   */
  private ackThreshold(): number {
    return Math.min(this.policy.ackEveryPackets, Math.max(2, Math.floor(this.elicitingReceived / 64)));
  }

  /** True when ack-eliciting packets arrived since the last ACK (worth piggybacking). */
  get ackPending(): boolean {
    return this.elicitingSinceAck > 0 && this.ranges.length > 0;
  }

  get hasRanges(): boolean {
    return this.ranges.length > 0;
  }

  /** The ACK block to put in the next header. The ranges array is live: encode it at once. */
  build(now: number): AckBlock {
    return { delayUs: Math.max(0, (now - this.largestReceivedAt) * 1000), ranges: this.ranges };
  }

  /**
   * PROTOCOL §8.2 (RFC 9000 §13.2.4): a packet that carried our ACK block up to `largest` was
   * acknowledged, so the peer knows those ranges: they are forgotten, and every pn at or below
   * `largest` is treated as already received from now on. Without this, every hole a lossy
   * path leaves is repeated in every ACK until 33 ranges (≈140 bytes) ride on each packet.
   *
   * A packet numbered at or below `largest` that arrived after that ACK went out (only a
   * peer whose numbers go backwards sends one) is forgotten with the rest and never
   * acknowledged: the peer retransmits its frames under a new number. When nothing is left
   * to acknowledge, no ACK is owed: an ACK block always has at least one range (§3.3).
   */
  forgetUpTo(largest: number): void {
    if (largest < this.floor) return;
    const ranges = this.ranges;
    while (ranges.length > 0 && ranges[ranges.length - 1]![1] <= largest) ranges.pop();
    const last = ranges[ranges.length - 1];
    if (last !== undefined && last[0] <= largest) last[0] = largest + 1;
    this.floor = largest + 1;
    if (ranges.length === 0) this.onAckSent();
  }

  onAckSent(): void {
    this.elicitingSinceAck = 0;
    this.oldestUnackedAt = Infinity;
    this.immediate = false;
  }

  /** For tests and stats. */
  snapshot(): AckRange[] {
    return this.ranges.map((r) => [r[0], r[1]]);
  }
}
