// The figures of one NAT lab run and the table printed at the end. Pure: everything here is
// computed from what run.ts recorded (arrival times from the recordings, kernel counters).
//
// - continuity: a viewer starts playing `STARTUP_SEGMENTS` segment durations after its first
//   segment was complete in order; segment k is due at start + (k - first) * duration. The
//   continuity index is the share of due segments (until the end) complete before they were
//   due (as bench/swarm/metrics.ts).
// - playing: continuity of at least `PLAYING_CONTINUITY`: a watchable stream. (A viewer that
//   starves for half a minute and then catches up in a burst is not playing.)
// - from peers (kernel): bytes it received from other viewers' public addresses over bytes
//   from viewers and the broadcaster together, counted by nftables on the host.
// - pairs exchanging data: viewer pairs with at least one segment's worth of bytes between
//   them (both directions added); "packets both ways": each received something from the other.
// - broadcaster upload: bytes sent by its interface (kernel counter) over the measurement
//   window, as a multiple of the nominal bitrate. Offload: share of all bytes viewers received
//   that came from other viewers.

import type { CliStatus } from './cli-status.js';
import type { NatKind, Scenario } from './scenarios.js';

export const STARTUP_SEGMENTS = 2;
export const PLAYING_CONTINUITY = 0.9;

export interface ViewerRecord {
  index: number;
  nat: NatKind;
  upnp: boolean;
  publicIp: string;
  /** Segment index → ms when it was complete, in order, in the viewer's recording. */
  arrivals: Map<number, number>;
  /** Bytes received by source public address (kernel). */
  received: Map<string, number>;
  cli: CliStatus | null;
  errors: string[];
  /** Seconds after its start when the CLI exited by itself, or null if it ran to the end. */
  exitedAfterSec: number | null;
  /** Share of one core the CLI used, and share of the time its threads waited for a CPU, since its start. */
  cpu: { used: number; waited: number } | null;
}

export interface RunRecord {
  scenario: Scenario;
  endAt: number;
  broadcasterIp: string;
  /** Segment index → ms when ffmpeg finished it. */
  segmentDoneAt: Map<number, number>;
  sourceBitrateKbps: number;
  broadcasterTxBytes: number;
  windowSec: number;
  viewers: ViewerRecord[];
  /** Routers whose miniupnpd did not answer the NAT-PMP check at all. */
  natPmpSilent: number[];
  notes: string[];
}

export interface ViewerFigures {
  index: number;
  nat: string;
  playing: boolean;
  segments: number;
  /** Segments received as the CLI's last status line counted them (any order). */
  segmentsApp: number | null;
  continuity: number | null;
  lagP50Sec: number | null;
  fromPeersKernel: number | null;
  fromPeersApp: number | null;
  linkedPeers: number;
  cpu: { used: number; waited: number } | null;
  note: string;
}

export interface RunFigures {
  viewers: ViewerFigures[];
  playing: number;
  pairs: { total: number; exchanging: number; bothWays: number };
  /** The pairs that can have a direct path: at least one side not behind a symmetric NAT (PROTOCOL §5.18). */
  punchable: { total: number; exchanging: number; bothWays: number };
  broadcasterUpX: number;
  offload: number | null;
}

export function continuity(
  arrivals: Map<number, number>,
  endAt: number,
  segMs: number,
  bufferMs: number,
): number | null {
  if (arrivals.size === 0) return null;
  const first = Math.min(...arrivals.keys());
  const start = arrivals.get(first)! + bufferMs;
  let counted = 0;
  let onTime = 0;
  for (let k = first; start + (k - first) * segMs <= endAt; k++) {
    counted++;
    const at = arrivals.get(k);
    if (at !== undefined && at <= start + (k - first) * segMs) onTime++;
  }
  return counted === 0 ? null : onTime / counted;
}

const shorten = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function computeFigures(r: RunRecord): RunFigures {
  const { scenario: sc } = r;
  const segMs = sc.segmentSec * 1000;
  const segBytes = (sc.bitrateKbps * 1000 * sc.segmentSec) / 8;
  const viewerIps = new Set(r.viewers.map((v) => v.publicIp));
  let fromViewersAll = 0;
  let fromAnyAll = 0;
  const viewers = r.viewers.map((v): ViewerFigures => {
    let fromViewers = 0;
    for (const [ip, bytes] of v.received) if (viewerIps.has(ip)) fromViewers += bytes;
    const fromBroadcaster = v.received.get(r.broadcasterIp) ?? 0;
    fromViewersAll += fromViewers;
    fromAnyAll += fromViewers + fromBroadcaster;
    const lags = [...v.arrivals].flatMap(([k, at]) => {
      const done = r.segmentDoneAt.get(k);
      return done === undefined ? [] : [(at - done) / 1000];
    });
    const linked = r.viewers.filter(
      (o) => o !== v && (v.received.get(o.publicIp) ?? 0) > 0 && (o.received.get(v.publicIp) ?? 0) > 0,
    ).length;
    const notes = [...v.errors];
    if (v.exitedAfterSec !== null) notes.unshift(`CLI exited after ${v.exitedAfterSec.toFixed(0)} s`);
    const ci = continuity(v.arrivals, r.endAt, segMs, STARTUP_SEGMENTS * segMs);
    return {
      index: v.index,
      nat: v.nat + (v.upnp ? '+upnp' : ''),
      playing: ci !== null && ci >= PLAYING_CONTINUITY,
      segments: v.arrivals.size,
      segmentsApp: v.cli?.segments ?? null,
      continuity: ci,
      lagP50Sec: median(lags),
      fromPeersKernel:
        fromViewers + fromBroadcaster > 0 ? fromViewers / (fromViewers + fromBroadcaster) : null,
      fromPeersApp: v.cli?.fromPeersPct ?? null,
      linkedPeers: linked,
      cpu: v.cpu,
      note: shorten(notes.join('; '), 90),
    };
  });
  let exchanging = 0;
  let bothWays = 0;
  let total = 0;
  const punchable = { total: 0, exchanging: 0, bothWays: 0 };
  for (let i = 0; i < r.viewers.length; i++)
    for (let j = i + 1; j < r.viewers.length; j++) {
      const a = r.viewers[i]!;
      const b = r.viewers[j]!;
      const ab = b.received.get(a.publicIp) ?? 0;
      const ba = a.received.get(b.publicIp) ?? 0;
      total++;
      if (ab + ba >= segBytes) exchanging++;
      if (ab > 0 && ba > 0) bothWays++;
      if (a.nat === 'symmetric' && b.nat === 'symmetric') continue;
      punchable.total++;
      if (ab + ba >= segBytes) punchable.exchanging++;
      if (ab > 0 && ba > 0) punchable.bothWays++;
    }
  return {
    viewers,
    playing: viewers.filter((v) => v.playing).length,
    pairs: { total, exchanging, bothWays },
    punchable,
    broadcasterUpX: (r.broadcasterTxBytes * 8) / Math.max(1, r.windowSec) / (sc.bitrateKbps * 1000),
    offload: fromAnyAll > 0 ? fromViewersAll / fromAnyAll : null,
  };
}

