// A node bound to every address falls back to IPv4 alone, without an error, where the
// kernel keeps IPv6 sockets IPv6-only (net.ipv6.bindv6only=1), and keeps IPv4 working where
// IPv6 is disabled (PROTOCOL §2.2). Real kernels: each case runs in a network namespace of
// its own (so its sysctls touch nothing else on the machine), which needs root and unshare.

import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/engine-net.js';

function canUnshare(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('unshare', ['-n', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

interface Outcome {
  families: number[];
  host: string;
  seen: string;
  answered: boolean;
  v4Port: number;
}

/** bind-every.ts in a fresh network namespace after `setup` (shell commands). */
function inNamespace(setup: string): Outcome {
  const child = `${process.execPath} --import tsx ${join(ROOT, 'test/fixtures/bind-every.ts')}`;
  const run = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && ${setup} && ${child}`], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (run.status !== 0) throw new Error(`namespace run failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Outcome;
}

describe.skipIf(!canUnshare())('binding every address on kernels without usable dual stack', () => {
  it('bindv6only=1: IPv4 only, on an IPv4 socket, and IPv4 peers work', () => {
    const r = inNamespace('sysctl -qw net.ipv6.bindv6only=1');
    expect(r.families).toEqual([4]);
    expect(r.host).toBe('0.0.0.0');
    expect(r.seen).toBe(`127.0.0.1:${r.v4Port}`);
    expect(r.answered).toBe(true);
  });

  it('IPv6 disabled on every interface: IPv4 peers still work, seen dotted', () => {
    const r = inNamespace(
      'sysctl -qw net.ipv6.conf.all.disable_ipv6=1 && sysctl -qw net.ipv6.conf.default.disable_ipv6=1 && sysctl -qw net.ipv6.conf.lo.disable_ipv6=1',
    );
    expect(r.seen).toBe(`127.0.0.1:${r.v4Port}`);
    expect(r.answered).toBe(true);
  });

  it('the default kernel settings: dual stack', () => {
    const r = inNamespace('true');
    expect(r.families).toEqual([4, 6]);
    expect(r.seen).toBe(`127.0.0.1:${r.v4Port}`);
    expect(r.answered).toBe(true);
  });
});
