// One stream's swarm as seen from this node: neighbours, what they hold, what we fetch
// from whom and when, what we serve, and what we announce. The broadcaster runs the same
// swarm with `publish()` feeding it and no fetching.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { bitmapToSeqs, seqsToBitmap } from '../protocol/availability-bitmap.js';
import { EntryFlag, NotAvailableReason } from '../protocol/constants.js';
import { pieceRange, verifyPieceMap } from '../protocol/piece-map.js';
import { segmentMatchesEntry } from '../protocol/signing.js';
import type {
  Frame,
  PieceMap,
  PeerAddress,
  PexPeer,
  SegmentEntry,
  SegmentKind,
  StreamInfo,
} from '../protocol/types.js';
import { EntryBook } from './entry-book.js';
import { LivePosition, type ResyncEvent } from './live-position.js';
import { Neighbourhood } from './neighbourhood.js';
import type { PeerLink } from './peer-link.js';
import { PieceLedger } from './piece-ledger.js';
import { PieceOffers } from './piece-offers.js';
import { maskOfBitmap, offerPieces } from './piece-relay.js';
import { ServingPolicy } from './serving-policy.js';
import type {
  Dialer,
  IncomingPlaylistRequest,
  IncomingSegmentRequest,
  SegmentVault,
  SwarmSession,
} from './ports.js';
import {
  DEFAULT_SCHEDULER_POLICY,
  itemKey,
  planRequests,
  type InFlightRequest,
  type SchedulerPolicy,
  type SourceView,
  type WantedSegment,
} from './segment-scheduler.js';

export interface SwarmOptions {
  streamId: Uint8Array;
  role: 'broadcaster' | 'viewer';
  selfNodeId: string;
  vault: SegmentVault;
  dialer: Dialer;
  bootstrap: PeerAddress[];
  maxPeers: number;
  /** Viewers join this many segments behind the live edge. */
  joinDistance: number;
  /**
   * Relative sync: once the player has stalled this many segment durations in total, the
   * viewer gives up on the missing segments and rejoins at `joinDistance` behind live, so
   * every viewer stays within a bounded distance of the live edge. Default 4.
   */
  resyncAfterSegments?: number;
  /** Broadcaster: neighbours told about a fresh segment at once; the rest hear later. */
  pushFanout: number;
  /** Broadcaster: delay before the other neighbours hear of a fresh segment, as a share of its duration. */
  pushDelayShare: number;
  /** Leech-only: serve nothing (the broadcaster ignores this). */
  noUpload: boolean;
  /**
   * Fetch and relay media segments piece by piece (PROTOCOL §7.3) from neighbours that
   * speak PIECES; the endpoint must announce the PIECES capability. Default true.
   */
  pieces?: boolean;
  maxInFlightPerPeer: number;
  /**
   * This node's upload cap (bytes/s), null = none. With a cap, a request is refused
   * (OVERLOADED) while the responses already queued would take longer than a segment
   * duration to send, so the requester asks a less busy holder instead of waiting.
   */
  uploadBytesPerSec?: number | null;
  now: () => number;
  policy?: Partial<SchedulerPolicy>;
}

export interface SegmentArrivalEvent {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  bytes: number;
  /** The neighbour that sent the most of it (a segment fetched in pieces has several). */
  from: PeerLink | null;
  /** Bytes of it that came from the broadcaster. */
  fromBroadcasterBytes: number;
  fetchMs: number;
}

export interface SwarmEvents {
  'peer-joined': PeerLink;
  'peer-left': { link: PeerLink; reason: ShoalError };
  segment: SegmentArrivalEvent;
  'segment-failed': { rendition: number; seq: number; reason: ShoalError; from: PeerLink };
  info: StreamInfo;
  /** The viewer jumped ahead to stay near live (relative sync). */
  resync: ResyncEvent;
  uploaded: { link: PeerLink; bytes: number };
  error: ShoalError;
  [key: string]: unknown;
}

interface Running extends InFlightRequest {
  kind: SegmentKind;
  /** The byte range asked for, when this is a piece. */
  range?: { offset: number; length: number };
  link: PeerLink;
  cancel(): void;
  progress(): number;
}

