// Bytes per second over the last full second, in four 250 ms buckets, with the time passed
// in: O(1) per packet on the transport's hot path. (The swarm's RateMeter keeps a longer
// sliding window on its own clock, for display and shares.)

const BUCKET_MS = 250;
const BUCKETS = 4;

export class PacketRateMeter {
  private readonly buckets = new Float64Array(BUCKETS);
  private current = -1;

  add(bytes: number, now: number): void {
    this.rotate(now);
    this.buckets[this.current % BUCKETS]! += bytes;
  }

  private rotate(now: number): void {
    const index = Math.floor(now / BUCKET_MS);
    if (index === this.current) return;
    if (this.current < 0 || index - this.current >= BUCKETS) this.buckets.fill(0);
    else for (let i = this.current + 1; i <= index; i++) this.buckets[i % BUCKETS] = 0;
    this.current = index;
  }

  /** Bytes/s over the last full second (the current partial bucket is excluded). */
  rate(now: number): number {
    this.rotate(now);
    let sum = 0;
    for (let i = 1; i < BUCKETS; i++) sum += this.buckets[(this.current - i + BUCKETS * 2) % BUCKETS]!;
    return (sum * 1000) / (BUCKET_MS * (BUCKETS - 1));
  }
}
