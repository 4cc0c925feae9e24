// ACK ranges (PROTOCOL §3.3): which ranges of a list fit on the wire, and how long the
// encoded ACK block is. Kept apart from header.ts so the transport can ask "what exactly
// will this ACK say" without encoding it.

import { MAX_ACK_RANGES } from './constants.js';
import type { AckRange } from './types.js';
import { ShoalError } from '../../src-shared/errors.js';

/** PROTOCOL §3.3 — largestAcked u32, ackDelay u16, firstRangeLength u16, rangeCount u8. */
export const ACK_BLOCK_FIXED_LENGTH = 9;
/** PROTOCOL §3.3 — gap u16 + length u16 per further range. */
export const ACK_RANGE_LENGTH = 4;
const U16 = 0xffff;
const U32 = 0xffff_ffff;

/**
 * How many of `ranges` the encoder puts on the wire (PROTOCOL §3.3): at most
 * 1 + MAX_ACK_RANGES; the list ends after a range longer than 65536 packets (which is cut
 * to its top 65536) and before a range whose gap does not fit in a u16. Throws INTERNAL
 * on a list that breaks the ordering rules: that is a caller bug, not bad input.
 */
export function encodableAckRangeCount(ranges: readonly AckRange[]): number {
  const first = ranges[0];
  if (first === undefined) throw ShoalError.internal('an ACK block needs at least one range');
  checkRange(first);
  if (first[1] > U32) throw ShoalError.internal(`ACK range largest ${first[1]} exceeds u32`);
  if (first[1] - first[0] > U16) return 1;
  let prevSmallest = first[0];
  const limit = Math.min(ranges.length, 1 + MAX_ACK_RANGES);
  for (let i = 1; i < limit; i++) {
    const r = ranges[i]!;
    checkRange(r);
    const gap = prevSmallest - r[1] - 2;
    if (gap < 0) throw ShoalError.internal('ACK ranges must be descending, disjoint and non-adjacent');
    if (gap > U16) return i;
    if (r[1] - r[0] > U16) return i + 1;
    prevSmallest = r[0];
  }
  return limit;
}

/** The ranges exactly as a receiver will decode them after encoding `ranges`. */
export function fitAckRanges(ranges: readonly AckRange[]): AckRange[] {
  const n = encodableAckRangeCount(ranges);
  const out: AckRange[] = [];
  for (let i = 0; i < n; i++) {
    const [s, l] = ranges[i]!;
    out.push([Math.max(s, l - U16), l]);
  }
  return out;
}

export function ackBlockLength(ranges: readonly AckRange[]): number {
  return ACK_BLOCK_FIXED_LENGTH + ACK_RANGE_LENGTH * (encodableAckRangeCount(ranges) - 1);
}

/** PROTOCOL §3.3 — ackDelay is sent in 8 µs units, floored and saturated at 0xffff. */
export function ackDelayToWire(delayUs: number): number {
  if (!(delayUs > 0)) return 0;
  return Math.min(U16, Math.floor(delayUs / 8));
}

function checkRange(r: AckRange): void {
  const [s, l] = r;
  if (!Number.isInteger(s) || !Number.isInteger(l) || s < 0 || l < s) {
    throw ShoalError.internal(`invalid ACK range [${s}, ${l}]`);
  }
}