const TICK_MS = 100;
/** At most one extra planning round per this many ms (see scheduleSoon). */
const RESCHEDULE_MS = 20;
/** How long a holder that refused a piece as OVERLOADED is left alone for that piece. */
const PIECE_BACKOFF_MS = 400;
const PEX_EVERY_MS = 15_000;

export class Swarm extends TypedEmitter<SwarmEvents> {
  readonly book: EntryBook;
  readonly neighbourhood: Neighbourhood;
  readonly pieces = new PieceLedger();
  /** Per segment being assembled: bytes per neighbour, and when its first request started. */
  private readonly sourcesOf = new Map<string, { bytes: Map<PeerLink, number>; startedAt: number }>();
  private readonly running = new Map<string, Running>();
  /** When we first heard of each media segment, and whether the broadcaster told us first. */
  private readonly heard = new Map<string, { at: number; pushed: boolean }>();
  /** Viewer: the join point and the modelled player (see LivePosition). */
  private readonly position: LivePosition;
  private catchingUp = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastPexAt = 0;
  /** Last time a new entry was heard of; a viewer that hears nothing for long is cut off. */
  private lastNewsAt = 0;
  private lastRefreshAt = 0;
  private pushCursor = 0;
  /** Which requests we answer, and our upload queue (see ServingPolicy). */
  private readonly serving: ServingPolicy;
  /** Which neighbours hear of the pieces we hold (see PieceOffers). */
  private readonly offers: PieceOffers;
  private destroyed = false;
  private scheduleQueued = false;
  private readonly policy: SchedulerPolicy;

  constructor(private readonly options: SwarmOptions) {
    super((err) => this.emit('error', ShoalError.internal('a swarm listener threw', err)));
    this.book = new EntryBook(options.streamId);
    this.policy = { ...DEFAULT_SCHEDULER_POLICY, ...options.policy };
    this.serving = new ServingPolicy(options, this.book, this.pieces, () => {
      let active = 0;
      for (const link of this.neighbourhood.links()) active += link.session.activeResponses();
      return active;
    });
    this.offers = new PieceOffers(
      options,
      this.book,
      this.pieces,
      () => this.neighbourhood.links(),
      this.serving,
    );
    this.neighbourhood = new Neighbourhood({
      dialer: options.dialer,
      maxPeers: options.maxPeers,
      selfNodeId: options.selfNodeId,
      now: options.now,
      onLink: (link) => this.onLink(link),
      onUnlink: (link, reason) => this.onUnlink(link, reason),
      onDialError: (_addr, error) => {
        if (error.code === ErrorCode.STREAM_NOT_FOUND) this.emit('error', error);
      },
    });
    this.neighbourhood.addCandidates(options.bootstrap, true);
    this.position = new LivePosition(
      options,
      this.book,
      () => this.neighbourhood.links(),
      (link, rendition, fromSeq) => this.catchUpEntries(link, rendition, fromSeq),
      (resync) => this.emit('resync', resync),
    );
  }

  get role(): 'broadcaster' | 'viewer' {
    return this.options.role;
  }

