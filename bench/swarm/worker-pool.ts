// The parent's side of the engine workers: forks node-worker.ts under tsx, routes its
// messages, and fails loudly if a worker dies mid-run.

import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromWorker, ToWorker } from './ipc.js';

const WORKER = fileURLToPath(new URL('./node-worker.ts', import.meta.url));

export class LabWorker {
  readonly child: ChildProcess;
  /** Engines currently running in this worker. */
  engines = 0;
  exited = false;
  private readonly ready: Promise<void>;
  private readonly byeWaiters: (() => void)[] = [];

  constructor(
    readonly index: number,
    onMessage: (worker: LabWorker, m: FromWorker) => void,
    onExit: (worker: LabWorker, code: number | null) => void,
    cpuProfDir: string | null = null,
  ) {
    const profile = cpuProfDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`];
    this.child = fork(WORKER, [], {
      execArgv: ['--import', 'tsx', ...profile],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      env: { ...process.env, SHOAL_QUIET_ERRORS: '1' },
    });
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`lab worker ${index} did not start`)), 30_000);
      this.child.on('message', (raw) => {
        const m = raw as FromWorker;
        if (m.type === 'ready') {
          clearTimeout(timer);
          resolve();
        } else if (m.type === 'bye') this.byeWaiters.splice(0).forEach((w) => w());
        onMessage(this, m);
      });
    });
    this.child.on('exit', (code) => {
      this.exited = true;
      this.byeWaiters.splice(0).forEach((w) => w());
      onExit(this, code);
    });
  }

  whenReady(): Promise<void> {
    return this.ready;
  }

  send(m: ToWorker): void {
    if (!this.exited && this.child.connected) this.child.send(m);
  }

  /** Asks the worker to close its engines cleanly; kills it if that takes too long. */
  async shutdown(timeoutMs = 15_000): Promise<void> {
    if (this.exited) return;
    const bye = new Promise<void>((resolve) => this.byeWaiters.push(resolve));
    this.send({ type: 'shutdown' });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await bye;
    clearTimeout(timer);
  }
}
