import { describe, expect, it } from 'vitest';
import { addCapped, dropOldestOver, setCapped, setNewest } from './bounded.js';

describe('bounded tables', () => {
  it('setCapped keeps the newest `max` keys; setting a present key keeps its place', () => {
    const m = new Map<string, number>();
    for (const k of ['a', 'b', 'c']) setCapped(m, k, 1, 3);
    setCapped(m, 'a', 2, 3);
    setCapped(m, 'd', 1, 3);
    expect([...m]).toEqual([
      ['b', 1],
      ['c', 1],
      ['d', 1],
    ]);
  });

  it('setNewest moves a present key to the end, so the least recently set goes first', () => {
    const m = new Map<number, number>();
    for (const k of [1, 2, 3]) setNewest(m, k, k, 3);
    setNewest(m, 1, 10, 3);
    setNewest(m, 4, 4, 3);
    expect([...m.keys()]).toEqual([3, 1, 4]);
    expect(m.get(1)).toBe(10);
  });

  it('addCapped drops the oldest value of a set', () => {
    const s = new Set<number>();
    for (const v of [1, 2, 3, 2, 4]) addCapped(s, v, 3);
    expect([...s]).toEqual([2, 3, 4]);
  });

  it('dropOldestOver drops one entry per call, only when over the limit', () => {
    const m = new Map([
      ['a', 1],
      ['b', 2],
      ['c', 3],
    ]);
    dropOldestOver(m, 3);
    expect(m.size).toBe(3);
    dropOldestOver(m, 1);
    expect([...m.keys()]).toEqual(['b', 'c']);
  });
});
