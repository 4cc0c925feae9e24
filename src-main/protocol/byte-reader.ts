// Bounded big-endian reader over one datagram (PROTOCOL §1: all integers are unsigned,
// network byte order). Every read past the end throws ShoalError.truncated, code MALFORMED,
// so a decoder built on it can never read out of bounds or return a half-parsed value.

import { ShoalError } from '../../src-shared/errors.js';

export class ByteReader {
  readonly buf: Buffer;
  /** Absolute index of the next byte to read. */
  pos: number;
  /** Absolute index one past the last readable byte. */
  readonly end: number;

  /** Reads `buf[start, end)`. Byte strings returned by `bytes()` are views into `buf`, not copies. */
  constructor(buf: Uint8Array, start = 0, end = buf.byteLength) {
    this.buf = Buffer.isBuffer(buf) ? buf : Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
    this.pos = start;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) throw ShoalError.truncated(what);
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    return this.buf[this.pos++]!;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const b = this.buf;
    const p = this.pos;
    this.pos = p + 2;
    return (b[p]! << 8) | b[p + 1]!;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** u64 as a JS number; values above 2^53 − 1 cannot be represented exactly and are MALFORMED. */
  u64(what = 'u64'): number {
    this.need(8, what);
    const hi = this.buf.readUInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    if (hi > 0x1fffff) throw ShoalError.malformed(`${what} exceeds 2^53`);
    this.pos += 8;
    return hi * 0x1_0000_0000 + lo;
  }

  /** A view of the next `n` bytes (no copy). */
  bytes(n: number, what = 'bytes'): Buffer {
    this.need(n, what);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.subarray(p, p + n);
  }

  /** The rest of the readable range as a view (no copy). */
  rest(): Buffer {
    const p = this.pos;
    this.pos = this.end;
    return this.buf.subarray(p, this.end);
  }

  /** UTF-8 string of `n` bytes. Invalid sequences become U+FFFD rather than failing. */
  utf8(n: number, what = 'string'): string {
    this.need(n, what);
    const p = this.pos;
    this.pos = p + n;
    return this.buf.toString('utf8', p, p + n);
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }
}
