// `shoal` — the headless engine: broadcast a folder, watch an address, or serve the UI to
// a browser. Thin layer over the Engine; every failure ends in a clear one-line message.

import { Command, InvalidArgumentError, Option } from 'commander';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DHT_NODE_PATTERN } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { Engine } from '../engine/engine.js';
import type { EngineConfigInput } from '../engine/engine-config.js';
import { findSampleFolder } from '../engine/sample-folder.js';
import { ensureFolder } from '../store/ensure-folder.js';
import { assertUdpPortFree } from './port-check.js';
import { UiLaunchFile, type UiLaunch } from './ui-launch-file.js';
import { findRendererRoot, UiServer } from './ui-server.js';
import { statusLine } from './status-line.js';
import { installProcessGuard } from '../engine/process-guard.js';

const intIn =
  (name: string, lo: number, hi: number) =>
  (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < lo || n > hi)
      throw new InvalidArgumentError(`${name} must be a whole number from ${lo} to ${hi}`);
    return n;
  };

/** `--upload-cap`: kbit/s, `auto` (find the line, PROTOCOL §9.4) or `none`. */
type UploadCapOption = number | 'auto' | 'none';

const uploadCapIn = (value: string): UploadCapOption => {
  const word = value.trim().toLowerCase();
  if (word === 'auto' || word === 'none') return word;
  const n = Number(word);
  if (!Number.isInteger(n) || n < 64 || n > 10_000_000)
    throw new InvalidArgumentError(
      'upload cap must be auto, none, or a whole number of kbit/s from 64 to 10000000',
    );
  return n;
};

const uploadCapSettings = (cap: UploadCapOption | undefined) =>
  cap === undefined
    ? {}
    : typeof cap === 'number'
      ? { uploadCapKbps: cap }
      : { uploadCapKbps: null, uploadCapAuto: cap === 'auto' };

function defaultDataDir(): string {
  const base = process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share');
  return join(base, 'shoal');
}

interface CommonOptions {
  port?: number;
  uploadCap?: UploadCapOption;
  maxPeers?: number;
  window?: number;
  joinDistance?: number;
  skipAfter?: number;
  http?: number;
  dataDir: string;
  advertise?: string;
  bind?: string;
  quiet?: boolean;
  /** false with --no-dht; undefined = as in Settings. */
  dht?: boolean;
  dhtBootstrap?: string[];
  dhtPort?: number;
  /** false with --no-port-mapping; commander's default otherwise (then the setting decides). */
  portMapping?: boolean;
}

/**
 * What the engine runs with. The HTTP gateway: `broadcast` and `watch` serve HLS over HTTP
 * only when asked (`--http`), as their help and the README say; `ui` follows the Settings
 * page (saved in the data folder), and `--http` turns it on there too.
 */
function engineInput(
  opts: CommonOptions,
  extra: Partial<EngineConfigInput> = {},
  gateway: 'flag-only' | 'settings' = 'flag-only',
): EngineConfigInput {
  const http =
    opts.http !== undefined
      ? { gatewayPort: opts.http, gatewayEnabled: true }
      : gateway === 'flag-only'
        ? { gatewayEnabled: false }
        : {};
  return {
    dataDir: opts.dataDir,
    advertiseHost: opts.advertise ?? null,
    sampleFolder: findSampleFolder(),
    settings: {
      ...(opts.port !== undefined && { udpPort: opts.port }),
      ...uploadCapSettings(opts.uploadCap),
      ...(opts.maxPeers !== undefined && { maxPeers: opts.maxPeers }),
      ...(opts.joinDistance !== undefined && { joinDistanceSegments: opts.joinDistance }),
      ...(opts.dht === false && { dhtEnabled: false }),
      ...(opts.dhtBootstrap !== undefined && { dhtBootstrap: opts.dhtBootstrap }),
      ...(opts.portMapping === false && { portMapping: false }),
      ...http,
    },
    ...(opts.dhtPort !== undefined && { dht: { port: opts.dhtPort } }),
    ...(opts.window !== undefined && { store: { maxSegments: opts.window } }),
    ...(opts.skipAfter !== undefined && { swarm: { resyncAfterSegments: opts.skipAfter } }),
    ...(opts.bind !== undefined && { transport: { bindHost: opts.bind } }),
    ...extra,
  };
}

