// One stream's swarm as seen from this node: neighbours, what they hold, what we fetch
// from whom and when, what we serve, and what we announce. The broadcaster runs the same
// swarm with `publish()` feeding it and no fetching. Each concern has its own module (see
// the fields below); this class owns the lifecycle and the links, and wires the parts.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { newestSeqs, seqsToBitmap } from '../protocol/availability-bitmap.js';
import { EntryFlag, NatClass, PathState } from '../protocol/constants.js';
import type {
  Frame,
  OfflineNotice,
  PeerAddress,
  PieceMap,
  PexPeer,
  SegmentEntry,
  StreamInfo,
} from '../protocol/types.js';
import { EntryBook } from './entry-book.js';
import { EntryIntake } from './entry-intake.js';
import { LivePosition } from './fetch/live-position.js';
import { Neighbourhood, type Admission } from './neighbourhood.js';
import { OfflineRelay } from './offline-relay.js';
import { PathWatch, type PathStatus } from './path-watch.js';
import { planGrants, type GrantPlan } from './serve/rescue-grants.js';
import { HOLDINGS_KEPT, type PeerLink } from './peer-link.js';
import { peerIdentity, peerSnapshot, type PeerSnapshot } from './peer-snapshot.js';
import { HolePunching } from './punch/hole-punching.js';
import { PieceLedger } from './piece-ledger.js';
import { PieceOffers } from './serve/piece-offers.js';
import { announceMap, maskOfBitmap, offerPieces, offerWhole, sendMapOnce } from './serve/piece-relay.js';
import { AudienceEstimate } from './audience-estimate.js';
import { ServingPolicy } from './serve/serving-policy.js';
import type { IncomingPlaylistRequest, IncomingSegmentRequest, SwarmSession } from './ports.js';
import type { SegmentArrivalEvent } from './fetch/segment-arrivals.js';
import { SegmentFetcher } from './fetch/segment-fetcher.js';
import { SegmentWants } from './fetch/segment-wants.js';
import type { SwarmEvents, SwarmOptions } from './swarm-options.js';

export type { SegmentArrivalEvent } from './fetch/segment-arrivals.js';
export type { SwarmEvents, SwarmOptions } from './swarm-options.js';

const TICK_MS = 100;
const PEX_EVERY_MS = 15_000;
/** Entries we ask for in a PEX_REQUEST. */
const PEX_MAX = 16;
/** A PEX_RESPONSE later than this after our request is not taken as its answer. */
const PEX_ANSWER_MS = 10_000;
/** A neighbour that leaves this many requests in a row unanswered... */
const UNANSWERED_LIMIT = 6;
/** ...and delivers nothing for this long (at least; 4 segment durations if longer) is dropped. */
const UNDELIVERING_QUIET_MS = 10_000;
/** While the stream is quiet, the broadcaster's address is probed this often (see probeBootstrap). */
const PROBE_EVERY_MS = 1000;
/** A link that sent nothing for this long while the stream is quiet may be a dead one. */
const PROBE_SILENT_MS = 2000;
/** How often a viewer looks for entries a neighbour holds that it lacks (see catchUpEntries). */
const CATCH_UP_EVERY_MS = 500;
/** Broadcaster: rescue slots beyond maxPeers for viewers with no other path (PROTOCOL §13.5). */
export const RESCUE_SLOTS = 2;

