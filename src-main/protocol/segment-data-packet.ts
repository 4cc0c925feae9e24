// The bulk path (PROTOCOL §3.1, §5.1, §5.8, §7.1): a DATA packet without an ACK block whose
// only frame is SEGMENT_DATA, which is what every full-size fragment is. It is written
// straight into a caller's buffer and recognised in place, with no header, frame or reader
// objects. The bytes are exactly those of encodeDataPacket / decodePacket: a datagram this
// module does not recognise (or finds malformed) goes through decodePacket, which decides.

import {
  CONNECTION_ID_LENGTH,
  FRAME_HEADER_LENGTH,
  FrameType,
  HEADER_LENGTH,
  HeaderFlag,
  MAGIC,
  PADDING_FRAME_TYPE,
  PROTOCOL_VERSION,
  PacketType,
} from './constants.js';
import { SEGMENT_DATA_FIXED_LENGTH } from './frames/segment.js';
import { ShoalError } from '../../src-shared/errors.js';

/** Byte offsets of the fields in such a datagram. */
export const SegmentDataPacket = {
  DCID: 4,
  PN: 12,
  TIMESTAMP: 16,
  TIMESTAMP_DIFF: 20,
  FRAME: HEADER_LENGTH,
  REQ_ID: HEADER_LENGTH + FRAME_HEADER_LENGTH,
  OFFSET: HEADER_LENGTH + FRAME_HEADER_LENGTH + 4,
  TOTAL_SIZE: HEADER_LENGTH + FRAME_HEADER_LENGTH + 8,
  /** Where the segment bytes start; also the packet's overhead (39 bytes). */
  DATA: HEADER_LENGTH + FRAME_HEADER_LENGTH + SEGMENT_DATA_FIXED_LENGTH,
} as const;

const DATA_AT = SegmentDataPacket.DATA;
const MAX_DATA = 0xffff - SEGMENT_DATA_FIXED_LENGTH;

/** u32 at `at` (big-endian, PROTOCOL §1.2); the caller guarantees the bounds. */
export function u32At(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/**
 * Writes a DATA packet (no ACK block) carrying one SEGMENT_DATA frame with bytes
 * `[offset, offset + length)` of `segment` into `out`, from index 0; returns its length
 * (39 + length). Same bytes as `encodeDataPacket(header, [{ type: 'SEGMENT_DATA', … }])`.
 */
export function writeSegmentDataPacket(
  out: Uint8Array,
  dcid: Uint8Array,
  pn: number,
  timestamp: number,
  timestampDiff: number,
  reqId: number,
  segment: Uint8Array,
  offset: number,
  length: number,
): number {
  const size = DATA_AT + length;
  if (dcid.length !== CONNECTION_ID_LENGTH)
    throw ShoalError.internal(`dcid must be 8 bytes, got ${dcid.length}`);
  if (length > MAX_DATA || size > out.length || offset + length > segment.length || length < 0) {
    throw ShoalError.internal(`SEGMENT_DATA of ${length} bytes at ${offset} does not fit`);
  }
  out[0] = MAGIC;
  out[1] = PROTOCOL_VERSION;
  out[2] = PacketType.DATA;
  out[3] = 0;
  for (let i = 0; i < CONNECTION_ID_LENGTH; i++) out[4 + i] = dcid[i]!;
  putU32(out, 12, pn);
  putU32(out, 16, timestamp);
  putU32(out, 20, timestampDiff);
  const bodyLength = SEGMENT_DATA_FIXED_LENGTH + length;
  out[24] = FrameType.SEGMENT_DATA;
  out[25] = bodyLength >>> 8;
  out[26] = bodyLength;
  putU32(out, 27, reqId);
  putU32(out, 31, offset);
  putU32(out, 35, segment.length);
  // A plain Uint8Array view (Buffer#subarray would construct a Buffer subclass per packet).
  out.set(new Uint8Array(segment.buffer, segment.byteOffset + offset, length), DATA_AT);
  return size;
}

/**
 * If `d` is a well-formed DATA packet of this version without an ACK block whose first
 * frame is SEGMENT_DATA and whose frame sequence ends there (end of datagram or PADDING),
 * the number of segment bytes it carries (they start at SegmentDataPacket.DATA); otherwise
 * -1, and the datagram must go through decodePacket (which also rejects malformed ones).
 */
export function segmentDataLength(d: Uint8Array): number {
  const n = d.length;
  if (
    n < DATA_AT ||
    d[0] !== MAGIC ||
    d[1] !== PROTOCOL_VERSION ||
    d[2] !== PacketType.DATA ||
    (d[3]! & HeaderFlag.ACK) !== 0 ||
    d[24] !== FrameType.SEGMENT_DATA
  ) {
    return -1;
  }
  const bodyLength = (d[25]! << 8) | d[26]!;
  const end = HEADER_LENGTH + FRAME_HEADER_LENGTH + bodyLength;
  if (bodyLength < SEGMENT_DATA_FIXED_LENGTH || end > n) return -1;
  if (end < n && d[end] !== PADDING_FRAME_TYPE) return -1;
  const length = bodyLength - SEGMENT_DATA_FIXED_LENGTH;
  // PROTOCOL §5.8 — offset + len > totalSize is malformed: decodePacket rejects it.
  if (u32At(d, SegmentDataPacket.OFFSET) + length > u32At(d, SegmentDataPacket.TOTAL_SIZE)) return -1;
  return length;
}
