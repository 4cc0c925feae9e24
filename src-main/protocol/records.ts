// Signed records (PROTOCOL §6): SegmentEntry (fixed 122 bytes), StreamInfo and PieceMap, and
// the exact bytes each signature covers: context || streamId || record without its signature.

import {
  ENTRY_SIGNING_CONTEXT,
  INFO_SIGNING_CONTEXT,
  MAX_PIECES,
  MAX_STREAM_INFO_LENGTH,
  MIN_PIECE_SIZE,
  PIECE_MAP_SIGNING_CONTEXT,
  SEGMENT_ENTRY_LENGTH,
  SHA256_LENGTH,
  SIGNATURE_LENGTH,
  STREAM_ID_LENGTH,
} from './constants.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import type { PieceMap, Rendition, SegmentEntry, StreamInfo } from './types.js';
import { utf8Truncated } from './utf8.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

/** PROTOCOL §6.1 — bytes of a SegmentEntry covered by its signature (offsets 0..58). */
export const SEGMENT_ENTRY_SIGNED_LENGTH = SEGMENT_ENTRY_LENGTH - SIGNATURE_LENGTH;
const NO_INIT_SEQ = 0xffff_ffff;
/** PROTOCOL §6.2 — a name or codecs string is at most this many UTF-8 bytes (u8 length). */
const MAX_RENDITION_TEXT = 255;

const ENTRY_CONTEXT = Buffer.from(ENTRY_SIGNING_CONTEXT, 'ascii');
const INFO_CONTEXT = Buffer.from(INFO_SIGNING_CONTEXT, 'ascii');
const PIECE_MAP_CONTEXT = Buffer.from(PIECE_MAP_SIGNING_CONTEXT, 'ascii');

export type UnsignedSegmentEntry = Omit<SegmentEntry, 'signature'>;
export type UnsignedStreamInfo = Omit<StreamInfo, 'signature'>;
export type UnsignedPieceMap = Omit<PieceMap, 'signature'>;

// ---- §6.1 SegmentEntry ----

export function writeSegmentEntry(w: ByteWriter, entry: SegmentEntry): void {
  writeSegmentEntryUnsigned(w, entry);
  w.fixed(entry.signature, SIGNATURE_LENGTH, 'SegmentEntry signature');
}

function writeSegmentEntryUnsigned(w: ByteWriter, e: UnsignedSegmentEntry): void {
  w.u8(e.rendition);
  w.u8(e.flags);
  w.u32(e.seq);
  w.u32(e.initSeq ?? NO_INIT_SEQ);
  w.u32(e.durationUs);
  w.u32(e.size);
  w.u64(e.programDateTimeMs);
  w.fixed(e.sha256, SHA256_LENGTH, 'SegmentEntry sha256');
}

export function readSegmentEntry(r: ByteReader): SegmentEntry {
  if (r.remaining < SEGMENT_ENTRY_LENGTH) throw ShoalError.truncated('SegmentEntry');
  const rendition = r.u8();
  const flags = r.u8();
  const seq = r.u32();
  const initSeqRaw = r.u32();
  const durationUs = r.u32();
  const size = r.u32();
  const programDateTimeMs = r.u64('programDateTimeMs');
  const sha256 = r.bytes(SHA256_LENGTH);
  const signature = r.bytes(SIGNATURE_LENGTH);
  const initSeq = initSeqRaw === NO_INIT_SEQ ? null : initSeqRaw;
  return { rendition, flags, seq, initSeq, durationUs, size, programDateTimeMs, sha256, signature };
}

export function encodeSegmentEntry(entry: SegmentEntry): Buffer {
  const w = ByteWriter.alloc(SEGMENT_ENTRY_LENGTH);
  writeSegmentEntry(w, entry);
  return w.buf;
}

/** Decodes exactly one 122-byte record; extra bytes are ignored. */
export function decodeSegmentEntry(bytes: Uint8Array): SegmentEntry {
  return readSegmentEntry(new ByteReader(bytes));
}