export class Swarm extends TypedEmitter<SwarmEvents> {
  readonly book: EntryBook;
  readonly neighbourhood: Neighbourhood;
  readonly pieces = new PieceLedger();
  /** Viewer: the join point and the modelled player (see LivePosition). */
  private readonly position: LivePosition;
  /** Viewer: what we want, by when (see SegmentWants). */
  private readonly wants: SegmentWants;
  /** Viewer: what we fetch from whom, and when (see SegmentFetcher). */
  private readonly fetcher: SegmentFetcher;
  /** What neighbours tell us of the stream's entries (see EntryIntake). */
  private readonly intake: EntryIntake;
  /** The broadcaster's word that it stopped, carried across the swarm (see OfflineRelay). */
  private readonly offline: OfflineRelay;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastPexAt = 0;
  private pingNonce = 0;
  /** Broadcaster: the viewers its neighbours name in peer exchange (issue 17 §2). */
  private readonly audience: AudienceEstimate;
  private lastRefreshAt = 0;
  private lastProbeAt = 0;
  private lastCatchUpAt = 0;
  private pushCursor = 0;
  /** Which requests we answer, and our upload queue (see ServingPolicy). */
  private readonly serving: ServingPolicy;
  /** Which neighbours hear of the pieces we hold (see PieceOffers). */
  private readonly offers: PieceOffers;
  private destroyed = false;
  /** Viewer: whether any neighbour but the broadcaster works for us (PROTOCOL §5.17). */
  private readonly path: PathWatch;
  /** Viewer: our contiguous head, and when it last moved (see watchPath). */
  private headSeen = -1;
  private headAt: number;
  /** Hole punching (PROTOCOL §5.18), when the node has a PunchTransport. */
  readonly punching: HolePunching | null;
  /** Things peers did that we refused to act on (for tests and logs). */
  readonly refusals = { pexUnsolicited: 0, pexOversized: 0, undelivering: 0 };

  constructor(private readonly options: SwarmOptions) {
    super((err) => this.emit('error', ShoalError.internal('a swarm listener threw', err)));
    this.book = new EntryBook(options.streamId);
    this.path = new PathWatch(options.now());
    this.audience = new AudienceEstimate(options.now);
    this.headAt = options.now();
    this.serving = new ServingPolicy(
      options,
      this.book,
      this.pieces,
      () => {
        let active = 0;
        for (const link of this.neighbourhood.links()) active += link.session.activeResponses();
        return active;
      },
      () => this.grants(),
    );
    this.offers = new PieceOffers(
      options,
      this.book,
      this.pieces,
      () => this.neighbourhood.links(),
      this.serving,
    );
    const punch = options.punch;
    this.punching = punch
      ? new HolePunching({
          selfNodeId: options.selfNodeId,
          now: options.now,
          transport: punch,
          dialer: options.dialer,
          links: () => this.neighbourhood.links(),
          linkOf: (id) => this.neighbourhood.linkOf(id),
          adopt: (session) => this.neighbourhood.adopt(session),
          ...(options.punchLog && { log: options.punchLog }),
        })
      : null;
    this.neighbourhood = new Neighbourhood({
      ...(this.punching && { punch: this.punching.hooks }),
      dialer: options.dialer,
      maxPeers: options.maxPeers,
      selfNodeId: options.selfNodeId,
      now: options.now,
      ...(options.idleEvictMs !== undefined && { idleEvictMs: options.idleEvictMs }),
      rescueSlots: options.role === 'broadcaster' ? (options.rescueSlots ?? RESCUE_SLOTS) : 0,
      noPath: () => this.options.role === 'viewer' && this.path.noPath,
      onLink: (link) => this.onLink(link),
      onUnlink: (link, reason) => this.onUnlink(link, reason),
      onDialError: (address, error) => {
        if (error.code === ErrorCode.STREAM_NOT_FOUND) this.emit('error', error);
        this.emit('dial-failed', { address, error });
      },
    });
    this.neighbourhood.addCandidates(options.bootstrap, true);
    this.position = new LivePosition(
      options,
      this.book,
      () => this.neighbourhood.links(),
      (link, rendition, fromSeq) => this.intake.catchUp(link, rendition, fromSeq),
      (resync) => this.emit('resync', resync),
    );
    this.wants = new SegmentWants(options, this.book, this.pieces, this.position, () =>
      this.neighbourhood.links(),
    );
    this.fetcher = new SegmentFetcher(options, this.book, this.pieces, this.position, this.wants, {
      links: () => this.neighbourhood.links(),
      verified: (entry, data, arrival) => this.store(entry, data, arrival),
      pieceVerified: (from, assembly, piece, bytes) =>
        this.offers.pieceVerified(from, assembly, piece, bytes),
      failed: (failure) => this.emit('segment-failed', failure),
      ban: (link, reason) => this.neighbourhood.ban(link, reason),
      fault: this.fault,
    });
    this.intake = new EntryIntake(options, this.book, this.pieces, {
      linked: (link) => !this.destroyed && this.neighbourhood.links().includes(link),
      info: (info) => this.emit('info', info),
      heard: (rendition, seq, pushed) => this.wants.noteHeard(rendition, seq, pushed),
      news: () => this.fetcher.scheduleSoon(),
      mapVerified: (link, map) => {
        if (this.options.role === 'viewer') announceMap(this.neighbourhood.links(), link, map);
      },
      ban: (link, reason) => this.neighbourhood.ban(link, reason),
      fault: this.fault,
    });
    this.offline = new OfflineRelay(options.streamId, this.book, {
      links: () => this.neighbourhood.links(),
      ban: (link, reason) => this.neighbourhood.ban(link, reason),
      heard: (notice, from) => this.emit('offline', { notice, from }),
    });
  }

