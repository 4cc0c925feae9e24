// Delivers at most one value per interval, always the newest. Snapshots supersede each
// other, so the renderer needs the latest one about once a second, not every tick.

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const REAL_TIMERS: Timers = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class LatestThrottle<T> {
  private lastDelivery = -Infinity;
  private pending: { value: T } | null = null;
  private timer: unknown = null;

  constructor(
    private readonly deliver: (value: T) => void,
    private readonly intervalMs: number,
    private readonly timers: Timers = REAL_TIMERS,
  ) {}

  push(value: T): void {
    const wait = this.lastDelivery + this.intervalMs - this.timers.now();
    if (wait <= 0 && this.timer === null) {
      this.send(value);
      return;
    }
    this.pending = { value };
    this.timer ??= this.timers.setTimeout(() => this.flush(), Math.max(wait, 0));
  }

  /** Drops anything pending; call on teardown. */
  cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = null;
  }

  private flush(): void {
    this.timer = null;
    const pending = this.pending;
    this.pending = null;
    if (pending) this.send(pending.value);
  }

  private send(value: T): void {
    this.lastDelivery = this.timers.now();
    this.deliver(value);
  }
}
