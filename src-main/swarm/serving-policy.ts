// The serving side of the swarm: which segment requests a node answers, and with what
// bytes. A node answers from its store, or with a range of a segment it is still
// assembling (PROTOCOL §5.7); under an upload cap it turns down what would wait too long
// (see refuses), and the broadcaster spends its upload on first copies and rescues only.

import { NotAvailableReason } from '../protocol/constants.js';
import { pieceRange } from '../protocol/piece-map.js';
import type { EntryBook } from './entry-book.js';
import type { PeerLink } from './peer-link.js';
import type { PieceLedger } from './piece-ledger.js';
import { rangeKey } from './piece-relay.js';
import type { IncomingSegmentRequest, SegmentVault } from './ports.js';
import { GRANT_COST_STREAMS, type GrantPlan } from './rescue-grants.js';
import { ServingQueue } from './serving-queue.js';
import { UploadShares } from './upload-shares.js';

/** Longest queue (ms of upload) a piece request joins, per priority class (see refuses). */
const PIECE_QUEUE_MS = [500, 300, 150];
/** Broadcaster: share of the stream's bit rate it spends on rescues at least (see takeRescue). */
const RESCUE_SHARE = 0.5;
/** Broadcaster: its upload beyond this many times the bit rate may go to rescues (see takeRescue). */
const RESERVED_SHARE = 1.5;
/** Broadcaster: responses under way beyond which it turns rescues down (see refuses). */
const RESCUE_MAX_ACTIVE = 2;
/** Broadcaster: a viewer it serves alone may take this many times the bit rate (catching up). */
const GRANT_SHARE_STREAMS = 1.5;

/** The swarm's settings the serving side reads (live: the upload cap may change). */
export interface ServingConfig {
  role: 'broadcaster' | 'viewer';
  vault: SegmentVault;
  /** Broadcaster: copies of a segment it always serves. */
  pushFanout: number;
  /** This node's upload cap (bytes/s), null or absent = none. */
  uploadBytesPerSec?: number | null;
  now: () => number;
}

export class ServingPolicy {
  /** Broadcaster: copies of each media segment served so far (the first ones are always served). */
  private readonly copies = new Map<string, number>();
  private rescueTokens = 0;
  private rescueAt = 0;
  /** Broadcaster: when each media segment (`rendition:seq`) was published (pieces older than a segment may be rescued). */
  private readonly publishedAt = new Map<string, number>();
  /** What our capped upload still has to send, for admission (see refuses). */
  private readonly serving: ServingQueue;
  /** How much of our upload each neighbour may take (see UploadShares). */
  private readonly shares: UploadShares;

  constructor(
    private readonly config: ServingConfig,
    private readonly book: EntryBook,
    private readonly pieces: PieceLedger,
    /** Responses the transport is still sending, over all neighbours. */
    private readonly activeResponses: () => number,
    /** Broadcaster: the viewers it serves alone (PROTOCOL §13.5, see planGrants). */
    private readonly grants: () => GrantPlan = () => ({
      granted: new Set(),
      fanout: config.pushFanout,
      relaying: 0,
      next: null,
    }),
  ) {
    this.serving = new ServingQueue(config.now);
    this.shares = new UploadShares({
      now: config.now,
      capBytesPerSec: () => this.config.uploadBytesPerSec ?? null,
      streamBytesPerSec: () => this.streamBytesPerSec(),
      segmentDurationMs: () => this.book.segmentDurationMs(),
    });
  }

  /** The stream's bit rate, bytes/s: its highest rendition's announced bandwidth, else measured. */
  streamBytesPerSec(): number {
    const bandwidth = Math.max(0, ...(this.book.info?.renditions ?? []).map((r) => r.bandwidth));
    return bandwidth > 0 ? bandwidth / 8 : this.book.streamBytesPerSec();
  }

  /** A neighbour left: its share is forgotten. */
  forget(link: PeerLink): void {
    this.shares.forget(link);
  }

  /** Broadcaster: a media segment was published now. */
  notePublished(rendition: number, seq: number): void {
    this.publishedAt.set(`${rendition}:${seq}`, this.config.now());
    if (this.publishedAt.size > 256) this.publishedAt.delete(this.publishedAt.keys().next().value!);
  }