  get role(): 'broadcaster' | 'viewer' {
    return this.options.role;
  }

  start(): void {
    this.position.start();
    this.neighbourhood.maintain();
    this.timer = setInterval(() => this.guard(() => this.tick()), TICK_MS);
    this.timer.unref?.();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.timer) clearInterval(this.timer);
    this.fetcher.destroy();
    this.punching?.destroy();
    this.neighbourhood.destroy();
    this.removeAllListeners();
  }

  /** Inbound session from the endpoint. */
  adopt(session: SwarmSession): void {
    this.neighbourhood.adopt(session);
  }

  canAccept(): boolean {
    return this.neighbourhood.canAccept();
  }

  /**
   * How to answer a HELLO from `from`: banned, FULL (with peers to try), or welcome; `noPath`
   * (its HELLO said NO_PATH) may get a rescue slot when we are full (PROTOCOL §13.5); `ipv6`:
   * it can use IPv6 peers, so a FULL answer may name some (§5.14).
   */
  admit(from: PeerAddress, noPath = false, nodeId?: Uint8Array, ipv6 = true): Admission {
    const admission = this.neighbourhood.admit(from, noPath && this.options.role === 'broadcaster', ipv6);
    // PROTOCOL §5.18 step 7: the neighbours a FULL answer names probe toward the client.
    if (!admission.accept && admission.peers && nodeId && this.punching)
      this.punching.introduceRejected(from, nodeId, admission.peers);
    return admission;
  }

  /** Viewer: whether a neighbour other than the broadcaster works for us (PROTOCOL §5.17). */
  get pathStatus(): PathStatus {
    return this.path.status;
  }

  /**
   * Broadcaster: the viewers it serves alone and the first copies it can afford (see
   * planGrants). Cheap: a handful of links.
   */
  private grants(): GrantPlan {
    return planGrants(this.neighbourhood.links(), {
      capBytesPerSec: this.options.uploadBytesPerSec ?? null,
      streamBytesPerSec: this.serving.streamBytesPerSec(),
      pushFanout: this.options.pushFanout,
    });
  }

  /**
   * The broadcaster's own endpoints, from its signed DHT record (PROTOCOL §15): kept and
   * probed like those of the stream address.
   */
  addBootstrap(peers: readonly PeerAddress[]): void {
    this.neighbourhood.addCandidates(peers, true);
    this.neighbourhood.maintain();
  }

  /** Endpoints the broadcaster's newer record no longer lists: not dialled any more. */
  dropBootstrap(peers: readonly PeerAddress[]): void {
    this.neighbourhood.forget(peers);
  }

  /** Addresses found on the DHT (get_peers, PROTOCOL §15.3): unvalidated, dialled at the budget's pace. */
  addDiscovered(peers: readonly PeerAddress[]): void {
    this.neighbourhood.addCandidates(peers);
    this.neighbourhood.maintain();
  }

  pexPeers(max = 16): PexPeer[] {
    return this.neighbourhood.pexPeers(max);
  }

  setUploadRate(bytesPerSec: number | null): void {
    this.options.uploadBytesPerSec = bytesPerSec;
  }

  setNoUpload(noUpload: boolean): void {
    if (this.options.role === 'broadcaster' || this.options.noUpload === noUpload) return;
    this.options.noUpload = noUpload;
    for (const link of this.neighbourhood.links()) this.updateChoke(link);
  }

  /** Broadcaster: we stop on purpose; every neighbour hears it, and passes it on (PROTOCOL §5.16). */
  announceOffline(notice: OfflineNotice): void {
    if (this.options.role === 'broadcaster' && !this.destroyed) this.offline.announce(notice);
  }

  /** The broadcaster's offline notice this node holds, while it holds (see OfflineRelay). */
  get offlineNotice(): OfflineNotice | null {
    return this.offline.current();
  }

  /**
   * Resolves once every neighbour acknowledged the control frames sent to it (or after
   * `maxMs`): a broadcaster that stops waits for this, so its OFFLINE reaches them before
   * the GOODBYE that ends the sessions (which drops whatever is unacknowledged).
   */
  async settle(maxMs: number): Promise<void> {
    const until = this.options.now() + maxMs;
    while (
      !this.destroyed &&
      this.options.now() < until &&
      this.neighbourhood.links().some((l) => l.session.unacknowledged() > 0)
    )
      await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Broadcaster: a new signed stream info. */
  setInfo(info: StreamInfo): void {
    if (this.book.addInfo(info) === 'new') this.emit('info', info);
  }

  /** Broadcaster: a freshly ingested and signed segment, with its signed piece map (media, size > 0). */
  publish(entry: SegmentEntry, data: Uint8Array, map?: PieceMap): void {
    this.options.vault.put(entry, data);
    this.book.addOwn(entry);
    if (entry.flags & EntryFlag.INIT) {
      for (const link of this.neighbourhood.links()) link.session.send({ type: 'HAVE', entry });
      return;
    }
    this.serving.notePublished(entry.rendition, entry.seq);
    // Kept even with no neighbour yet: viewers that join later get it with the playlist.
    if (map && this.piecesOn) this.pieces.addMap(map);
    const everyone = this.neighbourhood.links();
    if (everyone.length === 0) return;
    // PROTOCOL §13.5: viewers with no other path that we serve alone get all of it at once;
    // they pass nothing on, so first copies go to the others, and the lonely ones we cannot
    // carry hear of it with the rest (they may still get rescues).
    const plan = this.grants();
    for (const link of plan.granted) {
      if (map && this.piecesOn && link.speaksPieces) offerWhole(link, map);
      else link.session.send({ type: 'HAVE', entry });
    }
    const all = everyone.filter((l) => !plan.granted.has(l));
    const relaying = all.filter((l) => l.noPathSince === null);
    let links = relaying;
    if (map && this.piecesOn) {
      this.pushCursor = offerPieces(relaying, map, plan.fanout, this.pushCursor);
      links = relaying.filter((l) => !l.speaksPieces);
    }
    const first = new Set<PeerLink>();
    if (links.length > 0) {
      const fanout = Math.max(1, Math.min(plan.fanout, links.length));
      for (let i = 0; i < fanout; i++) first.add(links[(this.pushCursor + i) % links.length]!);
      this.pushCursor = (this.pushCursor + fanout) % Math.max(1, links.length);
      for (const link of first) link.session.send({ type: 'HAVE', entry });
    }
    // The others hear that we hold it all a little later: by then peers hold the first
    // copies, and we are asked only for rescues (see ServingPolicy.refuses).
    const rest = all.filter((l) => !first.has(l));
    if (rest.length === 0) return;
    const delay = (entry.durationUs / 1000) * this.options.pushDelayShare;
    setTimeout(() => {
      if (this.destroyed) return;
      this.guard(() => {
        for (const link of rest) {
          if (link.holds(entry.rendition, entry.seq)) continue;
          // A viewer with no path we cannot carry gets rescues only: piece by piece, which
          // a rescue budget of about a second of the stream can pay (PROTOCOL §13.5).
          if (map && this.piecesOn && link.speaksPieces && link.noPathSince !== null) sendMapOnce(link, map);
          link.session.send({ type: 'HAVE', entry });
        }
      });
    }, delay).unref?.();
  }

  /**
   * A bug in one of the swarm's own timers or promise continuations: reported as an error
   * event (once per kind of fault, so a fault in the 100 ms tick cannot flood the bus) and
   * never thrown to the process. Faults inside one peer's session close that session
   * instead (PROTOCOL §10.8, PeerSession).
   */
  private readonly fault = (err: unknown): void => {
    const message = err instanceof Error ? err.message : String(err);
    if (this.faultsReported.has(message) || this.faultsReported.size >= 16) return;
    this.faultsReported.add(message);
    this.emit('error', ShoalError.internal(`swarm fault: ${message}`, err));
  };
  private readonly faultsReported = new Set<string>();

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.fault(err);
    }
  }

  private get piecesOn(): boolean {
    return this.options.pieces ?? true;
  }

  // ---- viewer: where we are, what we want and when ----

  /** The seq the local player starts from (join point), per rendition. */
  joinSeq(rendition: number): number | undefined {
    return this.position.joinSeq(rendition);
  }

  /** Media seqs held contiguously from the join point. */
  contiguousHead(rendition: number): number {
    return this.position.contiguousHead(rendition);
  }

  /** Viewer: when we first heard of a media segment (local ms), if we remember it. */
  heardAt(rendition: number, seq: number): number | undefined {
    return this.wants.heardAt(rendition, seq);
  }

  /**
   * Broadcaster: viewers it knows of, its neighbours and those they named in peer exchange
   * within the last 45 s (a lower bound on the audience: see AudienceEstimate).
   */
  audienceEstimate(): number {
    const direct = this.neighbourhood
      .links()
      .filter((l) => !l.isBroadcaster)
      .map((l) => l.nodeId);
    return this.audience.count(direct);
  }

  /**
   * Viewer: a broadcaster we hold a link to was heard from within `withinMs` (while the stream
   * is quiet, probeIfQuiet pings it every second, so a live one answers well within 2.5 s).
   */
  broadcasterAnswers(withinMs: number): boolean {
    return this.neighbourhood.links().some((l) => l.isBroadcaster && l.session.silentMs() < withinMs);
  }

  /** When a new entry of the stream was last heard of (0 = never): the stream's pulse. */
  get lastNewsAt(): number {
    return this.intake.lastNewsAt;
  }

  // ---- what the engine reads: plain data, no PeerLink, no part of the swarm (issue 18 §6) ----

  /** One snapshot per neighbour, read now. */
  peerSnapshots(): PeerSnapshot[] {
    return this.neighbourhood.links().map(peerSnapshot);
  }

  /** How many neighbours we hold a link to. */
  get peerCount(): number {
    return this.neighbourhood.size;
  }

  /** Whether we know of any viewer besides ourselves (linked, or named by PEX or the DHT). */
  get knowsOtherViewers(): boolean {
    return this.neighbourhood.knowsOtherViewers();
  }

  /** The stream's signed description, once known. */
  get streamInfo(): StreamInfo | null {
    return this.book.info;
  }

  /** Highest media seq known for the rendition, or -1. */
  liveEdge(rendition: number): number {
    return this.book.liveEdge(rendition);
  }

  /** The stream's segment duration in ms (its target duration), or 2 s before it is known. */
  segmentDurationMs(): number {
    return this.book.segmentDurationMs();
  }

  /** The stream's bit rate in bytes/s (rendition 0), or a generous guess before it is known. */
  streamBytesPerSec(): number {
    return this.book.streamBytesPerSec();
  }

  /** Microseconds of media in the known entries of a rendition from `fromSeq` to `toSeq`, both included. */
  mediaDurationUs(rendition: number, fromSeq: number, toSeq: number): number {
    let us = 0;
    for (const e of this.book.window(rendition)) if (e.seq >= fromSeq && e.seq <= toSeq) us += e.durationUs;
    return us;
  }

  /** Our NAT as hole punching classified it (a NatClass; UNKNOWN while it cannot tell or punching is off). */
  get natClass(): number {
    return this.punching?.nat ?? NatClass.UNKNOWN;
  }

  private tick(): void {
    if (this.destroyed) return;
    const now = this.options.now();
    this.neighbourhood.maintain();
    this.punching?.tick(now);
    if (now - this.lastPexAt > PEX_EVERY_MS) {
      this.lastPexAt = now;
      const links = this.neighbourhood.links().filter((l) => l.speaksPex);
      // The broadcaster asks each of its few neighbours, so the audience estimate stays fresh.
      if (this.options.role === 'broadcaster') for (const link of links) this.askPex(link);
      else {
        const pick = links[Math.floor(Math.random() * links.length)];
        if (pick) this.askPex(pick);
      }
      this.neighbourhood.replacePoorest();
    }
    if (this.options.role === 'broadcaster') this.neighbourhood.returnRescueSlots();
    if (this.options.role === 'viewer') {
      this.watchPath(now);
      this.dropUndelivering(now);
      this.checkStarving(now);
      this.probeIfQuiet(now);
      this.catchUpEntries(now);
      this.fetcher.schedule(now);
      this.offers.digestIfDue(now);
      if (this.piecesOn) this.offers.offerToLackers();
    }
  }

  /**
   * PROTOCOL §5.17, §13.5: whether a neighbour other than the broadcaster works for us. When
   * that changes, our broadcaster links hear it (PATH_STATE); when we lose the last one, the
   * broadcaster is asked again at once, with NO_PATH (it may have a rescue slot for us).
   */
  private watchPath(now: number): void {
    const segMs = this.book.segmentDurationMs();
    const head = this.position.contiguousHead(0);
    if (head !== this.headSeen) {
      this.headSeen = head;
      this.headAt = now;
    }
    // The stream goes on (news within 3 segments) and our next segment has not come for 2.
    const news = this.intake.lastNewsAt;
    const starving =
      news > 0 && now - news < Math.max(4000, 3 * segMs) && now - this.headAt >= Math.max(4000, 2 * segMs);
    const inputs = { segmentMs: segMs, streamBytesPerSec: this.serving.streamBytesPerSec(), starving };
    if (!this.path.update(now, this.neighbourhood.links(), inputs)) return;
    const state = this.path.noPath ? PathState.NO_PATH : PathState.HAS_PATH;
    for (const link of this.neighbourhood.links())
      if (link.isBroadcaster) link.session.send({ type: 'PATH_STATE', state });
    if (this.path.noPath) this.neighbourhood.askBootstrapAgain();
  }

  private checkStarving(now: number): void {
    const quietFor = now - Math.max(this.intake.lastNewsAt, this.position.joinedAt);
    const limit = Math.max(4000, 3 * this.book.segmentDurationMs());
    if (quietFor < limit || now - this.lastRefreshAt < limit / 2) return;
    this.lastRefreshAt = now;
    for (const link of this.neighbourhood.links()) this.askPex(link);
    this.neighbourhood.refresh();
  }

  /**
   * No new entry for longer than two segments, or our link to the broadcaster went silent:
   * it may have stopped or crashed. Probe its address every second, so that once it is back
   * (restarted at the same address) we reconnect within about a second instead of after our
   * old link's idle timeout (news may come back through a neighbour before that).
   */
  private probeIfQuiet(now: number): void {
    if (this.intake.lastNewsAt === 0 || now - this.lastProbeAt < PROBE_EVERY_MS) return;
    const quietFor = now - this.intake.lastNewsAt;
    const quiet = quietFor >= Math.max(PROBE_SILENT_MS, 2 * this.book.segmentDurationMs());
    const deadSource = this.neighbourhood
      .links()
      .some((l) => l.isBroadcaster && l.session.silentMs() > 2 * PROBE_SILENT_MS);
    if (!quiet && !deadSource) return;
    this.lastProbeAt = now;
    this.neighbourhood.probeBootstrap(PROBE_SILENT_MS);
    // A broadcaster that answers is alive and only its encoder went quiet (the Watch page's
    // "Encoder stalled"); one that crashed leaves the PING unanswered (see broadcasterAnswers).
    for (const link of this.neighbourhood.links())
      if (link.isBroadcaster)
        link.session.send({ type: 'PING', nonce: (this.pingNonce = (this.pingNonce + 1) >>> 0) });
  }

  /**
   * A neighbour holds (by its AVAILABILITY) the segment after our contiguous run, but we lack
   * its entry: ask that neighbour for its entries from there. HAVEs bring entries of what is
   * published while we are linked; this fills in what was published before (a broadcaster
   * that restarted publishes its backlog before viewers are back).
   */
  private catchUpEntries(now: number): void {
    if (now - this.lastCatchUpAt < CATCH_UP_EVERY_MS) return;
    this.lastCatchUpAt = now;
    for (const rendition of this.book.renditions()) {
      const head = this.position.contiguousHead(rendition);
      if (head < 0) continue;
      let seq = head + 1;
      while (this.book.get(rendition, 'media', seq)) seq += 1;
      const holder = this.neighbourhood.links().find((l) => l.holds(rendition, seq));
      if (holder) this.intake.catchUp(holder, rendition, seq);
    }
  }

  /**
   * PROTOCOL §5.14: only peers that announced PEX are asked, one question at a time; the
   * answer is the only PEX_RESPONSE we take from them (see onPexResponse).
   */
  private askPex(link: PeerLink): void {
    if (!link.speaksPex || link.pexPending(PEX_ANSWER_MS)) return;
    link.askedPex(PEX_MAX);
    link.session.send({ type: 'PEX_REQUEST', max: PEX_MAX });
  }

  /** Neighbours that take our requests and never answer them are dropped (PROTOCOL §13.5). */
  private dropUndelivering(now: number): void {
    const quietMs = Math.max(UNDELIVERING_QUIET_MS, 4 * this.book.segmentDurationMs());
    for (const link of this.neighbourhood.links()) {
      if (!link.undelivering(UNANSWERED_LIMIT, quietMs)) continue;
      this.refusals.undelivering++;
      const quiet = Math.round((now - link.lastDeliveredAt) / 1000);
      this.neighbourhood.dropUndelivering(
        link,
        `${link.unanswered} requests unanswered, nothing delivered in ${quiet} s`,
      );
    }
  }

  /** A verified segment: into the store, announced to the neighbours that lack it. */
  private store(entry: SegmentEntry, data: Uint8Array, arrival: SegmentArrivalEvent): void {
    this.options.vault.put(entry, data);
    this.emit('segment', arrival);
    for (const link of this.neighbourhood.links()) {
      if (link !== arrival.from && (arrival.kind === 'init' || !link.holds(entry.rendition, entry.seq)))
        link.session.send({ type: 'HAVE', entry });
    }
  }

  // ---- links ----

  private onLink(link: PeerLink): void {
    link.session.listen({
      frame: (frame) => this.onFrame(link, frame),
      segmentRequest: (req) => this.onSegmentRequest(link, req),
      playlistRequest: (req) => this.onPlaylistRequest(link, req),
      closed: (reason) => this.neighbourhood.release(link, reason),
    });
    this.emit('peer-joined', peerIdentity(link));
    this.punching?.onLink(link);
    this.updateChoke(link);
    for (const rendition of this.book.renditions()) {
      const held = this.options.vault.heldSeqs(rendition);
      if (held.length > 0) link.session.send({ type: 'AVAILABILITY', rendition, ...seqsToBitmap(held) });
    }
    this.askPex(link);
    this.offline.greet(link);
    if (this.options.role === 'viewer' && link.isBroadcaster && this.path.noPath)
      link.session.send({ type: 'PATH_STATE', state: PathState.NO_PATH });
    if (this.options.role === 'viewer' && !this.book.info) this.intake.fetchPlaylist(link);
  }

  private onUnlink(link: PeerLink, reason: ShoalError): void {
    this.fetcher.dropLink(link);
    this.serving.forget(link);
    this.punching?.forget(link);
    this.emit('peer-left', { peer: peerIdentity(link), reason });
    if (!this.destroyed) {
      this.neighbourhood.maintain();
      this.fetcher.scheduleSoon();
    }
  }

  private onFrame(link: PeerLink, frame: Frame): void {
    // Announcing what it holds is relaying: such a neighbour is not idle (PROTOCOL §13.5).
    if (
      frame.type === 'HAVE' ||
      frame.type === 'AVAILABILITY' ||
      frame.type === 'PIECE_HAVE' ||
      frame.type === 'PIECE_MAP'
    )
      link.noteActivity();
    switch (frame.type) {
      case 'HAVE':
        this.intake.acceptEntry(link, frame.entry, 'have');
        break;
      case 'AVAILABILITY':
        // O(bitmap + HOLDINGS_KEPT) per frame, however many seqs it claims (PROTOCOL §5.12).
        link.setHoldings(frame.rendition, newestSeqs(frame, HOLDINGS_KEPT));
        break;
      case 'PIECE_MAP':
        this.intake.pieceMap(link, frame.map);
        break;
      case 'PIECE_HAVE': {
        // Whoever sends a PIECE_HAVE has the segment's map: it need not be sent one (§5.15).
        link.noteMapKnown(frame.rendition, frame.seq);
        // PROTOCOL §5.15: ignored unless it matches the map we hold for the segment.
        const map = this.pieces.map(frame.rendition, frame.seq);
        if (!map || map.hashes.length !== frame.count) break;
        const mask = maskOfBitmap(frame.count, frame.bitmap);
        link.markPieces(frame.rendition, frame.seq, mask, frame.offer === true);
        // An offer is taken at once (each hop of a piece waits for it); a plain digest
        // matters only once offers are overdue, which the next tick sees.
        if (frame.offer === true) this.fetcher.takeOffer(link, map, mask);
        break;
      }
      case 'PATH_STATE':
        // PROTOCOL §5.17: only the broadcaster acts on it; unknown states are ignored.
        if (this.options.role !== 'broadcaster') break;
        if (frame.state === PathState.NO_PATH || frame.state === PathState.HAS_PATH)
          link.notePathState(frame.state === PathState.NO_PATH);
        break;
      case 'CHOKE':
        link.chokesUs = true;
        break;
      case 'UNCHOKE':
        link.chokesUs = false;
        break;
      case 'PEX_REQUEST':
        link.session.send({
          type: 'PEX_RESPONSE',
          peers: this.neighbourhood.pexPeers(Math.min(frame.max, 32), link.nodeId, link.reachesIpv6),
        });
        break;
      case 'PEX_RESPONSE':
        this.onPexResponse(link, frame.peers);
        break;
      case 'OFFLINE':
        if (this.options.role === 'viewer') this.offline.receive(link, frame.notice);
        break;
      default:
        this.punching?.onFrame(link, frame);
        break;
    }
  }

  /**
   * PROTOCOL §5.14: a PEX_RESPONSE is taken only as the answer to our PEX_REQUEST, and
   * only up to the entries asked for; more is a PROTOCOL_VIOLATION. Unsolicited ones are
   * ignored: each entry would become an address we send HELLOs to.
   */
  private onPexResponse(link: PeerLink, peers: PexPeer[]): void {
    const asked = link.takePexAnswer(PEX_ANSWER_MS);
    if (asked === null) {
      this.refusals.pexUnsolicited++;
      return;
    }
    if (peers.length > asked) {
      this.refusals.pexOversized++;
      this.neighbourhood.close(
        link,
        ErrorCode.PROTOCOL_VIOLATION,
        `PEX_RESPONSE with ${peers.length} entries, asked for at most ${asked}`,
      );
      return;
    }
    if (this.options.role === 'broadcaster') this.audience.noteNamed(link.nodeId, peers);
    // PROTOCOL §5.18: the sender may introduce us to the entries it marks INTRODUCER.
    this.neighbourhood.addCandidates(peers, false, link.nodeId);
    this.neighbourhood.maintain();
  }

  private updateChoke(link: PeerLink): void {
    const choke = this.options.role === 'viewer' && this.options.noUpload;
    if (choke === link.weChoke) return;
    link.weChoke = choke;
    link.session.send({ type: choke ? 'CHOKE' : 'UNCHOKE' });
  }

  private onSegmentRequest(link: PeerLink, req: IncomingSegmentRequest): void {
    link.noteActivity();
    const data = this.serving.answer(link, req);
    if (typeof data === 'number') return req.notAvailable(data);
    req.respond(data);
    link.recordUpload(data.length);
    this.emit('uploaded', { link, bytes: data.length });
  }

  private onPlaylistRequest(link: PeerLink, req: IncomingPlaylistRequest): void {
    const info = this.book.info;
    if (!info) return;
    const held = new Set(this.options.vault.heldSeqs(req.rendition));
    const entries = this.book
      .window(req.rendition)
      .filter((e) => e.seq >= req.fromSeq && (held.has(e.seq) || this.options.role === 'broadcaster'));
    // Init segments the listed entries need go first so the requester can fetch them.
    const inits = new Map<number, SegmentEntry>();
    for (const e of entries) {
      if (e.initSeq === null) continue;
      const init = this.book.get(req.rendition, 'init', e.initSeq);
      if (init) inits.set(init.seq, init);
    }
    req.respond(info, [...inits.values(), ...entries]);
    // A joining viewer fetches the newest of these first: with their piece maps it can take
    // them piece by piece from every holder at once (PROTOCOL §7.3).
    if (!this.piecesOn || !link.speaksPieces) return;
    for (const e of entries.slice(-(this.options.joinDistance + 1))) {
      const map = this.pieces.map(e.rendition, e.seq);
      if (map && !link.knowsMap(e.rendition, e.seq)) {
        link.session.send({ type: 'PIECE_MAP', map });
        link.noteMapKnown(e.rendition, e.seq);
      }
    }
  }
}
