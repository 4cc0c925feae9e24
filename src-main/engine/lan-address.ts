// A host to put in stream addresses when the user gave none: the first non-internal
// IPv4 address, else loopback (then only this machine can join — the CLI says so).

import { networkInterfaces } from 'node:os';

export function guessLanAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === 'IPv4' && !a.internal) return a.address;
    }
  }
  return '127.0.0.1';
}

/**
 * An IPv4 address others on the internet can send to directly: not private (RFC 1918),
 * shared (RFC 6598, carrier NAT), link-local or loopback.
 */
export function isPublicIpv4(ip: string): boolean {
  const o = ip.split('.').map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) return false;
  const [a, b] = o as [number, number];
  if (a === 10 || a === 127 || a === 0 || a >= 224) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 169 && b === 254) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  return true;
}
