// SegmentArrivals on its own: what it does with the bytes our requests bring (PROTOCOL §6.3,
// §7.3), with real pieces, maps and links.

import { describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../../src-shared/errors.js';
import { mediaBytes, recordingSession, signedSegment, emptyVault } from '../../../test/fakes/swarm-fakes.js';
import { streamKeysFromSeed } from '../../protocol/signing.js';
import { PeerLink } from '../peer-link.js';
import { PieceLedger } from '../piece-ledger.js';
import type { PieceAssembly } from '../piece-ledger.js';
import type { SegmentVault } from '../ports.js';
import { SegmentArrivals, type SegmentArrivalEvent } from './segment-arrivals.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 3));
const data = mediaBytes(2500);
const { entry, map } = signedSegment(keys, 7, data);

function setup(vault: SegmentVault = emptyVault) {
  let now = 1000;
  const verified: Array<{ data: Uint8Array; arrival: SegmentArrivalEvent }> = [];
  const pieceVerified: Array<{ from: PeerLink; assembly: PieceAssembly; piece: number; bytes: number }> = [];
  const failed: Array<{ seq: number; reason: ShoalError; from: PeerLink }> = [];
  const banned: PeerLink[] = [];
  const pieces = new PieceLedger();
  const arrivals = new SegmentArrivals({ vault, now: () => now }, pieces, {
    verified: (_entry, bytes, arrival) => void verified.push({ data: bytes, arrival }),
    pieceVerified: (from, assembly, piece, bytes) =>
      void pieceVerified.push({ from, assembly, piece, bytes }),
    failed: (f) => void failed.push(f),
    ban: (link) => void banned.push(link),
    fault: (err) => {
      throw err;
    },
  });
  const link = (id: string, isBroadcaster = false) =>
    new PeerLink(recordingSession({ nodeId: id.padEnd(16, '0'), isBroadcaster }), () => now);
  return {
    arrivals,
    pieces,
    verified,
    pieceVerified,
    failed,
    banned,
    link,
    advance: (ms: number) => (now += ms),
  };
}

describe('SegmentArrivals', () => {
  it('passes on a whole segment that matches its entry, credited to its sender', () => {
    const t = setup();
    const peer = t.link('a1');
    t.advance(300);
    t.arrivals.segment({ link: peer, kind: 'media', startedAt: 1000 }, entry, data, true);
    expect(t.verified).toHaveLength(1);
    expect(t.verified[0]!.arrival).toMatchObject({
      rendition: 0,
      kind: 'media',
      seq: 7,
      bytes: 2500,
      from: peer,
      fromBroadcasterBytes: 0,
      fetchMs: 300,
    });
    expect(peer.segmentsReceived).toBe(1);
    expect(t.banned).toEqual([]);
  });

  it('counts a segment from the broadcaster as its bytes', () => {
    const t = setup();
    const source = t.link('b1', true);
    t.arrivals.segment({ link: source, kind: 'media', startedAt: 1000 }, entry, data, true);
    expect(t.verified[0]!.arrival.fromBroadcasterBytes).toBe(2500);
  });

  it('drops a segment that does not match its signed hash and bans its sender (§6.3)', () => {
    const t = setup();
    const forger = t.link('f1');
    const forged = Buffer.from(data);
    forged[10] = forged[10]! ^ 1;
    t.arrivals.segment({ link: forger, kind: 'media', startedAt: 1000 }, entry, forged, true);
    expect(t.verified).toEqual([]);
    expect(t.failed).toHaveLength(1);
    expect(t.failed[0]!.reason.code).toBe(ErrorCode.HASH_MISMATCH);
    expect(t.failed[0]!.from).toBe(forger);
    expect(t.banned).toEqual([forger]);
  });

  it('ignores a late copy of a segment the store already holds (a request no longer current)', () => {
    const held: SegmentVault = { ...emptyVault, has: () => true };
    const t = setup(held);
    t.arrivals.segment({ link: t.link('a1'), kind: 'media', startedAt: 1000 }, entry, data, false);
    expect(t.verified).toEqual([]);
  });

  it('assembles pieces from several senders: each verified piece is announced, the whole passed on once (§7.3)', () => {
    const t = setup();
    t.pieces.addMap(map);
    const a = t.link('a1');
    const b = t.link('b1', true);
    t.arrivals.pieceRequested(0, 7, 1000);
    t.advance(100);
    t.arrivals.piece({ link: a, kind: 'media', startedAt: 1000 }, map, 0, data.subarray(0, 1024));
    t.arrivals.piece({ link: a, kind: 'media', startedAt: 1000 }, map, 2, data.subarray(2048));
    expect(t.pieceVerified.map((p) => [p.from, p.piece, p.bytes])).toEqual([
      [a, 0, 1024],
      [a, 2, 452],
    ]);
    expect(t.verified).toEqual([]);
    t.advance(100);
    t.arrivals.piece({ link: b, kind: 'media', startedAt: 1100 }, map, 1, data.subarray(1024, 2048));
    expect(t.pieceVerified).toHaveLength(2); // the last piece completes the segment instead
    expect(t.verified).toHaveLength(1);
    expect(Buffer.from(t.verified[0]!.data)).toEqual(data);
    // From the neighbour that sent the most of it; timed from the first piece's request.
    expect(t.verified[0]!.arrival).toMatchObject({
      seq: 7,
      from: a,
      fromBroadcasterBytes: 1024,
      fetchMs: 200,
    });
    expect(t.pieces.assembly(0, 7)).toBeUndefined();
  });

  it('bans the sender of a piece that does not match the signed map, and keeps the others', () => {
    const t = setup();
    t.pieces.addMap(map);
    const honest = t.link('a1');
    const forger = t.link('f1');
    t.arrivals.piece({ link: honest, kind: 'media', startedAt: 1000 }, map, 0, data.subarray(0, 1024));
    const forged = Buffer.from(data.subarray(1024, 2048));
    forged[0] = forged[0]! ^ 1;
    t.arrivals.piece({ link: forger, kind: 'media', startedAt: 1000 }, map, 1, forged);
    expect(t.banned).toEqual([forger]);
    expect(t.failed[0]!.reason.code).toBe(ErrorCode.HASH_MISMATCH);
    expect(t.pieces.assembly(0, 7)?.mask).toBe(0b001);
  });

  it('takes no piece of a segment whose map it does not hold, or that the store holds', () => {
    const t = setup();
    t.arrivals.piece({ link: t.link('a1'), kind: 'media', startedAt: 1000 }, map, 0, data.subarray(0, 1024));
    expect(t.pieceVerified).toEqual([]);
    const held = setup({ ...emptyVault, has: () => true });
    held.pieces.addMap(map);
    held.arrivals.piece(
      { link: held.link('a1'), kind: 'media', startedAt: 1000 },
      map,
      0,
      data.subarray(0, 1024),
    );
    expect(held.pieceVerified).toEqual([]);
  });
});
