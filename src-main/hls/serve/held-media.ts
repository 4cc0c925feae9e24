// Holding a player's request until there is something new to give it, instead of making it
// poll (RFC 8216bis §6.2.5.2, LL-HLS blocking playlist reload):
//
// - a media playlist request with `_HLS_msn=<n>` is answered as soon as the playlist we would
//   write reaches segment n (or after 3 target durations, at most 8 s, with what is there),
//   so the player learns of a segment the moment the engine has it, not up to a target
//   duration later; a segment the playlist skips (a hole given up on) does not hold it;
// - a first request for a stream with nothing to serve yet (just after Watch) is held until
//   the first segment is in, instead of answering 503 to a player that may give up; and a
//   first media playlist request (once per rendition) until the engine has caught up with
//   the newest segment it knows of (a viewer joins a few segments behind the edge and
//   fetches up to it within a second), so the player starts where the engine is about to
//   be, not behind it. Players that never block (VLC, mpv) are not held on every reload.
// - At most MAX_HELD requests per stream are held at once; more are answered at once.
//
// Only hosts that honour `_HLS_msn` may advertise CAN-BLOCK-RELOAD: a player told it can
// block but answered at once would reload in a tight loop. So the playlist says so only
// when it comes through here (`canBlockReload`).

import { EntryFlag } from '../../protocol/constants.js';
import type { SegmentStore } from '../../store/segment-store.js';
import {
  MEDIA_ROUTES,
  renditionsOf,
  resolveMedia,
  type MediaResult,
  type MediaStream,
} from './media-resolver.js';
import { DEFAULT_SKIP_HOLE_AFTER, publishableRun } from './playlist-writer.js';

/** The longest a request with nothing to serve yet is held (players time out after ~10 s). */
export const FIRST_DATA_HOLD_MS = 6000;
/** The longest a first playlist request waits for the engine to catch up with the edge. */
export const CATCH_UP_HOLD_MS = 2000;
/** A blocking reload is held at most this many target durations (RFC 8216bis §6.2.5.2). */
const BLOCK_TARGET_DURATIONS = 3;
const MIN_BLOCK_MS = 3000;
/** …and never longer than this: the app's hls.js gives a playlist request 10 s. */
const MAX_BLOCK_MS = 8000;
/** Requests held at once per stream (a local client cannot pile up timers and listeners). */
export const MAX_HELD = 32;

// Keyed by the stream's store: hosts may build a new MediaStream view for every request
// (Engine.handleMedia does), while the store lives as long as the session.
const heldCount = new WeakMap<SegmentStore, number>();
/** Renditions whose first media playlist waited for the catch-up (see above), per stream. */
const caughtUpOnce = new WeakMap<SegmentStore, Set<number>>();

/** The newest seq the media playlist of `rendition` would list now (renderMediaPlaylist), or -1. */
function playlistEnd(stream: MediaStream, rendition: number): number {
  const media = stream.store
    .window(rendition)
    .filter((e) => (e.flags & EntryFlag.INIT) === 0)
    .sort((a, b) => a.seq - b.seq);
  const { end } = publishableRun(media, DEFAULT_SKIP_HOLE_AFTER);
  return media[end - 1]?.seq ?? -1;
}

export type MediaLookup = (id: string) => MediaStream | undefined;

/** `_HLS_msn` of a request URL (path and query), or null. */
export function requestedMsn(url: string): number | null {
  const query = url.split('?')[1];
  if (query === undefined) return null;
  const value = new URLSearchParams(query).get('_HLS_msn');
  return value !== null && /^\d{1,10}$/.test(value) ? Number(value) : null;
}

/** The part of a request's query a held request needs, for hosts that pass on only a path. */
export function blockingQuery(params: URLSearchParams): string {
  const msn = params.get('_HLS_msn');
  return msn !== null && /^\d{1,10}$/.test(msn) ? `?_HLS_msn=${msn}` : '';
}

/** resolveMedia, after holding the request while the stream has nothing new for it (see above). */
export async function resolveMediaHeld(lookup: MediaLookup, url: string): Promise<MediaResult> {
  const path = url.split('?')[0] ?? '';
  const id = /^\/stream\/([^/]+)\//.exec(path)?.[1];
  const stream = id === undefined ? undefined : lookup(id);
  if (stream && (heldCount.get(stream.store) ?? 0) < MAX_HELD) {
    heldCount.set(stream.store, (heldCount.get(stream.store) ?? 0) + 1);
    try {
      await hold(stream, path, url);
    } finally {
      heldCount.set(stream.store, (heldCount.get(stream.store) ?? 1) - 1);
    }
  }
  return resolveMedia(lookup, path, { canBlockReload: true });
}

async function hold(stream: MediaStream, path: string, url: string): Promise<void> {
  const media = MEDIA_ROUTES.media.exec(path);
  const msn = media ? requestedMsn(url) : null;
  if (media && msn !== null) {
    const rendition = Number(media[2]);
    const td = stream.targetDurationMs?.() ?? 0;
    const holdMs = Math.min(MAX_BLOCK_MS, Math.max(MIN_BLOCK_MS, BLOCK_TARGET_DURATIONS * td));
    await heldUntil(stream, () => stream.ended() || playlistEnd(stream, rendition) >= msn, holdMs);
  } else if (media || MEDIA_ROUTES.master.test(path)) {
    const rendition = media ? Number(media[2]) : null;
    const hasData = () =>
      stream.ended() ||
      (rendition === null ? renditionsOf(stream).length > 0 : stream.store.window(rendition).length > 0);
    await heldUntil(stream, hasData, FIRST_DATA_HOLD_MS);
    const once = caughtUpOnce.get(stream.store) ?? new Set<number>();
    caughtUpOnce.set(stream.store, once);
    if (rendition !== null && stream.caughtUp && !once.has(rendition)) {
      once.add(rendition);
      await heldUntil(stream, () => stream.ended() || stream.caughtUp!(rendition), CATCH_UP_HOLD_MS);
    }
  }
}

/** Resolves once `ready()` holds (checked as segments are stored) or after `maxMs`. */
function heldUntil(stream: MediaStream, ready: () => boolean, maxMs: number): Promise<void> {
  if (ready()) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      off();
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    timer.unref?.(); // a held request never keeps a stopping process alive
    const off = stream.store.on('added', () => {
      if (ready()) done();
    });
  });
}
