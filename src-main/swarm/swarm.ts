// One stream's swarm as seen from this node: neighbours, what they hold, what we fetch
// from whom and when, what we serve, and what we announce. The broadcaster runs the same
// swarm with `publish()` feeding it and no fetching.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { bitmapToSeqs, seqsToBitmap } from '../protocol/availability-bitmap.js';
import { EntryFlag, NotAvailableReason } from '../protocol/constants.js';
import { segmentMatchesEntry } from '../protocol/signing.js';
import type {
  Frame,
  PeerAddress,
  PexPeer,
  SegmentEntry,
  SegmentKind,
  StreamInfo,
} from '../protocol/types.js';
import { EntryBook } from './entry-book.js';
import { Neighbourhood } from './neighbourhood.js';
import type { PeerLink } from './peer-link.js';
import type {
  Dialer,
  IncomingPlaylistRequest,
  IncomingSegmentRequest,
  SegmentVault,
  SwarmSession,
} from './ports.js';
import {
  DEFAULT_SCHEDULER_POLICY,
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
  /** Broadcaster: neighbours told about a fresh segment at once; the rest hear later. */
  pushFanout: number;
  /** Broadcaster: delay before the other neighbours hear of a fresh segment, as a share of its duration. */
  pushDelayShare: number;
  /** Leech-only: serve nothing (the broadcaster ignores this). */
  noUpload: boolean;
  maxInFlightPerPeer: number;
  now: () => number;
  policy?: Partial<SchedulerPolicy>;
}

export interface SegmentArrivalEvent {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  bytes: number;
  from: PeerLink | null;
  fetchMs: number;
}

export interface SwarmEvents {
  'peer-joined': PeerLink;
  'peer-left': { link: PeerLink; reason: ShoalError };
  segment: SegmentArrivalEvent;
  'segment-failed': { rendition: number; seq: number; reason: ShoalError; from: PeerLink };
  info: StreamInfo;
  uploaded: { link: PeerLink; bytes: number };
  error: ShoalError;
  [key: string]: unknown;
}

interface Running extends InFlightRequest {
  kind: SegmentKind;
  link: PeerLink;
  cancel(): void;
}

const TICK_MS = 100;
const PEX_EVERY_MS = 15_000;

export class Swarm extends TypedEmitter<SwarmEvents> {
  readonly book: EntryBook;
  readonly neighbourhood: Neighbourhood;
  private readonly running = new Map<string, Running>();
  /** When we first heard of each media segment, and whether the broadcaster told us first. */
  private readonly heard = new Map<string, { at: number; pushed: boolean }>();
  private startSeq = new Map<number, number>();
  private joinedAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;
  private lastPexAt = 0;
  /** Last time a new entry was heard of; a viewer that hears nothing for long is cut off. */
  private lastNewsAt = 0;
  private lastRefreshAt = 0;
  private pushCursor = 0;
  private destroyed = false;
  private readonly policy: SchedulerPolicy;

  constructor(private readonly options: SwarmOptions) {
    super((err) => this.emit('error', ShoalError.internal('a swarm listener threw', err)));
    this.book = new EntryBook(options.streamId);
    this.policy = { ...DEFAULT_SCHEDULER_POLICY, ...options.policy };
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
  }

  get role(): 'broadcaster' | 'viewer' {
    return this.options.role;
  }

