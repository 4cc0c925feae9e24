// What a viewer fetches from whom, and when: it plans requests for what it wants (see
// planRequests), makes them, takes offered pieces at once (PROTOCOL §7.3), hands what
// arrives to be verified (see SegmentArrivals) and answers refusals and failures. It tracks
// the requests under way.
//
// ## The fetch side, from a tick to a request (swarm/fetch/)
//
// Only a viewer fetches: the swarm's tick calls `schedule` for viewers only, and `takeOffer`
// and `scheduleSoon` do nothing on a broadcaster.
//
// 1. Every 100 ms `Swarm.tick` calls `schedule(now)`; `scheduleSoon()` plans again 20 ms
//    after news (a new entry, a neighbour left) or a failed request.
// 2. `watchSilence` PINGs a neighbour we wait on that went quiet (PROTOCOL §5.2), and
//    suspects it dead if it stays quiet: its requests move elsewhere in this plan.
// 3. Each neighbour becomes a `SourceView`: what it would serve us (it holds it by HAVE,
//    AVAILABILITY or PIECE_HAVE, §5.12, §5.15; it does not choke us, §5.13; no OVERLOADED
//    back-off of it runs: `PeerLink.canServe`), its RTT, throughput and load, and whether it
//    offered us a piece (`standing`).
// 4. `SegmentWants.wanted` lists what we lack from the join point on, each with a deadline
//    (`LivePosition.fetchBy`: the catch-up up to the live edge at the join is due within a
//    segment of joining, later segments by playback); a segment with a piece map is wanted piece by piece
//    (§6.4, §7.3). Init segments ride along under the plan key `-1 - seq`, due at once.
//    It also moves the join point and the modelled player (see LivePosition).
// 5. `planRequests` (segment-scheduler.ts, pure) decides who is asked for what: stalled
//    urgent requests are redirected; urgent items go to the peer that finishes in time, to
//    the broadcaster only if none can; the rest go rarest first to the least loaded peer
//    that offered them, with few pulls of unoffered pieces at once, and to the broadcaster
//    only after a grace period. To change how a viewer picks which peer to ask, change
//    `planRequests`, and the `SourceView` built here if it must know more of a peer
//    (`effectivePolicy` scales the policy's thresholds to the segment duration).
// 6. `fetch` sends a SEGMENT_REQUEST (§5.7): a byte range for a piece, a deadline, and a
//    priority class for the holder's queue (`priorityOf`: 0 fresh, next or offered;
//    1 urgent; 2 the rest).
// 7. A PIECE_HAVE with the offer flag (§5.15) skips the plan: `takeOffer` asks the offerer
//    at once for the offered pieces we lack (each hop of a piece would wait for a tick).
// 8. What arrives goes to `SegmentArrivals`: a whole segment must match its signed entry,
//    a piece its signed map (§6.3), or the sender is banned. The swarm stores and announces
//    a verified segment; a verified piece is offered on by serve/PieceOffers, through the
//    swarm's hooks (fetch/ and serve/ import nothing of each other).
// 9. `onFetchFailed`: OVERLOADED (§5.9) backs off that holder for that segment or piece; any
//    other NOT_AVAILABLE reason forgets that it holds it; any other error counts against
//    the holder (recordFailure); TOO_LARGE or a protocol violation bans it.

import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { NotAvailableReason } from '../../protocol/constants.js';
import { pieceRange } from '../../protocol/piece-map.js';
import type { PieceMap, SegmentEntry, SegmentKind } from '../../protocol/types.js';
import { isNotAvailable } from '../../transport/index.js';
import type { EntryBook } from '../entry-book.js';
import { isInitPlanSeq, itemKey, seqOfPlanSeq } from '../keys.js';
import type { LivePosition } from './live-position.js';
import type { PeerLink } from '../peer-link.js';
import type { PieceLedger } from '../piece-ledger.js';
import type { SegmentVault } from '../ports.js';
import { SegmentArrivals, type ArrivalHooks } from './segment-arrivals.js';
import {
  DEFAULT_SCHEDULER_POLICY,
  expectedDuration,
  planRequests,
  type InFlightRequest,
  type SchedulerPolicy,
  type SourceView,
} from './segment-scheduler.js';
import type { SegmentWants } from './segment-wants.js';

