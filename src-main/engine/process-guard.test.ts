// The process guard on a real Node process: an unhandled rejection is logged and the
// process carries on (Node's default would end it with exit code 1).

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

function run(guard: boolean): { status: number | null; stdout: string; stderr: string } {
  const script = [
    `const { installProcessGuard } = await import(${JSON.stringify(join(ROOT, 'src-main/engine/process-guard.ts'))});`,
    guard ? 'installProcessGuard();' : '',
    "Promise.reject(new Error('injected rejection'));",
    "setTimeout(() => console.log('still running'), 50);",
  ].join('\n');
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('process guard', () => {
  it('logs an unhandled rejection and keeps the process running', () => {
    const r = run(true);
    expect(r.stdout).toContain('still running');
    expect(r.stderr).toContain('unhandled promise rejection #1');
    expect(r.stderr).toContain('injected rejection');
    expect(r.status).toBe(0);
  });

  it('without it, Node ends the process (what the guard prevents)', () => {
    const r = run(false);
    expect(r.stdout).not.toContain('still running');
    expect(r.status).not.toBe(0);
  });
});
