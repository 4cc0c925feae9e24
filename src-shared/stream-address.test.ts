import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base32Decode, base32Encode } from './base32.js';
import { ErrorCode, ShoalError } from './errors.js';
import { isUnicastHost } from './ip-scope.js';
import { canonicalIPv6 } from './ipv6.js';
import {
  formatStreamAddress,
  shortStreamAddress,
  parseStreamAddress,
  publicKeyBytes,
  streamIdFromPublicKey,
  type StreamAddress,
} from './stream-address.js';

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7);
const ID = streamIdFromPublicKey(KEY);

function rejection(text: string): string {
  try {
    parseStreamAddress(text);
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.BAD_ADDRESS);
    return (err as ShoalError).message;
  }
  throw new Error(`accepted ${text}`);
}

describe('base32', () => {
  it('matches the RFC 4648 §10 vectors (lower case, no padding)', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'my'],
      ['fo', 'mzxq'],
      ['foo', 'mzxw6'],
      ['foob', 'mzxw6yq'],
      ['fooba', 'mzxw6ytb'],
      ['foobar', 'mzxw6ytboi'],
    ];
    for (const [plain, encoded] of vectors) {
      const bytes = Uint8Array.from(plain, (c) => c.charCodeAt(0));
      expect(base32Encode(bytes)).toBe(encoded);
      expect(base32Decode(encoded.toUpperCase())).toEqual(bytes);
    }
  });

  it('round-trips any bytes and rejects non-canonical trailing bits', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        expect(base32Decode(base32Encode(bytes))).toEqual(bytes);
      }),
    );
    expect(base32Decode('mz')).toMatch(/padding bits/);
    expect(base32Decode('m')).toMatch(/length/);
  });
});

