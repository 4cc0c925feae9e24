// Deadline-aware segment scheduling for a viewer (pure logic, no I/O).
// Urgent segments go first to a peer expected to finish in time (the soonest one), to
// the broadcaster only when no peer can; the rest are spread over neighbours
// rarest-first; stalled urgent requests that made little progress are redirected
// before their deadline. A wanted item is a whole segment or one piece of it
// (PROTOCOL §7.3): pieces of one segment are scheduled like segments of their own, so they
// come from several holders at once.

export interface WantedSegment {
  rendition: number;
  seq: number;
  /** A piece of the segment (PROTOCOL §7.3), or undefined for the whole segment. */
  piece?: number;
  size: number;
  /** Local time (ms) by which the segment must be complete to play without a stall. */
  deadlineAt: number;
  /** Local time (ms) the segment was first announced to us. */
  announcedAt: number;
}

export interface SourceView {
  id: string;
  isBroadcaster: boolean;
  /** Has the (rendition, seq) — or that piece of it — and is willing to serve it (not choking us). */
  has(rendition: number, seq: number, piece?: number): boolean;
  rttMs: number;
  /** Estimated goodput from this source, bytes per second. */
  throughputBps: number;
  inFlight: number;
  inFlightBytes: number;
  maxInFlight: number;
  /** Turned down an unoffered piece lately: not asked for pieces it did not offer unless urgent. */
  refusesPulls?: boolean;
  /** When anything was last heard from it (local ms); absent = just now. */
  heardAt?: number;
  /**
   * When we last probed it (a PING, because a request of ours to it made no progress and it
   * had gone quiet); absent = never. Silence since then means it is gone (see silentSourceMs).
   */
  probedAt?: number;
  /**
   * Our requests found it silent (most likely it crashed, see SegmentFetcher.watchSilence):
   * it is asked for nothing new, and what it was asked for moves to other holders, until it
   * is heard from again.
   */
  suspect?: boolean;
  /**
   * For a piece: 2 = the source offered it to us (it will serve it), 1 = it holds the whole
   * segment, 0 = it holds the piece but promised nothing (it may refuse). Absent = 1.
   */
  standing?(rendition: number, seq: number, piece: number): number;
}

export interface InFlightRequest {
  rendition: number;
  seq: number;
  piece?: number;
  sourceId: string;
  startedAt: number;
  expectedDoneAt: number;
  size: number;
  /** Bytes received so far, when known. */
  received?: number;
  /** A piece asked of a holder that did not offer it (it may refuse). */
  unoffered?: boolean;
}

export interface SchedulerPolicy {
  /** A segment is urgent when its deadline is closer than this (ms). */
  urgentWithinMs: number;
  /** How long a fresh segment is left to peers before the broadcaster is asked (ms). */
  broadcasterGraceMs: number;
  /**
   * Redirect an urgent request once it has run this many times its expected duration
   * with less than half of it received (a restart elsewhere throws that part away).
   */
  stallFactor: number;
  /** Floor for a request's expected duration (ms). */
  minExpectedMs: number;
  /**
   * How long a piece that is not urgent waits for an offer after its segment was announced
   * (ms); after that it is also asked of any peer holding it (see maxUnofferedPulls).
   */
  offerPatienceMs: number;
  /**
   * Pieces neither urgent nor offered that may be asked of holders at once (the others
   * wait): busy holders turn such requests down, and a flood of them costs both sides.
   */
  maxUnofferedPulls: number;
  /**
   * A request whose source has sent nothing at all (not even an ACK of the request, or of a
   * probe PING sent because the request stopped progressing) for this long is moved
   * elsewhere, piece or not, urgent or not: the peer is most likely gone (a crash), and
   * waiting for its idle timeout (15 s) or the request's deadline would freeze the player.
   */
  silentSourceMs: number;
}

export const DEFAULT_SCHEDULER_POLICY: SchedulerPolicy = {
  urgentWithinMs: 4000,
  broadcasterGraceMs: 600,
  stallFactor: 2.5,
  minExpectedMs: 400,
  offerPatienceMs: 1000,
  maxUnofferedPulls: 8,
  silentSourceMs: 1500,
};

export type SchedulerAction =
  | {
      kind: 'request';
      rendition: number;
      seq: number;
      piece?: number;
      sourceId: string;
      expectedDoneAt: number;
    }
  | { kind: 'redirect'; rendition: number; seq: number; piece?: number; fromSourceId: string };

