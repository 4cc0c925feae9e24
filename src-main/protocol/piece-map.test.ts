import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  choosePieceSize,
  pieceCount,
  pieceMatches,
  pieceRange,
  signPieceMap,
  verifyPieceMap,
} from './piece-map.js';
import { signEntry, streamKeysFromSeed } from './signing.js';
import { decodeFrame, encodeFrame } from './frames/frame-codec.js';
import { EntryFlag, MAX_PIECES, MIN_PIECE_SIZE } from './constants.js';
import type { PieceMap, SegmentEntry } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 0x42));
const other = streamKeysFromSeed(Buffer.alloc(32, 0x43));
const KiB = 1024;

/** Deterministic segment bytes: byte i is i mod 251. */
function segmentBytes(size: number): Buffer {
  return Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
}

function entryFor(data: Uint8Array, seq = 77): SegmentEntry {
  return signEntry(keys.privateKey, keys.streamId, {
    rendition: 1,
    flags: 0,
    seq,
    initSeq: 3,
    durationUs: 4_000_000,
    size: data.length,
    programDateTimeMs: 1_767_225_600_123,
    sha256: createHash('sha256').update(data).digest(),
  });
}

function codeOf(fn: () => unknown): number | 'ok' {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof ShoalError) return err.code;
    throw err;
  }
}

const data = segmentBytes(250_000);
const entry = entryFor(data);
const map = signPieceMap(keys.privateKey, keys.streamId, entry, data);

describe('piece sizes (PROTOCOL §6.4)', () => {
  it('choosePieceSize: the smallest whole KiB, at least 8 KiB, giving at most 24 pieces', () => {
    const cases: [number, number][] = [
      [0, 8 * KiB],
      [1, 8 * KiB],
      [196_608, 8 * KiB], // exactly 24 × 8 KiB
      [196_609, 9 * KiB],
      [250_000, 11 * KiB], // 1 Mbps × 2 s: 23 pieces
      [16 * 1024 * KiB, 683 * KiB],
      [32 * 1024 * KiB, 1366 * KiB],
    ];
    for (const [size, expected] of cases) {
      const pieceSize = choosePieceSize(size);
      expect(pieceSize, `${size}`).toBe(expected);
      expect(pieceSize % KiB).toBe(0);
      expect(pieceCount(size, pieceSize)).toBeLessThanOrEqual(MAX_PIECES);
      // …and one KiB less would give too many pieces (unless already at the 8 KiB floor).
      if (pieceSize > 8 * KiB) expect(pieceCount(size, pieceSize - KiB)).toBeGreaterThan(MAX_PIECES);
    }
  });

  it('choosePieceSize refuses sizes that are no segment size', () => {
    for (const size of [-1, 1.5, Number.NaN, Infinity, 2 ** 32])
      expect(
        codeOf(() => choosePieceSize(size)),
        `${size}`,
      ).toBe(ErrorCode.INTERNAL);
  });

  it('pieceCount and pieceRange: the last piece is the short one', () => {
    expect(pieceCount(2500, 1024)).toBe(3);
    expect(pieceCount(2048, 1024)).toBe(2);
    const m = { entry: { size: 2500 }, pieceSize: 1024 };
    expect([0, 1, 2].map((i) => pieceRange(m, i))).toEqual([
      { offset: 0, length: 1024 },
      { offset: 1024, length: 1024 },
      { offset: 2048, length: 452 },
    ]);
    for (const i of [-1, 3, 0.5])
      expect(
        codeOf(() => pieceRange(m, i)),
        `${i}`,
      ).toBe(ErrorCode.INTERNAL);
  });
});

