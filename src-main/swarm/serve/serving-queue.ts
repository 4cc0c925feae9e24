// A model of what this node's capped upload still has to send, by priority class, for
// deciding whether to take on another response. The transport sends strictly by priority
// (0 first) under the cap, so a response of class c waits only for queued work of classes
// 0..c; lower classes drain last. Work is counted in ms of sending at the cap.

export class ServingQueue {
  /** Unsent work per class, ms. */
  private readonly work: number[] = [];
  private updatedAt: number;

  constructor(private readonly now: () => number) {
    this.updatedAt = now();
  }

  private drain(): void {
    const now = this.now();
    let elapsed = now - this.updatedAt;
    this.updatedAt = now;
    for (let c = 0; c < this.work.length && elapsed > 0; c++) {
      const done = Math.min(this.work[c]!, elapsed);
      this.work[c] = this.work[c]! - done;
      elapsed -= done;
    }
  }

  /** How long a response of class `c` taken on now would wait before its first byte, ms. */
  waitMs(c: number): number {
    this.drain();
    let wait = 0;
    for (let k = 0; k <= c && k < this.work.length; k++) wait += this.work[k]!;
    return wait;
  }

  add(c: number, ms: number): void {
    this.drain();
    while (this.work.length <= c) this.work.push(0);
    this.work[c] = this.work[c]! + ms;
  }

  /** The transport has nothing left to send (responses finished or were cancelled). */
  clear(): void {
    this.work.fill(0);
    this.updatedAt = this.now();
  }
}
