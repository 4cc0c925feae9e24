import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { UploadLimiter } from './upload-limiter.js';

describe('UploadLimiter', () => {
  it('holds the rate within 10% over a bounded window', () => {
    const clock = new FakeClock();
    const limiter = new UploadLimiter(clock, 1_000_000);
    let sent = 0;
    for (let ms = 0; ms < 2000; ms++) {
      while (limiter.tryTake(1200)) sent += 1200;
      clock.advance(1);
    }
    const rate = sent / 2; // bytes per second over 2 s
    expect(rate).toBeGreaterThan(0.9 * 1_000_000);
    expect(rate).toBeLessThan(1.1 * 1_000_000);
  });

  it('charges control packets against the budget without blocking them', () => {
    const clock = new FakeClock();
    const limiter = new UploadLimiter(clock, 100_000);
    while (limiter.tryTake(1200));
    limiter.charge(5000);
    clock.advance(20); // 2000 bytes of tokens, still 3000 in debt
    expect(limiter.tryTake(1200)).toBe(false);
    expect(limiter.bytesCharged).toBe(5000);
  });

  it('wakes waiters when tokens return, and never limits when unlimited', () => {
    const clock = new FakeClock();
    const limiter = new UploadLimiter(clock, 100_000);
    while (limiter.tryTake(1200));
    let woken = 0;
    limiter.whenAvailable(() => woken++, 1200);
    clock.advance(5);
    expect(woken).toBe(0);
    clock.advance(10);
    expect(woken).toBe(1);
    limiter.setRate(null);
    for (let i = 0; i < 1000; i++) expect(limiter.tryTake(1200)).toBe(true);
    limiter.destroy();
    expect(clock.pending).toBe(0);
  });

  it('gives fresh tokens to the most urgent waiter, and none to a less urgent sender', () => {
    const clock = new FakeClock();
    const limiter = new UploadLimiter(clock, 100_000);
    while (limiter.tryTake(1200));
    const order: string[] = [];
    const urgent = (): void => void order.push('urgent');
    const relaxed = (): void => void order.push('relaxed');
    limiter.whenAvailable(relaxed, 1200, 5000);
    limiter.whenAvailable(urgent, 1200, 100);
    clock.advance(20);
    expect(order).toEqual(['urgent', 'relaxed']);
    // The urgent session is still waiting: a less urgent one may not take its tokens.
    limiter.whenAvailable(urgent, 1200, 100);
    expect(limiter.tryTake(1200, 5000, relaxed)).toBe(false);
    expect(limiter.tryTake(1200, 100, urgent)).toBe(true);
    limiter.destroy();
  });
});
