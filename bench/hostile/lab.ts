// The node under attack and its honest audience, as separate OS processes on 127.0.0.1:
// a live ffmpeg source, `shoal broadcast` on its folder, and two `shoal watch` viewers
// with HTTP gateways. Reads a process's RSS from /proc, and follows each viewer's gateway
// playlist to time when every segment became playable there.

import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseStreamAddress, publicKeyBytes } from '../../src-shared/stream-address.js';
import { startLiveHls, type LiveHls } from '../../test/fixtures/ffmpeg.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'src-main/cli/main.ts');
export const SEGMENT_MS = 1000;

export interface ShoalProcess {
  child: ChildProcess;
  pid: number;
  /** First line printed on stdout (the stream address, or the gateway URL). */
  line: string;
  alive(): boolean;
}

/** A UDP port free on 127.0.0.1 now (bound and released). */
async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Resident set size of a process in bytes, from /proc (0 once it is gone). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples a process's RSS every 200 ms: start, peak, end of a window. */
export class RssProbe {
  start: number;
  peak: number;
  end: number;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(private readonly pid: number) {
    this.start = this.peak = this.end = rssOf(pid);
    this.timer = setInterval(() => this.sample(), 200);
  }

  private sample(): void {
    const r = rssOf(this.pid);
    this.end = r;
    if (r > this.peak) this.peak = r;
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }
}

async function shoal(args: string[], dataDir: string, what: string): Promise<ShoalProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', CLI, ...args, '--bind', '127.0.0.1', '--quiet', '--data-dir', dataDir],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_QUIET_ERRORS: '1' } },
  );
  child.stderr?.resume();
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${what} printed nothing in 30 s: ${out}`)), 30_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const first = out.split('\n').find((l) => l.trim().length > 0 && out.includes('\n'));
      if (first) {
        clearTimeout(timer);
        resolve(first.trim());
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited with ${code}: ${out}`));
    });
  });
  child.stdout?.resume();
  return {
    child,
    pid: child.pid!,
    line,
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Follows one viewer's gateway playlist: when each media seq was first listed and fetched. */
export class GatewayWatch {
  /** seq → ms (Date.now) when it was first listed and its bytes served. */
  readonly arrived = new Map<number, number>();
  errors = 0;
  private stopped = false;
  private readonly loop: Promise<void>;

  constructor(readonly playlistUrl: string) {
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const res = await fetch(this.playlistUrl, { signal: AbortSignal.timeout(2000) });
        if (res.ok) {
          const text = await res.text();
          const seqs = text
            .split('\n')
            .map((l) => /^(\d+)\.(ts|m4s)$/.exec(l.trim())?.[1])
            .filter((s): s is string => s !== undefined)
            .map(Number);
          const now = Date.now();
          for (const seq of seqs) if (!this.arrived.has(seq)) this.arrived.set(seq, now);
        } else this.errors++;
      } catch {
        this.errors++;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The newest seq listed, or -1. */
  newest(): number {
    return this.arrived.size ? Math.max(...this.arrived.keys()) : -1;
  }

  /** Fetches the newest segment: true if the gateway serves its bytes. */
  async servesNewest(): Promise<boolean> {
    const seq = this.newest();
    if (seq < 0) return false;
    const url = this.playlistUrl.replace(/live\.m3u8$/, `${seq}.ts`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(3000) });
      return res.ok && (await res.arrayBuffer()).byteLength > 0;
    } catch {
      return false;
    }
  }

  /**
   * Continuity over [from, to] (the swarm lab's definition, bench/swarm/metrics.ts): playback
   * starts one startup buffer after the first segment listed in the window; segment k is
   * due at that start + (k − first) segment durations; the index is the share of due
   * segments that were listed before they were due. NaN when nothing was due.
   */
  continuity(
    from: number,
    to: number,
    bufferMs = 2 * SEGMENT_MS,
  ): { ci: number; due: number; missed: number } {
    const inWindow = [...this.arrived.entries()].filter(([, at]) => at >= from && at <= to);
    if (inWindow.length === 0)
      return {
        ci: 0,
        due: Math.max(1, Math.round((to - from) / SEGMENT_MS) - 2),
        missed: Math.max(1, Math.round((to - from) / SEGMENT_MS) - 2),
      };
    const first = Math.min(...inWindow.map(([s]) => s));
    const playStart = this.arrived.get(first)! + bufferMs;
    let due = 0;
    let missed = 0;
    for (let k = first; playStart + (k - first) * SEGMENT_MS <= to; k++) {
      due++;
      const at = this.arrived.get(k);
      if (at === undefined || at > playStart + (k - first) * SEGMENT_MS) missed++;
    }
    return { ci: due === 0 ? NaN : (due - missed) / due, due, missed };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

export interface Viewer {
  proc: ShoalProcess;
  watch: GatewayWatch;
}

/** ffmpeg → `shoal broadcast` → two `shoal watch` viewers, all on 127.0.0.1. */
export class Lab {
  broadcaster!: ShoalProcess;
  address = '';
  streamId: Uint8Array = new Uint8Array(0);
  broadcasterPort = 0;
  readonly viewers: Viewer[] = [];
  /** UDP ports of the viewers (chosen here, so attacks can target them). */
  readonly viewerPorts: number[] = [];
  private source: LiveHls | null = null;
  private readonly dirs: string[] = [];
  private readonly extra: ShoalProcess[] = [];

  private async dir(prefix: string): Promise<string> {
    const d = await mkdtemp(join(tmpdir(), prefix));
    this.dirs.push(d);
    return d;
  }

  async start(): Promise<void> {
    const folder = await this.dir('shoal-hostile-src-');
    this.source = startLiveHls(folder, { segmentSeconds: SEGMENT_MS / 1000, listSize: 8 });
    await this.source.waitForSegments(2, 30_000);
    this.broadcaster = await shoal(
      ['broadcast', folder, '--advertise', '127.0.0.1', '--name', 'hostile-bench'],
      await this.dir('shoal-hostile-b-'),
      'the broadcaster',
    );
    this.address = this.broadcaster.line;
    const parsed = parseStreamAddress(this.address);
    this.streamId = publicKeyBytes(parsed.streamId);
    this.broadcasterPort = parsed.bootstrap[0]!.port;
    for (let i = 0; i < 2; i++) {
      const port = await freeUdpPort();
      this.viewerPorts.push(port);
      this.viewers.push(await this.viewer(port));
    }
  }

  /** A real viewer (another process) with its gateway followed. */
  async viewer(port = 0): Promise<Viewer> {
    const proc = await shoal(
      ['watch', this.address, '--http', '0', '--port', String(port)],
      await this.dir('shoal-hostile-v-'),
      'a viewer',
    );
    this.extra.push(proc);
    const watch = new GatewayWatch(proc.line.replace(/master\.m3u8$/, '0/live.m3u8'));
    return { proc, watch };
  }

  /** Waits until every viewer's gateway lists at least `n` segments. */
  async waitPlaying(n = 3, timeoutMs = 40_000, viewers = this.viewers): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (viewers.every((v) => v.watch.arrived.size >= n)) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  async stop(): Promise<void> {
    for (const v of this.viewers) await v.watch.stop();
    for (const p of [this.broadcaster, ...this.extra]) if (p?.alive()) p.child.kill('SIGKILL');
    await this.source?.stop(false);
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}
