// Figures of one lab run (issue 5), computed from the raw record after the run:
//
// - Continuity: a viewer starts playing when its first segment has arrived plus a startup
//   buffer; segment k is due at playStart + (k - first) * duration. Its continuity index is
//   the share of due segments (from the first played to when it left or the run ended) that
//   arrived complete and verified before they were due. Segments not yet due are not counted.
// - Distance behind live at time t: t minus the broadcaster's ingest time of the newest
//   segment the viewer holds in order. A viewer keeping up sees a saw-tooth from its
//   delivery lag up to one segment duration more.
// - Rates are measured over the steady window (after the join ramp and 10 s more).

import { cpus } from 'node:os';
import type { Arrival } from './ipc.js';
import { maxStreamingRate, type LabConfig } from './lab-config.js';
import type { RunRecord, WorkerSample } from './runner.js';
import { counterAt, mean, percentile, shareOf, sum } from './stats.js';
import { targetsFor } from './targets.js';
import { sumKinds } from './wire-kinds.js';

export interface ViewerFigures {
  id: number;
  uploadCapKbps: number | null;
  joinMs: number | null;
  /** Continuity index with the configured startup buffer, and with a one-segment buffer. */
  ci: number;
  ciStrict: number;
  counted: number;
  late: number;
  missing: number;
  distanceP50Sec: number;
  left: 'stayed' | 'clean' | 'crash';
}

export interface Target {
  name: string;
  target: string;
  value: string;
  pass: boolean;
}

export interface TimePoint {
  t: number;
  activeViewers: number;
  broadcasterUpX: number;
  viewerUpX: number;
  distanceP50: number;
  distanceP95: number;
  peerShare: number;
}

export interface LabReport {
  scenario: string;
  config: Omit<LabConfig, 'outDir' | 'chart' | 'raw'>;
  machine: { cpus: number; model: string; node: string; loadAvgMean: number; loadAvgMax: number };
  capacity: {
    bitrateKbps: number;
    broadcasterKbps: number | null;
    viewerKbpsMean: number | null;
    viewers: number;
    rMaxKbps: number;
    bitrateOverRmax: number;
  };
  continuity: {
    startupSegments: number;
    viewersCounted: number;
    p5: number;
    p50: number;
    shareAt99: number;
    shareAt98: number;
    strict: { p5: number; p50: number; shareAt99: number };
  };
  broadcaster: { upX: number; upPayloadX: number; upXWholeRun: number; capX: number };
  offload: { viewerShare: number };
  httpBaseline: { upX: number; offloadFactor: number; viewersServableUnderCap: number };
  join: { p50Ms: number; p95Ms: number; neverPlayed: number };
  distance: {
    /** Pooled over every viewer's whole stay, from its first segment (the ramp included). */
    p50Sec: number;
    p95Sec: number;
    /** Pooled over the steady window only (after the ramp and 10 s more), as broadcaster upload. */
    steady: { p50Sec: number; p95Sec: number };
    spreadSec: number;
    deliveryLagP95Sec: number;
  };
  overhead: {
    wireOverPayload: number;
    servedOverDelivered: number;
    lossDropped: number;
    /** Wire bytes of each kind (wire-kinds.ts) over the payload delivered, all engines. */
    byKind: Record<string, number>;
    /** Datagrams of each kind (wire-kinds.ts) per fragment sent, all engines. */
    datagramsPerFragment: Record<string, number>;
    /** Control frames of each kind per fragment sent, all engines. */
    framesPerFragment: Record<string, number>;
  };
  resources: {
    viewerWorkers: number;
    enginesPerWorkerMax: number;
    cpuPctPerViewer: number;
    rssMbPerViewer: number;
    heapMbPerViewer: number;
    workerRssMb: number;
    broadcasterCpuPct: number;
    broadcasterRssMb: number;
    loopP99MaxMs: number;
    loopP99MedianMs: number;
    labCpuShareOfMachine: number;
  };
  churn: { departures: number; crashes: number; joinsAfterRamp: number };
  targets: Target[];
  viewers: ViewerFigures[];
  series: TimePoint[];
  problems: string[];
}

