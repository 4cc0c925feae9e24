// Opening a file of the broadcast folder. playlist-reader.ts keeps every URI inside the
// folder as text, but a symbolic link in the folder (or a linked sub-folder) could still
// lead anywhere on the disk, and whatever ingest reads, it publishes to the world. So the
// path is resolved with every link followed and must still be inside the folder (itself
// resolved the same way, so a folder reached through a link works). Links that stay
// inside the folder are fine.

import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { relative, sep, isAbsolute } from 'node:path';
import { ShoalError } from '../../../src-shared/errors.js';

/**
 * Opens `file` for reading if, links followed, it is inside `root`. Throws BAD_FOLDER for
 * a link that leaves the folder; other failures are the file system's own errors (ENOENT…).
 */
export async function openInsideFolder(file: string, root: string): Promise<FileHandle> {
  const [realRoot, realFile] = await Promise.all([realpath(root), realpath(file)]);
  if (!isInside(realFile, realRoot)) throw ShoalError.linkLeavesFolder(file, realFile, root);
  // O_NOFOLLOW: a link put in place of the checked file between the two calls is not
  // followed. O_NONBLOCK: a FIFO named like a segment does not hang the open (the caller
  // then finds it is not a file); it changes nothing for regular files.
  return open(realFile, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