/**
 * Whether the lab itself worked (not whether Shoal did): the encoder produced the stream, a
 * public viewer of a public broadcaster got segments (nothing stands between them), every
 * miniupnpd answered. A run with problems exits non-zero.
 */
export function labProblems(r: RunRecord, f: RunFigures): string[] {
  const out: string[] = [];
  const expected = r.scenario.durationSec / r.scenario.segmentSec;
  const produced = r.segmentDoneAt.size;
  if (produced < expected / 2) out.push(`ffmpeg produced ${produced} segments, expected about ${expected}`);
  const publicViewers = f.viewers.filter((v) => v.nat === 'public');
  if (
    r.scenario.broadcaster.nat === 'public' &&
    publicViewers.length > 0 &&
    publicViewers.every((v) => v.segments === 0)
  )
    out.push('no public viewer received a segment from the public broadcaster');
  for (const router of r.natPmpSilent) out.push(`miniupnpd on router r${router} did not answer NAT-PMP`);
  return out;
}

const pct = (v: number | null): string => (v === null ? '–' : `${Math.round(v * 100)}%`);

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

export function formatReport(r: RunRecord, f: RunFigures): string {
  const sc = r.scenario;
  const rows = f.viewers.map((v) => [
    `v${v.index}`,
    v.nat,
    v.playing ? 'yes' : 'NO',
    v.segmentsApp === null ? String(v.segments) : `${v.segments} (${v.segmentsApp})`,
    v.continuity === null ? '–' : v.continuity.toFixed(3),
    v.lagP50Sec === null ? '–' : v.lagP50Sec.toFixed(1),
    pct(v.fromPeersKernel),
    v.fromPeersApp === null ? '–' : `${v.fromPeersApp}%`,
    String(v.linkedPeers),
    v.cpu === null ? '–' : `${pct(v.cpu.used)} / ${pct(v.cpu.waited)}`,
    v.note,
  ]);
  const head = [
    'viewer',
    'NAT',
    'playing',
    'segments (app)',
    'continuity',
    'lag s',
    'from peers',
    '(app)',
    'peers ⇄',
    'cpu / waited',
    'note',
  ];
  const n = f.viewers.length;
  return [
    `NAT lab: ${sc.name} (${sc.summary}); ${sc.bitrateKbps} kbit/s, ${sc.segmentSec} s segments, ${sc.durationSec} s`,
    '',
    table(head, rows),
    '',
    `playing: ${f.playing}/${n}`,
    `viewer pairs exchanging data: ${f.pairs.exchanging}/${f.pairs.total} (packets both ways: ${f.pairs.bothWays}/${f.pairs.total})`,
    `  of them with a non-symmetric side: exchanging ${f.punchable.exchanging}/${f.punchable.total}, packets both ways ${f.punchable.bothWays}/${f.punchable.total} (${pct(f.punchable.total > 0 ? f.punchable.bothWays / f.punchable.total : null)})`,
    `broadcaster upload: ${f.broadcasterUpX.toFixed(2)}x the bitrate (kernel, last ${r.windowSec.toFixed(0)} s; source measured ${r.sourceBitrateKbps.toFixed(0)} kbit/s)`,
    `offload (bytes viewers got from viewers): ${pct(f.offload)}`,
    ...r.notes,
  ].join('\n');
}

/** The record as JSON (Maps as entry lists), so a report can be printed again later. */
export function recordToJson(r: RunRecord): string {
  return JSON.stringify(
    r,
    (_key, value: unknown) => (value instanceof Map ? { entries: [...value.entries()] } : value),
    1,
  );
}

export function recordFromJson(text: string): RunRecord {
  return JSON.parse(text, (_key, value: unknown) =>
    value !== null && typeof value === 'object' && 'entries' in value && Array.isArray(value.entries)
      ? new Map(value.entries as [unknown, unknown][])
      : value,
  ) as RunRecord;
}
