// What arrives for the requests we made: a whole segment must match its signed entry, a
// piece its signed piece map (PROTOCOL §6.3, §7.3), or its sender is banned. Verified
// pieces are kept until the segment is whole; each segment's bytes are credited to the
// neighbours that sent them.

import { ErrorCode, ShoalError } from '../../../src-shared/errors.js';
import { segmentMatchesEntry } from '../../protocol/signing.js';
import type { PieceMap, SegmentEntry, SegmentKind } from '../../protocol/types.js';
import { dropOldestOver } from '../bounded.js';
import { segmentKey } from '../keys.js';
import type { PeerLink } from '../peer-link.js';
import type { PieceAssembly, PieceLedger } from '../piece-ledger.js';
import type { SegmentVault } from '../ports.js';

/** A request that delivered: whom it was asked of, what it asked for, and when. */
export interface Delivery {
  link: PeerLink;
  kind: SegmentKind;
  startedAt: number;
}

/** A segment that arrived whole and verified (the swarm's `segment` event). */
export interface SegmentArrivalEvent {
  rendition: number;
  kind: SegmentKind;
  seq: number;
  bytes: number;
  /** The neighbour that sent the most of it (a segment fetched in pieces has several). */
  from: PeerLink | null;
  /** Bytes of it that came from the broadcaster. */
  fromBroadcasterBytes: number;
  fetchMs: number;
}

/** What arrivals tell the swarm around them. */
export interface ArrivalHooks {
  /** A segment arrived whole and verified: store it and tell the neighbours. */
  verified(entry: SegmentEntry, data: Uint8Array, arrival: SegmentArrivalEvent): void;
  /** A piece of a segment still under way arrived and verified. */
  pieceVerified(from: PeerLink, assembly: PieceAssembly, piece: number, bytes: number): void;
  /** Bytes that failed their signed hash. */
  failed(failure: { rendition: number; seq: number; reason: ShoalError; from: PeerLink }): void;
  ban(link: PeerLink, reason: ShoalError): void;
  /** A bug in a continuation or timer of ours: reported, never thrown to the process. */
  fault(err: unknown): void;
}

export class SegmentArrivals {
  /** Per segment being assembled: bytes per neighbour, and when its first request started. */
  private readonly sourcesOf = new Map<string, { bytes: Map<PeerLink, number>; startedAt: number }>();

  constructor(
    private readonly config: { vault: SegmentVault; now: () => number },
    private readonly pieces: PieceLedger,
    private readonly hooks: ArrivalHooks,
  ) {}

  /** A piece of a segment was asked for now: the segment's fetch time counts from its first. */
  pieceRequested(rendition: number, seq: number, now: number): void {
    const segKey = segmentKey(rendition, seq);
    if (!this.sourcesOf.has(segKey)) this.sourcesOf.set(segKey, { bytes: new Map(), startedAt: now });
  }

  /** A whole segment arrived (`current`: its request was still the one under way). */
  segment(r: Delivery, entry: SegmentEntry, data: Buffer, current: boolean): void {
    if (!segmentMatchesEntry(entry, data)) {
      this.rejectFrom(
        r.link,
        entry,
        `segment ${entry.seq} from ${r.link.nodeId} does not match its signed hash`,
      );
      return;
    }
    if (!current && this.config.vault.has(entry.rendition, r.kind, entry.seq)) return;
    const now = this.config.now();
    r.link.recordDownload(data.length, now - Math.max(r.startedAt, r.link.lastDoneAt));
    this.verified(entry, r.kind, data, r.link, r.link.isBroadcaster ? data.length : 0, now - r.startedAt);
  }

  /** PROTOCOL §7.3: a piece arrived; it is checked against the map, kept, and announced. */
  piece(r: Delivery, map: PieceMap, piece: number, data: Buffer): void {
    const { entry } = map;
    if (this.config.vault.has(entry.rendition, 'media', entry.seq)) return;
    const assembly = this.pieces.open(entry.rendition, entry.seq);
    if (!assembly) return;
    const verdict = assembly.accept(piece, data);
    if (verdict === 'mismatch') {
      this.rejectFrom(
        r.link,
        entry,
        `piece ${piece} of segment ${entry.seq} from ${r.link.nodeId} does not match its signed hash`,
      );
      return;
    }
    if (verdict === 'duplicate') return;
    const now = this.config.now();
    r.link.recordDownload(data.length, now - Math.max(r.startedAt, r.link.lastDoneAt));
    const segKey = segmentKey(entry.rendition, entry.seq);
    const sources = this.sourcesOf.get(segKey) ?? {
      bytes: new Map<PeerLink, number>(),
      startedAt: r.startedAt,
    };
    sources.bytes.set(r.link, (sources.bytes.get(r.link) ?? 0) + data.length);
    this.sourcesOf.set(segKey, sources);
    const whole = assembly.data();
    if (!whole) {
      this.hooks.pieceVerified(r.link, assembly, piece, data.length);
      return;
    }
    this.pieces.close(entry.rendition, entry.seq);
    this.sourcesOf.delete(segKey);
    dropOldestOver(this.sourcesOf, 64);
    // PROTOCOL §6.3 step 2: the pieces matched the map; the whole must still match the entry.
    if (!segmentMatchesEntry(entry, whole)) {
      this.hooks.failed({
        rendition: entry.rendition,
        seq: entry.seq,
        reason: new ShoalError(
          ErrorCode.HASH_MISMATCH,
          `segment ${entry.seq}: its piece map does not match its entry`,
        ),
        from: r.link,
      });
      return;
    }
    let from = r.link;
    let fromBroadcaster = 0;
    for (const [link, bytes] of sources.bytes) {
      if (link.isBroadcaster) fromBroadcaster += bytes;
      if (bytes > (sources.bytes.get(from) ?? 0)) from = link;
    }
    this.verified(entry, 'media', whole, from, fromBroadcaster, now - sources.startedAt);
  }

  private verified(
    entry: SegmentEntry,
    kind: SegmentKind,
    data: Uint8Array,
    from: PeerLink,
    fromBroadcasterBytes: number,
    fetchMs: number,
  ): void {
    this.hooks.verified(entry, data, {
      rendition: entry.rendition,
      kind,
      seq: entry.seq,
      bytes: data.length,
      from,
      fromBroadcasterBytes,
      fetchMs,
    });
  }

  /** PROTOCOL §6.3: bytes that fail their signed hash are dropped and their sender banned. */
  private rejectFrom(link: PeerLink, entry: SegmentEntry, message: string): void {
    const reason = new ShoalError(ErrorCode.HASH_MISMATCH, message);
    this.hooks.failed({ rendition: entry.rendition, seq: entry.seq, reason, from: link });
    this.hooks.ban(link, reason);
  }
}
