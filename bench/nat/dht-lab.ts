// The NAT lab's part of issue 16 §4: DHT bootstrap nodes on public lab hosts, the CLI flags
// that point every node at them, the short address the broadcaster announces, the
// broadcaster's change of IP address (its own, or its home router's WAN), and the figures:
// how soon a viewer given only shoal://<id> plays its first segment, how soon viewers resume
// after the broadcaster moved, and how soon a viewer started after the move plays.

import { join } from 'node:path';
import { wanSourceFilter } from './nat-rules.js';
import type { LabProcesses } from './processes.js';
import type { RunRecord } from './report.js';
import type { Scenario } from './scenarios.js';
import { inNs } from './shell.js';
import type { LabHost, Topology } from './topology.js';

/** DHT hosts take lab indexes from here (viewers count up from 1). */
const DHT_HOST_INDEX = 200;
const DHT_PORT = 6881;

/** Starts sc.dhtBootstrapNodes DHT nodes on public hosts; returns their host:port list. */
export async function startDhtNodes(
  sc: Scenario,
  topo: Topology,
  procs: LabProcesses,
  dir: string,
  here: string,
): Promise<string[]> {
  const nodes: string[] = [];
  for (let i = 0; i < sc.dhtBootstrapNodes; i++) {
    const host = await topo.addServiceHost(DHT_HOST_INDEX + i);
    procs.start(
      `dht node ${i}`,
      host.hostNs,
      process.execPath,
      ['--import', 'tsx', join(here, 'dht-bootstrap.ts'), host.publicIp, String(DHT_PORT), ...nodes],
      dir,
      `dht${i}.log`,
    );
    nodes.push(`${host.publicIp}:${DHT_PORT}`);
  }
  return nodes;
}

/** The flags every shoal process of the run gets: this DHT, or none at all. */
export function dhtArgs(nodes: string[]): string[] {
  return nodes.length > 0 ? ['--dht-bootstrap', nodes.join(',')] : ['--no-dht'];
}

/** The short address the broadcaster says once its record is stored (`shoal: on the DHT: …`). */
export function shortAddressIn(log: string): string | null {
  return /on the DHT: (shoal:\/\/[a-z2-7]{52})\s*$/m.exec(log)?.[1] ?? null;
}

/** The broadcaster's new public address after a re-address (same /15, another /24). */
export function movedIp(ip: string): string {
  const parts = ip.split('.');
  return `${parts[0]}.${parts[1]}.${Number(parts[2]) + 1}.${parts[3]}`;
}

/**
 * A public host's IP address changes. The old one goes first: the new one is in the same
 * subnet, and deleting a subnet's primary address also deletes its secondary ones.
 */
export async function readdress(host: LabHost, prefixLen: number): Promise<string> {
  const next = movedIp(host.publicIp);
  await inNs(host.hostNs, 'ip', ['addr', 'del', `${host.publicIp}/${prefixLen}`, 'dev', 'eth0']);
  await inNs(host.hostNs, 'ip', ['addr', 'add', `${next}/${prefixLen}`, 'dev', 'eth0']);
  return next;
}

/**
 * A home router's WAN address changes, as when the ISP hands out a new lease: old address
 * out, new one in (same order as above), and the ISP's source filter for the new one
 * (nat-rules.ts, wanSourceFilter). The kernel flushes the conntrack entries masqueraded to
 * the old address, so the LAN's next packets leave from the new one. miniupnpd watches the
 * WAN's addresses over netlink (Debian's build has its interface watcher) and runs STUN
 * again on a change; run.ts checks what it then answers over NAT-PMP.
 */
export async function readdressRouter(host: LabHost, prefixLen: number): Promise<string> {
  const r = host.routerNs;
  if (!r) throw new Error(`host ${host.index} has no router to re-address`);
  const next = movedIp(host.publicIp);
  await inNs(r, 'ip', ['addr', 'del', `${host.publicIp}/${prefixLen}`, 'dev', 'wan']);
  await inNs(r, 'ip', ['addr', 'add', `${next}/${prefixLen}`, 'dev', 'wan']);
  await inNs(r, 'nft', ['-f', '-'], wanSourceFilter(next));
  return next;
}

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
}

const sec = (v: number | null): string => (v === null ? '–' : `${v.toFixed(1)} s`);