  /** What to answer a neighbour's request: the bytes to send (counted as served), or why not. */
  answer(link: PeerLink, req: IncomingSegmentRequest): Uint8Array | number {
    if (link.weChoke) return NotAvailableReason.CHOKED;
    const data = this.servable(req);
    if (typeof data === 'number') return data;
    // An offered piece was counted in our upload queue when we offered it (see noteOffers).
    const offered = this.offeredTo(link, req);
    // Broadcaster: a viewer with no other path that we serve alone (PROTOCOL §13.5).
    const alone = this.config.role === 'broadcaster' && this.grants().granted.has(link);
    // One neighbour takes no more than its share of our upload (see UploadShares); one we
    // serve alone may take the whole stream and some to catch up, and no more.
    const floor = alone ? GRANT_SHARE_STREAMS * this.streamBytesPerSec() : 0;
    if (!this.shares.allows(link, floor) && !offered) return NotAvailableReason.OVERLOADED;
    // A viewer with no path that we cannot carry too gets no first copies: it passes nothing on.
    const relays = link.noPathSince === null;
    // Of those, only the next in line gets rescues: spread thin they complete nothing.
    const waiting = this.config.role === 'broadcaster' && !relays && !alone && this.grants().next !== link;
    if (!offered && !alone && (waiting || this.refuses(req, data.length, relays)))
      return NotAvailableReason.OVERLOADED;
    this.shares.charge(link, data.length);
    // What a viewer with no path takes is no first copy: it passes nothing on.
    if (this.config.role === 'broadcaster' && req.kind === 'media' && relays) {
      const key = rangeKey(req.rendition, req.seq, req.range);
      this.copies.set(key, (this.copies.get(key) ?? 0) + 1);
      if (this.copies.size > 4096) this.copies.delete(this.copies.keys().next().value!);
    }
    return data;
  }

  /** Offers are promises to serve: they count in the model of our upload queue at once. */
  noteOffers(count: number, pieceBytes: number): void {
    const rate = this.config.uploadBytesPerSec ?? null;
    if (rate !== null && count > 0) this.serving.add(0, (count * pieceBytes * 1000) / rate);
  }

  /** How long a response of the lowest priority class taken on now would wait, ms. */
  queuedMs(): number {
    return this.serving.waitMs(2);
  }

  /**
   * Broadcaster: rescues come out of a budget (one second's worth of the stream may be spent
   * at once) of half the stream's bit rate, or of what its upload cap leaves beyond 1.5x the
   * bit rate if that is more. A broadcaster with a large cap thus carries the swarm through a
   * shortage (when r_max is close to the bit rate, its whole upload is needed), while rescues
   * stay rare where the viewers' upload suffices: they are asked for only near a deadline.
   */
  private takeRescue(size: number): boolean {
    const now = this.config.now();
    const stream = this.book.streamBytesPerSec();
    const cap = this.config.uploadBytesPerSec ?? null;
    let rate = Math.max(stream * RESCUE_SHARE, cap === null ? 0 : cap - RESERVED_SHARE * stream);
    // Viewers served alone come first (PROTOCOL §13.5): rescues get what they and the
    // first copies (if any viewer relays) leave of a capped upload.
    const plan = this.grants();
    if (cap !== null && plan.granted.size > 0) {
      const firstCopies = plan.relaying > 0 ? plan.fanout : 0;
      rate = Math.max(0, cap - (plan.granted.size * GRANT_COST_STREAMS + firstCopies) * stream);
    }
    this.rescueTokens = Math.min(stream, this.rescueTokens + ((now - this.rescueAt) / 1000) * rate);
    this.rescueAt = now;
    if (this.rescueTokens < size) return false;
    this.rescueTokens -= size;
    return true;
  }

  /** A request for exactly a piece we offered this neighbour (PROTOCOL §7.3): it is expected. */
  private offeredTo(link: PeerLink, req: IncomingSegmentRequest): boolean {
    const map = req.range && req.kind === 'media' ? this.pieces.map(req.rendition, req.seq) : undefined;
    if (!map || !req.range || req.range.offset % map.pieceSize !== 0) return false;
    const piece = req.range.offset / map.pieceSize;
    if (piece >= map.hashes.length) return false;
    return (
      req.range.length === pieceRange(map, piece).length && link.wasOffered(req.rendition, req.seq, piece)
    );
  }

