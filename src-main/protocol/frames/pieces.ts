// Piece frames: PIECE_MAP, PIECE_HAVE (PROTOCOL §5.15), sent only to peers that announced the
// PIECES capability (§4.7).

import { MAX_PIECES } from '../constants.js';
import { pieceMapLength, readPieceMap, writePieceMap } from '../records.js';
import { ShoalError } from '../../../src-shared/errors.js';
import type { FrameBodyCodecs } from './frame-body.js';

/** PROTOCOL §5.15 — PIECE_HAVE flags bit 0: an offer. */
const PIECE_HAVE_OFFER = 0x01;

export const pieceFrames: FrameBodyCodecs<'PIECE_MAP' | 'PIECE_HAVE'> = {
  // §5.15 PIECE_MAP: one PieceMap record (§6.4).
  PIECE_MAP: {
    length: (f) => pieceMapLength(f.map),
    write: (w, f) => writePieceMap(w, f.map),
    read: (r) => ({ type: 'PIECE_MAP', map: readPieceMap(r) }),
  },
  // §5.15 PIECE_HAVE: rendition u8, seq u32, count u8 (1..MAX_PIECES), bitmap ceil(count/8)
  // bytes, then optionally flags u8 (bit 0 OFFER); without the byte, no flag is set.
  PIECE_HAVE: {
    length: (f) => 6 + ((f.count + 7) >>> 3) + (f.offer ? 1 : 0),
    write(w, f) {
      if (f.count < 1 || f.count > MAX_PIECES) throw ShoalError.internal(`PIECE_HAVE count ${f.count}`);
      w.u8(f.rendition);
      w.u32(f.seq);
      w.u8(f.count);
      w.fixed(f.bitmap, (f.count + 7) >>> 3, 'PIECE_HAVE bitmap');
      if (f.offer) w.u8(PIECE_HAVE_OFFER);
    },
    read(r) {
      const rendition = r.u8('PIECE_HAVE');
      const seq = r.u32('PIECE_HAVE');
      const count = r.u8('PIECE_HAVE');
      if (count < 1 || count > MAX_PIECES) throw ShoalError.malformed(`PIECE_HAVE count ${count}`);
      const bitmap = r.bytes((count + 7) >>> 3, 'PIECE_HAVE bitmap');
      const flags = r.remaining > 0 ? r.u8('PIECE_HAVE') : 0;
      const frame = { type: 'PIECE_HAVE' as const, rendition, seq, count, bitmap };
      return flags & PIECE_HAVE_OFFER ? { ...frame, offer: true } : frame;
    },
  },
};
