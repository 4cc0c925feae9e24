// The signed playlist entries a node knows for one stream, checked once on arrival
// (PROTOCOL §6.1): an entry whose signature does not verify is rejected, and its sender
// is the caller's to punish. Entries are kept for a bounded window per rendition.

import { verifyEntry, verifyStreamInfo } from '../protocol/signing.js';
import type { SegmentEntry, StreamInfo } from '../protocol/types.js';

export type EntryVerdict = 'new' | 'known' | 'invalid' | 'stale';

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => Buffer.compare(a, b) === 0;

export class EntryBook {
  private readonly media = new Map<number, Map<number, SegmentEntry>>();
  private readonly init = new Map<number, Map<number, SegmentEntry>>();
  private readonly edges = new Map<number, number>();
  private streamInfo: StreamInfo | null = null;

  constructor(
    readonly streamId: Uint8Array,
    private readonly keepPerRendition = 64,
  ) {}

  get info(): StreamInfo | null {
    return this.streamInfo;
  }

  /** The stream's segment duration in ms (its target duration), or 2 s before it is known. */
  segmentDurationMs(): number {
    return this.streamInfo?.targetDurationMs ?? 2000;
  }

  /** The stream's bit rate in bytes/s (rendition 0), or a generous guess before it is known. */
  streamBytesPerSec(): number {
    const bandwidth = this.streamInfo?.renditions[0]?.bandwidth ?? 0;
    return bandwidth > 0 ? bandwidth / 8 : 2_000_000;
  }

  /** Accepts a stream info if its signature verifies and it is not older than the one held. */
  addInfo(info: StreamInfo): 'new' | 'known' | 'invalid' {
    if (!verifyStreamInfo(this.streamId, info)) return 'invalid';
    if (this.streamInfo && sameBytes(this.streamInfo.signature, info.signature)) return 'known';
    if (this.streamInfo && info.createdAtMs < this.streamInfo.createdAtMs) return 'known';
    this.streamInfo = info;
    return 'new';
  }

  /** Adds an entry already signed by us (the broadcaster); no verification needed. */
  addOwn(entry: SegmentEntry): void {
    this.insert(entry);
  }

  add(entry: SegmentEntry): EntryVerdict {
    const isInit = (entry.flags & 0x01) !== 0;
    const held = this.table(isInit, entry.rendition).get(entry.seq);
    if (held && sameBytes(held.signature, entry.signature)) return 'known';
    if (!isInit && this.isStale(entry)) return 'stale';
    if (!verifyEntry(this.streamId, entry)) return 'invalid';
    // A validly signed entry that differs from the one held means the broadcaster restarted
    // its numbering; the newer signature wins.
    this.insert(entry);
    return 'new';
  }

  get(rendition: number, kind: 'media' | 'init', seq: number): SegmentEntry | undefined {
    return this.table(kind === 'init', rendition).get(seq);
  }

  /** Highest media seq known for the rendition, or -1. */
  liveEdge(rendition: number): number {
    return this.edges.get(rendition) ?? -1;
  }

  /** Known media entries of a rendition in seq order. */
  window(rendition: number): SegmentEntry[] {
    return [...(this.media.get(rendition)?.values() ?? [])].sort((a, b) => a.seq - b.seq);
  }

  renditions(): number[] {
    return [...this.media.keys()].sort((a, b) => a - b);
  }

  private isStale(entry: SegmentEntry): boolean {
    const edge = this.liveEdge(entry.rendition);
    return edge >= 0 && entry.seq <= edge - this.keepPerRendition;
  }

  private table(isInit: boolean, rendition: number): Map<number, SegmentEntry> {
    const tables = isInit ? this.init : this.media;
    let t = tables.get(rendition);
    if (!t) {
      t = new Map();
      tables.set(rendition, t);
    }
    return t;
  }

  private insert(entry: SegmentEntry): void {
    const isInit = (entry.flags & 0x01) !== 0;
    const t = this.table(isInit, entry.rendition);
    t.set(entry.seq, entry);
    if (isInit) return;
    const edge = Math.max(this.liveEdge(entry.rendition), entry.seq);
    this.edges.set(entry.rendition, edge);
    for (const seq of t.keys()) if (seq <= edge - this.keepPerRendition) t.delete(seq);
  }
}
