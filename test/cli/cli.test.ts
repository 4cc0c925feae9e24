// The `shoal` command as a user runs it: help, clear one-line errors and exit codes.

import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/engine-net.js';

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'shoal-cli-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Runs a long-lived command until its stderr shows the live status line, then stops it. */
function shoalUntilStatus(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src-main/cli/main.ts'), ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    if (/\| peers \d+ \|/.test(stderr)) child.kill('SIGINT');
  });
  return new Promise((resolve) => child.once('close', () => resolve({ stdout, stderr })));
}

/** How many times `text` occurs in `output`. */
const count = (output: string, text: string): number => output.split(text).length - 1;
const STREAM_ID = 'a'.repeat(52);

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

  it('prints a fatal error once', () => {
    const r = shoal('broadcast', scratch, '--bind', '127.0.0.1', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`shoal: ${scratch}: has no .m3u8 playlist`);
    expect(count(r.stderr, 'has no .m3u8 playlist')).toBe(1);
  });

  it('fails at once, saying why, when the data folder cannot be made', async () => {
    const file = join(scratch, 'a-file');
    await writeFile(file, 'x');
    const cases: [string[], string, RegExp][] = [
      [
        ['watch', `shoal://${STREAM_ID}@127.0.0.1:9`],
        join(file, 'x'),
        /shoal: cannot use .*a-file for the data folder .*a-file\/x: it is not a folder/,
      ],
    ];
    if (existsSync('/proc/self')) {
      cases.push([
        ['broadcast', join(ROOT, 'assets', 'sample')],
        '/proc/x',
        /shoal: cannot create the data folder \/proc\/x: \/proc does not accept new folders/,
      ]);
    }
    for (const [args, dataDir, says] of cases) {
      const r = shoal(...args, '--bind', '127.0.0.1', '--data-dir', dataDir, '--quiet');
      expect(r.code, `${args[0]} --data-dir ${dataDir}`).toBe(1); // not null: it did not hang
      expect(r.stderr).toMatch(says);
      expect(count(r.stderr, 'data folder')).toBe(1);
      expect(r.stdout).toBe('');
    }
  });

  it('watch fails with the reason when nobody carries the stream', () => {
    const r = shoal('watch', `shoal://${STREAM_ID}@127.0.0.1:9`, '--bind', '127.0.0.1', '--quiet');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/shoal: no answer from 127\.0\.0\.1:9: the broadcaster may be offline/);
    expect(count(r.stderr, 'no answer from')).toBe(1);
  });

  it('broadcast serves HTTP only with --http, as its help and the README say', async () => {
    // Everything a broadcast prints at start comes before its first status line.
    const common = ['--bind', '127.0.0.1', '--advertise', '127.0.0.1'];
    const folder = join(ROOT, 'assets', 'sample');
    const plain = await shoalUntilStatus('broadcast', folder, ...common, '--data-dir', join(scratch, 'd1'));
    expect(plain.stdout).toMatch(/^shoal:\/\/\w{52}@127\.0\.0\.1:\d+\n$/);
    expect(plain.stderr).not.toContain('local HLS');

    const http = await shoalUntilStatus(
      'broadcast',
      folder,
      ...common,
      '--data-dir',
      join(scratch, 'd2'),
      '--http',
      '0',
    );
    expect(http.stderr).toMatch(
      /shoal: local HLS at http:\/\/127\.0\.0\.1:\d+\/stream\/\w{52}\/master\.m3u8/,
    );
  });

  it('says which port is taken and what to do, and exits 1', async () => {
    const tcp = createServer();
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const tcpPort = (tcp.address() as AddressInfo).port;
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const udpPort = udp.address().port;
    try {
      const local = ['--bind', '127.0.0.1', '--quiet', '--data-dir', join(scratch, 'ports')];
      const cases: [string[], RegExp][] = [
        [['ui', '--ui-port', String(tcpPort)], new RegExp(`UI port ${tcpPort} is in use.*--ui-port`)],
        [['ui', '-p', String(udpPort)], new RegExp(`UDP port ${udpPort} is in use.*-p <port>`)],
        [
          ['watch', `shoal://${STREAM_ID}@127.0.0.1:9`, '--http', String(tcpPort)],
          new RegExp(`HLS gateway: port ${tcpPort} .*--http <port>`),
        ],
        [
          ['broadcast', join(ROOT, 'assets', 'sample'), '-p', String(udpPort)],
          new RegExp(`UDP port ${udpPort} is in use.*choose another port`),
        ],
      ];
      for (const [args, says] of cases) {
        const r = shoal(...args, ...local);
        expect(r.code, args.join(' ')).toBe(1);
        expect(r.stderr).toMatch(says);
        expect(r.stderr).not.toMatch(/EADDRINUSE/);
        expect(count(r.stderr, 'is in use')).toBe(1);
      }
    } finally {
      tcp.close();
      udp.close();
    }
  });

  it('ui serves the same URL again after a restart with the same data folder, so an open tab reconnects', async () => {
    const dataDir = join(scratch, 'ui-again');
    const firstUrl = async (): Promise<string> => {
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          join(ROOT, 'src-main/cli/main.ts'),
          'ui',
          '--bind',
          '127.0.0.1',
          '--data-dir',
          dataDir,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] },
      );
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
          out += chunk;
          const line = out.split('\n').find((l) => l.startsWith('http://'));
          if (line) resolve(line.trim());
        });
        child.once('exit', (code) => reject(new Error(`shoal ui exited with ${code}: ${out}`)));
      });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
      return url;
    };
    const first = await firstUrl();
    expect(first).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32,}$/);
    expect(await firstUrl()).toBe(first);
  });

  it('rejects out-of-range settings before starting', () => {
    const r = shoal('watch', 'shoal://x@1.2.3.4:5', '--port', '70000');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/port must be a whole number from 0 to 65535/);
    for (const cap of ['fast', '12', '1.5', '']) {
      const bad = shoal('watch', 'shoal://x@1.2.3.4:5', '--upload-cap', cap);
      expect(bad.code, cap).not.toBe(0);
      expect(bad.stderr).toMatch(/upload cap must be auto, none, or a whole number of kbit\/s from 64/);
    }
  });
});
