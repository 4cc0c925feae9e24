import { describe, expect, it } from 'vitest';
import { UplinkEstimator, type UplinkSample } from './uplink-estimator.js';

const FLOOR = 10_000;
const make = (): UplinkEstimator => new UplinkEstimator({ floorBytesPerSec: () => FLOOR });
/** One second in which the node sent `rate` bytes. */
const second = (rate: number, queue: boolean, capLimited = false): UplinkSample => ({
  sentBytes: rate,
  intervalMs: 1000,
  queue,
  capLimited,
});

describe('UplinkEstimator (PROTOCOL §9.4)', () => {
  it('sets no cap until the line has been seen full', () => {
    const e = make();
    expect(e.update(second(100_000, false))).toBeNull();
    expect(e.update(second(100_000, false, true))).toBeNull();
    expect(e.bytesPerSec).toBeNull();
  });

  it('caps at 90% of what got through a full line', () => {
    const e = make();
    e.update(second(200_000, false));
    expect(e.update(second(200_000, true))).toBeCloseTo(180_000);
  });

  it('does not take a queue seen while sending little for the line (a busy CPU, other traffic)', () => {
    const e = make();
    e.update(second(200_000, false));
    expect(e.update(second(50_000, true))).toBeNull();
    e.update(second(200_000, true));
    expect(e.update(second(50_000, true))).toBeCloseTo(180_000);
    // Under the floor: nothing to learn either.
    const low = make();
    expect(low.update(second(5_000, true))).toBeNull();
  });

  it('decreases at most once per two seconds, and only downwards', () => {
    const e = make();
    e.update(second(200_000, true));
    expect(e.update(second(180_000, true))).toBeCloseTo(180_000);
    expect(e.update(second(170_000, true))).toBeCloseTo(153_000);
    // A full line at a higher rate than the cap (control bytes bypass it) does not raise it.
    e.update(second(170_000, false));
    expect(e.update(second(170_000, true))).toBeCloseTo(153_000);
  });

  it('grows 5% a second while the cap holds data back and no queue shows', () => {
    const e = make();
    e.update(second(100_000, true));
    expect(e.update(second(90_000, false, true))).toBeCloseTo(94_500);
    expect(e.update(second(94_000, false, true))).toBeCloseTo(99_225);
    // Not held back: no reason to grow.
    expect(e.update(second(20_000, false, false))).toBeCloseTo(99_225);
  });

  it('does not grow while sending well under the cap (the cap held back only a burst)', () => {
    const e = make();
    e.update(second(100_000, true));
    expect(e.update(second(50_000, false, true))).toBeCloseTo(90_000);
  });

  it('never goes under the floor', () => {
    const e = make();
    e.update(second(11_000, true));
    expect(e.bytesPerSec).toBe(FLOOR);
  });

  it('ignores nonsense samples', () => {
    const e = make();
    e.update(second(100_000, true));
    const cap = e.bytesPerSec;
    for (const bad of [
      { sentBytes: Number.NaN, intervalMs: 1000, queue: true, capLimited: false },
      { sentBytes: -5, intervalMs: 1000, queue: true, capLimited: false },
      { sentBytes: 1000, intervalMs: 0, queue: true, capLimited: true },
      { sentBytes: 1000, intervalMs: Number.NaN, queue: false, capLimited: true },
    ])
      expect(e.update(bad)).toBe(cap);
  });
});
