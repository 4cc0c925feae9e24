// Reads the playlists a broadcaster's encoder (OBS, ffmpeg) writes, with hls-parser, into
// the few facts ingest needs. Every URI is resolved against the playlist's folder and must
// stay inside the ingest root: a playlist is input, and input does not get to make us read
// /etc/passwd or fetch from the network (links are checked when files are opened, in
// folder-file.ts). Failures are BAD_PLAYLIST naming file and reason.

import type { FileHandle } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { getOptions, parse, setOptions } from 'hls-parser';
import type { types } from 'hls-parser';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { openInsideFolder } from './folder-file.js';

export interface ByteRange {
  offset: number;
  length: number;
}

export interface InitRef {
  uri: string;
  path: string;
  byterange: ByteRange | null;
}

export interface MediaSegmentRef {
  uri: string;
  path: string;
  byterange: ByteRange | null;
  /** EXT-X-MEDIA-SEQUENCE based number of this segment in the source playlist. */
  msn: number;
  durationUs: number;
  discontinuity: boolean;
  /** ms since the epoch, 0 when unknown. */
  programDateTimeMs: number;
  map: InitRef | null;
}

export interface MediaPlaylistInfo {
  kind: 'media';
  file: string;
  targetDurationMs: number;
  endlist: boolean;
  segments: MediaSegmentRef[];
  /** Spec violations the lenient parse let through (reported, not fatal). */
  warnings: string[];
}

export interface VariantRef {
  uri: string;
  path: string;
  bandwidth: number;
  width: number;
  height: number;
  codecs: string;
}

export interface MasterPlaylistInfo {
  kind: 'master';
  file: string;
  variants: VariantRef[];
  /** URIs of alternate renditions (EXT-X-MEDIA with a URI), which ingest does not carry. */
  alternates: string[];
  warnings: string[];
}

export type PlaylistInfo = MediaPlaylistInfo | MasterPlaylistInfo;

/** A playlist larger than this is not something an encoder wrote for a live window. */
export const MAX_PLAYLIST_BYTES = 4 * 1024 * 1024;

/** Reads and parses a playlist file. Throws MISSING_FILE, IO, BAD_PLAYLIST or BAD_FOLDER (a link out of `root`). */
export async function readPlaylist(file: string, root: string): Promise<PlaylistInfo> {
  let text: string;
  let handle: FileHandle | null = null;
  try {
    handle = await openInsideFolder(file, root);
    const info = await handle.stat();
    if (!info.isFile()) throw ShoalError.badPlaylist(file, 'is not a file');
    if (info.size > MAX_PLAYLIST_BYTES)
      throw ShoalError.badPlaylist(file, `is larger than ${MAX_PLAYLIST_BYTES} bytes`);
    text = await handle.readFile('utf8');
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw ShoalError.missingFile(file, 'does not exist');
    throw ShoalError.io(`cannot read ${file}`, err);
  } finally {
    await handle?.close().catch(() => {});
  }
  return parsePlaylistText(text, file, root);
}

/** Parses playlist text; `file` locates relative URIs and names the playlist in errors. */
export function parsePlaylistText(text: string, file: string, root: string): PlaylistInfo {
  const body = text.replace(/^\uFEFF/, '');
  if (body.trim() === '') throw ShoalError.badPlaylist(file, 'is empty');
  if (!body.startsWith('#EXTM3U'))
    throw ShoalError.badPlaylist(file, 'is not an HLS playlist (no #EXTM3U header)');

  const warnings: string[] = [];
  let playlist: types.MasterPlaylist | types.MediaPlaylist;
  try {
    playlist = parseWith(body, true);
  } catch (strictError) {
    // Encoders bend the spec now and then (a segment longer than the target duration):
    // accept what the lenient parse makes of it, and say what was wrong.
    try {
      playlist = parseWith(body, false);
    } catch {
      throw ShoalError.badPlaylist(file, reason(strictError), strictError);
    }
    if (!usable(playlist)) throw ShoalError.badPlaylist(file, reason(strictError), strictError);
    warnings.push(reason(strictError));
  }
  const base = dirname(file);
  return playlist.isMasterPlaylist
    ? masterInfo(playlist, file, base, root, warnings)
    : mediaInfo(playlist, file, base, root, warnings);
}

