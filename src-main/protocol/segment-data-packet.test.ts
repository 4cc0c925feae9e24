import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePacket, encodeDataPacket } from './packet.js';
import {
  SegmentDataPacket,
  segmentDataLength,
  u32At,
  writeSegmentDataPacket,
} from './segment-data-packet.js';
import type { FrameOf, Packet } from './types.js';
import { ShoalError } from '../../src-shared/errors.js';

const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const fragment = fc.record({
  dcid: fc.uint8Array({ minLength: 8, maxLength: 8 }),
  pn: u32,
  timestamp: u32,
  timestampDiff: u32,
  reqId: u32,
  segment: fc.uint8Array({ minLength: 0, maxLength: 3000 }),
  at: fc.nat(),
  length: fc.nat({ max: 1161 }),
});

/** What decodePacket makes of a datagram, or null when it rejects it. */
function decoded(d: Uint8Array): Packet | null {
  try {
    return decodePacket(d);
  } catch (err) {
    if (err instanceof ShoalError) return null;
    throw err;
  }
}

describe('SEGMENT_DATA packets in place (PROTOCOL §5.8, §7.1)', () => {
  it('writes exactly the bytes encodeDataPacket writes', () => {
    fc.assert(
      fc.property(fragment, (f) => {
        const offset = f.segment.length === 0 ? 0 : f.at % f.segment.length;
        const length = Math.min(f.length, f.segment.length - offset);
        const out = Buffer.alloc(1200, 0xee);
        const n = writeSegmentDataPacket(
          out,
          f.dcid,
          f.pn,
          f.timestamp,
          f.timestampDiff,
          f.reqId,
          f.segment,
          offset,
          length,
        );
        const expected = encodeDataPacket(
          { dcid: f.dcid, pn: f.pn, timestamp: f.timestamp, timestampDiff: f.timestampDiff },
          [
            {
              type: 'SEGMENT_DATA',
              reqId: f.reqId,
              offset,
              totalSize: f.segment.length,
              data: f.segment.subarray(offset, offset + length),
            },
          ],
        );
        expect(out.subarray(0, n)).toEqual(expected);
        expect(segmentDataLength(out.subarray(0, n))).toBe(length);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses to write what does not fit', () => {
    const seg = new Uint8Array(2000);
    const cid = new Uint8Array(8);
    expect(() => writeSegmentDataPacket(Buffer.alloc(1200), cid, 0, 0, 0, 1, seg, 0, 1162)).toThrow(
      ShoalError,
    );
    expect(() => writeSegmentDataPacket(Buffer.alloc(1200), cid, 0, 0, 0, 1, seg, 1990, 20)).toThrow(
      ShoalError,
    );
    expect(() =>
      writeSegmentDataPacket(Buffer.alloc(1200), new Uint8Array(7), 0, 0, 0, 1, seg, 0, 1),
    ).toThrow(ShoalError);
  });

  it('recognises a datagram only when decodePacket reads it as one SEGMENT_DATA frame, with the same fields', () => {
    const seg = Buffer.alloc(5000, 3);
    const base = Buffer.alloc(1200);
    const n = writeSegmentDataPacket(base, Buffer.alloc(8, 1), 7, 8, 9, 10, seg, 1161, 1161);
    const valid = base.subarray(0, n);
    const mutated = fc.record({
      at: fc.nat({ max: 60 }),
      value: fc.integer({ min: 0, max: 255 }),
      cut: fc.oneof(
        { arbitrary: fc.constant(2000), weight: 3 },
        { arbitrary: fc.nat({ max: 1300 }), weight: 1 },
      ),
      tail: fc.uint8Array({ maxLength: 6 }),
    });
    let recognised = 0;
    fc.assert(
      fc.property(mutated, (m) => {
        const d = Buffer.concat([valid.subarray(0, Math.min(valid.length, m.cut)), m.tail]);
        if (m.at < d.length) d[m.at] = m.value;
        const length = segmentDataLength(d);
        if (length < 0) return;
        recognised++;
        const p = decoded(d);
        expect(p).not.toBeNull();
        if (p === null || p.header.type !== 'DATA') return;
        const frames = (p as Extract<Packet, { frames: unknown }>).frames;
        expect(p.header.ack).toBeUndefined();
        expect(frames).toHaveLength(1);
        const f = frames[0] as FrameOf<'SEGMENT_DATA'>;
        expect(f.type).toBe('SEGMENT_DATA');
        expect(f.reqId).toBe(u32At(d, SegmentDataPacket.REQ_ID));
        expect(f.offset).toBe(u32At(d, SegmentDataPacket.OFFSET));
        expect(f.totalSize).toBe(u32At(d, SegmentDataPacket.TOTAL_SIZE));
        expect(p.header.pn).toBe(u32At(d, SegmentDataPacket.PN));
        expect(p.header.timestamp).toBe(u32At(d, SegmentDataPacket.TIMESTAMP));
        expect(p.header.timestampDiff).toBe(u32At(d, SegmentDataPacket.TIMESTAMP_DIFF));
        expect(Buffer.from(f.data)).toEqual(
          d.subarray(SegmentDataPacket.DATA, SegmentDataPacket.DATA + length),
        );
      }),
      { numRuns: 3000 },
    );
    expect(recognised).toBeGreaterThan(100);
  });

  it('leaves ACK blocks, other frames after the data and malformed lengths to decodePacket', () => {
    const seg = Buffer.alloc(100, 3);
    const frame = {
      type: 'SEGMENT_DATA' as const,
      reqId: 1,
      offset: 0,
      totalSize: 100,
      data: seg.subarray(0, 50),
    };
    const h = { dcid: Buffer.alloc(8), pn: 1, timestamp: 2, timestampDiff: 3 };
    expect(segmentDataLength(encodeDataPacket(h, [frame]))).toBe(50);
    expect(segmentDataLength(encodeDataPacket(h, [frame], 200))).toBe(50); // PADDING after it
    expect(
      segmentDataLength(encodeDataPacket({ ...h, ack: { delayUs: 0, ranges: [[0, 3]] } }, [frame])),
    ).toBe(-1);
    expect(segmentDataLength(encodeDataPacket(h, [frame, { type: 'PING', nonce: 1 }]))).toBe(-1);
    expect(segmentDataLength(encodeDataPacket(h, [{ type: 'PING', nonce: 1 }, frame]))).toBe(-1);
    const past = encodeDataPacket(h, [{ ...frame, offset: 60 }]);
    expect(segmentDataLength(past)).toBe(-1);
    expect(decoded(past)).toBeNull();
  });
});
