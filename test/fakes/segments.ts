// Segment entries with real SHA-256 hashes for store/gateway/recorder tests. Signatures
// are zero: the store never checks them (the swarm does, with protocol/signing.ts).

import { createHash } from 'node:crypto';
import { EntryFlag } from '../../src-main/protocol/constants.js';
import type { SegmentEntry, SegmentKind } from '../../src-main/protocol/types.js';
import { unsignedEntryOf, type IngestedSegment } from '../../src-main/hls/ingest/folder-ingest.js';

export interface FakeSegmentOptions {
  rendition?: number;
  kind?: SegmentKind;
  seq: number;
  initSeq?: number | null;
  durationUs?: number;
  /** Bytes of the segment; default: `size` bytes derived from the seq. */
  data?: Uint8Array;
  size?: number;
  discontinuity?: boolean;
  programDateTimeMs?: number;
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export function fakeSegment(options: FakeSegmentOptions): { entry: SegmentEntry; data: Buffer } {
  const kind = options.kind ?? 'media';
  const data = Buffer.from(options.data ?? Buffer.alloc(options.size ?? 1000, options.seq & 0xff));
  let flags = 0;
  if (kind === 'init') flags |= EntryFlag.INIT;
  if (options.discontinuity) flags |= EntryFlag.DISCONTINUITY;
  const entry: SegmentEntry = {
    rendition: options.rendition ?? 0,
    flags,
    seq: options.seq,
    initSeq: kind === 'init' ? null : (options.initSeq ?? null),
    durationUs: kind === 'init' ? 0 : (options.durationUs ?? 2_000_000),
    size: data.length,
    programDateTimeMs: options.programDateTimeMs ?? 0,
    sha256: sha256(data),
    signature: new Uint8Array(64),
  };
  return { entry, data };
}

/** The entry an engine would sign for an ingested segment (zero signature). */
export function entryForIngested(s: IngestedSegment): SegmentEntry {
  return { ...unsignedEntryOf(s), signature: new Uint8Array(64) };
}
