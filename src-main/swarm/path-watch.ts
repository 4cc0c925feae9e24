// A viewer's own answer to "do I have a path to the stream other than the broadcaster?"
// (PROTOCOL §5.17, §13.5: no viewer is ever left without a path). A working peer is a
// neighbour other than the broadcaster that delivered a segment or piece lately, or was
// linked lately (it gets a chance to). With none for NO_PATH_AFTER_MS, or while the viewer
// starves (its player's next segment has not come for a while although the stream goes on:
// its peers deliver too little), the viewer has no path: it tells its broadcaster link
// (PATH_STATE NO_PATH), and its HELLOs carry NO_PATH so that a full broadcaster may admit it
// to a rescue slot. It has a path again once working peers, not starving, deliver at least
// half the stream's bit rate (a broadcaster serving it everything leaves peers little to
// deliver, so a lower bar would flip it back and forth).

import type { PeerLink } from './peer-link.js';

/** How long a viewer goes without a working peer (or starves) before it says it has no path. */
export const NO_PATH_AFTER_MS = 4000;
/** A peer that delivered (or was linked) within this long works (at least; 3 segments if longer). */
export const WORKING_PEER_MS = 6000;
/** Peers must deliver this share of the stream's bit rate for a viewer with no path to have one again. */
export const PEER_SHARE_FOR_PATH = 0.5;

export type PathStatus = 'has-path' | 'no-path';

export interface PathInputs {
  segmentMs: number;
  /** The stream's bit rate, bytes/s (0 = not known yet). */
  streamBytesPerSec: number;
  /** The player's next segment has not come for a while although the stream goes on. */
  starving: boolean;
}

export class PathWatch {
  status: PathStatus = 'has-path';
  /** Since when no neighbour but the broadcaster has worked, or we starve (null: neither). */
  private lonelySince: number | null;

  constructor(now: number) {
    this.lonelySince = now;
  }

  /**
   * Re-evaluates from the links; returns true when the status changed. Reads only: the
   * caller tells the peers.
   */
  update(now: number, links: readonly PeerLink[], inputs: PathInputs): boolean {
    const windowMs = Math.max(WORKING_PEER_MS, 3 * inputs.segmentMs);
    let peerRate = 0;
    let working = false;
    for (const l of links) {
      if (l.isBroadcaster) continue;
      peerRate += l.down.rate();
      if (!l.suspected && now - Math.max(l.lastDeliveredAt, l.connectedAt) < windowMs) working = true;
    }
    const lonely = !working || inputs.starving;
    let next = this.status;
    if (this.status === 'no-path') {
      const enough =
        inputs.streamBytesPerSec <= 0 || peerRate >= PEER_SHARE_FOR_PATH * inputs.streamBytesPerSec;
      if (!lonely && enough) {
        next = 'has-path';
        this.lonelySince = null;
      }
    } else {
      if (lonely) this.lonelySince ??= now;
      else this.lonelySince = null;
      if (this.lonelySince !== null && now - this.lonelySince >= NO_PATH_AFTER_MS) next = 'no-path';
    }
    if (next === this.status) return false;
    this.status = next;
    return true;
  }

  get noPath(): boolean {
    return this.status === 'no-path';
  }
}
