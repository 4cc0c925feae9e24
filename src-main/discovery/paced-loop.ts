// A repeated DHT operation: run it, then again once `waitMs()` has passed since the last
// run ended (the wait is read at each check, so it follows what the caller needs now), never
// two at once. Lookups on the DHT take several round trips; this keeps them in single file.

export interface PacedLoopOptions {
  now: () => number;
  /** Time between the end of one run and the start of the next, as of now. */
  waitMs: () => number;
  run: () => Promise<void>;
  /** How often the wait is checked. */
  checkEveryMs: number;
}

export class PacedLoop {
  private lastAt = -Infinity;
  private busy = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private stopped = false;

  constructor(private readonly options: PacedLoopOptions) {}

  start(): void {
    this.timer = setInterval(() => this.check(), this.options.checkEveryMs);
    this.timer.unref?.();
    this.check();
  }

  get destroyed(): boolean {
    return this.stopped;
  }

  private check(): void {
    if (this.busy || this.stopped) return;
    if (this.options.now() - this.lastAt < this.options.waitMs()) return;
    this.busy = true;
    void this.options
      .run()
      .catch(() => undefined)
      .finally(() => {
        this.lastAt = this.options.now();
        this.busy = false;
      });
  }

  destroy(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
  }
}
