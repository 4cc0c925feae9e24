// PROTOCOL §13.4 — how often a peer may send the frames that make a node work or answer:
// one token bucket per kind and session. A frame that finds its bucket empty closes the
// session with RESOURCE_LIMIT. The rates are well above what an honest node sends (noted
// per kind), so only a flood reaches them.

import type { Frame } from '../protocol/index.js';

export interface FrameRate {
  /** Frames accepted at once (the bucket's size; it starts full). */
  burst: number;
  /** Frames per second the bucket refills with. */
  perSecond: number;
}

export type RatedFrame = 'PLAYLIST_REQUEST' | 'PEX_REQUEST' | 'AVAILABILITY' | 'PIECE_HAVE' | 'OFFLINE';

export const INBOUND_FRAME_RATES: Readonly<Record<RatedFrame, FrameRate>> = Object.freeze({
  // A joining viewer asks once per rendition, then catches up one request at a time.
  PLAYLIST_REQUEST: { burst: 32, perSecond: 4 },
  // One when a link opens, then one per 15 s, or per starving refresh (at most every 2 s).
  PEX_REQUEST: { burst: 16, perSecond: 1 },
  // One per rendition when a link opens.
  AVAILABILITY: { burst: 32, perSecond: 2 },
  // Offers, digests and map notices: at most about 100 a second per rendition watched.
  PIECE_HAVE: { burst: 1024, perSecond: 512 },
  // One per broadcaster stop (PROTOCOL §5.16), and once more to a neighbour that links later.
  OFFLINE: { burst: 8, perSecond: 1 },
});

export class FrameRateLimiter {
  private readonly buckets = new Map<RatedFrame, { tokens: number; at: number }>();

  constructor(private readonly rates: Readonly<Record<RatedFrame, FrameRate>> = INBOUND_FRAME_RATES) {}

  /** Takes a token for a frame of `type`; false when the peer is over that kind's rate. */
  take(type: Frame['type'], now: number): boolean {
    if (!(type in this.rates)) return true;
    const { burst, perSecond } = this.rates[type as RatedFrame];
    let bucket = this.buckets.get(type as RatedFrame);
    if (bucket === undefined) {
      bucket = { tokens: burst, at: now };
      this.buckets.set(type as RatedFrame, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) * perSecond) / 1000);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }
}
