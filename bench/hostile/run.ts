// Hostile-peer benchmark (issue 15 §2, §2b; not a test): `npm run bench:hostile`.
//   npm run bench:hostile                       every attack, 10^6 mutated datagrams
//   npm run bench:hostile -- --quick            shorter floods, 10^5 mutated datagrams
//   npm run bench:hostile -- --only pex,pull    a subset (names: see ATTACKS below)
// A live ffmpeg source, `shoal broadcast` and two `shoal watch` viewers run as separate
// processes on 127.0.0.1; each attack comes from this process (127.0.0.1 only) against the
// broadcaster or viewer 0. Per attack: datagrams sent, the flooded node's RSS (start, peak,
// end, from /proc), both viewers' continuity during the attack (read from their HTTP
// gateways), crashes, and PASS/MISS against the targets: continuity >= 0.99 for every
// viewer and RSS within 64 MiB of the start. Bounded in count and time; kills its children.

import { parseArgs } from 'node:util';
import { hasFfmpeg } from '../../test/fixtures/ffmpeg.js';
import {
  availabilityFlood,
  halfOpen,
  mutatedFlood,
  pexReflection,
  pexRequestFlood,
  pingOnlySessions,
  playlistRequestFlood,
  reconnectAfterBan,
  requestNeverAnswer,
  unlimitedPull,
  type Attack,
  setAttackerHost,
  type AttackResult,
} from './attacks.js';
import { Lab, RssProbe } from './lab.js';

const { values } = parseArgs({
  options: { quick: { type: 'boolean', default: false }, only: { type: 'string' } },
});
const quick = values.quick;
const FLOOD_S = quick ? 10 : 30;
const MiB = 2 ** 20;
const RSS_BUDGET = 64 * MiB;
const CI_TARGET = 0.99;

const ATTACKS: Record<string, Attack> = {
  mutated: mutatedFlood(quick ? 100_000 : 1_000_000, 20_000),
  'half-open': halfOpen(quick ? 500 : 2000, 2, FLOOD_S),
  'half-open-viewer': halfOpen(quick ? 500 : 2000, 2, FLOOD_S, 'viewer'),
  pex: pexRequestFlood(FLOOD_S),
  playlist: playlistRequestFlood(FLOOD_S),
  availability: availabilityFlood(FLOOD_S),
  'ping-only': pingOnlySessions(Math.max(FLOOD_S, 25)),
  reflection: pexReflection(FLOOD_S),
  'ban-evasion': reconnectAfterBan(FLOOD_S),
  'never-answer': requestNeverAnswer(FLOOD_S),
  pull: unlimitedPull(FLOOD_S),
};

interface Row {
  attack: Attack;
  result: AttackResult | null;
  error: string | null;
  seconds: number;
  rss: { start: number; peak: number; end: number };
  ci: { ci: number; due: number; missed: number }[];
  crashed: string[];
  after: string;
  checks: { name: string; pass: boolean }[];
}

