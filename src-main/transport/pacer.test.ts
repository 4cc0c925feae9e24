import { describe, expect, it } from 'vitest';
import { MIN_BURST_PACKETS, Pacer } from './pacer.js';

describe('Pacer', () => {
  it('allows a burst, then releases at gain·cwnd/srtt', () => {
    const p = new Pacer(1000);
    p.update(100_000, 100, false); // 1.25 · 100 kB / 100 ms = 1250 B/ms
    let sent = 0;
    while (p.tryConsume(1000, 0)) sent++;
    expect(sent).toBe(MIN_BURST_PACKETS);
    expect(p.nextSendTime(1000, 0)).toBeCloseTo(0.8);
    let later = 0;
    for (let t = 1; t <= 100; t++) while (p.tryConsume(1000, t)) later++;
    expect(later).toBeGreaterThanOrEqual(123);
    expect(later).toBeLessThanOrEqual(126);
  });

  it('paces twice as fast in slow start and refunds unused tokens', () => {
    const p = new Pacer(1000);
    p.update(100_000, 100, true);
    expect(p.bytesPerSecond).toBeCloseTo(2_000_000);
    while (p.tryConsume(1000, 0));
    p.refund(1000);
    expect(p.tryConsume(1000, 0)).toBe(true);
  });
});
