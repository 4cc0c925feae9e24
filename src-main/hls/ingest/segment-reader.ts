// Reads one segment file (or byte range of it) and hashes it on the way in: chunks are
// hashed as they arrive, so a big segment never blocks the event loop in one piece. The
// file must be inside the broadcast folder once links are followed (folder-file.ts).

import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { MAX_SEGMENT_SIZE } from '../../protocol/constants.js';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { openInsideFolder } from './folder-file.js';
import type { ByteRange } from './playlist-reader.js';

export interface SegmentBytes {
  data: Buffer;
  sha256: Buffer;
  /** The file's last modification, ms since the epoch: when the encoder finished writing it. */
  modifiedMs: number;
}

const MIB = 1024 * 1024;

/**
 * Throws MISSING_FILE (not there), TOO_LARGE (can never be sent), BAD_FOLDER (a link out
 * of `root`) or IO.
 */
export async function readSegmentFile(
  path: string,
  root: string,
  range: ByteRange | null = null,
): Promise<SegmentBytes> {
  let handle: FileHandle;
  try {
    handle = await openInsideFolder(path, root);
  } catch (err) {
    throw toShoalError(path, err);
  }
  try {
    return await readOpen(handle, path, range);
  } catch (err) {
    throw toShoalError(path, err);
  } finally {
    await handle.close().catch(() => {});
  }
}

async function readOpen(handle: FileHandle, path: string, range: ByteRange | null): Promise<SegmentBytes> {
  const info = await handle.stat();
  if (!info.isFile()) throw ShoalError.missingFile(path, 'is not a file');
  const size = info.size;
  const length = range ? range.length : size;
  if (range && range.offset + range.length > size) {
    throw ShoalError.missingFile(
      path,
      `is shorter (${size} bytes) than its byte range ${range.length}@${range.offset}`,
    );
  }
  if (length > MAX_SEGMENT_SIZE) throw tooLarge(path, `is ${(length / MIB).toFixed(1)} MiB`);

  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let total = 0;
  const stream = handle.createReadStream({
    start: range?.offset ?? 0,
    end: range ? range.offset + range.length - 1 : undefined,
    highWaterMark: 256 * 1024,
    autoClose: false,
  });
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      chunks.push(chunk);
      total += chunk.length;
      if (total > MAX_SEGMENT_SIZE) throw tooLarge(path, 'grew while it was read');
    }
  } finally {
    stream.destroy();
  }
  return { data: Buffer.concat(chunks, total), sha256: hash.digest(), modifiedMs: info.mtimeMs };
}

function tooLarge(path: string, what: string): ShoalError {
  return new ShoalError(
    ErrorCode.TOO_LARGE,
    `${path} ${what}, more than one segment may be (${MAX_SEGMENT_SIZE / MIB} MiB, PROTOCOL §7.1)`,
  );
}

function toShoalError(path: string, err: unknown): ShoalError {
  if (err instanceof ShoalError) return err;
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return ShoalError.missingFile(path);
  return ShoalError.io(`cannot read ${path}`, err);
}