describe('parseStreamAddress', () => {
  it('parses ids, IPv4, IPv6 and host names, with whitespace and link forms', () => {
    const expected: StreamAddress = {
      streamId: ID,
      bootstrap: [
        { host: '192.0.2.1', port: 4000 },
        { host: '2001:db8::1', port: 443 },
        { host: 'peer.example.org', port: 65535 },
      ],
    };
    const body = `${ID}@192.0.2.1:4000,[2001:DB8::1]:443,Peer.Example.org:65535`;
    expect(parseStreamAddress(`  shoal://${body}\n`)).toEqual(expected);
    expect(parseStreamAddress(`shoal:${body}`)).toEqual(expected);
    expect(parseStreamAddress(`SHOAL://${ID.toUpperCase()}@192.0.2.1:4000/`).streamId).toBe(ID);
    expect(publicKeyBytes(ID)).toEqual(KEY);
  });

  it('writes every IPv6 host in the one text form a socket reports (RFC 5952, PROTOCOL §4.3)', () => {
    const hosts = (list: string) => parseStreamAddress(`shoal://${ID}@${list}`).bootstrap.map((e) => e.host);
    expect(
      hosts(
        '[0:0:0:0:0:0:0:1]:1,[2001:0DB8:0000:0000:0000:0000:0000:0001]:2,[::FFFF:192.0.2.1]:3,[fe80:0:0:0:1:0:0:0]:4',
      ),
    ).toEqual(['::1', '2001:db8::1', '::ffff:192.0.2.1', 'fe80::1:0:0:0']);
    // (`::`, the unspecified address, is refused: it names no peer.)
    expect(hosts('[2001:db8:0:1:0:0:0:1]:5,[1:0:0:2:0:0:0:3]:6,[0:0:0:0:0:0:0:2]:7')).toEqual([
      '2001:db8:0:1::1',
      '1:0:0:2::3',
      '::2',
    ]);
  });

  it('says exactly what is wrong', () => {
    expect(rejection('')).toMatch(/empty/);
    expect(rejection(`http://${ID}@1.2.3.4:5`)).toMatch(/wrong scheme "http:"/);
    expect(rejection(`${ID}@1.2.3.4:5`)).toMatch(/wrong scheme|shoal:\/\//);
    expect(rejection('no-scheme-here')).toMatch(/must start with shoal:\/\//);
    expect(rejection(`shoal://${ID.slice(1)}@1.2.3.4:5`)).toMatch(/51 characters, expected 52/);
    expect(rejection(`shoal://${'ab'.repeat(32)}@1.2.3.4:5`)).toMatch(/looks like hex/);
    expect(rejection(`shoal://${ID.slice(0, -1)}1@1.2.3.4:5`)).toMatch(/"1" at position 52 is not base32/);
    expect(rejection(`shoal://${ID}@`)).toMatch(/missing endpoint/);
    expect(rejection(`shoal://${ID}@1.2.3.4:5,`)).toMatch(/missing endpoint at position 2/);
    expect(rejection(`shoal://${ID}@1.2.3.4`)).toMatch(/missing ":port"/);
    expect(rejection(`shoal://${ID}@1.2.3.4:0`)).toMatch(/port 0 is out of range/);
    expect(rejection(`shoal://${ID}@1.2.3.4:65536`)).toMatch(/port 65536 is out of range/);
    expect(rejection(`shoal://${ID}@1.2.3.4:-1`)).toMatch(/bad port "-1"/);
    expect(rejection(`shoal://${ID}@1.2.3.400:5`)).toMatch(/"400" is not 0-255/);
    expect(rejection(`shoal://${ID}@bad_host:5`)).toMatch(/bad host/);
    expect(rejection(`shoal://${ID}@2001:db8::1:5`)).toMatch(/\[brackets\]/);
    expect(rejection(`shoal://${ID}@[2001:db8:::1]:5`)).toMatch(/bad IPv6/);
    expect(rejection(`shoal://${ID}@[fe80::1%eth0]:5`)).toMatch(/zone ids/);
    expect(rejection(`shoal://${ID}@[::1]`)).toMatch(/missing ":port"/);
    expect(rejection(`shoal://${ID}@1.2.3.4:5/path`)).toMatch(/no path/);
    expect(rejection(`shoal://${ID}@${'a.b:1,'.repeat(40)}a.b:1`)).toMatch(/too many endpoints/);
  });

  it('refuses multicast, broadcast and unspecified hosts: they name no peer', () => {
    expect(rejection(`shoal://${ID}@224.0.0.1:5`)).toMatch(/224\.0\.0\.1 is a multicast address/);
    expect(rejection(`shoal://${ID}@239.255.255.250:1900`)).toMatch(/multicast/);
    expect(rejection(`shoal://${ID}@255.255.255.255:5`)).toMatch(/the broadcast address/);
    expect(rejection(`shoal://${ID}@0.0.0.0:5`)).toMatch(/the unspecified address/);
    expect(rejection(`shoal://${ID}@0.1.2.3:5`)).toMatch(/this network/);
    expect(rejection(`shoal://${ID}@240.0.0.1:5`)).toMatch(/reserved/);
    expect(rejection(`shoal://${ID}@[ff02::1]:5`)).toMatch(/multicast/);
    expect(rejection(`shoal://${ID}@[::]:5`)).toMatch(/unspecified/);
    expect(rejection(`shoal://${ID}@[::ffff:224.0.0.1]:5`)).toMatch(/multicast/);
    // Any way of writing them (a property run found ::0:0:0:0.0.0.0 let through by isUnicastHost).
    for (const other of ['::0:0:0:0.0.0.0', '0:0::0', '::ffff:e000:1', 'FF02:0::1'])
      expect(isUnicastHost(other), other).toBe(false);
    expect(rejection(`shoal://${ID}@1.2.3.4:5,255.255.255.255:5`)).toMatch(/endpoint 2/);
    // Neighbours of those ranges are ordinary unicast addresses.
    for (const host of ['223.255.255.255', '1.0.0.0', '127.0.0.1', '[fe80::1]', '[::1]', '[::ffff:10.0.0.1]'])
      expect(parseStreamAddress(`shoal://${ID}@${host}:5`).bootstrap).toHaveLength(1);
  });
});

describe('formatStreamAddress', () => {
  const host = fc.oneof(
    fc.ipV4().filter(isUnicastHost),
    fc.ipV6().filter((h) => !h.includes('%') && isUnicastHost(h)),
    fc.domain().filter((d) => d.length <= 253),
  );
  const address = fc.record({
    streamId: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(streamIdFromPublicKey),
    bootstrap: fc.array(fc.record({ host, port: fc.integer({ min: 1, max: 65535 }) }), {
      minLength: 1,
      maxLength: 5,
    }),
  });

  it('round-trips through parse (property)', () => {
    fc.assert(
      fc.property(address, (a) => {
        const text = formatStreamAddress(a);
        const parsed = parseStreamAddress(text);
        expect(parsed.streamId).toBe(a.streamId);
        const canonical = (h: string) => (h.includes(':') ? canonicalIPv6(h) : h.toLowerCase());
        expect(parsed.bootstrap).toEqual(a.bootstrap.map((e) => ({ ...e, host: canonical(e.host) })));
        expect(formatStreamAddress(parsed)).toBe(text);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the short form shoal://<id> (resolved on the DHT, PROTOCOL §15)', () => {
    expect(parseStreamAddress(`shoal://${ID}`)).toEqual({ streamId: ID, bootstrap: [] });
    expect(parseStreamAddress(` SHOAL:${ID.toUpperCase()}/ `)).toEqual({ streamId: ID, bootstrap: [] });
    expect(shortStreamAddress(ID.toUpperCase())).toBe(`shoal://${ID}`);
    expect(rejection(`shoal://${ID.slice(1)}`)).toMatch(/51 characters, expected 52/);
    expect(rejection(`shoal://${ID}:4000`)).toMatch(/missing "@"/);
  });

  it('refuses to format what parse would reject', () => {
    expect(formatStreamAddress({ streamId: ID, bootstrap: [] })).toBe(`shoal://${ID}`);
    expect(() => formatStreamAddress({ streamId: ID, bootstrap: [{ host: 'x', port: 0 }] })).toThrow(
      /out of range/,
    );
    expect(() => formatStreamAddress({ streamId: 'abc', bootstrap: [{ host: 'x', port: 1 }] })).toThrow(
      /3 characters/,
    );
  });
});
