// Pieces in the swarm (PROTOCOL §7.3): assembly checks each piece against the signed map,
// serves only held bytes, and offers spread each piece to a few neighbours that lack it.

import { describe, expect, it } from 'vitest';
import { fakeSession, mediaBytes, signedSegment } from '../../test/fakes/swarm-fakes.js';
import { streamKeysFromSeed } from '../protocol/signing.js';
import type { Frame } from '../protocol/types.js';
import { PeerLink } from './peer-link.js';
import { PieceAssembly, PieceLedger } from './piece-ledger.js';
import {
  announceMap,
  announcePiece,
  digestPieces,
  maskOfBitmap,
  offerPieces,
  pieceHaveFrame,
} from './serve/piece-relay.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 7));
const bytes = mediaBytes;

const mapFor = (seq: number, data: Buffer) => signedSegment(keys, seq, data).map;

function fakeLink(id: string, pieces = true): PeerLink & { sent: Frame[] } {
  const sent: Frame[] = [];
  const session = fakeSession({
    nodeId: id.padEnd(16, '0'),
    speaksPieces: pieces,
    speaksPex: true,
    send: (f) => void sent.push(f),
  });
  return Object.assign(new PeerLink(session, () => 0), { sent });
}

const haves = (link: { sent: Frame[] }) =>
  link.sent.filter((f): f is Extract<Frame, { type: 'PIECE_HAVE' }> => f.type === 'PIECE_HAVE');

describe('PieceAssembly', () => {
  const data = bytes(2500);
  const map = mapFor(5, data);

  it('stores a piece only if it matches its signed hash, once', () => {
    const a = new PieceAssembly(map);
    expect(a.accept(1, data.subarray(1024, 2048))).toBe('stored');
    expect(a.accept(1, data.subarray(1024, 2048))).toBe('duplicate');
    const forged = Buffer.from(data.subarray(0, 1024));
    forged[3] = forged[3]! ^ 1;
    expect(a.accept(0, forged)).toBe('mismatch');
    expect(a.accept(2, data.subarray(2048, 2500 - 1))).toBe('mismatch'); // short
    expect(a.mask).toBe(0b010);
    expect(a.missing()).toEqual([0, 2]);
    expect(a.data()).toBeUndefined();
  });

  it('serves a range only when every piece it touches is held', () => {
    const a = new PieceAssembly(map);
    a.accept(1, data.subarray(1024, 2048));
    expect(Buffer.from(a.slice({ offset: 1024, length: 1024 })!)).toEqual(data.subarray(1024, 2048));
    expect(Buffer.from(a.slice({ offset: 1100, length: 100 })!)).toEqual(data.subarray(1100, 1200));
    expect(a.slice({ offset: 1000, length: 100 })).toBeUndefined(); // touches piece 0
    expect(a.slice({ offset: 2048, length: 452 })).toBeUndefined();
    expect(a.slice({ offset: 2400, length: 200 })).toBeUndefined(); // past the end
    a.accept(0, data.subarray(0, 1024));
    a.accept(2, data.subarray(2048));
    expect(a.complete).toBe(true);
    expect(Buffer.from(a.data()!)).toEqual(data);
  });

  it('the ledger keeps at most `limit` maps and drops their assemblies with them', () => {
    const ledger = new PieceLedger(2);
    for (const seq of [1, 2, 3]) ledger.addMap(mapFor(seq, bytes(2500, seq)));
    expect(ledger.map(0, 1)).toBeUndefined();
    expect(ledger.open(0, 3)).toBeInstanceOf(PieceAssembly);
    expect(ledger.addMap(mapFor(3, bytes(2500, 3)))).toBe(false);
    ledger.addMap(mapFor(4, bytes(2500, 4)));
    ledger.addMap(mapFor(5, bytes(2500, 5)));
    expect(ledger.assembly(0, 3)).toBeUndefined();
    expect(ledger.openCount).toBe(0);
  });
});

