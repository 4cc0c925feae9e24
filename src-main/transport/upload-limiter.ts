// Node-wide upload cap (PROTOCOL §9.4): one token bucket in bytes/s shared by every
// session, so seeding never floods the user's line. Segment data waits for tokens; tiny
// control and ACK packets bypass the wait but are charged, so the cap covers them too.

import type { Clock, TimerHandle } from './clock.js';

/** Burst allowance, in ms of the configured rate. */
const BURST_MS = 20;
/** Never less than a few full packets, so one datagram always fits. */
const MIN_BURST_BYTES = 8 * 1500;

export class UploadLimiter {
  private rate: number | null = null;
  private tokens = 0;
  private burst = MIN_BURST_BYTES;
  private lastRefill: number;
  /** Waiting sessions and their urgency (lower = sooner). */
  private readonly waiters = new Map<() => void, number>();
  private timer: TimerHandle | null = null;
  bytesMetered = 0;
  bytesCharged = 0;
  /** Times a sender found too few tokens (the cap held data back; see UplinkGovernor). */
  deferrals = 0;

  constructor(
    private readonly clock: Clock,
    bytesPerSec: number | null = null,
  ) {
    this.lastRefill = clock.now();
    this.setRate(bytesPerSec);
  }

  /** null = unlimited. */
  setRate(bytesPerSec: number | null): void {
    // Tokens earned at the old rate are kept (the automatic cap changes it every second).
    this.refill(this.clock.now());
    this.rate = bytesPerSec !== null && bytesPerSec > 0 ? bytesPerSec : null;
    if (this.rate !== null) {
      this.burst = Math.max(MIN_BURST_BYTES, (this.rate * BURST_MS) / 1000);
      this.tokens = Math.min(this.tokens, this.burst);
    }
    this.lastRefill = this.clock.now();
    this.wake();
  }

  get bytesPerSecond(): number | null {
    return this.rate;
  }

  private refill(now: number): void {
    if (this.rate === null) return;
    const elapsed = now - this.lastRefill;
    this.lastRefill = now;
    if (elapsed > 0) this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.rate) / 1000);
  }

  /**
   * Takes tokens for a segment-data packet; false means wait (see `whenAvailable`). A
   * sender less urgent than one already waiting (`rank`, as in `whenAvailable`) gets
   * nothing: under the cap, segments go out one after another, most urgent first, instead
   * of every transfer crawling along at a share of the rate.
   */
  tryTake(bytes: number, rank = Infinity, self?: () => void): boolean {
    if (this.rate === null) {
      this.bytesMetered += bytes;
      return true;
    }
    for (const [w, r] of this.waiters) if (r < rank && w !== self) return false;
    if (this.tokens < bytes) this.refill(this.clock.now());
    if (this.tokens < bytes) {
      this.deferrals++;
      return false;
    }
    this.tokens -= bytes;
    this.bytesMetered += bytes;
    return true;
  }

  /** Control/ACK packets: never delayed, but the debt slows segment data (bounded at one burst). */
  charge(bytes: number): void {
    this.bytesCharged += bytes;
    if (this.rate === null) return;
    this.tokens = Math.max(-this.burst, this.tokens - bytes);
  }

  /**
   * Calls `wake` once, when tokens for a full packet are likely available. Idempotent per
   * callback. Waiters are woken most urgent first (`rank`: lower is sooner, e.g. the
   * deadline of the session's most urgent response); equal ranks in arrival order. The
   * first woken takes the fresh tokens, so this decides which peer's segment goes out first.
   */
  whenAvailable(wake: () => void, bytes: number, rank = Infinity): void {
    this.waiters.set(wake, Math.min(rank, this.waiters.get(wake) ?? Infinity));
    if (this.timer !== null || this.rate === null) {
      if (this.rate === null) this.wake();
      return;
    }
    this.refill(this.clock.now());
    const waitMs = Math.max(1, ((bytes - this.tokens) * 1000) / this.rate);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.wake();
    }, waitMs);
  }

  cancel(wake: () => void): void {
    this.waiters.delete(wake);
  }

  /** FIFO wake-up; a session that is still short of tokens registers again. */
  private wake(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    const waiters = [...this.waiters].sort((a, b) => a[1] - b[1]);
    this.waiters.clear();
    for (const [w] of waiters) w();
  }

  destroy(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.waiters.clear();
  }
}
