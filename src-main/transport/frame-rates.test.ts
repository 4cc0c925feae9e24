import { describe, expect, it } from 'vitest';
import { FrameRateLimiter, INBOUND_FRAME_RATES } from './frame-rates.js';

describe('FrameRateLimiter', () => {
  it('accepts a burst, then refills at the rate', () => {
    const r = new FrameRateLimiter();
    const { burst, perSecond } = INBOUND_FRAME_RATES.PEX_REQUEST;
    for (let i = 0; i < burst; i++) expect(r.take('PEX_REQUEST', 0)).toBe(true);
    expect(r.take('PEX_REQUEST', 0)).toBe(false);
    // One token comes back after 1/perSecond s, and the bucket never holds more than burst.
    expect(r.take('PEX_REQUEST', 1000 / perSecond)).toBe(true);
    expect(r.take('PEX_REQUEST', 1000 / perSecond)).toBe(false);
    let accepted = 0;
    for (let i = 0; i < burst * 2; i++) if (r.take('PEX_REQUEST', 3_600_000)) accepted++;
    expect(accepted).toBe(burst);
  });

  it('keeps one bucket per kind and leaves other kinds alone', () => {
    const r = new FrameRateLimiter();
    while (r.take('AVAILABILITY', 0));
    expect(r.take('PLAYLIST_REQUEST', 0)).toBe(true);
    for (let i = 0; i < 10_000; i++) expect(r.take('SEGMENT_REQUEST', 0)).toBe(true);
  });
});
