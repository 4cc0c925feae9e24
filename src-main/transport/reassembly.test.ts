import { describe, expect, it } from 'vitest';
import { MAX_SEGMENT_SIZE } from '../protocol/constants.js';
import { MemoryBudget, SegmentAssembly, admitSegmentSize } from './reassembly.js';

describe('reassembly budgets', () => {
  it('a per-peer budget is bounded by itself and by the node-wide one', () => {
    const total = new MemoryBudget(100);
    const a = new MemoryBudget(60, total);
    const b = new MemoryBudget(60, total);
    expect(a.reserve(60)).toBe(true);
    expect(a.reserve(1)).toBe(false);
    expect(b.reserve(50)).toBe(false); // total would be 110
    expect(b.reserve(40)).toBe(true);
    a.release(60);
    expect(total.used).toBe(40);
  });

  it('rejects oversize and unexpected sizes before reserving anything', () => {
    const budget = new MemoryBudget(1 << 30);
    expect(admitSegmentSize(MAX_SEGMENT_SIZE + 1, undefined, budget)).toBe('too-large');
    expect(admitSegmentSize(2000, 1000, budget)).toBe('unexpected-size');
    expect(budget.used).toBe(0);
    expect(admitSegmentSize(MAX_SEGMENT_SIZE, undefined, new MemoryBudget(1000))).toBe('no-memory');
  });
});

describe('SegmentAssembly', () => {
  const make = (size: number): SegmentAssembly => {
    const budget = new MemoryBudget(size);
    expect(admitSegmentSize(size, size, budget)).toBe('ok');
    return new SegmentAssembly(size, budget);
  };

  it('reassembles out of order with duplicates, byte-identical', () => {
    const data = Buffer.from(Array.from({ length: 100 }, (_, i) => i));
    const a = make(100);
    const order = [3, 0, 3, 9, 1, 2, 8, 5, 4, 6, 7, 0];
    const verdicts = order.map((i) => a.add(i * 10, 100, data.subarray(i * 10, i * 10 + 10)));
    expect(verdicts.filter((v) => v === 'duplicate')).toHaveLength(2);
    expect(verdicts.at(-2)).toBe('complete');
    expect(a.buffer.equals(data)).toBe(true);
  });

  it('rejects overlaps, out-of-range offsets and a changed total size without copying', () => {
    const a = make(100);
    expect(a.add(10, 100, new Uint8Array(10))).toBe('added');
    expect(a.add(15, 100, new Uint8Array(10))).toBe('overlap');
    expect(a.add(5, 100, new Uint8Array(10))).toBe('overlap');
    expect(a.add(95, 100, new Uint8Array(10))).toBe('out-of-range');
    expect(a.add(0, 101, new Uint8Array(10))).toBe('size-mismatch');
    expect(a.add(50, 100, new Uint8Array(0))).toBe('out-of-range');
    expect(a.received).toBe(10);
  });

  it('releases its reservation exactly once', () => {
    const budget = new MemoryBudget(100);
    admitSegmentSize(100, undefined, budget);
    const a = new SegmentAssembly(100, budget);
    a.release();
    a.release();
    expect(budget.used).toBe(0);
  });

  it('an empty segment completes with one empty fragment', () => {
    const a = make(0);
    expect(a.add(0, 0, new Uint8Array(0))).toBe('complete');
  });
});
