import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bitmapHas, bitmapToSeqs, newestSeqs, seqsToBitmap } from './availability-bitmap.js';

describe('AVAILABILITY bitmaps (PROTOCOL §5.12)', () => {
  it('bit 7 of byte 0 is baseSeq', () => {
    expect(seqsToBitmap([100, 101, 102, 105, 111])).toEqual({
      baseSeq: 100,
      count: 12,
      bitmap: Uint8Array.from([0xe4, 0x10]),
    });
    expect(seqsToBitmap([])).toEqual({ baseSeq: 0, count: 0, bitmap: new Uint8Array(0) });
  });

  it('seqs → bitmap → seqs is the identity (sorted, deduplicated)', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xfff0_0000 }),
        fc.array(fc.nat({ max: 3000 }), { maxLength: 200 }),
        (base, offs) => {
          const seqs = offs.map((o) => base + o);
          const w = seqsToBitmap(seqs);
          const expected = [...new Set(seqs)].sort((a, b) => a - b);
          expect(bitmapToSeqs(w)).toEqual(expected);
          for (const s of expected) expect(bitmapHas(w, s)).toBe(true);
          expect(bitmapHas(w, base - 1)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an explicit window leaves out seqs outside it and ignores bits past count', () => {
    const w = seqsToBitmap([5, 9, 10, 20], 8, 3);
    expect(w).toEqual({ baseSeq: 8, count: 3, bitmap: Uint8Array.from([0x60]) });
    expect(bitmapToSeqs({ baseSeq: 8, count: 3, bitmap: Uint8Array.from([0x7f]) })).toEqual([9, 10]);
    expect(bitmapHas({ baseSeq: 8, count: 3, bitmap: Uint8Array.from([0xff]) }, 11)).toBe(false);
  });

  it('newestSeqs keeps the newest marked seqs of a window, whatever the count claims', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 0xfff0_0000 }),
        fc.array(fc.nat({ max: 3000 }), { maxLength: 200 }),
        fc.integer({ min: 1, max: 400 }),
        (base, offs, limit) => {
          const w = seqsToBitmap(offs.map((o) => base + o));
          const all = bitmapToSeqs(w);
          const top = all.at(-1);
          const expected = top === undefined ? [] : all.filter((s) => s > top - limit);
          expect(newestSeqs(w, limit)).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
    // A full 65 535-bit frame (PROTOCOL §5.12's maximum) yields `limit` seqs, the newest.
    const full = { baseSeq: 10, count: 0xffff, bitmap: new Uint8Array(8192).fill(0xff) };
    const kept = newestSeqs(full, 256);
    expect(kept).toHaveLength(256);
    expect(kept[0]).toBe(10 + 0xffff - 256);
    expect(kept.at(-1)).toBe(10 + 0xffff - 1);
    // Bits past count are ignored; a bitmap shorter than count claims nothing beyond it.
    expect(newestSeqs({ baseSeq: 0, count: 3, bitmap: Uint8Array.from([0xff]) }, 8)).toEqual([0, 1, 2]);
    expect(newestSeqs({ baseSeq: 0, count: 0xffff, bitmap: Uint8Array.from([0x80]) }, 8)).toEqual([0]);
  });
});