const firstArrivals = (arrivals: Arrival[]): Map<number, number> => {
  const at = new Map<number, number>();
  for (const a of arrivals) if (!at.has(a.seq) || at.get(a.seq)! > a.at) at.set(a.seq, a.at);
  return at;
};

interface Continuity {
  ci: number;
  counted: number;
  late: number;
  missing: number;
}

function continuity(
  arrived: Map<number, number>,
  stopAt: number,
  segMs: number,
  bufferMs: number,
): Continuity {
  if (arrived.size === 0) return { ci: 0, counted: 0, late: 0, missing: 0 };
  const first = Math.min(...arrived.keys());
  const playStart = arrived.get(first)! + bufferMs;
  let counted = 0;
  let late = 0;
  let missing = 0;
  for (let k = first; playStart + (k - first) * segMs <= stopAt; k++) {
    counted++;
    const at = arrived.get(k);
    if (at === undefined) missing++;
    else if (at > playStart + (k - first) * segMs) late++;
  }
  return { ci: counted === 0 ? NaN : (counted - late - missing) / counted, counted, late, missing };
}

/**
 * Distance behind live of one viewer at time t (s), or NaN before its first segment. The
 * head is the newest segment held in order, where a segment past its playback deadline
 * that never came counts as skipped (the player moved on without it).
 */
function distanceAt(
  arrived: Map<number, number>,
  first: number,
  last: number,
  dueAt: (seq: number) => number,
  ingestAt: Map<number, number>,
  t: number,
): number {
  let head = -1;
  for (let seq = first; seq <= last; seq++) {
    const at = arrived.get(seq);
    if (at !== undefined && at <= t) head = seq;
    else if (dueAt(seq) >= t) break;
  }
  const ingested = ingestAt.get(head);
  return head < 0 || ingested === undefined ? NaN : Math.max(0, (t - ingested) / 1000);
}