  /** The bytes a request asks for (the whole segment, or a range of it, PROTOCOL §5.7), or why not. */
  private servable(req: IncomingSegmentRequest): Uint8Array | number {
    const held = this.config.vault.get(req.rendition, req.kind, req.seq);
    const range = req.range;
    if (held) {
      if (!range) return held.data;
      if (range.offset + range.length > held.data.length) return NotAvailableReason.UNKNOWN;
      return held.data.subarray(range.offset, range.offset + range.length);
    }
    const partial = req.kind === 'media' ? this.pieces.assembly(req.rendition, req.seq) : undefined;
    const bytes = partial && range ? partial.slice(range) : undefined;
    if (bytes) return bytes;
    return this.missingReason(req, partial !== undefined);
  }

  /**
   * PROTOCOL §5.9 — why we cannot serve a segment we do not hold (enough of): UNKNOWN if it
   * does not exist as far as we know, NOT_YET if we may have it later, EVICTED otherwise.
   */
  private missingReason(req: IncomingSegmentRequest, assembling: boolean): number {
    const info = this.book.info;
    if (info && !info.renditions.some((r) => r.id === req.rendition)) return NotAvailableReason.UNKNOWN;
    if (assembling) return NotAvailableReason.NOT_YET;
    if (req.kind === 'media') {
      return req.seq > this.book.liveEdge(req.rendition)
        ? NotAvailableReason.NOT_YET
        : NotAvailableReason.EVICTED;
    }
    // Init segments: a rendition whose entries reference none (MPEG-TS) has none.
    const media = this.book.window(req.rendition);
    if (media.length > 0 && media.every((e) => e.initSeq === null)) return NotAvailableReason.UNKNOWN;
    let newestInit = -1;
    for (const e of media) if (e.initSeq !== null) newestInit = Math.max(newestInit, e.initSeq);
    if (this.book.get(req.rendition, 'init', req.seq)) newestInit = Math.max(newestInit, req.seq);
    return req.seq > newestInit ? NotAvailableReason.NOT_YET : NotAvailableReason.EVICTED;
  }

  /**
   * Serving under load. A node with an upload cap turns a request down (OVERLOADED) when
   * what it has queued would keep the response waiting too long: the requester asks a
   * less busy holder (or this one a little later) instead of waiting in line. How long is
   * too long depends on the request's priority (see SegmentFetcher.priorityOf), because
   * the transport sends strictly by priority: a fresh segment may wait up to a segment
   * duration (each copy of it makes a new uploader), a stall-threatened one half that,
   * anything else only a quarter — a node that fills its upload with common segments
   * starves the swarm of fresh ones. The broadcaster's upload is the scarcest: it always
   * serves the first `pushFanout` copies of a segment to viewers that relay (only it can
   * put a segment into the swarm), and after that only rescues — a segment the requester needs within about one
   * segment duration, or a piece the swarm has failed to spread for longer than a segment
   * lasts — and only while it has little else to send.
   */
  private refuses(req: IncomingSegmentRequest, size: number, relays: boolean): boolean {
    if (req.kind !== 'media') return false;
    const segMs = this.book.segmentDurationMs();
    const rate = this.config.uploadBytesPerSec ?? null;
    const active = this.activeResponses();
    if (active === 0) this.serving.clear();
    if (this.config.role === 'broadcaster') {
      if (
        relays &&
        (this.copies.get(rangeKey(req.rendition, req.seq, req.range)) ?? 0) < this.config.pushFanout
      )
        return false;
      // A rescue waits behind little other work: it would delay the next segment's first
      // copies. With viewers served alone that work is theirs, planned for: the rescue budget
      // is then what they leave (see takeRescue).
      if (rate !== null && active > RESCUE_MAX_ACTIVE && this.grants().granted.size === 0) return true;
      const age = this.config.now() - (this.publishedAt.get(`${req.rendition}:${req.seq}`) ?? -Infinity);
      if ((req.deadlineMs ?? Infinity) > 2 * segMs && !(req.range && age > segMs)) return true;
      return !this.takeRescue(size);
    }
    if (rate === null) return false;
    const cls = Math.min(2, Math.max(0, req.priority ?? 2));
    // A piece is small and has many holders soon (each copy makes one more): a requester
    // does better asking another holder than queueing long here, so the queue stays short.
    const limitMs = req.range ? PIECE_QUEUE_MS[cls]! : segMs * [1, 0.5, 0.25][cls]!;
    if (this.serving.waitMs(cls) >= limitMs) return true;
    this.serving.add(cls, (size * 1000) / rate);
    return false;
  }
}