/** PROTOCOL §6.1 — the bytes an entry's signature covers: context || streamId || bytes[0..58). */
export function segmentEntrySignedBytes(streamId: Uint8Array, entry: UnsignedSegmentEntry): Buffer {
  const w = ByteWriter.alloc(ENTRY_CONTEXT.length + STREAM_ID_LENGTH + SEGMENT_ENTRY_SIGNED_LENGTH);
  w.bytes(ENTRY_CONTEXT);
  w.fixed(streamId, STREAM_ID_LENGTH, 'streamId');
  writeSegmentEntryUnsigned(w, entry);
  return w.buf;
}

// ---- §6.2 StreamInfo ----

interface EncodedRendition {
  r: Rendition;
  name: Buffer;
  codecs: Buffer;
}

function encodeTexts(info: UnsignedStreamInfo): EncodedRendition[] {
  return info.renditions.map((r) => ({
    r,
    name: utf8Truncated(r.name, MAX_RENDITION_TEXT),
    codecs: utf8Truncated(r.codecs, MAX_RENDITION_TEXT),
  }));
}

function unsignedLength(rs: readonly EncodedRendition[]): number {
  let n = 1 + 8 + 4 + 1;
  for (const { name, codecs } of rs) n += 1 + 4 + 2 + 2 + 1 + name.length + 1 + codecs.length;
  return n;
}

function writeStreamInfoUnsigned(
  w: ByteWriter,
  info: UnsignedStreamInfo,
  rs: readonly EncodedRendition[],
): void {
  if (rs.length > 255) throw ShoalError.internal(`${rs.length} renditions (max 255)`);
  w.u8(info.flags);
  w.u64(info.createdAtMs);
  w.u32(info.targetDurationMs);
  w.u8(rs.length);
  for (const { r, name, codecs } of rs) {
    w.u8(r.id);
    w.u32(r.bandwidth);
    w.u16(r.width);
    w.u16(r.height);
    w.u8(name.length);
    w.bytes(name);
    w.u8(codecs.length);
    w.bytes(codecs);
  }
}

/** Encoded length of the record, signature included. */
export function streamInfoLength(info: UnsignedStreamInfo): number {
  return unsignedLength(encodeTexts(info)) + SIGNATURE_LENGTH;
}

export function writeStreamInfo(w: ByteWriter, info: StreamInfo): void {
  writeStreamInfoUnsigned(w, info, encodeTexts(info));
  w.fixed(info.signature, SIGNATURE_LENGTH, 'StreamInfo signature');
}

export function readStreamInfo(r: ByteReader): StreamInfo {
  const flags = r.u8('StreamInfo');
  const createdAtMs = r.u64('StreamInfo createdAtMs');
  const targetDurationMs = r.u32('StreamInfo');
  const count = r.u8('StreamInfo');
  const renditions: Rendition[] = [];
  for (let i = 0; i < count; i++) {
    const id = r.u8('rendition');
    const bandwidth = r.u32('rendition');
    const width = r.u16('rendition');
    const height = r.u16('rendition');
    const name = r.utf8(r.u8('rendition name length'), 'rendition name');
    const codecs = r.utf8(r.u8('rendition codecs length'), 'rendition codecs');
    renditions.push({ id, bandwidth, width, height, name, codecs });
  }
  const signature = r.bytes(SIGNATURE_LENGTH, 'StreamInfo signature');
  return { flags, createdAtMs, targetDurationMs, renditions, signature };
}

/** Encodes a record; throws TOO_LARGE beyond MAX_STREAM_INFO_LENGTH (PROTOCOL §6.2). */
export function encodeStreamInfo(info: StreamInfo): Buffer {
  const rs = encodeTexts(info);
  const w = ByteWriter.alloc(checkedLength(unsignedLength(rs) + SIGNATURE_LENGTH));
  writeStreamInfoUnsigned(w, info, rs);
  w.fixed(info.signature, SIGNATURE_LENGTH, 'StreamInfo signature');
  return w.buf;
}

export function decodeStreamInfo(bytes: Uint8Array): StreamInfo {
  return readStreamInfo(new ByteReader(bytes));
}

