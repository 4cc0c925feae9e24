// Pacing (PROTOCOL §9.3): a token bucket refilled at gain·cwnd/srtt. Node timers tick at
// 1 ms at best, so the bucket holds a few milliseconds' worth and sends that as a burst.

/** Pace a bit faster than cwnd/srtt so pacing never becomes the bottleneck. */
export const PACING_GAIN = 1.25;
export const SLOW_START_PACING_GAIN = 2;
/** Burst allowance in ms of sending at the pacing rate (covers late timers). */
export const PACING_BURST_MS = 4;
export const MIN_BURST_PACKETS = 10;

export class Pacer {
  private tokens: number;
  private lastRefill = 0;
  /** Bytes per ms. */
  private rate = Infinity;
  private burst: number;

  constructor(private readonly mss: number) {
    this.burst = MIN_BURST_PACKETS * mss;
    this.tokens = this.burst;
  }

  update(cwnd: number, srttMs: number, slowStart: boolean): void {
    const gain = slowStart ? SLOW_START_PACING_GAIN : PACING_GAIN;
    this.rate = (gain * cwnd) / Math.max(srttMs, 0.05);
    this.burst = Math.max(MIN_BURST_PACKETS * this.mss, this.rate * PACING_BURST_MS);
  }

  private refill(now: number): void {
    const elapsed = now - this.lastRefill;
    this.lastRefill = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + elapsed * this.rate);
  }

  tryConsume(bytes: number, now: number): boolean {
    if (this.tokens < bytes) this.refill(now);
    if (this.tokens < bytes) return false;
    this.tokens -= bytes;
    return true;
  }

  /** Gives back tokens taken for a packet that was not sent after all. */
  refund(bytes: number): void {
    this.tokens = Math.min(this.burst, this.tokens + bytes);
  }

  /** Absolute time when `bytes` will be available. */
  nextSendTime(bytes: number, now: number): number {
    this.refill(now);
    if (this.tokens >= bytes) return now;
    return now + (bytes - this.tokens) / this.rate;
  }

  get bytesPerSecond(): number {
    return this.rate * 1000;
  }
}
