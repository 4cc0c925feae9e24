// Builds the playlists the local gateway serves to players, from signed store entries.
// Pure functions. The only names in them are made from numbers (`<seq>.ts`,
// `init-<seq>.mp4`) and the only text from the stream (codecs) is filtered, because
// entries and renditions come from the network and a player must not be fed injected tags.

import { EntryFlag } from '../../protocol/constants.js';
import type { Rendition, SegmentEntry } from '../../protocol/types.js';
import { ShoalError } from '../../../src-shared/errors.js';

export interface MediaPlaylistOptions {
  /** The stream has ended: no more segments will come (EXT-X-ENDLIST). */
  ended?: boolean;
  /** The source's target duration; TARGETDURATION is never below it nor below any segment. */
  targetDurationMs?: number;
  /** Discontinuities in entries no longer given (SegmentStore.discontinuitiesEvicted), so
   * EXT-X-DISCONTINUITY-SEQUENCE stays stable as the window slides. */
  discontinuitySequence?: number;
  /** A hole with this many segments held after it is skipped (default 3). */
  skipHoleAfter?: number;
  /**
   * The server holds a request with `_HLS_msn` until that segment is in (RFC 8216bis
   * §4.4.3.8, EXT-X-SERVER-CONTROL CAN-BLOCK-RELOAD): players then reload at once instead of polling.
   */
  canBlockReload?: boolean;
}

export const DEFAULT_SKIP_HOLE_AFTER = 3;

export const mediaSegmentName = (entry: SegmentEntry): string =>
  `${entry.seq}.${entry.initSeq === null ? 'ts' : 'm4s'}`;
export const initSegmentName = (initSeq: number): string => `init-${initSeq}.mp4`;

/**
 * A live media playlist of the given media entries. A playlist numbers segments by
 * position, so a hole in the seqs cannot be written down; holes are handled like a player
 * would want: a recent hole (a segment still on its way) ends the playlist until it is
 * filled, while a hole with `skipHoleAfter` segments held beyond it is given up on and the
 * playlist starts after it.
 */
export function renderMediaPlaylist(
  entries: readonly SegmentEntry[],
  options: MediaPlaylistOptions = {},
): string {
  const media = entries.filter((e) => (e.flags & EntryFlag.INIT) === 0).sort((a, b) => a.seq - b.seq);
  const { start, end } = publishableRun(media, options.skipHoleAfter ?? DEFAULT_SKIP_HOLE_AFTER);
  const dropped = media.slice(0, start);
  const run = media.slice(start, end);

  const usesMap = run.some((e) => e.initSeq !== null);
  let target = Math.max(1, Math.round((options.targetDurationMs ?? 0) / 1000));
  for (const e of run) target = Math.max(target, Math.round(e.durationUs / 1_000_000));
  // The number of the first published segment's discontinuity: every boundary before it and its own.
  const isDiscontinuity = (e: SegmentEntry): boolean => (e.flags & EntryFlag.DISCONTINUITY) !== 0;
  const discontinuities =
    (options.discontinuitySequence ?? 0) + [...dropped, ...run.slice(0, 1)].filter(isDiscontinuity).length;

  const lines = ['#EXTM3U', `#EXT-X-VERSION:${usesMap ? 6 : 3}`, `#EXT-X-TARGETDURATION:${target}`];
  if (options.canBlockReload && !options.ended) lines.push('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES');
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${run[0]?.seq ?? 0}`);
  if (discontinuities > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuities}`);
  let currentInit: number | null = null;
  for (const [i, e] of run.entries()) {
    if (i > 0 && isDiscontinuity(e)) lines.push('#EXT-X-DISCONTINUITY');
    if (e.initSeq !== null && e.initSeq !== currentInit) {
      lines.push(`#EXT-X-MAP:URI="${initSegmentName(e.initSeq)}"`);
      currentInit = e.initSeq;
    }
    if (e.programDateTimeMs > 0)
      lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(e.programDateTimeMs).toISOString()}`);
    lines.push(`#EXTINF:${(e.durationUs / 1_000_000).toFixed(6)},`, mediaSegmentName(e));
  }
  if (options.ended) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export interface MasterVariant {
  rendition: Rendition;
  /** URI of the rendition's media playlist, relative to the master. */
  uri: string;
  /** Used when the rendition announces no bandwidth (BANDWIDTH is required). */
  measuredBandwidth?: number;
}

export function renderMasterPlaylist(variants: readonly MasterVariant[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:3'];
  for (const { rendition, uri, measuredBandwidth } of variants) {
    const attrs = [`BANDWIDTH=${Math.max(1, Math.round(rendition.bandwidth || measuredBandwidth || 0))}`];
    if (rendition.width > 0 && rendition.height > 0)
      attrs.push(`RESOLUTION=${rendition.width}x${rendition.height}`);
    if (/^[A-Za-z0-9.,+_-]{1,255}$/.test(rendition.codecs)) attrs.push(`CODECS="${rendition.codecs}"`);
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, safeUri(uri));
  }
  return `${lines.join('\n')}\n`;
}

/** [start, end) of the entries to publish; see renderMediaPlaylist. */
export function publishableRun(
  media: readonly SegmentEntry[],
  skipHoleAfter: number,
): { start: number; end: number } {
  const holesAt: number[] = []; // index i: a hole between media[i-1] and media[i]
  for (let i = 1; i < media.length; i++) {
    if ((media[i] as SegmentEntry).seq !== (media[i - 1] as SegmentEntry).seq + 1) holesAt.push(i);
  }
  let start = 0;
  for (const i of holesAt) if (media.length - i >= skipHoleAfter) start = i;
  const end = holesAt.find((i) => i > start) ?? media.length;
  return { start, end };
}

function safeUri(uri: string): string {
  if (!/^[A-Za-z0-9._~/-]+$/.test(uri))
    throw ShoalError.internal(`unsafe playlist URI ${JSON.stringify(uri)}`);
  return uri;
}
