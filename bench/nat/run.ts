// The NAT lab (issue 16 §1): `npm run lab:nat -- --scenario <home|cone|symmetric|public|dht|move|ci>`.
// Builds home routers with real kernel NAT in network namespaces, streams live ffmpeg through
// real `shoal` CLI processes placed behind them, prints a table, and tears everything down,
// also on Ctrl-C, SIGTERM or failure. Needs root. README "NAT lab".

import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { runId, WAN_PREFIX_LEN } from './addressing.js';
import { cliErrors, lastStatus } from './cli-status.js';
import { linkCounters, receivedBySource } from './counters.js';
import { dhtArgs, dhtFigures, readdress, readdressRouter, shortAddressIn, startDhtNodes } from './dht-lab.js';
import { ffmpegArgs, LabProcesses, schedStats, type LabProcess } from './processes.js';
import { RecordingTracker, SourceSegments } from './recording-tracker.js';
import {
  computeFigures,
  formatReport,
  labProblems,
  recordFromJson,
  recordToJson,
  type RunRecord,
  type ViewerRecord,
} from './report.js';
import { SCENARIOS, withOverrides, withoutPortMapping, type Scenario } from './scenarios.js';
import { capUplink } from './shaping.js';
import { inNs, sh } from './shell.js';
import { cannotBuild, removeLeftovers, Topology, type LabHost } from './topology.js';
import { checkNatPmp, describeNatPmp, MINIUPNPD, startMiniupnpd, type StunHost } from './upnp.js';
import { TABLE, UPNP_CHAINS } from './nat-rules.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..', '..');
const SHOAL = join(ROOT, 'bin', 'shoal.js');
const BROADCAST_PORT = 40000;
const VIEWER_STAGGER_MS = 1000;
const POLL_MS = 250;

class Aborted extends Error {}
let abortedBy: string | null = null;

const log = (line: string): void => void process.stderr.write(`natlab: ${line}\n`);

async function pause(ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (abortedBy) throw new Aborted(`stopped by ${abortedBy}`);
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
  }
  if (abortedBy) throw new Aborted(`stopped by ${abortedBy}`);
}

async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | null>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await pause(200);
  }
}

const readText = (file: string): Promise<string> => readFile(file, 'utf8').catch(() => '');

interface Options {
  scenario: Scenario;
  outDir: string;
  /** Print the table of an earlier run's record.json instead of running. */
  reportFrom: string | null;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scenario: { type: 'string', default: 'ci' },
      viewers: { type: 'string' },
      duration: { type: 'string' },
      'dht-nodes': { type: 'string' },
      out: { type: 'string' },
      'report-from': { type: 'string' },
      'port-mapping': { type: 'string', default: 'on' },
      help: { type: 'boolean', default: false },
    },
  });
  const names = Object.keys(SCENARIOS).join(' | ');
  if (values.help) {
    console.log(
      `npm run lab:nat -- --scenario <${names}> [--viewers n] [--duration s] [--dht-nodes n] [--out dir]\n` +
        `npm run lab:nat -- --report-from <dir>   (the table of an earlier run, from its record.json)\n` +
        Object.values(SCENARIOS)
          .map((s) => `  ${s.name.padEnd(10)} ${s.summary}`)
          .join('\n'),
    );
    process.exit(0);
  }
  const base = SCENARIOS[values.scenario!];
  if (!base) throw new Error(`unknown scenario "${values.scenario}" (one of: ${names})`);
  const int = (v: string | undefined, what: string, lo: number, hi: number): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < lo || n > hi)
      throw new Error(`--${what} must be a whole number ${lo}–${hi}`);
    return n;
  };
  const mappingFlag = values['port-mapping'];
  if (mappingFlag !== 'on' && mappingFlag !== 'off') throw new Error('--port-mapping must be on or off');
  const overridden = withOverrides(
    base,
    int(values.viewers, 'viewers', 1, 60),
    int(values.duration, 'duration', 10, 3600),
    int(values['dht-nodes'], 'dht-nodes', 0, 16),
  );
  const scenario = mappingFlag === 'off' ? withoutPortMapping(overridden) : overridden;
  return {
    scenario,
    outDir: resolve(values.out ?? join(ROOT, '.bench-out', 'nat', scenario.name)),
    reportFrom: values['report-from'] ?? null,
  };
}

