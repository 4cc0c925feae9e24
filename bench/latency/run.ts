// Glass-to-glass latency benchmark (not a test): `npm run bench:latency [-- options]`.
// On 127.0.0.1: a live ffmpeg writes 2 s segments with EXT-X-PROGRAM-DATE-TIME; `shoal
// broadcast` ingests them; N viewer engines, each in a process of its own and already
// running, are told to watch at once, and each is played by hls.js (with the app's
// settings) in headless Chromium from its own gateway. Beside them, hls.js reads the
// encoder's folder over plain HTTP, once with hls.js's defaults and once with the app's
// settings. Per player it prints Watch → first frame, glass-to-glass p50/p95 (wall clock −
// hls.playingDate), stalls, stall time, continuity, dropped frames (see page-probe.ts).
// It prints figures; it asserts nothing.

import { fork, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { LIVE_HLS_CONFIG } from '../../src-renderer/components/player/hls-config.js';
import { startLiveHls } from '../../test/fixtures/ffmpeg.js';
import { shoalProcess, type ShoalProcess } from '../../test/fixtures/shoal-process.js';
import { openPlayerPage, type PlayerPage } from './page-probe.js';
import { percentile, pooled, renderTable, type PlayerRow } from './report.js';
import { serveFolder } from './source-server.js';
import type { FromViewer, ToViewer } from './viewer-engine.js';

const { values: opts } = parseArgs({
  options: {
    viewers: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '60' },
    segment: { type: 'string', default: '2' },
    hls: { type: 'string', default: '{}' },
    stagger: { type: 'string', default: '0' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (opts.help) {
  console.log(`npm run bench:latency -- [--viewers 8] [--seconds 60] [--segment 2] [--stagger 0] [--hls '<json>']
  --viewers   viewer engines, each played by its own hls.js page
  --seconds   how long each viewer watches after its Watch
  --stagger   seconds between one viewer's Watch and the next's (0: all at once); with it,
              each viewer but the first joins a running swarm alone, as in the app
  --segment   encoder segment length (s)
  --verbose   also Watch → each step of hls.js's start, per player
  --hls       hls.js settings merged over the app's (src-renderer/components/player/hls-config.ts)
              for the viewers, e.g. '{"liveSyncDuration":3}'`);
  process.exit(0);
}
const VIEWERS = Math.max(1, Number(opts.viewers));
const SECONDS = Math.max(10, Number(opts.seconds));
const SEGMENT_S = Math.max(1, Number(opts.segment));
const STAGGER_S = Math.max(0, Number(opts.stagger));
const APP_CONFIG = { ...LIVE_HLS_CONFIG, ...(JSON.parse(opts.hls) as object) } as Record<string, unknown>;
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const VIEWER = fileURLToPath(new URL('./viewer-engine.ts', import.meta.url));

interface Viewer {
  child: ChildProcess;
  gatewayPort: number;
  page: PlayerPage | null;
  watching: Promise<{ url: string; watchAt: number }>;
  engineBehind: number[];
  fromPeers: number | null;
  arrivals: Map<number, { at: number; source: string }>;
  /** When its engine linked to its first neighbour after Watch, and whom. */
  linked: { at: number; role: string } | null;
  /** When the bench told it to watch (bench clock), for the time watched. */
  pressedAt: number;
  /** When its engine was told to watch (the viewer's clock, the page's reference). */
  watchAt: number;
}

function startViewer(): Promise<Viewer> {
  const child = fork(VIEWER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, SHOAL_QUIET_ERRORS: '1' },
  });
  return new Promise((resolve, reject) => {
    let onWatching: (v: { url: string; watchAt: number }) => void = () => {};
    let onFailed: (e: Error) => void = () => {};
    const watching = new Promise<{ url: string; watchAt: number }>((res, rej) => {
      onWatching = res;
      onFailed = rej;
    });
    watching.catch(() => undefined);
    const timer = setTimeout(() => reject(new Error('a viewer engine did not start')), 60_000);
    let viewer: Viewer | undefined;
    child.on('message', (raw) => {
      const m = raw as FromViewer;
      if (m.type === 'ready') {
        clearTimeout(timer);
        viewer = {
          child,
          gatewayPort: m.gatewayPort,
          page: null,
          watching,
          engineBehind: [],
          fromPeers: null,
          arrivals: new Map(),
          linked: null,
          pressedAt: 0,
          watchAt: 0,
        };
        resolve(viewer as Viewer);
      } else if (m.type === 'watching') onWatching(m);
      else if (m.type === 'failed') onFailed(new Error(m.message));
      else if (m.type === 'arrival') viewer?.arrivals.set(m.seq, { at: m.at, source: m.source });
      else if (m.type === 'linked' && viewer) viewer.linked = { at: m.at, role: m.role };
      else if (m.type === 'engine' && viewer) {
        if (m.behindLiveSec !== null && m.state === 'playing') viewer.engineBehind.push(m.behindLiveSec);
        const total = m.fromPeers + m.fromBroadcaster;
        viewer.fromPeers = total > 0 ? m.fromPeers / total : null;
      }
    });
    child.once('exit', (code) => reject(new Error(`a viewer engine exited (${code})`)));
  });
}

const send = (v: Viewer, m: ToViewer): void => void v.child.send(m);

/** --verbose: Watch → the engine's first link and its first segments stored (seq, source), ms. */
function engineSteps(v: Viewer): string {
  const steps: string[] = [];
  if (v.linked) steps.push(`linked to ${v.linked.role} ${v.linked.at - v.watchAt}`);
  const first = [...v.arrivals].sort((a, b) => a[1].at - b[1].at).slice(0, 4);
  for (const [seq, { at, source }] of first) steps.push(`segment ${seq} from ${source} ${at - v.watchAt}`);
  return steps.join(', ');
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const root = await mkdtemp(join(tmpdir(), 'shoal-bench-latency-'));
const folder = join(root, 'hls');
await mkdir(folder);
const live = startLiveHls(folder, { segmentSeconds: SEGMENT_S, listSize: 6 });
const viewers: Viewer[] = [];
let browser: Browser | null = null;
const source = await serveFolder(folder);
let broadcaster: ShoalProcess | null = null;
try {
  const loadBefore = loadavg();
  await live.waitForSegments(2, 60_000);
  broadcaster = shoalProcess([
    'broadcast', folder, '--quiet', '--no-dht', '--no-port-mapping', '--data-dir', join(root, 'broadcaster'),
  ]); // prettier-ignore
  const address = await broadcaster.firstLine(60_000);
  viewers.push(...(await Promise.all(Array.from({ length: VIEWERS }, () => startViewer()))));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-background-timer-throttling',
      '--disable-renderer-backgrounding',
      '--disable-backgrounding-occluded-windows',
    ],
  });
  const b = browser;
  for (const v of viewers) v.page = await openPlayerPage(b, `http://127.0.0.1:${v.gatewayPort}`);
  const plainDefault = await openPlayerPage(b, source.origin);
  const plainApp = await openPlayerPage(b, source.origin);
  // Let the stream run a little, as when a user opens an address they were sent.
  await sleep(2 * SEGMENT_S * 1000);

  console.log(
    STAGGER_S > 0
      ? `${VIEWERS} viewers press Watch one at a time, ${STAGGER_S} s apart; each watches for ${SECONDS} s`
      : `${VIEWERS} viewers press Watch; watching for ${SECONDS} s`,
  );
  const startedAt = Date.now();
  const plainUrl = `${source.origin}/stream.m3u8`;
  await Promise.all([
    plainDefault.start(plainUrl, null, Date.now()),
    plainApp.start(plainUrl, APP_CONFIG, Date.now()),
    ...viewers.map(async (v, i) => {
      await sleep(i * STAGGER_S * 1000);
      v.pressedAt = Date.now();
      send(v, { type: 'watch', address });
      const { url, watchAt } = await v.watching;
      v.watchAt = watchAt;
      await v.page!.start(url, APP_CONFIG, watchAt);
    }),
  ]);
  const lastPressedAt = Math.max(startedAt, ...viewers.map((v) => v.pressedAt));
  await sleep(Math.max(0, lastPressedAt + SECONDS * 1000 - Date.now()));

  const watchedMs = (firstFrameMs: number | null, since = startedAt) =>
    firstFrameMs === null ? 0 : Date.now() - since - firstFrameMs;
  const rows: PlayerRow[] = [];
  for (const [i, v] of viewers.entries()) {
    const probe = await v.page!.result();
    rows.push({
      name: `viewer ${i}`,
      probe,
      engineBehindSec: percentile(v.engineBehind, 50),
      atEngineMs: percentile(
        [...v.arrivals].flatMap(([seq, { at }]) => {
          const end = probe.segmentEndMs[seq];
          return end === undefined ? [] : [at - end];
        }),
        50,
      ),
      fromPeers: v.fromPeers,
      watchedMs: watchedMs(probe.firstFrameMs, v.pressedAt),
    });
  }
  const shoalRows = [...rows];
  for (const [name, page] of [
    ['plain HTTP, hls.js defaults', plainDefault],
    ["plain HTTP, app's hls.js settings", plainApp],
  ] as const) {
    const probe = await page.result();
    rows.push({
      name,
      probe,
      engineBehindSec: null,
      atEngineMs: null,
      fromPeers: null,
      watchedMs: watchedMs(probe.firstFrameMs),
    });
  }
  const loadAfter = loadavg();
  console.log(renderTable(rows));
  if (opts.verbose) {
    for (const r of rows) console.log(`${r.name}: Watch → ${JSON.stringify(r.probe?.milestones ?? {})} ms`);
    for (const [i, v] of viewers.entries()) console.log(`viewer ${i} engine: Watch → ${engineSteps(v)}`);
  }
  const all = pooled(shoalRows);
  const firstFrames = shoalRows.flatMap((r) => (r.probe?.firstFrameMs != null ? [r.probe.firstFrameMs] : []));
  const f = (ms: number | null) => (ms === null ? '–' : `${(ms / 1000).toFixed(1)} s`);
  console.log(
    `Shoal viewers pooled: glass-to-glass p50 ${f(all.p50)}, p95 ${f(all.p95)}; ` +
      `first frame p50 ${f(percentile(firstFrames, 50))}`,
  );
  console.log(
    `viewer hls.js settings: ${JSON.stringify(opts.hls === '{}' ? "the app's" : JSON.parse(opts.hls))}`,
  );
  console.log(
    `load average before ${loadBefore.map((l) => l.toFixed(2)).join(' ')}, after ${loadAfter.map((l) => l.toFixed(2)).join(' ')}`,
  );
} finally {
  await browser?.close().catch(() => undefined);
  for (const v of viewers) send(v, { type: 'stop' });
  await Promise.all(
    viewers.map((v) => new Promise((r) => (v.child.exitCode !== null ? r(null) : v.child.once('exit', r)))),
  );
  broadcaster?.kill('SIGINT');
  await broadcaster?.exited();
  await live.stop(false);
  await source.close();
  await rm(root, { recursive: true, force: true });
}
