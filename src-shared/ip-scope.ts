// Which IP addresses a node may send a HELLO to. A datagram to a multicast or broadcast
// address reaches many hosts at once and one to an unspecified address reaches none (or
// this host): neither names a peer, and a node that dials one on a stranger's word is a
// reflector. Stream addresses (stream-address.ts) and PEX candidates (swarm) both refuse
// them, so the check lives here, without node:net (src-shared imports no Node builtin).

import { ipv6FromText, ipv6Problem } from './ipv6.js';

/** Why `host` (an IP literal) cannot be a peer, or null when it can; host names pass. */
export function nonUnicastReason(host: string): string | null {
  const v4 = ipv4Octets(host);
  if (v4) return ipv4Reason(v4);
  if (!host.includes(':')) return null;
  const text = host.toLowerCase().split('%')[0]!;
  // On the 16 bytes, so that every way of writing an address (::0:0:0:0.0.0.0 is ::) is judged alike.
  if (ipv6Problem(text) !== null) return null;
  const b = ipv6FromText(text);
  if (b.every((x) => x === 0)) return 'the unspecified address';
  if (b[0] === 0xff) return 'a multicast address';
  // IPv4-mapped (::ffff:a.b.c.d): the IPv4 rules apply.
  if (b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff)
    return ipv4Reason([...b.subarray(12, 16)]);
  return null;
}

export function isUnicastHost(host: string): boolean {
  return nonUnicastReason(host) === null;
}

function ipv4Octets(host: string): number[] | null {
  const parts = host.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^[0-9]{1,3}$/.test(p))) return null;
  const octets = parts.map(Number);
  return octets.every((o) => o <= 255) ? octets : null;
}

function ipv4Reason(octets: number[]): string | null {
  const [a = 0, b = 0, c = 0, d = 0] = octets;
  if (a === 255 && b === 255 && c === 255 && d === 255) return 'the broadcast address';
  if (a === 0) return b + c + d === 0 ? 'the unspecified address' : 'a "this network" address (0.0.0.0/8)';
  if (a >= 224 && a <= 239) return 'a multicast address';
  if (a >= 240) return 'a reserved address (240.0.0.0/4)';
  return null;
}
