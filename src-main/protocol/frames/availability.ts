// Availability frames: HAVE, AVAILABILITY, CHOKE, UNCHOKE (PROTOCOL §5.12, §5.13).

import { SEGMENT_ENTRY_LENGTH } from '../constants.js';
import { readSegmentEntry, writeSegmentEntry } from '../records.js';
import type { FrameBodyCodecs } from './frame-body.js';

export const availabilityFrames: FrameBodyCodecs<'HAVE' | 'AVAILABILITY' | 'CHOKE' | 'UNCHOKE'> = {
  // §5.12 HAVE: one SegmentEntry (§6.1).
  HAVE: {
    length: () => SEGMENT_ENTRY_LENGTH,
    write: (w, f) => writeSegmentEntry(w, f.entry),
    read: (r) => ({ type: 'HAVE', entry: readSegmentEntry(r) }),
  },
  // §5.12 AVAILABILITY: rendition u8, baseSeq u32, count u16, bitmap ceil(count/8) bytes.
  AVAILABILITY: {
    length: (f) => 7 + ((f.count + 7) >>> 3),
    write(w, f) {
      const n = (f.count + 7) >>> 3;
      w.u8(f.rendition);
      w.u32(f.baseSeq);
      w.u16(f.count);
      w.fixed(f.bitmap, n, 'AVAILABILITY bitmap');
    },
    read(r) {
      const rendition = r.u8('AVAILABILITY');
      const baseSeq = r.u32('AVAILABILITY');
      const count = r.u16('AVAILABILITY');
      const bitmap = r.bytes((count + 7) >>> 3, 'AVAILABILITY bitmap');
      return { type: 'AVAILABILITY', rendition, baseSeq, count, bitmap };
    },
  },
  // §5.13 CHOKE / UNCHOKE: empty bodies.
  CHOKE: { length: () => 0, write: () => {}, read: () => ({ type: 'CHOKE' }) },
  UNCHOKE: { length: () => 0, write: () => {}, read: () => ({ type: 'UNCHOKE' }) },
};
