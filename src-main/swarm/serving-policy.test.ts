import { describe, expect, it } from 'vitest';
import { NotAvailableReason } from '../protocol/constants.js';
import type { SegmentEntry } from '../protocol/types.js';
import { EntryBook } from './entry-book.js';
import type { PeerLink } from './peer-link.js';
import { PieceLedger } from './piece-ledger.js';
import type { IncomingSegmentRequest, SegmentVault } from './ports.js';
import { ServingPolicy, type ServingConfig } from './serving-policy.js';

const SEGMENT = new Uint8Array(1000).fill(7);

/** A store that holds media segment 5 of rendition 0 (no stream info: 2 s segments). */
const vault: SegmentVault = {
  get: (rendition, kind, seq) =>
    rendition === 0 && kind === 'media' && seq === 5
      ? { entry: {} as SegmentEntry, data: SEGMENT }
      : undefined,
  has: (rendition, kind, seq) => rendition === 0 && kind === 'media' && seq === 5,
  put: () => undefined,
  heldSeqs: () => [5],
};

const link = (weChoke = false) => ({ weChoke, wasOffered: () => false }) as unknown as PeerLink;

const request = (seq: number, more: Partial<IncomingSegmentRequest> = {}): IncomingSegmentRequest => ({
  rendition: 0,
  kind: 'media',
  seq,
  respond: () => undefined,
  notAvailable: () => undefined,
  ...more,
});

/** A policy at t = 1 s (the broadcaster's rescue budget has had a second to fill). */
function policy(config: Partial<ServingConfig>, activeResponses = 0) {
  const full: ServingConfig = { role: 'viewer', vault, pushFanout: 2, now: () => 1000, ...config };
  const serving = new ServingPolicy(
    full,
    new EntryBook(new Uint8Array(32)),
    new PieceLedger(),
    () => activeResponses,
  );
  return { serving };
}

describe('ServingPolicy', () => {
  it('answers a choked neighbour CHOKED and an unknown segment past the live edge NOT_YET', () => {
    const { serving } = policy({});
    expect(serving.answer(link(true), request(5))).toBe(NotAvailableReason.CHOKED);
    expect(serving.answer(link(), request(9))).toBe(NotAvailableReason.NOT_YET);
    expect(serving.answer(link(), request(5))).toBe(SEGMENT);
  });

  it('serves the requested range of a held segment', () => {
    const { serving } = policy({});
    const bytes = serving.answer(link(), request(5, { range: { offset: 100, length: 200 } }));
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect((bytes as Uint8Array).length).toBe(200);
    expect(serving.answer(link(), request(5, { range: { offset: 900, length: 200 } }))).toBe(
      NotAvailableReason.UNKNOWN,
    );
  });

  it('broadcaster: always serves the first pushFanout copies, then only rescues', () => {
    const { serving } = policy({ role: 'broadcaster', pushFanout: 2 });
    serving.notePublished(5);
    expect(serving.answer(link(), request(5))).toBe(SEGMENT);
    expect(serving.answer(link(), request(5))).toBe(SEGMENT);
    // Not needed soon: left to the viewers that hold the first copies.
    expect(serving.answer(link(), request(5, { deadlineMs: 10_000 }))).toBe(NotAvailableReason.OVERLOADED);
    // Needed within a segment or so: a rescue, paid from the rescue budget.
    expect(serving.answer(link(), request(5, { deadlineMs: 3000 }))).toBe(SEGMENT);
  });

  it('broadcaster: rescues spend what its upload cap leaves beyond 1.5x the bit rate, while it is not busy', () => {
    // No stream info: the bit rate is taken as 2 MB/s. A 1.5 MB rescue needed soon, at t = 1 s.
    const big = new Uint8Array(1_500_000);
    const bigVault: SegmentVault = {
      ...vault,
      get: (_r, _k, seq) => (seq === 5 ? { entry: {} as SegmentEntry, data: big } : undefined),
    };
    const rescue = request(5, { deadlineMs: 3000 });
    const setup = (cap: number | null, active: number) => {
      const { serving } = policy(
        { role: 'broadcaster', pushFanout: 0, vault: bigVault, uploadBytesPerSec: cap },
        active,
      );
      serving.notePublished(5);
      return serving;
    };
    // Uncapped (or a small cap): half the bit rate, 1 MB after a second: not enough.
    expect(setup(null, 0).answer(link(), rescue)).toBe(NotAvailableReason.OVERLOADED);
    expect(setup(3_000_000, 0).answer(link(), rescue)).toBe(NotAvailableReason.OVERLOADED);
    // A 3x cap leaves 1.5x spare: 3 MB/s of rescues (one second's worth of stream at once).
    expect(setup(6_000_000, 2).answer(link(), rescue)).toBe(big);
    // Busy with more than two responses: rescues wait for the first copies to go out.
    expect(setup(6_000_000, 3).answer(link(), rescue)).toBe(NotAvailableReason.OVERLOADED);
  });

  it('capped viewer: refuses what would wait too long for its priority class', () => {
    // 1000 bytes/s: a 1000-byte segment takes 1000 ms; a low-priority request may wait 500 ms.
    const { serving } = policy({ uploadBytesPerSec: 1000 }, 1);
    expect(serving.answer(link(), request(5, { priority: 2 }))).toBe(SEGMENT);
    expect(serving.answer(link(), request(5, { priority: 2 }))).toBe(NotAvailableReason.OVERLOADED);
    // A fresh segment (class 0) does not wait behind class 2 work.
    expect(serving.answer(link(), request(5, { priority: 0 }))).toBe(SEGMENT);
    expect(serving.queuedMs()).toBe(2000);
  });
});
