// The segments this node holds, as a bounded live window per rendition: each signed
// SegmentEntry with its bytes. The store is the last line of defence for integrity: it
// never accepts bytes whose length or SHA-256 differ from the entry (checking the entry's
// signature is the caller's job). Eviction is oldest-first by seq; an init segment stays
// while a held media segment needs it, and the newest init stays for the media to come.

import { createHash } from 'node:crypto';
import { EntryFlag } from '../protocol/constants.js';
import type { SegmentEntry, SegmentKind } from '../protocol/types.js';
import { ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';

export interface StoredSegment {
  entry: SegmentEntry;
  /** Kept as given, not copied: callers hand over the buffer and must not change it. */
  data: Uint8Array;
}

export interface SegmentStoreOptions {
  /** Most media segments held per rendition. */
  maxSegments?: number;
  /** Most bytes (media + init) held per rendition; the newest media segment is always kept. */
  maxBytes?: number;
}

export interface SegmentEvent {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  entry: SegmentEntry;
}

export type SegmentStoreEvents = {
  added: SegmentEvent & { data: Uint8Array };
  evicted: SegmentEvent;
};

/** What a put did: `replaced` means a different entry for the same seq (the source restarted). */
export type PutResult = 'added' | 'duplicate' | 'replaced' | 'stale';

export interface SegmentStoreStats {
  bytes: number;
  mediaSegments: number;
  initSegments: number;
  hits: number;
  misses: number;
  evictions: number;
  /** Puts refused because the bytes did not match the entry. */
  rejected: number;
}

/** Body of an AVAILABILITY frame (PROTOCOL §5): bit 7 of byte 0 stands for baseSeq. */
export interface Availability {
  rendition: number;
  baseSeq: number;
  count: number;
  bitmap: Uint8Array;
}

export const DEFAULT_MAX_SEGMENTS = 30;
export const DEFAULT_MAX_BYTES = 256 * 1024 * 1024;
const MAX_AVAILABILITY_COUNT = 0xffff;

class RenditionWindow {
  readonly media = new Map<number, StoredSegment>();
  /** Media seqs held, ascending. */
  readonly seqs: number[] = [];
  readonly inits = new Map<number, StoredSegment>();
  bytes = 0;
  /** Media entries flagged DISCONTINUITY that were evicted (for EXT-X-DISCONTINUITY-SEQUENCE). */
  discontinuitiesEvicted = 0;
}

export class SegmentStore extends TypedEmitter<SegmentStoreEvents> {
  readonly maxSegments: number;
  readonly maxBytes: number;
  private readonly windows = new Map<number, RenditionWindow>();
  private hits = 0;
  private misses = 0;
  private evictions = 0;
  private rejected = 0;

  constructor(options: SegmentStoreOptions = {}, onListenerError?: (err: unknown, event: string) => void) {
    super(onListenerError);
    this.maxSegments = Math.max(1, Math.floor(options.maxSegments ?? DEFAULT_MAX_SEGMENTS));
    this.maxBytes = Math.max(1, Math.floor(options.maxBytes ?? DEFAULT_MAX_BYTES));
  }

  /** Stores a segment. Throws HASH_MISMATCH when `data` does not match the entry's size or SHA-256. */
  put(entry: SegmentEntry, data: Uint8Array): PutResult {
    const kind = kindOf(entry);
    const what = `segment ${entry.rendition}/${kind}/${entry.seq}`;
    if (data.length !== entry.size || !sha256Equals(data, entry.sha256)) {
      this.rejected++;
      throw ShoalError.hashMismatch(what);
    }
    const win = this.windowOf(entry.rendition);
    const table = kind === 'init' ? win.inits : win.media;
    const held = table.get(entry.seq);
    if (held && Buffer.compare(held.entry.sha256, entry.sha256) === 0) return 'duplicate';

    if (
      !held &&
      kind === 'media' &&
      win.seqs.length >= this.maxSegments &&
      entry.seq < (win.seqs[0] as number)
    ) {
      return 'stale';
    }
    if (!held && kind === 'init' && this.initIsSuperseded(win, entry.seq)) return 'stale';

    if (held) this.drop(win, kind, entry.seq, false);
    table.set(entry.seq, { entry, data });
    win.bytes += data.length;
    if (kind === 'media') insertSorted(win.seqs, entry.seq);
    this.emit('added', { rendition: entry.rendition, kind, seq: entry.seq, entry, data });
    this.enforceLimits(win);
    return held ? 'replaced' : 'added';
  }

  get(rendition: number, kind: SegmentKind, seq: number): StoredSegment | undefined {
    const found = this.tableOf(rendition, kind)?.get(seq);
    if (found) this.hits++;
    else this.misses++;
    return found;
  }

  has(rendition: number, kind: SegmentKind, seq: number): boolean {
    return this.tableOf(rendition, kind)?.has(seq) ?? false;
  }

  /** Held media entries of a rendition, ascending by seq. */
  window(rendition: number): SegmentEntry[] {
    const win = this.windows.get(rendition);
    if (!win) return [];
    return win.seqs.map((seq) => (win.media.get(seq) as StoredSegment).entry);
  }

  /** Held init entries of a rendition, ascending by seq. */
  initEntries(rendition: number): SegmentEntry[] {
    const win = this.windows.get(rendition);
    if (!win) return [];
    return [...win.inits.values()].map((s) => s.entry).sort((a, b) => a.seq - b.seq);
  }

  /** Media seqs held for a rendition, ascending (the swarm's SegmentVault view). */
  heldSeqs(rendition: number): number[] {
    return [...(this.windows.get(rendition)?.seqs ?? [])];
  }

  /** Highest media seq held for the rendition, or -1 when none. */
  liveEdge(rendition: number): number {
    const seqs = this.windows.get(rendition)?.seqs;
    return seqs && seqs.length > 0 ? (seqs[seqs.length - 1] as number) : -1;
  }

  /** How many evicted media entries of the rendition started a discontinuity. */
  discontinuitiesEvicted(rendition: number): number {
    return this.windows.get(rendition)?.discontinuitiesEvicted ?? 0;
  }

  /** Renditions with anything held, ascending. */
  renditions(): number[] {
    return [...this.windows.keys()].filter((r) => this.windows.get(r)!.bytes > 0).sort((a, b) => a - b);
  }

  availability(rendition: number): Availability {
    const seqs = this.windows.get(rendition)?.seqs ?? [];
    if (seqs.length === 0) return { rendition, baseSeq: 0, count: 0, bitmap: new Uint8Array(0) };
    const last = seqs[seqs.length - 1] as number;
    // A window wider than the field can say is reported from its newest end.
    const baseSeq = Math.max(seqs[0] as number, last - MAX_AVAILABILITY_COUNT + 1);
    const count = last - baseSeq + 1;
    const bitmap = new Uint8Array(Math.ceil(count / 8));
    for (const seq of seqs) {
      if (seq < baseSeq) continue;
      const bit = seq - baseSeq;
      bitmap[bit >> 3]! |= 0x80 >> (bit & 7);
    }
    return { rendition, baseSeq, count, bitmap };
  }

  stats(): SegmentStoreStats {
    let bytes = 0;
    let mediaSegments = 0;
    let initSegments = 0;
    for (const win of this.windows.values()) {
      bytes += win.bytes;
      mediaSegments += win.media.size;
      initSegments += win.inits.size;
    }
    return {
      bytes,
      mediaSegments,
      initSegments,
      hits: this.hits,
      misses: this.misses,
      evictions: this.evictions,
      rejected: this.rejected,
    };
  }

  /** Forgets a rendition (or everything), e.g. when a source restarted its numbering. Emits no events. */
  clear(rendition?: number): void {
    if (rendition === undefined) this.windows.clear();
    else this.windows.delete(rendition);
  }

  private enforceLimits(win: RenditionWindow): void {
    let evictedMedia = false;
    while (win.seqs.length > this.maxSegments || (win.bytes > this.maxBytes && win.seqs.length > 1)) {
      this.drop(win, 'media', win.seqs[0] as number, true);
      evictedMedia = true;
    }
    if (evictedMedia) this.pruneInits(win);
  }

  /** Drops inits no held media segment needs, except the newest (the next media will). */
  private pruneInits(win: RenditionWindow): void {
    for (const seq of [...win.inits.keys()]) {
      if (this.initIsSuperseded(win, seq)) this.drop(win, 'init', seq, true);
    }
  }

  private initIsSuperseded(win: RenditionWindow, seq: number): boolean {
    for (const s of win.media.values()) if (s.entry.initSeq === seq) return false;
    for (const other of win.inits.keys()) if (other > seq) return true;
    return false;
  }

  private drop(win: RenditionWindow, kind: SegmentKind, seq: number, isEviction: boolean): void {
    const table = kind === 'init' ? win.inits : win.media;
    const held = table.get(seq);
    if (!held) return;
    table.delete(seq);
    win.bytes -= held.data.length;
    if (kind === 'media') win.seqs.splice(win.seqs.indexOf(seq), 1);
    if (!isEviction) return;
    if (kind === 'media' && (held.entry.flags & EntryFlag.DISCONTINUITY) !== 0) win.discontinuitiesEvicted++;
    this.evictions++;
    this.emit('evicted', { rendition: held.entry.rendition, kind, seq, entry: held.entry });
  }

  private windowOf(rendition: number): RenditionWindow {
    let win = this.windows.get(rendition);
    if (!win) {
      win = new RenditionWindow();
      this.windows.set(rendition, win);
    }
    return win;
  }

  private tableOf(rendition: number, kind: SegmentKind): Map<number, StoredSegment> | undefined {
    const win = this.windows.get(rendition);
    return kind === 'init' ? win?.inits : win?.media;
  }
}

export function kindOf(entry: SegmentEntry): SegmentKind {
  return (entry.flags & EntryFlag.INIT) !== 0 ? 'init' : 'media';
}

function sha256Equals(data: Uint8Array, expected: Uint8Array): boolean {
  return createHash('sha256').update(data).digest().equals(expected);
}

function insertSorted(list: number[], value: number): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, value);
}
