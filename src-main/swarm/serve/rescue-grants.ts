// Broadcaster: which viewers with no other path it serves alone, and how many first copies
// it can still afford (PROTOCOL §13.5). A viewer that said NO_PATH (in its HELLO or a
// PATH_STATE, §5.17) relays nothing and gets nothing from peers, so the first-copies-then-
// rescues plan, which counts on viewers passing pieces on, would starve it (issue 16: four
// admitted viewers behind symmetric NATs got 2–5 segments in 60 s while the broadcaster sent
// 2.7x the bit rate, spread thinly over all of them). Instead the broadcaster serves such
// viewers the whole stream, first come first served, as many as its upload carries beside
// one first copy for the viewers that do relay. The rest get what the rescue budget gives.

import type { PeerLink } from '../peer-link.js';

/** Upload a viewer served alone costs, in multiples of the stream's bit rate (headers, retransmissions). */
export const GRANT_COST_STREAMS = 1.1;
/** Upload assumed when no cap is set (as UploadShares): 20 Mbit/s. */
const ASSUMED_LINE_BYTES_PER_SEC = 2_500_000;

export interface GrantInputs {
  /** Our upload cap, bytes/s; null = none. */
  capBytesPerSec: number | null;
  /** The stream's bit rate, bytes/s. */
  streamBytesPerSec: number;
  /** First copies of each piece the broadcaster serves to relaying viewers. */
  pushFanout: number;
}

export interface GrantPlan {
  /** Viewers served the whole stream by us (they claimed NO_PATH, earliest first). */
  granted: Set<PeerLink>;
  /** First copies of each piece for the viewers that relay, within what is left (≥ 1). */
  fanout: number;
  /** Neighbours that relay (said no NO_PATH): first copies go to them only. */
  relaying: number;
  /**
   * The earliest viewer with no path beyond what we carry: the only one of them rescues go
   * to (spread over all of them, a leftover completes no one's segments), or null.
   */
  next: PeerLink | null;
}

/** Pure: the plan for these links now. */
export function planGrants(links: readonly PeerLink[], inputs: GrantInputs): GrantPlan {
  const stream = inputs.streamBytesPerSec;
  const line = inputs.capBytesPerSec ?? ASSUMED_LINE_BYTES_PER_SEC;
  const lonely = links.filter((l) => l.noPathSince !== null).sort((a, b) => a.noPathSince! - b.noPathSince!);
  const relaying = links.length - lonely.length;
  const granted = new Set<PeerLink>();
  if (stream <= 0)
    return { granted, fanout: Math.max(1, Math.min(inputs.pushFanout, relaying)), relaying, next: null };
  // One first copy for the relaying viewers comes first: without it nothing enters the swarm.
  const reserved = relaying > 0 ? stream : 0;
  const room = Math.floor((line - reserved) / (GRANT_COST_STREAMS * stream));
  for (const link of lonely.slice(0, Math.max(0, room))) granted.add(link);
  const left = line - granted.size * GRANT_COST_STREAMS * stream;
  const fanout = Math.max(1, Math.min(inputs.pushFanout, relaying, Math.floor(left / stream)));
  return { granted, fanout, relaying, next: lonely[granted.size] ?? null };
}
