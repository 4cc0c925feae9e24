import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { fakeSegment } from '../../test/fakes/segments.js';
import { SegmentStore, type SegmentEvent } from './segment-store.js';

function fill(
  store: SegmentStore,
  seqs: number[],
  extra: Partial<Parameters<typeof fakeSegment>[0]> = {},
): void {
  for (const seq of seqs) {
    const { entry, data } = fakeSegment({ seq, ...extra });
    store.put(entry, data);
  }
}

describe('SegmentStore', () => {
  it('holds a bounded window per rendition and evicts oldest first', () => {
    const store = new SegmentStore({ maxSegments: 3 });
    const evicted: SegmentEvent[] = [];
    store.on('evicted', (e) => evicted.push(e));
    fill(store, [1, 2, 3, 4, 5]);
    fill(store, [10, 11], { rendition: 1 });

    expect(store.window(0).map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(store.window(1).map((e) => e.seq)).toEqual([10, 11]);
    expect(evicted.map((e) => e.seq)).toEqual([1, 2]);
    expect(store.liveEdge(0)).toBe(5);
    expect(store.liveEdge(7)).toBe(-1);
    expect(store.renditions()).toEqual([0, 1]);

    expect(store.get(0, 'media', 4)?.entry.seq).toBe(4);
    expect(store.get(0, 'media', 1)).toBeUndefined();
    expect(store.get(0, 'init', 4)).toBeUndefined();
    expect(store.has(0, 'media', 5)).toBe(true);
    expect(store.stats()).toMatchObject({ mediaSegments: 5, bytes: 5000, hits: 1, misses: 2, evictions: 2 });
  });

  it('keeps to the byte budget but always holds the newest segment', () => {
    const store = new SegmentStore({ maxSegments: 100, maxBytes: 2500 });
    fill(store, [1, 2, 3]);
    expect(store.window(0).map((e) => e.seq)).toEqual([2, 3]);
    const { entry, data } = fakeSegment({ seq: 4, size: 5000 });
    expect(store.put(entry, data)).toBe('added');
    expect(store.window(0).map((e) => e.seq)).toEqual([4]);
    expect(store.stats().bytes).toBe(5000);
  });

  it('never accepts bytes that do not match the entry', () => {
    const store = new SegmentStore();
    const { entry, data } = fakeSegment({ seq: 1 });
    const flipped = Buffer.from(data);
    flipped[10]! ^= 1;
    for (const bad of [flipped, data.subarray(1), Buffer.concat([data, Buffer.from([0])])]) {
      let caught: unknown;
      try {
        store.put(entry, bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ShoalError);
      expect((caught as ShoalError).code).toBe(ErrorCode.HASH_MISMATCH);
    }
    expect(store.has(0, 'media', 1)).toBe(false);
    expect(store.stats().rejected).toBe(3);
  });

  it('reports duplicates, replacements and stale puts', () => {
    const store = new SegmentStore({ maxSegments: 2 });
    const added: number[] = [];
    store.on('added', (e) => added.push(e.seq));
    fill(store, [5, 6]);
    const again = fakeSegment({ seq: 6 });
    expect(store.put(again.entry, again.data)).toBe('duplicate');
    const other = fakeSegment({ seq: 6, size: 1200 });
    expect(store.put(other.entry, other.data)).toBe('replaced');
    expect(store.get(0, 'media', 6)?.data.length).toBe(1200);
    const old = fakeSegment({ seq: 1 });
    expect(store.put(old.entry, old.data)).toBe('stale');
    expect(added).toEqual([5, 6, 6]);
    // out-of-order arrival inside the window is fine
    const store2 = new SegmentStore({ maxSegments: 5 });
    fill(store2, [3, 1, 2]);
    expect(store2.window(0).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('keeps an init segment while held media need it, then drops it', () => {
    const store = new SegmentStore({ maxSegments: 2 });
    fill(store, [0], { kind: 'init' });
    fill(store, [10, 11], { initSeq: 0 });
    fill(store, [1], { kind: 'init' });
    fill(store, [12], { initSeq: 1 });
    // media 11 still needs init 0
    expect(store.initEntries(0).map((e) => e.seq)).toEqual([0, 1]);
    fill(store, [13], { initSeq: 1 });
    expect(store.initEntries(0).map((e) => e.seq)).toEqual([1]);
    expect(store.has(0, 'init', 0)).toBe(false);
    // a superseded, unreferenced init is refused
    const old = fakeSegment({ seq: 0, kind: 'init' });
    expect(store.put(old.entry, old.data)).toBe('stale');
    expect(store.stats().initSegments).toBe(1);
  });

  it('describes availability as an AVAILABILITY bitmap', () => {
    const store = new SegmentStore({ maxSegments: 20 });
    fill(store, [100, 101, 103, 108, 109]);
    const a = store.availability(0);
    expect(a).toMatchObject({ baseSeq: 100, count: 10 });
    expect([...a.bitmap]).toEqual([0b11010000, 0b11000000]);
    expect(store.availability(3)).toMatchObject({ count: 0 });
    expect(store.heldSeqs(0)).toEqual([100, 101, 103, 108, 109]);
  });

  it('never exceeds its limits whatever the order of puts (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ seq: fc.integer({ min: 0, max: 60 }), size: fc.integer({ min: 1, max: 900 }) }),
          {
            maxLength: 80,
          },
        ),
        (puts) => {
          const store = new SegmentStore({ maxSegments: 8, maxBytes: 3000 });
          for (const p of puts) {
            const { entry, data } = fakeSegment(p);
            store.put(entry, data);
            const win = store.window(0);
            expect(win.length).toBeLessThanOrEqual(8);
            expect(store.stats().bytes).toBeLessThanOrEqual(Math.max(3000, data.length));
            expect(win.map((e) => e.seq)).toEqual([...win.map((e) => e.seq)].sort((x, y) => x - y));
          }
        },
      ),
      { numRuns: 100 },
    );
  });
});