  start(): void {
    this.position.start();
    this.neighbourhood.maintain();
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref?.();
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.timer) clearInterval(this.timer);
    for (const r of this.running.values()) r.cancel();
    this.running.clear();
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
    this.serving.notePublished(entry.seq);
    // Kept even with no neighbour yet: viewers that join later get it with the playlist.
    if (map && this.piecesOn) this.pieces.addMap(map);
    const all = this.neighbourhood.links();
    if (all.length === 0) return;
    let links = all;
    if (map && this.piecesOn) {
      this.pushCursor = offerPieces(all, map, this.options.pushFanout, this.pushCursor);
      links = all.filter((l) => !l.speaksPieces);
    }
    const first = new Set<PeerLink>();
    if (links.length > 0) {
      const fanout = Math.max(1, Math.min(this.options.pushFanout, links.length));
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
      for (const link of rest)
        if (!link.holds(entry.rendition, entry.seq)) link.session.send({ type: 'HAVE', entry });
    }, delay).unref?.();
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

  /**
   * The scheduler policy scaled to the stream: "urgent" means needed within about one
   * segment (a fixed window wider than that makes most of the live window urgent with
   * short segments), and the broadcaster's non-pushed neighbours leave a fresh segment to
   * the pushed ones for about the time one copy takes.
   */
  private effectivePolicy(): SchedulerPolicy {
    const segMs = this.book.segmentDurationMs();
    return {
      ...this.policy,
      urgentWithinMs: Math.min(this.policy.urgentWithinMs, Math.max(1000, segMs)),
      broadcasterGraceMs: Math.max(this.policy.broadcasterGraceMs, segMs / 2),
      offerPatienceMs: Math.min(this.policy.offerPatienceMs, segMs / 2),
    };
  }

  /**
   * How a holder should rank our request (0 first). The newest segments come first: they
   * have the fewest holders, and each copy of one makes one more uploader of it, so spreading
   * them fast is what keeps the whole swarm close to live; so does the segment the player
   * needs next (someone is waiting for the picture: a joining viewer's catch-up must not
   * starve behind everyone's live edge). Then segments about to stall the player, then the
   * rest.
   */
  private priorityOf(rendition: number, seq: number, dueInMs: number): number {
    const start = this.position.joinSeq(rendition);
    const next = start === undefined ? -1 : Math.max(start, this.position.contiguousHead(rendition) + 1);
    if (seq >= this.book.liveEdge(rendition) - 1 || seq === next) return 0;
    return dueInMs < this.effectivePolicy().urgentWithinMs ? 1 : 2;
  }

  private wanted(now: number): WantedSegment[] {
    const out: WantedSegment[] = [];
    const broadcaster = this.neighbourhood.links().find((l) => l.isBroadcaster);
    for (const rendition of this.book.renditions()) {
      const start = this.position.ensureStart(rendition);
      if (start === undefined) continue;
      this.position.trackStall(rendition, start, now);
      // Played (or held) already: the store may have evicted it since, it is not wanted again.
      const head = this.position.contiguousHead(rendition);
      for (const entry of this.book.window(rendition)) {
        if (entry.seq < start || entry.seq <= head || this.options.vault.has(rendition, 'media', entry.seq))
          continue;
        const deadlineAt = this.position.fetchBy(rendition, entry.seq, start);
        const heard = this.heard.get(`${rendition}:${entry.seq}`);
        const announcedAt = heard?.pushed ? -Infinity : (heard?.at ?? now);
        const wholeRunning = this.running.has(`${rendition}:${entry.seq}`);
        const map = this.piecesOn && !wholeRunning ? this.pieces.map(rendition, entry.seq) : undefined;
        if (map) {
          // PROTOCOL §7.3: each missing piece is wanted on its own, from whoever holds it.
          const assembly = this.pieces.assembly(rendition, entry.seq);
          for (let piece = 0; piece < map.hashes.length; piece++) {
            if (assembly?.has(piece)) continue;
            const size = pieceRange(map, piece).length;
            // A piece the broadcaster offered us is ours to fetch from it at once (see offerPieces).
            const offered = broadcaster?.offersPiece(rendition, entry.seq, piece) === true;
            out.push({
              rendition,
              seq: entry.seq,
              piece,
              size,
              deadlineAt,
              announcedAt: offered ? -Infinity : announcedAt,
            });
          }
        } else out.push({ rendition, seq: entry.seq, size: entry.size, deadlineAt, announcedAt });
        if (entry.initSeq !== null && !this.options.vault.has(rendition, 'init', entry.initSeq)) {
          const init = this.book.get(rendition, 'init', entry.initSeq);
          if (init && !out.some((w) => w.rendition === rendition && w.seq === -1 - init.seq)) {
            // Init segments ride in the same plan under a negative key; they are urgent.
            out.push({
              rendition,
              seq: -1 - init.seq,
              size: init.size,
              deadlineAt: now,
              announcedAt: -Infinity,
            });
          }
        }
      }
    }
    return out;
  }

  private tick(): void {
    if (this.destroyed) return;
    const now = this.options.now();
    this.neighbourhood.maintain();
    if (now - this.lastPexAt > PEX_EVERY_MS) {
      this.lastPexAt = now;
      const links = this.neighbourhood.links();
      const pick = links[Math.floor(Math.random() * links.length)];
      pick?.session.send({ type: 'PEX_REQUEST', max: 16 });
      this.neighbourhood.replacePoorest();
    }
    if (this.options.role === 'viewer') {
      this.checkStarving(now);
      this.schedule(now);
      this.offers.digestIfDue(now);
      if (this.piecesOn) this.offers.offerToLackers();
    }
  }

  private checkStarving(now: number): void {
    const quietFor = now - Math.max(this.lastNewsAt, this.position.joinedAt);
    const limit = Math.max(4000, 3 * this.book.segmentDurationMs());
    if (quietFor < limit || now - this.lastRefreshAt < limit / 2) return;
    this.lastRefreshAt = now;
    for (const link of this.neighbourhood.links()) link.session.send({ type: 'PEX_REQUEST', max: 16 });
    this.neighbourhood.refresh();
  }

  private schedule(now: number): void {
    const links = this.neighbourhood.links();
    if (links.length === 0) return;
    // Until a neighbour has delivered something, assume it sends at the stream's bit rate:
    // an optimistic guess makes every first request look stalled under an upload cap.
    const prior = this.book.streamBytesPerSec();
    const sources: SourceView[] = links.map((link) => ({
      id: link.nodeId,
      isBroadcaster: link.isBroadcaster,
      has: (rendition, seq, piece) =>
        !link.chokesUs &&
        (seq < 0
          ? link.holdsInit(rendition, -1 - seq)
          : piece === undefined
            ? link.canServe(rendition, seq, now)
            : link.speaksPieces && link.canServe(rendition, seq, now, piece)),
      rttMs: link.session.rttMs() ?? 50,
      throughputBps: link.measured ? link.throughputBps : Math.min(link.throughputBps, prior),
      inFlight: link.inFlight,
      inFlightBytes: link.inFlightBytes,
      maxInFlight: this.options.maxInFlightPerPeer,
      refusesPulls: link.refusesPulls(now),
      standing: (rendition, seq, piece) =>
        link.offersPiece(rendition, seq, piece) ? 2 : link.holds(rendition, seq) ? 1 : 0,
    }));
    const running = [...this.running.values()].map((r) => ({
      ...r,
      received: r.progress(),
      unoffered: r.piece !== undefined && !r.link.offersPiece(r.rendition, r.seq, r.piece),
    }));
    // The non-pushed neighbours of the broadcaster leave a fresh segment to the pushed
    // ones for about the time one copy takes, then fetch it from them.
    const actions = planRequests(now, this.wanted(now), sources, running, this.effectivePolicy());
    const byId = new Map(links.map((l) => [l.nodeId, l]));
    for (const action of actions) {
      const key = itemKey(action);
      if (action.kind === 'redirect') {
        const r = this.running.get(key);
        if (r) {
          r.link.recordFailure();
          this.finishRunning(key, r);
          r.cancel();
        }
        continue;
      }
      const link = byId.get(action.sourceId);
      if (link) this.fetch(link, action.rendition, action.seq, action.piece, action.expectedDoneAt, now);
    }
  }

  private fetch(
    link: PeerLink,
    rendition: number,
    planSeq: number,
    piece: number | undefined,
    expectedDoneAt: number,
    now: number,
  ): void {
    const kind: SegmentKind = planSeq < 0 ? 'init' : 'media';
    const seq = planSeq < 0 ? -1 - planSeq : planSeq;
    const entry = this.book.get(rendition, kind, seq);
    if (!entry) return;
    const map = piece === undefined ? undefined : this.pieces.map(rendition, seq);
    if (piece !== undefined && !map) return;
    const range = map && piece !== undefined ? pieceRange(map, piece) : undefined;
    const size = range?.length ?? entry.size;
    const segMs = this.book.segmentDurationMs();
    const start = this.position.joinSeq(rendition) ?? seq;
    const deadlineAt = kind === 'init' ? now + segMs : this.position.fetchBy(rendition, seq, start);
    // A segment past its playback deadline is still wanted: the player waits for it. Never
    // give the transfer less time than it needs, or both ends drop it when the deadline
    // passes and every retry starts over — a livelock once uploads are capped.
    const feasibleMs = Math.max(2 * segMs, 2 * (expectedDoneAt - now));
    const handle = link.session.requestSegment({
      rendition,
      kind,
      seq,
      expectedSize: size,
      deadlineMs: Math.round(Math.max(feasibleMs, deadlineAt - now + segMs)),
      // An offered piece is served at once: the holder budgeted its upload for it (§7.3).
      priority:
        piece !== undefined && link.offersPiece(rendition, seq, piece)
          ? 0
          : this.priorityOf(rendition, seq, deadlineAt - now),
      ...(range ? { range } : {}),
    });
    const running: Running = {
      rendition,
      seq: planSeq,
      ...(piece === undefined ? {} : { piece }),
      ...(range ? { range } : {}),
      kind,
      sourceId: link.nodeId,
      startedAt: now,
      expectedDoneAt,
      size,
      link,
      cancel: () => handle.cancel(),
      progress: () => handle.received?.() ?? 0,
    };
    const key = itemKey(running);
    this.running.set(key, running);
    link.inFlight += 1;
    link.inFlightBytes += size;
    if (map && piece !== undefined) {
      const segKey = `${rendition}:${seq}`;
      if (!this.sourcesOf.has(segKey)) this.sourcesOf.set(segKey, { bytes: new Map(), startedAt: now });
      handle.done.then(
        (data) => this.onPieceFetched(key, running, map, piece, data),
        (err: unknown) => this.onFetchFailed(key, running, ShoalError.from(err)),
      );
      return;
    }
    handle.done.then(
      (data) => this.onFetched(key, running, entry, data),
      (err: unknown) => this.onFetchFailed(key, running, ShoalError.from(err)),
    );
  }

  private finishRunning(key: string, r: Running): boolean {
    if (this.running.get(key) !== r) return false;
    this.running.delete(key);
    r.link.inFlight -= 1;
    r.link.inFlightBytes -= r.size;
    return true;
  }

  private onFetched(key: string, r: Running, entry: SegmentEntry, data: Buffer): void {
    const current = this.finishRunning(key, r);
    if (this.destroyed) return;
    if (!segmentMatchesEntry(entry, data)) {
      this.rejectFrom(
        r.link,
        entry,
        `segment ${entry.seq} from ${r.link.nodeId} does not match its signed hash`,
      );
      return;
    }
    if (!current && this.options.vault.has(entry.rendition, r.kind, entry.seq)) return;
    const now = this.options.now();
    r.link.recordDownload(data.length, now - Math.max(r.startedAt, r.link.lastDoneAt));
    this.store(entry, r.kind, data, r.link, r.link.isBroadcaster ? data.length : 0, now - r.startedAt);
  }

  /** PROTOCOL §7.3: a piece arrived; it is checked against the map, kept, and announced. */
  private onPieceFetched(key: string, r: Running, map: PieceMap, piece: number, data: Buffer): void {
    this.finishRunning(key, r);
    if (this.destroyed) return;
    const { entry } = map;
    if (this.options.vault.has(entry.rendition, 'media', entry.seq)) return;
    const assembly = this.pieces.open(entry.rendition, entry.seq);
    if (!assembly) return;
    const verdict = assembly.accept(piece, data);
    if (verdict === 'mismatch') {
      this.rejectFrom(
        r.link,
        entry,
        `piece ${piece} of segment ${entry.seq} from ${r.link.nodeId} does not match its signed hash`,
      );
      return;
    }
    if (verdict === 'duplicate') return;
    const now = this.options.now();
    r.link.recordDownload(data.length, now - Math.max(r.startedAt, r.link.lastDoneAt));
    const segKey = `${entry.rendition}:${entry.seq}`;
    const sources = this.sourcesOf.get(segKey) ?? {
      bytes: new Map<PeerLink, number>(),
      startedAt: r.startedAt,
    };
    sources.bytes.set(r.link, (sources.bytes.get(r.link) ?? 0) + data.length);
    this.sourcesOf.set(segKey, sources);
    const whole = assembly.data();
    if (!whole) {
      this.offers.pieceVerified(r.link, assembly, piece, data.length);
      return;
    }
    this.pieces.close(entry.rendition, entry.seq);
    this.sourcesOf.delete(segKey);
    if (this.sourcesOf.size > 64) this.sourcesOf.delete(this.sourcesOf.keys().next().value!);
    // PROTOCOL §6.3 step 2: the pieces matched the map; the whole must still match the entry.
    if (!segmentMatchesEntry(entry, whole)) {
      this.emit('segment-failed', {
        rendition: entry.rendition,
        seq: entry.seq,
        reason: new ShoalError(
          ErrorCode.HASH_MISMATCH,
          `segment ${entry.seq}: its piece map does not match its entry`,
        ),
        from: r.link,
      });
      return;
    }
    let from = r.link;
    let fromBroadcaster = 0;
    for (const [link, bytes] of sources.bytes) {
      if (link.isBroadcaster) fromBroadcaster += bytes;
      if (bytes > (sources.bytes.get(from) ?? 0)) from = link;
    }
    this.store(entry, 'media', whole, from, fromBroadcaster, now - sources.startedAt);
  }

  /**
   * PROTOCOL §7.3: offered pieces we still need are asked of the offerer straight away,
   * without a full plan (offers arrive by the dozen per second; planning is the costly part).
   */
  private takeOffer(link: PeerLink, map: PieceMap, mask: number): void {
    if (this.options.role !== 'viewer' || this.destroyed) return;
    const { rendition, seq } = map.entry;
    const start = this.position.joinSeq(rendition);
    if (
      start === undefined ||
      seq < start ||
      seq <= this.position.contiguousHead(rendition) ||
      this.options.vault.has(rendition, 'media', seq) ||
      this.running.has(`${rendition}:${seq}`) ||
      link.chokesUs
    )
      return this.scheduleSoon();
    const now = this.options.now();
    const assembly = this.pieces.assembly(rendition, seq);
    for (let piece = 0; piece < map.hashes.length; piece++) {
      if (!((mask >>> piece) & 1) || assembly?.has(piece)) continue;
      if (this.running.has(`${rendition}:${seq}:${piece}`)) continue;
      if (link.inFlight >= this.options.maxInFlightPerPeer) return this.scheduleSoon();
      const size = pieceRange(map, piece).length;
      const rtt = link.session.rttMs() ?? 50;
      const expectedMs = Math.max(
        this.policy.minExpectedMs,
        rtt + ((link.inFlightBytes + size) / Math.max(1, link.throughputBps)) * 1000,
      );
      this.fetch(link, rendition, seq, piece, now + expectedMs, now);
    }
  }

  /** A verified segment: into the store, announced to the neighbours that lack it. */
  private store(
    entry: SegmentEntry,
    kind: SegmentKind,
    data: Uint8Array,
    from: PeerLink,
    fromBroadcasterBytes: number,
    fetchMs: number,
  ): void {
    this.options.vault.put(entry, data);
    this.emit('segment', {
      rendition: entry.rendition,
      kind,
      seq: entry.seq,
      bytes: data.length,
      from,
      fromBroadcasterBytes,
      fetchMs,
    });
    for (const link of this.neighbourhood.links()) {
      if (link !== from && (kind === 'init' || !link.holds(entry.rendition, entry.seq)))
        link.session.send({ type: 'HAVE', entry });
    }
  }

  /** PROTOCOL §6.3: bytes that fail their signed hash are dropped and their sender banned. */
  private rejectFrom(link: PeerLink, entry: SegmentEntry, message: string): void {
    const reason = new ShoalError(ErrorCode.HASH_MISMATCH, message);
    this.emit('segment-failed', { rendition: entry.rendition, seq: entry.seq, reason, from: link });
    this.neighbourhood.ban(link, reason);
  }

  private onFetchFailed(key: string, r: Running, error: ShoalError): void {
    this.finishRunning(key, r);
    if (this.destroyed || error.code === ErrorCode.CANCELLED) return;
    if (error.code === ErrorCode.NOT_AVAILABLE) {
      // OVERLOADED: the holder is busy (the broadcaster sparing its upload for fresh
      // segments, a viewer with a long queue). Ask others, and it again a little later.
      // Any other reason: it does not have the segment.
      const reason = (error as ShoalError & { reason?: number }).reason;
      if (reason === NotAvailableReason.OVERLOADED) {
        const quick = r.piece !== undefined && !r.link.isBroadcaster;
        const waitMs = quick ? PIECE_BACKOFF_MS : this.book.segmentDurationMs() / 4;
        // The broadcaster refuses when it is busy, whatever the piece: leave the segment be.
        r.link.backOff(r.rendition, r.seq, this.options.now() + waitMs, quick ? r.piece : undefined);
        // A holder that turned down a piece it did not offer is busy: ask it only for
        // offered pieces for a while, not for the next piece a moment later.
        if (r.piece !== undefined) r.link.refusedUnoffered(this.options.now() + waitMs);
      } else r.link.forget(r.rendition, r.seq, r.piece);
    } else r.link.recordFailure();
    if (error.code === ErrorCode.TOO_LARGE || error.code === ErrorCode.PROTOCOL_VIOLATION)
      this.neighbourhood.ban(r.link, error);
    this.scheduleSoon();
  }

  /**
   * Plans again shortly (news, a failed request), at most once per event-loop turn: an
   * answer that comes back at once (NOT_AVAILABLE, a full request table) must not turn
   * into a request loop that never yields.
   */
  private scheduleSoon(): void {
    if (this.scheduleQueued || this.options.role !== 'viewer') return;
    this.scheduleQueued = true;
    setTimeout(() => {
      this.scheduleQueued = false;
      if (!this.destroyed) this.schedule(this.options.now());
    }, RESCHEDULE_MS).unref?.();
  }

  // ---- links ----

  private onLink(link: PeerLink): void {
    link.session.listen({
      frame: (frame) => this.onFrame(link, frame),
      segmentRequest: (req) => this.onSegmentRequest(link, req),
      playlistRequest: (req) => this.onPlaylistRequest(link, req),
      closed: (reason) => this.neighbourhood.release(link, reason),
    });
    this.emit('peer-joined', link);
    this.updateChoke(link);
    for (const rendition of this.book.renditions()) {
      const held = this.options.vault.heldSeqs(rendition);
      if (held.length > 0) link.session.send({ type: 'AVAILABILITY', rendition, ...seqsToBitmap(held) });
    }
    link.session.send({ type: 'PEX_REQUEST', max: 16 });
    if (this.options.role === 'viewer' && !this.book.info) this.fetchPlaylist(link);
  }

  private onUnlink(link: PeerLink, reason: ShoalError): void {
    for (const [key, r] of [...this.running]) {
      if (r.link === link) {
        this.finishRunning(key, r);
        r.cancel();
      }
    }
    this.emit('peer-left', { link, reason });
    if (!this.destroyed) {
      this.neighbourhood.maintain();
      this.scheduleSoon();
    }
  }

  private fetchPlaylist(link: PeerLink): void {
    link.session.requestPlaylist(0, 0, 5000).then(
      ({ info, entries }) => {
        if (this.book.addInfo(info) === 'invalid') {
          this.neighbourhood.ban(
            link,
            new ShoalError(ErrorCode.BAD_SIGNATURE, 'stream info signature does not verify'),
          );
          return;
        }
        this.emit('info', info);
        // A PLAYLIST answer lists only what the answering node holds.
        for (const entry of entries) this.acceptEntry(link, entry, 'listed');
        for (const rendition of info.renditions.map((r) => r.id)) {
          if (rendition === 0) continue;
          link.session.requestPlaylist(rendition, 0, 5000).then(
            (more) => more.entries.forEach((e) => this.acceptEntry(link, e, 'listed')),
            () => undefined,
          );
        }
      },
      () => {
        // Someone else may answer; retry on the next link or tick.
        setTimeout(() => {
          if (!this.destroyed && !this.book.info && this.neighbourhood.links().includes(link))
            this.fetchPlaylist(link);
        }, 500).unref?.();
      },
    );
  }

  /** Fetches the entries a neighbour holds from `fromSeq` on (one request at a time). */
  private catchUpEntries(link: PeerLink, rendition: number, fromSeq: number): void {
    if (this.catchingUp) return;
    this.catchingUp = true;
    link.session.requestPlaylist(rendition, fromSeq, 2000).then(
      ({ entries }) => {
        this.catchingUp = false;
        for (const entry of entries) if (!this.acceptEntry(link, entry, 'listed')) return;
      },
      () => {
        this.catchingUp = false;
      },
    );
  }

  /** Returns false (and bans the sender) when the entry's signature is forged. */
  private acceptEntry(link: PeerLink, entry: SegmentEntry, how: 'have' | 'listed' | 'map'): boolean {
    const verdict = this.book.add(entry);
    if (verdict === 'invalid') {
      this.neighbourhood.ban(
        link,
        new ShoalError(ErrorCode.BAD_SIGNATURE, `entry ${entry.seq} signature does not verify`),
      );
      return false;
    }
    const isInit = (entry.flags & EntryFlag.INIT) !== 0;
    if (isInit) link.markInit(entry.rendition, entry.seq);
    else {
      // A PIECE_MAP carries the entry without claiming the segment (PROTOCOL §5.15).
      if (how !== 'map') link.markHave(entry.rendition, entry.seq);
      const key = `${entry.rendition}:${entry.seq}`;
      if (!this.heard.has(key)) {
        // A piece map from the broadcaster names no holder: its PIECE_HAVE offers do (see wanted).
        this.heard.set(key, { at: this.options.now(), pushed: how === 'have' && link.isBroadcaster });
        if (this.heard.size > 1024) this.heard.delete(this.heard.keys().next().value!);
      }
    }
    if (verdict === 'new') {
      this.lastNewsAt = this.options.now();
      link.lastUsefulAt = this.lastNewsAt;
      this.scheduleSoon();
    }
    return true;
  }

  private onFrame(link: PeerLink, frame: Frame): void {
    switch (frame.type) {
      case 'HAVE':
        this.acceptEntry(link, frame.entry, 'have');
        break;
      case 'AVAILABILITY':
        link.setHoldings(frame.rendition, bitmapToSeqs(frame));
        break;
      case 'PIECE_MAP':
        this.onPieceMap(link, frame.map);
        break;
      case 'PIECE_HAVE': {
        // PROTOCOL §5.15: ignored unless it matches the map we hold for the segment.
        const map = this.pieces.map(frame.rendition, frame.seq);
        if (!map || map.hashes.length !== frame.count) break;
        const mask = maskOfBitmap(frame.count, frame.bitmap);
        link.markPieces(frame.rendition, frame.seq, mask, frame.offer === true);
        // An offer is taken at once (each hop of a piece waits for it); a plain digest
        // matters only once offers are overdue, which the next tick sees.
        if (frame.offer === true) this.takeOffer(link, map, mask);
        break;
      }
      case 'CHOKE':
        link.chokesUs = true;
        break;
      case 'UNCHOKE':
        link.chokesUs = false;
        break;
      case 'PEX_REQUEST':
        link.session.send({
          type: 'PEX_RESPONSE',
          peers: this.neighbourhood.pexPeers(Math.min(frame.max, 32), link.nodeId),
        });
        break;
      case 'PEX_RESPONSE':
        this.neighbourhood.addCandidates(frame.peers);
        this.neighbourhood.maintain();
        break;
      default:
        break;
    }
  }

  /** PROTOCOL §6.4: a piece map is used only once both its signatures verify. */
  private onPieceMap(link: PeerLink, map: PieceMap): void {
    link.noteMapKnown(map.entry.rendition, map.entry.seq);
    if (!this.piecesOn || this.pieces.map(map.entry.rendition, map.entry.seq)) return;
    if (!verifyPieceMap(this.options.streamId, map)) {
      this.neighbourhood.ban(
        link,
        new ShoalError(ErrorCode.BAD_SIGNATURE, `piece map of segment ${map.entry.seq} does not verify`),
      );
      return;
    }
    if (map.entry.flags & EntryFlag.INIT) return;
    this.pieces.addMap(map);
    this.acceptEntry(link, map.entry, 'map');
  }

  private updateChoke(link: PeerLink): void {
    const choke = this.options.role === 'viewer' && this.options.noUpload;
    if (choke === link.weChoke) return;
    link.weChoke = choke;
    link.session.send({ type: choke ? 'CHOKE' : 'UNCHOKE' });
  }

  private onSegmentRequest(link: PeerLink, req: IncomingSegmentRequest): void {
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