interface Built {
  notes: string[];
  natPmpSilent: number[];
  /** host:port of the lab's DHT bootstrap nodes (none: the run has no DHT). */
  dhtNodes: string[];
}

async function buildNetwork(sc: Scenario, topo: Topology, dir: string, procs: LabProcesses): Promise<Built> {
  const notes: string[] = [];
  const natPmpSilent: number[] = [];
  await topo.buildInternet();
  // DHT bootstrap nodes (issue 16 §4): public hosts outside the swarm, before the stream.
  const dhtNodes = await startDhtNodes(sc, topo, procs, dir, HERE);
  if (dhtNodes.length) notes.push(`DHT bootstrap nodes: ${dhtNodes.join(' ')}`);
  const b = sc.broadcaster;
  const forwards = b.nat !== 'public' && b.portForward ? [{ port: BROADCAST_PORT, toIp: `192.168.0.2` }] : [];
  const bh = await topo.addHost(0, b, forwards);
  if (forwards.length)
    notes.push(
      `broadcaster behind a ${b.nat} router${b.upnp ? ' with UPnP' : ''}: UDP ${BROADCAST_PORT} forwarded by hand ` +
        `(DNAT ${bh.publicIp}:${BROADCAST_PORT} -> ${bh.lanIp}:${BROADCAST_PORT}), advertised as ${bh.publicIp}`,
    );
  for (let i = 0; i < sc.viewers.length; i++) await topo.addHost(i + 1, sc.viewers[i]!);
  // Viewers started later (scenario `move`) get the next indexes; their namespaces exist from the start.
  const late = sc.late?.viewers ?? [];
  for (let j = 0; j < late.length; j++) await topo.addHost(sc.viewers.length + 1 + j, late[j]!);
  const upnpHosts = topo.hosts.filter((h) => h.spec.upnp);
  // The lab's STUN server, a public host of its own: miniupnpd learns its WAN address from it
  // (upnp.ts says why). Added after the stream's hosts so their indices stay as they were.
  const stun = upnpHosts.length ? await addStunHost(topo, dir, procs) : null;
  await topo.routeIpv6();
  await topo.installAccounting();
  for (const h of topo.hosts)
    if (h.spec.upMultiple !== null)
      await capUplink(h.hostNs, 'eth0', Math.round(sc.bitrateKbps * h.spec.upMultiple));
  for (const h of upnpHosts) await startMiniupnpd(h, dir, procs, stun!);
  if (upnpHosts.length) await pause(1000);
  for (const h of upnpHosts) {
    const answer = await checkNatPmp(h, join(HERE, 'natpmp-probe.ts'));
    if (!answer.answered) natPmpSilent.push(h.index);
    const line = describeNatPmp(answer);
    log(line);
    notes.push(line);
  }
  return { notes, natPmpSilent, dhtNodes };
}

const STUN_INDEX = 239;

async function addStunHost(topo: Topology, dir: string, procs: LabProcesses): Promise<StunHost> {
  const h = await topo.addHost(STUN_INDEX, { nat: 'public', upnp: false, upMultiple: null });
  const stun = { ip: h.publicIp, port: 3478 };
  const p = procs.start(
    'stun',
    h.hostNs,
    process.execPath,
    ['--import', 'tsx', join(HERE, 'stun-server.ts'), stun.ip, String(stun.port)],
    dir,
    'stun.log',
  );
  await waitFor('the STUN server', 20_000, async () => {
    if (p.exited) throw new Error(`the STUN server exited: ${await readText(join(dir, 'stun.log'))}`);
    return (await readText(join(dir, 'stun.log'))).includes('listening') ? true : null;
  });
  return stun;
}