/** PROTOCOL §6.2 — context || streamId || every byte of the record before the signature. */
export function streamInfoSignedBytes(streamId: Uint8Array, info: UnsignedStreamInfo): Buffer {
  const rs = encodeTexts(info);
  const len = unsignedLength(rs);
  checkedLength(len + SIGNATURE_LENGTH);
  const w = ByteWriter.alloc(INFO_CONTEXT.length + STREAM_ID_LENGTH + len);
  w.bytes(INFO_CONTEXT);
  w.fixed(streamId, STREAM_ID_LENGTH, 'streamId');
  writeStreamInfoUnsigned(w, info, rs);
  return w.buf;
}

function checkedLength(n: number): number {
  if (n > MAX_STREAM_INFO_LENGTH) {
    throw new ShoalError(ErrorCode.TOO_LARGE, `StreamInfo of ${n} bytes exceeds ${MAX_STREAM_INFO_LENGTH}`);
  }
  return n;
}

// ---- §6.4 PieceMap ----

/** Encoded length of a PieceMap: entry (122), pieceSize u32, count u8, count × 32, signature 64. */
export function pieceMapLength(map: UnsignedPieceMap): number {
  return SEGMENT_ENTRY_LENGTH + 5 + map.hashes.length * SHA256_LENGTH + SIGNATURE_LENGTH;
}

/** The fields after the entry: pieceSize u32, count u8, hashes (§6.4). */
function writePieceMapTail(w: ByteWriter, map: UnsignedPieceMap): void {
  const count = map.hashes.length;
  if (count < 1 || count > MAX_PIECES) throw ShoalError.internal(`PieceMap of ${count} pieces`);
  w.u32(map.pieceSize);
  w.u8(count);
  for (const h of map.hashes) w.fixed(h, SHA256_LENGTH, 'PieceMap hash');
}

export function writePieceMap(w: ByteWriter, map: PieceMap): void {
  writeSegmentEntry(w, map.entry);
  writePieceMapTail(w, map);
  w.fixed(map.signature, SIGNATURE_LENGTH, 'PieceMap signature');
}

/** Reads a PieceMap; MALFORMED unless 1 ≤ count ≤ MAX_PIECES, pieceSize ≥ MIN_PIECE_SIZE and
 * count = ceil(entry.size / pieceSize) (§6.4). The signatures are checked separately. */
export function readPieceMap(r: ByteReader): PieceMap {
  const entry = readSegmentEntry(r);
  const pieceSize = r.u32('PieceMap');
  const count = r.u8('PieceMap');
  if (count < 1 || count > MAX_PIECES) throw ShoalError.malformed(`PieceMap count ${count}`);
  if (pieceSize < MIN_PIECE_SIZE) throw ShoalError.malformed(`PieceMap pieceSize ${pieceSize}`);
  if (count !== Math.ceil(entry.size / pieceSize)) {
    throw ShoalError.malformed(`PieceMap count ${count} for size ${entry.size} / ${pieceSize}`);
  }
  const hashes: Uint8Array[] = [];
  for (let i = 0; i < count; i++) hashes.push(r.bytes(SHA256_LENGTH, 'PieceMap hash'));
  const signature = r.bytes(SIGNATURE_LENGTH, 'PieceMap signature');
  return { entry, pieceSize, hashes, signature };
}

/**
 * PROTOCOL §6.4 — the bytes a piece map's signature covers:
 * context || streamId || entry[0..58) || pieceSize u32 || count u8 || hashes.
 */
export function pieceMapSignedBytes(streamId: Uint8Array, map: UnsignedPieceMap): Buffer {
  const w = ByteWriter.alloc(
    PIECE_MAP_CONTEXT.length +
      STREAM_ID_LENGTH +
      SEGMENT_ENTRY_SIGNED_LENGTH +
      5 +
      map.hashes.length * SHA256_LENGTH,
  );
  w.bytes(PIECE_MAP_CONTEXT);
  w.fixed(streamId, STREAM_ID_LENGTH, 'streamId');
  writeSegmentEntryUnsigned(w, map.entry);
  writePieceMapTail(w, map);
  return w.buf;
}
