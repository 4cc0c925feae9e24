import { describe, expect, it } from 'vitest';
import {
  planRequests,
  type SourceView,
  type WantedSegment,
  DEFAULT_SCHEDULER_POLICY,
} from './segment-scheduler.js';

const source = (id: string, holds: number[], over: Partial<SourceView> = {}): SourceView => ({
  id,
  isBroadcaster: false,
  has: (_r, seq) => holds.includes(seq),
  rttMs: 20,
  throughputBps: 1_000_000,
  inFlight: 0,
  inFlightBytes: 0,
  maxInFlight: 2,
  ...over,
});
const want = (seq: number, deadlineIn: number, announcedAgo = 5000): WantedSegment => ({
  rendition: 0,
  seq,
  size: 500_000,
  deadlineAt: 10_000 + deadlineIn,
  announcedAt: 10_000 - announcedAgo,
});
const NOW = 10_000;

describe('planRequests', () => {
  it('sends an urgent segment to the source that finishes first, broadcaster included', () => {
    const slow = source('slow', [1], { throughputBps: 100_000 });
    const b = source('b', [1], { isBroadcaster: true, throughputBps: 5_000_000 });
    const actions = planRequests(NOW, [want(1, 1000)], [slow, b], []);
    expect(actions).toEqual([expect.objectContaining({ kind: 'request', seq: 1, sourceId: 'b' })]);
  });

  it('spreads relaxed segments over peers rarest first and spares the broadcaster', () => {
    const b = source('b', [1, 2, 3], { isBroadcaster: true, maxInFlight: 10 });
    const p1 = source('p1', [1, 2], { maxInFlight: 1 });
    const p2 = source('p2', [1], { maxInFlight: 1 });
    const actions = planRequests(NOW, [want(1, 9000), want(2, 9500), want(3, 9900)], [b, p1, p2], []);
    const bySeq = Object.fromEntries(actions.map((a) => [a.seq, a.kind === 'request' ? a.sourceId : '']));
    // seq 3 is only at the broadcaster (rarest) -> broadcaster; 2 only at p1 -> p1; 1 -> p2
    expect(bySeq).toEqual({ 3: 'b', 2: 'p1', 1: 'p2' });
  });

  it('leaves a fresh broadcaster-only segment to the push peers during the grace period', () => {
    const b = source('b', [7], { isBroadcaster: true });
    const fresh = want(7, 9000, DEFAULT_SCHEDULER_POLICY.broadcasterGraceMs / 2);
    expect(planRequests(NOW, [fresh], [b], [])).toEqual([]);
    const older = want(7, 9000, DEFAULT_SCHEDULER_POLICY.broadcasterGraceMs * 2);
    expect(planRequests(NOW, [older], [b], [])).toHaveLength(1);
  });

  it('respects per-source in-flight limits', () => {
    const p = source('p', [1, 2, 3], { maxInFlight: 2 });
    const actions = planRequests(NOW, [want(1, 500), want(2, 600), want(3, 700)], [p], []);
    expect(actions.map((a) => a.seq)).toEqual([1, 2]);
  });

  it('redirects a stalled request to another holder', () => {
    const p1 = source('p1', [4], { inFlight: 1, inFlightBytes: 500_000 });
    const p2 = source('p2', [4]);
    const stalled = {
      rendition: 0,
      seq: 4,
      sourceId: 'p1',
      startedAt: NOW - 5000,
      expectedDoneAt: NOW - 4000,
      size: 500_000,
    };
    const actions = planRequests(NOW, [want(4, 2000)], [p1, p2], [stalled]);
    expect(actions[0]).toEqual({ kind: 'redirect', rendition: 0, seq: 4, fromSourceId: 'p1' });
    expect(actions[1]).toEqual(expect.objectContaining({ kind: 'request', seq: 4, sourceId: 'p2' }));
  });

  it('does not redirect when nobody else has the segment', () => {
    const p1 = source('p1', [4], { inFlight: 1 });
    const stalled = {
      rendition: 0,
      seq: 4,
      sourceId: 'p1',
      startedAt: NOW - 5000,
      expectedDoneAt: NOW - 4000,
      size: 500_000,
    };
    expect(planRequests(NOW, [want(4, 2000)], [p1], [stalled])).toEqual([]);
  });

  it('leaves an urgent segment to a peer that makes the deadline, sparing the broadcaster', () => {
    const peer = source('p', [1], { throughputBps: 1_000_000 }); // 500 KB in ~0.5 s
    const b = source('b', [1], { isBroadcaster: true, throughputBps: 5_000_000 });
    const actions = planRequests(NOW, [want(1, 1500)], [peer, b], []);
    expect(actions).toEqual([expect.objectContaining({ kind: 'request', seq: 1, sourceId: 'p' })]);
  });

  it('lets a stalled request finish when it is half done or not urgent', () => {
    const p1 = source('p1', [4], { inFlight: 1, inFlightBytes: 500_000 });
    const p2 = source('p2', [4]);
    const stalled = {
      rendition: 0,
      seq: 4,
      sourceId: 'p1',
      startedAt: NOW - 5000,
      expectedDoneAt: NOW - 4000,
      size: 500_000,
    };
    expect(planRequests(NOW, [want(4, 2000)], [p1, p2], [{ ...stalled, received: 300_000 }])).toEqual([]);
    const relaxed = want(4, DEFAULT_SCHEDULER_POLICY.urgentWithinMs + 5000);
    expect(planRequests(NOW, [relaxed], [p1, p2], [stalled])).toEqual([]);
  });

  describe('pieces (PROTOCOL §7.3)', () => {
    const piece = (p: number, deadlineIn: number, announcedAgo: number): WantedSegment => ({
      ...want(4, deadlineIn, announcedAgo),
      piece: p,
      size: 16_384,
    });
    // standing: 2 = offered it to us, 1 = holds the whole segment, 0 = holds the piece only.
    const peer = (id: string, standing: number) =>
      source(id, [4], { standing: () => standing, maxInFlight: 4 });

    it('asks for a relaxed piece only of a peer that offered it, at first', () => {
      const actions = planRequests(NOW, [piece(0, 8000, 100)], [peer('whole', 1), peer('partial', 0)], []);
      expect(actions).toEqual([]);
      const offered = planRequests(NOW, [piece(0, 8000, 100)], [peer('whole', 1), peer('offer', 2)], []);
      expect(offered).toEqual([expect.objectContaining({ piece: 0, sourceId: 'offer' })]);
    });

    it('after the offer patience, asks any holder (whole first), a few unoffered pieces at a time', () => {
      const late = (p: number) => piece(p, 8000, DEFAULT_SCHEDULER_POLICY.offerPatienceMs + 1);
      expect(planRequests(NOW, [late(0)], [peer('partial', 0)], [])).toEqual([
        expect.objectContaining({ sourceId: 'partial' }),
      ]);
      expect(planRequests(NOW, [late(0)], [peer('partial', 0), peer('whole', 1)], [])).toEqual([
        expect.objectContaining({ sourceId: 'whole' }),
      ]);
      const max = DEFAULT_SCHEDULER_POLICY.maxUnofferedPulls;
      const many = Array.from({ length: max + 3 }, (_, i) => late(i));
      const sources = [peer('a', 0), peer('b', 0), peer('c', 0), peer('d', 0)];
      expect(planRequests(NOW, many, sources, [])).toHaveLength(max);
      // Pulls already running count against the limit; offered pieces never do.
      const running = {
        rendition: 0,
        seq: 4,
        piece: 0,
        sourceId: 'a',
        startedAt: NOW,
        expectedDoneAt: NOW + 500,
        size: 16_384,
      };
      expect(planRequests(NOW, many, sources, [{ ...running, unoffered: true }])).toHaveLength(max - 1);
      expect(planRequests(NOW, many, sources, [running])).toHaveLength(max);
      expect(planRequests(NOW, many, [...sources, peer('offer', 2)], [])).toHaveLength(max + 3);
    });

    it('a holder that refuses pulls is asked only for pieces it offered, unless the piece is urgent', () => {
      const late = piece(0, 8000, DEFAULT_SCHEDULER_POLICY.offerPatienceMs + 1);
      const busy = (standing: number) =>
        source('busy', [4], { standing: () => standing, maxInFlight: 4, refusesPulls: true });
      expect(planRequests(NOW, [late], [busy(1)], [])).toEqual([]);
      expect(planRequests(NOW, [late], [busy(2)], [])).toEqual([
        expect.objectContaining({ sourceId: 'busy' }),
      ]);
      expect(planRequests(NOW, [piece(0, 500, 0)], [busy(1)], [])).toEqual([
        expect.objectContaining({ sourceId: 'busy' }),
      ]);
    });

    it('moves a piece away from a source that went silent (not even an ACK) since it was asked', () => {
      const asked = {
        rendition: 0,
        seq: 4,
        piece: 0,
        sourceId: 'gone',
        startedAt: NOW - DEFAULT_SCHEDULER_POLICY.silentSourceMs,
        expectedDoneAt: NOW,
        size: 16_384,
      };
      const relaxed = piece(0, 8000, 100);
      const other = peer('other', 2);
      const silent = { ...peer('gone', 2), heardAt: asked.startedAt - 1 };
      expect(planRequests(NOW, [relaxed], [silent, other], [asked])).toEqual([
        { kind: 'redirect', rendition: 0, seq: 4, piece: 0, fromSourceId: 'gone' },
        expect.objectContaining({ kind: 'request', sourceId: 'other' }),
      ]);
      // It answered since (an ACK at least): a slow piece is left to finish.
      const alive = { ...silent, heardAt: asked.startedAt + 5 };
      expect(planRequests(NOW, [relaxed], [alive, other], [asked])).toEqual([]);
    });

    it('moves a request that was acknowledged away once its source stays silent after a probe', () => {
      const asked = {
        rendition: 0,
        seq: 4,
        piece: 0,
        sourceId: 'gone',
        startedAt: NOW - 3 * DEFAULT_SCHEDULER_POLICY.silentSourceMs,
        expectedDoneAt: NOW,
        size: 16_384,
      };
      const relaxed = piece(0, 8000, 100);
      const other = peer('other', 2);
      // It answered the request (an ACK), then fell silent; we probed it.
      const probed = {
        ...peer('gone', 2),
        heardAt: asked.startedAt + 5,
        probedAt: NOW - DEFAULT_SCHEDULER_POLICY.silentSourceMs,
      };
      expect(planRequests(NOW, [relaxed], [probed, other], [asked])).toEqual([
        { kind: 'redirect', rendition: 0, seq: 4, piece: 0, fromSourceId: 'gone' },
        expect.objectContaining({ kind: 'request', sourceId: 'other' }),
      ]);
      // It answered the probe: the piece is left to finish.
      const answered = { ...probed, heardAt: probed.probedAt + 5 };
      expect(planRequests(NOW, [relaxed], [answered, other], [asked])).toEqual([]);
    });

    it('asks a suspected source for nothing, even what only it holds, and moves what it has', () => {
      const suspect = source('dead', [4, 5], { suspect: true, standing: () => 2, maxInFlight: 4 });
      const other = source('other', [5], { maxInFlight: 4 });
      const asked = {
        rendition: 0,
        seq: 5,
        sourceId: 'dead',
        startedAt: NOW - 100,
        expectedDoneAt: NOW + 1000,
        size: 500_000,
      };
      expect(planRequests(NOW, [want(4, 500), want(5, 8000)], [suspect, other], [asked])).toEqual([
        { kind: 'redirect', rendition: 0, seq: 5, fromSourceId: 'dead' },
        expect.objectContaining({ kind: 'request', seq: 5, sourceId: 'other' }),
      ]);
    });

    it('an urgent piece goes to any holder, offerers first; pieces of one segment spread over sources', () => {
      const urgent = [piece(0, 500, 0), piece(1, 500, 0), piece(2, 500, 0)];
      const a = source('a', [4], { standing: () => 0, maxInFlight: 1 });
      const b = source('b', [4], { standing: (_r, _s, p) => (p === 1 ? 2 : 0), maxInFlight: 1 });
      const c = source('c', [4], { standing: () => 1, maxInFlight: 1 });
      const actions = planRequests(NOW, urgent, [a, b, c], []);
      expect(actions).toHaveLength(3);
      expect(new Set(actions.map((x) => (x.kind === 'request' ? x.sourceId : '')))).toEqual(
        new Set(['a', 'b', 'c']),
      );
      expect(actions.find((x) => x.kind === 'request' && x.piece === 1)).toMatchObject({ sourceId: 'b' });
    });
  });
});
