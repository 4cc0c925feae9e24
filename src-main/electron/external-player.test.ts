import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExternalPlayer, isLoopbackHttpUrl, launchDetached } from './external-player.js';

const URL_ = 'http://127.0.0.1:8765/stream/abc/master.m3u8';

describe('isLoopbackHttpUrl', () => {
  it('accepts only loopback http', () => {
    expect(isLoopbackHttpUrl(URL_)).toBe(true);
    expect(isLoopbackHttpUrl('http://localhost:1/x')).toBe(true);
    expect(isLoopbackHttpUrl('http://[::1]:1/x')).toBe(true);
    expect(isLoopbackHttpUrl('http://192.168.1.2:1/x')).toBe(false);
    expect(isLoopbackHttpUrl('file:///etc/passwd')).toBe(false);
    expect(isLoopbackHttpUrl('--help')).toBe(false);
  });
});

describe('findExternalPlayer', () => {
  const only = (...files: string[]) => ({ isExecutable: async (f: string) => files.includes(f) });

  it('prefers VLC on PATH, then mpv', async () => {
    const env = { PATH: '/a:/b' };
    expect(await findExternalPlayer(URL_, { platform: 'linux', env, ...only('/b/vlc', '/a/mpv') })).toEqual({
      name: 'vlc',
      command: '/b/vlc',
      args: [URL_],
    });
    expect(await findExternalPlayer(URL_, { platform: 'linux', env, ...only('/a/mpv') })).toEqual({
      name: 'mpv',
      command: '/a/mpv',
      args: ['--force-window=immediate', URL_],
    });
  });

  it('finds the macOS app bundles and Homebrew even with a Finder PATH', async () => {
    const env = { PATH: '/usr/bin:/bin' };
    const vlc = await findExternalPlayer(URL_, {
      platform: 'darwin',
      env,
      ...only('/Applications/VLC.app/Contents/MacOS/VLC'),
    });
    expect(vlc?.command).toBe('/Applications/VLC.app/Contents/MacOS/VLC');
    const mpv = await findExternalPlayer(URL_, { platform: 'darwin', env, ...only('/opt/homebrew/bin/mpv') });
    expect(mpv?.name).toBe('mpv');
  });

  it('finds VLC in Program Files on Windows', async () => {
    const env = { Path: 'C:\\Windows', ProgramFiles: 'C:\\Program Files' };
    const found = await findExternalPlayer(URL_, {
      platform: 'win32',
      env,
      ...only('C:\\Program Files\\VideoLAN\\VLC\\vlc.exe'),
    });
    expect(found?.command).toBe('C:\\Program Files\\VideoLAN\\VLC\\vlc.exe');
  });

  it('returns null when no player is installed', async () => {
    expect(await findExternalPlayer(URL_, { platform: 'linux', env: {}, ...only() })).toBeNull();
  });
});

describe.runIf(process.platform !== 'win32')('launchDetached', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'shoal-player-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a real executable found on PATH with the URL as one argument', async () => {
    const out = path.join(dir, 'args.txt');
    const fake = path.join(dir, 'mpv');
    await writeFile(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > '${out}'\n`);
    await chmod(fake, 0o755);
    // Look only inside our temp dir, so an installed VLC is never started by the test.
    const isExecutable = async (f: string) => f === fake;
    const launch = await findExternalPlayer(URL_, { platform: 'linux', env: { PATH: dir }, isExecutable });
    expect(launch?.command).toBe(fake);
    expect(await launchDetached(launch!)).toBe(true);
    await expect
      .poll(() => readFile(out, 'utf8').catch(() => ''), { timeout: 20_000 })
      .toBe(`--force-window=immediate\n${URL_}\n`);
  });

  it('reports a player that cannot start', async () => {
    expect(await launchDetached({ name: 'vlc', command: path.join(dir, 'missing'), args: [] })).toBe(false);
  });
});