/**
 * stderr as the CLI uses it: a live status line that messages interrupt cleanly, and each
 * message said once (an engine error that also ends the command is not repeated by main).
 */
const terminal = {
  statusShown: false,
  said: new Set<string>(),
  status(line: string): void {
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
    this.statusShown = true;
  },
  say(message: string): void {
    process.stderr.write(`${this.statusShown ? '\r\x1b[2K' : ''}shoal: ${message}\n`);
    this.statusShown = false;
    this.said.add(message);
  },
  /** For the final error: printed unless the engine already said exactly this. */
  sayOnce(message: string): void {
    if (!this.said.has(message)) this.say(message);
  },
};

/**
 * Runs until Ctrl-C (or, with `exitWhenEnded`, until the stream ends), printing a live
 * status line. Throws when the stream was not found, so the command fails.
 */
async function runUntilStopped(engine: Engine, quiet: boolean, exitWhenEnded: boolean): Promise<void> {
  const tty = process.stderr.isTTY;
  let lastPrinted = 0;
  let lastState = '';
  const off = engine.onSnapshot((s) => {
    if (quiet) return;
    const line = statusLine(s);
    if (tty) terminal.status(line);
    else if (s.at - lastPrinted >= 5000 || s.state !== lastState) {
      // In a log, every change of state gets its line at once (e.g. "broadcaster offline").
      lastPrinted = s.at;
      lastState = s.state;
      process.stderr.write(line + '\n');
    }
  });
  const outcome = await new Promise<'stopped' | 'ended' | 'not-found'>((resolve) => {
    const stop = (): void => resolve('stopped');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    if (exitWhenEnded) {
      engine.onEvent((e) => {
        const state = e.type === 'state' ? e.state : null;
        if (state === 'ended' || state === 'not-found') setTimeout(() => resolve(state), 500);
      });
    }
  });
  off();
  if (terminal.statusShown) process.stderr.write('\n');
  terminal.statusShown = false;
  const notFound = outcome === 'not-found' ? notFoundError(engine) : null;
  if (!notFound) process.stderr.write('shoal: stopping…\n');
  await engine.destroy();
  if (notFound) throw notFound;
}

/** Why `watch` gives up: the engine's own words (it has printed them) or a plain fallback. */
function notFoundError(engine: Engine): ShoalError {
  const last = engine.getSnapshot().lastError;
  if (last && (last.code === ErrorCode.STREAM_NOT_FOUND || last.code === ErrorCode.NO_PEERS))
    return new ShoalError(last.code, last.message, true);
  return new ShoalError(ErrorCode.STREAM_NOT_FOUND, 'the stream was not found', true);
}

/** Once the stream's record is on the DHT, its short address works too: say it (stderr). */
function sayShortAddressOnce(engine: Engine): void {
  const off = engine.onSnapshot((s) => {
    if (!s.shortAddress) return;
    off();
    terminal.say(`on the DHT: ${s.shortAddress}`);
  });
}

function parseDhtBootstrap(text: string): string[] {
  if (text.trim() === 'none') return [];
  const nodes = text.split(',').map((n) => n.trim());
  for (const n of nodes) {
    if (!DHT_NODE_PATTERN.test(n)) throw new InvalidArgumentError(`"${n}" is not host:port`);
  }
  return nodes;
}

