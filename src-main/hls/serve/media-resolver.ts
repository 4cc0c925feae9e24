// Maps a media path (`/stream/<id>/master.m3u8`, `/stream/<id>/<r>/live.m3u8`,
// `/stream/<id>/<r>/<seq>.ts|.m4s`, `/stream/<id>/<r>/init-<seq>.mp4`) to a response built
// from a stream's SegmentStore, independent of how it is carried (HTTP gateway, the
// Electron media protocol, the browser UI server). Paths are matched whole; nothing is
// read from disk, so there is nothing to traverse.

import type { Rendition } from '../../protocol/types.js';
import type { SegmentStore } from '../../store/segment-store.js';
import { renderMasterPlaylist, renderMediaPlaylist } from './playlist-writer.js';

export interface MediaStream {
  store: SegmentStore;
  /** Renditions from the stream info (empty: derive them from the store). */
  renditions(): readonly Rendition[];
  /** True once the stream has ended (playlists get EXT-X-ENDLIST). */
  ended(): boolean;
  targetDurationMs?(): number;
  /**
   * The node holds, in order, every segment of the rendition it knows of (a viewer that just
   * joined behind the edge has caught up). Absent: always.
   */
  caughtUp?(rendition: number): boolean;
}

export interface MediaResult {
  status: number;
  contentType: string;
  body: Uint8Array | string;
  headers: Record<string, string>;
  /** Segment bytes served (0 for playlists and errors), for traffic accounting. */
  segmentBytes: number;
}

const ID = '([A-Za-z0-9_-]{1,128})';
export const MEDIA_ROUTES = {
  master: new RegExp(`^/stream/${ID}/master\\.m3u8$`),
  media: new RegExp(`^/stream/${ID}/(\\d{1,3})/live\\.m3u8$`),
  segment: new RegExp(`^/stream/${ID}/(\\d{1,3})/(\\d{1,10})\\.(ts|m4s)$`),
  init: new RegExp(`^/stream/${ID}/(\\d{1,3})/init-(\\d{1,10})\\.mp4$`),
};
export const PLAYLIST_TYPE = 'application/vnd.apple.mpegurl';
export const SEGMENT_TYPES = { ts: 'video/mp2t', m4s: 'video/iso.segment', mp4: 'video/mp4' } as const;

const playlistHeaders = (): Record<string, string> => ({ 'Cache-Control': 'no-cache, no-store' });
const fail = (status: number, message: string, headers: Record<string, string> = {}): MediaResult => ({
  status,
  contentType: 'text/plain; charset=utf-8',
  body: `${message}\n`,
  headers,
  segmentBytes: 0,
});

export interface ResolveOptions {
  /** The host holds playlist requests with `_HLS_msn` (held-media.ts): say so in the playlist. */
  canBlockReload?: boolean;
}

export function resolveMedia(
  lookup: (id: string) => MediaStream | undefined,
  rawPath: string,
  options: ResolveOptions = {},
): MediaResult {
  const path = rawPath.split('?')[0] ?? '';
  let m: RegExpExecArray | null;
  if ((m = MEDIA_ROUTES.master.exec(path))) {
    const stream = lookup(m[1]!);
    if (!stream) return fail(404, 'unknown stream');
    const renditions = renditionsOf(stream);
    if (renditions.length === 0) return fail(503, 'the stream has no data yet', { 'Retry-After': '1' });
    const text = renderMasterPlaylist(
      renditions.map((rendition) => ({
        rendition,
        uri: `${rendition.id}/live.m3u8`,
        measuredBandwidth: measuredBandwidth(stream.store, rendition.id),
      })),
    );
    return {
      status: 200,
      contentType: PLAYLIST_TYPE,
      body: text,
      headers: playlistHeaders(),
      segmentBytes: 0,
    };
  }
  if ((m = MEDIA_ROUTES.media.exec(path))) {
    const stream = lookup(m[1]!);
    const rendition = Number(m[2]);
    if (!stream) return fail(404, 'unknown stream');
    if (!renditionsOf(stream).some((r) => r.id === rendition)) return fail(404, 'unknown rendition');
    const text = renderMediaPlaylist(stream.store.window(rendition), {
      ended: stream.ended(),
      targetDurationMs: stream.targetDurationMs?.() ?? 0,
      discontinuitySequence: stream.store.discontinuitiesEvicted(rendition),
      canBlockReload: options.canBlockReload ?? false,
    });
    return {
      status: 200,
      contentType: PLAYLIST_TYPE,
      body: text,
      headers: playlistHeaders(),
      segmentBytes: 0,
    };
  }
  const seg = MEDIA_ROUTES.segment.exec(path);
  const init = seg ? null : MEDIA_ROUTES.init.exec(path);
  if (seg || init) {
    const [, id, r, s, ext] = (seg ?? init)!;
    const kind = seg ? 'media' : 'init';
    const type = (seg ? ext : 'mp4') as keyof typeof SEGMENT_TYPES;
    const stream = lookup(id!);
    if (!stream) return fail(404, 'unknown stream');
    const found = stream.store.get(Number(r), kind, Number(s));
    // A media name must match its container: <seq>.ts for MPEG-TS, <seq>.m4s for fMP4.
    if (!found || (kind === 'media' && (found.entry.initSeq === null) !== (type === 'ts'))) {
      return fail(404, 'segment not held');
    }
    return {
      status: 200,
      contentType: SEGMENT_TYPES[type],
      body: found.data,
      headers: { 'Cache-Control': 'private, max-age=60' },
      segmentBytes: found.data.length,
    };
  }
  return fail(404, 'not found');
}

export function renditionsOf(stream: MediaStream): readonly Rendition[] {
  const announced = stream.renditions();
  if (announced.length > 0) return announced;
  return stream.store
    .renditions()
    .map((id) => ({ id, bandwidth: 0, width: 0, height: 0, name: '', codecs: '' }));
}

/** Bits per second of the held media segments (for BANDWIDTH when the stream announces none). */
export function measuredBandwidth(store: SegmentStore, rendition: number): number {
  let bytes = 0;
  let us = 0;
  for (const e of store.window(rendition)) {
    bytes += e.size;
    us += e.durationUs;
  }
  return us > 0 ? Math.round((bytes * 8 * 1e6) / us) : 0;
}
