import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LatestThrottle } from './latest-throttle.js';

describe('LatestThrottle', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers the first value at once', () => {
    const got: number[] = [];
    new LatestThrottle<number>((v) => got.push(v), 1000).push(1);
    expect(got).toEqual([1]);
  });

  it('delivers only the newest value of a burst, one interval later', () => {
    const got: number[] = [];
    const throttle = new LatestThrottle<number>((v) => got.push(v), 1000);
    throttle.push(1);
    throttle.push(2);
    throttle.push(3);
    vi.advanceTimersByTime(999);
    expect(got).toEqual([1]);
    vi.advanceTimersByTime(1);
    expect(got).toEqual([1, 3]);
  });

  it('never delivers more than once per interval under a steady stream', () => {
    const got: number[] = [];
    const throttle = new LatestThrottle<number>((v) => got.push(v), 1000);
    for (let i = 0; i < 50; i++) {
      throttle.push(i);
      vi.advanceTimersByTime(100);
    }
    expect(got.length).toBeGreaterThanOrEqual(5);
    expect(got.length).toBeLessThanOrEqual(6);
    vi.advanceTimersByTime(1000);
    expect(got.at(-1)).toBe(49);
  });

  it('delivers at once again after a quiet interval', () => {
    const got: number[] = [];
    const throttle = new LatestThrottle<number>((v) => got.push(v), 1000);
    throttle.push(1);
    vi.advanceTimersByTime(5000);
    throttle.push(2);
    expect(got).toEqual([1, 2]);
  });

  it('drops pending values on cancel', () => {
    const got: number[] = [];
    const throttle = new LatestThrottle<number>((v) => got.push(v), 1000);
    throttle.push(1);
    throttle.push(2);
    throttle.cancel();
    vi.advanceTimersByTime(5000);
    expect(got).toEqual([1]);
  });
});