async function withEngine(input: EngineConfigInput, body: (engine: Engine) => Promise<void>): Promise<void> {
  // Fail now with a clear message rather than at the first key or settings write.
  await ensureFolder(input.dataDir, 'data folder');
  const engine = new Engine(input);
  // Errors while the engine starts wait until we know whether they are fatal here.
  let early: string[] | null = [];
  engine.onEvent((e) => {
    if (e.type !== 'error' || process.env.SHOAL_QUIET_ERRORS) return;
    if (early) early.push(e.error.message);
    else terminal.say(e.error.message);
  });
  try {
    await engine.start();
    const startErrors = early;
    early = null;
    // Asked for on the command line, the gateway is not optional: say so (once) and stop.
    if (
      input.settings?.gatewayEnabled === true &&
      input.settings.gatewayPort !== undefined &&
      !engine.gatewayListening
    ) {
      const port = input.settings.gatewayPort;
      const inUse = startErrors.some((m) => m.includes(`port ${port} is in use`));
      throw new ShoalError(
        ErrorCode.IO,
        inUse
          ? `HLS gateway: port ${port} is in use (another Shoal, or another program): pick another with --http <port>, or --http 0 for any free port`
          : `HLS gateway: cannot listen on port ${port}: ${startErrors.join('; ')}`,
      );
    }
    for (const message of startErrors) terminal.say(message);
    await body(engine);
  } catch (err) {
    await engine.destroy().catch(() => undefined);
    throw err;
  }
}

/**
 * The UI server, at the same URL as last time with this data folder when it can be (a tab
 * left open reconnects by itself), else on the port asked for, or any free one.
 */
async function openUiServer(
  engine: Engine,
  rendererRoot: string,
  asked: number | undefined,
  last: UiLaunch | null,
): Promise<UiServer> {
  const token = last?.token ?? UiLaunchFile.newToken();
  if (asked === undefined && last) {
    const server = new UiServer({ engine, rendererRoot, port: last.port, token });
    try {
      await server.start();
      return server;
    } catch {
      await server.destroy(); // taken by now: any free port, with the same token
    }
  }
  const server = new UiServer({ engine, rendererRoot, port: asked ?? 0, token });
  await server.start();
  return server;
}

