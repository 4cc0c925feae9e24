// Serving side of segment transfer (PROTOCOL §7.1, §8.4): splits each response into
// fixed-size fragments (so a retransmission carries exactly the same offset and length),
// picks which fragment goes next by priority and deadline, and drops lost fragments that
// can no longer arrive before the requester's deadline instead of resending them.

export class SegmentResponse {
  /** A zero-length segment still takes one (empty) fragment, so the requester learns its size. */
  readonly fragmentCount: number;
  nextIndex = 0;
  /** Offsets of lost fragments waiting to be resent, oldest first. */
  readonly lost: number[] = [];
  private lostHead = 0;
  outstanding = 0;
  abandoned = false;
  /** Abandoned because the deadline became unreachable (vs. cancelled or completed). */
  expired = false;

  constructor(
    readonly reqId: number,
    readonly data: Uint8Array,
    readonly fragmentSize: number,
    public priority: number,
    /** Local time by which a fragment must *arrive*; Infinity = no deadline. */
    public deadline: number,
  ) {
    this.fragmentCount = Math.max(1, Math.ceil(data.length / fragmentSize));
  }

  fragmentLength(offset: number): number {
    return Math.min(this.fragmentSize, this.data.length - offset);
  }

  get hasLost(): boolean {
    return this.lostHead < this.lost.length;
  }

  takeLost(): number {
    const offset = this.lost[this.lostHead++]!;
    if (this.lostHead === this.lost.length) {
      this.lost.length = 0;
      this.lostHead = 0;
    }
    return offset;
  }

  get hasNew(): boolean {
    return this.nextIndex < this.fragmentCount;
  }

  get finished(): boolean {
    return !this.hasNew && !this.hasLost && this.outstanding === 0;
  }
}

export interface ResponseStats {
  fragmentsSent: number;
  fragmentsRetransmitted: number;
  /** Lost fragments not resent because they could no longer arrive in time. */
  fragmentsExpired: number;
  responsesAbandoned: number;
  responsesCompleted: number;
}

export class ResponseScheduler {
  /** Sorted by priority (0 first), then deadline, then arrival. Small: a handful at a time. */
  private readonly active: SegmentResponse[] = [];
  readonly stats: ResponseStats = {
    fragmentsSent: 0,
    fragmentsRetransmitted: 0,
    fragmentsExpired: 0,
    responsesAbandoned: 0,
    responsesCompleted: 0,
  };

  get size(): number {
    return this.active.length;
  }

  get(reqId: number): SegmentResponse | undefined {
    return this.active.find((r) => r.reqId === reqId);
  }

  add(response: SegmentResponse): void {
    this.active.push(response);
    this.sort();
  }

  reprioritize(reqId: number, priority: number, deadline: number): void {
    const r = this.get(reqId);
    if (r === undefined) return;
    r.priority = priority;
    r.deadline = deadline;
    this.sort();
  }

  private sort(): void {
    this.active.sort((a, b) => a.priority - b.priority || a.deadline - b.deadline);
  }

  /** CANCEL: nothing more is sent; fragments in flight are forgotten when acked or lost. */
  cancel(reqId: number): boolean {
    const i = this.active.findIndex((r) => r.reqId === reqId);
    if (i < 0) return false;
    this.active[i]!.abandoned = true;
    this.active.splice(i, 1);
    return true;
  }

  hasWork(now: number, halfRtt: number): boolean {
    return this.pick(now, halfRtt) !== null;
  }

  /**
   * The response whose fragment goes next (lost ones before new ones within a response),
   * abandoning responses whose deadline has become unreachable (PROTOCOL §8.4).
   */
  pick(now: number, halfRtt: number): SegmentResponse | null {
    for (let i = 0; i < this.active.length; i++) {
      const r = this.active[i]!;
      if (now + halfRtt > r.deadline) {
        this.abandon(i--, r);
        continue;
      }
      if (r.hasLost || r.hasNew) return r;
    }
    return null;
  }

  /** Takes the offset of the next fragment of `r` (from pick) and marks it in flight. */
  takeFragment(r: SegmentResponse): number {
    r.outstanding++;
    this.stats.fragmentsSent++;
    if (r.hasLost) {
      this.stats.fragmentsRetransmitted++;
      return r.takeLost();
    }
    return r.nextIndex++ * r.fragmentSize;
  }

  onAcked(r: SegmentResponse): void {
    r.outstanding--;
    if (!r.abandoned && r.finished) this.complete(r);
  }

  onLost(r: SegmentResponse, offset: number, now: number, halfRtt: number): void {
    r.outstanding--;
    if (r.expired || (!r.abandoned && now + halfRtt > r.deadline)) {
      this.stats.fragmentsExpired++;
      const i = this.active.indexOf(r);
      if (i >= 0) this.abandon(i, r);
      return;
    }
    if (r.abandoned) return;
    r.lost.push(offset);
  }

  /** The deadline can no longer be met: stop sending anything of it (PROTOCOL §8.4). */
  private abandon(index: number, r: SegmentResponse): void {
    r.abandoned = true;
    r.expired = true;
    this.active.splice(index, 1);
    this.stats.responsesAbandoned++;
  }

  private complete(r: SegmentResponse): void {
    const i = this.active.indexOf(r);
    if (i >= 0) this.active.splice(i, 1);
    r.abandoned = true;
    this.stats.responsesCompleted++;
  }

  clear(): void {
    for (const r of this.active) r.abandoned = true;
    this.active.length = 0;
  }
}
