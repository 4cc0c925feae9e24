// AVAILABILITY bitmaps (PROTOCOL §5.12): bit 7 of byte 0 is baseSeq, bit 6 is baseSeq + 1,
// and so on; bits past `count` are 0 on send and ignored on receipt.

/** Largest count one AVAILABILITY frame can describe (u16). */
export const MAX_AVAILABILITY_COUNT = 0xffff;

export interface AvailabilityWindow {
  baseSeq: number;
  count: number;
  bitmap: Uint8Array;
}

/**
 * Bitmap for the given sequence numbers. Without an explicit window it spans from the
 * smallest to the largest seq (at most MAX_AVAILABILITY_COUNT; higher seqs are left out).
 */
export function seqsToBitmap(seqs: Iterable<number>, baseSeq?: number, count?: number): AvailabilityWindow {
  const list = [...seqs];
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of list) {
    if (s < lo) lo = s;
    if (s > hi) hi = s;
  }
  const base = baseSeq ?? (list.length ? lo : 0);
  const n = count ?? (list.length ? Math.min(MAX_AVAILABILITY_COUNT, Math.max(0, hi - base + 1)) : 0);
  const bitmap = new Uint8Array((n + 7) >>> 3);
  for (const seq of list) {
    const i = seq - base;
    if (i >= 0 && i < n) bitmap[i >>> 3]! |= 0x80 >>> (i & 7);
  }
  return { baseSeq: base, count: n, bitmap };
}

/** The sequence numbers a bitmap marks as available, ascending. */
export function bitmapToSeqs(w: AvailabilityWindow): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.count; i++) {
    if ((w.bitmap[i >>> 3]! & (0x80 >>> (i & 7))) !== 0) out.push(w.baseSeq + i);
  }
  return out;
}

/**
 * The newest `limit` seqs the bitmap can mark (those up to its highest set bit), of them
 * those marked, ascending. Costs the bitmap's length plus `limit`, whatever `count` claims:
 * a receiver keeps only the newest holdings (PROTOCOL §5.12), so a frame of 65 535 bits
 * costs it no more than one of `limit`.
 */
export function newestSeqs(w: AvailabilityWindow, limit: number): number[] {
  const count = Math.min(w.count, w.bitmap.length * 8);
  let byte = ((count + 7) >>> 3) - 1;
  while (byte >= 0 && w.bitmap[byte] === 0) byte--;
  if (byte < 0 || limit <= 0) return [];
  const top = Math.min(count - 1, byte * 8 + 7);
  const out: number[] = [];
  for (let i = Math.max(0, top - limit + 1); i <= top; i++) {
    if ((w.bitmap[i >>> 3]! & (0x80 >>> (i & 7))) !== 0) out.push(w.baseSeq + i);
  }
  return out;
}

/** Does the bitmap mark `seq` as available? */
export function bitmapHas(w: AvailabilityWindow, seq: number): boolean {
  const i = seq - w.baseSeq;
  if (i < 0 || i >= w.count) return false;
  return ((w.bitmap[i >>> 3] ?? 0) & (0x80 >>> (i & 7))) !== 0;
}