/**
 * Lines for the report: first segment after a viewer's start (its recording had it complete),
 * and after a re-address, how long each viewer went without a new segment.
 */
export function dhtFigures(
  r: RunRecord,
  startedAt: Map<number, number>,
  readdressedAt: number | null,
  late: ReadonlySet<number> = new Set(),
  /** When each viewer's CLI began to watch (after its process start-up). */
  joinedAt: ReadonlyMap<number, number> = new Map(),
): string[] {
  const dht = r.scenario.dhtBootstrapNodes > 0;
  const firsts: number[] = [];
  const fromJoin: number[] = [];
  const onTime = r.viewers.filter((v) => !late.has(v.index));
  for (const v of onTime) {
    const start = startedAt.get(v.index);
    if (start === undefined || v.arrivals.size === 0) continue;
    const first = Math.min(...v.arrivals.values());
    firsts.push((first - start) / 1000);
    const joined = joinedAt.get(v.index);
    if (joined !== undefined) fromJoin.push((first - joined) / 1000);
  }
  const given = dht
    ? `DHT: viewers given only shoal://<id> (${r.scenario.dhtBootstrapNodes} bootstrap nodes)`
    : 'no DHT: viewers given the full address';
  const lines = [
    `${given}: first segment ` +
      `${sec(quantile(firsts, 0.5))} p50, ${sec(quantile(firsts, 1))} max after the CLI started ` +
      `(${firsts.length}/${onTime.length} played; each: ${firsts.map((f) => f.toFixed(1)).join(' ')})`,
  ];
  if (fromJoin.length > 0)
    lines.push(
      `  the same from the moment each CLI began to watch (its "joining" line, after its process ` +
        `start-up; the app's case, with the engine already running): ${sec(quantile(fromJoin, 0.5))} p50, ` +
        `${sec(quantile(fromJoin, 1))} max (each: ${fromJoin.map((f) => f.toFixed(1)).join(' ')})`,
    );
  for (const v of r.viewers.filter((x) => late.has(x.index))) {
    const start = startedAt.get(v.index);
    if (start === undefined) continue;
    const first = v.arrivals.size ? (Math.min(...v.arrivals.values()) - start) / 1000 : null;
    // Other viewers' buffers hold segments from before the move: only a segment encoded after
    // the viewer started shows that the stream reaches it live.
    const fresh = [...v.arrivals].filter(([k]) => (r.segmentDoneAt.get(k) ?? 0) > start).map(([, at]) => at);
    const live = fresh.length ? (Math.min(...fresh) - start) / 1000 : null;
    const when =
      readdressedAt === null
        ? ''
        : ` ${((start - readdressedAt) / 1000).toFixed(0)} s after the broadcaster moved`;
    lines.push(
      `late viewer v${v.index} (${v.nat}${v.upnp ? '+upnp' : ''}, started${when}, given ${dht ? 'only shoal://<id>' : 'the first address'}): ` +
        (first === null ? 'NO segment until the end' : `first segment ${sec(first)} after its start`) +
        `, first segment encoded after its start ${live === null ? 'NEVER' : `${sec(live)} after it`}`,
    );
  }
  if (dht && readdressedAt !== null) {
    // Resumed: the first segment ffmpeg finished after the change is in the viewer's recording.
    const gaps: number[] = [];
    let stuck = 0;
    for (const v of onTime) {
      const after = [...v.arrivals].filter(([k]) => (r.segmentDoneAt.get(k) ?? 0) > readdressedAt);
      if (after.length === 0) stuck++;
      else gaps.push((Math.min(...after.map(([, at]) => at)) - readdressedAt) / 1000);
    }
    lines.push(
      `DHT: broadcaster changed IP ${((readdressedAt - (r.endAt - r.scenario.durationSec * 1000)) / 1000).toFixed(0)} s in: ` +
        `the first segment encoded after the change reached viewers ${sec(quantile(gaps, 0.5))} p50, ` +
        `${sec(quantile(gaps, 1))} max after it (${gaps.length}/${onTime.length} resumed${stuck ? `, ${stuck} never` : ''}; ` +
        `each: ${gaps.map((g) => g.toFixed(1)).join(' ')}; a segment is ${r.scenario.segmentSec} s). ` +
        `Kernel byte counts after the change miss the broadcaster's new address.`,
    );
  }
  return lines;
}