export function computeReport(record: RunRecord): LabReport {
  const { config } = record;
  const segMs = config.segmentSec * 1000;
  const steadyFrom = record.t0 + config.rampSec * 1000 + 10_000;
  const steadyTo = record.endAt;
  const steadySec = Math.max(1, (steadyTo - steadyFrom) / 1000);
  const streamBps = (config.bitrateKbps * 1000) / 8;

  // ---- per viewer ----
  const viewers: ViewerFigures[] = [];
  const pooledDistance: number[] = [];
  const steadyDistance: number[] = [];
  const lags: number[] = [];
  const distanceFns = new Map<number, (t: number) => number>();
  for (const v of record.viewers) {
    const arrived = firstArrivals(v.arrivals);
    const stopAt = Math.min(v.leftAt ?? record.endAt, record.endAt);
    const main = continuity(arrived, stopAt, segMs, config.startupSegments * segMs);
    const strict = continuity(arrived, stopAt, segMs, segMs);
    const firstAt = arrived.size > 0 ? Math.min(...arrived.values()) : null;
    const first = arrived.size > 0 ? Math.min(...arrived.keys()) : -1;
    const last = arrived.size > 0 ? Math.max(...arrived.keys()) : -1;
    const playStart = (arrived.get(first) ?? 0) + config.startupSegments * segMs;
    const dueAt = (seq: number): number => playStart + (seq - first) * segMs;
    const fn = (t: number): number => distanceAt(arrived, first, last, dueAt, record.ingestAt, t);
    distanceFns.set(v.id, fn);
    const own: number[] = [];
    if (firstAt !== null) {
      for (let t = firstAt; t < stopAt; t += 250) {
        const d = fn(t);
        own.push(d);
        if (t >= steadyFrom && !Number.isNaN(d)) steadyDistance.push(d);
      }
    }
    const valid = own.filter((d) => !Number.isNaN(d));
    pooledDistance.push(...valid);
    for (const [seq, at] of arrived) {
      const ingested = record.ingestAt.get(seq);
      if (ingested !== undefined && seq > first) lags.push((at - ingested) / 1000);
    }
    const present = stopAt - v.joinAt;
    // A viewer that left before anything could reach it says nothing about the swarm.
    if (main.counted === 0 && (arrived.size > 0 || present < 10_000)) continue;
    viewers.push({
      id: v.id,
      uploadCapKbps: v.uploadCapKbps,
      joinMs: firstAt === null ? null : firstAt - v.joinAt,
      ci: main.counted === 0 ? 0 : main.ci,
      ciStrict: strict.counted === 0 ? 0 : strict.ci,
      counted: main.counted,
      late: main.late,
      missing: main.missing,
      distanceP50Sec: percentile(valid, 50),
      left: v.leftAt === null || v.leftAt >= record.endAt ? 'stayed' : v.abrupt ? 'crash' : 'clean',
    });
  }
  const cis = viewers.map((v) => v.ci);
  const strictCis = viewers.map((v) => v.ciStrict);
  const joins = viewers.flatMap((v) => (v.joinMs === null ? [] : [v.joinMs]));

  // ---- capacity ----
  const initial = record.viewers.slice(0, config.viewers);
  const viewerCaps = initial.map((v) => v.uploadCapKbps ?? Infinity);
  const serverKbps = record.broadcasterUpKbps ?? Infinity;
  const rMaxKbps = maxStreamingRate(serverKbps, viewerCaps);

  // ---- bytes ----
  const engine0 = record.engineSamples.get(0) ?? [];
  const rateX = (
    samples: typeof engine0,
    pick: (s: (typeof engine0)[number]) => number,
    from: number,
    to: number,
  ) => (counterAt(samples, pick, to) - counterAt(samples, pick, from)) / ((to - from) / 1000) / streamBps;
  const upX = rateX(engine0, (s) => s.bytesOut, steadyFrom, steadyTo);
  const upPayloadX = rateX(engine0, (s) => s.uploaded, steadyFrom, steadyTo);
  const upXWholeRun = rateX(engine0, (s) => s.bytesOut, record.t0, record.endAt);
  const delivered = record.viewers.flatMap((v) => v.arrivals);
  const deliveredBytes = sum(delivered.map((a) => a.bytes));
  const fromPeers = sum(delivered.map((a) => a.peerBytes));
  const lastOf = (id: number) => record.engineSamples.get(id)?.at(-1);
  const ids = [0, ...record.viewers.map((v) => v.id)];
  const wireOut = sum(ids.map((id) => lastOf(id)?.bytesOut ?? 0));
  const served = sum(ids.map((id) => lastOf(id)?.uploaded ?? 0));
  const sent = sum(ids.map((id) => lastOf(id)?.datagramsOut ?? 0));
  const dropped = sum(ids.map((id) => lastOf(id)?.dropped ?? 0));
  const kinds = sumKinds(ids.flatMap((id) => lastOf(id)?.wire ?? []));

  // ---- active viewers over the steady window: the HTTP baseline serves each one a copy ----
  const activeAt = (t: number): number =>
    record.viewers.filter((v) => v.joinAt <= t && (v.leftAt ?? Infinity) > t).length;
  const activeMean = mean(
    Array.from({ length: Math.floor(steadySec) }, (_, i) => activeAt(steadyFrom + i * 1000)),
  );

  // ---- resources ----
  const viewerSamples = record.workerSamples.filter((s) => s.worker >= 0 && s.at >= steadyFrom);
  const bSamples = record.workerSamples.filter((s) => s.worker < 0 && s.at >= steadyFrom);
  const engineMicros = (samples: WorkerSample[]): number => {
    let us = 0;
    const prevAt = new Map<number, number>();
    for (const s of samples) {
      const prev = prevAt.get(s.worker);
      prevAt.set(s.worker, s.at);
      if (prev !== undefined) us += s.engines * (s.at - prev) * 1000;
    }
    return us;
  };
  const cpuOf = (samples: WorkerSample[]): number => {
    // The first sample of each worker covers time before the window.
    const seen = new Set<number>();
    return sum(
      samples.map((s) => {
        if (seen.has(s.worker)) return s.cpuUs;
        seen.add(s.worker);
        return 0;
      }),
    );
  };
  const lastViewerSamples = [...new Map(viewerSamples.map((s) => [s.worker, s])).values()];
  const perEngine = (pick: (s: WorkerSample) => number): number =>
    mean(lastViewerSamples.filter((s) => s.engines > 0).map((s) => pick(s) / s.engines));
  const loopP99s = viewerSamples.map((s) => s.loopP99);
  const bLast = bSamples.at(-1);
  const labCpuUs = cpuOf([...viewerSamples, ...bSamples]);

  const loads = record.loadAvg.map((l) => l.load1);
  const departures = record.viewers.filter((v) => v.leftAt !== null && v.leftAt < record.endAt);
  const report: LabReport = {
    scenario: config.scenario,
    config: (({ outDir: _o, chart: _c, raw: _r, ...rest }) => rest)(config),
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model ?? '?',
      node: process.version,
      loadAvgMean: mean(loads),
      loadAvgMax: Math.max(...loads),
    },
    capacity: {
      bitrateKbps: config.bitrateKbps,
      broadcasterKbps: record.broadcasterUpKbps,
      viewerKbpsMean: Number.isFinite(mean(viewerCaps)) ? mean(viewerCaps) : null,
      viewers: config.viewers,
      rMaxKbps,
      bitrateOverRmax: config.bitrateKbps / rMaxKbps,
    },
    continuity: {
      startupSegments: config.startupSegments,
      viewersCounted: viewers.length,
      p5: percentile(cis, 5),
      p50: percentile(cis, 50),
      shareAt99: shareOf(cis, (c) => c >= 0.99),
      shareAt98: shareOf(cis, (c) => c >= 0.98),
      strict: {
        p5: percentile(strictCis, 5),
        p50: percentile(strictCis, 50),
        shareAt99: shareOf(strictCis, (c) => c >= 0.99),
      },
    },
    broadcaster: { upX, upPayloadX, upXWholeRun, capX: config.broadcasterUp },
    offload: { viewerShare: deliveredBytes > 0 ? fromPeers / deliveredBytes : NaN },
    httpBaseline: {
      upX: activeMean,
      offloadFactor: activeMean / upX,
      viewersServableUnderCap: Math.floor(config.broadcasterUp),
    },
    join: {
      p50Ms: percentile(joins, 50),
      p95Ms: percentile(joins, 95),
      neverPlayed: viewers.filter((v) => v.joinMs === null).length,
    },
    distance: {
      p50Sec: percentile(pooledDistance, 50),
      p95Sec: percentile(pooledDistance, 95),
      steady: { p50Sec: percentile(steadyDistance, 50), p95Sec: percentile(steadyDistance, 95) },
      spreadSec:
        percentile(
          viewers.map((v) => v.distanceP50Sec).filter((d) => !Number.isNaN(d)),
          95,
        ) -
        percentile(
          viewers.map((v) => v.distanceP50Sec).filter((d) => !Number.isNaN(d)),
          5,
        ),
      deliveryLagP95Sec: percentile(lags, 95),
    },
    overhead: {
      wireOverPayload: deliveredBytes > 0 ? wireOut / deliveredBytes - 1 : NaN,
      servedOverDelivered: deliveredBytes > 0 ? served / deliveredBytes - 1 : NaN,
      lossDropped: sent > 0 ? dropped / sent : 0,
      byKind: Object.fromEntries(
        Object.entries(kinds.bytes).map(([kind, n]) => [kind, deliveredBytes > 0 ? n / deliveredBytes : NaN]),
      ),
      datagramsPerFragment: Object.fromEntries(
        Object.entries(kinds.datagrams).map(([kind, n]) => [kind, n / (kinds.datagrams.fragment ?? NaN)]),
      ),
      framesPerFragment: Object.fromEntries(
        Object.entries(kinds.frames).map(([kind, n]) => [kind, n / (kinds.datagrams.fragment ?? NaN)]),
      ),
    },
    resources: {
      viewerWorkers: config.workers,
      enginesPerWorkerMax: Math.max(0, ...viewerSamples.map((s) => s.engines)),
      cpuPctPerViewer: (cpuOf(viewerSamples) / Math.max(1, engineMicros(viewerSamples))) * 100,
      rssMbPerViewer: perEngine((s) => s.rss) / 2 ** 20,
      heapMbPerViewer: perEngine((s) => s.heapUsed) / 2 ** 20,
      workerRssMb: mean(lastViewerSamples.map((s) => s.rss)) / 2 ** 20,
      broadcasterCpuPct: (cpuOf(bSamples) / Math.max(1, steadySec * 1e6)) * 100,
      broadcasterRssMb: (bLast?.rss ?? NaN) / 2 ** 20,
      loopP99MaxMs: Math.max(0, ...loopP99s),
      loopP99MedianMs: percentile(loopP99s, 50),
      labCpuShareOfMachine: labCpuUs / (steadySec * 1e6 * cpus().length),
    },
    churn: {
      departures: departures.length,
      crashes: departures.filter((v) => v.abrupt).length,
      joinsAfterRamp: Math.max(0, record.viewers.length - config.viewers),
    },
    targets: [],
    viewers,
    series: timeSeries(record, distanceFns, activeAt, streamBps),
    problems: record.problems,
  };
  report.targets = targetsFor(report);
  return report;
}

