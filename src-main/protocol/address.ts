// Socket addresses on the wire (PROTOCOL §5.14): family u8 (4 or 6), 4 or 16 address
// bytes, port u16. Text forms are what the transport's socket reports, so decoded
// addresses compare equal to the addresses it sees: IPv6 is printed the way libuv's
// inet_ntop does (RFC 5952 compression, IPv4-compatible addresses in dotted form), and an
// IPv4-mapped address is read as the dotted IPv4 address (a dual-stack socket reports an
// IPv4 peer so, PROTOCOL §2.2).

import { isIPv4, isIPv6 } from 'node:net';
import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import type { PeerAddress } from './types.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { formatIPv6, unmapIPv4 } from '../../src-shared/ipv6.js';

export { formatIPv6 };

export const AddressFamily = { IPV4: 4, IPV6: 6 } as const;

/** Bytes of family + address + port for `host`. Throws BAD_ADDRESS for a non-IP host. */
export function addressLength(host: string): number {
  if (isIPv4(unmapIPv4(host))) return 1 + 4 + 2;
  if (isIPv6(host.split('%')[0]!)) return 1 + 16 + 2;
  throw badAddress(host);
}

function badAddress(host: string): ShoalError {
  return new ShoalError(ErrorCode.BAD_ADDRESS, `not an IP address: ${host}`);
}

/** An IPv4 address goes as family 4, also when given IPv4-mapped (§5.14). */
export function writeAddress(w: ByteWriter, addr: PeerAddress): void {
  const v4 = unmapIPv4(addr.host);
  if (isIPv4(v4)) {
    w.u8(AddressFamily.IPV4);
    writeIPv4(w, v4);
  } else {
    w.u8(AddressFamily.IPV6);
    w.bytes(ipv6Bytes(addr.host));
  }
  w.u16(addr.port);
}

export function readAddress(r: ByteReader): PeerAddress {
  const family = r.u8('address family');
  let host: string;
  if (family === AddressFamily.IPV4) {
    const b = r.bytes(4, 'IPv4 address');
    host = `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
  } else if (family === AddressFamily.IPV6) {
    // An IPv4-mapped address is its IPv4 address: one peer, one address (§2.2, §5.14).
    host = unmapIPv4(formatIPv6(r.bytes(16, 'IPv6 address')));
  } else {
    throw ShoalError.malformed(`unknown address family ${family}`);
  }
  return { host, port: r.u16('port') };
}

function writeIPv4(w: ByteWriter, host: string): void {
  for (const part of host.split('.')) w.u8(Number(part));
}

/** 16 bytes of an IPv6 text address (zone id, if any, is dropped: it means nothing to a peer). */
export function ipv6Bytes(host: string): Uint8Array {
  const text = host.split('%')[0]!;
  if (!isIPv6(text)) throw badAddress(host);
  const out = new Uint8Array(16);
  let tail = text;
  // An embedded dotted quad fills the last two words.
  const lastColon = tail.lastIndexOf(':');
  const last = tail.slice(lastColon + 1);
  let v4: number[] | null = null;
  if (last.includes('.')) {
    v4 = last.split('.').map(Number);
    tail = tail.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = tail.includes('::') ? tail.split('::') : [tail, undefined];
  const headWords = head ? head.split(':').map((h) => parseInt(h, 16)) : [];
  const tailWords = rest ? rest.split(':').map((h) => parseInt(h, 16)) : [];
  const words = new Array<number>(8).fill(0);
  headWords.forEach((v, i) => (words[i] = v));
  tailWords.forEach((v, i) => (words[8 - tailWords.length + i] = v));
  for (let i = 0; i < 8; i++) {
    out[2 * i] = words[i]! >> 8;
    out[2 * i + 1] = words[i]! & 0xff;
  }
  if (v4) out.set(v4, 12);
  return out;
}
