// SegmentFetcher on its own: from a plan to requests on real links, and what it does with
// answers (PROTOCOL §5.7, §5.9, §7.3). The sessions are fakes that record each request and
// let the test answer it.

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { mediaBytes, recordingSession, signedSegment } from '../../../test/fakes/swarm-fakes.js';
import { NotAvailableReason } from '../../protocol/constants.js';
import { streamKeysFromSeed } from '../../protocol/signing.js';
import type { SegmentEntry } from '../../protocol/types.js';
import { NotAvailableError, type SegmentRequestOptions } from '../../transport/index.js';
import { PeerLink } from '../peer-link.js';
import type { SegmentArrivalEvent } from './segment-arrivals.js';
import { viewerParts } from '../../../test/swarm/viewer-parts.js';
import { SegmentFetcher } from './segment-fetcher.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 11));
const segments = new Map([5, 6].map((seq) => [seq, mediaBytes(2500, seq)]));
const signed = new Map([...segments].map(([seq, data]) => [seq, signedSegment(keys, seq, data)]));

interface Asked extends SegmentRequestOptions {
  resolve(data: Buffer): void;
  reject(err: Error): void;
  cancelled: boolean;
}

type Neighbour = PeerLink & { asked: Asked[] };

const settle = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const fetchers: SegmentFetcher[] = [];
afterEach(() => {
  for (const f of fetchers.splice(0)) f.destroy();
});