/** Per UPnP router: the node's own word (its status line) and the router's nftables DNAT rules. */
async function portMappingNotes(topo: Topology, dir: string): Promise<string[]> {
  const notes: string[] = [];
  for (const h of topo.hosts.filter((x) => x.spec.upnp && x.routerNs)) {
    const said = lastStatus(await readText(join(dir, `h${h.index}.log`)))?.reachable ?? 'no status line';
    const chain = await inNs(h.routerNs!, 'nft', [
      'list',
      'chain',
      'inet',
      TABLE,
      UPNP_CHAINS.prerouting,
    ]).catch((e: Error) => e.message);
    const rules = [...chain.matchAll(/th dport (\d+) dnat ip to ([\d.]+:\d+)/g)].map(
      (m) => `${m[1]} -> ${m[2]}`,
    );
    const ok = rules.some((r) => r.includes(`-> ${h.lanIp}:`));
    notes.push(
      `port mapping h${h.index} (${h.index === 0 ? 'broadcaster' : 'viewer'}, ${h.spec.nat}): ` +
        `${ok ? 'MAPPED' : 'NOT MAPPED'}; node says "${said}"; router r${h.index} nft DNAT: ${rules.join(', ') || 'none'}`,
    );
  }
  return notes;
}

async function main(): Promise<number> {
  const { scenario: sc, outDir, reportFrom } = parseOptions(process.argv.slice(2));
  if (reportFrom) {
    const record = recordFromJson(await readFile(join(reportFrom, 'record.json'), 'utf8'));
    console.log(formatReport(record, computeFigures(record)));
    return 0;
  }
  const needsUpnp = [sc.broadcaster, ...sc.viewers].some((h) => h.upnp);
  const why =
    (await cannotBuild()) ??
    (needsUpnp && !existsSync(MINIUPNPD)
      ? `scenario ${sc.name} has UPnP routers and needs ${MINIUPNPD} (apt-get install miniupnpd-nftables)`
      : null);
  if (why) {
    log(`cannot build the lab: ${why}`);
    return 2;
  }
  await removeLeftovers(log);
  const run = runId(process.pid);
  const topo = new Topology(run, sc.ipv6 === true);
  const procs = new LabProcesses();
  const previous: string[] = await readdir(outDir).catch(() => []);
  if (previous.length > 0 && !previous.includes('ffmpeg.log')) {
    log(`refusing to clear ${outDir}: it is not an earlier NAT lab output folder`);
    return 2;
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(join(outDir, 'source'), { recursive: true });
  const onSignal = (signal: string): void => {
    if (abortedBy) return;
    abortedBy = signal;
    log(`${signal}: stopping and tearing down`);
  };
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));

  let report: RunRecord | null = null;
  let failed: unknown = null;
  try {
    log(`scenario ${sc.name}: ${sc.summary} (run ${run}, logs in ${outDir})`);
    let built: Built;
    try {
      built = await buildNetwork(sc, topo, outDir, procs);
    } catch (err) {
      if (err instanceof Aborted) throw err;
      throw new Error(`cannot build the lab's namespaces: ${(err as Error).message}`);
    }
    log(`built ${topo.hosts.length} hosts (${topo.hosts.filter((h) => h.routerNs).length} behind routers)`);
    report = await stream(sc, topo, procs, outDir, built);
  } catch (err) {
    failed = err;
  } finally {
    await procs.stopAll();
    await topo.destroy();
  }
  const left = (await sh('ip', ['netns', 'list'])).split('\n').filter((l) => l.startsWith(`natlab${run}-`));
  log(left.length === 0 ? 'torn down: no namespace of this run is left' : `LEFT BEHIND: ${left.join(', ')}`);
  let problems: string[] = [];
  if (report) {
    const figures = computeFigures(report);
    problems = labProblems(report, figures);
    console.log(formatReport(report, figures));
    for (const p of problems) log(`LAB PROBLEM: ${p}`);
  }
  if (failed) {
    log(failed instanceof Aborted ? failed.message : `failed: ${(failed as Error).message}`);
    return failed instanceof Aborted ? 130 : 1;
  }
  return left.length === 0 && problems.length === 0 ? 0 : 1;
}

