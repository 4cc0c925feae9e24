// Segment transfer frames: SEGMENT_REQUEST, SEGMENT_DATA, SEGMENT_NOT_AVAILABLE, CANCEL,
// PRIORITY (PROTOCOL §5.7–§5.11).

import type { SegmentKind } from '../types.js';
import { ShoalError } from '../../../src-shared/errors.js';
import type { FrameBodyCodecs } from './frame-body.js';

/** PROTOCOL §5.7 — kind byte. */
const KIND_IDS: Record<SegmentKind, number> = { media: 0, init: 1 };
const KINDS: readonly SegmentKind[] = ['media', 'init'];

/** PROTOCOL §5.7 — the defined fields of a SEGMENT_REQUEST, and with the range extension. */
const SEGMENT_REQUEST_LENGTH = 15;
const SEGMENT_REQUEST_RANGE_LENGTH = 23;

/** PROTOCOL §5.8 — fixed part of a SEGMENT_DATA body before the data. */
export const SEGMENT_DATA_FIXED_LENGTH = 12;

export const segmentFrames: FrameBodyCodecs<
  'SEGMENT_REQUEST' | 'SEGMENT_DATA' | 'SEGMENT_NOT_AVAILABLE' | 'CANCEL' | 'PRIORITY'
> = {
  // §5.7 SEGMENT_REQUEST: reqId u32, rendition u8, kind u8, seq u32, deadlineMs u32, priority u8,
  // then (range extension, peers with PIECES) rangeOffset u32, rangeLength u32.
  SEGMENT_REQUEST: {
    length: (f) => (f.range ? SEGMENT_REQUEST_RANGE_LENGTH : SEGMENT_REQUEST_LENGTH),
    write(w, f) {
      w.u32(f.reqId);
      w.u8(f.rendition);
      w.u8(KIND_IDS[f.kind]);
      w.u32(f.seq);
      w.u32(f.deadlineMs);
      w.u8(f.priority);
      if (f.range) {
        if (f.range.length === 0) throw ShoalError.internal('SEGMENT_REQUEST range of 0 bytes');
        w.u32(f.range.offset);
        w.u32(f.range.length);
      }
    },
    read(r) {
      const reqId = r.u32('SEGMENT_REQUEST');
      const rendition = r.u8('SEGMENT_REQUEST');
      const kindId = r.u8('SEGMENT_REQUEST');
      const kind = KINDS[kindId];
      if (kind === undefined) throw ShoalError.malformed(`segment kind ${kindId}`);
      const seq = r.u32('SEGMENT_REQUEST');
      const deadlineMs = r.u32('SEGMENT_REQUEST');
      const priority = r.u8('SEGMENT_REQUEST');
      const f = { type: 'SEGMENT_REQUEST' as const, reqId, rendition, kind, seq, deadlineMs, priority };
      // §5.7, §12: fewer than the 8 bytes of a range after the defined fields are ignored.
      if (r.remaining < SEGMENT_REQUEST_RANGE_LENGTH - SEGMENT_REQUEST_LENGTH) return f;
      const offset = r.u32('SEGMENT_REQUEST range');
      const length = r.u32('SEGMENT_REQUEST range');
      if (length === 0) throw ShoalError.malformed('SEGMENT_REQUEST range of 0 bytes');
      return { ...f, range: { offset, length } };
    },
  },
  // §5.8 SEGMENT_DATA: reqId u32, offset u32, totalSize u32, data (the rest of the body).
  SEGMENT_DATA: {
    length: (f) => SEGMENT_DATA_FIXED_LENGTH + f.data.length,
    write(w, f) {
      w.u32(f.reqId);
      w.u32(f.offset);
      w.u32(f.totalSize);
      w.bytes(f.data);
    },
    read(r) {
      const reqId = r.u32('SEGMENT_DATA');
      const offset = r.u32('SEGMENT_DATA');
      const totalSize = r.u32('SEGMENT_DATA');
      const data = r.rest();
      if (offset + data.length > totalSize) throw ShoalError.malformed('SEGMENT_DATA past totalSize');
      return { type: 'SEGMENT_DATA', reqId, offset, totalSize, data };
    },
  },
  // §5.9 SEGMENT_NOT_AVAILABLE: reqId u32, reason u8.
  SEGMENT_NOT_AVAILABLE: {
    length: () => 5,
    write(w, f) {
      w.u32(f.reqId);
      w.u8(f.reason);
    },
    read: (r) => ({
      type: 'SEGMENT_NOT_AVAILABLE',
      reqId: r.u32('SEGMENT_NOT_AVAILABLE'),
      reason: r.u8('SEGMENT_NOT_AVAILABLE'),
    }),
  },
  // §5.10 CANCEL: reqId u32.
  CANCEL: {
    length: () => 4,
    write: (w, f) => w.u32(f.reqId),
    read: (r) => ({ type: 'CANCEL', reqId: r.u32('CANCEL') }),
  },
  // §5.11 PRIORITY: reqId u32, priority u8, deadlineMs u32.
  PRIORITY: {
    length: () => 9,
    write(w, f) {
      w.u32(f.reqId);
      w.u8(f.priority);
      w.u32(f.deadlineMs);
    },
    read: (r) => ({
      type: 'PRIORITY',
      reqId: r.u32('PRIORITY'),
      priority: r.u8('PRIORITY'),
      deadlineMs: r.u32('PRIORITY'),
    }),
  },
};
