import { describe, expect, it } from 'vitest';
import { NotAvailableReason } from '../protocol/constants.js';
import type { SegmentEntry } from '../protocol/types.js';
import { signPieceMap } from '../protocol/piece-map.js';
import { signEntry, signStreamInfo, streamKeysFromSeed } from '../protocol/signing.js';
import { EntryBook } from './entry-book.js';
import type { PeerLink } from './peer-link.js';
import type { GrantPlan } from './rescue-grants.js';
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

const link = (weChoke = false) =>
  ({ weChoke, wasOffered: () => false, noPathSince: null }) as unknown as PeerLink;

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
    serving.notePublished(0, 5);
    expect(serving.answer(link(), request(5))).toBe(SEGMENT);
    expect(serving.answer(link(), request(5))).toBe(SEGMENT);
    // Not needed soon: left to the viewers that hold the first copies.
    expect(serving.answer(link(), request(5, { deadlineMs: 10_000 }))).toBe(NotAvailableReason.OVERLOADED);
    // Needed within a segment or so: a rescue, paid from the rescue budget.
    expect(serving.answer(link(), request(5, { deadlineMs: 3000 }))).toBe(SEGMENT);
  });

  it('broadcaster: counts first copies per rendition (segment 5 of rendition 1 is not a copy of rendition 0)', () => {
    // A store holding media segment 5 of renditions 0 and 1 (a master playlist).
    const both: SegmentVault = {
      ...vault,
      get: (_rendition, kind, seq) =>
        kind === 'media' && seq === 5 ? { entry: {} as SegmentEntry, data: SEGMENT } : undefined,
      has: (_rendition, kind, seq) => kind === 'media' && seq === 5,
    };
    const { serving } = policy({ role: 'broadcaster', pushFanout: 1, vault: both });
    serving.notePublished(0, 5);
    serving.notePublished(1, 5);
    const piece = { range: { offset: 0, length: 500 }, deadlineMs: 10_000 };
    expect(serving.answer(link(), request(5, { rendition: 0, ...piece }))).toBeInstanceOf(Uint8Array);
    // Rendition 1's first copy of the same piece is served too; a second copy is not.
    expect(serving.answer(link(), request(5, { rendition: 1, ...piece }))).toBeInstanceOf(Uint8Array);
    expect(serving.answer(link(), request(5, { rendition: 1, ...piece }))).toBe(
      NotAvailableReason.OVERLOADED,
    );
  });

  it('broadcaster (PROTOCOL §13.5): serves a viewer with no path alone beyond first copies; one it cannot carry gets no first copy', () => {
    const alone = { ...link(), noPathSince: 0 } as unknown as PeerLink;
    const lonely = { ...link(), noPathSince: 0 } as unknown as PeerLink;
    const plan: GrantPlan = { granted: new Set([alone]), fanout: 1, relaying: 1, next: null };
    const serving = new ServingPolicy(
      { role: 'broadcaster', vault, pushFanout: 2, now: () => 1000 },
      new EntryBook(new Uint8Array(32)),
      new PieceLedger(),
      () => 0,
      () => plan,
    );
    serving.notePublished(0, 5);
    // Served alone: whatever it asks, however far its deadline, and it uses no first copy.
    for (let i = 0; i < 3; i++)
      expect(serving.answer(alone, request(5, { deadlineMs: 10_000 }))).toBe(SEGMENT);
    // Not carried: no first copy for it (it passes nothing on); a relaying viewer still gets its two.
    expect(serving.answer(lonely, request(5, { deadlineMs: 10_000 }))).toBe(NotAvailableReason.OVERLOADED);
    expect(serving.answer(link(), request(5, { deadlineMs: 10_000 }))).toBe(SEGMENT);
    expect(serving.answer(link(), request(5, { deadlineMs: 10_000 }))).toBe(SEGMENT);
    expect(serving.answer(link(), request(5, { deadlineMs: 10_000 }))).toBe(NotAvailableReason.OVERLOADED);
    // Not carried and not next in line: not even a rescue. The next in line gets rescues.
    expect(serving.answer(lonely, request(5, { deadlineMs: 3000 }))).toBe(NotAvailableReason.OVERLOADED);
    plan.next = lonely;
    expect(serving.answer(lonely, request(5, { deadlineMs: 3000 }))).toBe(SEGMENT);
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
      serving.notePublished(0, 5);
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

  it('picks the reason of a segment it cannot serve by one rule (PROTOCOL §5.9)', () => {
    const keys = streamKeysFromSeed(Buffer.alloc(32, 9));
    const book = new EntryBook(keys.streamId);
    const rendition = (id: number) => ({ id, bandwidth: 1, width: 0, height: 0, name: `r${id}`, codecs: '' });
    book.addInfo(
      signStreamInfo(keys.privateKey, keys.streamId, {
        flags: 2,
        createdAtMs: 1,
        targetDurationMs: 2000,
        renditions: [rendition(0), rendition(1)],
      }),
    );
    const entry = (r: number, seq: number, initSeq: number | null, flags = 0): SegmentEntry =>
      signEntry(keys.privateKey, keys.streamId, {
        rendition: r,
        flags,
        seq,
        initSeq,
        durationUs: 2_000_000,
        size: 2048,
        programDateTimeMs: 0,
        sha256: Buffer.alloc(32),
      });
    // Rendition 0 is MPEG-TS (no init), rendition 1 fMP4 with init 0; both known up to seq 6.
    for (const seq of [3, 4, 5, 6]) book.addOwn(entry(0, seq, null));
    for (const seq of [3, 4, 5, 6]) book.addOwn(entry(1, seq, 0));
    const pieces = new PieceLedger();
    pieces.addMap(signPieceMap(keys.privateKey, keys.streamId, entry(0, 6, null), Buffer.alloc(2048), 1024));
    pieces.open(0, 6); // being assembled from pieces, none held yet
    const serving = new ServingPolicy(
      { role: 'viewer', vault, pushFanout: 2, now: () => 1000 },
      book,
      pieces,
      () => 0,
    );
    const reason = (more: Partial<IncomingSegmentRequest>) => serving.answer(link(), request(0, more));
    // UNKNOWN: not in the stream as far as we know.
    expect(reason({ rendition: 7, seq: 5 })).toBe(NotAvailableReason.UNKNOWN);
    expect(reason({ rendition: 0, kind: 'init', seq: 0 })).toBe(NotAvailableReason.UNKNOWN);
    // NOT_YET: above what we know, or under assembly (whole or a range we lack).
    expect(reason({ rendition: 0, seq: 7 })).toBe(NotAvailableReason.NOT_YET);
    expect(reason({ rendition: 1, kind: 'init', seq: 1 })).toBe(NotAvailableReason.NOT_YET);
    expect(reason({ rendition: 0, seq: 6 })).toBe(NotAvailableReason.NOT_YET);
    expect(reason({ rendition: 0, seq: 6, range: { offset: 0, length: 1024 } })).toBe(
      NotAvailableReason.NOT_YET,
    );
    // EVICTED: known (or older than what we know) and not held.
    expect(reason({ rendition: 0, seq: 4 })).toBe(NotAvailableReason.EVICTED);
    expect(reason({ rendition: 0, seq: 1 })).toBe(NotAvailableReason.EVICTED);
    expect(reason({ rendition: 1, kind: 'init', seq: 0 })).toBe(NotAvailableReason.EVICTED);
    // Held: served.
    expect(reason({ rendition: 0, seq: 5 })).toBe(SEGMENT);
  });
});