export function buildProgram(): Command {
  const program = new Command('shoal')
    .description('Peer-to-peer live streaming: broadcast an HLS folder, or watch and relay a stream.')
    .showHelpAfterError()
    .configureOutput({ outputError: (str, write) => write(str) });

  const common = (cmd: Command): Command =>
    cmd
      .addOption(
        new Option('-p, --port <udp>', 'UDP port (0 = any free port)').argParser(intIn('port', 0, 65535)),
      )
      .addOption(
        new Option(
          '--upload-cap <kbps|auto|none>',
          'upload cap in kilobits per second; auto finds the line (default: as in Settings, auto)',
        ).argParser(uploadCapIn),
      )
      .addOption(
        new Option(
          '--max-peers <n>',
          'most neighbours to keep (default 24; broadcast: direct viewers)',
        ).argParser(intIn('max peers', 1, 200)),
      )
      .addOption(
        new Option('--window <segments>', 'live window kept in memory, in segments').argParser(
          intIn('window', 3, 1000),
        ),
      )
      .addOption(
        new Option(
          '--http <port>',
          'serve HLS on http://127.0.0.1:<port> (0 = any free port); off without it (ui: as in Settings)',
        ).argParser(intIn('http port', 0, 65535)),
      )
      .option('--advertise <host>', "host to put in the stream address (default: this machine's LAN address)")
      .option(
        '--bind <host>',
        'address to bind the UDP socket to, IPv4 or IPv6 only (default: every address, IPv4 and IPv6 where the machine has both)',
      )
      .option('--no-dht', 'do not use the BitTorrent DHT (PROTOCOL §15): addresses need host:port')
      .addOption(
        new Option(
          '--dht-bootstrap <nodes>',
          'DHT nodes to join through, host:port comma-separated (default: the public routers; "none": no bootstrap)',
        ).argParser(parseDhtBootstrap),
      )
      .addOption(
        new Option('--dht-port <port>', 'UDP port of the DHT node (0 = any)').argParser(
          intIn('DHT port', 0, 65535),
        ),
      )
      .option('--no-port-mapping', "don't ask the router to forward our UDP port (UPnP, PCP, NAT-PMP)")
      .option('--data-dir <dir>', 'where keys and settings are kept', defaultDataDir())
      .option('-q, --quiet', 'no live status line');

  common(program.command('broadcast').argument('<folder>', 'folder where OBS or ffmpeg writes HLS'))
    .description('broadcast the HLS stream written into a folder; prints the stream address')
    .option('--name <name>', 'identity name: the same name keeps the same stream address', 'default')
    .option('--loop', 'replay a finished (VOD) playlist endlessly instead of ending the stream')
    .action(async (folder: string, opts: CommonOptions & { name: string; loop?: boolean }) => {
      const input = engineInput(opts);
      await withEngine(input, async (engine) => {
        const info = await engine.startBroadcast({ folder, identity: opts.name, loop: opts.loop ?? false });
        process.stdout.write(`${info.address}\n`);
        sayShortAddressOnce(engine);
        // A router mapping that arrives late (or moves) changes the address: print it again.
        let printed = info.address;
        engine.onSnapshot((s) => {
          if (s.mode !== 'broadcasting' || !s.address || s.address === printed) return;
          printed = s.address;
          process.stdout.write(`${s.address}\n`);
          terminal.say('the stream address changed (router port mapping): use the new one above');
        });
        const gw = engine.getSnapshot().gatewayUrl;
        if (gw) process.stderr.write(`shoal: local HLS at ${gw}\n`);
        await runUntilStopped(engine, Boolean(opts.quiet), false);
      });
    });

  common(program.command('watch').argument('<address>', 'stream address (shoal://…)'))
    .description('join a stream, relay it to other viewers, optionally serve it over HTTP and record it')
    .addOption(
      new Option('--join-distance <segments>', 'join this many segments behind live').argParser(
        intIn('join distance', 1, 20),
      ),
    )
    .addOption(
      new Option(
        '--skip-after <segments>',
        'stalled this many segments behind, jump ahead to live (1–100, default 4; 100: keep every segment)',
      ).argParser(intIn('skip after', 1, 100)),
    )
    .option('--no-upload', "leech only: don't upload to other viewers")
    .option('--record <file>', 'append the received stream to a file')
    .action(async (address: string, opts: CommonOptions & { upload: boolean; record?: string }) => {
      const input = engineInput(opts);
      input.settings = { ...input.settings, noUpload: !opts.upload };
      await withEngine(input, async (engine) => {
        // The moment watching begins (the NAT lab times the first segment from it: the app's case).
        if (!opts.quiet) process.stderr.write(`joining ${address}\n`);
        await engine.watch(address);
        if (opts.record) await engine.startRecording(opts.record);
        const s = engine.getSnapshot();
        if (s.gatewayUrl) process.stdout.write(`${s.gatewayUrl}\n`);
        await runUntilStopped(engine, Boolean(opts.quiet), true);
      });
    });

  common(program.command('ui'))
    .description('run the engine headless and serve the Shoal UI to a browser on 127.0.0.1')
    .addOption(
      new Option(
        '--ui-port <port>',
        'port of the UI server (default: the one used last with this data folder while it is free; 0 = any free port)',
      ).argParser(intIn('ui port', 0, 65535)),
    )
    .action(async (opts: CommonOptions & { uiPort?: number }) => {
      const rendererRoot = findRendererRoot();
      if (!rendererRoot) throw new ShoalError(ErrorCode.IO, 'the UI is not built: run `npm run build` first');
      // The UI opens its UDP port only when a session starts: check the one asked for now.
      if (opts.port) await assertUdpPortFree(opts.bind ?? null, opts.port);
      await withEngine(engineInput(opts, { mediaBaseUrl: 'pending' }, 'settings'), async (engine) => {
        const launches = new UiLaunchFile(opts.dataDir);
        const server = await openUiServer(engine, rendererRoot, opts.uiPort, await launches.load());
        await launches.save({ port: server.port, token: server.token });
        engine.setMediaBaseUrl(server.mediaBaseUrl);
        process.stdout.write(`${server.pageUrl}\n`);
        process.stderr.write('shoal: open the URL above in a browser (Ctrl-C to stop)\n');
        try {
          await runUntilStopped(engine, true, false);
        } finally {
          await server.destroy();
        }
      });
    });

  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    terminal.sayOnce(ShoalError.from(err).message);
    return 1;
  }
}

installProcessGuard();
const code = await main(process.argv);
if (code !== 0) process.exit(code);
