import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeFrame, decodeFrames, encodeFrame, encodedFrameLength } from './frame-codec.js';
import {
  DEFAULT_MAX_DATAGRAM,
  FRAME_HEADER_LENGTH,
  FrameType,
  MAX_ACK_RANGES,
  MAX_MESSAGE_LENGTH,
  MAX_PIECES,
  type FrameTypeName,
} from '../constants.js';
import { headerLength } from '../header.js';
import type { Frame, PieceMap } from '../types.js';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { frame as frameArb, pieceMap as pieceMapArb } from '../../../test/protocol/arbitraries.js';
import { readSpecVectors } from '../../../test/protocol/spec-vectors.js';

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
          // The shortest body the type accepts: SEGMENT_DATA's data may be shorter, and a
          // SEGMENT_REQUEST cut inside its range is one without the range (§5.7), and a
          // PIECE_HAVE without its flags byte one without flags (§5.15).
          const min =
            f.type === 'SEGMENT_DATA'
              ? 12
              : f.type === 'SEGMENT_REQUEST'
                ? 15
                : f.type === 'PIECE_HAVE' && f.offer
                  ? full - 1
                  : full;
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
        // 8 or more bytes after a SEGMENT_REQUEST without a range are its range (§5.7, tested below).
        if (f.type === 'SEGMENT_REQUEST' && !f.range && extra.length >= 8) return;
        // The first byte after a PIECE_HAVE without flags is its flags byte (§5.15, tested below).
        if (f.type === 'PIECE_HAVE' && !f.offer) return;
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
      // PROTOCOL §5.18: more than 4 candidates bounds what a peer can make us try.
      ['ADDRESSES 5 candidates', '220002' + '02' + '05'],
      ['PUNCH_CONNECT 9 candidates', '240013' + 'a1a2a3a4a5a6a7a8' + '0102030405060708' + '02' + '00' + '09'],
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