/** The key of a wanted item or request: `rendition:seq`, or `rendition:seq:piece` for a piece. */
export const itemKey = (item: { rendition: number; seq: number; piece?: number }): string =>
  item.piece === undefined ? `${item.rendition}:${item.seq}` : `${item.rendition}:${item.seq}:${item.piece}`;

export function expectedDuration(
  source: Pick<SourceView, 'inFlightBytes' | 'throughputBps' | 'rttMs'>,
  size: number,
  policy: SchedulerPolicy,
): number {
  const queued = source.inFlightBytes + size;
  const transferMs = (queued / Math.max(source.throughputBps, 1)) * 1000;
  return Math.max(policy.minExpectedMs, source.rttMs + transferMs);
}

/**
 * Decide what to request next. `wanted` are segments we lack; `inFlight` the requests
 * already running. Returns actions in the order they should be issued.
 */
export function planRequests(
  now: number,
  wanted: readonly WantedSegment[],
  sources: readonly SourceView[],
  inFlight: readonly InFlightRequest[],
  policy: SchedulerPolicy = DEFAULT_SCHEDULER_POLICY,
): SchedulerAction[] {
  const actions: SchedulerAction[] = [];
  const running = new Map(inFlight.map((r) => [itemKey(r), r]));
  const load = new Map(sources.map((s) => [s.id, { count: s.inFlight, bytes: s.inFlightBytes }]));

  // A source that stalled on a segment is not asked for it again in the same plan.
  const excluded = new Map<string, string>();
  // Asked several times per item per plan, and a plan can hold hundreds of pieces: memoised.
  const holders = new Map<WantedSegment, SourceView[]>();
  const holdersOf = (w: WantedSegment): SourceView[] => {
    let found = holders.get(w);
    if (!found) {
      const skip = excluded.get(itemKey(w));
      found = sources.filter((s) => s.id !== skip && !s.suspect && s.has(w.rendition, w.seq, w.piece));
      holders.set(w, found);
    }
    return found;
  };

  // 1. Stalled requests: redirect if someone else holds the segment. Only urgent ones:
  //    a slow transfer with time to spare still finishes, and restarting it elsewhere
  //    would spend the uploader's bandwidth twice. Any request to a source gone silent
  //    since it was asked or probed, or suspected dead (see silentSourceMs, suspect),
  //    moves, piece or not, urgent or not.
  const byId = new Map(sources.map((s) => [s.id, s]));
  for (const req of inFlight) {
    const src = byId.get(req.sourceId);
    const heard = src?.heardAt ?? now;
    // Silent since `t` (the request, or a probe of the source) for silentSourceMs.
    const silentSince = (t: number | undefined): boolean =>
      t !== undefined && now - t >= policy.silentSourceMs && heard < t;
    const gone = src?.suspect === true || silentSince(req.startedAt) || silentSince(src?.probedAt);
    // A piece is small and mostly comes from a holder that promised it (an offer): moving
    // it elsewhere throws away upload already spent, and under load that feeds on itself.
    if (req.piece !== undefined && !gone) continue;
    const ran = now - req.startedAt;
    const expected = Math.max(policy.minExpectedMs, req.expectedDoneAt - req.startedAt);
    if (!gone && ran < expected * policy.stallFactor) continue;
    if (!gone && (req.received ?? 0) >= req.size / 2) continue;
    const key = itemKey(req);
    const w = wanted.find((x) => itemKey(x) === key);
    if (!w || (!gone && w.deadlineAt - now > policy.urgentWithinMs)) continue;
    const alternatives = holdersOf(w).filter((s) => s.id !== req.sourceId);
    if (alternatives.length === 0) continue;
    actions.push({
      kind: 'redirect',
      rendition: req.rendition,
      seq: req.seq,
      ...(req.piece === undefined ? {} : { piece: req.piece }),
      fromSourceId: req.sourceId,
    });
    running.delete(key);
    excluded.set(key, req.sourceId);
    holders.delete(w);
    const l = load.get(req.sourceId);
    if (l) {
      l.count -= 1;
      l.bytes -= req.size;
    }
  }

  const pending = wanted.filter((w) => !running.has(itemKey(w)));
  const urgent = pending.filter((w) => w.deadlineAt - now <= policy.urgentWithinMs);
  const relaxed = pending.filter((w) => w.deadlineAt - now > policy.urgentWithinMs);
  urgent.sort((a, b) => a.deadlineAt - b.deadlineAt);
  const rarity = new Map(relaxed.map((w) => [w, holdersOf(w).length]));
  relaxed.sort((a, b) => (rarity.get(a) ?? 0) - (rarity.get(b) ?? 0) || a.deadlineAt - b.deadlineAt);

  const view = (s: SourceView): SourceView => {
    const l = load.get(s.id)!;
    return { ...s, inFlight: l.count, inFlightBytes: l.bytes, has: s.has };
  };
  const free = (s: SourceView): boolean => load.get(s.id)!.count < s.maxInFlight;

  // The broadcaster ranks below every peer unless it offered the piece: its upload is the
  // scarcest, and it turns down most requests it did not offer (it serves only rescues).
  const standing = (s: SourceView, w: WantedSegment): number => {
    if (w.piece === undefined || !s.standing) return 1;
    const st = s.standing(w.rendition, w.seq, w.piece);
    return s.isBroadcaster && st < 2 ? -1 : st;
  };

  const assign = (w: WantedSegment, source: SourceView): void => {
    const expectedDoneAt = now + expectedDuration(view(source), w.size, policy);
    actions.push({
      kind: 'request',
      rendition: w.rendition,
      seq: w.seq,
      ...(w.piece === undefined ? {} : { piece: w.piece }),
      sourceId: source.id,
      expectedDoneAt,
    });
    const l = load.get(source.id)!;
    l.count += 1;
    l.bytes += w.size;
  };

  // 2. Urgent: the peer that finishes first if it makes the deadline; otherwise whoever
  //    finishes first, broadcaster included. The broadcaster's upload is the scarcest in
  //    the swarm: spending it where a peer would do starves the segments only it has.
  for (const w of urgent) {
    const candidates = holdersOf(w)
      .filter(free)
      .map((c) => ({ c, ms: expectedDuration(view(c), w.size, policy), st: standing(c, w) }))
      .sort((a, b) => b.st - a.st || a.ms - b.ms || Number(a.c.isBroadcaster) - Number(b.c.isBroadcaster));
    if (candidates.length === 0) continue;
    const inTime = candidates.find((x) => !x.c.isBroadcaster && now + x.ms <= w.deadlineAt);
    assign(w, (inTime ?? candidates[0]!).c);
  }

  let pulls = 0;
  for (const r of running.values()) if (r.unoffered) pulls++;

  // 3. Relaxed: rarest first, least-loaded peer; broadcaster only after its grace period
  //    or when no peer holds the segment and it could otherwise become urgent unserved.
  for (const w of relaxed) {
    const holders = holdersOf(w);
    // A piece that is not urgent is asked of a peer that offered it: holders offer what they
    // can upload, and asking the others floods busy uploaders with requests. A piece no one
    // offered for a while is asked of any holder (whole-segment holders first), but only a
    // few such pulls run at once: most pieces come by offer, and the last ones of a segment,
    // which no neighbour happened to offer, would otherwise wait until they are urgent.
    const patient = now - w.announcedAt > policy.offerPatienceMs;
    const minStanding = !patient ? 2 : w.piece === undefined ? 1 : pulls < policy.maxUnofferedPulls ? 0 : 2;
    const peers = holders.filter(
      (s) =>
        !s.isBroadcaster &&
        free(s) &&
        standing(s, w) >= minStanding &&
        (w.piece === undefined || !s.refusesPulls || standing(s, w) === 2),
    );
    if (peers.length > 0) {
      peers.sort(
        (a, b) =>
          standing(b, w) - standing(a, w) ||
          load.get(a.id)!.bytes / a.throughputBps - load.get(b.id)!.bytes / b.throughputBps,
      );
      if (w.piece !== undefined && standing(peers[0]!, w) < 2) pulls++;
      assign(w, peers[0]!);
      continue;
    }
    const anyPeerHolds = holders.some((s) => !s.isBroadcaster);
    if (anyPeerHolds) continue; // peers have it but are busy: wait for a free slot
    const broadcaster = holders.find((s) => s.isBroadcaster && free(s));
    if (broadcaster && now - w.announcedAt >= policy.broadcasterGraceMs) assign(w, broadcaster);
  }

  return actions;
}
