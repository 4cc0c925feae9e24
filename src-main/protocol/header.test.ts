import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import {
  MAX_ACK_ONLY_PACKET_LENGTH,
  headerLength,
  newAckOnlyPacket,
  readAckOnlyPacket,
  readHeader,
  writeAckOnlyPacket,
  writeHeader,
} from './header.js';
import { decodePacket, encodeDataPacket } from './packet.js';
import { ackDelayToWire, encodableAckRangeCount, fitAckRanges } from './ack-ranges.js';
import { HEADER_LENGTH, MAX_ACK_RANGES } from './constants.js';
import type { AckRange, Frame, Packet, PacketHeader } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { ackRanges, header as headerArb } from '../../test/protocol/arbitraries.js';

const dcid = Buffer.from('0102030405060708', 'hex');

function encode(h: PacketHeader): Buffer {
  const w = ByteWriter.alloc(headerLength(h));
  writeHeader(w, h, h.type);
  expect(w.pos).toBe(w.buf.length);
  return w.buf;
}
const decode = (b: Uint8Array) => readHeader(new ByteReader(b));

function code(fn: () => unknown): number | string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ShoalError ? err.code : String(err);
  }
}

describe('header (PROTOCOL §3.1)', () => {
  it('round-trips random headers of every packet type', () => {
    const types = ['HELLO', 'RETRY', 'WELCOME', 'REJECT', 'DATA'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...types).chain((t) => headerArb(t)),
        (h) => {
          const bytes = encode(h);
          expect(bytes.length).toBe(headerLength(h));
          expect(decode(bytes)).toEqual(h);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a bad magic and unknown packet types as MALFORMED', () => {
    const b = encode({ type: 'DATA', dcid, pn: 1, timestamp: 2, timestampDiff: 3 });
    expect(code(() => decode(Buffer.concat([Buffer.from([0x54]), b.subarray(1)])))).toBe(ErrorCode.MALFORMED);
    for (const t of [0x00, 0x07, 0x7f, 0xff]) {
      const c = Buffer.from(b);
      c[2] = t;
      expect(code(() => decode(c))).toBe(ErrorCode.MALFORMED);
    }
  });

  it('rejects another version as UNSUPPORTED_VERSION, except on HELLO and REJECT (PROTOCOL §12)', () => {
    for (const type of ['RETRY', 'WELCOME', 'DATA'] as const) {
      const b = encode({ type, dcid, pn: 0, timestamp: 0, timestampDiff: 0 });
      b[1] = 2;
      expect(code(() => decode(b))).toBe(ErrorCode.UNSUPPORTED_VERSION);
    }
    for (const type of ['HELLO', 'REJECT'] as const) {
      const b = encode({ type, dcid, pn: 0, timestamp: 0, timestampDiff: 0 });
      b[1] = 2;
      expect(decode(b).type).toBe(type);
    }
  });

  it('ignores unknown flag bits', () => {
    const b = encode({ type: 'DATA', dcid, pn: 1, timestamp: 2, timestampDiff: 3 });
    b[3] = 0xfe;
    expect(decode(b)).toEqual({ type: 'DATA', dcid, pn: 1, timestamp: 2, timestampDiff: 3 });
  });
});

describe('ACK block (PROTOCOL §3.3)', () => {
  const withAck = (ranges: AckRange[], delayUs = 0): PacketHeader => ({
    type: 'DATA',
    dcid,
    pn: 9,
    timestamp: 0,
    timestampDiff: 0,
    ack: { delayUs, ranges },
  });

  it('encode → decode is the identity for random valid range sets', () => {
    fc.assert(
      fc.property(ackRanges, fc.integer({ min: 0, max: 0xffff }), (ranges, delay) => {
        const h = withAck(ranges, delay * 8);
        expect(encodableAckRangeCount(ranges)).toBe(ranges.length);
        expect(decode(encode(h)).ack).toEqual({ delayUs: delay * 8, ranges });
      }),
      { numRuns: 2000 },
    );
  });

  it('floors and saturates ackDelay in 8 µs units', () => {
    expect(ackDelayToWire(0)).toBe(0);
    expect(ackDelayToWire(7)).toBe(0);
    expect(ackDelayToWire(8)).toBe(1);
    expect(ackDelayToWire(1_000_007)).toBe(0xffff);
    expect(ackDelayToWire(-5)).toBe(0);
    expect(ackDelayToWire(Number.NaN)).toBe(0);
    expect(decode(encode(withAck([[0, 0]], 15))).ack!.delayUs).toBe(8);
    expect(decode(encode(withAck([[0, 0]], 10_000_000))).ack!.delayUs).toBe(0xffff * 8);
  });

  it('sends at most 1 + 32 ranges, the highest ones', () => {
    const ranges: AckRange[] = [];
    for (let i = 0; i < 40; i++) ranges.push([1000 - 3 * i, 1000 - 3 * i]);
    const h = withAck(ranges);
    expect(headerLength(h)).toBe(HEADER_LENGTH + 9 + 4 * MAX_ACK_RANGES);
    expect(decode(encode(h)).ack!.ranges).toEqual(ranges.slice(0, 1 + MAX_ACK_RANGES));
  });

  it('cuts an over-long range to its top 65536 packets and ends the list there', () => {
    const ranges: AckRange[] = [
      [200_000, 300_000],
      [10, 20],
    ];
    expect(fitAckRanges(ranges)).toEqual([[300_000 - 0xffff, 300_000]]);
    expect(decode(encode(withAck(ranges))).ack!.ranges).toEqual([[300_000 - 0xffff, 300_000]]);
    const second: AckRange[] = [
      [100_000, 100_001],
      [0, 99_990],
    ];
    expect(decode(encode(withAck(second))).ack!.ranges).toEqual([
      [100_000, 100_001],
      [99_990 - 0xffff, 99_990],
    ]);
  });

  it('leaves out ranges whose gap does not fit in a u16', () => {
    const ranges: AckRange[] = [
      [100_000, 100_005],
      [1000, 2000],
    ];
    expect(fitAckRanges(ranges)).toEqual([[100_000, 100_005]]);
    expect(headerLength(withAck(ranges))).toBe(HEADER_LENGTH + 9);
  });

  it('throws INTERNAL (a caller bug) on unordered, overlapping, adjacent or empty range lists', () => {
    for (const bad of [
      [],
      [
        [5, 6],
        [7, 8],
      ],
      [
        [5, 8],
        [3, 5],
      ],
      [
        [5, 8],
        [3, 4],
      ],
      [[5, 4]],
      [[-1, 4]],
    ] as AckRange[][]) {
      expect(code(() => encode(withAck(bad)))).toBe(ErrorCode.INTERNAL);
    }
  });

  it('rejects more than 32 further ranges as MALFORMED', () => {
    const ranges: AckRange[] = [];
    for (let i = 0; i < 33; i++) ranges.push([1000 - 3 * i, 1000 - 3 * i]);
    const b = encode(withAck(ranges));
    b[HEADER_LENGTH + 8] = 33; // rangeCount
    expect(code(() => decode(Buffer.concat([b, Buffer.alloc(4)])))).toBe(ErrorCode.MALFORMED);
  });

  it('rejects ranges below packet number 0 as MALFORMED', () => {
    // firstRangeLength larger than largestAcked
    const b = encode(withAck([[0, 5]]));
    b.writeUInt16BE(6, HEADER_LENGTH + 6);
    expect(code(() => decode(b))).toBe(ErrorCode.MALFORMED);
    // a gap that jumps below 0
    const c = encode(
      withAck([
        [20, 30],
        [0, 5],
      ]),
    );
    c.writeUInt16BE(19, HEADER_LENGTH + 9);
    expect(code(() => decode(c))).toBe(ErrorCode.MALFORMED);
    // a length that reaches below 0
    const d = encode(
      withAck([
        [20, 30],
        [0, 5],
      ]),
    );
    d.writeUInt16BE(6, HEADER_LENGTH + 11);
    expect(code(() => decode(d))).toBe(ErrorCode.MALFORMED);
  });
});

describe('ACK-only packets in place (writeAckOnlyPacket, readAckOnlyPacket)', () => {
  it('writes the same bytes as encodeDataPacket, into a reused buffer', () => {
    const out = Buffer.alloc(MAX_ACK_ONLY_PACKET_LENGTH, 0xaa);
    fc.assert(
      fc.property(headerArb('DATA'), ackRanges, (h, ranges) => {
        const ack = { delayUs: h.ack?.delayUs ?? 0, ranges };
        const { dcid, pn, timestamp, timestampDiff } = h;
        const size = writeAckOnlyPacket(out, dcid, pn, timestamp, timestampDiff, ack);
        expect(out.subarray(0, size)).toEqual(encodeDataPacket({ ...h, ack }, []));
      }),
    );
  });

  const frames: Frame[] = [{ type: 'PING', nonce: 1 }];

  it('reads every ACK-only packet exactly as decodePacket does, reusing its object', () => {
    const out = newAckOnlyPacket();
    fc.assert(
      fc.property(headerArb('DATA'), (h) => {
        const bytes = encodeDataPacket(h, []);
        const decoded = decodePacket(bytes);
        expect(readAckOnlyPacket(bytes, out)).toBe(h.ack !== undefined);
        if (h.ack === undefined) return;
        const { pn, timestamp, timestampDiff, ack } = decoded.header;
        expect({ pn: out.pn, timestamp: out.timestamp, timestampDiff: out.timestampDiff }).toEqual({
          pn,
          timestamp,
          timestampDiff,
        });
        expect(out.ack).toEqual(ack);
        // with a frame or padding after the ACK block it is not ACK-only: the full decoder decides
        expect(readAckOnlyPacket(encodeDataPacket(h, frames), out)).toBe(false);
        expect(readAckOnlyPacket(encodeDataPacket(h, [], bytes.length + 3), out)).toBe(false);
      }),
    );
  });

  it('accepts nothing the full decoder would reject, and reads what it accepts the same way', () => {
    const out = newAckOnlyPacket();
    const ackPacket = fc
      .tuple(headerArb('DATA'), ackRanges)
      .map(([h, ranges]) => encodeDataPacket({ ...h, ack: { delayUs: 8, ranges } }, []));
    fc.assert(
      fc.property(ackPacket, fc.array(fc.tuple(fc.nat(), fc.nat(255)), { maxLength: 4 }), (b, edits) => {
        const bytes = Buffer.from(b);
        for (const [i, v] of edits) bytes[i % bytes.length] = v;
        if (!readAckOnlyPacket(bytes, out)) return;
        const decoded = decodePacket(bytes);
        expect(decoded.header.type).toBe('DATA');
        expect((decoded as Extract<Packet, { frames: Frame[] }>).frames).toEqual([]);
        expect(out.pn).toBe(decoded.header.pn);
        expect(out.ack).toEqual(decoded.header.ack);
      }),
    );
  });

  it('leaves ranges below packet number 0 and too many ranges to the full decoder', () => {
    const out = newAckOnlyPacket();
    const b = encodeDataPacket(
      { dcid, pn: 1, timestamp: 0, timestampDiff: 0, ack: { delayUs: 0, ranges: [[0, 5]] } },
      [],
    );
    expect(readAckOnlyPacket(b, out)).toBe(true);
    b.writeUInt16BE(6, HEADER_LENGTH + 6);
    expect(readAckOnlyPacket(b, out)).toBe(false);
    b.writeUInt16BE(0, HEADER_LENGTH + 6);
    b[HEADER_LENGTH + 8] = MAX_ACK_RANGES + 1;
    expect(readAckOnlyPacket(Buffer.concat([b, Buffer.alloc(4 * (MAX_ACK_RANGES + 1))]), out)).toBe(false);
  });
});
