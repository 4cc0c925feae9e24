// fast-check generators of valid decoded values (src-main/protocol/types.ts): every value they
// produce encodes, and decodes back to itself. Shared by the protocol tests.

import fc from 'fast-check';
import { formatIPv6 } from '../../src-main/protocol/address.js';
import { unmapIPv4 } from '../../src-shared/ipv6.js';
import { MAX_PIECES, MIN_PIECE_SIZE } from '../../src-main/protocol/constants.js';
import type {
  AckRange,
  Frame,
  Packet,
  PacketHeader,
  PexPeer,
  PunchCandidate,
  PieceMap,
  Rendition,
  SegmentEntry,
  StreamInfo,
} from '../../src-main/protocol/types.js';

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const u64 = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const bytes = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b));
const maxDatagram = fc.integer({ min: 1200, max: 65000 });

/** Text of at most 50 code points: ≤ 200 UTF-8 bytes, so never truncated by the encoder. */
export const shortText = fc.string({ unit: 'binary', maxLength: 50 });
const renditionText = fc.string({ unit: 'binary', maxLength: 12 });

export const ipv4Host = fc.ipV4();
/** IPv6 hosts in the canonical text form the decoder produces (IPv4-mapped ones as IPv4). */
export const ipv6Host = fc
  .oneof(
    bytes(16),
    // Many zero words and IPv4-mapped/compatible forms, to exercise the compression rules.
    fc
      .tuple(fc.array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0x20), { minLength: 8, maxLength: 8 }))
      .map(([w]) => {
        const b = Buffer.alloc(16);
        w.forEach((v, i) => b.writeUInt16BE(v, 2 * i));
        return b;
      }),
  )
  .map((b) => unmapIPv4(formatIPv6(b)));
export const host = fc.oneof(ipv4Host, ipv6Host);

export const pexPeer: fc.Arbitrary<PexPeer> = fc.record({ host, port: u16, nodeId: bytes(8), flags: u8 });
/** PROTOCOL §5.18: at most MAX_PUNCH_CANDIDATES (4). */
const punchCandidates: fc.Arbitrary<PunchCandidate[]> = fc.array(fc.record({ kind: u8, host, port: u16 }), {
  maxLength: 4,
});

export const segmentEntry: fc.Arbitrary<SegmentEntry> = fc.record({
  rendition: u8,
  flags: u8,
  seq: u32,
  initSeq: fc.option(fc.integer({ min: 0, max: 0xffff_fffe }), { nil: null }),
  durationUs: u32,
  size: u32,
  programDateTimeMs: u64,
  sha256: bytes(32),
  signature: bytes(64),
});

/** A well-formed PieceMap (§6.4): the entry's size gives exactly `hashes.length` pieces. */
export const pieceMap: fc.Arbitrary<PieceMap> = fc
  .record({
    entry: segmentEntry,
    pieceSize: fc.oneof(
      fc.integer({ min: MIN_PIECE_SIZE, max: 4096 }),
      fc.integer({ min: MIN_PIECE_SIZE, max: 1 << 26 }),
    ),
    hashes: fc.array(bytes(32), { minLength: 1, maxLength: MAX_PIECES }),
    last: fc.nat(),
    signature: bytes(64),
  })
  .map(({ entry, pieceSize, hashes, last, signature }) => {
    const size = (hashes.length - 1) * pieceSize + 1 + (last % pieceSize);
    return { entry: { ...entry, size }, pieceSize, hashes, signature };
  });

const rendition: fc.Arbitrary<Rendition> = fc.record({
  id: u8,
  bandwidth: u32,
  width: u16,
  height: u16,
  name: renditionText,
  codecs: renditionText,
});

export const streamInfo: fc.Arbitrary<StreamInfo> = fc.record({
  flags: u8,
  createdAtMs: u64,
  targetDurationMs: u32,
  renditions: fc.array(rendition, { maxLength: 6 }),
  signature: bytes(64),
});

