import { describe, expect, it } from 'vitest';
import type { AckBlock } from '../protocol/types.js';
import { LossDetector } from './loss-detector.js';

function sendN(d: LossDetector<string>, n: number, at: number): void {
  for (let i = 0; i < n; i++) d.onSent(d.takePacketNumber(), 1000, at, `p`);
}
const ack = (...ranges: [number, number][]): AckBlock => ({ delayUs: 0, ranges });

describe('LossDetector (RFC 9002 §6)', () => {
  it('acks packets, samples RTT, and frees the window', () => {
    const d = new LossDetector<string>(10);
    sendN(d, 3, 0);
    const r = d.onAck(ack([0, 2]), 50);
    expect(r.acked.map((p) => p.pn)).toEqual([2, 1, 0]);
    expect(d.rtt.latest).toBe(50);
    expect(d.bytesInFlight).toBe(0);
    expect(d.hasInFlight).toBe(false);
  });

  it('declares a packet lost once 3 later packets are acked (packet threshold)', () => {
    const d = new LossDetector<string>(10);
    sendN(d, 5, 0);
    expect(d.onAck(ack([1, 2]), 5).lost).toHaveLength(0);
    const r = d.onAck(ack([1, 3]), 6);
    expect(r.lost.map((p) => p.pn)).toEqual([0]);
  });

  it('declares loss by time threshold 9/8 of the RTT and arms the loss timer before that', () => {
    const d = new LossDetector<string>(10);
    d.onSent(d.takePacketNumber(), 1000, 0, 'a');
    d.onSent(d.takePacketNumber(), 1000, 0, 'b');
    const r = d.onAck(ack([1, 1]), 100); // rtt 100: pn 0 sent at 0, lost if sent before 100 - 112.5
    expect(r.lost).toHaveLength(0);
    expect(d.lossTime).toBeCloseTo(112.5);
    expect(d.detectLost(113).map((p) => p.pn)).toEqual([0]);
  });

  it('ignores ACKs for packet numbers never sent', () => {
    const d = new LossDetector<string>(10);
    sendN(d, 2, 0);
    expect(d.onAck(ack([0, 7]), 1).invalid).toBe(true);
  });

  it('backs the probe timeout off exponentially and resets it on an ACK', () => {
    const d = new LossDetector<string>(10);
    sendN(d, 1, 0);
    d.onAck(ack([0, 0]), 20); // srtt 20, rttvar 10 → pto 20 + 40 + 10 = 70
    sendN(d, 1, 100);
    expect(d.ptoDeadline()).toBeCloseTo(170);
    d.onPtoFired();
    expect(d.ptoDeadline()).toBeCloseTo(240);
    d.onPtoFired();
    expect(d.ptoDeadline()).toBeCloseTo(380);
    d.onAck(ack([0, 1]), 150);
    expect(d.ptoCount).toBe(0);
    expect(d.ptoDeadline()).toBe(Infinity);
  });
});
