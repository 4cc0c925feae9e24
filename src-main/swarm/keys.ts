// The keys the swarm files segments and pieces under, in one place (issue 18 §3). Each table
// names its key by one of these, so two tables that should agree (a running request and the
// wanted item it is for) cannot drift apart.

import type { ByteRange } from '../protocol/types.js';

/** One segment of a rendition: `rendition:seq` (media, or init in a table of init segments only). */
export const segmentKey = (rendition: number, seq: number): string => `${rendition}:${seq}`;

/**
 * One item of a viewer's fetch plan: a whole segment (its segmentKey) or one piece of it,
 * `rendition:seq:piece` (PROTOCOL §7.3). Init segments are planned under initPlanSeq.
 */
export const itemKey = (item: { rendition: number; seq: number; piece?: number }): string =>
  item.piece === undefined
    ? segmentKey(item.rendition, item.seq)
    : `${segmentKey(item.rendition, item.seq)}:${item.piece}`;

/**
 * What a request asks of a segment, as the broadcaster counts copies of it: the whole segment
 * (its segmentKey) or the range's start, `rendition:seq@offset`. Per rendition, since each
 * rendition's seqs and byte offsets are its own.
 */
export const rangeKey = (rendition: number, seq: number, range: ByteRange | undefined): string =>
  range === undefined ? segmentKey(rendition, seq) : `${segmentKey(rendition, seq)}@${range.offset}`;

/**
 * An init segment in a viewer's fetch plan, which holds media seqs (0 and up): its seq is
 * carried as `-1 - seq`, so both kinds share one list and one key space.
 */
export const initPlanSeq = (seq: number): number => -1 - seq;

/** Whether a plan seq stands for an init segment (see initPlanSeq). */
export const isInitPlanSeq = (planSeq: number): boolean => planSeq < 0;

/** The segment's own seq of a plan seq (see initPlanSeq). */
export const seqOfPlanSeq = (planSeq: number): number => (planSeq < 0 ? -1 - planSeq : planSeq);

/**
 * A segment as a number, for PeerLink's per-neighbour tables (cheaper than strings on the
 * hot path): `seq * 256 + rendition`, renditions below 256.
 */
export const segmentSlot = (rendition: number, seq: number): number => seq * 256 + rendition;

/** A piece as a number (see segmentSlot): pieces below 32, the width of a PIECE_HAVE mask. */
export const pieceSlot = (rendition: number, seq: number, piece: number): number =>
  segmentSlot(rendition, seq) * 32 + piece;
