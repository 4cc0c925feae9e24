// Reassembly buffers given back by the consumer (PROTOCOL §7.2). A fresh multi-megabyte
// allocation is untouched memory: every 4 KiB page of it faults on the first fragment
// copied in. Reusing a buffer the consumer is done with skips those faults and writes
// into memory the cache has seen recently.

/** Bytes of idle buffers kept; beyond that, released buffers are left to the GC. */
export const DEFAULT_POOL_BYTES = 16 * 1024 * 1024;

export class SegmentBufferPool {
  /** Idle buffers by exact length (segments of one rendition tend to repeat sizes). */
  private readonly idle = new Map<number, Buffer[]>();
  private idleBytes = 0;
  reused = 0;

  constructor(private readonly maxBytes = DEFAULT_POOL_BYTES) {}

  /** A buffer of exactly `size` bytes with arbitrary contents. */
  take(size: number): Buffer {
    const list = this.idle.get(size);
    const buf = list?.pop();
    if (buf === undefined) return Buffer.allocUnsafe(size);
    this.idleBytes -= size;
    this.reused++;
    return buf;
  }

  /**
   * Keeps `buf` for a later `take`. Only whole allocations are kept (not views into a
   * larger or shared one, e.g. Node's small-buffer pool), and none of zero length.
   */
  give(buf: Buffer): void {
    const size = buf.length;
    if (size === 0 || buf.byteOffset !== 0 || buf.buffer.byteLength !== size) return;
    if (this.idleBytes + size > this.maxBytes) return;
    const list = this.idle.get(size);
    if (list === undefined) this.idle.set(size, [buf]);
    else if (list.includes(buf)) return;
    else list.push(buf);
    this.idleBytes += size;
  }

  get bytes(): number {
    return this.idleBytes;
  }
}
