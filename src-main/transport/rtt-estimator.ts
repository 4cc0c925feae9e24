// RTT estimation as in RFC 9002 §5 (PROTOCOL §8.5): min, smoothed and variance, with the
// peer's reported ack delay subtracted when that cannot take the sample below min_rtt.

/** RFC 9002 §6.2.2 — before any sample. */
export const INITIAL_RTT_MS = 333;
/** Timer granularity of Node timers. */
export const TIMER_GRANULARITY_MS = 1;

export class RttEstimator {
  latest = 0;
  smoothed = INITIAL_RTT_MS;
  variance = INITIAL_RTT_MS / 2;
  min = Infinity;
  hasSample = false;

  /** `ackDelayMs` is already capped by the caller at the peer's max ack delay. */
  update(sampleMs: number, ackDelayMs: number): void {
    const sample = Math.max(sampleMs, 0.001);
    this.latest = sample;
    if (sample < this.min) this.min = sample;
    if (!this.hasSample) {
      this.hasSample = true;
      this.smoothed = sample;
      this.variance = sample / 2;
      return;
    }
    const adjusted = sample - ackDelayMs >= this.min ? sample - ackDelayMs : sample;
    this.variance = 0.75 * this.variance + 0.25 * Math.abs(this.smoothed - adjusted);
    this.smoothed = 0.875 * this.smoothed + 0.125 * adjusted;
  }

  /** RFC 9002 §6.2.1 — the probe timeout before backoff. */
  pto(maxAckDelayMs: number): number {
    return this.smoothed + Math.max(4 * this.variance, TIMER_GRANULARITY_MS) + maxAckDelayMs;
  }
}