describe('pieces extension (PROTOCOL §5.7 range, §5.15)', () => {
  // A plain request without a range (§14.5 frame/segment-request).
  const request = decodeFrame(readSpecVectors().find((v) => v.name === 'frame/segment-request')!.bytes);
  if (request.type !== 'SEGMENT_REQUEST') throw new Error('frame/segment-request vector missing');
  const anyMap = (): PieceMap => fc.sample(pieceMapArb, { numRuns: 1, seed: 3 })[0]!;
  const pieceMapFrame = (map: PieceMap): Frame => ({ type: 'PIECE_MAP', map });

  it('a SEGMENT_REQUEST carries its range in 8 more bytes, and only when it has one', () => {
    const ranged = { ...request, range: { offset: 16384, length: 16384 } };
    const bytes = encodeFrame(ranged);
    expect(bytes.length - FRAME_HEADER_LENGTH).toBe(23);
    expect(bytes.subarray(-8).toString('hex')).toBe('0000400000004000');
    expect(decodeFrame(bytes)).toEqual(ranged);
    expect(encodeFrame(request).length - FRAME_HEADER_LENGTH).toBe(15);
    expect(decodeFrame(encodeFrame(request))).toEqual(request);
  });

  it('a SEGMENT_REQUEST body of 15 to 22 bytes has no range; from 23 bytes on, bytes after the range are ignored', () => {
    const ranged = { ...request, range: { offset: 1, length: 2 } };
    const full = encodeFrame(ranged);
    for (let n = 15; n < 23; n++) {
      const f = decodeFrame(withBodyLength(full, n));
      expect(f, `${n} bytes`).toEqual(request);
      expect('range' in f, `${n} bytes`).toBe(false);
    }
    const longer = withBodyLength(full, 30);
    longer.fill(0xee, full.length);
    expect(decodeFrame(longer)).toEqual(ranged);
  });

  it('a range of 0 bytes is malformed on receipt and refused (INTERNAL) on send', () => {
    const bytes = encodeFrame({ ...request, range: { offset: 5, length: 1 } });
    bytes.writeUInt32BE(0, bytes.length - 4);
    expect(codeOf(() => decodeFrames(bytes))).toBe(ErrorCode.MALFORMED);
    expect(codeOf(() => encodeFrame({ ...request, range: { offset: 5, length: 0 } }))).toBe(
      ErrorCode.INTERNAL,
    );
  });

  it('PIECE_MAP and PIECE_HAVE round-trip; every truncated prefix is MALFORMED', () => {
    fc.assert(
      fc.property(
        frameArb.filter((f) => f.type === 'PIECE_MAP' || f.type === 'PIECE_HAVE'),
        (f) => {
          const bytes = encodeFrame(f);
          expect(bytes.length).toBe(encodedFrameLength(f));
          expect(decodeFrame(bytes)).toEqual(f);
          for (let n = 1; n < bytes.length; n++)
            expect(codeOf(() => decodeFrames(bytes.subarray(0, n)))).toBe(ErrorCode.MALFORMED);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('PIECE_HAVE flags byte (§5.15): bit 0 is OFFER; absent = no flag; other bits and later bytes ignored', () => {
    const base = {
      type: 'PIECE_HAVE' as const,
      rendition: 0,
      seq: 2,
      count: 3,
      bitmap: Buffer.from('a0', 'hex'),
    };
    const plain = encodeFrame(base);
    expect(plain.toString('hex')).toBe('1d0007' + '00' + '00000002' + '03' + 'a0');
    const offer = encodeFrame({ ...base, offer: true });
    expect(offer.toString('hex')).toBe('1d0008' + '00' + '00000002' + '03' + 'a0' + '01');
    expect(decodeFrame(offer)).toEqual({ ...base, offer: true });
    const otherBits = Buffer.from('1d0009' + '00' + '00000002' + '03' + 'a0' + 'fe' + 'aa', 'hex');
    expect(decodeFrame(otherBits)).toEqual(base);
  });

  it('a PIECE_MAP of 24 pieces (959-byte body) fits a 1200-byte datagram with the largest ACK block', () => {
    const map = anyMap();
    const full = {
      ...map,
      hashes: new Array<Uint8Array>(MAX_PIECES).fill(Buffer.alloc(32)),
      pieceSize: 1024,
      entry: { ...map.entry, size: MAX_PIECES * 1024 },
    };
    const length = encodedFrameLength(pieceMapFrame(full));
    expect(length).toBe(FRAME_HEADER_LENGTH + 959);
    const ranges = Array.from({ length: MAX_ACK_RANGES + 1 }, (_, k): [number, number] => [
      4 * k,
      4 * k,
    ]).reverse();
    const header = {
      dcid: Buffer.alloc(8),
      pn: 0,
      timestamp: 0,
      timestampDiff: 0,
      ack: { delayUs: 0, ranges },
    };
    expect(headerLength(header)).toBe(24 + 9 + 4 * MAX_ACK_RANGES);
    expect(headerLength(header) + length).toBeLessThanOrEqual(DEFAULT_MAX_DATAGRAM);
  });

  it('rejects a PIECE_MAP whose count, pieceSize or entry size disagree (§6.4)', () => {
    const map = anyMap();
    const good = encodeFrame(pieceMapFrame(map));
    const at = FRAME_HEADER_LENGTH + 122; // pieceSize u32, then count u8
    const sizeAt = FRAME_HEADER_LENGTH + 14;
    const cases: [string, (b: Buffer) => void][] = [
      ['count 0', (b) => (b[at + 4] = 0)],
      ['count + 1', (b) => (b[at + 4] = map.hashes.length + 1)],
      ['pieceSize 1023', (b) => b.writeUInt32BE(1023, at)],
      ['size 0', (b) => b.writeUInt32BE(0, sizeAt)],
      ['size one piece more', (b) => b.writeUInt32BE(map.hashes.length * map.pieceSize + 1, sizeAt)],
    ];
    for (const [what, change] of cases) {
      const bad = Buffer.from(good);
      change(bad);
      expect(
        codeOf(() => decodeFrames(bad)),
        what,
      ).toBe(ErrorCode.MALFORMED);
    }
    const bytes = (count: number, hashes: number) => {
      const m = {
        ...map,
        pieceSize: 1024,
        entry: { ...map.entry, size: count * 1024 },
        hashes: new Array<Uint8Array>(hashes).fill(Buffer.alloc(32)),
      };
      return encodeFrame(pieceMapFrame(m));
    };
    expect(decodeFrame(bytes(MAX_PIECES, MAX_PIECES)).type).toBe('PIECE_MAP');
    // 25 pieces: the encoder refuses; hand-build the bytes by patching a 24-piece map.
    expect(codeOf(() => bytes(MAX_PIECES + 1, MAX_PIECES + 1))).toBe(ErrorCode.INTERNAL);
    const over = bytes(MAX_PIECES, MAX_PIECES);
    over.writeUInt32BE((MAX_PIECES + 1) * 1024, sizeAt);
    over[at + 4] = MAX_PIECES + 1;
    expect(codeOf(() => decodeFrames(Buffer.concat([over, Buffer.alloc(32)])))).toBe(ErrorCode.MALFORMED);
  });

  it('PIECE_HAVE: count 0 or above 24 is MALFORMED (and refused on send); bits past count are ignored', () => {
    const have = (count: number, bitmap: string) =>
      Buffer.from(
        '1d' +
          (6 + bitmap.length / 2).toString(16).padStart(4, '0') +
          '02' +
          '0000002a' +
          count.toString(16).padStart(2, '0') +
          bitmap,
        'hex',
      );
    expect(decodeFrame(have(3, 'bf'))).toEqual({
      type: 'PIECE_HAVE',
      rendition: 2,
      seq: 42,
      count: 3,
      bitmap: Buffer.from('bf', 'hex'),
    });
    expect(decodeFrame(have(24, 'ffffff'))).toMatchObject({ count: 24 });
    expect(codeOf(() => decodeFrames(have(0, '')))).toBe(ErrorCode.MALFORMED);
    expect(codeOf(() => decodeFrames(have(25, 'ffffffff')))).toBe(ErrorCode.MALFORMED);
    for (const count of [0, 25])
      expect(
        codeOf(() =>
          encodeFrame({
            type: 'PIECE_HAVE',
            rendition: 0,
            seq: 0,
            count,
            bitmap: Buffer.alloc((count + 7) >>> 3),
          }),
        ),
      ).toBe(ErrorCode.INTERNAL);
  });
});
