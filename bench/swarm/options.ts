// Command-line options of `npm run bench:swarm`: a scenario preset, overridden by any
// option given explicitly.

import { Command, InvalidArgumentError, Option } from 'commander';
import { availableParallelism } from 'node:os';
import type { CapacityClass, LabConfig } from './lab-config.js';
import { SCENARIOS, type Preset } from './scenarios.js';

export interface LabCommand {
  /** One config per scenario to run, in order. */
  configs: LabConfig[];
  /** Only print the table of reports already written to this folder. */
  tableFrom: string | null;
}

const number =
  (what: string, min: number, max = Infinity) =>
  (raw: string): number => {
    const v = Number(raw.endsWith('%') ? Number(raw.slice(0, -1)) / 100 : raw);
    if (!Number.isFinite(v) || v < min || v > max)
      throw new InvalidArgumentError(`${what} must be a number from ${min} to ${max}`);
    return v;
  };
const integer =
  (what: string, min: number, max = Infinity) =>
  (raw: string) => {
    const v = number(what, min, max)(raw);
    if (!Number.isInteger(v)) throw new InvalidArgumentError(`${what} must be a whole number`);
    return v;
  };

/** "1.5" (everyone 1.5x), "0.5:1,2:1" (half at 0.5x, half at 2x), "unlimited". */
export function parseCapacities(raw: string): CapacityClass[] {
  const classes = raw.split(',').map((part) => {
    const [m, s] = part.trim().split(':');
    const multiple = m === 'unlimited' || m === 'inf' ? Infinity : Number(m?.replace(/x$/, ''));
    const share = s === undefined ? 1 : Number(s.endsWith('%') ? Number(s.slice(0, -1)) / 100 : s);
    if (!(multiple > 0) || !(share > 0))
      throw new InvalidArgumentError(`"${part}": expected MULTIPLE[:SHARE], e.g. 1.5 or 0.5:1,2:1`);
    return { multiple, share };
  });
  if (classes.length === 0) throw new InvalidArgumentError('no viewer capacity given');
  return classes;
}

export function buildCommand(): Command {
  return new Command('bench:swarm')
    .description('Runs one live stream through a swarm of real engines on 127.0.0.1 and reports it.')
    .addOption(
      new Option('--scenario <name>', 'preset to start from')
        .choices([...Object.keys(SCENARIOS).filter((s) => s !== 'smoke'), 'all'])
        .default('baseline'),
    )
    .option('--smoke', 'a short clean run (8 viewers, 20 s) to check the lab works')
    .option('--viewers <n>', 'viewers at any time', integer('viewers', 1, 2000))
    .option('--bitrate <kbps>', 'stream bitrate', integer('bitrate', 64, 100_000))
    .option('--segment <sec>', 'segment duration', number('segment duration', 0.5, 10))
    .option('--broadcaster-up <x>', 'broadcaster upload cap, multiple of the bitrate', number('cap', 0.1))
    .option(
      '--viewer-up <dist>',
      'viewer upload caps: 1.5 | 0.5:1,2:1 (multiple:share) | unlimited',
      parseCapacities,
    )
    .option('--loss <share>', 'random packet loss on every path, e.g. 0.05 or 5%', number('loss', 0, 0.5))
    .option('--churn <share>', 'share of viewers replaced per minute, e.g. 0.2', number('churn', 0, 10))
    .option(
      '--churn-crash <share>',
      'share of departures that are crashes (no GOODBYE)',
      number('share', 0, 1),
    )
    .option('--duration <sec>', 'seconds from the first join to the end', number('duration', 5))
    .option('--ramp <sec>', 'seconds over which the initial viewers join', number('ramp', 0))
    .option('--seed <n>', 'seed for segment bytes, loss and churn', integer('seed', 0))
    .option('--workers <n>', 'viewer worker processes', integer('workers', 1, 64))
    .option('--broadcaster-peers <n>', 'direct peers the broadcaster accepts', integer('peers', 1, 200))
    .option(
      '--push-fanout <n>',
      'neighbours the broadcaster tells of a new segment at once',
      integer('fanout', 1, 200),
    )
    .option('--max-peers <n>', 'neighbours per viewer', integer('peers', 1, 200))
    .option('--join-distance <n>', 'segments behind live a viewer joins', integer('join distance', 1, 20))
    .option(
      '--startup-buffer <n>',
      'playback startup buffer in segments (default: the join distance)',
      integer('buffer', 0, 20),
    )
    .option('--no-pieces', 'whole segments only: no piece-by-piece relay (PROTOCOL §7.3), for comparison')
    .option('--out <dir>', 'folder for the JSON report and the chart', '.bench-out/swarm')
    .option('--no-chart', 'skip the PNG chart (no Chromium needed)')
    .option('--raw', 'also write every arrival and counter sample (swarm-<scenario>-raw.json)')
    .option('--cpu-prof <dir>', 'write a CPU profile of each engine process there (open in Chrome DevTools)')
    .option('--table', 'run nothing: print the table of the reports already in --out');
}

interface Parsed {
  scenario: string;
  smoke?: boolean;
  viewers?: number;
  bitrate?: number;
  segment?: number;
  broadcasterUp?: number;
  viewerUp?: CapacityClass[];
  loss?: number;
  churn?: number;
  churnCrash?: number;
  duration?: number;
  ramp?: number;
  seed?: number;
  workers?: number;
  broadcasterPeers?: number;
  pushFanout?: number;
  maxPeers?: number;
  joinDistance?: number;
  startupBuffer?: number;
  out: string;
  chart: boolean;
  pieces: boolean;
  raw?: boolean;
  cpuProf?: string;
  table?: boolean;
}

export function parseLabArgs(argv: string[]): LabCommand {
  const opts = buildCommand().parse(argv, { from: 'user' }).opts<Parsed>();
  const names = opts.smoke
    ? ['smoke']
    : opts.scenario === 'all'
      ? ['baseline', 'tight', 'lossy', 'churn', 'large']
      : [opts.scenario];
  const configs = names.map((name) => {
    const p: Preset = SCENARIOS[name]!.preset;
    const joinDistance = opts.joinDistance ?? p.joinDistance;
    return {
      scenario: name,
      viewers: opts.viewers ?? p.viewers,
      bitrateKbps: opts.bitrate ?? p.bitrateKbps,
      segmentSec: opts.segment ?? p.segmentSec,
      broadcasterUp: opts.broadcasterUp ?? p.broadcasterUp,
      viewerUp: opts.viewerUp ?? p.viewerUp,
      loss: opts.loss ?? p.loss,
      churnPerMin: opts.churn ?? p.churnPerMin,
      churnAbrupt: opts.churnCrash ?? p.churnAbrupt,
      durationSec: opts.duration ?? p.durationSec,
      rampSec: opts.ramp ?? p.rampSec,
      seed: opts.seed ?? p.seed,
      workers: opts.workers ?? Math.min(p.workers, Math.max(1, availableParallelism())),
      broadcasterPeers: opts.broadcasterPeers ?? p.broadcasterPeers,
      pushFanout: opts.pushFanout ?? p.pushFanout,
      maxPeers: opts.maxPeers ?? p.maxPeers,
      joinDistance,
      startupSegments:
        opts.startupBuffer ?? (opts.joinDistance !== undefined ? joinDistance : p.startupSegments),
      pieces: opts.pieces,
      outDir: opts.out,
      chart: opts.chart,
      raw: opts.raw ?? false,
      cpuProfDir: opts.cpuProf ?? null,
    } satisfies LabConfig;
  });
  return { configs, tableFrom: opts.table ? opts.out : null };
}
