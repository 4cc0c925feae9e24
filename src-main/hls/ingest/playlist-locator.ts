// Finds what to broadcast in the folder an encoder writes to: the one master playlist
// (every variant becomes a rendition), or else the one media playlist. The user may also
// name a .m3u8 file directly. Anything ambiguous is an error that says how to resolve it.

import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, extname, relative, sep } from 'node:path';
import type { Rendition } from '../../protocol/types.js';
import { ShoalError } from '../../../src-shared/errors.js';
import { readPlaylist, type PlaylistInfo } from './playlist-reader.js';

export interface IngestLayout {
  /** Folder every file must be inside. */
  root: string;
  /** The playlist found (master or media). */
  file: string;
  isMaster: boolean;
  /** Media playlist path per rendition id (index). */
  playlists: string[];
  /** Renditions as announced by the master; for a lone media playlist, bandwidth is 0 (unknown yet). */
  renditions: Rendition[];
  /** Things found but not carried, to report once. */
  warnings: string[];
}

/** Longest rendition name and codecs string a StreamInfo record carries (PROTOCOL §6.2: u8 lengths). */
const MAX_TEXT = 64;

export async function locatePlaylist(target: string): Promise<IngestLayout> {
  let info;
  try {
    info = await stat(target);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw ShoalError.badFolder(target, 'does not exist');
    throw ShoalError.badFolder(target, `cannot be read (${code ?? String(err)})`);
  }
  if (info.isFile()) {
    if (extname(target).toLowerCase() !== '.m3u8')
      throw ShoalError.badFolder(target, 'is a file but not an .m3u8 playlist');
    return layoutOf(dirname(target), await readPlaylist(target, dirname(target)));
  }
  if (!info.isDirectory()) throw ShoalError.badFolder(target, 'is neither a folder nor a playlist');

  let names: string[];
  try {
    names = await readdir(target);
  } catch (err) {
    throw ShoalError.badFolder(
      target,
      `cannot be listed (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
    );
  }
  const candidates = names.filter((n) => extname(n).toLowerCase() === '.m3u8').sort();
  if (candidates.length === 0) {
    throw ShoalError.badFolder(target, 'has no .m3u8 playlist (has the encoder started writing HLS here?)');
  }

  const parsed: PlaylistInfo[] = [];
  let firstError: unknown = null;
  for (const name of candidates) {
    try {
      parsed.push(await readPlaylist(`${target}${sep}${name}`, target));
    } catch (err) {
      firstError ??= err;
    }
  }
  const masters = parsed.filter((p) => p.kind === 'master');
  const media = parsed.filter((p) => p.kind === 'media');
  if (masters.length > 1) {
    throw ShoalError.badFolder(
      target,
      `has several master playlists (${masters.map((m) => basename(m.file)).join(', ')}); choose one`,
    );
  }
  if (masters.length === 1) return layoutOf(target, masters[0] as PlaylistInfo);
  if (media.length > 1) {
    const list = media.map((m) => basename(m.file)).join(', ');
    throw ShoalError.badFolder(
      target,
      `has several media playlists (${list}); choose one or add a master playlist`,
    );
  }
  if (media.length === 1) return layoutOf(target, media[0] as PlaylistInfo);
  throw firstError instanceof ShoalError ? firstError : ShoalError.from(firstError);
}

function layoutOf(root: string, playlist: PlaylistInfo): IngestLayout {
  if (playlist.kind === 'media') {
    return {
      root,
      file: playlist.file,
      isMaster: false,
      playlists: [playlist.file],
      renditions: [{ id: 0, bandwidth: 0, width: 0, height: 0, name: 'source', codecs: '' }],
      warnings: playlist.warnings,
    };
  }
  const warnings = [...playlist.warnings];
  if (playlist.alternates.length > 0) {
    warnings.push(`alternate renditions (EXT-X-MEDIA ${playlist.alternates.join(', ')}) are not carried`);
  }
  const names = new Set<string>();
  const renditions = playlist.variants.map((v, id): Rendition => {
    let name = nameOf(root, v.path, v.height, id).slice(0, MAX_TEXT);
    if (names.has(name)) name = `${name}-${id}`;
    names.add(name);
    return {
      id,
      bandwidth: v.bandwidth,
      width: v.width,
      height: v.height,
      name,
      codecs: v.codecs.slice(0, 255),
    };
  });
  return {
    root,
    file: playlist.file,
    isMaster: true,
    playlists: playlist.variants.map((v) => v.path),
    renditions,
    warnings,
  };
}

/** "hi" for hi/stream.m3u8 (ffmpeg's var_stream_map names), else "720p", else the file name. */
function nameOf(root: string, path: string, height: number, id: number): string {
  const parts = relative(root, path).split(sep);
  if (parts.length > 1 && parts[0]) return parts[0];
  if (height > 0) return `${height}p`;
  return basename(path, extname(path)) || `rendition ${id}`;
}
