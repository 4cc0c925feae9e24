// The lab's report: a table on stdout (one column per scenario run), the full figures as
// JSON, and the chart. Labels say what each figure is; README "Swarm lab" says how to read them.

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabReport } from './metrics.js';
import type { RunRecord } from './runner.js';
import { PAYLOAD } from './wire-kinds.js';

const f = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');
const pct = (v: number, digits = 1): string => (Number.isFinite(v) ? `${(v * 100).toFixed(digits)}%` : '-');
const sec = (ms: number): string => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : '-');

/** The four largest non-payload kinds of wire bytes, as shares of the payload delivered. */
function topKinds(byKind: Record<string, number> | undefined): string {
  const parts = Object.entries(byKind ?? {})
    .filter(([kind]) => kind !== PAYLOAD)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 4);
  return parts.length === 0 ? '-' : parts.map(([kind, share]) => `${kind} ${pct(share)}`).join(', ');
}

/** Rows of the table: label, then one value per report. */
export function tableRows(r: LabReport): [string, string][] {
  const c = r.config;
  const caps = c.viewerUp.map((k) => `${Number.isFinite(k.multiple) ? `${k.multiple}x` : 'unl.'}`).join('/');
  const targets = r.targets.map((t) => `${t.pass ? 'PASS' : 'MISS'}`).join(' ');
  return [
    ['viewers (worker processes)', `${c.viewers} (${r.resources.viewerWorkers})`],
    ['stream', `${c.bitrateKbps} kbps, ${c.segmentSec} s segments, ${c.durationSec} s`],
    ['caps: broadcaster / viewers', `${c.broadcasterUp}x / ${caps}`],
    ['loss, churn per min', `${pct(c.loss, 0)}, ${pct(c.churnPerMin, 0)}`],
    ['r_max (kbps), bitrate / r_max', `${f(r.capacity.rMaxKbps, 0)}, ${f(r.capacity.bitrateOverRmax)}`],
    ['continuity p5 / p50', `${f(r.continuity.p5, 3)} / ${f(r.continuity.p50, 3)}`],
    ['viewers at CI >= 0.99 / 0.98', `${pct(r.continuity.shareAt99)} / ${pct(r.continuity.shareAt98)}`],
    [
      '  same, 1-segment buffer',
      `${pct(r.continuity.strict.shareAt99)} (p5 ${f(r.continuity.strict.p5, 3)})`,
    ],
    ['broadcaster upload (x bitrate)', `${f(r.broadcaster.upX)} (payload ${f(r.broadcaster.upPayloadX)})`],
    ['bytes carried by viewers', pct(r.offload.viewerShare)],
    [
      'HTTP baseline upload, offload',
      `${f(r.httpBaseline.upX, 1)}x, ${f(r.httpBaseline.offloadFactor, 1)}x less`,
    ],
    ['join p50 / p95', `${sec(r.join.p50Ms)} / ${sec(r.join.p95Ms)}`],
    ['behind live p50 / p95', `${f(r.distance.p50Sec)} s / ${f(r.distance.p95Sec)} s`],
    [
      '  same, steady window',
      `${f(r.distance.steady?.p50Sec ?? NaN)} s / ${f(r.distance.steady?.p95Sec ?? NaN)} s`,
    ],
    ['behind live spread (p95-p5)', `${f(r.distance.spreadSec)} s`],
    ['protocol overhead (wire/payload)', `+${pct(r.overhead.wireOverPayload)}`],
    ['  biggest parts of it', topKinds(r.overhead.byKind)],
    [
      '  ACK-only / control packets',
      `${f(r.overhead.datagramsPerFragment?.['ack-only'] ?? NaN)} / ${f(r.overhead.datagramsPerFragment?.control ?? NaN)} per fragment`,
    ],
    ['CPU per viewer engine', `${f(r.resources.cpuPctPerViewer, 1)}% of a core`],
    [
      'memory per viewer engine',
      `${f(r.resources.rssMbPerViewer, 0)} MB RSS (heap ${f(r.resources.heapMbPerViewer, 1)} MB)`,
    ],
    [
      'broadcaster CPU / RSS',
      `${f(r.resources.broadcasterCpuPct, 1)}% / ${f(r.resources.broadcasterRssMb, 0)} MB`,
    ],
    [
      'worker loop delay p99 (max)',
      `${f(r.resources.loopP99MedianMs, 0)} ms (${f(r.resources.loopP99MaxMs, 0)} ms)`,
    ],
    ['lab CPU share of machine', pct(r.resources.labCpuShareOfMachine, 0)],
    ['load average (mean / max)', `${f(r.machine.loadAvgMean)} / ${f(r.machine.loadAvgMax)}`],
    ['targets', targets || '-'],
  ];
}

export function formatTable(reports: LabReport[]): string {
  const rows = reports.map(tableRows);
  const labels = rows[0]!.map(([label]) => label);
  const header = ['', ...reports.map((r) => r.scenario)];
  const body = labels.map((label, i) => [label, ...rows.map((r) => r[i]![1])]);
  const widths = header.map((_, col) => Math.max(...[header, ...body].map((line) => line[col]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

export function formatTargets(r: LabReport): string {
  if (r.targets.length === 0) return `${r.scenario}: no targets for this scenario`;
  return r.targets
    .map((t) => `${r.scenario}: ${t.pass ? 'PASS' : 'MISS'}  ${t.name}: ${t.value} (target ${t.target})`)
    .join('\n');
}

export async function writeJson(r: LabReport, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `swarm-${r.scenario}.json`);
  await writeFile(file, `${JSON.stringify(r, (_k, v: unknown) => (v === Infinity ? 'Infinity' : v), 2)}\n`);
  return file;
}

/** Every arrival and counter sample, for digging into one run. */
export async function writeRaw(record: RunRecord, outDir: string): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = join(outDir, `swarm-${record.config.scenario}-raw.json`);
  const plain = {
    ...record,
    ingestAt: Object.fromEntries(record.ingestAt),
    writtenAt: Object.fromEntries(record.writtenAt),
    engineSamples: Object.fromEntries(record.engineSamples),
  };
  await writeFile(file, JSON.stringify(plain));
  return file;
}
