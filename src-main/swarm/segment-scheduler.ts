// Deadline-aware segment scheduling for a viewer (pure logic, no I/O).
// Urgent segments go first to a peer expected to finish in time (the soonest one), to
// the broadcaster only when no peer can; the rest are spread over neighbours
// rarest-first; stalled urgent requests that made little progress are redirected
// before their deadline.

export interface WantedSegment {
  rendition: number;
  seq: number;
  size: number;
  /** Local time (ms) by which the segment must be complete to play without a stall. */
  deadlineAt: number;
  /** Local time (ms) the segment was first announced to us. */
  announcedAt: number;
}

export interface SourceView {
  id: string;
  isBroadcaster: boolean;
  /** Has the (rendition, seq) and is willing to serve it (not choking us). */
  has(rendition: number, seq: number): boolean;
  rttMs: number;
  /** Estimated goodput from this source, bytes per second. */
  throughputBps: number;
  inFlight: number;
  inFlightBytes: number;
  maxInFlight: number;
}

export interface InFlightRequest {
  rendition: number;
  seq: number;
  sourceId: string;
  startedAt: number;
  expectedDoneAt: number;
  size: number;
  /** Bytes received so far, when known. */
  received?: number;
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
}

export const DEFAULT_SCHEDULER_POLICY: SchedulerPolicy = {
  urgentWithinMs: 4000,
  broadcasterGraceMs: 600,
  stallFactor: 2.5,
  minExpectedMs: 400,
};

export type SchedulerAction =
  | { kind: 'request'; rendition: number; seq: number; sourceId: string; expectedDoneAt: number }
  | { kind: 'redirect'; rendition: number; seq: number; fromSourceId: string };

const keyOf = (rendition: number, seq: number): string => `${rendition}:${seq}`;

export function expectedDuration(source: SourceView, size: number, policy: SchedulerPolicy): number {
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
  const running = new Map(inFlight.map((r) => [keyOf(r.rendition, r.seq), r]));
  const load = new Map(sources.map((s) => [s.id, { count: s.inFlight, bytes: s.inFlightBytes }]));

  // A source that stalled on a segment is not asked for it again in the same plan.
  const excluded = new Map<string, string>();
  const holdersOf = (w: WantedSegment): SourceView[] =>
    sources.filter((s) => s.has(w.rendition, w.seq) && excluded.get(keyOf(w.rendition, w.seq)) !== s.id);

  // 1. Stalled requests: redirect if someone else holds the segment. Only urgent ones:
  //    a slow transfer with time to spare still finishes, and restarting it elsewhere
  //    would spend the uploader's bandwidth twice.
  for (const req of inFlight) {
    const ran = now - req.startedAt;
    const expected = Math.max(policy.minExpectedMs, req.expectedDoneAt - req.startedAt);
    if (ran < expected * policy.stallFactor) continue;
    if ((req.received ?? 0) >= req.size / 2) continue;
    const w = wanted.find((x) => x.rendition === req.rendition && x.seq === req.seq);
    if (!w || w.deadlineAt - now > policy.urgentWithinMs) continue;
    const alternatives = holdersOf(w).filter((s) => s.id !== req.sourceId);
    if (alternatives.length === 0) continue;
    actions.push({ kind: 'redirect', rendition: req.rendition, seq: req.seq, fromSourceId: req.sourceId });
    running.delete(keyOf(req.rendition, req.seq));
    excluded.set(keyOf(req.rendition, req.seq), req.sourceId);
    const l = load.get(req.sourceId);
    if (l) {
      l.count -= 1;
      l.bytes -= req.size;
    }
  }

  const pending = wanted.filter((w) => !running.has(keyOf(w.rendition, w.seq)));
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

  const assign = (w: WantedSegment, source: SourceView): void => {
    const expectedDoneAt = now + expectedDuration(view(source), w.size, policy);
    actions.push({
      kind: 'request',
      rendition: w.rendition,
      seq: w.seq,
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
      .map((c) => ({ c, ms: expectedDuration(view(c), w.size, policy) }))
      .sort((a, b) => a.ms - b.ms || Number(a.c.isBroadcaster) - Number(b.c.isBroadcaster));
    if (candidates.length === 0) continue;
    const inTime = candidates.find((x) => !x.c.isBroadcaster && now + x.ms <= w.deadlineAt);
    assign(w, (inTime ?? candidates[0]!).c);
  }

  // 3. Relaxed: rarest first, least-loaded peer; broadcaster only after its grace period
  //    or when no peer holds the segment and it could otherwise become urgent unserved.
  for (const w of relaxed) {
    const holders = holdersOf(w);
    const peers = holders.filter((s) => !s.isBroadcaster && free(s));
    if (peers.length > 0) {
      peers.sort((a, b) => load.get(a.id)!.bytes / a.throughputBps - load.get(b.id)!.bytes / b.throughputBps);
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
