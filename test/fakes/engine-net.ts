// Engines on 127.0.0.1 for multi-node tests: in-process engines, and engines in child
// processes running the real CLI (so a viewer can be killed abruptly).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineEvent } from '../../src-shared/contract.js';
import { Engine } from '../../src-main/engine/engine.js';
import type { EngineConfigInput } from '../../src-main/engine/engine-config.js';
import { waitFor as waitForCondition } from '../fixtures/wait.js';

export const ROOT = join(import.meta.dirname, '..', '..');

export class EngineNet {
  readonly engines: Engine[] = [];
  readonly children: ChildProcess[] = [];
  private readonly dirs: string[] = [];

  async engine(input: Partial<EngineConfigInput> = {}): Promise<Engine> {
    const dataDir = await mkdtemp(join(tmpdir(), 'shoal-engine-'));
    this.dirs.push(dataDir);
    const engine = new Engine({
      dataDir,
      advertiseHost: '127.0.0.1',
      mediaBaseUrl: 'http://test/media',
      ...input,
      // No DHT unless a test brings its own (test/fakes/dht-net.ts): never the public routers.
      settings: { gatewayEnabled: false, dhtEnabled: false, ...input.settings },
      transport: { bindHost: '127.0.0.1', ...input.transport },
    });
    await engine.start();
    this.engines.push(engine);
    return engine;
  }

  /** A viewer in its own process via the CLI; resolves with its gateway URL. */
  async cliViewer(
    address: string,
    extra: string[] = [],
  ): Promise<{ child: ChildProcess; gatewayUrl: string }> {
    const dataDir = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
    this.dirs.push(dataDir);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(ROOT, 'src-main/cli/main.ts'),
        'watch',
        address,
        '--bind',
        '127.0.0.1',
        '--http',
        '0',
        ...(process.env.SHOAL_DEBUG_CLI ? [] : ['--quiet']),
        '--data-dir',
        dataDir,
        ...extra,
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHOAL_QUIET_ERRORS: '1' } },
    );
    this.children.push(child);
    if (process.env.SHOAL_DEBUG_CLI) {
      const { createWriteStream } = await import('node:fs');
      child.stderr?.pipe(createWriteStream(`/tmp/cli-viewer-${child.pid}.log`));
    } else child.stderr?.resume();
    const gatewayUrl = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`CLI viewer printed no URL: ${out}`)), 60_000);
      child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
        out += chunk;
        const line = out.split('\n').find((l) => l.startsWith('http://'));
        if (line) {
          clearTimeout(timer);
          resolve(line.trim());
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`CLI viewer exited with ${code}`));
      });
    });
    return { child, gatewayUrl };
  }

  async destroy(): Promise<void> {
    for (const child of this.children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(this.engines.map((e) => e.destroy().catch(() => undefined)));
    await Promise.all(this.dirs.map((d) => rm(d, { recursive: true, force: true })));
  }
}

export function collectEvents(engine: Engine): EngineEvent[] {
  const events: EngineEvent[] = [];
  engine.onEvent((e) => events.push(e));
  return events;
}

/** The shared condition wait (test/fixtures/wait.ts), in the argument order these tests use. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  await waitForCondition(check, { timeoutMs, what, intervalMs: 100 });
}

/** Media seqs listed in a media playlist. */
export function playlistSeqs(text: string): number[] {
  return text
    .split('\n')
    .filter((l) => /^\d+\.(ts|m4s)$/.test(l.trim()))
    .map((l) => Number(l.split('.')[0]));
}

export const bodyBytes = (body: Uint8Array | string): Buffer =>
  typeof body === 'string' ? Buffer.from(body) : Buffer.from(body);