const mib = (b: number): string => (b / MiB).toFixed(0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function runOne(lab: Lab, attack: Attack): Promise<Row> {
  const victim = attack.target === 'broadcaster' ? lab.broadcaster : lab.viewers[0]!.proc;
  const port = attack.target === 'broadcaster' ? lab.broadcasterPort : lab.viewerPorts[0]!;
  const probe = new RssProbe(victim.pid);
  const from = Date.now();
  let result: AttackResult | null = null;
  let error: string | null = null;
  try {
    result = await attack.run(lab, { host: '127.0.0.1', port });
  } catch (err) {
    error = (err as Error).message;
  }
  const to = Date.now();
  probe.stop();
  const crashed = [lab.broadcaster, ...lab.viewers.map((v) => v.proc)]
    .map((p, i) => (p.alive() ? null : i === 0 ? 'broadcaster' : `viewer ${i - 1}`))
    .filter((x): x is string => x !== null);
  // Afterwards: both viewers' gateways still serve new segments.
  const before = lab.viewers.map((v) => v.watch.newest());
  let after = 'no new segment at the viewers within 15 s';
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (lab.viewers.every((v, i) => v.watch.newest() > before[i]!)) {
      const served = await Promise.all(lab.viewers.map((v) => v.watch.servesNewest()));
      after = served.every(Boolean)
        ? 'both gateways serve new segments'
        : 'a gateway lists but does not serve';
      break;
    }
    await sleep(250);
  }
  const ci = lab.viewers.map((v) => v.watch.continuity(from, to));
  return {
    attack,
    result,
    error,
    seconds: (to - from) / 1000,
    rss: { start: probe.start, peak: probe.peak, end: probe.end },
    ci,
    crashed,
    after,
    checks: result?.checks ?? [],
  };
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function print(rows: Row[]): void {
  console.log("\nhostile peers: flooded node RSS and viewers' continuity during each attack");
  console.log(
    [
      pad('attack', 46),
      pad('target', 11),
      pad('datagrams', 10),
      pad('s', 5),
      pad('RSS MiB start/peak/end', 23),
      pad('CI v0 / v1', 14),
      pad('crashes', 12),
      'verdict',
    ].join(' '),
  );
  let misses = 0;
  for (const r of rows) {
    const ciText = r.ci.map((c) => (Number.isNaN(c.ci) ? ' n/a' : c.ci.toFixed(3))).join(' / ');
    const rssOk = r.rss.peak - r.rss.start <= RSS_BUDGET && !r.crashed.length;
    const ciOk = r.ci.every((c) => c.ci >= CI_TARGET);
    const extra = r.checks.every((c) => c.pass);
    const verdict = [
      `RSS ${rssOk ? 'PASS' : 'MISS'}`,
      `CI ${ciOk ? 'PASS' : 'MISS'}`,
      ...r.checks.map((c) => `${c.name} ${c.pass ? 'PASS' : 'MISS'}`),
    ].join(', ');
    if (!rssOk || !ciOk || !extra || r.error) misses++;
    console.log(
      [
        pad(r.attack.name, 46),
        pad(r.attack.target, 11),
        pad(String(r.result?.datagrams ?? 0), 10),
        pad(r.seconds.toFixed(0), 5),
        pad(`${mib(r.rss.start)}/${mib(r.rss.peak)}/${mib(r.rss.end)}`, 23),
        pad(ciText, 14),
        pad(r.crashed.join(',') || 'none', 12),
        verdict,
      ].join(' '),
    );
    for (const n of r.result?.notes ?? []) console.log(`    ${n}`);
    console.log(
      `    after: ${r.after}; continuity counted ${r.ci.map((c) => `${c.due - c.missed}/${c.due}`).join(' and ')} segments`,
    );
    if (r.error) console.log(`    attack error: ${r.error}`);
  }
  console.log(`\n${rows.length - misses} of ${rows.length} attacks PASS every target; ${misses} MISS`);
}

async function main(): Promise<void> {
  if (!hasFfmpeg()) {
    console.error('bench:hostile needs ffmpeg on the PATH');
    process.exitCode = 2;
    return;
  }
  const names = values.only ? values.only.split(',') : Object.keys(ATTACKS);
  for (const n of names)
    if (!ATTACKS[n]) throw new Error(`unknown attack ${n}; known: ${Object.keys(ATTACKS).join(', ')}`);
  const rows: Row[] = [];
  let lab: Lab | null = null;
  const stopLab = async (): Promise<void> => {
    await lab?.stop();
    lab = null;
  };
  const onSignal = (): void => void stopLab().then(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const hardStop = setTimeout(
    () => {
      console.error('bench:hostile: over its time budget, stopping');
      void stopLab().then(() => process.exit(1));
    },
    (quick ? 15 : 40) * 60_000,
  );
  hardStop.unref();
  try {
    for (const name of names) {
      // A fresh lab when the last attack killed a process (a crash is reported, not carried).
      const current: Lab =
        lab && [lab.broadcaster, ...lab.viewers.map((v) => v.proc)].every((p) => p.alive())
          ? lab
          : await (async () => {
              await stopLab();
              const l = new Lab();
              await l.start();
              return l;
            })();
      lab = current;
      if (!(await current.waitPlaying(3, 40_000))) console.log(`(viewers not playing before ${name})`);
      // The last attack's sessions idle out first (15 s), so each attack meets a node with room.
      await sleep(rows.length === 0 ? 3000 : 17_000);
      console.error(`bench:hostile: ${name}…`);
      // Each attack from a loopback address of its own: a ban by IP (PROTOCOL §13.5) earned
      // by one attack must not keep the next out, nor the honest viewers on 127.0.0.1.
      setAttackerHost(`127.0.0.${10 + rows.length}`);
      rows.push(await runOne(current, ATTACKS[name]!));
    }
  } finally {
    await stopLab();
    clearTimeout(hardStop);
  }
  print(rows);
}

await main();
