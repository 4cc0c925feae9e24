// Bytes-per-second over a sliding window, bucketed so recording is O(1) on the hot path.

export class RateMeter {
  private readonly buckets: Float64Array;
  private readonly bucketMs: number;
  private head = 0;
  private headStart: number;
  private total = 0;

  constructor(
    private readonly now: () => number,
    windowMs = 3000,
    buckets = 12,
  ) {
    this.buckets = new Float64Array(buckets);
    this.bucketMs = windowMs / buckets;
    this.headStart = now();
  }

  /** Total bytes ever recorded. */
  get bytes(): number {
    return this.total;
  }

  record(bytes: number): void {
    this.advance();
    this.buckets[this.head]! += bytes;
    this.total += bytes;
  }

  /** Average rate over the window, bytes per second. */
  rate(): number {
    this.advance();
    let sum = 0;
    for (const b of this.buckets) sum += b;
    return (sum / (this.bucketMs * this.buckets.length)) * 1000;
  }

  private advance(): void {
    const now = this.now();
    let steps = Math.floor((now - this.headStart) / this.bucketMs);
    if (steps <= 0) return;
    if (steps > this.buckets.length) steps = this.buckets.length;
    for (let i = 0; i < steps; i++) {
      this.head = (this.head + 1) % this.buckets.length;
      this.buckets[this.head] = 0;
    }
    this.headStart += Math.floor((now - this.headStart) / this.bucketMs) * this.bucketMs;
  }
}
