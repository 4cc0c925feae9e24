import { describe, expect, it } from 'vitest';
import { AckTracker } from './ack-tracker.js';

const policy = { ackEveryPackets: 16, maxAckDelayMs: 10, maxRanges: 8 };

describe('AckTracker', () => {
  it('merges in-order packets into one range and drops duplicates', () => {
    const t = new AckTracker(policy);
    for (let pn = 0; pn < 5; pn++) expect(t.onPacket(pn, true, 0)).toBe(true);
    expect(t.onPacket(3, true, 0)).toBe(false);
    expect(t.duplicates).toBe(1);
    expect(t.snapshot()).toEqual([[0, 4]]);
  });

  it('tracks gaps, fills them and merges neighbours', () => {
    const t = new AckTracker(policy);
    for (const pn of [0, 1, 5, 6, 3, 9]) t.onPacket(pn, true, 0);
    expect(t.snapshot()).toEqual([
      [9, 9],
      [5, 6],
      [3, 3],
      [0, 1],
    ]);
    t.onPacket(4, true, 0);
    t.onPacket(2, true, 0);
    t.onPacket(8, true, 0);
    t.onPacket(7, true, 0);
    expect(t.snapshot()).toEqual([[0, 9]]);
    expect(t.onPacket(7, true, 0)).toBe(false);
  });

  it('forgets the oldest ranges beyond the limit and treats them as duplicates', () => {
    const t = new AckTracker({ ...policy, maxRanges: 3 });
    for (const pn of [0, 2, 4, 6, 8]) t.onPacket(pn, true, 0);
    expect(t.snapshot()).toEqual([
      [8, 8],
      [6, 6],
      [4, 4],
    ]);
    expect(t.onPacket(1, true, 0)).toBe(false);
    expect(t.onPacket(5, true, 0)).toBe(true);
  });

  it('forgets ranges the peer has seen acknowledged, and treats them as duplicates (§8.2)', () => {
    const t = new AckTracker(policy);
    for (const pn of [0, 1, 3, 5, 6, 7, 9, 11]) t.onPacket(pn, true, 0);
    t.forgetUpTo(6);
    expect(t.snapshot()).toEqual([
      [11, 11],
      [9, 9],
      [7, 7],
    ]);
    // A pn at or below 6 that never came is not asked for again: the peer has declared it lost.
    expect(t.onPacket(4, true, 0)).toBe(false);
    expect(t.onPacket(8, true, 0)).toBe(true);
    expect(t.snapshot()).toEqual([
      [11, 11],
      [7, 9],
    ]);
    // An older acknowledgement changes nothing; a newer one may empty the list.
    t.forgetUpTo(3);
    expect(t.snapshot()).toHaveLength(2);
    t.forgetUpTo(11);
    expect(t.hasRanges).toBe(false);
    expect(t.onPacket(10, true, 0)).toBe(false);
    expect(t.onPacket(12, true, 0)).toBe(true);
    expect(t.snapshot()).toEqual([[12, 12]]);
  });

  it('owes no ACK once every range is forgotten, even for a pn that went back (issue 15)', () => {
    const t = new AckTracker(policy);
    t.onPacket(10, true, 0);
    t.onAckSent();
    // pn 5 arrives after the ACK of 10 went out, and acknowledges the packet that carried it.
    expect(t.onPacket(5, true, 1)).toBe(true);
    expect(t.ackPending).toBe(true);
    t.forgetUpTo(10);
    expect(t.hasRanges).toBe(false);
    expect(t.ackPending).toBe(false);
    expect(t.ackDeadline()).toBe(Infinity);
    // The next packet owes an ACK again, with a range to put in it.
    t.onPacket(11, true, 2);
    expect(t.ackDeadline()).toBe(12);
    expect(t.build(2).ranges).toEqual([[11, 11]]);
  });

  it('acks every 2nd packet at first, later every ackEveryPackets, and at once on a gap', () => {
    const t = new AckTracker(policy);
    t.onPacket(0, true, 0);
    expect(t.ackDeadline()).toBe(10); // max ack delay
    t.onPacket(1, true, 1);
    expect(t.ackDeadline()).toBe(0);
    t.onAckSent();
    for (let pn = 2; pn < 2000; pn++) t.onPacket(pn, true, 2);
    t.onAckSent();
    for (let pn = 2000; pn < 2015; pn++) t.onPacket(pn, true, 3);
    expect(t.ackDeadline()).toBe(13);
    t.onPacket(2015, true, 3);
    expect(t.ackDeadline()).toBe(0);
    t.onAckSent();
    t.onPacket(2020, true, 4); // gap
    expect(t.ackDeadline()).toBe(0);
  });

  it('non-eliciting packets are recorded but never make an ACK due', () => {
    const t = new AckTracker(policy);
    t.onPacket(0, false, 0);
    t.onPacket(5, false, 0);
    expect(t.ackDeadline()).toBe(Infinity);
    expect(t.snapshot()).toEqual([
      [5, 5],
      [0, 0],
    ]);
  });

  it('reports ack delay since the largest packet arrived', () => {
    const t = new AckTracker(policy);
    t.onPacket(0, true, 100);
    t.onPacket(1, true, 103);
    expect(t.build(105).delayUs).toBe(2000);
  });
});
