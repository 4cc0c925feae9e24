// Creating a folder and its missing parents, one level at a time. Node's
// `mkdir(..., { recursive: true })` never settles for some paths: under /proc, mkdir of a
// new entry fails with ENOENT although the parent exists, and Node 20's recursive mkdir
// then retries forever (`--data-dir /proc/x` hung the CLI without a word). Here each
// level is tried once and every failure is a clear error.

import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ShoalError } from '../../src-shared/errors.js';

/** Makes `folder` (and missing parents) unless it exists. `what` names it in errors ("data folder"). */
export async function ensureFolder(folder: string, what = 'folder', mode = 0o700): Promise<void> {
  const target = resolve(folder);
  const missing: string[] = [];
  for (let at = target; ; at = dirname(at)) {
    const kind = await kindOf(at, what, folder);
    if (kind === 'folder') break;
    if (kind === 'other')
      throw ShoalError.io(`cannot use ${at} for the ${what} ${folder}: it is not a folder`);
    missing.push(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level, { mode });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST' && (await kindOf(level, what, folder)) === 'folder') continue; // made meanwhile
      const why =
        code === 'ENOENT'
          ? `${dirname(level)} does not accept new folders`
          : code === 'EACCES' || code === 'EPERM'
            ? `no permission to create ${level}`
            : code === 'EROFS'
              ? `${dirname(level)} is on a read-only file system`
              : `${code ?? 'error'} creating ${level}`;
      throw ShoalError.io(`cannot create the ${what} ${folder}: ${why}`);
    }
  }
}

async function kindOf(path: string, what: string, folder: string): Promise<'folder' | 'other' | 'missing'> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'other';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // ENOTDIR: a file is in the way higher up, which the walk up will find.
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'missing';
    throw ShoalError.io(`cannot use the ${what} ${folder}: ${code ?? 'error'} on ${path}`, err);
  }
}
