import { describe, expect, it } from 'vitest';
import { INITIAL_RTT_MS, RttEstimator } from './rtt-estimator.js';

describe('RttEstimator (RFC 9002 §5)', () => {
  it('starts from the initial RTT and takes the first sample as is', () => {
    const r = new RttEstimator();
    expect(r.smoothed).toBe(INITIAL_RTT_MS);
    r.update(100, 0);
    expect(r.smoothed).toBe(100);
    expect(r.variance).toBe(50);
    expect(r.min).toBe(100);
  });

  it('smooths with 1/8 and 1/4 gains and subtracts ack delay above min_rtt', () => {
    const r = new RttEstimator();
    r.update(100, 0);
    r.update(140, 20); // adjusted 120
    expect(r.smoothed).toBeCloseTo(0.875 * 100 + 0.125 * 120);
    expect(r.variance).toBeCloseTo(0.75 * 50 + 0.25 * 20);
  });

  it('does not subtract an ack delay that would go below min_rtt', () => {
    const r = new RttEstimator();
    r.update(100, 0);
    r.update(105, 50); // 55 < min 100: use 105
    expect(r.smoothed).toBeCloseTo(0.875 * 100 + 0.125 * 105);
  });

  it('PTO = srtt + max(4 rttvar, granularity) + max ack delay', () => {
    const r = new RttEstimator();
    r.update(10, 0);
    expect(r.pto(25)).toBeCloseTo(10 + 20 + 25);
  });
});