/** Valid ACK ranges: descending, disjoint, non-adjacent, all of them encodable. */
export const ackRanges: fc.Arbitrary<AckRange[]> = fc
  .tuple(
    u32,
    fc.array(fc.tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff })), {
      minLength: 1,
      maxLength: 33,
    }),
  )
  .map(([largest, steps]) => {
    const ranges: AckRange[] = [];
    let l = largest;
    for (const [gapOrZero, length] of steps) {
      const gap = ranges.length === 0 ? 0 : gapOrZero;
      const top = ranges.length === 0 ? l : l - gap - 2;
      const bottom = top - length;
      if (bottom < 0) break;
      ranges.push([bottom, top]);
      l = bottom;
    }
    return ranges.length ? ranges : [[largest, largest] as AckRange];
  });

export const header = (type: PacketHeader['type']): fc.Arbitrary<PacketHeader> =>
  fc
    .record({
      dcid: bytes(8),
      pn: u32,
      timestamp: u32,
      timestampDiff: u32,
      ack: fc.option(
        fc.record({ delayUs: fc.integer({ min: 0, max: 0xffff }).map((d) => d * 8), ranges: ackRanges }),
        { nil: undefined },
      ),
    })
    .map(({ ack, ...h }) => (ack ? { type, ...h, ack } : { type, ...h }));

export const frame: fc.Arbitrary<Frame> = fc.oneof(
  u32.map((nonce) => ({ type: 'PING' as const, nonce })),
  u32.map((nonce) => ({ type: 'PONG' as const, nonce })),
  fc.record({ type: fc.constant('GOODBYE' as const), code: u16, message: shortText }),
  fc.record({ type: fc.constant('ERROR' as const), code: u16, message: shortText }),
  fc.record({ type: fc.constant('PLAYLIST_REQUEST' as const), reqId: u32, rendition: u8, fromSeq: u32 }),
  fc.record({ type: fc.constant('STREAM_INFO' as const), reqId: u32, info: streamInfo }),
  fc
    .record({
      reqId: u32,
      parts: fc.integer({ min: 1, max: 255 }),
      part: u8,
      entries: fc.array(segmentEntry, { maxLength: 8 }),
    })
    .map(({ part, parts, ...f }) => ({ type: 'PLAYLIST' as const, ...f, parts, part: part % parts })),
  fc
    .record({
      type: fc.constant('SEGMENT_REQUEST' as const),
      reqId: u32,
      rendition: u8,
      kind: fc.constantFrom('media' as const, 'init' as const),
      seq: u32,
      deadlineMs: u32,
      priority: u8,
      range: fc.option(fc.record({ offset: u32, length: fc.integer({ min: 1, max: 0xffff_ffff }) }), {
        nil: undefined,
      }),
    })
    .map(({ range, ...f }) => (range ? { ...f, range } : f)),
  fc
    .record({ reqId: u32, offset: u32, data: fc.uint8Array({ maxLength: 1400 }), extra: u32 })
    .map(({ reqId, offset, data, extra }) => {
      const start = Math.min(offset, 0xffff_ffff - data.length);
      const totalSize = Math.min(0xffff_ffff, start + data.length + (extra % 4096));
      return { type: 'SEGMENT_DATA' as const, reqId, offset: start, totalSize, data: Buffer.from(data) };
    }),
  fc.record({ type: fc.constant('SEGMENT_NOT_AVAILABLE' as const), reqId: u32, reason: u8 }),
  fc.record({ type: fc.constant('CANCEL' as const), reqId: u32 }),
  fc.record({ type: fc.constant('PRIORITY' as const), reqId: u32, priority: u8, deadlineMs: u32 }),
  segmentEntry.map((entry) => ({ type: 'HAVE' as const, entry })),
  fc
    .record({
      rendition: u8,
      baseSeq: u32,
      count: fc.integer({ min: 0, max: 600 }),
      seed: fc.uint8Array({ maxLength: 75 }),
    })
    .map(({ rendition, baseSeq, count, seed }) => {
      const bitmap = Buffer.alloc((count + 7) >>> 3);
      bitmap.set(seed.subarray(0, bitmap.length));
      return { type: 'AVAILABILITY' as const, rendition, baseSeq, count, bitmap };
    }),
  fc.constant({ type: 'CHOKE' as const }),
  fc.constant({ type: 'UNCHOKE' as const }),
  pieceMap.map((map) => ({ type: 'PIECE_MAP' as const, map })),
  fc
    .record({
      rendition: u8,
      seq: u32,
      count: fc.integer({ min: 1, max: MAX_PIECES }),
      seed: fc.uint8Array({ minLength: 3, maxLength: 3 }),
      offer: fc.boolean(),
    })
    .map(({ rendition, seq, count, seed, offer }) => {
      const bitmap = Buffer.from(seed.subarray(0, (count + 7) >>> 3));
      // §5.15: bits past count are 0 on send.
      if (count % 8 !== 0) bitmap[bitmap.length - 1]! &= (0xff00 >>> (count % 8)) & 0xff;
      const frame = { type: 'PIECE_HAVE' as const, rendition, seq, count, bitmap };
      return offer ? { ...frame, offer: true } : frame;
    }),
  fc.record({ type: fc.constant('PATH_STATE' as const), state: u8 }),
  fc.record({ type: fc.constant('PEX_REQUEST' as const), max: u8 }),
  fc.record({ type: fc.constant('PEX_RESPONSE' as const), peers: fc.array(pexPeer, { maxLength: 12 }) }),
  fc.record({ type: fc.constant('ADDRESSES' as const), nat: u8, candidates: punchCandidates }),
  fc.record({ type: fc.constant('PUNCH_REQUEST' as const), nodeId: bytes(8) }),
  fc.record({
    type: fc.constant('PUNCH_CONNECT' as const),
    token: bytes(8),
    nodeId: bytes(8),
    nat: u8,
    role: u8,
    candidates: punchCandidates,
  }),
  fc.record({ type: fc.constant('PUNCH_FAILED' as const), nodeId: bytes(8), reason: u8 }),
  fc.record({
    type: fc.constant('OFFLINE' as const),
    notice: fc.record({ nextSeq: u32, stoppedAtMs: u64, signature: bytes(64) }),
  }),
);