describe('signPieceMap / verifyPieceMap (PROTOCOL §6.4)', () => {
  it('signs a map of the segment that verifies under the stream id', () => {
    expect(map.entry).toBe(entry);
    expect(map.pieceSize).toBe(11 * KiB);
    expect(map.hashes.length).toBe(Math.ceil(250_000 / (11 * KiB)));
    expect(map.signature.length).toBe(64);
    expect(verifyPieceMap(keys.streamId, map)).toBe(true);
    // Through the wire and back.
    const back = decodeFrame(encodeFrame({ type: 'PIECE_MAP', map })) as { map: PieceMap };
    expect(verifyPieceMap(keys.streamId, back.map)).toBe(true);
  });

  it('honours an explicit piece size', () => {
    const small = segmentBytes(2500);
    const m = signPieceMap(keys.privateKey, keys.streamId, entryFor(small), small, 1024);
    expect(m.hashes.map((h) => Buffer.from(h).toString('hex'))).toEqual(
      [small.subarray(0, 1024), small.subarray(1024, 2048), small.subarray(2048)].map((p) =>
        createHash('sha256').update(p).digest('hex'),
      ),
    );
    expect(verifyPieceMap(keys.streamId, m)).toBe(true);
  });

  it('fails on a flipped hash byte, a swapped entry, a wrong stream id, a broken signature', () => {
    const flipped = map.hashes.map((h) => Buffer.from(h));
    flipped[3]![17]! ^= 0x01;
    expect(verifyPieceMap(keys.streamId, { ...map, hashes: flipped })).toBe(false);
    // Another seq's entry (validly signed itself) under this map's signature.
    expect(verifyPieceMap(keys.streamId, { ...map, entry: entryFor(data, 78) })).toBe(false);
    expect(verifyPieceMap(other.streamId, map)).toBe(false);
    const sig = Buffer.from(map.signature);
    sig[0]! ^= 0x80;
    expect(verifyPieceMap(keys.streamId, { ...map, signature: sig })).toBe(false);
    // The map signature is fine but the entry's own signature is not.
    const badEntrySig = Buffer.from(entry.signature);
    badEntrySig[5]! ^= 0x01;
    expect(verifyPieceMap(keys.streamId, { ...map, entry: { ...entry, signature: badEntrySig } })).toBe(
      false,
    );
  });

  it('fails on inconsistent counts and out-of-range fields, never throws', () => {
    const cases: [string, PieceMap][] = [
      ['a hash missing', { ...map, hashes: map.hashes.slice(1) }],
      ['a hash too many', { ...map, hashes: [...map.hashes, map.hashes[0]!] }],
      ['pieceSize doubled', { ...map, pieceSize: map.pieceSize * 2 }],
      ['pieceSize below the minimum', { ...map, pieceSize: MIN_PIECE_SIZE - 1 }],
      ['a short hash', { ...map, hashes: map.hashes.map((h, i) => (i === 2 ? h.subarray(1) : h)) }],
      ['no hashes', { ...map, hashes: [] }],
      ['an init entry', { ...map, entry: { ...entry, flags: EntryFlag.INIT } }],
      ['garbage', { entry: null, pieceSize: 'x', hashes: 5, signature: null } as unknown as PieceMap],
    ];
    for (const [what, m] of cases) expect(verifyPieceMap(keys.streamId, m), what).toBe(false);
    expect(verifyPieceMap(Buffer.alloc(5), map)).toBe(false);
  });

  it('a map of more than 24 pieces is never valid, even when signed', () => {
    const d = segmentBytes(25 * KiB);
    expect(codeOf(() => signPieceMap(keys.privateKey, keys.streamId, entryFor(d), d, KiB))).toBe(
      ErrorCode.INTERNAL,
    );
  });

  it('refuses (INTERNAL) data of another size, an empty segment, an init segment, a bad piece size', () => {
    const empty = Buffer.alloc(0);
    const init = signEntry(keys.privateKey, keys.streamId, { ...entry, flags: EntryFlag.INIT });
    const calls: [string, () => unknown][] = [
      ['short data', () => signPieceMap(keys.privateKey, keys.streamId, entry, data.subarray(1))],
      ['empty', () => signPieceMap(keys.privateKey, keys.streamId, entryFor(empty), empty)],
      ['init', () => signPieceMap(keys.privateKey, keys.streamId, init, data)],
      ['pieceSize 1000', () => signPieceMap(keys.privateKey, keys.streamId, entry, data, 1000)],
    ];
    for (const [what, call] of calls) expect(codeOf(call), what).toBe(ErrorCode.INTERNAL);
  });
});

describe('pieceMatches (PROTOCOL §6.3)', () => {
  it('accepts each piece of the segment and nothing else', () => {
    for (let i = 0; i < map.hashes.length; i++) {
      const { offset, length } = pieceRange(map, i);
      const piece = data.subarray(offset, offset + length);
      expect(pieceMatches(map, i, piece), `piece ${i}`).toBe(true);
      expect(pieceMatches(map, (i + 1) % map.hashes.length, piece), `piece ${i} as another`).toBe(false);
    }
    const last = map.hashes.length - 1;
    const lastPiece = data.subarray(pieceRange(map, last).offset);
    expect(lastPiece.length).toBe(250_000 - last * 11 * KiB);
    expect(pieceMatches(map, last, lastPiece)).toBe(true);
    expect(pieceMatches(map, last, Buffer.concat([lastPiece, Buffer.alloc(1)]))).toBe(false);
    const altered = Buffer.from(data.subarray(0, 11 * KiB));
    altered[100]! ^= 0x01;
    expect(pieceMatches(map, 0, altered)).toBe(false);
    expect(pieceMatches(map, 0, data.subarray(0, 11 * KiB - 1))).toBe(false);
  });

  it('is false, not an exception, for an index outside the map', () => {
    for (const i of [-1, map.hashes.length, 1.5, Number.NaN])
      expect(pieceMatches(map, i, data.subarray(0, 11 * KiB)), `${i}`).toBe(false);
  });
});
