// Playlist frames: PLAYLIST_REQUEST, STREAM_INFO, PLAYLIST (PROTOCOL §5.4–§5.6).

import { MAX_PLAYLIST_ENTRIES_PER_FRAME, SEGMENT_ENTRY_LENGTH } from '../constants.js';
import {
  readSegmentEntry,
  readStreamInfo,
  streamInfoLength,
  writeSegmentEntry,
  writeStreamInfo,
} from '../records.js';
import type { SegmentEntry } from '../types.js';
import { ShoalError } from '../../../src-shared/errors.js';
import type { FrameBodyCodecs } from './frame-body.js';

export const playlistFrames: FrameBodyCodecs<'PLAYLIST_REQUEST' | 'STREAM_INFO' | 'PLAYLIST'> = {
  // §5.4 PLAYLIST_REQUEST: reqId u32, rendition u8, fromSeq u32.
  PLAYLIST_REQUEST: {
    length: () => 9,
    write(w, f) {
      w.u32(f.reqId);
      w.u8(f.rendition);
      w.u32(f.fromSeq);
    },
    read: (r) => ({
      type: 'PLAYLIST_REQUEST',
      reqId: r.u32('PLAYLIST_REQUEST'),
      rendition: r.u8('PLAYLIST_REQUEST'),
      fromSeq: r.u32('PLAYLIST_REQUEST'),
    }),
  },
  // §5.5 STREAM_INFO: reqId u32, StreamInfo record (§6.2).
  STREAM_INFO: {
    length: (f) => 4 + streamInfoLength(f.info),
    write(w, f) {
      w.u32(f.reqId);
      writeStreamInfo(w, f.info);
    },
    read: (r) => ({ type: 'STREAM_INFO', reqId: r.u32('STREAM_INFO'), info: readStreamInfo(r) }),
  },
  // §5.6 PLAYLIST: reqId u32, part u8, parts u8, entryCount u8, entries (122 bytes each).
  PLAYLIST: {
    length: (f) => 7 + SEGMENT_ENTRY_LENGTH * f.entries.length,
    write(w, f) {
      if (f.entries.length > MAX_PLAYLIST_ENTRIES_PER_FRAME) {
        throw ShoalError.internal(`${f.entries.length} entries in one PLAYLIST frame`);
      }
      w.u32(f.reqId);
      w.u8(f.part);
      w.u8(f.parts);
      w.u8(f.entries.length);
      for (const e of f.entries) writeSegmentEntry(w, e);
    },
    read(r) {
      const reqId = r.u32('PLAYLIST');
      const part = r.u8('PLAYLIST');
      const parts = r.u8('PLAYLIST');
      const count = r.u8('PLAYLIST');
      if (part >= parts) throw ShoalError.malformed(`PLAYLIST part ${part} of ${parts}`);
      if (count > MAX_PLAYLIST_ENTRIES_PER_FRAME) throw ShoalError.malformed(`${count} PLAYLIST entries`);
      const entries: SegmentEntry[] = [];
      for (let i = 0; i < count; i++) entries.push(readSegmentEntry(r));
      return { type: 'PLAYLIST', reqId, part, parts, entries };
    },
  },
};
