// Big-endian writer into a preallocated Buffer (PROTOCOL §1). Encoders compute the exact
// length first (the `…Length` functions), allocate once and write once: no growing, no
// intermediate buffers on the send path. Overrunning the buffer is a bug in a length
// function, so it throws an INTERNAL ShoalError rather than writing a short datagram.

import { ShoalError } from '../../src-shared/errors.js';

export class ByteWriter {
  readonly buf: Buffer;
  pos: number;

  constructor(buf: Buffer, start = 0) {
    this.buf = buf;
    this.pos = start;
  }

  /** A writer over a fresh buffer of exactly `length` bytes. */
  static alloc(length: number): ByteWriter {
    return new ByteWriter(Buffer.allocUnsafe(length));
  }

  private room(n: number): void {
    if (this.buf.length - this.pos < n) {
      throw ShoalError.internal(`encoder overran its buffer (${this.pos} + ${n} > ${this.buf.length})`);
    }
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v & 0xff;
  }

  u16(v: number): void {
    this.room(2);
    const p = this.pos;
    this.buf[p] = (v >>> 8) & 0xff;
    this.buf[p + 1] = v & 0xff;
    this.pos = p + 2;
  }

  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }

  /** u64 from a non-negative safe integer. */
  u64(v: number): void {
    this.room(8);
    const hi = Math.floor(v / 0x1_0000_0000);
    this.buf.writeUInt32BE(hi >>> 0, this.pos);
    this.buf.writeUInt32BE(v >>> 0, this.pos + 4);
    this.pos += 8;
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A fixed-size field (ids, hashes, signatures): anything but exactly `n` bytes is a caller bug. */
  fixed(b: Uint8Array, n: number, what: string): void {
    if (b.length !== n) throw ShoalError.internal(`${what} must be ${n} bytes, got ${b.length}`);
    this.room(n);
    this.buf.set(b, this.pos);
    this.pos += n;
  }

  zeros(n: number): void {
    this.room(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
  }
}
