import { describe, expect, it } from 'vitest';
import { stampProgramDate } from './program-date.js';

describe('stampProgramDate', () => {
  const t = Date.UTC(2026, 11, 5, 12, 0, 0);

  it('dates the first frame: when the file was finished, less its duration', () => {
    expect(stampProgramDate(2_000_000, t, null, false)).toBe(t - 2000);
  });

  it('never dates a segment before the end of the one it follows', () => {
    // Written in a burst (a slow disk, an encoder catching up): the dates still go on.
    const first = { programDateTimeMs: t - 2000, durationUs: 2_000_000 };
    expect(stampProgramDate(2_000_000, t + 500, first, false)).toBe(t);
    expect(stampProgramDate(2_000_000, t + 3000, first, false)).toBe(t + 1000);
  });

  it('starts afresh after a discontinuity (a new encoder run, a loop of a replayed clip)', () => {
    const before = { programDateTimeMs: t + 60_000, durationUs: 2_000_000 };
    expect(stampProgramDate(2_000_000, t, before, true)).toBe(t - 2000);
  });
});
