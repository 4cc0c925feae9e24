import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { utf8Truncated, utf8TruncatedLength } from './utf8.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

describe('ByteReader / ByteWriter (PROTOCOL §1.2)', () => {
  it('writes and reads big-endian integers', () => {
    const w = ByteWriter.alloc(1 + 2 + 4 + 8);
    w.u8(0xab);
    w.u16(0x1234);
    w.u32(0xdeadbeef);
    w.u64(Number.MAX_SAFE_INTEGER);
    expect(w.buf.toString('hex')).toBe('ab1234deadbeef001fffffffffffff');
    const r = new ByteReader(w.buf);
    expect([r.u8(), r.u16(), r.u32(), r.u64()]).toEqual([0xab, 0x1234, 0xdeadbeef, Number.MAX_SAFE_INTEGER]);
    expect(r.remaining).toBe(0);
  });

  it('throws MALFORMED on any read past the end, and on u64 above 2^53', () => {
    const reads: ((r: ByteReader) => unknown)[] = [
      (r) => r.u8(),
      (r) => r.u16(),
      (r) => r.u32(),
      (r) => r.u64(),
      (r) => r.bytes(1),
      (r) => r.utf8(1),
      (r) => r.skip(1),
    ];
    for (const read of reads) {
      expect(() => read(new ByteReader(Buffer.alloc(10), 10))).toThrowError(
        expect.objectContaining({ code: ErrorCode.MALFORMED }) as Error,
      );
    }
    // Bounded by `end`, not by the buffer.
    expect(() => new ByteReader(Buffer.alloc(10), 0, 3).u32()).toThrow(ShoalError);
    expect(() => new ByteReader(Buffer.from('0020000000000000', 'hex')).u64()).toThrow(ShoalError);
  });

  it('returns views, not copies', () => {
    const buf = Buffer.from('00010203', 'hex');
    const b = new ByteReader(buf).bytes(2);
    expect(b.buffer).toBe(buf.buffer);
  });

  it('throws INTERNAL when an encoder overruns or a fixed field has the wrong size', () => {
    const w = ByteWriter.alloc(2);
    expect(() => w.u32(1)).toThrowError(expect.objectContaining({ code: ErrorCode.INTERNAL }) as Error);
    expect(() => w.fixed(Buffer.alloc(3), 2, 'cid')).toThrowError(
      expect.objectContaining({ code: ErrorCode.INTERNAL }) as Error,
    );
  });
});

describe('UTF-8 truncation (PROTOCOL §1.3)', () => {
  it('never splits a character', () => {
    expect(utf8Truncated('abc', 200).toString()).toBe('abc');
    expect(utf8Truncated('ééé', 5).toString()).toBe('éé');
    expect(utf8Truncated('a😀', 4).toString()).toBe('a');
    expect(utf8Truncated('€€', 2).toString()).toBe('');
    expect(utf8TruncatedLength('a😀😀', 8)).toBe(5);
    expect(utf8TruncatedLength('x'.repeat(300), 200)).toBe(200);
  });
});