/** A viewer at t = 10 s knowing segments 5 and 6 (2 s each): it joins at 5 (joinDistance 2). */
function setup(opts: { pieces?: boolean } = {}) {
  let now = 10_000;
  const links: Neighbour[] = [];
  const { vault, book, ledger, position, wants } = viewerParts({
    ...opts,
    streamId: keys.streamId,
    entries: [...signed.values()].map((s) => s.entry),
    now: () => now,
    links: () => links,
  });
  const config = { role: 'viewer' as const, vault, maxInFlightPerPeer: 4, now: () => now, ...opts };
  const verified: Array<{ entry: SegmentEntry; arrival: SegmentArrivalEvent }> = [];
  const banned: PeerLink[] = [];
  const fetcher = new SegmentFetcher(config, book, ledger, position, wants, {
    links: () => links,
    verified: (entry, _data, arrival) => void verified.push({ entry, arrival }),
    pieceVerified: () => undefined,
    failed: () => undefined,
    ban: (link) => void banned.push(link),
    fault: (err) => {
      throw err;
    },
  });
  fetchers.push(fetcher);
  const neighbour = (
    id: string,
    more: { isBroadcaster?: boolean; speaksPieces?: boolean } = {},
  ): Neighbour => {
    const asked: Asked[] = [];
    const session = recordingSession({
      nodeId: id.padEnd(16, '0'),
      ...more,
      requestSegment: (options) => {
        let resolve!: (data: Buffer) => void;
        let reject!: (err: Error) => void;
        const done = new Promise<Buffer>((res, rej) => {
          resolve = res;
          reject = rej;
        });
        const request: Asked = { ...options, resolve, reject, cancelled: false };
        asked.push(request);
        return {
          reqId: asked.length,
          done,
          cancel: () => {
            request.cancelled = true;
            reject(new ShoalError(ErrorCode.CANCELLED, 'cancelled'));
          },
          received: () => 0,
        };
      },
    });
    const link = Object.assign(new PeerLink(session, () => now), { asked });
    links.push(link);
    return link;
  };
  return {
    fetcher,
    wants,
    ledger,
    verified,
    banned,
    neighbour,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

describe('SegmentFetcher', () => {
  it('asks a peer that holds them for the whole catch-up at once, at priority 0, with a deadline it can meet', () => {
    const t = setup();
    const a = t.neighbour('a');
    a.markHave(0, 5);
    a.markHave(0, 6);
    t.fetcher.schedule(t.now());
    // The join point and the live edge at the join are the catch-up: both are due within a
    // segment of joining (LivePosition.fetchBy), so neither waits for an offer.
    expect(a.asked.map((r) => [r.seq, r.kind, r.priority, r.expectedSize])).toEqual([
      [5, 'media', 0, 2500],
      [6, 'media', 0, 2500],
    ]);
    expect(a.asked[0]!.deadlineMs).toBeGreaterThanOrEqual(2 * 2000);
    expect(a.inFlight).toBe(2);
    expect(a.inFlightBytes).toBe(5000);
    // Planning again asks nothing twice.
    t.fetcher.schedule(t.now());
    expect(a.asked).toHaveLength(2);
  });

  it('asks no neighbour that chokes us, and the broadcaster only when no peer holds it', () => {
    const t = setup();
    const choking = t.neighbour('c');
    choking.markHave(0, 5);
    choking.chokesUs = true;
    const broadcaster = t.neighbour('b', { isBroadcaster: true });
    broadcaster.markHave(0, 5);
    t.fetcher.schedule(t.now());
    expect(choking.asked).toEqual([]);
    expect(broadcaster.asked.map((r) => r.seq)).toEqual([5]);
  });

  it('hands a delivered segment on verified, and frees the request slot', async () => {
    const t = setup();
    const a = t.neighbour('a');
    a.markHave(0, 5);
    t.fetcher.schedule(t.now());
    t.advance(250);
    a.asked[0]!.resolve(segments.get(5)!);
    await settle();
    expect(t.verified.map((v) => v.entry.seq)).toEqual([5]);
    expect(t.verified[0]!.arrival).toMatchObject({ from: a, fetchMs: 250, bytes: 2500 });
    expect(a.inFlight).toBe(0);
    expect(a.inFlightBytes).toBe(0);
  });

  it('leaves a holder that answered OVERLOADED alone for that segment and asks another (§5.9)', async () => {
    const t = setup();
    const a = t.neighbour('a');
    a.markHave(0, 5);
    t.fetcher.schedule(t.now());
    a.asked[0]!.reject(new NotAvailableError('busy', NotAvailableReason.OVERLOADED));
    await settle();
    const b = t.neighbour('b');
    b.markHave(0, 5);
    t.fetcher.schedule(t.now());
    expect(a.asked).toHaveLength(1);
    expect(b.asked.map((r) => r.seq)).toEqual([5]);
    // A quarter of a segment later, it may be asked again.
    expect(a.canServe(0, 5, t.now() + 500)).toBe(true);
  });

  it('forgets that a holder has a segment it says it does not have', async () => {
    const t = setup();
    const a = t.neighbour('a');
    a.markHave(0, 5);
    t.fetcher.schedule(t.now());
    a.asked[0]!.reject(new NotAvailableError('gone', NotAvailableReason.EVICTED));
    await settle();
    expect(a.holds(0, 5)).toBe(false);
  });

  it('bans a holder whose answer breaks the protocol', async () => {
    const t = setup();
    const a = t.neighbour('a');
    a.markHave(0, 5);
    t.fetcher.schedule(t.now());
    a.asked[0]!.reject(new ShoalError(ErrorCode.TOO_LARGE, 'too large'));
    await settle();
    expect(t.banned).toEqual([a]);
  });

  it('takes offered pieces at once, without a plan, at priority 0 (§7.3)', () => {
    const t = setup();
    const a = t.neighbour('a', { speaksPieces: true });
    const { map } = signed.get(6)!;
    t.ledger.addMap(map);
    t.fetcher.schedule(t.now()); // sets the join point (5); nothing held anywhere yet
    a.markPieces(0, 6, 0b101, true);
    t.fetcher.takeOffer(a, map, 0b101);
    expect(a.asked.map((r) => [r.seq, r.range, r.priority])).toEqual([
      [6, { offset: 0, length: 1024 }, 0],
      [6, { offset: 2048, length: 452 }, 0],
    ]);
    // An offer of what is already under way is not asked twice.
    t.fetcher.takeOffer(a, map, 0b101);
    expect(a.asked).toHaveLength(2);
  });

  it('cancels the requests of a neighbour that left', () => {
    const t = setup();
    const a = t.neighbour('a');
    a.markHave(0, 5);
    t.fetcher.schedule(t.now());
    t.fetcher.dropLink(a);
    expect(a.asked[0]!.cancelled).toBe(true);
    expect(a.inFlight).toBe(0);
  });
});