export const packet: fc.Arbitrary<Packet> = fc.oneof(
  fc
    .record({
      header: header('HELLO'),
      body: fc.record({
        minVersion: u8,
        maxVersion: u8,
        capabilities: u32,
        streamId: bytes(32),
        sourceCid: bytes(8),
        nodeId: bytes(8),
        maxDatagram,
        cookie: fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b)),
      }),
    })
    .map((p) => {
      const [lo, hi] = [p.body.minVersion, p.body.maxVersion].sort((a, b) => a - b) as [number, number];
      return { ...p, body: { ...p.body, minVersion: lo, maxVersion: hi } } as Packet;
    }),
  fc.record({
    header: header('RETRY'),
    body: fc.record({ cookie: fc.uint8Array({ minLength: 1, maxLength: 64 }).map((b) => Buffer.from(b)) }),
  }) as fc.Arbitrary<Packet>,
  fc.record({
    header: header('WELCOME'),
    body: fc.record({
      version: u8,
      capabilities: u32,
      sourceCid: bytes(8),
      nodeId: bytes(8),
      maxDatagram,
      idleTimeoutMs: u32,
      observed: fc.record({ host, port: u16 }),
    }),
  }) as fc.Arbitrary<Packet>,
  fc.record({
    header: header('REJECT'),
    body: fc.record({ code: u16, message: shortText, peers: fc.array(pexPeer, { maxLength: 10 }) }),
  }) as fc.Arbitrary<Packet>,
  fc.record({
    header: header('DATA'),
    frames: fc.array(frame, { maxLength: 6 }),
    unknownFrames: fc.constant(0),
  }) as fc.Arbitrary<Packet>,
  fc.record({
    header: header('PUNCH'),
    body: fc.record({ token: bytes(8), nodeId: bytes(8) }),
  }) as fc.Arbitrary<Packet>,
);