async function stream(
  sc: Scenario,
  topo: Topology,
  procs: LabProcesses,
  dir: string,
  built: Built,
): Promise<RunRecord> {
  const notes = [...built.notes];
  const sourceDir = join(dir, 'source');
  const source = new SourceSegments(sourceDir);
  const b = topo.hosts[0]!;
  const dht = dhtArgs(built.dhtNodes);
  const noMapping = sc.portMapping === false ? ['--no-port-mapping'] : [];
  // In the broadcaster's namespace (it needs no network): a crashed run's ffmpeg is then
  // stopped with the namespace by the next run (topology.ts, removeLeftovers).
  const ffmpeg = procs.start(
    'ffmpeg',
    b.hostNs,
    'ffmpeg',
    ffmpegArgs(sourceDir, sc.bitrateKbps, sc.segmentSec),
    dir,
    'ffmpeg.log',
  );
  await waitFor("ffmpeg's first segment", 20_000, async () => {
    if (ffmpeg.exited) throw new Error(`ffmpeg exited: ${await readText(join(dir, 'ffmpeg.log'))}`);
    return existsSync(join(sourceDir, 'stream.m3u8')) ? true : null;
  });

  const broadcaster = procs.start(
    'broadcaster',
    b.hostNs,
    process.execPath,
    [
      SHOAL,
      'broadcast',
      sourceDir,
      '--port',
      String(BROADCAST_PORT),
      // Dual stack: the default bind, every address of both IP versions.
      ...(sc.ipv6 ? [] : ['--bind', '0.0.0.0']),
      // Behind a UPnP router without a hand-made forward, the address comes from the mapping;
      // a broadcaster that will change address advertises what its interfaces say (PROTOCOL §15.1).
      ...((b.spec.upnp && !sc.broadcaster.portForward) || sc.readdressAtSec !== undefined
        ? []
        : ['--advertise', b.publicIp]),
      ...noMapping,
      '--data-dir',
      join(dir, 'data-h0'),
      '--name',
      'natlab',
      ...dht,
      // The broadcaster knows its own line, as a user sets it in Settings (issue 16: "the
      // broadcaster, within its upload cap"): 5% under the tbf rate, for IP and UDP headers.
      ...(b.spec.upMultiple === null
        ? []
        : ['--upload-cap', String(Math.round(0.95 * sc.bitrateKbps * b.spec.upMultiple))]),
    ],
    dir,
    'h0.log',
  );
  const address = await waitFor("the broadcaster's stream address", 30_000, async () => {
    const text = await readText(join(dir, 'h0.log'));
    if (broadcaster.exited) throw new Error(`the broadcaster exited: ${text.trim()}`);
    return /^(shoal:\/\/\S+)$/m.exec(text)?.[1] ?? null;
  });
  log(`broadcasting ${address}`);
  // With a DHT, viewers get only the short address, once the record is stored.
  const watchAddress =
    built.dhtNodes.length === 0
      ? directAddress(sc, address, b)
      : await waitFor('the record on the DHT', 60_000, async () =>
          shortAddressIn(await readText(join(dir, 'h0.log'))),
        );
  if (watchAddress !== address) log(`viewers watch ${watchAddress}`);
  const broadcasterAt = Date.now();

  const viewerHosts = topo.hosts.slice(1).filter((h) => h.index !== STUN_INDEX);
  const lateIndexes = new Set(viewerHosts.filter((h) => h.index > sc.viewers.length).map((h) => h.index));
  const started = new Map<LabHost, { proc: LabProcess; at: number; tracker: RecordingTracker }>();
  // When each viewer's CLI began to watch (its "joining" line): its process start-up (tsx
  // compiling the sources on a busy machine) is not part of what a user of the app waits for.
  const joinedAt = new Map<number, number>();
  let reading = false;
  const joinWatch = setInterval(() => {
    const waiting = [...started.keys()].filter((h) => !joinedAt.has(h.index));
    // Done once every viewer (late ones too) has joined; one round of reads at a time.
    if (started.size === viewerHosts.length && waiting.length === 0) clearInterval(joinWatch);
    if (reading || waiting.length === 0) return;
    reading = true;
    void Promise.all(
      waiting.map(async (h) => {
        const text = await readText(join(dir, `h${h.index}.log`));
        if (/^joining /m.test(text)) joinedAt.set(h.index, Date.now());
      }),
    ).finally(() => (reading = false));
  }, 50);
  // A failed run exits without reaching the end of this function: never hold the process.
  joinWatch.unref();
  const pollAll = async (): Promise<void> => {
    await source.refresh();
    const now = Date.now();
    for (const v of started.values()) await v.tracker.poll(now);
  };
  const startViewer = (h: LabHost): void => {
    const rec = join(dir, `rec-v${h.index}.ts`);
    const proc = procs.start(
      `viewer v${h.index}`,
      h.hostNs,
      process.execPath,
      [
        SHOAL,
        'watch',
        watchAddress,
        '--record',
        rec,
        '--data-dir',
        join(dir, `data-h${h.index}`),
        ...noMapping,
        ...dht,
      ],
      dir,
      `h${h.index}.log`,
    );
    started.set(h, { proc, at: Date.now(), tracker: new RecordingTracker(rec, source) });
  };
  for (const h of viewerHosts.filter((x) => !lateIndexes.has(x.index))) {
    startViewer(h);
    await pause(VIEWER_STAGGER_MS);
    await pollAll();
  }
  log(`${started.size} viewers started; measuring for ${sc.durationSec} s`);

  const t0 = Date.now();
  const windowFrom = t0 + Math.min(10, sc.durationSec / 3) * 1000;
  let txAtWindow: number | null = null;
  let nextReport = t0 + 15_000;
  const loads: number[] = [];
  let readdressedAt: number | null = null;
  let routerLearnt: Promise<string> | null = null;
  while (Date.now() < t0 + sc.durationSec * 1000) {
    await pause(POLL_MS);
    await pollAll();
    if (
      sc.readdressAtSec !== undefined &&
      readdressedAt === null &&
      Date.now() >= t0 + sc.readdressAtSec * 1000
    ) {
      const next = b.routerNs ? await readdressRouter(b, WAN_PREFIX_LEN) : await readdress(b, WAN_PREFIX_LEN);
      readdressedAt = Date.now();
      log(`the broadcaster's ${b.routerNs ? "router's WAN" : ''} address changed: ${b.publicIp} -> ${next}`);
      if (b.spec.upnp) routerLearnt = whenRouterSays(b, next, readdressedAt);
    }
    if (sc.late && Date.now() >= t0 + sc.late.atSec * 1000)
      for (const h of viewerHosts)
        if (lateIndexes.has(h.index) && !started.has(h)) {
          startViewer(h);
          log(`late viewer v${h.index} started (${watchAddress})`);
        }
    if (txAtWindow === null && Date.now() >= windowFrom)
      txAtWindow = (await linkCounters(b.hostNs, 'eth0')).txBytes;
    if (Date.now() >= nextReport) {
      nextReport += 15_000;
      loads.push(loadavg()[0]!);
      const counts = [...started.values()].map((v) => v.tracker.arrivals.size);
      log(`${Math.round((Date.now() - t0) / 1000)} s: segments per viewer ${counts.join(' ')}`);
    }
  }
  const endAt = Date.now();
  const cpu = new Map<LabHost, ViewerRecord['cpu']>();
  for (const [h, v] of started) {
    const st = v.proc.exited || !v.proc.child.pid ? null : await schedStats(v.proc.child.pid);
    const wallNs = (endAt - v.at) * 1e6;
    cpu.set(h, st && { used: st.runNs / wallNs, waited: st.waitNs / wallNs });
  }
  const bst = broadcaster.child.pid ? await schedStats(broadcaster.child.pid) : null;
  if (bst) {
    const wallNs = (endAt - broadcasterAt) * 1e6;
    notes.push(
      `broadcaster CLI: ${Math.round((100 * bst.runNs) / wallNs)}% of a core, ` +
        `waited for a CPU ${Math.round((100 * bst.waitNs) / wallNs)}% of the time`,
    );
  }
  await pollAll();
  if (routerLearnt) {
    const line = await routerLearnt;
    log(line);
    notes.push(line);
  }
  const mappingNotes = await portMappingNotes(topo, dir);
  for (const n of mappingNotes) log(n);
  notes.push(...mappingNotes);
  const txEnd = (await linkCounters(b.hostNs, 'eth0')).txBytes;
  const windowSec = (endAt - Math.max(windowFrom, t0)) / 1000;
  const viewers: ViewerRecord[] = [];
  let ipv6Bytes = 0;
  let countedBytes = 0;
  for (const h of viewerHosts) {
    const v = started.get(h)!;
    const text = await readText(join(dir, `h${h.index}.log`));
    const accounting = await receivedBySource(h.hostNs);
    ipv6Bytes += accounting.ipv6Bytes;
    for (const n of accounting.bySource.values()) countedBytes += n;
    viewers.push({
      index: h.index,
      nat: h.spec.nat,
      upnp: h.spec.upnp,
      publicIp: h.publicIp,
      arrivals: v.tracker.arrivals,
      received: accounting.bySource,
      cli: lastStatus(text),
      errors: cliErrors(text),
      exitedAfterSec: v.proc.exited ? (v.proc.exited.at - v.at) / 1000 : null,
      cpu: cpu.get(h) ?? null,
    });
  }
  if (sc.ipv6) {
    const share = countedBytes > 0 ? Math.round((100 * ipv6Bytes) / countedBytes) : 0;
    const line = `dual stack: ${share}% of the bytes viewers received from the broadcaster and each other came over IPv6 (kernel)`;
    log(line);
    notes.push(line);
  }

  const totals = source.totals();
  const record: RunRecord = {
    scenario: sc,
    endAt,
    broadcasterIp: b.publicIp,
    segmentDoneAt: source.doneAt(),
    sourceBitrateKbps: totals.count ? (totals.bytes * 8) / (totals.count * sc.segmentSec) / 1000 : 0,
    broadcasterTxBytes: txEnd - (txAtWindow ?? txEnd),
    windowSec,
    viewers,
    natPmpSilent: built.natPmpSilent,
    notes: [
      ...notes,
      `machine: ${cpus().length} CPUs, 1-min load average during the run ${loads.map((l) => l.toFixed(1)).join(', ')} ` +
        '(other work on the machine shows up here)',
    ],
  };
  clearInterval(joinWatch);
  const startedAt = new Map([...started].map(([h, v]) => [h.index, v.at]));
  record.notes.push(...dhtFigures(record, startedAt, readdressedAt, lateIndexes, joinedAt));
  await writeFile(join(dir, 'record.json'), recordToJson(record));
  return record;
}

