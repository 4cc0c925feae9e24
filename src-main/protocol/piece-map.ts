// Piece maps (PROTOCOL §6.4): a media segment cut into at most MAX_PIECES pieces, each with its
// SHA-256, signed by the broadcaster, so a node can verify — and relay — each piece as soon as
// it arrives instead of waiting for the whole segment (§7.3). Verification never throws.

import { createHash, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { EntryFlag, MAX_PIECES, MIN_PIECE_SIZE, SHA256_LENGTH } from './constants.js';
import { pieceMapSignedBytes } from './records.js';
import { verifyEntry, verifySigned } from './signing.js';
import type { ByteRange, PieceMap, SegmentEntry } from './types.js';
import { ShoalError } from '../../src-shared/errors.js';

/** PROTOCOL §6.4 — the reference broadcaster's smallest piece size. */
const BASE_PIECE_SIZE = 8 * 1024;
const KiB = 1024;
/** A pieceSize is a u32 on the wire. */
const MAX_U32 = 0xffff_ffff;

/**
 * PROTOCOL §6.4 — the smallest whole number of KiB, at least 8 KiB, that gives at most
 * MAX_PIECES pieces. As many pieces as allowed: each hop forwards a piece only once it has
 * all of it, so smaller pieces bring a segment to the far end of the swarm sooner.
 */
export function choosePieceSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 0 || size > MAX_U32) {
    throw ShoalError.internal(`no piece size for a segment of ${size} bytes`);
  }
  const perPiece = Math.ceil(Math.ceil(size / MAX_PIECES) / KiB) * KiB;
  return Math.max(BASE_PIECE_SIZE, perPiece);
}

/** PROTOCOL §6.4 — number of pieces: ceil(size / pieceSize). */
export function pieceCount(size: number, pieceSize: number): number {
  return Math.ceil(size / pieceSize);
}

/** PROTOCOL §6.4 — piece `index` covers `[index·pieceSize, min((index+1)·pieceSize, size))`.
 * Throws INTERNAL for an index outside the map (a caller bug). */
export function pieceRange(map: { entry: { size: number }; pieceSize: number }, index: number): ByteRange {
  const count = pieceCount(map.entry.size, map.pieceSize);
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw ShoalError.internal(`piece ${index} of ${count}`);
  }
  const offset = index * map.pieceSize;
  return { offset, length: Math.min(map.pieceSize, map.entry.size - offset) };
}

/**
 * PROTOCOL §6.4 — the signed piece map of a media segment whose bytes are `data` (the
 * broadcaster's side). `pieceSize` defaults to choosePieceSize(entry.size). Throws INTERNAL if
 * `data` is not the entry's size, the segment is empty (no pieces), the entry is an init
 * segment, or the piece size gives a map outside 1..MAX_PIECES pieces of ≥ MIN_PIECE_SIZE.
 */
export function signPieceMap(
  privateKey: KeyObject,
  streamId: Uint8Array,
  entry: SegmentEntry,
  data: Uint8Array,
  pieceSize = choosePieceSize(entry.size),
): PieceMap {
  if (data.length !== entry.size) {
    throw ShoalError.internal(`piece map over ${data.length} bytes for an entry of ${entry.size}`);
  }
  if (entry.size === 0) throw ShoalError.internal('a zero-size segment has no pieces');
  if ((entry.flags & EntryFlag.INIT) !== 0) throw ShoalError.internal('piece maps are for media segments');
  const count = pieceCount(entry.size, pieceSize);
  if (
    !Number.isInteger(pieceSize) ||
    pieceSize < MIN_PIECE_SIZE ||
    pieceSize > MAX_U32 ||
    count > MAX_PIECES
  ) {
    throw ShoalError.internal(`piece size ${pieceSize} for ${entry.size} bytes`);
  }
  const hashes: Uint8Array[] = [];
  for (let offset = 0; offset < entry.size; offset += pieceSize) {
    hashes.push(
      createHash('sha256')
        .update(data.subarray(offset, offset + pieceSize))
        .digest(),
    );
  }
  const signature = sign(null, pieceMapSignedBytes(streamId, { entry, pieceSize, hashes }), privateKey);
  return { entry, pieceSize, hashes, signature };
}

/**
 * PROTOCOL §6.3, §6.4 — true only if the map is well formed (a media entry, 1..MAX_PIECES
 * hashes of 32 bytes, count = ceil(size / pieceSize), pieceSize ≥ MIN_PIECE_SIZE) and both the
 * entry's signature and the map's signature verify under `streamId`. Never throws.
 */
export function verifyPieceMap(streamId: Uint8Array, map: PieceMap): boolean {
  try {
    const { entry, pieceSize, hashes } = map;
    if (!Array.isArray(hashes) || hashes.length < 1 || hashes.length > MAX_PIECES) return false;
    if (!Number.isInteger(pieceSize) || pieceSize < MIN_PIECE_SIZE || pieceSize > MAX_U32) return false;
    if ((entry.flags & EntryFlag.INIT) !== 0) return false;
    if (hashes.length !== pieceCount(entry.size, pieceSize)) return false;
    if (!hashes.every((h) => h instanceof Uint8Array && h.length === SHA256_LENGTH)) return false;
    return (
      verifyEntry(streamId, entry) &&
      verifySigned(streamId, map.signature, () => pieceMapSignedBytes(streamId, map))
    );
  } catch {
    return false;
  }
}

/** PROTOCOL §6.3 — are `bytes` piece `index` of the map (its length and SHA-256)? False for an
 * index outside the map; never throws. The map itself must have been verified first. */
export function pieceMatches(map: PieceMap, index: number, bytes: Uint8Array): boolean {
  try {
    const hash = map.hashes[index];
    if (hash === undefined || hash.length !== SHA256_LENGTH) return false;
    if (bytes.length !== pieceRange(map, index).length) return false;
    return createHash('sha256').update(bytes).digest().equals(hash);
  } catch {
    return false;
  }
}
