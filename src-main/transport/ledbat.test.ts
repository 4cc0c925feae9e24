import { describe, expect, it } from 'vitest';
import { DEFAULT_LEDBAT, Ledbat } from './ledbat.js';

const MSS = 1200;
const make = (): Ledbat => new Ledbat({ ...DEFAULT_LEDBAT, mss: MSS });
/** Feeds one-way delay samples `ms` above a base of 10 ms (µs on the wire, arbitrary offset). */
function delay(cc: Ledbat, ms: number, now: number): void {
  for (let i = 0; i < 4; i++) cc.onDelaySample(1_000_000 + (10 + ms) * 1000, now);
}

describe('Ledbat (RFC 6817 + loss response)', () => {
  it('slow-starts while the queue is empty, then grows less as delay nears the target', () => {
    const cc = make();
    delay(cc, 0, 0);
    const start = cc.cwnd;
    cc.onAcked(start, false, start);
    expect(cc.cwnd).toBe(2 * start);
    delay(cc, 60, 1); // above target/2: leave slow start
    const before = cc.cwnd;
    cc.onAcked(before, false, before);
    expect(cc.inSlowStart).toBe(false);
    const grownNearTarget = cc.cwnd - before;
    expect(grownNearTarget).toBeGreaterThan(0);
    expect(grownNearTarget).toBeLessThan(0.25 * before * 0.25);
  });

  it('shrinks when queuing delay is above target', () => {
    const cc = make();
    delay(cc, 0, 0);
    cc.onAcked(100 * MSS, false, 1e9);
    delay(cc, 150, 1); // twice the target
    const before = cc.cwnd;
    cc.onAcked(before, false, before);
    expect(cc.cwnd).toBeLessThan(before);
  });

  it('does not grow an application-limited window', () => {
    const cc = make();
    const before = cc.cwnd;
    cc.onAcked(10 * MSS, true, 0);
    expect(cc.cwnd).toBe(before);
  });

  it('backs off mildly on loss with an empty queue, strongly with a full one, once per RTT', () => {
    const cc = make();
    delay(cc, 0, 0);
    cc.onAcked(90 * MSS, false, 1e9);
    const w = cc.cwnd;
    cc.onLoss(10, 20);
    expect(cc.cwnd).toBeCloseTo(w * 0.9);
    cc.onLoss(15, 21); // sent before the reduction: same loss event
    expect(cc.cwnd).toBeCloseTo(w * 0.9);
    delay(cc, 70, 30);
    const w2 = cc.cwnd;
    cc.onLoss(25, 40);
    expect(cc.cwnd).toBeCloseTo(w2 * 0.5);
    expect(cc.lossEvents).toBe(2);
  });

  it('random loss every RTT does not collapse the window while the queue stays empty', () => {
    const cc = make();
    delay(cc, 0, 0);
    let now = 0;
    for (let rtt = 0; rtt < 50; rtt++) {
      now += 10;
      cc.onLoss(now - 1, now);
      cc.onAcked(cc.cwnd, false, cc.cwnd);
    }
    expect(cc.cwnd).toBeGreaterThan(100 * MSS);
  });

  it('never grows beyond twice the bytes actually in flight', () => {
    const cc = make();
    delay(cc, 0, 0);
    for (let i = 0; i < 20; i++) cc.onAcked(cc.cwnd, false, 10 * MSS);
    expect(cc.cwnd).toBe(24 * MSS);
  });

  it('collapses to the minimum window on persistent congestion', () => {
    const cc = make();
    cc.onPersistentCongestion(5);
    expect(cc.cwnd).toBe(DEFAULT_LEDBAT.minCwndPackets * MSS);
  });

  it('base delay survives a clock offset near the u32 wrap', () => {
    const cc = make();
    cc.onDelaySample(0xffff_fc18, 0); // -1000 µs mod 2^32
    cc.onDelaySample(0x0000_2710, 1); // +10000 µs after the wrap: 11 ms above base
    cc.onDelaySample(0x0000_2710, 2);
    cc.onDelaySample(0x0000_2710, 3);
    cc.onDelaySample(0x0000_2710, 4);
    expect(cc.queuingDelayMs).toBeCloseTo(11);
  });
});
