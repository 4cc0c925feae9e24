// A viewer's own answer to "do I have a path to the stream other than the broadcaster?"
// (PROTOCOL §5.16, §13.5: no viewer is ever left without a path). A working peer is a
// neighbour other than the broadcaster that delivered a segment or piece lately, or was
// linked lately (it gets a chance to). With none for NO_PATH_AFTER_MS, the viewer has no
// path: it tells its broadcaster link (PATH_STATE NO_PATH), and its HELLOs carry NO_PATH so
// that a full broadcaster may admit it to a rescue slot. The first working peer ends it.

import type { PeerLink } from './peer-link.js';

/** How long a viewer goes without a working peer before it says it has no path. */
export const NO_PATH_AFTER_MS = 4000;
/** A peer that delivered (or was linked) within this long works (at least; 3 segments if longer). */
export const WORKING_PEER_MS = 6000;

export type PathStatus = 'has-path' | 'no-path';

export class PathWatch {
  status: PathStatus = 'has-path';
  /** Since when no neighbour but the broadcaster has worked (null: one works). */
  private lonelySince: number | null;

  constructor(now: number) {
    this.lonelySince = now;
  }

  /**
   * Re-evaluates from the links; returns true when the status changed. Reads only: the
   * caller tells the peers.
   */
  update(now: number, links: readonly PeerLink[], segmentMs: number): boolean {
    const windowMs = Math.max(WORKING_PEER_MS, 3 * segmentMs);
    const working = links.some(
      (l) => !l.isBroadcaster && !l.suspected && now - Math.max(l.lastDeliveredAt, l.connectedAt) < windowMs,
    );
    if (working) this.lonelySince = null;
    else this.lonelySince ??= now;
    const next: PathStatus =
      this.lonelySince !== null && now - this.lonelySince >= NO_PATH_AFTER_MS ? 'no-path' : 'has-path';
    if (next === this.status) return false;
    this.status = next;
    return true;
  }

  get noPath(): boolean {
    return this.status === 'no-path';
  }
}
