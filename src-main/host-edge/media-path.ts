// The media a host hands to the engine (issue 18 §7): both the UI server's /media/ and
// Electron's shoal-media: scheme decode the path and refuse the same tricks, and map the
// engine's refusals to the same HTTP statuses. The engine resolves the path itself; this
// only keeps traversal tricks and odd bytes from reaching it.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';

/**
 * The decoded engine media path (`/stream/<id>/master.m3u8`) for a URL path as it came (still
 * percent-encoded), or null: a bad escape, no leading slash, NUL, a backslash, or a `.` or
 * `..` segment (also when spelled %2e%2e, or hidden behind %2f).
 */
export function mediaPath(rawPath: string): string | null {
  let path: string;
  try {
    path = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (!path.startsWith('/') || path.includes('\0') || path.includes('\\')) return null;
  if (path.split('/').some((part) => part === '..' || part === '.')) return null;
  return path;
}

/** HTTP status for a media request the engine refused. */
export function mediaErrorStatus(err: unknown): number {
  const { code } = ShoalError.from(err);
  const notFound: number[] = [ErrorCode.STREAM_NOT_FOUND, ErrorCode.NOT_AVAILABLE, ErrorCode.MISSING_FILE];
  return notFound.includes(code) ? 404 : 500;
}