interface Running extends InFlightRequest {
  kind: SegmentKind;
  /** The byte range asked for, when this is a piece. */
  range?: { offset: number; length: number };
  link: PeerLink;
  cancel(): void;
  progress(): number;
  /** Most bytes seen received (progress() reads 0 once the transport dropped a failed request). */
  seenBytes: number;
}

/** At most one extra planning round per this many ms (see scheduleSoon). */
const RESCHEDULE_MS = 20;
/** How long a holder that refused a piece as OVERLOADED is left alone for that piece. */
const PIECE_BACKOFF_MS = 400;

/** The swarm's settings the fetcher reads (see SwarmOptions). */
export interface FetcherConfig {
  role: 'broadcaster' | 'viewer';
  vault: SegmentVault;
  pieces?: boolean;
  maxInFlightPerPeer: number;
  now: () => number;
  policy?: Partial<SchedulerPolicy>;
}

/** What the fetcher needs of the swarm around it. */
export interface FetcherHooks extends ArrivalHooks {
  links(): PeerLink[];
}

export class SegmentFetcher {
  /** Verifies what arrives (see SegmentArrivals). */
  private readonly arrivals: SegmentArrivals;
  private readonly running = new Map<string, Running>();
  private readonly policy: SchedulerPolicy;
  private destroyed = false;
  private scheduleQueued = false;

  constructor(
    private readonly config: FetcherConfig,
    private readonly book: EntryBook,
    private readonly pieces: PieceLedger,
    private readonly position: LivePosition,
    private readonly wants: SegmentWants,
    private readonly hooks: FetcherHooks,
  ) {
    this.policy = { ...DEFAULT_SCHEDULER_POLICY, ...config.policy };
    this.arrivals = new SegmentArrivals(config, pieces, hooks);
  }

  /** Cancels every request under way; nothing is fetched after. */
  destroy(): void {
    this.destroyed = true;
    for (const r of this.running.values()) r.cancel();
    this.running.clear();
  }

