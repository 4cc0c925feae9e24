import { describe, expect, it } from 'vitest';
import type { AckBlock } from '../protocol/types.js';
import { LossDetector } from './loss-detector.js';

/** A detector whose sink records the packet numbers acked and lost, in the order reported. */
function detector(): LossDetector<string> & { acked: number[]; lost: number[] } {
  const acked: number[] = [];
  const lost: number[] = [];
  const d = new LossDetector<string>(10, {
    acked: (pn) => acked.push(pn),
    lost: (pn) => lost.push(pn),
  });
  return Object.assign(d, { acked, lost });
}
/** The packet numbers reported to the sink while `fn` runs. */
function reported(d: ReturnType<typeof detector>, fn: () => unknown): { acked: number[]; lost: number[] } {
  d.acked.length = 0;
  d.lost.length = 0;
  fn();
  return { acked: [...d.acked], lost: [...d.lost] };
}

function sendN(d: LossDetector<string>, n: number, at: number): void {
  for (let i = 0; i < n; i++) d.onSent(d.takePacketNumber(), 1000, at, `p`);
}
const ack = (...ranges: [number, number][]): AckBlock => ({ delayUs: 0, ranges });

describe('LossDetector (RFC 9002 §6)', () => {
  it('acks packets, samples RTT, and frees the window', () => {
    const d = detector();
    sendN(d, 3, 0);
    const r = reported(d, () => d.onAck(ack([0, 2]), 50));
    expect(r.acked).toEqual([2, 1, 0]);
    expect(d.rtt.latest).toBe(50);
    expect(d.bytesInFlight).toBe(0);
    expect(d.hasInFlight).toBe(false);
  });

  it('declares a packet lost once 3 later packets are acked (packet threshold)', () => {
    const d = detector();
    sendN(d, 5, 0);
    expect(reported(d, () => d.onAck(ack([1, 2]), 5)).lost).toHaveLength(0);
    const r = reported(d, () => d.onAck(ack([1, 3]), 6));
    expect(r.lost).toEqual([0]);
  });

  it('declares loss by time threshold 9/8 of the RTT and arms the loss timer before that', () => {
    const d = detector();
    d.onSent(d.takePacketNumber(), 1000, 0, 'a');
    d.onSent(d.takePacketNumber(), 1000, 0, 'b');
    const r = reported(d, () => d.onAck(ack([1, 1]), 100)); // rtt 100: pn 0 sent at 0, lost if sent before 100 - 112.5
    expect(r.lost).toHaveLength(0);
    expect(d.lossTime).toBeCloseTo(112.5);
    expect(reported(d, () => d.detectLost(113)).lost).toEqual([0]);
  });

  it('ignores ACKs for packet numbers never sent', () => {
    const d = detector();
    sendN(d, 2, 0);
    expect(d.onAck(ack([0, 7]), 1).invalid).toBe(true);
  });

  it('backs the probe timeout off exponentially and resets it on an ACK', () => {
    const d = detector();
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

  it('keeps any number of packets in flight, with gaps of untracked (ACK-only) packet numbers', () => {
    const d = detector();
    const tracked: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const pn = d.takePacketNumber();
      if (pn % 7 === 3) continue; // an ACK-only packet: a pn, but not tracked
      d.onSent(pn, 1000, 0, 'p');
      tracked.push(pn);
    }
    expect(d.bytesInFlight).toBe(tracked.length * 1000);
    const r = reported(d, () => d.onAck(ack([2000, 4999], [0, 1997]), 10));
    expect(r.acked).toEqual(tracked.filter((pn) => pn !== 1998 && pn !== 1999).reverse());
    expect(r.lost).toEqual([1998, 1999].filter((pn) => pn % 7 !== 3));
    expect(d.bytesInFlight).toBe(0);
  });

  it('reuses its ring as packets are sent and acknowledged in a long flow', () => {
    const d = detector();
    let acked = 0;
    for (let round = 0; round < 400; round++) {
      const first = d.packetsSent;
      sendN(d, 50, round);
      acked += reported(d, () => d.onAck(ack([0, first + 49]), round + 0.5)).acked.length;
      expect(d.bytesInFlight).toBe(0);
    }
    expect(acked).toBe(20_000);
  });
});
