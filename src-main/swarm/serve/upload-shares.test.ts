// Per-neighbour upload shares (PROTOCOL §13.5), on a hand-moved clock: a neighbour that
// asks without pause gets its ceiling and no more, competing neighbours split a capped
// upload evenly, and a neighbour that takes the bit rate is never turned down.

import { describe, expect, it } from 'vitest';
import type { PeerLink } from '../peer-link.js';
import {
  ASSUMED_LINE_BYTES_PER_SEC,
  BURST_SEGMENTS,
  PEER_CEILING_STREAMS,
  UploadShares,
} from './upload-shares.js';

const STREAM = 375_000; // 3 Mbit/s
const SEG_MS = 2000;
const SEGMENT = (STREAM * SEG_MS) / 1000;

function setup(cap: number | null) {
  let t = 0;
  const shares = new UploadShares({
    now: () => t,
    capBytesPerSec: () => cap,
    streamBytesPerSec: () => STREAM,
    segmentDurationMs: () => SEG_MS,
  });
  const link = (): PeerLink => ({}) as PeerLink;
  /** Each link asks for a segment every `everyMs` for `ms`; returns bytes served to each. */
  const run = (links: PeerLink[], ms: number, everyMs: number, size = SEGMENT): number[] => {
    const served = links.map(() => 0);
    for (let elapsed = 0; elapsed < ms; elapsed += everyMs) {
      links.forEach((l, i) => {
        if (!shares.allows(l)) return;
        shares.charge(l, size);
        served[i]! += size;
      });
      t += everyMs;
    }
    return served;
  };
  return { shares, link, run };
}

describe('UploadShares', () => {
  it('holds a greedy neighbour to its ceiling even with no upload cap', () => {
    const { link, run } = setup(null);
    const [served] = run([link()], 60_000, 10);
    const ceiling = PEER_CEILING_STREAMS * STREAM * 60 + BURST_SEGMENTS * SEGMENT + SEGMENT;
    expect(served).toBeLessThanOrEqual(ceiling);
    // It does get about that much: the limit is a ceiling, not a choke.
    expect(served).toBeGreaterThan(0.9 * PEER_CEILING_STREAMS * STREAM * 60);
  });

  it('splits a capped upload evenly between neighbours that all ask for more', () => {
    const cap = 1_000_000;
    const { link, run } = setup(cap);
    const served = run([link(), link(), link(), link()], 60_000, 10, 16_384);
    for (const bytes of served) {
      expect(bytes).toBeGreaterThan(0.85 * (cap / 4) * 60);
      expect(bytes).toBeLessThan(1.15 * (cap / 4) * 60 + BURST_SEGMENTS * SEGMENT);
    }
  });

  it('without a cap assumes a home line, but always lets each neighbour take the bit rate', () => {
    const { shares } = setup(null);
    expect(shares.shareBytesPerSec(1)).toBe(PEER_CEILING_STREAMS * STREAM);
    expect(shares.shareBytesPerSec(4)).toBe(ASSUMED_LINE_BYTES_PER_SEC / 4);
    expect(shares.shareBytesPerSec(100)).toBe(STREAM);
  });

  it('never turns down a neighbour that takes the bit rate, whatever a greedy one does', () => {
    let t = 0;
    const shares = new UploadShares({
      now: () => t,
      capBytesPerSec: () => null,
      streamBytesPerSec: () => STREAM,
      segmentDurationMs: () => SEG_MS,
    });
    const honest = {} as PeerLink;
    const greedy = {} as PeerLink;
    let refusedHonest = 0;
    for (; t < 120_000; t += 10) {
      if (shares.allows(greedy)) shares.charge(greedy, SEGMENT);
      if (t % SEG_MS !== 0) continue;
      if (shares.allows(honest)) shares.charge(honest, SEGMENT);
      else refusedHonest++;
    }
    expect(refusedHonest).toBe(0);
  });
});