describe('offers', () => {
  const data = bytes(2500);
  const map = mapFor(9, data);

  it('PIECE_HAVE bitmaps round-trip through masks', () => {
    const f = pieceHaveFrame(0, 9, 3, 0b101, true);
    expect(f).toMatchObject({ count: 3, offer: true });
    expect(maskOfBitmap(3, f.bitmap)).toBe(0b101);
  });

  it('the broadcaster offers each piece to `fanout` different neighbours, with the map once each', () => {
    const links = [fakeLink('a'), fakeLink('b'), fakeLink('c'), fakeLink('d', false)];
    const cursor = offerPieces(links, map, 2, 0);
    expect(cursor).toBe(0); // 3 pieces x 2 copies over 3 PIECES links
    for (const l of links.slice(0, 3)) {
      expect(l.sent.filter((f) => f.type === 'PIECE_MAP')).toHaveLength(1);
      expect(haves(l)).toHaveLength(1);
      expect(haves(l)[0]).toMatchObject({ offer: true });
    }
    const offered = links.slice(0, 3).map((l) => maskOfBitmap(3, haves(l)[0]!.bitmap));
    for (let piece = 0; piece < 3; piece++) expect(offered.filter((m) => (m >>> piece) & 1)).toHaveLength(2);
    expect(links[3]!.sent).toEqual([]); // no PIECES: gets nothing piece-wise
  });

  it('a viewer offers a new piece to at most `fanout` neighbours that lack it, never back to its source', () => {
    const from = fakeLink('src');
    const holder = fakeLink('has');
    holder.markPieces(0, 9, 0b001);
    const lacking = [fakeLink('x'), fakeLink('y'), fakeLink('z'), fakeLink('w')];
    const a = new PieceAssembly(map);
    a.accept(0, data.subarray(0, 1024));
    let i = 0;
    const offers = announcePiece([from, holder, ...lacking], from, a, 0, 2, () => [0.1, 0.9][i++ % 2]!);
    expect(offers).toBe(2);
    expect(from.sent).toEqual([]);
    expect(holder.sent).toEqual([]);
    const got = lacking.filter((l) => haves(l).length > 0);
    expect(got).toHaveLength(2);
    for (const l of got) {
      expect(l.sent[0]).toMatchObject({ type: 'PIECE_MAP' });
      expect(l.wasOffered(0, 9, 0)).toBe(true);
    }
    // Offered once: a second announcement of the same piece picks the others.
    announcePiece(lacking, from, a, 0, 5);
    expect(lacking.every((l) => haves(l).length === 1)).toBe(true);
  });

  it('a new map is announced with an empty PIECE_HAVE, so neighbours stop sending it (§5.15)', () => {
    const from = fakeLink('src');
    const others = [fakeLink('x'), fakeLink('y')];
    const old = fakeLink('old', false);
    announceMap([from, ...others, old], from, map);
    expect(from.sent).toEqual([]);
    expect(old.sent).toEqual([]);
    for (const l of others) {
      expect(l.sent).toHaveLength(1);
      expect(l.sent[0]).toMatchObject({ type: 'PIECE_HAVE', seq: 9, count: 3 });
      expect(maskOfBitmap(3, haves(l)[0]!.bitmap)).toBe(0);
      expect(haves(l)[0]!.offer).toBeUndefined();
    }
    // On the other side: a neighbour that told us it has the map gets offers without it.
    const told = fakeLink('told');
    const untold = fakeLink('untold');
    told.noteMapKnown(0, 9);
    const a = new PieceAssembly(map);
    a.accept(0, data.subarray(0, 1024));
    announcePiece([told, untold], null, a, 0, 2);
    expect(told.sent.map((f) => f.type)).toEqual(['PIECE_HAVE']);
    expect(untold.sent.map((f) => f.type)).toEqual(['PIECE_MAP', 'PIECE_HAVE']);
  });

  it('a digest goes only to neighbours it tells something new: not held by them, not told before', () => {
    const fresh = fakeLink('fresh');
    const hasAll = fakeLink('hasall');
    hasAll.markPieces(0, 9, 0b011);
    const offered = fakeLink('offered');
    const a = new PieceAssembly(map);
    a.accept(0, data.subarray(0, 1024));
    a.accept(1, data.subarray(1024, 2048));
    announcePiece([offered], null, a, 0, 1);
    announcePiece([offered], null, a, 1, 1);
    offered.sent.length = 0;
    digestPieces([fresh, hasAll, offered], a);
    expect(haves(fresh).map((f) => maskOfBitmap(3, f.bitmap))).toEqual([0b011]);
    expect(fresh.sent[0]).toMatchObject({ type: 'PIECE_MAP' });
    expect(hasAll.sent).toEqual([]);
    expect(offered.sent).toEqual([]);
    // Nothing new since: the next round is silent; a new piece is news to both that lack it.
    digestPieces([fresh, hasAll, offered], a);
    expect(haves(fresh)).toHaveLength(1);
    a.accept(2, data.subarray(2048));
    digestPieces([fresh, hasAll, offered], a);
    expect(haves(fresh).map((f) => maskOfBitmap(3, f.bitmap))).toEqual([0b011, 0b111]);
    expect(haves(hasAll).map((f) => maskOfBitmap(3, f.bitmap))).toEqual([0b111]);
    expect(haves(offered).map((f) => maskOfBitmap(3, f.bitmap))).toEqual([0b111]);
  });

  it('a holder that turned down an unoffered piece refuses pulls until the back-off ends', () => {
    const link = fakeLink('busy');
    expect(link.refusesPulls(0)).toBe(false);
    link.refusedUnoffered(400);
    link.refusedUnoffered(300); // an earlier end never shortens it
    expect(link.refusesPulls(399)).toBe(true);
    expect(link.refusesPulls(400)).toBe(false);
  });
});
