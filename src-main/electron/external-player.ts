// "Open in VLC / mpv": find an installed player and start it on the engine's local HTTP
// gateway URL. Apps started from a desktop launcher get a short PATH (macOS Finder gives
// /usr/bin:/bin only), so the usual install locations are searched as well.

import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

export interface PlayerLaunch {
  name: 'vlc' | 'mpv';
  command: string;
  args: string[];
}

export interface PlayerSearch {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  isExecutable?: (file: string) => Promise<boolean>;
}

async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Only the gateway's loopback HTTP URLs are handed to a player or the browser. */
export function isLoopbackHttpUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
    return parsed.protocol === 'http:' && loopback;
  } catch {
    return false;
  }
}

function candidates({ platform, env }: PlayerSearch): Array<{ name: PlayerLaunch['name']; file: string }> {
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  const dirs = (env['PATH'] ?? env['Path'] ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const names = { vlc: 'vlc', mpv: 'mpv' } as const;
  const out: Array<{ name: PlayerLaunch['name']; file: string }> = [];
  const add = (name: PlayerLaunch['name'], file: string) => out.push({ name, file });

  if (platform === 'win32') {
    for (const name of ['vlc', 'mpv'] as const)
      for (const dir of dirs) add(name, pathApi.join(dir, `${name}.exe`));
    for (const root of [env['ProgramFiles'], env['ProgramFiles(x86)']]) {
      if (root) add('vlc', pathApi.join(root, 'VideoLAN', 'VLC', 'vlc.exe'));
    }
    return out;
  }
  const extra =
    platform === 'darwin'
      ? ['/opt/homebrew/bin', '/usr/local/bin']
      : ['/usr/bin', '/usr/local/bin', '/snap/bin'];
  for (const name of ['vlc', 'mpv'] as const) {
    for (const dir of [...dirs, ...extra]) add(name, pathApi.join(dir, names[name]));
  }
  if (platform === 'darwin') {
    add('vlc', '/Applications/VLC.app/Contents/MacOS/VLC');
    add('mpv', '/Applications/mpv.app/Contents/MacOS/mpv');
  }
  return out;
}

/** The first installed player, VLC before mpv, with its arguments for `url`; null if none. */
export async function findExternalPlayer(url: string, search: PlayerSearch): Promise<PlayerLaunch | null> {
  const isExecutable = search.isExecutable ?? executable;
  for (const { name, file } of candidates(search)) {
    if (!(await isExecutable(file))) continue;
    // mpv shows no window until it has data; ask for one at once so the click visibly works.
    const args = name === 'mpv' ? ['--force-window=immediate', url] : [url];
    return { name, command: file, args };
  }
  return null;
}

/** Starts the player detached from us (it outlives Shoal); false if it could not start. */
export function launchDetached(launch: PlayerLaunch): Promise<boolean> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn(launch.command, launch.args, { detached: true, stdio: 'ignore', shell: false });
    } catch {
      resolve(false);
      return;
    }
    child.once('spawn', () => {
      child.unref();
      resolve(true);
    });
    child.once('error', () => resolve(false));
  });
}
