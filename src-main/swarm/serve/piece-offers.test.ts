// PieceOffers on its own: which neighbours hear of the pieces a viewer holds, and how offers
// are paid for in the upload queue (PROTOCOL §5.15, §7.3), with real links and assemblies.

import { describe, expect, it } from 'vitest';
import { emptyVault, mediaBytes, recordingSession, signedSegment } from '../../../test/fakes/swarm-fakes.js';
import { streamKeysFromSeed } from '../../protocol/signing.js';
import type { Frame } from '../../protocol/types.js';
import { EntryBook } from '../entry-book.js';
import { PeerLink } from '../peer-link.js';
import { PieceLedger } from '../piece-ledger.js';
import { maskOfBitmap } from './piece-relay.js';
import { PieceOffers, type OfferBudget } from './piece-offers.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 9));
const data = mediaBytes(2500);
const { entry, map } = signedSegment(keys, 4, data);

type Link = PeerLink & { sent: Frame[] };
const link = (id: string, speaksPieces = true): Link => {
  const session = recordingSession({ nodeId: id.padEnd(16, '0'), speaksPieces });
  return Object.assign(new PeerLink(session, () => 0), { sent: session.sent });
};
const offers = (l: Link) =>
  l.sent
    .filter((f): f is Extract<Frame, { type: 'PIECE_HAVE' }> => f.type === 'PIECE_HAVE' && f.offer === true)
    .map((f) => maskOfBitmap(f.count, f.bitmap));

/** A viewer holding segment 4's map, with an upload queue of `queuedMs` and the given links. */
function setup(links: Link[], queuedMs = 0, uploadBytesPerSec: number | null = null) {
  const book = new EntryBook(keys.streamId);
  book.addOwn(entry);
  const pieces = new PieceLedger();
  pieces.addMap(map);
  const noted: Array<[number, number]> = [];
  const budget: OfferBudget = {
    queuedMs: () => queuedMs,
    noteOffers: (count, bytes) => void noted.push([count, bytes]),
  };
  const piecesOffers = new PieceOffers(
    { vault: emptyVault, uploadBytesPerSec },
    book,
    pieces,
    () => links,
    budget,
  );
  return { offers: piecesOffers, pieces, noted };
}

describe('PieceOffers', () => {
  it('offers a verified piece to three neighbours that lack it, never back to its source, and books them', () => {
    const from = link('f');
    const others = ['a', 'b', 'c', 'd', 'e'].map((id) => link(id));
    const t = setup([from, ...others]);
    const assembly = t.pieces.open(0, 4)!;
    assembly.accept(0, data.subarray(0, 1024));
    t.offers.pieceVerified(from, assembly, 0, 1024);
    expect(from.sent).toEqual([]);
    const offered = others.filter((l) => offers(l).length > 0);
    expect(offered).toHaveLength(3);
    for (const l of offered) {
      expect(offers(l)).toEqual([0b001]);
      expect(l.sent[0]!.type).toBe('PIECE_MAP'); // the map goes once, before the first offer
    }
    expect(t.noted).toEqual([[3, 1024]]);
  });

  it('offers to fewer neighbours as the upload queue fills, and to none past 750 ms', () => {
    for (const [queuedMs, fanout] of [
      [249, 3],
      [250, 1],
      [749, 1],
      [750, 0],
    ] as const) {
      const from = link('f');
      const others = ['a', 'b', 'c', 'd'].map((id) => link(id));
      const t = setup([from, ...others], queuedMs);
      const assembly = t.pieces.open(0, 4)!;
      assembly.accept(1, data.subarray(1024, 2048));
      t.offers.pieceVerified(from, assembly, 1, 1024);
      expect(others.filter((l) => offers(l).length > 0)).toHaveLength(fanout);
      expect(t.noted).toEqual([[fanout, 1024]]);
    }
  });

  it('digests new pieces at most every 300 ms, only to neighbours it tells something new', () => {
    const a = link('a');
    const holder = link('h');
    holder.markHave(0, 4);
    const t = setup([a, holder]);
    const assembly = t.pieces.open(0, 4)!;
    assembly.accept(2, data.subarray(2048));
    t.offers.digestIfDue(1000);
    const digests = (l: Link) => l.sent.filter((f) => f.type === 'PIECE_HAVE' && f.offer !== true);
    expect(digests(a)).toHaveLength(1);
    expect(digests(holder)).toHaveLength(0); // holds the whole segment
    assembly.accept(0, data.subarray(0, 1024));
    t.offers.digestIfDue(1200);
    expect(digests(a)).toHaveLength(1); // not due yet
    t.offers.digestIfDue(1300);
    expect(digests(a)).toHaveLength(2);
    t.offers.digestIfDue(1600);
    expect(digests(a)).toHaveLength(2); // nothing new
  });

  it('makes targeted offers of held pieces to neighbours that lack them, one piece each per round', () => {
    const a = link('a');
    const b = link('b');
    const knows = link('k');
    const old = link('o', false);
    const t = setup([a, b, knows, old]);
    const assembly = t.pieces.open(0, 4)!;
    assembly.accept(0, data.subarray(0, 1024));
    assembly.accept(1, data.subarray(1024, 2048));
    knows.markPieces(0, 4, 0b011);
    t.offers.offerToLackers();
    for (const l of [a, b]) {
      const [mask] = offers(l);
      expect(mask === 0b001 || mask === 0b010).toBe(true);
    }
    expect(offers(knows)).toEqual([]);
    expect(old.sent).toEqual([]);
    expect(t.noted).toEqual([
      [1, 1024],
      [1, 1024],
    ]);
    // Next round: each gets the piece it was not offered yet, and then nothing more.
    t.offers.offerToLackers();
    t.offers.offerToLackers();
    expect(offers(a).at(-1)).toBe(0b011);
    expect(offers(b).at(-1)).toBe(0b011);
    expect(offers(a)).toHaveLength(2);
  });

  it('makes no targeted offer while its upload queue is 400 ms or more, and stops at what the cap can send in the rest', () => {
    const lackers = ['a', 'b', 'c'].map((id) => link(id));
    const busy = setup(lackers, 400, 10_000);
    busy.pieces.open(0, 4)!.accept(0, data.subarray(0, 1024));
    busy.offers.offerToLackers();
    expect(busy.noted).toEqual([]);
    // 100 ms left at 10 kB/s: 1000 bytes, so the first 1024-byte offer uses it up.
    const fresh = ['a', 'b', 'c'].map((id) => link(id));
    const capped = setup(fresh, 300, 10_000);
    capped.pieces.open(0, 4)!.accept(0, data.subarray(0, 1024));
    capped.offers.offerToLackers();
    expect(capped.noted).toEqual([[1, 1024]]);
  });
});
