// The unit a per-IP limit counts (PROTOCOL §10.2): an IPv4 address, or the /64 prefix of an
// IPv6 address, since one IPv6 host usually holds a whole /64 and could rotate through it.

import { unmapIPv4 } from '../../src-shared/ipv6.js';

/** `a.b.c.d` for IPv4 (also when IPv4-mapped), the first four groups for IPv6. */
export function ipPrefixKey(host: string): string {
  const address = unmapIPv4(host.split('%')[0]!.toLowerCase());
  if (!address.includes(':')) return address;
  const [head = '', tail] = address.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = Array<string>(Math.max(0, 8 - headGroups.length - tailGroups.length)).fill('0');
  const groups = tail === undefined ? headGroups : [...headGroups, ...zeros, ...tailGroups];
  return groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ''))
    .join(':');
}
