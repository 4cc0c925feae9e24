// Which endpoints a broadcaster puts in its DHT record (PROTOCOL §15.1): the host the user
// told it to advertise first, then the addresses of its network interfaces, public before
// private, all at its Shoal port and all of the Shoal socket's families (both on a
// dual-stack socket, PROTOCOL §2.2; an IPv4 socket cannot be reached at an IPv6 address).
// Loopback only when it is the advertised host (tests, a single machine). Read again every
// few seconds, so a new IP shows up.

import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { PeerAddress } from '../protocol/types.js';
import type { IpFamily } from '../transport/index.js';
import { MAX_DHT_RECORD_ENDPOINTS } from '../protocol/dht-record.js';

const PRIVATE_V4 =
  /^(10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.|100\.(6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])\.)/;

export interface RecordEndpointsOptions {
  port: number;
  /** The Shoal socket's IP versions. */
  families: readonly IpFamily[];
  /** The host the user asked to advertise (an IP literal is used; a name is not: the record holds IPs). */
  advertiseHost: string | null;
  /** Addresses known from elsewhere (e.g. a port mapping on the router), put first. */
  extra?: () => PeerAddress[];
  interfaces?: typeof networkInterfaces;
}

export function recordEndpoints(options: RecordEndpointsOptions): PeerAddress[] {
  const out: PeerAddress[] = [];
  const seen = new Set<string>();
  const add = (host: string, port: number): void => {
    const key = `${host}|${port}`;
    const family = isIP(host) as IpFamily | 0;
    if (seen.has(key) || family === 0 || !options.families.includes(family)) return;
    if (out.length >= MAX_DHT_RECORD_ENDPOINTS) return;
    seen.add(key);
    out.push({ host, port });
  };
  for (const e of options.extra?.() ?? []) add(e.host, e.port);
  if (options.advertiseHost) add(options.advertiseHost, options.port);
  const found: string[] = [];
  for (const list of Object.values((options.interfaces ?? networkInterfaces)())) {
    for (const a of list ?? []) {
      if (a.internal) continue;
      if (a.family === 'IPv6' && (a.scopeid ?? 0) !== 0) continue; // link-local: needs a zone id
      found.push(a.address);
    }
  }
  const rank = (h: string): number => (PRIVATE_V4.test(h) || /^f[cd]/i.test(h) ? 1 : 0);
  for (const host of found.sort((a, b) => rank(a) - rank(b))) add(host, options.port);
  return out;
}
