// The IPv4 default gateway, where NAT-PMP requests go (RFC 6886 §3). Read from the kernel's
// routing table on Linux; elsewhere null (then only UPnP, which finds the router by SSDP).

import { readFileSync } from 'node:fs';

/** Parses /proc/net/route: the gateway of the first default route, or null. */
export function parseRouteTable(text: string): string | null {
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 8 || f[1] !== '00000000' || f[7] !== '00000000') continue;
    const hex = f[2]!;
    if (!/^[0-9A-Fa-f]{8}$/.test(hex) || hex === '00000000') continue;
    const n = parseInt(hex, 16); // little-endian on the machines Node runs on
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24].join('.');
  }
  return null;
}

export function defaultGateway(): string | null {
  try {
    return parseRouteTable(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    return null;
  }
}
