// Offering pieces to neighbours (PROTOCOL §5.15, §7.3): a node that has verified a piece
// offers it at once to a few neighbours that lack it, so the piece moves on while the rest
// of the segment is still arriving. A neighbour is sent a segment's PIECE_MAP once, before
// the first PIECE_HAVE of that segment, unless it is known to have the map.

import { seqsToBitmap } from '../../protocol/availability-bitmap.js';
import type { PieceMap } from '../../protocol/types.js';
import type { PieceAssembly } from '../piece-ledger.js';
import type { PeerLink } from '../peer-link.js';

/** PIECE_HAVE body fields for a set of pieces given as a bit mask. */
export function pieceHaveFrame(rendition: number, seq: number, count: number, mask: number, offer = false) {
  const pieces: number[] = [];
  for (let i = 0; i < count; i++) if ((mask >>> i) & 1) pieces.push(i);
  const { bitmap } = seqsToBitmap(pieces, 0, count);
  const frame = { type: 'PIECE_HAVE' as const, rendition, seq, count, bitmap };
  return offer ? { ...frame, offer: true } : frame;
}

/** Offers one piece to a neighbour: the map if it lacks it, then every piece offered to it so far. */
export function offerPiece(link: PeerLink, map: PieceMap, piece: number): void {
  const { rendition, seq } = map.entry;
  sendMapOnce(link, map);
  link.session.send(
    pieceHaveFrame(rendition, seq, map.hashes.length, link.offer(rendition, seq, piece), true),
  );
}

/** Piece mask from a PIECE_HAVE bitmap (bit 7 of byte 0 = piece 0, as in AVAILABILITY). */
export function maskOfBitmap(count: number, bitmap: Uint8Array): number {
  let mask = 0;
  for (let i = 0; i < count && i < 31; i++) if ((bitmap[i >>> 3]! >>> (7 - (i & 7))) & 1) mask |= 1 << i;
  return mask;
}

/** Sends a neighbour a segment's PIECE_MAP unless it is known to have it. */
export function sendMapOnce(link: PeerLink, map: PieceMap): void {
  const { rendition, seq } = map.entry;
  if (link.knowsMap(rendition, seq)) return;
  link.session.send({ type: 'PIECE_MAP', map });
  link.noteMapKnown(rendition, seq);
}

/**
 * A piece was verified: it is offered to up to `fanout` PIECES neighbours that, as far as
 * we know, lack it (and the whole segment), chosen at random. Each of them hears, in a
 * PIECE_HAVE, every piece of the segment offered to it so far: an offer is a promise to
 * serve, so a holder never advertises more than it can upload, and the piece spreads down
 * a tree of holders instead of every neighbour queueing at the first one. Neighbours not
 * offered a piece get it from another holder's offer, or once a holder has the whole
 * segment (HAVE).
 */
export function announcePiece(
  links: readonly PeerLink[],
  from: PeerLink | null,
  assembly: PieceAssembly,
  piece: number,
  fanout: number,
  random: () => number = Math.random,
): number {
  const { entry } = assembly.map;
  const { rendition, seq } = entry;
  const lacking = links.filter(
    (l) =>
      l !== from &&
      l.speaksPieces &&
      !l.holdsPiece(rendition, seq, piece) &&
      !l.wasOffered(rendition, seq, piece),
  );
  let offered = 0;
  for (; offered < fanout && lacking.length > 0; offered++) {
    const link = lacking.splice(Math.floor(random() * lacking.length), 1)[0]!;
    offerPiece(link, assembly.map, piece);
  }
  return offered;
}

/**
 * A piece map we did not have verified: every other PIECES neighbour that may still send us
 * the map hears, in a PIECE_HAVE with no piece set, that we have it (PROTOCOL §5.15). Without
 * this, each neighbour that got a piece before us sent the map along with its first offer
 * or digest: about ten copies of a 1 kB map per segment per viewer.
 */
export function announceMap(links: readonly PeerLink[], from: PeerLink, map: PieceMap): void {
  const { rendition, seq } = map.entry;
  const frame = pieceHaveFrame(rendition, seq, map.hashes.length, 0);
  for (const link of links) {
    if (link === from || !link.speaksPieces) continue;
    link.session.send(frame);
  }
}

/**
 * The periodic digest: neighbours that lack the segment hear every piece we hold of it, so
 * a viewer no holder offered a piece to can still find one (and ask; such requests are
 * served only while the holder's upload queue is short). A neighbour hears it only when it
 * is news there: we hold a piece that, as far as its own PIECE_HAVEs tell, it lacks, and
 * that we have not told it of (by digest or offer). Most neighbours of a spreading segment
 * gain the same pieces at about the same time; a digest to each of them every round was
 * a third of all control frames in the lab baseline (0.36 per fragment sent).
 */
export function digestPieces(links: readonly PeerLink[], assembly: PieceAssembly): void {
  const { rendition, seq } = assembly.map.entry;
  const mask = assembly.mask;
  let frame: ReturnType<typeof pieceHaveFrame> | null = null;
  for (const link of links) {
    if (!link.speaksPieces || link.holds(rendition, seq)) continue;
    if ((mask & ~link.knownPieces(rendition, seq) & ~link.toldPieces(rendition, seq)) === 0) continue;
    link.noteTold(rendition, seq, mask);
    sendMapOnce(link, assembly.map);
    link.session.send((frame ??= pieceHaveFrame(rendition, seq, assembly.pieceCount, mask)));
  }
}

/**
 * The broadcaster's first offer of a fresh segment: each piece is offered to `fanout`
 * neighbours in turn, so the first copies of different pieces go to different viewers,
 * which then pass them on. Only the neighbours offered a piece get the map (the entry rides
 * in it) from us: the others get it with the first offer a viewer makes them (a map to each
 * of 50 neighbours cost the broadcaster about a tenth of the bit rate in upload).
 * Returns the rotation cursor for the next segment.
 */
export function offerPieces(
  links: readonly PeerLink[],
  map: PieceMap,
  fanout: number,
  cursor: number,
): number {
  const speaking = links.filter((l) => l.speaksPieces);
  if (speaking.length === 0) return cursor;
  const count = map.hashes.length;
  const { rendition, seq } = map.entry;
  const copies = Math.max(1, Math.min(fanout, speaking.length));
  let at = cursor;
  for (let piece = 0; piece < count; piece++) {
    for (let c = 0; c < copies; c++) {
      speaking[at % speaking.length]!.offer(rendition, seq, piece);
      at++;
    }
  }
  for (const link of speaking) {
    let mask = 0;
    for (let piece = 0; piece < count; piece++)
      if (link.wasOffered(rendition, seq, piece)) mask |= 1 << piece;
    if (mask === 0) continue;
    sendMapOnce(link, map);
    link.session.send(pieceHaveFrame(rendition, seq, count, mask, true));
  }
  return at % speaking.length;
}

/**
 * Broadcaster: every piece of a fresh segment offered to a viewer it serves alone (PROTOCOL
 * §13.5): it has nobody else to get them from.
 */
export function offerWhole(link: PeerLink, map: PieceMap): void {
  const { rendition, seq } = map.entry;
  const count = map.hashes.length;
  let mask = 0;
  for (let piece = 0; piece < count; piece++) mask = link.offer(rendition, seq, piece);
  sendMapOnce(link, map);
  link.session.send(pieceHaveFrame(rendition, seq, count, mask, true));
}
