import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrames, encodeFrame, encodedFrameLength } from './frame-codec.js';
import { FRAME_HEADER_LENGTH, FrameType, MAX_MESSAGE_LENGTH, type FrameTypeName } from '../constants.js';
import type { Frame } from '../types.js';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { frame as frameArb } from '../../../test/protocol/arbitraries.js';

function codeOf(fn: () => unknown): number | 'ok' | string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ShoalError ? err.code : String(err);
  }
}

/** Frame bytes with its length field set to `length` and the body cut or zero-extended to match. */
function withBodyLength(bytes: Buffer, length: number): Buffer {
  const body = Buffer.alloc(length);
  bytes.subarray(FRAME_HEADER_LENGTH).copy(body, 0, 0, Math.min(length, bytes.length - FRAME_HEADER_LENGTH));
  const head = Buffer.from(bytes.subarray(0, FRAME_HEADER_LENGTH));
  head.writeUInt16BE(length, 1);
  return Buffer.concat([head, body]);
}

describe('frames (PROTOCOL §5)', () => {
  it('round-trips random frames of every type; encodedFrameLength is the encoded size', () => {
    const seen = new Set<FrameTypeName>();
    fc.assert(
      fc.property(frameArb, (f) => {
        seen.add(f.type);
        const bytes = encodeFrame(f);
        expect(bytes.length).toBe(encodedFrameLength(f));
        expect(bytes[0]).toBe(FrameType[f.type]);
        expect(bytes.readUInt16BE(1)).toBe(bytes.length - FRAME_HEADER_LENGTH);
        expect(decodeFrame(bytes)).toEqual(f);
      }),
      { numRuns: 1000 },
    );
    expect([...seen].sort()).toEqual(Object.keys(FrameType).sort());
  });

  it('rejects every truncated prefix of random frames', () => {
    fc.assert(
      fc.property(frameArb, (f) => {
        const bytes = encodeFrame(f);
        for (let n = 1; n < bytes.length; n++)
          expect(codeOf(() => decodeFrames(bytes.subarray(0, n)))).toBe(ErrorCode.MALFORMED);
      }),
      { numRuns: 150 },
    );
  });

  it('rejects a body shorter than its defined fields (length field lies low)', () => {
    fc.assert(
      fc.property(
        frameArb.filter((f) => f.type !== 'CHOKE' && f.type !== 'UNCHOKE'),
        (f) => {
          const bytes = encodeFrame(f);
          const full = bytes.length - FRAME_HEADER_LENGTH;
          // The shortest body the type accepts: SEGMENT_DATA's data may be shorter.
          const min = f.type === 'SEGMENT_DATA' ? 12 : full;
          for (let n = 0; n < min; n++)
            expect(codeOf(() => decodeFrames(withBodyLength(bytes, n)))).toBe(ErrorCode.MALFORMED);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('ignores bytes after the defined fields (PROTOCOL §12), except SEGMENT_DATA whose data runs to the end', () => {
    fc.assert(
      fc.property(frameArb, fc.uint8Array({ minLength: 1, maxLength: 20 }), (f, extra) => {
        if (f.type === 'SEGMENT_DATA') return;
        const bytes = encodeFrame(f);
        const longer = withBodyLength(bytes, bytes.length - FRAME_HEADER_LENGTH + extra.length);
        longer.set(extra, bytes.length);
        expect(decodeFrame(longer)).toEqual(f);
      }),
      { numRuns: 500 },
    );
  });

  it('skips unknown frame types by their length and counts them', () => {
    const ping = encodeFrame({ type: 'PING', nonce: 1 });
    const unknown = Buffer.from('7e0003aabbcc' + 'ff0000', 'hex');
    const cancel = encodeFrame({ type: 'CANCEL', reqId: 5 });
    expect(decodeFrames(Buffer.concat([ping, unknown, cancel]))).toEqual({
      frames: [
        { type: 'PING', nonce: 1 },
        { type: 'CANCEL', reqId: 5 },
      ],
      unknownFrames: 2,
    });
  });

  it('stops at a PADDING byte (type 0x00): the rest is ignored', () => {
    const ping = encodeFrame({ type: 'PING', nonce: 1 });
    const r = decodeFrames(Buffer.concat([ping, Buffer.from('00ffff13', 'hex')]));
    expect(r).toEqual({ frames: [{ type: 'PING', nonce: 1 }], unknownFrames: 0 });
  });

  it('rejects a frame whose length runs past the datagram, even of unknown type', () => {
    expect(codeOf(() => decodeFrames(Buffer.from('7e0005aabb', 'hex')))).toBe(ErrorCode.MALFORMED);
    expect(codeOf(() => decodeFrames(Buffer.from('01', 'hex')))).toBe(ErrorCode.MALFORMED);
    expect(codeOf(() => decodeFrames(Buffer.from('0100', 'hex')))).toBe(ErrorCode.MALFORMED);
  });

  it('cuts long messages to 200 bytes on a character boundary', () => {
    const message = 'é'.repeat(150); // 300 bytes of 2-byte characters
    const f: Frame = { type: 'GOODBYE', code: 0x108, message };
    const bytes = encodeFrame(f);
    expect(bytes.length).toBe(encodedFrameLength(f));
    expect(decodeFrame(bytes)).toEqual({ ...f, message: 'é'.repeat(100) });
    const odd: Frame = { type: 'ERROR', code: 1, message: 'a' + '😀'.repeat(60) }; // 1 + 240 bytes
    const back = decodeFrame(encodeFrame(odd)) as Extract<Frame, { type: 'ERROR' }>;
    expect(back.message).toBe('a' + '😀'.repeat(49));
    expect(Buffer.byteLength(back.message)).toBeLessThanOrEqual(MAX_MESSAGE_LENGTH);
    expect(encodedFrameLength(odd)).toBe(encodeFrame(odd).length);
  });

  it('validates the few constrained fields', () => {
    const bad: [string, string][] = [
      ['SEGMENT_REQUEST kind 2', '13000f' + '00000001' + '00' + '02' + '00000001' + '00000000' + '00'],
      ['PLAYLIST part >= parts', '120007' + '00000001' + '01' + '01' + '00'],
      ['PLAYLIST 9 entries', '120007' + '00000001' + '00' + '01' + '09'],
      ['SEGMENT_DATA past totalSize', '14000e' + '00000001' + '00000009' + '0000000a' + 'aabb'],
      ['PEX family 5', '210011' + '01' + '05' + '0102030405060708090a0b0c0d0e0f'],
    ];
    for (const [what, hex] of bad)
      expect(
        codeOf(() => decodeFrames(Buffer.from(hex, 'hex'))),
        what,
      ).toBe(ErrorCode.MALFORMED);
  });

  it('refuses to encode what cannot be sent (caller bugs) with INTERNAL', () => {
    const entry = {
      rendition: 0,
      flags: 0,
      seq: 0,
      initSeq: null,
      durationUs: 0,
      size: 0,
      programDateTimeMs: 0,
      sha256: Buffer.alloc(32),
      signature: Buffer.alloc(64),
    };
    const bad: Frame[] = [
      { type: 'PLAYLIST', reqId: 1, part: 0, parts: 1, entries: new Array(9).fill(entry) },
      { type: 'HAVE', entry: { ...entry, sha256: Buffer.alloc(31) } },
      { type: 'AVAILABILITY', rendition: 0, baseSeq: 0, count: 9, bitmap: Buffer.alloc(1) },
      { type: 'SEGMENT_DATA', reqId: 1, offset: 0, totalSize: 70000, data: Buffer.alloc(70000) },
    ];
    for (const f of bad)
      expect(
        codeOf(() => encodeFrame(f)),
        f.type,
      ).toBe(ErrorCode.INTERNAL);
  });
});