/**
 * The full address viewers get without a DHT: in a dual-stack scenario with the broadcaster's
 * IPv6 endpoint beside its IPv4 one, or (watchOverIpv6) instead of it.
 */
function directAddress(sc: Scenario, address: string, b: LabHost): string {
  if (!b.ipv6) return address;
  const v6 = `[${b.ipv6.host}]:${BROADCAST_PORT}`;
  return sc.watchOverIpv6 ? address.replace(/@.*$/, `@${v6}`) : `${address},${v6}`;
}

/**
 * After a router's WAN changed: asks its miniupnpd over NAT-PMP (from the LAN host, as the
 * node does) until it says the new address, and says how long that took.
 */
async function whenRouterSays(h: LabHost, next: string, since: number): Promise<string> {
  const what = `NAT-PMP on router r${h.index} after its WAN changed to ${next}`;
  let last = 'no answer';
  while (Date.now() - since < 30_000 && !abortedBy) {
    const a = await checkNatPmp(h, join(HERE, 'natpmp-probe.ts'));
    if (a.answered && a.externalIp === next)
      return `${what}: answered it ${((Date.now() - since) / 1000).toFixed(1)} s after the change (asked every ~1 s)`;
    last = a.answered ? `result ${a.resultCode}, external address ${a.externalIp}` : (a.error ?? 'no answer');
    await new Promise((r) => setTimeout(r, 500));
  }
  return `${what}: NOT within 30 s (last: ${last})`;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log(`failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
