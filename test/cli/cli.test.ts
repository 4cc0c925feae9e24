// The `shoal` command as a user runs it: help, clear one-line errors and exit codes.

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/engine-net.js';

function shoal(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, XDG_DATA_HOME: join(ROOT, 'node_modules', '.cache', 'shoal-cli-test') },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('shoal CLI', () => {
  it('documents every command and setting in --help', () => {
    const top = shoal('--help');
    expect(top.code).toBe(0);
    for (const cmd of ['broadcast', 'watch', 'ui']) expect(top.stdout).toContain(cmd);
    const watch = shoal('watch', '--help');
    for (const opt of [
      '--http',
      '--record',
      '--port',
      '--upload-cap',
      '--max-peers',
      '--window',
      '--join-distance',
      '--no-upload',
    ]) {
      expect(watch.stdout).toContain(opt);
    }
  });

  it('explains a malformed address and exits 1', () => {
    const r = shoal('watch', 'shoal://nope@127.0.0.1:4000');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shoal: .*stream id/);
  });

  it('explains a missing folder and exits 1', () => {
    const r = shoal('broadcast', '/nonexistent/hls', '--bind', '127.0.0.1');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shoal: folder \/nonexistent\/hls does not exist/);
  });

  it('rejects out-of-range settings before starting', () => {
    const r = shoal('watch', 'shoal://x@1.2.3.4:5', '--port', '70000');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/port must be a whole number from 0 to 65535/);
  });
});
