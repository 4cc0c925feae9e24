import { describe, expect, it } from 'vitest';
import { RateMeter } from './rate-meter.js';

describe('RateMeter', () => {
  it('averages recorded bytes over its window and forgets old buckets', () => {
    let t = 0;
    const m = new RateMeter(() => t, 1000, 10);
    for (let i = 0; i < 10; i++) {
      m.record(100);
      t += 100;
    }
    expect(m.rate()).toBeCloseTo(900, -1); // the newest bucket is empty after the last tick
    t += 2000;
    expect(m.rate()).toBe(0);
    expect(m.bytes).toBe(1000);
  });
});
