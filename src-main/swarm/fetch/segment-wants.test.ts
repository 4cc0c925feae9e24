// SegmentWants on its own: what a viewer still needs and by when, with a real entry book,
// piece ledger and live position (PROTOCOL §7.3 for pieces).

import { describe, expect, it } from 'vitest';
import {
  emptyVault,
  mediaBytes,
  recordingSession,
  signedEntry,
  signedSegment,
} from '../../../test/fakes/swarm-fakes.js';
import { EntryFlag } from '../../protocol/constants.js';
import { streamKeysFromSeed } from '../../protocol/signing.js';
import { initPlanSeq, itemKey } from '../keys.js';
import { PeerLink } from '../peer-link.js';
import type { SegmentVault } from '../ports.js';
import { viewerParts } from '../../../test/swarm/viewer-parts.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 5));

/** A viewer at t = 10 s that knows media segments 1..seqs of rendition 0 (2 s each), joining 2 behind live. */
function setup(seqs: number, opts: { vault?: SegmentVault; links?: PeerLink[]; pieces?: boolean } = {}) {
  let now = 10_000;
  const entries = Array.from({ length: seqs }, (_, i) => signedEntry(keys, i + 1, { durationUs: 2_000_000 }));
  const links = opts.links ?? [];
  const parts = viewerParts({
    ...opts,
    streamId: keys.streamId,
    entries,
    now: () => now,
    links: () => links,
  });
  return { ...parts, advance: (ms: number) => (now += ms), now: () => now };
}

const nothingRunning = () => false;

describe('SegmentWants', () => {
  it('wants every segment from the join point on, the catch-up within a segment of joining', () => {
    const t = setup(6);
    const wanted = t.wants.wanted(t.now(), nothingRunning);
    // Join point: live edge 6 minus joinDistance 2, plus 1.
    expect(t.position.joinSeq(0)).toBe(5);
    expect(wanted.map((w) => w.seq)).toEqual([5, 6]);
    expect(wanted.every((w) => w.piece === undefined && w.size === 1000)).toBe(true);
    // Someone waits for the picture: the join point and the rest of the catch-up (up to the
    // live edge at the join) are due within a segment of joining (LivePosition.fetchBy), not
    // when the modelled player would reach them.
    expect(wanted[0]!.deadlineAt).toBe(10_000 + 2000);
    expect(wanted[1]!.deadlineAt).toBe(10_000 + 2000);
  });

  it('leaves out what the store holds and what is played already', () => {
    const held = new Set([5]);
    const vault: SegmentVault = { ...emptyVault, has: (_r, kind, seq) => kind === 'media' && held.has(seq) };
    const t = setup(7, { vault });
    expect(t.wants.wanted(t.now(), nothingRunning).map((w) => w.seq)).toEqual([6, 7]);
    expect(t.position.contiguousHead(0)).toBe(5);
  });

  it('dates each segment from when it was first heard of; one the broadcaster pushed is not held back', () => {
    const t = setup(6);
    t.wants.noteHeard(0, 5, false);
    t.advance(500);
    t.wants.noteHeard(0, 5, true); // heard again: the first hearing counts
    t.wants.noteHeard(0, 6, true);
    const [five, six] = t.wants.wanted(t.now(), nothingRunning);
    expect(five!.announcedAt).toBe(10_000);
    expect(six!.announcedAt).toBe(-Infinity);
    expect(t.wants.heardAt(0, 5)).toBe(10_000);
    expect(t.wants.heardAt(0, 9)).toBeUndefined();
  });

  it('wants a segment with a piece map piece by piece, without the pieces it holds (§7.3)', () => {
    const t = setup(6);
    const data = mediaBytes(2500);
    const { entry, map } = signedSegment(keys, 6, data);
    t.book.addOwn(entry); // the same seq, now with the bytes' hash
    t.ledger.addMap(map);
    t.ledger.open(0, 6)!.accept(1, data.subarray(1024, 2048));
    const wanted = t.wants.wanted(t.now(), nothingRunning).filter((w) => w.seq === 6);
    expect(wanted.map((w) => [w.piece, w.size])).toEqual([
      [0, 1024],
      [2, 452],
    ]);
    // A whole request under way for it, or pieces off: wanted whole.
    const whole = t.wants.wanted(t.now(), (key) => key === itemKey({ rendition: 0, seq: 6 }));
    expect(whole.filter((w) => w.seq === 6).map((w) => w.piece)).toEqual([undefined]);
    const off = setup(6, { pieces: false });
    off.ledger.addMap(map);
    expect(off.wants.wanted(off.now(), nothingRunning).filter((w) => w.seq === 6)).toHaveLength(1);
  });

  it('a piece the broadcaster offered us is not held back', () => {
    const broadcaster = new PeerLink(
      recordingSession({ nodeId: 'b'.repeat(16), isBroadcaster: true }),
      () => 0,
    );
    const t = setup(6, { links: [broadcaster] });
    const data = mediaBytes(2500);
    const { entry, map } = signedSegment(keys, 6, data);
    t.book.addOwn(entry);
    t.ledger.addMap(map);
    t.wants.noteHeard(0, 6, false);
    broadcaster.markPieces(0, 6, 0b100, true);
    const pieces = t.wants.wanted(t.now(), nothingRunning).filter((w) => w.seq === 6);
    expect(pieces.map((w) => [w.piece, w.announcedAt])).toEqual([
      [0, 10_000],
      [1, 10_000],
      [2, -Infinity],
    ]);
  });

  it('wants the init segment a media segment needs once, under its plan seq and due now', () => {
    const t = setup(0);
    const init = signedEntry(keys, 3, { flags: EntryFlag.INIT, size: 700 });
    t.book.addOwn(init);
    for (const seq of [1, 2, 3]) t.book.addOwn(signedEntry(keys, seq, { initSeq: 3 }));
    const inits = t.wants.wanted(t.now(), nothingRunning).filter((w) => w.seq < 0);
    expect(inits).toEqual([
      { rendition: 0, seq: initPlanSeq(3), size: 700, deadlineAt: t.now(), announcedAt: -Infinity },
    ]);
  });

  it('wants nothing before the live edge is known', () => {
    const t = setup(0);
    expect(t.wants.wanted(t.now(), nothingRunning)).toEqual([]);
    expect(t.position.joinSeq(0)).toBeUndefined();
  });
});
