import { describe, expect, it } from 'vitest';
import { ServingQueue } from './serving-queue.js';

describe('ServingQueue', () => {
  it('lets urgent work wait only for work at least as urgent', () => {
    const now = 0;
    const q = new ServingQueue(() => now);
    q.add(2, 1000);
    q.add(0, 500);
    expect(q.waitMs(0)).toBe(500);
    expect(q.waitMs(1)).toBe(500);
    expect(q.waitMs(2)).toBe(1500);
  });

  it('drains the most urgent class first, as the transport sends', () => {
    let now = 0;
    const q = new ServingQueue(() => now);
    q.add(1, 1000);
    q.add(0, 400);
    now = 600;
    expect(q.waitMs(0)).toBe(0);
    expect(q.waitMs(1)).toBe(800);
    now = 2000;
    expect(q.waitMs(5)).toBe(0);
  });

  it('forgets everything on clear', () => {
    const now = 0;
    const q = new ServingQueue(() => now);
    q.add(0, 5000);
    q.clear();
    expect(q.waitMs(0)).toBe(0);
  });
});
