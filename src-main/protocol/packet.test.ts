import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePacket, encodeDataPacket, encodePacket, maxSegmentDataPayload } from './packet.js';
import { headerLength } from './header.js';
import { HEADER_LENGTH, MIN_HELLO_DATAGRAM, PacketType } from './constants.js';
import type { Frame, Packet, PacketHeader } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { ackRanges, packet as packetArb } from '../../test/protocol/arbitraries.js';

function codeOf(fn: () => unknown): number | 'ok' | string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return err instanceof ShoalError ? err.code : String(err);
  }
}

const cid = Buffer.from('a1a2a3a4a5a6a7a8', 'hex');
const dataHeader = (extra: Partial<PacketHeader> = {}): PacketHeader & { type: 'DATA' } => ({
  dcid: cid,
  pn: 1,
  timestamp: 2,
  timestampDiff: 3,
  ...extra,
  type: 'DATA',
});
const hello: Packet = {
  header: { type: 'HELLO', dcid: Buffer.alloc(8), pn: 0, timestamp: 0, timestampDiff: 0 },
  body: {
    minVersion: 1,
    maxVersion: 1,
    capabilities: 7,
    streamId: Buffer.alloc(32, 9),
    sourceCid: cid,
    nodeId: cid,
    maxDatagram: 1200,
    cookie: Buffer.alloc(20, 1),
  },
};

describe('packets (PROTOCOL §3, §4)', () => {
  it('round-trips random packets of every type', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(packetArb, (p) => {
        seen.add(p.header.type);
        const bytes = encodePacket(p);
        expect(bytes[2]).toBe(PacketType[p.header.type]);
        if (p.header.type === 'HELLO') expect(bytes.length).toBe(MIN_HELLO_DATAGRAM);
        expect(decodePacket(bytes)).toEqual(p);
      }),
      { numRuns: 800 },
    );
    expect(seen.size).toBe(6);
  });

  it('pads HELLO with zeros to 1200 bytes and rejects shorter HELLO datagrams', () => {
    const bytes = encodePacket(hello);
    expect(bytes.length).toBe(1200);
    expect(bytes.subarray(HEADER_LENGTH + 57 + 20).every((b) => b === 0)).toBe(true);
    expect(decodePacket(bytes)).toEqual(hello);
    expect(codeOf(() => decodePacket(bytes.subarray(0, 1199)))).toBe(ErrorCode.MALFORMED);
    // Longer is fine, and the padding's content is not checked.
    const longer = Buffer.concat([bytes, Buffer.alloc(100, 0xee)]);
    expect(decodePacket(longer)).toEqual(hello);
  });

  it('rejects HELLO fields out of range', () => {
    const bytes = encodePacket(hello);
    const lowDatagram = Buffer.from(bytes);
    lowDatagram.writeUInt16BE(1199, HEADER_LENGTH + 54);
    expect(codeOf(() => decodePacket(lowDatagram))).toBe(ErrorCode.MALFORMED);
    const longCookie = Buffer.from(bytes);
    longCookie[HEADER_LENGTH + 56] = 65;
    expect(codeOf(() => decodePacket(longCookie))).toBe(ErrorCode.MALFORMED);
    const versions = Buffer.from(bytes);
    versions[HEADER_LENGTH] = 2; // minVersion 2 > maxVersion 1
    expect(codeOf(() => decodePacket(versions))).toBe(ErrorCode.MALFORMED);
  });

  it('decodes any Uint8Array view, not only Buffers', () => {
    const bytes = encodePacket({
      header: dataHeader(),
      frames: [{ type: 'PING', nonce: 4 }],
      unknownFrames: 0,
    });
    const backing = new Uint8Array(bytes.length + 10);
    backing.set(bytes, 5);
    const view = backing.subarray(5, 5 + bytes.length);
    expect(decodePacket(view)).toEqual(decodePacket(bytes));
  });

  it('decoded segment data is a view into the datagram (no copy)', () => {
    const data = Buffer.from('hello world');
    const bytes = encodeDataPacket(dataHeader(), [
      { type: 'SEGMENT_DATA', reqId: 1, offset: 0, totalSize: 11, data },
    ]);
    const p = decodePacket(bytes) as Extract<Packet, { frames: Frame[] }>;
    const f = p.frames[0] as Extract<Frame, { type: 'SEGMENT_DATA' }>;
    expect(Buffer.from(f.data).toString()).toBe('hello world');
    expect(f.data.buffer).toBe(bytes.buffer);
  });

  it('encodeDataPacket equals encodePacket, and pads with a PADDING frame when asked', () => {
    const frames: Frame[] = [
      { type: 'PING', nonce: 1 },
      { type: 'CANCEL', reqId: 2 },
    ];
    const h = dataHeader({ ack: { delayUs: 80, ranges: [[0, 4]] } });
    const a = encodeDataPacket(h, frames);
    expect(a).toEqual(encodePacket({ header: h, frames, unknownFrames: 0 }));
    const padded = encodeDataPacket(h, frames, 1200);
    expect(padded.length).toBe(1200);
    expect(padded.subarray(0, a.length)).toEqual(a);
    expect(decodePacket(padded)).toEqual({ header: h, frames, unknownFrames: 0 });
  });

  it('maxSegmentDataPayload fills the datagram exactly', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1200, max: 65000 }),
        fc.option(ackRanges, { nil: undefined }),
        (maxDatagram, ranges) => {
          const h = dataHeader(ranges ? { ack: { delayUs: 0, ranges } } : {});
          const n = maxSegmentDataPayload(maxDatagram, h);
          const data = Buffer.alloc(n);
          const bytes = encodeDataPacket(h, [
            { type: 'SEGMENT_DATA', reqId: 1, offset: 0, totalSize: n, data },
          ]);
          expect(bytes.length).toBe(headerLength(h) + 3 + 12 + n);
          // Either the datagram is full, or the frame is (its length field is a u16).
          if (maxDatagram - headerLength(h) - 3 <= 0xffff) expect(bytes.length).toBe(maxDatagram);
          else expect(n).toBe(0xffff - 12);
        },
      ),
      { numRuns: 200 },
    );
    expect(maxSegmentDataPayload(1200, dataHeader())).toBe(1200 - 24 - 3 - 12);
  });

  it('ACK-only DATA packets have no frames', () => {
    const h = dataHeader({ ack: { delayUs: 0, ranges: [[3, 9]] } });
    const bytes = encodeDataPacket(h, []);
    expect(bytes.length).toBe(headerLength(h));
    expect(decodePacket(bytes)).toEqual({ header: h, frames: [], unknownFrames: 0 });
  });

  it('ignores bytes after a handshake body (PROTOCOL §12)', () => {
    const retry: Packet = {
      header: { ...dataHeader(), type: 'RETRY' },
      body: { cookie: Buffer.alloc(20, 3) },
    };
    const bytes = Buffer.concat([encodePacket(retry), Buffer.from('ffffff', 'hex')]);
    expect(decodePacket(bytes)).toEqual(retry);
  });

  it('throws only MALFORMED or UNSUPPORTED_VERSION on short input', () => {
    for (let n = 0; n < HEADER_LENGTH; n++) {
      expect(codeOf(() => decodePacket(Buffer.alloc(n, 0x53)))).toBe(ErrorCode.MALFORMED);
    }
  });
});