  start(): void {
    this.joinedAt = this.options.now();
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

  setNoUpload(noUpload: boolean): void {
    if (this.options.role === 'broadcaster' || this.options.noUpload === noUpload) return;
    this.options.noUpload = noUpload;
    for (const link of this.neighbourhood.links()) this.updateChoke(link);
  }

  /** Broadcaster: a new signed stream info. */
  setInfo(info: StreamInfo): void {
    if (this.book.addInfo(info) === 'new') this.emit('info', info);
  }

  /** Broadcaster: a freshly ingested and signed segment. */
  publish(entry: SegmentEntry, data: Uint8Array): void {
    this.options.vault.put(entry, data);
    this.book.addOwn(entry);
    if (entry.flags & EntryFlag.INIT) {
      for (const link of this.neighbourhood.links()) link.session.send({ type: 'HAVE', entry });
      return;
    }
    const links = this.neighbourhood.links();
    if (links.length === 0) return;
    const fanout = Math.max(1, Math.min(this.options.pushFanout, links.length));
    const first = new Set<PeerLink>();
    for (let i = 0; i < fanout; i++) first.add(links[(this.pushCursor + i) % links.length]!);
    this.pushCursor = (this.pushCursor + fanout) % Math.max(1, links.length);
    for (const link of first) link.session.send({ type: 'HAVE', entry });
    const rest = links.filter((l) => !first.has(l));
    if (rest.length === 0) return;
    const delay = (entry.durationUs / 1000) * this.options.pushDelayShare;
    setTimeout(() => {
      if (this.destroyed) return;
      for (const link of rest)
        if (!link.holds(entry.rendition, entry.seq)) link.session.send({ type: 'HAVE', entry });
    }, delay).unref?.();
  }

  // ---- viewer: what we want and when ----

  /** The seq the local player starts from (join point), per rendition. */
  joinSeq(rendition: number): number | undefined {
    return this.startSeq.get(rendition);
  }

  /** Media seqs held contiguously from the join point. */
  contiguousHead(rendition: number): number {
    const start = this.startSeq.get(rendition);
    if (start === undefined) return -1;
    let seq = start;
    while (this.options.vault.has(rendition, 'media', seq)) seq += 1;
    return seq - 1;
  }

  private segmentDurationMs(): number {
    return this.book.info?.targetDurationMs ?? 2000;
  }

  private ensureStart(rendition: number): number | undefined {
    const known = this.startSeq.get(rendition);
    if (known !== undefined) return known;
    const edge = this.book.liveEdge(rendition);
    if (edge < 0) return undefined;
    const oldest = this.book.window(rendition)[0]?.seq ?? edge;
    const start = Math.max(oldest, edge - this.options.joinDistance + 1);
    this.startSeq.set(rendition, start);
    this.joinedAt = this.options.now();
    return start;
  }

  private wanted(now: number): WantedSegment[] {
    const out: WantedSegment[] = [];
    const segMs = this.segmentDurationMs();
    for (const rendition of this.book.renditions()) {
      const start = this.ensureStart(rendition);
      if (start === undefined) continue;
      for (const entry of this.book.window(rendition)) {
        if (entry.seq < start || this.options.vault.has(rendition, 'media', entry.seq)) continue;
        const deadlineAt = this.joinedAt + segMs * (1 + entry.seq - start);
        const heard = this.heard.get(`${rendition}:${entry.seq}`);
        const announcedAt = heard?.pushed ? -Infinity : (heard?.at ?? now);
        out.push({ rendition, seq: entry.seq, size: entry.size, deadlineAt, announcedAt });
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
    }
  }

  private checkStarving(now: number): void {
    const quietFor = now - Math.max(this.lastNewsAt, this.joinedAt);
    const limit = Math.max(4000, 3 * this.segmentDurationMs());
    if (quietFor < limit || now - this.lastRefreshAt < limit / 2) return;
    this.lastRefreshAt = now;
    for (const link of this.neighbourhood.links()) link.session.send({ type: 'PEX_REQUEST', max: 16 });
    this.neighbourhood.refresh();
  }

  private schedule(now: number): void {
    const links = this.neighbourhood.links();
    if (links.length === 0) return;
    const sources: SourceView[] = links.map((link) => ({
      id: link.nodeId,
      isBroadcaster: link.isBroadcaster,
      has: (rendition, seq) =>
        !link.chokesUs && (seq < 0 ? link.holdsInit(rendition, -1 - seq) : link.holds(rendition, seq)),
      rttMs: link.session.health().rttMs ?? 50,
      throughputBps: link.throughputBps,
      inFlight: link.inFlight,
      inFlightBytes: link.inFlightBytes,
      maxInFlight: this.options.maxInFlightPerPeer,
    }));
    const actions = planRequests(now, this.wanted(now), sources, [...this.running.values()], this.policy);
    const byId = new Map(links.map((l) => [l.nodeId, l]));
    for (const action of actions) {
      const key = `${action.rendition}:${action.seq}`;
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
      if (link) this.fetch(link, action.rendition, action.seq, action.expectedDoneAt, now);
    }
  }

  private fetch(
    link: PeerLink,
    rendition: number,
    planSeq: number,
    expectedDoneAt: number,
    now: number,
  ): void {
    const kind: SegmentKind = planSeq < 0 ? 'init' : 'media';
    const seq = planSeq < 0 ? -1 - planSeq : planSeq;
    const entry = this.book.get(rendition, kind, seq);
    if (!entry) return;
    const segMs = this.segmentDurationMs();
    const start = this.startSeq.get(rendition) ?? seq;
    const deadlineAt = kind === 'init' ? now + segMs : this.joinedAt + segMs * (1 + seq - start);
    const handle = link.session.requestSegment({
      rendition,
      kind,
      seq,
      expectedSize: entry.size,
      deadlineMs: Math.max(200, Math.round(deadlineAt - now + segMs)),
      priority: deadlineAt - now < this.policy.urgentWithinMs ? 0 : 1,
    });
    const key = `${rendition}:${planSeq}`;
    const running: Running = {
      rendition,
      seq: planSeq,
      kind,
      sourceId: link.nodeId,
      startedAt: now,
      expectedDoneAt,
      size: entry.size,
      link,
      cancel: () => handle.cancel(),
    };
    this.running.set(key, running);
    link.inFlight += 1;
    link.inFlightBytes += entry.size;
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
      const reason = new ShoalError(
        ErrorCode.HASH_MISMATCH,
        `segment ${entry.seq} from ${r.link.nodeId} does not match its signed hash`,
      );
      this.emit('segment-failed', { rendition: entry.rendition, seq: entry.seq, reason, from: r.link });
      this.neighbourhood.ban(r.link, reason);
      return;
    }
    if (!current && this.options.vault.has(entry.rendition, r.kind, entry.seq)) return;
    this.options.vault.put(entry, data);
    const fetchMs = this.options.now() - r.startedAt;
    r.link.recordDownload(data.length, fetchMs);
    this.emit('segment', {
      rendition: entry.rendition,
      kind: r.kind,
      seq: entry.seq,
      bytes: data.length,
      from: r.link,
      fetchMs,
    });
    for (const link of this.neighbourhood.links()) {
      if (link !== r.link && (r.kind === 'init' || !link.holds(entry.rendition, entry.seq)))
        link.session.send({ type: 'HAVE', entry });
    }
  }

  private onFetchFailed(key: string, r: Running, error: ShoalError): void {
    this.finishRunning(key, r);
    if (this.destroyed || error.code === ErrorCode.CANCELLED) return;
    if (error.code === ErrorCode.NOT_AVAILABLE) r.link.forget(r.rendition, r.seq);
    else r.link.recordFailure();
    if (error.code === ErrorCode.TOO_LARGE || error.code === ErrorCode.PROTOCOL_VIOLATION)
      this.neighbourhood.ban(r.link, error);
    this.schedule(this.options.now());
  }

  // ---- links ----

  private onLink(link: PeerLink): void {
    link.session.listen({
      frame: (frame) => this.onFrame(link, frame),
      segmentRequest: (req) => this.onSegmentRequest(link, req),
      playlistRequest: (req) => this.onPlaylistRequest(req),
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
      if (this.options.role === 'viewer') this.schedule(this.options.now());
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

  /** Returns false (and bans the sender) when the entry's signature is forged. */
  private acceptEntry(link: PeerLink, entry: SegmentEntry, how: 'have' | 'listed'): boolean {
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
      link.markHave(entry.rendition, entry.seq);
      const key = `${entry.rendition}:${entry.seq}`;
      if (!this.heard.has(key)) {
        this.heard.set(key, { at: this.options.now(), pushed: how === 'have' && link.isBroadcaster });
        if (this.heard.size > 1024) this.heard.delete(this.heard.keys().next().value!);
      }
    }
    if (verdict === 'new') {
      this.lastNewsAt = this.options.now();
      link.lastUsefulAt = this.lastNewsAt;
      if (this.options.role === 'viewer') this.schedule(this.lastNewsAt);
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

  private updateChoke(link: PeerLink): void {
    const choke = this.options.role === 'viewer' && this.options.noUpload;
    if (choke === link.weChoke) return;
    link.weChoke = choke;
    link.session.send({ type: choke ? 'CHOKE' : 'UNCHOKE' });
  }

  private onSegmentRequest(link: PeerLink, req: IncomingSegmentRequest): void {
    if (link.weChoke) return req.notAvailable(NotAvailableReason.CHOKED);
    const held = this.options.vault.get(req.rendition, req.kind, req.seq);
    if (!held) {
      const edge = this.book.liveEdge(req.rendition);
      return req.notAvailable(req.seq > edge ? NotAvailableReason.NOT_YET : NotAvailableReason.EVICTED);
    }
    req.respond(held.data);
    link.recordUpload(held.data.length);
    this.emit('uploaded', { link, bytes: held.data.length });
  }

  private onPlaylistRequest(req: IncomingPlaylistRequest): void {
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
  }
}
