// Reassembly of fragmented segments (PROTOCOL §7.2). Memory is reserved from a per-peer
// budget and a node-wide budget before any allocation, and every check that can fail on
// a peer's claim (size, bounds, overlap) runs before a byte is copied.

import { MAX_SEGMENT_SIZE } from '../protocol/constants.js';
import type { SegmentBufferPool } from './segment-buffer-pool.js';

/** Bytes of reassembly buffers, with an optional parent (per peer → node-wide). */
export class MemoryBudget {
  used = 0;
  constructor(
    readonly limit: number,
    private readonly parent: MemoryBudget | null = null,
  ) {}

  reserve(bytes: number): boolean {
    if (this.used + bytes > this.limit) return false;
    if (this.parent !== null && !this.parent.reserve(bytes)) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used -= bytes;
    this.parent?.release(bytes);
  }
}

export type FragmentVerdict =
  | 'added'
  | 'complete'
  | 'duplicate'
  /** Partially overlaps data already received: a protocol violation. */
  | 'overlap'
  /** offset+length beyond totalSize, or an empty non-final fragment. */
  | 'out-of-range'
  /** totalSize differs from the first fragment's. */
  | 'size-mismatch';

export type SizeVerdict = 'ok' | 'too-large' | 'unexpected-size' | 'no-memory';

/** Checks a claimed total size and reserves memory for it; allocation happens only after 'ok'. */
export function admitSegmentSize(
  totalSize: number,
  expectedSize: number | undefined,
  budget: MemoryBudget,
  maxSize = MAX_SEGMENT_SIZE,
): SizeVerdict {
  if (totalSize > maxSize) return 'too-large';
  if (expectedSize !== undefined && totalSize !== expectedSize) return 'unexpected-size';
  if (!budget.reserve(totalSize)) return 'no-memory';
  return 'ok';
}

/** One segment being put back together. Holds its reservation until `release()`. */
export class SegmentAssembly {
  readonly buffer: Buffer;
  received = 0;
  /** Received byte ranges [start, end), ascending, merged when adjacent. */
  private readonly spans: number[] = [];
  private released = false;

  /**
   * The caller has already reserved `totalSize` bytes from `budget` (admitSegmentSize).
   * The buffer comes from `pool` when one is given (a recycled one, if it holds any).
   */
  constructor(
    readonly totalSize: number,
    private readonly budget: MemoryBudget,
    pool: SegmentBufferPool | null = null,
  ) {
    this.buffer = pool !== null ? pool.take(totalSize) : Buffer.allocUnsafe(totalSize);
  }

  get complete(): boolean {
    return this.received === this.totalSize;
  }

  add(offset: number, totalSize: number, data: Uint8Array): FragmentVerdict {
    return this.addFrom(offset, totalSize, data, 0, data.length);
  }

  /** `add` for the bytes `src[start, srcEnd)` (e.g. straight out of a datagram). */
  addFrom(
    offset: number,
    totalSize: number,
    src: Uint8Array,
    start: number,
    srcEnd: number,
  ): FragmentVerdict {
    if (totalSize !== this.totalSize) return 'size-mismatch';
    const length = srcEnd - start;
    const end = offset + length;
    if (end > this.totalSize || (length === 0 && this.totalSize !== 0)) return 'out-of-range';
    const spans = this.spans;
    // Fast path: in-order arrival extends the last span.
    const n = spans.length;
    if (n > 0 && spans[n - 1] === offset) {
      spans[n - 1] = end;
      return this.copy(offset, src, start, srcEnd);
    }
    // Find the first span whose end is beyond offset (binary search on span ends).
    let lo = 0;
    let hi = n / 2;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (spans[2 * mid + 1]! <= offset) lo = mid + 1;
      else hi = mid;
    }
    const i = 2 * lo;
    if (i < n) {
      const start = spans[i]!;
      const spanEnd = spans[i + 1]!;
      if (start <= offset && end <= spanEnd) return 'duplicate';
      if (end > start) return 'overlap';
    }
    const joinsPrev = i > 0 && spans[i - 1] === offset;
    const joinsNext = i < n && spans[i] === end;
    if (joinsPrev && joinsNext) spans.splice(i - 1, 2);
    else if (joinsPrev) spans[i - 1] = end;
    else if (joinsNext) spans[i] = offset;
    else spans.splice(i, 0, offset, end);
    return this.copy(offset, src, start, srcEnd);
  }

  private copy(offset: number, src: Uint8Array, start: number, end: number): FragmentVerdict {
    // A plain Uint8Array view: Buffer#subarray would construct a Buffer subclass per fragment.
    const bytes =
      start === 0 && end === src.length
        ? src
        : new Uint8Array(src.buffer, src.byteOffset + start, end - start);
    this.buffer.set(bytes, offset);
    this.received += end - start;
    return this.received === this.totalSize ? 'complete' : 'added';
  }

  /** Returns the reservation; call once when delivered, cancelled or failed. */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.budget.release(this.totalSize);
  }
}
