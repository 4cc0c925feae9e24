// Where the player on the HTTP gateway is (VLC, mpv, the browser UI's player), for the CLI's
// status line: the engine cannot see a player's screen, but it sees what the player fetched.
// The frame on screen is in the newest segment fetched or an earlier one, so now − the end
// of that segment's EXT-X-PROGRAM-DATE-TIME is how far behind live the player is at least.

import type { SegmentStore } from '../store/segment-store.js';

export interface ServedSegment {
  rendition: number;
  seq: number;
  /** When it was served, ms since the epoch. */
  at: number;
}

export interface GatewayPlayerPosition {
  /** The newest media segment a player fetched. */
  seq: number;
  /** The player is at least this far behind the broadcaster's clock; null: the stream has no dates. */
  behindLiveSec: number | null;
  /** Media the engine holds after that segment: what the player can fetch at once. */
  heldAheadSec: number;
}

/** A player that fetched nothing for this long is gone (a player fetches every segment). */
export const GATEWAY_PLAYER_GONE_MS = 10_000;

export function gatewayPlayerPosition(
  served: ServedSegment | null,
  store: SegmentStore,
  nowMs: number,
): GatewayPlayerPosition | null {
  if (served === null || nowMs - served.at > GATEWAY_PLAYER_GONE_MS) return null;
  const entry = store.get(served.rendition, 'media', served.seq)?.entry;
  const end = entry && entry.programDateTimeMs > 0 ? entry.programDateTimeMs + entry.durationUs / 1000 : null;
  let aheadUs = 0;
  for (const e of store.window(served.rendition)) if (e.seq > served.seq) aheadUs += e.durationUs;
  return {
    seq: served.seq,
    behindLiveSec: end === null ? null : Math.max(0, (nowMs - end) / 1000),
    heldAheadSec: aheadUs / 1e6,
  };
}
