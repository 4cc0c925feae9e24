// Time source for the transport. Injected so unit tests can drive timers by hand; the
// system clock is monotonic (performance.now) so wall-clock jumps never fire timers early.

// Imported rather than the global: `globalThis.performance` is a lazy accessor that costs
// a getter call on every read, and the receive path reads the clock once per datagram.
import { performance } from 'node:perf_hooks';

export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic milliseconds (fractional). */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    // Transport timers must never keep a CLI process alive on their own.
    t.unref();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The header timestamp (PROTOCOL §3.1): the sender's clock in µs modulo 2^32. */
export function wireTimestamp(nowMs: number): number {
  return Math.floor(nowMs * 1000) >>> 0;
}

/**
 * The same clock, with every timer callback run under `onError`: an exception thrown by a
 * timer goes there instead of escaping to the process (a session's timers, issue 15).
 */
export function guardedClock(clock: Clock, onError: (err: unknown) => void): Clock {
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) =>
      clock.setTimeout(() => {
        try {
          fn();
        } catch (err) {
          onError(err);
        }
      }, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
  };
}
