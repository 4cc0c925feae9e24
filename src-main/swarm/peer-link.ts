// Swarm-side state of one neighbour: what it holds, whether it chokes us, how fast it
// has been for us, and the counters the dashboard shows.

import { NatClass } from '../protocol/constants.js';
import type { PunchCandidate } from '../protocol/types.js';
import { addCapped, setNewest } from './bounded.js';
import { pieceSlot, segmentKey, segmentSlot } from './keys.js';
import { RateMeter } from './rate-meter.js';
import type { SwarmSession } from './ports.js';

export type LinkHealth = 'good' | 'fair' | 'poor';
/** How we reach the neighbour: we dialled it, we dialled its port mapping, or a punch opened the path (PROTOCOL §5.18). */
export type LinkPath = 'direct' | 'mapped' | 'punched';

/**
 * Media seqs kept per rendition of what a peer holds: the newest this many (PROTOCOL §5.12).
 * Far more than a live window; the bound keeps every AVAILABILITY or HAVE O(this) to handle.
 */
export const HOLDINGS_KEPT = 256;

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
  /** When the peer last delivered data or told us of a new entry. */
  lastUsefulAt: number;
  /** When the peer last asked us for a segment or piece, or announced what it holds. */
  private lastActivityAt: number;
  /** When the peer last delivered a segment or piece we asked for. */
  lastDeliveredAt: number;
  /** Our requests it left unanswered (timed out or given up, no byte received) since it last delivered. */
  unanswered = 0;
  /** When we last sent it a probe PING (see SegmentFetcher.watchSilence), or undefined. */
  probedAt: number | undefined = undefined;
  /** When our requests found it silent (see suspect), or null. */
  private suspectedAt: number | null = null;
  /** PROTOCOL §5.18: the NAT class and candidates of its latest ADDRESSES. */
  nat: number = NatClass.UNKNOWN;
  candidates: PunchCandidate[] = [];
  /** How the path to it was opened (set by whoever made the link: dial or punch). */
  path: LinkPath = 'direct';
  /** Our PEX_REQUEST waiting for its answer (PROTOCOL §5.14): its `max`, and when it was sent. */
  private pexAsked: { max: number; at: number } | null = null;
  /**
   * Since when the peer has said it has no path to the stream but us (HELLO NO_PATH or
   * PATH_STATE, PROTOCOL §5.17); null = it has one. Only the broadcaster acts on it.
   */
  noPathSince: number | null = null;
  /** Broadcaster: the peer holds one of the rescue slots beyond maxPeers (PROTOCOL §13.5). */
  rescueSlot = false;
  /** Broadcaster: since when a rescue-slot peer has said it has a path again (null: it has not). */
  pathBackSince: number | null = null;

  constructor(
    readonly session: SwarmSession,
    private readonly now: () => number,
    initialThroughputBps = 2_000_000,
  ) {
    this.connectedAt = now();
    this.lastUsefulAt = this.connectedAt;
    this.lastActivityAt = this.connectedAt;
    this.lastDeliveredAt = this.connectedAt;
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

  /** The peer says whether it has a path to the stream but us (PROTOCOL §5.17). */
  notePathState(noPath: boolean): void {
    const now = this.now();
    if (noPath) {
      this.noPathSince ??= now;
      this.pathBackSince = null;
    } else {
      this.noPathSince = null;
      this.pathBackSince ??= now;
    }
  }

  /** It can use IPv6 peers: it announced IPV6, or it reached us over IPv6 (PROTOCOL §4.7, §5.14). */
  get reachesIpv6(): boolean {
    return this.session.reachesIpv6 === true || this.session.remote.host.includes(':');
  }

  /** It announced PUNCH (PROTOCOL §4.7, §5.18). */
  get speaksPunch(): boolean {
    return this.session.speaksPunch === true;
  }

  /** The peer took (a segment or piece request) or relayed (HAVE, AVAILABILITY, PIECE_HAVE, PIECE_MAP). */
  noteActivity(): void {
    this.lastActivityAt = this.now();
  }

  /** Last time the peer took, relayed or delivered anything: an idle one may be evicted (PROTOCOL §13.5). */
  get lastActiveAt(): number {
    return Math.max(this.lastActivityAt, this.lastUsefulAt);
  }

  /** We sent a PEX_REQUEST for up to `max` entries. */
  askedPex(max: number): void {
    this.pexAsked = { max, at: this.now() };
  }

  /** Whether a PEX_REQUEST of ours is waiting for its answer (for at most `timeoutMs`). */
  pexPending(timeoutMs: number): boolean {
    return this.pexAsked !== null && this.now() - this.pexAsked.at < timeoutMs;
  }

  /**
   * A PEX_RESPONSE arrived: the `max` of the request it answers, or null when we asked
   * for nothing (within `timeoutMs`): an unsolicited response is ignored (PROTOCOL §5.14).
   */
  takePexAnswer(timeoutMs: number): number | null {
    const asked = this.pexPending(timeoutMs) ? this.pexAsked!.max : null;
    this.pexAsked = null;
    return asked;
  }

  /**
   * Our requests found the peer silent (nothing heard since a request or a probe, for the
   * scheduler's silent limit): it has most likely crashed. Until it is heard from again it is
   * asked for nothing, its requests move to other holders, and it does not count as one of
   * the neighbours we dial for (see Neighbourhood.maintain), so a viewer whose neighbours die
   * fetches elsewhere at once instead of waiting for their idle timeout.
   */
  suspect(): void {
    this.suspectedAt ??= this.now();
  }

  /** Suspected (see suspect) and not heard from since. */
  get suspected(): boolean {
    if (this.suspectedAt === null) return false;
    if (this.now() - this.session.silentMs() > this.suspectedAt) this.suspectedAt = null;
    return this.suspectedAt !== null;
  }

  /** A request of ours ended with nothing from the peer: no byte by its deadline, or given up. */
  recordUnanswered(): void {
    this.unanswered += 1;
  }

  /**
   * The peer has left at least `count` requests in a row unanswered and delivered nothing
   * for `quietMs`: it takes requests and never serves them.
   */
  undelivering(count: number, quietMs: number): boolean {
    return this.unanswered >= count && this.now() - this.lastDeliveredAt >= quietMs;
  }

  /** Init segments the peer holds, by segmentKey. */
  private readonly inits = new Set<string>();
  /**
   * Pieces the peer holds of segments it does not hold whole (PIECE_HAVE), as bit masks. This
   * and the per-segment tables below are keyed by segmentSlot or pieceSlot: the scheduler
   * asks them thousands of times per plan, so no strings.
   */
  private readonly pieceMasks = new Map<number, number>();
  /** Segments whose piece map this peer has (it sent it, we sent it, or it announced pieces). */
  private readonly mapKnown = new Set<number>();

  /** The peer speaks PIECES (PROTOCOL §4.7). */
  get speaksPieces(): boolean {
    return this.session.speaksPieces;
  }

  /** The peer answers PEX_REQUEST (PROTOCOL §4.7, §5.14). */
  get speaksPex(): boolean {
    return this.session.speaksPex;
  }

  /** Holds the whole segment or, per PIECE_HAVE, that piece of it. */
  holdsPiece(rendition: number, seq: number, piece: number): boolean {
    if (this.holds(rendition, seq)) return true;
    return (((this.pieceMasks.get(segmentSlot(rendition, seq)) ?? 0) >>> piece) & 1) === 1;
  }

  /** Pieces we offered this peer (announced to it, PROTOCOL §7.3), per segment. */
  private readonly offers = new Map<number, number>();

  /** Pieces we offered the peer of a segment. */
  offeredOut(rendition: number, seq: number): number {
    return this.offers.get(segmentSlot(rendition, seq)) ?? 0;
  }

  /** Records an offer of `piece`; returns the mask of everything offered to it of the segment. */
  offer(rendition: number, seq: number, piece: number): number {
    const key = segmentSlot(rendition, seq);
    const mask = (this.offers.get(key) ?? 0) | (1 << piece);
    setNewest(this.offers, key, mask, 64);
    return mask;
  }

  /** We offered the peer this piece: its request for it is expected and always served. */
  wasOffered(rendition: number, seq: number, piece: number): boolean {
    return (((this.offers.get(segmentSlot(rendition, seq)) ?? 0) >>> piece) & 1) === 1;
  }

  /** Pieces a digest of ours told the peer we hold (see digestPieces), per segment. */
  private readonly told = new Map<number, number>();

  /** Pieces the peer heard from us that we hold of a segment: offered or digested. */
  toldPieces(rendition: number, seq: number): number {
    const key = segmentSlot(rendition, seq);
    return (this.told.get(key) ?? 0) | (this.offers.get(key) ?? 0);
  }

  /** A digest told the peer we hold `mask` of the segment. */
  noteTold(rendition: number, seq: number, mask: number): void {
    const key = segmentSlot(rendition, seq);
    const told = (this.told.get(key) ?? 0) | mask;
    setNewest(this.told, key, told, 64);
  }

  /** Pieces the peer offered us (PIECE_HAVE with OFFER, PROTOCOL §5.15), per segment. */
  private readonly offersIn = new Map<number, number>();

  /** The peer offered us this piece: it will serve our request for it. */
  offersPiece(rendition: number, seq: number, piece: number): boolean {
    return (((this.offersIn.get(segmentSlot(rendition, seq)) ?? 0) >>> piece) & 1) === 1;
  }

  /** Pieces the peer is known to hold of a segment it does not hold whole. */
  knownPieces(rendition: number, seq: number): number {
    return this.pieceMasks.get(segmentSlot(rendition, seq)) ?? 0;
  }

  /**
   * A PIECE_HAVE: the pieces are held (kept as a union: frames may be reordered, and
   * pieces are not given up while the segment is under way), and offered if it says so.
   */
  markPieces(rendition: number, seq: number, mask: number, offer = false): void {
    const key = segmentSlot(rendition, seq);
    setNewest(this.pieceMasks, key, (this.pieceMasks.get(key) ?? 0) | mask, 128);
    if (offer) setNewest(this.offersIn, key, (this.offersIn.get(key) ?? 0) | mask, 128);
    this.noteMapKnown(rendition, seq);
  }

  /** The peer has the segment's piece map, so it need not be sent one. */
  noteMapKnown(rendition: number, seq: number): void {
    addCapped(this.mapKnown, segmentSlot(rendition, seq), 256);
  }

  knowsMap(rendition: number, seq: number): boolean {
    return this.mapKnown.has(segmentSlot(rendition, seq)) || this.holds(rendition, seq);
  }

  holds(rendition: number, seq: number): boolean {
    return this.holdings.get(rendition)?.has(seq) ?? false;
  }

  holdsInit(rendition: number, seq: number): boolean {
    return this.inits.has(segmentKey(rendition, seq));
  }

  markInit(rendition: number, seq: number): void {
    if (this.inits.size > 64) this.inits.clear();
    this.inits.add(segmentKey(rendition, seq));
  }

  markHave(rendition: number, seq: number, keepBelow = HOLDINGS_KEPT): void {
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

  /**
   * Replaces what we know of a rendition's holdings (from an AVAILABILITY message, read
   * with newestSeqs): only the newest HOLDINGS_KEPT of the ascending `seqs` are kept.
   */
  setHoldings(rendition: number, seqs: readonly number[]): void {
    this.holdings.set(rendition, new Set(seqs.slice(-HOLDINGS_KEPT)));
  }

  /** The peer refused the segment (or piece) as overloaded: leave it alone until `until`. */
  backOff(rendition: number, seq: number, until: number, piece?: number): void {
    if (this.busy.size > 256) for (const [k, t] of this.busy) if (t < until - 60_000) this.busy.delete(k);
    if (piece === undefined) this.busy.set(segmentSlot(rendition, seq), until);
    else this.busyPieces.set(pieceSlot(rendition, seq, piece), until);
    if (this.busyPieces.size > 1024)
      for (const [k, t] of this.busyPieces) if (t < until - 10_000) this.busyPieces.delete(k);
  }

  /**
   * The peer turned down a piece it had not offered (OVERLOADED): its upload queue is long,
   * so until `until` it is not asked for pieces it did not offer unless they are urgent
   * (PROTOCOL §7.3: such pulls mostly end in OVERLOADED, and each costs both sides a round
   * trip; an urgent piece, such as a joining viewer's first segment, is still worth asking).
   */
  refusedUnoffered(until: number): void {
    this.unofferedBusyUntil = Math.max(this.unofferedBusyUntil, until);
  }

  private unofferedBusyUntil = -Infinity;

  /** Whether it turned down an unoffered piece recently (see refusedUnoffered). */
  refusesPulls(now: number): boolean {
    return now < this.unofferedBusyUntil;
  }

  /** Holds the segment (or the piece) and has not recently refused it. */
  canServe(rendition: number, seq: number, now: number, piece?: number): boolean {
    if (piece === undefined)
      return this.holds(rendition, seq) && (this.busy.get(segmentSlot(rendition, seq)) ?? -Infinity) <= now;
    return (
      this.holdsPiece(rendition, seq, piece) &&
      (this.busy.get(segmentSlot(rendition, seq)) ?? -Infinity) <= now &&
      (this.busyPieces.get(pieceSlot(rendition, seq, piece)) ?? -Infinity) <= now
    );
  }

  /** The peer said it does not have the segment (or piece): it holds neither it nor the whole. */
  forget(rendition: number, seq: number, piece?: number): void {
    this.holdings.get(rendition)?.delete(seq);
    if (piece === undefined) return;
    const key = segmentSlot(rendition, seq);
    const mask = this.pieceMasks.get(key);
    if (mask !== undefined) this.pieceMasks.set(key, mask & ~(1 << piece));
  }

  /** Segments the peer turned down as overloaded (by segmentSlot), and until when not to ask again. */
  private readonly busy = new Map<number, number>();
  /** Pieces the peer turned down as overloaded, and until when not to ask again. */
  private readonly busyPieces = new Map<number, number>();

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
    this.lastDeliveredAt = this.lastUsefulAt;
    this.unanswered = 0;
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
