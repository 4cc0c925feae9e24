import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../test/fakes/fake-clock.js';
import { MemoryBudget, SegmentAssembly, admitSegmentSize } from './reassembly.js';
import { RequestBook } from './request-book.js';
import { SegmentBufferPool } from './segment-buffer-pool.js';

describe('SegmentBufferPool', () => {
  it('hands a released buffer out again for the same size only', () => {
    const pool = new SegmentBufferPool();
    const a = pool.take(64 * 1024);
    pool.give(a);
    expect(pool.take(32 * 1024)).not.toBe(a);
    expect(pool.take(64 * 1024)).toBe(a);
    expect(pool.take(64 * 1024)).not.toBe(a);
    expect(pool.reused).toBe(1);
  });

  it('keeps only whole allocations, each once, within its byte cap', () => {
    const pool = new SegmentBufferPool(100_000);
    const whole = Buffer.allocUnsafeSlow(60_000);
    pool.give(Buffer.allocUnsafeSlow(120_000).subarray(0, 60_000)); // a view
    pool.give(Buffer.from('tiny')); // a slice of node's shared pool
    pool.give(whole);
    pool.give(whole);
    expect(pool.bytes).toBe(60_000);
    pool.give(Buffer.allocUnsafeSlow(60_000)); // beyond the cap
    expect(pool.bytes).toBe(60_000);
    expect(pool.take(60_000)).toBe(whole);
    expect(pool.bytes).toBe(0);
  });

  it('a reassembly writes into a recycled buffer and delivers the new bytes', () => {
    const pool = new SegmentBufferPool();
    const old = Buffer.allocUnsafeSlow(10_000).fill(0xee);
    pool.give(old);
    const budget = new MemoryBudget(10_000);
    expect(admitSegmentSize(10_000, 10_000, budget)).toBe('ok');
    const a = new SegmentAssembly(10_000, budget, pool);
    expect(a.buffer).toBe(old);
    const data = Buffer.alloc(10_000, 0x11);
    expect(a.add(5_000, 10_000, data.subarray(5_000))).toBe('added');
    expect(a.add(0, 10_000, data.subarray(0, 5_000))).toBe('complete');
    expect(a.buffer.equals(data)).toBe(true);
  });
});

describe('RequestBook and the pool', () => {
  it("a failed request's partly filled buffer goes back to the pool for the next request", async () => {
    const pool = new SegmentBufferPool();
    const budget = new MemoryBudget(1 << 20);
    const book = new RequestBook({
      clock: new FakeClock(),
      budget,
      pool,
      maxPending: 8,
      sendControl: () => {},
    });
    const opts = { rendition: 0, kind: 'media' as const, seq: 1, expectedSize: 5_000 };
    const first = book.requestSegment(opts);
    const chunk = Buffer.alloc(1_000, 1);
    book.onSegmentBytes(first.reqId, 0, 5_000, chunk, 0, chunk.length);
    first.cancel();
    await expect(first.done).rejects.toThrow();
    expect(pool.bytes).toBe(5_000);
    expect(budget.used).toBe(0);
    const second = book.requestSegment({ ...opts, seq: 2 });
    const full = Buffer.alloc(5_000, 2);
    book.onSegmentBytes(second.reqId, 0, 5_000, full, 0, full.length);
    const got = await second.done;
    expect(pool.reused).toBe(1);
    expect(got.equals(full)).toBe(true);
  });
});