  /** A neighbour left: its requests are cancelled (the next plan asks others). */
  dropLink(link: PeerLink): void {
    for (const [key, r] of [...this.running]) {
      if (r.link === link) {
        this.finishRunning(key, r);
        r.cancel();
      }
    }
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

  /**
   * Death detection for the neighbours we wait on (issue 15: a crashed peer is dropped only
   * at the 15 s idle timeout, and PTO backoff is no faster under load). A neighbour silent
   * for the silent limit while a request of ours to it runs is probed once with a PING
   * (PROTOCOL §5.2: any live node answers with PONG and an ACK at once, however long its
   * upload queue); one that stays silent since the request or the probe is suspected dead
   * (see PeerLink.suspect): its requests move to other holders at the next plan.
   */
  private watchSilence(now: number): void {
    const limit = this.policy.silentSourceMs;
    const waitedOn = new Map<PeerLink, number>();
    for (const r of this.running.values())
      waitedOn.set(r.link, Math.min(waitedOn.get(r.link) ?? Infinity, r.startedAt));
    for (const [link, firstAskedAt] of waitedOn) {
      if (link.suspected) continue;
      const heardAt = now - link.session.silentMs();
      const silentSince = (t: number | undefined): boolean =>
        t !== undefined && now - t >= limit && heardAt < t;
      // The oldest request stands for all: a later one to a peer silent since the oldest
      // was asked is silent since it was asked too.
      if (silentSince(firstAskedAt) || silentSince(link.probedAt)) {
        link.suspect();
        continue;
      }
      if (now - heardAt >= limit && (link.probedAt === undefined || link.probedAt <= heardAt)) {
        link.probedAt = now;
        link.session.send({ type: 'PING', nonce: (this.probeNonce = (this.probeNonce + 1) >>> 0) });
      }
    }
  }

  private probeNonce = 0;

  /** Plans requests for what we want, and makes them (PROTOCOL §7). */
  schedule(now: number): void {
    const links = this.hooks.links();
    if (links.length === 0) return;
    this.watchSilence(now);
    // Until a neighbour has delivered something, assume it sends at the stream's bit rate:
    // an optimistic guess makes every first request look stalled under an upload cap.
    const prior = this.book.streamBytesPerSec();
    const sources: SourceView[] = links.map((link) => ({
      id: link.nodeId,
      isBroadcaster: link.isBroadcaster,
      has: (rendition, seq, piece) =>
        !link.chokesUs &&
        (seq < 0
          ? link.holdsInit(rendition, seqOfPlanSeq(seq))
          : piece === undefined
            ? link.canServe(rendition, seq, now)
            : link.speaksPieces && link.canServe(rendition, seq, now, piece)),
      rttMs: link.session.rttMs() ?? 50,
      throughputBps: link.measured ? link.throughputBps : Math.min(link.throughputBps, prior),
      inFlight: link.inFlight,
      inFlightBytes: link.inFlightBytes,
      maxInFlight: this.config.maxInFlightPerPeer,
      refusesPulls: link.refusesPulls(now),
      heardAt: now - link.session.silentMs(),
      ...(link.probedAt === undefined ? {} : { probedAt: link.probedAt }),
      suspect: link.suspected,
      standing: (rendition, seq, piece) =>
        link.offersPiece(rendition, seq, piece) ? 2 : link.holds(rendition, seq) ? 1 : 0,
    }));
    const running = [...this.running.values()].map((r) => ({
      ...r,
      received: (r.seenBytes = Math.max(r.seenBytes, r.progress())),
      unoffered: r.piece !== undefined && !r.link.offersPiece(r.rendition, r.seq, r.piece),
    }));
    // The non-pushed neighbours of the broadcaster leave a fresh segment to the pushed
    // ones for about the time one copy takes, then fetch it from them.
    const actions = planRequests(
      now,
      this.wants.wanted(now, (key) => this.running.has(key)),
      sources,
      running,
      this.effectivePolicy(),
    );
    const byId = new Map(links.map((l) => [l.nodeId, l]));
    for (const action of actions) {
      const key = itemKey(action);
      if (action.kind === 'redirect') {
        const r = this.running.get(key);
        if (r) {
          r.link.recordFailure();
          // Given up on with nothing received: unanswered (see PeerLink.undelivering).
          if (Math.max(r.seenBytes, r.progress()) === 0) r.link.recordUnanswered();
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
    const kind: SegmentKind = isInitPlanSeq(planSeq) ? 'init' : 'media';
    const seq = seqOfPlanSeq(planSeq);
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
      seenBytes: 0,
    };
    const key = itemKey(running);
    this.running.set(key, running);
    link.inFlight += 1;
    link.inFlightBytes += size;
    if (map && piece !== undefined) {
      this.arrivals.pieceRequested(rendition, seq, now);
      handle.done
        .then(
          (data) => this.onPieceFetched(key, running, map, piece, data),
          (err: unknown) => this.onFetchFailed(key, running, ShoalError.from(err)),
        )
        .catch(this.hooks.fault);
      return;
    }
    handle.done
      .then(
        (data) => this.onFetched(key, running, entry, data),
        (err: unknown) => this.onFetchFailed(key, running, ShoalError.from(err)),
      )
      .catch(this.hooks.fault);
  }

  private finishRunning(key: string, r: Running): boolean {
    if (this.running.get(key) !== r) return false;
    this.running.delete(key);
    r.link.inFlight -= 1;
    r.link.inFlightBytes -= r.size;
    return true;
  }

  /**
   * PROTOCOL §7.3: offered pieces we still need are asked of the offerer straight away,
   * without a full plan (offers arrive by the dozen per second; planning is the costly part).
   */
  takeOffer(link: PeerLink, map: PieceMap, mask: number): void {
    if (this.config.role !== 'viewer' || this.destroyed) return;
    const { rendition, seq } = map.entry;
    const start = this.position.joinSeq(rendition);
    if (
      start === undefined ||
      seq < start ||
      seq <= this.position.contiguousHead(rendition) ||
      this.config.vault.has(rendition, 'media', seq) ||
      this.running.has(itemKey({ rendition, seq })) ||
      link.chokesUs
    )
      return this.scheduleSoon();
    const now = this.config.now();
    const assembly = this.pieces.assembly(rendition, seq);
    for (let piece = 0; piece < map.hashes.length; piece++) {
      if (!((mask >>> piece) & 1) || assembly?.has(piece)) continue;
      if (this.running.has(itemKey({ rendition, seq, piece }))) continue;
      if (link.inFlight >= this.config.maxInFlightPerPeer) return this.scheduleSoon();
      const size = pieceRange(map, piece).length;
      const source = {
        inFlightBytes: link.inFlightBytes,
        throughputBps: link.throughputBps,
        rttMs: link.session.rttMs() ?? 50,
      };
      this.fetch(link, rendition, seq, piece, now + expectedDuration(source, size, this.policy), now);
    }
  }

  private onFetched(key: string, r: Running, entry: SegmentEntry, data: Buffer): void {
    const current = this.finishRunning(key, r);
    if (this.destroyed) return;
    this.arrivals.segment(r, entry, data, current);
  }

  private onPieceFetched(key: string, r: Running, map: PieceMap, piece: number, data: Buffer): void {
    this.finishRunning(key, r);
    if (this.destroyed) return;
    this.arrivals.piece(r, map, piece, data);
  }

  private onFetchFailed(key: string, r: Running, error: ShoalError): void {
    this.finishRunning(key, r);
    if (this.destroyed || error.code === ErrorCode.CANCELLED) return;
    let refusedPiece = false;
    if (error.code === ErrorCode.NOT_AVAILABLE) {
      // OVERLOADED: the holder is busy (the broadcaster sparing its upload for fresh
      // segments, a viewer with a long queue). Ask others, and it again a little later.
      // Any other reason: it does not have the segment.
      const reason = isNotAvailable(error) ? error.reason : undefined;
      refusedPiece = r.piece !== undefined && reason === NotAvailableReason.OVERLOADED;
      if (reason === NotAvailableReason.OVERLOADED) {
        const quick = r.piece !== undefined && !r.link.isBroadcaster;
        const waitMs = quick ? PIECE_BACKOFF_MS : this.book.segmentDurationMs() / 4;
        // The broadcaster refuses when it is busy, whatever the piece: leave the segment be.
        r.link.backOff(r.rendition, r.seq, this.config.now() + waitMs, quick ? r.piece : undefined);
        // A holder that turned down a piece it did not offer is busy: ask it only for
        // offered (or urgent) pieces for a while, not for the next piece a moment later.
        if (r.piece !== undefined) r.link.refusedUnoffered(this.config.now() + waitMs);
      } else r.link.forget(r.rendition, r.seq, r.piece);
    } else {
      r.link.recordFailure();
      if (error.code === ErrorCode.DEADLINE_EXCEEDED && r.seenBytes === 0) r.link.recordUnanswered();
    }
    if (error.code === ErrorCode.TOO_LARGE || error.code === ErrorCode.PROTOCOL_VIOLATION)
      this.hooks.ban(r.link, error);
    // A busy holder turning a piece down is common and rarely pressing: the next tick (at
    // most TICK_MS away) plans again. Planning after each one was a large share of the CPU.
    if (!refusedPiece) this.scheduleSoon();
  }

  /**
   * Plans again shortly (news, a failed request), at most once per event-loop turn: an
   * answer that comes back at once (NOT_AVAILABLE, a full request table) must not turn
   * into a request loop that never yields.
   */
  scheduleSoon(): void {
    if (this.scheduleQueued || this.config.role !== 'viewer') return;
    this.scheduleQueued = true;
    setTimeout(() => {
      this.scheduleQueued = false;
      try {
        if (!this.destroyed) this.schedule(this.config.now());
      } catch (err) {
        this.hooks.fault(err);
      }
    }, RESCHEDULE_MS).unref?.();
  }
}
