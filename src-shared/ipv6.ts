// IPv6 text forms. Any RFC 4291 §2.2 text is read; one canonical text is written: RFC 5952
// compression as libuv's inet_ntop prints it (IPv4-mapped and IPv4-compatible addresses in
// dotted form), i.e. what node:dgram reports as a datagram's source. PROTOCOL §4.3 uses this
// form, and a peer's address compares equal to the socket's view of it only in this form.

/** Why `text` is not an IPv6 address (no zone id, no brackets), or null if it is one. */
export function ipv6Problem(text: string): string | null {
  if (text.includes('%')) return 'zone ids are not supported';
  const halves = text.split('::');
  if (halves.length > 2) return 'more than one "::"';
  const side = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const groups = [...side(halves[0] as string), ...(halves.length === 2 ? side(halves[1] as string) : [])];
  let count = groups.length;
  const last = groups[groups.length - 1];
  if (last !== undefined && last.includes('.') && text.endsWith(last)) {
    const problem = ipv4Problem(last);
    if (problem) return `embedded IPv4: ${problem}`;
    groups.pop();
    count += 1; // an IPv4 tail fills two groups
  }
  if (halves.length === 2 ? count > 7 : count !== 8) {
    return halves.length === 2 ? 'too many groups for "::"' : `expected 8 groups, got ${count}`;
  }
  for (const g of groups) if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return `"${g}" is not a hex group`;
  return null;
}

/** Why `text` is not a dotted-quad IPv4 address (no leading zeros), or null if it is one. */
export function ipv4Problem(text: string): string | null {
  const parts = text.split('.');
  if (parts.length !== 4) return `an IPv4 address has 4 parts, got ${parts.length}`;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return `"${part}" is not 0-255`;
  }
  return null;
}

/** The 16 bytes of an IPv6 address that ipv6Problem accepts. */
export function ipv6FromText(text: string): Uint8Array {
  let rest = text;
  const out = new Uint8Array(16);
  const lastColon = rest.lastIndexOf(':');
  const v4 = rest.slice(lastColon + 1);
  const dotted = v4.includes('.');
  if (dotted) rest = `${rest.slice(0, lastColon + 1)}0:0`;
  const halves = rest.split('::');
  const words = (part: string | undefined): number[] =>
    part ? part.split(':').map((g) => parseInt(g, 16)) : [];
  const head = words(halves[0]);
  const tail = words(halves[1]);
  const all = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  all.forEach((w, i) => {
    out[2 * i] = w >> 8;
    out[2 * i + 1] = w & 0xff;
  });
  if (dotted) out.set(v4.split('.').map(Number), 12);
  return out;
}

/** inet_ntop-compatible IPv6 text (matches node:dgram's rinfo.address). */
export function formatIPv6(b: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((b[i]! << 8) | b[i + 1]!);
  // Longest run of zero words, at least two long; the first one wins a tie.
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (bestBase !== -1 && i >= bestBase && i < bestBase + bestLen) {
      if (i === bestBase) out += ':';
      continue;
    }
    if (i !== 0) out += ':';
    // IPv4-compatible (::a.b.c.d) and IPv4-mapped (::ffff:a.b.c.d) end in a dotted quad.
    if (i === 6 && bestBase === 0 && (bestLen === 6 || (bestLen === 5 && words[5] === 0xffff))) {
      out += `${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
      break;
    }
    out += words[i]!.toString(16);
  }
  if (bestBase !== -1 && bestBase + bestLen === 8) out += ':';
  return out;
}

/** The canonical text (see above) of an IPv6 address that ipv6Problem accepts. */
export function canonicalIPv6(text: string): string {
  return formatIPv6(ipv6FromText(text));
}

const MAPPED = /^::ffff:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/i;

/**
 * An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`, as a dual-stack socket reports an IPv4
 * peer) as the dotted IPv4 address it stands for; any other host unchanged. One peer is
 * one address, whichever socket family it reached us through (PROTOCOL §2.2).
 */
export function unmapIPv4(host: string): string {
  if (host.length > 22 || host.charCodeAt(0) !== 58 /* ':' */) return host;
  const m = MAPPED.exec(host);
  return m ? m[1]! : host;
}
