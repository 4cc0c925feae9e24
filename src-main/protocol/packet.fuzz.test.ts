// Fuzzing decodePacket (PROTOCOL §3.5): whatever arrives on the socket, it returns a Packet or
// throws a ShoalError with code MALFORMED or UNSUPPORTED_VERSION — never anything else, never
// hangs. 100,000+ cases per run over random bytes, random bytes behind a plausible header,
// and mutated valid datagrams (bit flips, truncation, insertion, deletion, length fields
// that lie). Whatever decodes must also re-encode to a canonical form that is stable.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodePacket, encodePacket } from './packet.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { packet as packetArb } from '../../test/protocol/arbitraries.js';
import { readSpecVectors } from '../../test/protocol/spec-vectors.js';
import type { Packet } from './types.js';

const ALLOWED = new Set<number>([ErrorCode.MALFORMED, ErrorCode.UNSUPPORTED_VERSION]);
const stats = { decoded: 0, rejected: 0 };

/** The fuzz oracle: true when decodePacket behaved. */
function behaves(bytes: Uint8Array): boolean {
  let p: Packet;
  try {
    p = decodePacket(bytes);
  } catch (err) {
    if (err instanceof ShoalError && ALLOWED.has(err.code)) {
      stats.rejected++;
      return true;
    }
    throw err;
  }
  stats.decoded++;
  // Canonical form: encode(decode(x)) decodes, and re-encodes to the same bytes.
  const canonical = encodePacket(p);
  return encodePacket(decodePacket(canonical)).equals(canonical);
}

// Valid datagrams to mutate: every packet vector of the spec plus random valid packets.
const pool: Buffer[] = [
  ...readSpecVectors()
    .filter((v) => v.name.startsWith('packet/'))
    .map((v) => v.bytes),
  ...fc.sample(packetArb, { numRuns: 400, seed: 7 }).map((p) => encodePacket(p)),
];

type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'truncate'; at: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; n: number }
  | { op: 'u16'; at: number; value: number }
  | { op: 'nudge16'; at: number; delta: number }
  | { op: 'byte'; at: number; value: number };

const position = fc.nat();
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  {
    arbitrary: fc.record({
      op: fc.constant('flip' as const),
      at: position,
      bit: fc.integer({ min: 0, max: 7 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), at: position }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('insert' as const),
      at: position,
      bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('delete' as const),
      at: position,
      n: fc.integer({ min: 1, max: 8 }),
    }),
    weight: 1,
  },
  // Length fields that lie: any value, or off by a little from the true one.
  {
    arbitrary: fc.record({
      op: fc.constant('u16' as const),
      at: position,
      value: fc.integer({ min: 0, max: 0xffff }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('nudge16' as const),
      at: position,
      delta: fc.integer({ min: -4, max: 4 }),
    }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('byte' as const),
      at: position,
      value: fc.integer({ min: 0, max: 255 }),
    }),
    weight: 2,
  },
);

function mutate(src: Buffer, mutations: readonly Mutation[]): Buffer {
  let b = Buffer.from(src);
  for (const m of mutations) {
    if (b.length === 0) break;
    const at = m.at % b.length;
    switch (m.op) {
      case 'flip':
        b[at]! ^= 1 << m.bit;
        break;
      case 'truncate':
        b = b.subarray(0, at);
        break;
      case 'insert':
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      case 'delete':
        b = Buffer.concat([b.subarray(0, at), b.subarray(at + m.n)]);
        break;
      case 'u16':
        if (at + 2 <= b.length) b.writeUInt16BE(m.value, at);
        break;
      case 'nudge16':
        if (at + 2 <= b.length) b.writeUInt16BE((b.readUInt16BE(at) + m.delta) & 0xffff, at);
        break;
      case 'byte':
        b[at] = m.value;
        break;
    }
  }
  return b;
}

describe('decodePacket fuzzing (PROTOCOL §3.5)', () => {
  it('random byte strings: 20,000 cases', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 1400 }), behaves), { numRuns: 20_000 });
  });

  it('random bodies behind a plausible header: 30,000 cases', () => {
    const start = fc.tuple(
      fc.constantFrom(1, 1, 1, 2), // version (2: unsupported)
      fc.integer({ min: 0, max: 7 }), // packet type, 0, 6, 7 unknown
      fc.integer({ min: 0, max: 3 }), // flags (ACK or not, plus an unknown bit)
    );
    fc.assert(
      fc.property(start, fc.uint8Array({ maxLength: 1300 }), ([version, type, flags], tail) => {
        const b = Buffer.alloc(4 + tail.length);
        b[0] = 0x53;
        b[1] = version;
        b[2] = type;
        b[3] = flags;
        b.set(tail, 4);
        return behaves(b);
      }),
      { numRuns: 30_000 },
    );
  });

  it('mutated valid datagrams: 50,000 cases', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: pool.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (i, mutations) => behaves(mutate(pool[i]!, mutations)),
      ),
      { numRuns: 50_000 },
    );
    // The mix exercises both outcomes, not only early rejections.
    expect(stats.decoded).toBeGreaterThan(5_000);
    expect(stats.rejected).toBeGreaterThan(5_000);
  });
});
