import { SocketAddress } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addressLength, formatIPv6, ipv6Bytes, readAddress, writeAddress } from './address.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import type { PeerAddress } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { canonicalIPv6, ipv6Problem } from '../../src-shared/ipv6.js';

function roundTrip(addr: PeerAddress): { bytes: Buffer; back: PeerAddress } {
  const w = ByteWriter.alloc(addressLength(addr.host));
  writeAddress(w, addr);
  expect(w.pos).toBe(w.buf.length);
  return { bytes: w.buf, back: readAddress(new ByteReader(w.buf)) };
}

/** What node:net (libuv's inet_ntop) prints for an IPv6 address: the form rinfo.address has. */
const nodeText = (host: string) => new SocketAddress({ address: host, family: 'ipv6' }).address;

const sixteen = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc
    .array(fc.constantFrom(0, 0, 0, 1, 0xffff, 0xabc), { minLength: 8, maxLength: 8 })
    .map((words) => new Uint8Array(Buffer.from(words.flatMap((v) => [v >> 8, v & 0xff])))),
);

describe('addresses (PROTOCOL §4.3, §5.14)', () => {
  it('encodes IPv4 as family 4, four bytes, port', () => {
    const { bytes, back } = roundTrip({ host: '203.0.113.7', port: 40000 });
    expect(bytes.toString('hex')).toBe('04cb0071079c40');
    expect(back).toEqual({ host: '203.0.113.7', port: 40000 });
  });

  it('encodes IPv6 as family 6, sixteen bytes, port', () => {
    const { bytes, back } = roundTrip({ host: '2001:db8::7', port: 1 });
    expect(bytes.toString('hex')).toBe('0620010db80000000000000000000000070001');
    expect(back.host).toBe('2001:db8::7');
  });

  it('prints IPv6 exactly as node:net does, for random addresses', () => {
    fc.assert(
      fc.property(sixteen, (b) => {
        const text = formatIPv6(b);
        expect(text).toBe(nodeText(text));
        expect(Buffer.from(ipv6Bytes(text))).toEqual(Buffer.from(b));
      }),
      { numRuns: 500 },
    );
  });

  it('parses every textual IPv6 form to the same bytes', () => {
    fc.assert(
      fc.property(fc.ipV6(), (text) => {
        expect(formatIPv6(ipv6Bytes(text))).toBe(nodeText(text));
      }),
      { numRuns: 500 },
    );
  });

  it('canonicalIPv6 (src-shared, used for stream addresses) agrees with node:net for every text form', () => {
    fc.assert(
      fc.property(fc.ipV6(), fc.boolean(), (text, upper) => {
        const form = upper ? text.toUpperCase() : text;
        expect(ipv6Problem(form)).toBeNull();
        expect(canonicalIPv6(form)).toBe(nodeText(text));
      }),
      { numRuns: 500 },
    );
    for (const b of fc.sample(sixteen, 200)) {
      const full = [...Array(8).keys()]
        .map((i) => ((b[2 * i]! << 8) | b[2 * i + 1]!).toString(16).padStart(4, '0'))
        .join(':');
      expect(canonicalIPv6(full)).toBe(nodeText(full));
    }
  });

  it('writes an IPv4-mapped address as IPv4 and reads a mapped one as IPv4 (one peer, one address)', () => {
    const mapped = roundTrip({ host: '::ffff:127.0.0.1', port: 5 });
    expect(mapped.bytes.toString('hex')).toBe('047f0000010005');
    expect(mapped.back.host).toBe('127.0.0.1');
    // A peer that sends one as family 6 anyway: 16 bytes ::ffff:198.51.100.7.
    const sixteen = Buffer.from('0600000000000000000000ffffc63364070fa0', 'hex');
    expect(readAddress(new ByteReader(sixteen))).toEqual({ host: '198.51.100.7', port: 4000 });
  });

  it('keeps other IPv6 forms as dgram reports them', () => {
    expect(roundTrip({ host: '::127.0.0.1', port: 5 }).back.host).toBe('::127.0.0.1');
    expect(roundTrip({ host: '::', port: 5 }).back.host).toBe('::');
    expect(roundTrip({ host: '::1', port: 5 }).back.host).toBe('::1');
    expect(roundTrip({ host: 'FE80::1%eth0', port: 5 }).back.host).toBe('fe80::1');
  });

  it('refuses host names and junk with BAD_ADDRESS', () => {
    for (const host of ['localhost', '', '1.2.3', '1.2.3.4.5', '::g', 'example.com']) {
      expect(() => addressLength(host)).toThrow(ShoalError);
      try {
        addressLength(host);
      } catch (err) {
        expect((err as ShoalError).code).toBe(ErrorCode.BAD_ADDRESS);
      }
    }
  });

  it('rejects unknown families and truncated addresses as MALFORMED', () => {
    const bad = [
      Buffer.from('05000000000000', 'hex'),
      Buffer.from('04010203', 'hex'),
      Buffer.from('06', 'hex'),
    ];
    for (const b of bad) {
      expect(() => readAddress(new ByteReader(b))).toThrowError(
        expect.objectContaining({ code: ErrorCode.MALFORMED }) as Error,
      );
    }
  });
});
