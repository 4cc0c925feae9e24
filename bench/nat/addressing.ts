// Names and addresses of the lab. Everything lives inside network namespaces named
// `natlab<run>-…`, where <run> is the lab process's pid in base 36: a later run deletes the
// namespaces of runs whose process is gone. Addresses come only from 198.18.0.0/15 (RFC 2544
// benchmark range, "the internet") and 192.168.0.0/16 (home LANs).

export const NS_PREFIX = 'natlab';

export interface HostAddresses {
  /** Index in the lab: 0 = broadcaster, viewers from 1. */
  index: number;
  /** Address the rest of the internet sees: the host's own, or its router's WAN. */
  publicIp: string;
  /** Host address behind its router (null for a public host). */
  lanIp: string | null;
  /** Router's LAN address, the host's gateway (null for a public host). */
  gatewayIp: string | null;
  hostNs: string;
  routerNs: string | null;
}

export const WAN_PREFIX_LEN = 15;
export const LAN_PREFIX_LEN = 24;
const MAX_HOSTS = 240;

export function runId(pid: number): string {
  return pid.toString(36);
}

export function internetNs(run: string): string {
  return `${NS_PREFIX}${run}-inet`;
}

/** The run id of a lab namespace name, or null if the name is not one of ours. */
export function runOfNamespace(name: string): string | null {
  const m = new RegExp(`^${NS_PREFIX}([0-9a-z]+)-`).exec(name);
  return m ? m[1]! : null;
}

/**
 * IPv6 of a host in a dual-stack scenario (unique-local, fd00::/8, only inside the lab's
 * namespaces): the bridge is fd00:198:18::/64 (a public host's or a router's WAN address
 * `fd00:198:18::<10 + i>`); home i's LAN is fd00:192:168:<i>::/64, routed (no NAT66) through
 * its router, whose firewall lets in only replies, as home routers do for IPv6.
 */
export interface HostIpv6 {
  /** The host's own address: on the bridge, or in its home's /64. */
  host: string;
  /** The router's WAN address (the home /64's next hop on the bridge), or null when public. */
  routerWan: string | null;
  /** The router's LAN address, the host's gateway (null for a public host). */
  gateway: string | null;
  /** The home's /64 (null for a public host). */
  lanPrefix: string | null;
}

export const IPV6_PREFIX_LEN = 64;

export function hostIpv6(index: number, behindNat: boolean): HostIpv6 {
  const wan = `fd00:198:18::${10 + index}`;
  if (!behindNat) return { host: wan, routerWan: null, gateway: null, lanPrefix: null };
  const home = `fd00:192:168:${index}::`;
  return { host: `${home}2`, routerWan: wan, gateway: `${home}1`, lanPrefix: `${home}/64` };
}

export function hostAddresses(run: string, index: number, behindNat: boolean): HostAddresses {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_HOSTS)
    throw new Error(`the lab has room for ${MAX_HOSTS} hosts (index ${index})`);
  return {
    index,
    publicIp: `198.18.0.${10 + index}`,
    lanIp: behindNat ? `192.168.${index}.2` : null,
    gatewayIp: behindNat ? `192.168.${index}.1` : null,
    hostNs: `${NS_PREFIX}${run}-h${index}`,
    routerNs: behindNat ? `${NS_PREFIX}${run}-r${index}` : null,
  };
}
