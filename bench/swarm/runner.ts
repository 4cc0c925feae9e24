// Runs one lab: the synthetic encoder, a broadcaster worker, viewer workers, the join ramp
// and churn, and a once-a-second poll of every worker's counters. Returns the raw record
// (arrivals, counters over time); metrics.ts turns it into figures.

import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Arrival, EngineStats, FromWorker, WorkerStats } from './ipc.js';
import { assignClasses, capKbps, type LabConfig } from './lab-config.js';
import { LiveSource } from './live-source.js';
import { deriveSeed, seededRandom } from './random.js';
import { LabWorker } from './worker-pool.js';

export interface ViewerRecord {
  id: number;
  capClass: number;
  uploadCapKbps: number | null;
  worker: number;
  /** When watch() was called. */
  joinAt: number;
  leftAt: number | null;
  abrupt: boolean;
  arrivals: Arrival[];
}

export interface EngineSample extends EngineStats {
  at: number;
}

export interface WorkerSample extends Omit<WorkerStats, 'engines'> {
  worker: number;
  engines: number;
}

export interface RunRecord {
  config: LabConfig;
  /** First viewer join: t = 0 of every time series. */
  t0: number;
  endAt: number;
  broadcasterUpKbps: number | null;
  /** Broadcaster ingest time by seq. */
  ingestAt: Map<number, number>;
  writtenAt: Map<number, number>;
  viewers: ViewerRecord[];
  /** Counters of every engine (id 0 = broadcaster) over time. */
  engineSamples: Map<number, EngineSample[]>;
  /** Worker -1 is the broadcaster's. */
  workerSamples: WorkerSample[];
  loadAvg: { at: number; load1: number }[];
  problems: string[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export async function runLab(config: LabConfig, log: (line: string) => void = () => {}): Promise<RunRecord> {
  const runDir = await mkdtemp(join(tmpdir(), 'shoal-swarm-lab-'));
  const folder = join(runDir, 'hls');
  await mkdir(folder);
  const source = new LiveSource({
    folder,
    bitrateKbps: config.bitrateKbps,
    segmentSec: config.segmentSec,
    seed: config.seed,
  });
  const record: RunRecord = {
    config,
    t0: 0,
    endAt: 0,
    broadcasterUpKbps: capKbps(config.bitrateKbps, config.broadcasterUp),
    ingestAt: new Map(),
    writtenAt: source.writtenAt,
    viewers: [],
    engineSamples: new Map(),
    workerSamples: [],
    loadAvg: [],
    problems: [],
  };
  const viewersById = new Map<number, ViewerRecord>();
  const started = new Map<number, (m: { address: string; at: number }) => void>();
  // Set from worker callbacks; checked by the run loop.
  const state = { fatal: null as Error | null, stopping: false };

  const onMessage = (worker: LabWorker, m: FromWorker): void => {
    switch (m.type) {
      case 'arrivals':
        for (const a of m.items) {
          if (a.id === 0) {
            if (a.source === 'ingest' && !record.ingestAt.has(a.seq)) record.ingestAt.set(a.seq, a.at);
          } else viewersById.get(a.id)?.arrivals.push(a);
        }
        return;
      case 'started':
        started.get(m.id)?.(m);
        started.delete(m.id);
        return;
      case 'left': {
        const v = viewersById.get(m.id);
        if (v) v.leftAt = m.at;
        if (m.final) pushSample(m.id, { ...m.final, at: m.at });
        return;
      }
      case 'stats': {
        const { engines, ...rest } = m.stats;
        record.workerSamples.push({ ...rest, worker: worker.index, engines: engines.length });
        for (const e of engines) pushSample(e.id, { ...e, at: m.stats.at });
        return;
      }
      case 'failed':
        record.problems.push(`node ${m.id}: ${m.message}`);
        if (m.id === 0) state.fatal = new Error(`the broadcaster failed: ${m.message}`);
        return;
      case 'engine-error':
        if (record.problems.length < 50) record.problems.push(`node ${m.id}: ${m.message}`);
        return;
      default:
        return;
    }
  };
  const pushSample = (id: number, s: EngineSample): void => {
    let list = record.engineSamples.get(id);
    if (!list) record.engineSamples.set(id, (list = []));
    list.push(s);
  };
  const onExit = (worker: LabWorker, code: number | null): void => {
    if (!state.stopping)
      state.fatal = new Error(`lab worker ${worker.index} exited (${code}) during the run`);
  };

  const broadcasterWorker = new LabWorker(-1, onMessage, onExit, config.cpuProfDir);
  const viewerWorkers = Array.from(
    { length: Math.max(1, config.workers) },
    (_, i) => new LabWorker(i, onMessage, onExit, config.cpuProfDir),
  );
  const all = [broadcasterWorker, ...viewerWorkers];
  const waitStarted = (id: number, timeoutMs: number): Promise<{ address: string; at: number }> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`node ${id} did not start`)), timeoutMs);
      started.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
    });

  let statsTimer: ReturnType<typeof setInterval> | null = null;
  try {
    await Promise.all(all.map((w) => w.whenReady()));
    await source.start();
    const rnd = seededRandom(deriveSeed(config.seed, 'churn'));
    broadcasterWorker.send({
      type: 'broadcast',
      spec: {
        id: 0,
        folder,
        uploadCapKbps: record.broadcasterUpKbps,
        loss: config.loss,
        seed: deriveSeed(config.seed, 'loss', 0),
        maxPeers: config.broadcasterPeers,
        pushFanout: config.pushFanout,
        pieces: config.pieces,
      },
    });
    const { address } = await waitStarted(0, 20_000);
    broadcasterWorker.engines = 1;

    statsTimer = setInterval(() => {
      for (const w of all) w.send({ type: 'stats' });
      record.loadAvg.push({ at: Date.now(), load1: loadavg()[0]! });
    }, 1000);

    // Viewers join a stream that has been live for a while, as they would in practice.
    const warmDeadline = Date.now() + 30_000;
    while (record.ingestAt.size < config.joinDistance && Date.now() < warmDeadline) {
      if (state.fatal) throw state.fatal;
      await sleep(100);
    }
    if (record.ingestAt.size === 0) throw new Error('the broadcaster ingested nothing from the live folder');

    const classes = assignClasses(config.viewerUp, config.viewers);
    shuffle(classes, seededRandom(deriveSeed(config.seed, 'classes')));
    let nextId = 1;
    const join = (capClass: number): void => {
      const id = nextId++;
      const worker = viewerWorkers.reduce((a, b) => (b.engines < a.engines ? b : a));
      worker.engines++;
      const cls = config.viewerUp[capClass]!;
      const v: ViewerRecord = {
        id,
        capClass,
        uploadCapKbps: capKbps(config.bitrateKbps, cls.multiple),
        worker: worker.index,
        joinAt: Date.now(),
        leftAt: null,
        abrupt: false,
        arrivals: [],
      };
      record.viewers.push(v);
      viewersById.set(id, v);
      waitStarted(id, 30_000).then(
        (m) => (v.joinAt = m.at),
        (err: unknown) => record.problems.push((err as Error).message),
      );
      worker.send({
        type: 'watch',
        spec: {
          id,
          address,
          uploadCapKbps: v.uploadCapKbps,
          loss: config.loss,
          seed: deriveSeed(config.seed, 'loss', id),
          maxPeers: config.maxPeers,
          joinDistance: config.joinDistance,
          pieces: config.pieces,
        },
      });
    };
    const leave = (v: ViewerRecord, abrupt: boolean): void => {
      v.abrupt = abrupt;
      v.leftAt = Date.now();
      const worker = viewerWorkers[v.worker]!;
      worker.engines--;
      worker.send({ type: 'leave', id: v.id, abrupt });
    };

    record.t0 = Date.now();
    const endAt = record.t0 + config.durationSec * 1000;
    const rampStep = (config.rampSec * 1000) / Math.max(1, config.viewers);
    for (let i = 0; i < classes.length; i++) {
      await sleep(record.t0 + i * rampStep - Date.now());
      if (state.fatal) throw state.fatal;
      join(classes[i]!);
    }

    const churnEvery = config.churnPerMin > 0 ? 60_000 / (config.churnPerMin * config.viewers) : Infinity;
    let nextChurn = Number.isFinite(churnEvery) ? record.t0 + config.rampSec * 1000 + 10_000 : Infinity;
    let nextLog = Date.now() + 10_000;
    while (Date.now() < endAt) {
      if (state.fatal) throw state.fatal;
      if (Date.now() >= nextChurn) {
        nextChurn += churnEvery;
        const active = record.viewers.filter((v) => v.leftAt === null);
        const v = active[Math.floor(rnd() * active.length)];
        if (v) {
          leave(v, rnd() < config.churnAbrupt);
          join(v.capClass);
        }
      }
      if (Date.now() >= nextLog) {
        nextLog += 10_000;
        log(progressLine(record));
      }
      await sleep(Math.min(200, endAt - Date.now(), nextChurn - Date.now()));
    }
    // One last poll, so totals cover the whole run.
    for (const w of all) w.send({ type: 'stats' });
    await sleep(600);
    record.endAt = endAt;
  } finally {
    state.stopping = true;
    if (statsTimer) clearInterval(statsTimer);
    await Promise.all(all.map((w) => w.shutdown()));
    await source.stop();
    await rm(runDir, { recursive: true, force: true });
  }
  return record;
}

function shuffle<T>(items: T[], rnd: () => number): void {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
}

function progressLine(record: RunRecord): string {
  const t = Math.round((Date.now() - record.t0) / 1000);
  const active = record.viewers.filter((v) => v.leftAt === null).length;
  const playing = record.viewers.filter((v) => v.leftAt === null && v.arrivals.length > 0).length;
  const latest = new Map<number, WorkerSample>();
  for (const s of record.workerSamples) latest.set(s.worker, s);
  const lag = [...latest.values()].map((s) => s.loopP99.toFixed(0)).join('/');
  const load = record.loadAvg.at(-1)?.load1.toFixed(2) ?? '?';
  return `t=${t}s viewers ${playing}/${active} playing, edge seq ${record.ingestAt.size - 1}, worker loop p99 ${lag} ms, load ${load}`;
}
