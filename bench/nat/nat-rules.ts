// nftables rulesets: a home router's NAT and firewall, and the per-host byte accounting the
// report reads (who received how much from whom, counted by the kernel).
//
// `cone`: plain `masquerade` keeps the source port when it is free, so one internal socket
// gets one external port for every destination (endpoint-independent mapping); conntrack
// lets in only replies from the exact address and port the host sent to (address-and-port
// dependent filtering). `symmetric`: `masquerade fully-random` picks a new random external
// port per conntrack entry, i.e. per destination. Unsolicited packets from the WAN are
// dropped silently, as home routers do.

import type { NatKind } from './scenarios.js';

export const TABLE = 'natlab';
export const ACCOUNTING_TABLE = 'natlab_acct';

/** Chains miniupnpd adds its rules to (names given in its config, upnp.ts). */
export const UPNP_CHAINS = {
  forward: 'miniupnpd',
  prerouting: 'prerouting_miniupnpd',
  postrouting: 'postrouting_miniupnpd',
} as const;

export interface PortForward {
  port: number;
  toIp: string;
}

export interface RouterRules {
  kind: Exclude<NatKind, 'public'>;
  upnp: boolean;
  forwards: PortForward[];
}

export function routerRuleset(r: RouterRules): string {
  const masquerade = r.kind === 'symmetric' ? 'masquerade fully-random' : 'masquerade';
  const dnat = r.forwards.map((f) => `    iifname "wan" udp dport ${f.port} dnat ip to ${f.toIp}:${f.port}`);
  const accept = r.forwards.map((f) => `    iifname "wan" ip daddr ${f.toIp} udp dport ${f.port} accept`);
  const upnpJump = (chain: string): string[] => (r.upnp ? [`    jump ${chain}`] : []);
  const upnpChains = r.upnp ? Object.values(UPNP_CHAINS).map((c) => `  chain ${c} {\n  }`) : [];
  return [
    `table inet ${TABLE} {`,
    '  chain input {',
    '    type filter hook input priority filter; policy accept;',
    '    iifname "wan" ct state established,related accept',
    // Neighbour discovery: without it an IPv6 WAN (dual-stack scenarios) has no neighbours.
    '    meta l4proto ipv6-icmp accept',
    '    iifname "wan" drop',
    '  }',
    '  chain forward {',
    '    type filter hook forward priority filter; policy drop;',
    '    ct state established,related accept',
    '    iifname "lan" oifname "wan" accept',
    ...accept,
    ...upnpJump(UPNP_CHAINS.forward),
    '  }',
    '  chain prerouting {',
    '    type nat hook prerouting priority dstnat; policy accept;',
    ...dnat,
    ...upnpJump(UPNP_CHAINS.prerouting),
    '  }',
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...upnpJump(UPNP_CHAINS.postrouting),
    // IPv4 only: a home's IPv6 /64 is routed, not translated (dual-stack scenarios).
    `    meta nfproto ipv4 oifname "wan" ${masquerade}`,
    '  }',
    ...upnpChains,
    '}',
    '',
  ].join('\n');
}

/**
 * Added to a router when its WAN is re-addressed (dht-lab.ts): the ISP forwards only packets
 * from the address it handed out (BCP 38). Replies on connections opened to the old address
 * (their conntrack entries outlive it; the kernel flushes only the masqueraded ones) would
 * otherwise still leave with it, and reach public hosts on the lab's flat bridge.
 */
export function wanSourceFilter(wanIp: string): string {
  return [
    `table inet ${TABLE} {`,
    '  chain wan_source {',
    '    type filter hook postrouting priority 110; policy accept;',
    `    oifname "wan" ip saddr != ${wanIp} drop`,
    '  }',
    '}',
    '',
  ].join('\n');
}

/**
 * Counts, on a host, the bytes received from each other host's public address, and from the
 * IPv6 address of each `[ipv6, publicIp]` pair (dual-stack scenarios), counted as that host's.
 */
export function accountingRuleset(sources: string[], ipv6: [v6: string, v4: string][] = []): string {
  return [
    `table inet ${ACCOUNTING_TABLE} {`,
    '  chain input {',
    '    type filter hook input priority raw; policy accept;',
    ...sources.map((ip) => `    ip saddr ${ip} counter`),
    ...ipv6.map(([v6, v4]) => `    ip6 saddr ${v6} counter comment "${v4}"`),
    '  }',
    '}',
    '',
  ].join('\n');
}

export interface Accounting {
  /** Bytes by source host (its public IPv4 address), over IPv4 and IPv6 together. */
  bySource: Map<string, number>;
  /** Of those, the bytes that came over IPv6. */
  ipv6Bytes: number;
}

/** Bytes by source from `nft list table inet natlab_acct`. */
export function parseAccounting(listing: string): Accounting {
  const bySource = new Map<string, number>();
  const re = /ip saddr (\d+\.\d+\.\d+\.\d+) counter packets \d+ bytes (\d+)/g;
  for (const m of listing.matchAll(re)) bySource.set(m[1]!, Number(m[2]));
  let ipv6Bytes = 0;
  const re6 = /ip6 saddr [0-9a-f:]+ counter packets \d+ bytes (\d+) comment "(\d+\.\d+\.\d+\.\d+)"/g;
  for (const m of listing.matchAll(re6)) {
    ipv6Bytes += Number(m[1]);
    bySource.set(m[2]!, (bySource.get(m[2]!) ?? 0) + Number(m[1]));
  }
  return { bySource, ipv6Bytes };
}