function timeSeries(
  record: RunRecord,
  distanceFns: Map<number, (t: number) => number>,
  activeAt: (t: number) => number,
  streamBps: number,
): TimePoint[] {
  const out: TimePoint[] = [];
  const b = record.engineSamples.get(0) ?? [];
  const viewerIds = record.viewers.map((v) => v.id);
  const step = 2000;
  for (let t = record.t0 + step; t <= record.endAt; t += step) {
    const bx =
      (counterAt(b, (s) => s.bytesOut, t) - counterAt(b, (s) => s.bytesOut, t - step)) /
      (step / 1000) /
      streamBps;
    let vb = 0;
    for (const id of viewerIds) {
      const s = record.engineSamples.get(id) ?? [];
      if (s.length > 0 && s[0]!.at <= t && s.at(-1)!.at >= t - step)
        vb += counterAt(s, (x) => x.bytesOut, t) - counterAt(s, (x) => x.bytesOut, t - step);
    }
    const active = activeAt(t);
    const dists: number[] = [];
    for (const v of record.viewers) {
      if (v.joinAt > t || (v.leftAt ?? Infinity) <= t) continue;
      const d = distanceFns.get(v.id)?.(t);
      if (d !== undefined && !Number.isNaN(d)) dists.push(d);
    }
    let peer = 0;
    let all = 0;
    for (const v of record.viewers)
      for (const a of v.arrivals)
        if (a.at > t - step && a.at <= t) {
          all += a.bytes;
          peer += a.peerBytes;
        }
    out.push({
      t: (t - record.t0) / 1000,
      activeViewers: active,
      broadcasterUpX: bx,
      viewerUpX: active > 0 ? vb / (step / 1000) / streamBps / active : 0,
      distanceP50: percentile(dists, 50),
      distanceP95: percentile(dists, 95),
      peerShare: all > 0 ? peer / all : NaN,
    });
  }
  return out;
}
