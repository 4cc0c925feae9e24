// Where the viewer is in the live stream, per rendition: the join point, how far it holds
// the stream in order from there, and a model of the local player (when it needs each
// segment, how long it has stalled), with relative sync when it falls too far behind.

import type { EntryBook } from '../entry-book.js';
import type { PeerLink } from '../peer-link.js';
import type { SegmentVault } from '../ports.js';

/** The swarm's settings the live position reads (see SwarmOptions). */
export interface LivePositionConfig {
  vault: SegmentVault;
  joinDistance: number;
  resyncAfterSegments?: number;
  now: () => number;
}

/** The viewer jumped ahead to stay near live (relative sync). */
export interface ResyncEvent {
  rendition: number;
  fromSeq: number;
  toSeq: number;
}

export class LivePosition {
  private readonly startSeq = new Map<number, number>();
  /** The live edge when the join point was chosen: up to it, the viewer is catching up. */
  private readonly joinEdge = new Map<number, number>();
  /** Newest media seq held in order from the join point (see contiguousHead). */
  private readonly heads = new Map<number, { start: number; head: number }>();
  /** How long the modelled player has stalled so far, per rendition (see deadlineOf). */
  private readonly stalledMs = new Map<number, number>();
  /** The part of stalledMs spent waiting for a segment the stream did not have yet. */
  private readonly waitedMs = new Map<number, number>();
  /** When the first entry was known (the join point waits a little for a fresher playlist). */
  private firstEntryAt: number | undefined;
  private joinedAtMs = 0;

  constructor(
    private readonly config: LivePositionConfig,
    private readonly book: EntryBook,
    private readonly links: () => PeerLink[],
    /** Fetches the entries a neighbour holds from `fromSeq` on. */
    private readonly catchUp: (link: PeerLink, rendition: number, fromSeq: number) => void,
    private readonly onResync: (resync: ResyncEvent) => void,
  ) {}

  /** When the swarm started, the join point was chosen, or the viewer last rejoined near live. */
  get joinedAt(): number {
    return this.joinedAtMs;
  }

  /** The swarm starts now. */
  start(): void {
    this.joinedAtMs = this.config.now();
  }

  /** The seq the local player starts from (join point), per rendition. */
  joinSeq(rendition: number): number | undefined {
    return this.startSeq.get(rendition);
  }

  /** Media seqs held contiguously from the join point. */
  contiguousHead(rendition: number): number {
    const start = this.startSeq.get(rendition);
    if (start === undefined) return -1;
    // A cursor that only moves forward: segments the store has evicted since still count.
    let cursor = this.heads.get(rendition);
    if (!cursor || cursor.start !== start) cursor = { start, head: start - 1 };
    while (this.config.vault.has(rendition, 'media', cursor.head + 1)) cursor.head += 1;
    this.heads.set(rendition, cursor);
    return cursor.head;
  }

  /** The join point, chosen once the live edge is known (undefined while it is not). */
  ensureStart(rendition: number): number | undefined {
    const known = this.startSeq.get(rendition);
    if (known !== undefined) return known;
    const edge = this.book.liveEdge(rendition);
    if (edge < 0) return undefined;
    // The first playlist may come from a neighbour that is itself behind (or just joined):
    // joining from it would start us far from live. A neighbour that holds something newer
    // has its playlist fetched first — unless that takes longer than a segment lasts.
    const now = this.config.now();
    this.firstEntryAt ??= now;
    const ahead = this.links().find((l) => l.newestHeld(rendition) > edge);
    if (ahead && now - this.firstEntryAt < this.book.segmentDurationMs()) {
      this.catchUp(ahead, rendition, edge + 1);
      return undefined;
    }
    const oldest = this.book.window(rendition)[0]?.seq ?? edge;
    const start = Math.max(oldest, edge - this.config.joinDistance + 1);
    this.startSeq.set(rendition, start);
    this.joinEdge.set(rendition, edge);
    this.joinedAtMs = this.config.now();
    return start;
  }

  /**
   * When the player needs a segment: it starts playing the join point `joinDistance`
   * segment durations after the join (a live player keeps about that much buffer, as
   * hls.js keeps 3 target durations) and plays in real time, except that it stalls while
   * the next segment is missing, which pushes every later deadline back. Without the stall
   * a viewer that fell behind would see every segment as overdue, forever: all of them
   * urgent, all of them asked of the broadcaster.
   */
  private deadlineOf(rendition: number, seq: number, start: number): number {
    const playsAt = this.joinedAtMs + (this.stalledMs.get(rendition) ?? 0);
    return playsAt + this.book.segmentDurationMs() * (this.config.joinDistance + seq - start);
  }

  /**
   * When we want a segment: by its playback deadline, except the catch-up after a join (the
   * join point up to the edge it was chosen at), wanted at once: someone waits for the
   * picture, and the local player is handed its first playlist once the catch-up is in
   * (the gateway's held-media.ts). Left to its playback deadline, the segment after the
   * join point came 0.4–0.9 s after the first (bench:latency --verbose).
   */
  fetchBy(rendition: number, seq: number, start: number): number {
    const due = this.deadlineOf(rendition, seq, start);
    const catchUp = seq <= (this.joinEdge.get(rendition) ?? start) && this.contiguousHead(rendition) < seq;
    return catchUp ? Math.min(due, this.joinedAtMs + this.book.segmentDurationMs()) : due;
  }

  /** The modelled player stalls while the next segment is missing (see deadlineOf). */
  trackStall(rendition: number, start: number, now: number): void {
    const next = Math.max(start, this.contiguousHead(rendition) + 1);
    const late = now - this.deadlineOf(rendition, next, start);
    if (late > 0) {
      this.stalledMs.set(rendition, (this.stalledMs.get(rendition) ?? 0) + late);
      // Waiting at the live edge (the broadcaster paused or restarted) is not falling behind.
      if (next > this.book.liveEdge(rendition))
        this.waitedMs.set(rendition, (this.waitedMs.get(rendition) ?? 0) + late);
    }
    this.resyncIfTooFarBehind(rendition, next, now);
  }

  /**
   * Relative sync (see SwarmOptions.resyncAfterSegments), for stalls while the next segment
   * existed: after a broadcaster's pause or restart the viewer goes on from where it was.
   */
  private resyncIfTooFarBehind(rendition: number, next: number, now: number): void {
    const limitMs = (this.config.resyncAfterSegments ?? 4) * this.book.segmentDurationMs();
    const behindMs = (this.stalledMs.get(rendition) ?? 0) - (this.waitedMs.get(rendition) ?? 0);
    if (behindMs <= limitMs) return;
    const target = this.book.liveEdge(rendition) - this.config.joinDistance + 1;
    if (target <= next) return;
    this.startSeq.set(rendition, target);
    this.joinEdge.set(rendition, target);
    this.stalledMs.set(rendition, 0);
    this.waitedMs.set(rendition, 0);
    this.joinedAtMs = now;
    this.onResync({ rendition, fromSeq: next, toSeq: target });
  }
}
