// Fixed 24-byte header and optional ACK block (PROTOCOL §3.1, §3.3).

import {
  HEADER_LENGTH,
  HeaderFlag,
  MAGIC,
  MAX_ACK_RANGES,
  PROTOCOL_VERSION,
  PacketType,
  CONNECTION_ID_LENGTH,
  type PacketTypeName,
} from './constants.js';
import type { AckBlock, AckRange, PacketHeader } from './types.js';
import type { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import {
  ACK_BLOCK_FIXED_LENGTH,
  ACK_RANGE_LENGTH,
  ackBlockLength,
  ackDelayToWire,
  encodableAckRangeCount,
} from './ack-ranges.js';
import { u32At } from './segment-data-packet.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

const U16 = 0xffff;

/** Packet type id → name; undefined for ids this version does not know (PROTOCOL §12). */
const PACKET_TYPE_NAMES: (PacketTypeName | undefined)[] = new Array(256).fill(undefined);
for (const name of Object.keys(PacketType) as PacketTypeName[]) PACKET_TYPE_NAMES[PacketType[name]] = name;

/** Bytes the header (fixed part plus ACK block, if any) takes on the wire. */
export function headerLength(header: Omit<PacketHeader, 'type'>): number {
  return header.ack ? HEADER_LENGTH + ackBlockLength(header.ack.ranges) : HEADER_LENGTH;
}

/** Writes the header; `type` overrides header.type (the DATA fast path reuses one header object). */
export function writeHeader(w: ByteWriter, header: Omit<PacketHeader, 'type'>, type: PacketTypeName): void {
  const ack = header.ack;
  writeFixedHeader(
    w,
    type,
    ack !== undefined,
    header.dcid,
    header.pn,
    header.timestamp,
    header.timestampDiff,
  );
  if (ack !== undefined) writeAckBlock(w, ack);
}

/** The longest ACK-only packet: header and an ACK block of 1 + MAX_ACK_RANGES ranges. */
export const MAX_ACK_ONLY_PACKET_LENGTH =
  HEADER_LENGTH + ACK_BLOCK_FIXED_LENGTH + ACK_RANGE_LENGTH * MAX_ACK_RANGES;

/**
 * The send path of ACK-only packets (PROTOCOL §8.1): written into `out` (at least
 * MAX_ACK_ONLY_PACKET_LENGTH bytes) from index 0 without a header object or a fresh buffer;
 * returns the length. Same bytes as encodeDataPacket({ dcid, pn, timestamp, timestampDiff, ack }, []).
 */
export function writeAckOnlyPacket(
  out: Buffer,
  dcid: Uint8Array,
  pn: number,
  timestamp: number,
  timestampDiff: number,
  ack: AckBlock,
): number {
  const w = new ByteWriter(out);
  writeFixedHeader(w, 'DATA', true, dcid, pn, timestamp, timestampDiff);
  writeAckBlock(w, ack);
  return w.pos;
}

/** PROTOCOL §3.1 — the 24 fixed bytes. */
function writeFixedHeader(
  w: ByteWriter,
  type: PacketTypeName,
  withAck: boolean,
  dcid: Uint8Array,
  pn: number,
  timestamp: number,
  timestampDiff: number,
): void {
  w.u8(MAGIC);
  w.u8(PROTOCOL_VERSION);
  w.u8(PacketType[type]);
  w.u8(withAck ? HeaderFlag.ACK : 0);
  w.fixed(dcid, CONNECTION_ID_LENGTH, 'dcid');
  w.u32(pn);
  w.u32(timestamp);
  w.u32(timestampDiff);
}

/** PROTOCOL §3.3 — see ack-ranges.ts for which ranges fit. */
function writeAckBlock(w: ByteWriter, ack: AckBlock): void {
  const ranges = ack.ranges;
  const count = encodableAckRangeCount(ranges);
  const first = ranges[0]!;
  w.u32(first[1]);
  w.u16(ackDelayToWire(ack.delayUs));
  w.u16(Math.min(U16, first[1] - first[0]));
  w.u8(count - 1);
  let prevSmallest = first[0];
  for (let i = 1; i < count; i++) {
    const [smallest, largest] = ranges[i]!;
    w.u16(prevSmallest - largest - 2);
    w.u16(Math.min(U16, largest - smallest));
    prevSmallest = smallest;
  }
}

/**
 * Reads the header at the reader's position (PROTOCOL §3.1). Magic mismatch and unknown
 * packet types are MALFORMED. A version other than ours is UNSUPPORTED_VERSION, except on
 * HELLO and REJECT whose layout is the same in every version (PROTOCOL §12).
 */
export function readHeader(r: ByteReader): PacketHeader {
  if (r.remaining < HEADER_LENGTH) throw ShoalError.truncated('header');
  if (r.u8() !== MAGIC) throw ShoalError.malformed('bad magic');
  const version = r.u8();
  const typeId = r.u8();
  const type = PACKET_TYPE_NAMES[typeId];
  if (type === undefined) throw ShoalError.malformed(`unknown packet type 0x${typeId.toString(16)}`);
  if (version !== PROTOCOL_VERSION && type !== 'HELLO' && type !== 'REJECT') {
    throw new ShoalError(ErrorCode.UNSUPPORTED_VERSION, `unsupported protocol version ${version}`);
  }
  const flags = r.u8();
  const header: PacketHeader = {
    type,
    dcid: r.bytes(CONNECTION_ID_LENGTH),
    pn: r.u32(),
    timestamp: r.u32(),
    timestampDiff: r.u32(),
  };
  if (flags & HeaderFlag.ACK) header.ack = readAckBlock(r);
  return header;
}

function readAckBlock(r: ByteReader): AckBlock {
  const largest = r.u32('ACK block');
  const delayUs = r.u16('ACK block') * 8;
  const firstLength = r.u16('ACK block');
  const count = r.u8('ACK block');
  if (count > MAX_ACK_RANGES) throw ShoalError.malformed(`${count} ACK ranges (max ${MAX_ACK_RANGES})`);
  let smallest = largest - firstLength;
  if (smallest < 0) throw ShoalError.malformed('ACK range below packet number 0');
  const ranges: AckRange[] = [[smallest, largest]];
  for (let i = 0; i < count; i++) {
    const gap = r.u16('ACK range');
    const length = r.u16('ACK range');
    const l = smallest - gap - 2;
    const s = l - length;
    if (s < 0) throw ShoalError.malformed('ACK range below packet number 0');
    ranges.push([s, l]);
    smallest = s;
  }
  return { delayUs, ranges };
}

/** An ACK-only packet (PROTOCOL §8.1) as readAckOnlyPacket leaves it. */
export interface AckOnlyPacket {
  pn: number;
  timestamp: number;
  timestampDiff: number;
  /** Overwritten by the next read (ranges and their pairs are reused): use it at once. */
  ack: AckBlock;
}

export function newAckOnlyPacket(): AckOnlyPacket {
  return { pn: 0, timestamp: 0, timestampDiff: 0, ack: { delayUs: 0, ranges: [] } };
}

const u16At = (b: Uint8Array, at: number): number => (b[at]! << 8) | b[at + 1]!;

/**
 * The receive path of the ACK-only packets a bulk receiver sends back: if `d` is a DATA
 * packet of this version with an ACK block and nothing after it (no frame, no padding),
 * reads it into `out` in place (no reader, header or range objects) and returns true.
 * Anything else, malformed ones included, returns false and goes through decodePacket,
 * which decides; for the datagrams accepted here both read the same values.
 */
export function readAckOnlyPacket(d: Uint8Array, out: AckOnlyPacket): boolean {
  const at = HEADER_LENGTH;
  const n = d.length;
  if (
    n < at + ACK_BLOCK_FIXED_LENGTH ||
    d[0] !== MAGIC ||
    d[1] !== PROTOCOL_VERSION ||
    d[2] !== PacketType.DATA ||
    (d[3]! & HeaderFlag.ACK) === 0
  ) {
    return false;
  }
  const count = d[at + 8]!;
  if (count > MAX_ACK_RANGES || n !== at + ACK_BLOCK_FIXED_LENGTH + ACK_RANGE_LENGTH * count) return false;
  // PROTOCOL §3.3 — ranges descend from largestAcked; any packet number below 0 is malformed.
  const ranges = out.ack.ranges;
  let largest = u32At(d, at);
  let smallest = largest - u16At(d, at + 6);
  for (let i = 0, p = at + ACK_BLOCK_FIXED_LENGTH; ; i++, p += ACK_RANGE_LENGTH) {
    if (smallest < 0) return false;
    const pair = ranges[i];
    if (pair === undefined) ranges.push([smallest, largest]);
    else {
      pair[0] = smallest;
      pair[1] = largest;
    }
    if (i === count) break;
    largest = smallest - u16At(d, p) - 2;
    smallest = largest - u16At(d, p + 2);
  }
  ranges.length = count + 1;
  out.ack.delayUs = u16At(d, at + 4) * 8;
  out.pn = u32At(d, 12);
  out.timestamp = u32At(d, 16);
  out.timestampDiff = u32At(d, 20);
  return true;
}
