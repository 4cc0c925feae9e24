// Swarm-side state of one neighbour: what it holds, whether it chokes us, how fast it
// has been for us, and the counters the dashboard shows.

import { RateMeter } from './rate-meter.js';
import type { SwarmSession } from './ports.js';

export type LinkHealth = 'good' | 'fair' | 'poor';

export class PeerLink {
  readonly connectedAt: number;
  /** Media seqs the peer holds, per rendition. */
  private readonly holdings = new Map<number, Set<number>>();
  chokesUs = false;
  weChoke = false;
  segmentsSent = 0;
  segmentsReceived = 0;
  failures = 0;
  /** Requests of ours currently running against this peer. */
  inFlight = 0;
  inFlightBytes = 0;
  /** EWMA of goodput observed on completed requests, bytes/s. */
  throughputBps: number;
  readonly up: RateMeter;
  readonly down: RateMeter;
  lastUsefulAt: number;

  constructor(
    readonly session: SwarmSession,
    private readonly now: () => number,
    initialThroughputBps = 2_000_000,
  ) {
    this.connectedAt = now();
    this.lastUsefulAt = this.connectedAt;
    this.throughputBps = initialThroughputBps;
    this.up = new RateMeter(now);
    this.down = new RateMeter(now);
  }

  get nodeId(): string {
    return this.session.nodeId;
  }

  get isBroadcaster(): boolean {
    return this.session.isBroadcaster;
  }

  /** Init segments the peer holds, as `${rendition}:${seq}`. */
  private readonly inits = new Set<string>();

  holds(rendition: number, seq: number): boolean {
    return this.holdings.get(rendition)?.has(seq) ?? false;
  }

  holdsInit(rendition: number, seq: number): boolean {
    return this.inits.has(`${rendition}:${seq}`);
  }

  markInit(rendition: number, seq: number): void {
    if (this.inits.size > 64) this.inits.clear();
    this.inits.add(`${rendition}:${seq}`);
  }

  markHave(rendition: number, seq: number, keepBelow = 256): void {
    let set = this.holdings.get(rendition);
    if (!set) {
      set = new Set();
      this.holdings.set(rendition, set);
    }
    set.add(seq);
    if (set.size > keepBelow) {
      const floor = seq - keepBelow;
      for (const s of set) if (s < floor) set.delete(s);
    }
  }

  /** The newest media seq the peer is known to hold, or -1. */
  newestHeld(rendition: number): number {
    let newest = -1;
    for (const seq of this.holdings.get(rendition) ?? []) if (seq > newest) newest = seq;
    return newest;
  }

  /** Replaces what we know of a rendition's holdings (from an AVAILABILITY message). */
  setHoldings(rendition: number, seqs: Iterable<number>): void {
    this.holdings.set(rendition, new Set(seqs));
  }

  /** The peer refused the segment as overloaded: leave it alone until `until`. */
  backOff(rendition: number, seq: number, until: number): void {
    if (this.busy.size > 64) for (const [k, t] of this.busy) if (t < until - 60_000) this.busy.delete(k);
    this.busy.set(`${rendition}:${seq}`, until);
  }

  /** Holds the segment and has not recently refused it. */
  canServe(rendition: number, seq: number, now: number): boolean {
    return this.holds(rendition, seq) && (this.busy.get(`${rendition}:${seq}`) ?? -Infinity) <= now;
  }

  forget(rendition: number, seq: number): void {
    this.holdings.get(rendition)?.delete(seq);
  }

  /** Segments (`${rendition}:${seq}`) the peer turned down as overloaded, and until when not to ask again. */
  private readonly busy = new Map<string, number>();

  /** When the last of our requests to this peer completed: requests queued behind it start then. */
  lastDoneAt = -Infinity;

  /** Whether `throughputBps` has been measured (before that it is only a guess). */
  get measured(): boolean {
    return this.segmentsReceived > 0;
  }

  /**
   * A completed request. `serviceMs` is the time the peer spent on this one (from its start,
   * or from the previous completion if it was queued behind another of ours), so pipelined
   * requests do not make the peer look slower than it is.
   */
  recordDownload(bytes: number, serviceMs: number): void {
    this.down.record(bytes);
    const first = !this.measured;
    this.segmentsReceived += 1;
    this.lastUsefulAt = this.now();
    this.lastDoneAt = this.lastUsefulAt;
    if (serviceMs > 0) {
      const sample = (bytes / serviceMs) * 1000;
      this.throughputBps = first ? sample : 0.7 * this.throughputBps + 0.3 * sample;
    }
  }

  recordUpload(bytes: number): void {
    this.up.record(bytes);
    this.segmentsSent += 1;
  }

  recordFailure(): void {
    this.failures += 1;
    this.throughputBps *= 0.5;
  }

  health(): LinkHealth {
    const h = this.session.health();
    if (h.lossRate > 0.2 || (h.rttMs ?? 0) > 800 || this.failures >= 5) return 'poor';
    if (h.lossRate > 0.05 || (h.rttMs ?? 0) > 250 || this.failures >= 2) return 'fair';
    return 'good';
  }
}
