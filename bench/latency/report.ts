// The bench:latency table: one row per player, figures only (no targets asserted).

import type { ProbeResult } from './page-probe.js';

export interface PlayerRow {
  name: string;
  probe: ProbeResult | null;
  /** The viewer engine's own behind-live figure (median of its snapshots), s. */
  engineBehindSec: number | null;
  /** p50 over segments: when the viewer engine stored it − when its last frame was encoded, ms. */
  atEngineMs: number | null;
  /** Share of segment bytes this viewer got from other viewers. */
  fromPeers: number | null;
  /** Since the first frame, ms. */
  watchedMs: number;
}

export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

const sec = (ms: number | null, digits = 1): string => (ms === null ? '–' : (ms / 1000).toFixed(digits));

/** Share of the time since the first frame that the picture moved (1 − stall time / watched). */
export function playerContinuity(probe: ProbeResult, watchedMs: number): number | null {
  if (probe.firstFrameMs === null || watchedMs <= 0) return null;
  return Math.max(0, 1 - probe.stallMs / watchedMs);
}

export function renderTable(rows: readonly PlayerRow[]): string {
  const header = [
    'player',
    'first frame s',
    'g2g p50 s',
    'g2g p95 s',
    'at engine p50 s',
    'at player p50 s',
    'stalls',
    'stall s',
    'continuity',
    'dropped',
    'engine behind s',
    'from peers',
    'fatal',
  ];
  const lines = rows.map((r) => {
    const p = r.probe;
    const cont = p ? playerContinuity(p, r.watchedMs) : null;
    return [
      r.name,
      sec(p?.firstFrameMs ?? null, 2),
      sec(p ? percentile(p.g2gMs, 50) : null),
      sec(p ? percentile(p.g2gMs, 95) : null),
      sec(r.atEngineMs),
      sec(p ? percentile(p.segmentAgeMs, 50) : null),
      p ? String(p.stalls) : '–',
      sec(p?.stallMs ?? null),
      cont === null ? '–' : cont.toFixed(3),
      p ? `${p.droppedFrames}/${p.totalFrames}` : '–',
      r.engineBehindSec === null ? '–' : r.engineBehindSec.toFixed(1),
      r.fromPeers === null ? '–' : `${Math.round(r.fromPeers * 100)}%`,
      p && p.fatal.length > 0 ? p.fatal.join(',') : '–',
    ];
  });
  const all = [header, ...lines];
  const widths = header.map((_, c) => Math.max(...all.map((l) => (l[c] as string).length)));
  const fmt = (l: string[]) => `| ${l.map((v, c) => v.padEnd(widths[c] as number)).join(' | ')} |`;
  return [fmt(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...lines.map(fmt)].join('\n');
}

/** p50/p95 over the pooled samples of the given rows. */
export function pooled(rows: readonly PlayerRow[]): { p50: number | null; p95: number | null } {
  const all = rows.flatMap((r) => r.probe?.g2gMs ?? []);
  return { p50: percentile(all, 50), p95: percentile(all, 95) };
}