function mediaInfo(
  playlist: types.MediaPlaylist,
  file: string,
  base: string,
  root: string,
  warnings: string[],
): MediaPlaylistInfo {
  if (!(playlist.targetDuration > 0)) throw ShoalError.badPlaylist(file, 'has no EXT-X-TARGETDURATION');
  const segments: MediaSegmentRef[] = [];
  let lastPdt = 0;
  let lastDurationUs = 0;
  for (const segment of playlist.segments) {
    if (segment.key && segment.key.method !== 'NONE') {
      throw ShoalError.badPlaylist(
        file,
        `encrypted segments (EXT-X-KEY METHOD=${segment.key.method}) are not supported`,
      );
    }
    if (!(segment.duration >= 0) || !Number.isFinite(segment.duration)) {
      throw ShoalError.badPlaylist(file, `segment ${segment.uri} has a bad duration`);
    }
    const durationUs = Math.round(segment.duration * 1_000_000);
    const discontinuity = segment.discontinuity === true;
    // PDT applies to later segments too (RFC 8216 §4.3.2.6) until a discontinuity.
    let pdt = segment.programDateTime ? segment.programDateTime.getTime() : 0;
    if (!Number.isFinite(pdt)) pdt = 0;
    if (pdt === 0 && lastPdt !== 0 && !discontinuity) pdt = lastPdt + Math.round(lastDurationUs / 1000);
    lastPdt = pdt;
    lastDurationUs = durationUs;
    segments.push({
      uri: segment.uri,
      path: resolveUri(segment.uri, file, base, root),
      byterange: rangeOf(segment.byterange),
      msn: segment.mediaSequenceNumber,
      durationUs,
      discontinuity,
      programDateTimeMs: pdt,
      map: segment.map
        ? {
            uri: segment.map.uri,
            path: resolveUri(segment.map.uri, file, base, root),
            byterange: rangeOf(segment.map.byterange),
          }
        : null,
    });
  }
  return {
    kind: 'media',
    file,
    targetDurationMs: Math.round(playlist.targetDuration * 1000),
    endlist: playlist.endlist === true,
    segments,
    warnings,
  };
}

function masterInfo(
  playlist: types.MasterPlaylist,
  file: string,
  base: string,
  root: string,
  warnings: string[],
): MasterPlaylistInfo {
  const variants: VariantRef[] = [];
  const alternates = new Set<string>();
  for (const variant of playlist.variants) {
    if (variant.isIFrameOnly) continue;
    for (const r of [...variant.audio, ...variant.video, ...variant.subtitles])
      if (r.uri) alternates.add(r.uri);
    variants.push({
      uri: variant.uri,
      path: resolveUri(variant.uri, file, base, root),
      bandwidth: variant.bandwidth ?? 0,
      width: variant.resolution?.width ?? 0,
      height: variant.resolution?.height ?? 0,
      codecs: variant.codecs ?? '',
    });
  }
  if (variants.length === 0)
    throw ShoalError.badPlaylist(file, 'is a master playlist without variant streams');
  return { kind: 'master', file, variants, alternates: [...alternates], warnings };
}

function resolveUri(uri: string, file: string, base: string, root: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri))
    throw ShoalError.badPlaylist(file, `remote URI ${uri} is not supported (only files)`);
  let path: string;
  try {
    path = decodeURIComponent(uri.split(/[?#]/)[0] as string);
  } catch {
    throw ShoalError.badPlaylist(file, `URI ${uri} is not valid`);
  }
  const full = resolve(base, path);
  const rel = relative(root, full);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw ShoalError.badPlaylist(file, `URI ${uri} points outside the ingest folder`);
  }
  return full;
}

function rangeOf(range: { offset?: number; length: number } | undefined): ByteRange | null {
  return range ? { offset: range.offset ?? 0, length: range.length } : null;
}

function usable(playlist: types.MasterPlaylist | types.MediaPlaylist): boolean {
  return playlist.isMasterPlaylist ? playlist.variants.length > 0 : playlist.targetDuration > 0;
}

function reason(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^Invalid Playlist : /, '');
}

// hls-parser keeps its options in a module global; set them around each (synchronous)
// parse so nobody else in the process is affected. Lenient mode must stay silent: the
// library would otherwise print to the console.
function parseWith(text: string, strict: boolean): types.MasterPlaylist | types.MediaPlaylist {
  const saved = getOptions();
  setOptions({ strictMode: strict, silent: true });
  try {
    return parse(text);
  } catch (err) {
    throw err instanceof ShoalError
      ? err
      : new ShoalError(ErrorCode.BAD_PLAYLIST, reason(err), false, { cause: err });
  } finally {
    setOptions({ strictMode: saved.strictMode, silent: saved.silent });
  }
}
