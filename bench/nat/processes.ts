// The lab's processes: the ffmpeg encoder, the broadcaster and viewer CLIs (each in its own
// namespace through `ip netns exec`), miniupnpd. Every child is started in its own process
// group and stopped by that group at the end, whatever happened.

import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface LabProcess {
  name: string;
  child: ChildProcess;
  exited: { code: number | null; signal: string | null; at: number } | null;
}

export class LabProcesses {
  readonly all: LabProcess[] = [];

  adopt(name: string, child: ChildProcess): LabProcess {
    const p: LabProcess = { name, child, exited: null };
    child.on('exit', (code, signal) => (p.exited = { code, signal, at: Date.now() }));
    child.on('error', () => (p.exited ??= { code: null, signal: null, at: Date.now() }));
    this.all.push(p);
    return p;
  }

  /** Starts `cmd args` (in namespace `ns` unless null); stdout and stderr go to `<dir>/<log>`. */
  start(name: string, ns: string | null, cmd: string, args: string[], dir: string, log: string): LabProcess {
    const argv = ns === null ? [cmd, ...args] : ['ip', 'netns', 'exec', ns, cmd, ...args];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const out = createWriteStream(join(dir, log));
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    return this.adopt(name, child);
  }

  /** SIGTERM (SIGINT for ffmpeg) to every group still running, then SIGKILL after `graceMs`. */
  async stopAll(graceMs = 3000): Promise<void> {
    const running = this.all.filter((p) => p.exited === null && p.child.pid !== undefined);
    for (const p of running) signalGroup(p, p.name === 'ffmpeg' ? 'SIGINT' : 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && running.some((p) => p.exited === null))
      await new Promise((r) => setTimeout(r, 100));
    for (const p of running) if (p.exited === null) signalGroup(p, 'SIGKILL');
  }
}

function signalGroup(p: LabProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-p.child.pid!, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * A real live encoder: ffmpeg's test pattern, x264 at a constant bitrate (HRD filler), a
 * keyframe every segment, HLS into `folder`. Segments are kept (no delete_segments) so the
 * report can match each viewer's recording against them byte for byte.
 */
export function ffmpegArgs(folder: string, bitrateKbps: number, segmentSec: number): string[] {
  const fps = 25;
  const gop = String(fps * segmentSec);
  const rate = `${bitrateKbps}k`;
  return [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-re',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=640x360:rate=${fps}`,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-tune',
    'zerolatency',
    '-g',
    gop,
    '-keyint_min',
    gop,
    '-sc_threshold',
    '0',
    '-b:v',
    rate,
    '-minrate',
    rate,
    '-maxrate',
    rate,
    '-bufsize',
    rate,
    '-x264-params',
    'nal-hrd=cbr',
    '-f',
    'hls',
    '-hls_time',
    String(segmentSec),
    '-hls_list_size',
    '6',
    '-hls_flags',
    'temp_file',
    '-hls_segment_filename',
    join(folder, 'seg%05d.ts'),
    join(folder, 'stream.m3u8'),
  ];
}

export interface SchedStats {
  /** Nanoseconds on a CPU and waiting on a run queue, summed over the process's threads. */
  runNs: number;
  waitNs: number;
}

/**
 * CPU time and run-queue wait of a process (/proc/<pid>/task/<tid>/schedstat). On a shared
 * machine the wait says whether a process was starved of CPU: a figure for the report, so a
 * slow viewer is not blamed on the network when it was the machine.
 */
export async function schedStats(pid: number): Promise<SchedStats | null> {
  try {
    let runNs = 0;
    let waitNs = 0;
    for (const tid of await readdir(`/proc/${pid}/task`)) {
      const text = await readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').catch(() => '0 0');
      const [run, wait] = text.trim().split(/\s+/).map(Number);
      runNs += run ?? 0;
      waitNs += wait ?? 0;
    }
    return { runNs, waitNs };
  } catch {
    return null;
  }
}
