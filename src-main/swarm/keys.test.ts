import { describe, expect, it } from 'vitest';
import {
  initPlanSeq,
  isInitPlanSeq,
  itemKey,
  pieceSlot,
  rangeKey,
  segmentKey,
  segmentSlot,
  seqOfPlanSeq,
} from './keys.js';

describe('segment and piece keys', () => {
  it('spell a segment, a plan item and a served range as before', () => {
    expect(segmentKey(1, 42)).toBe('1:42');
    expect(itemKey({ rendition: 1, seq: 42 })).toBe('1:42');
    expect(itemKey({ rendition: 1, seq: 42, piece: 3 })).toBe('1:42:3');
    expect(rangeKey(1, 42, undefined)).toBe('1:42');
    expect(rangeKey(1, 42, { offset: 65536, length: 16384 })).toBe('1:42@65536');
  });

  it('keep renditions apart', () => {
    expect(segmentKey(0, 5)).not.toBe(segmentKey(1, 5));
    expect(rangeKey(0, 5, { offset: 0, length: 1 })).not.toBe(rangeKey(1, 5, { offset: 0, length: 1 }));
    expect(segmentSlot(0, 5)).not.toBe(segmentSlot(1, 5));
    expect(pieceSlot(0, 5, 31)).not.toBe(pieceSlot(1, 5, 0));
  });

  it('carry an init segment in the fetch plan as -1 - seq, apart from every media seq', () => {
    for (const seq of [0, 1, 7, 1000]) {
      expect(initPlanSeq(seq)).toBe(-1 - seq);
      expect(isInitPlanSeq(initPlanSeq(seq))).toBe(true);
      expect(seqOfPlanSeq(initPlanSeq(seq))).toBe(seq);
      expect(isInitPlanSeq(seq)).toBe(false);
      expect(seqOfPlanSeq(seq)).toBe(seq);
    }
  });

  it('number a segment as seq * 256 + rendition and a piece as that * 32 + piece', () => {
    expect(segmentSlot(3, 10)).toBe(10 * 256 + 3);
    expect(pieceSlot(3, 10, 5)).toBe((10 * 256 + 3) * 32 + 5);
  });
});
