// What a viewer still needs, and by when: every segment of the live window from the join
// point on that it does not hold (or each missing piece of it, PROTOCOL §7.3), with its
// playback deadline and when it was first heard of, for the scheduler to plan.

import { pieceRange } from '../protocol/piece-map.js';
import type { EntryBook } from './entry-book.js';
import type { LivePosition } from './live-position.js';
import type { PeerLink } from './peer-link.js';
import type { PieceLedger } from './piece-ledger.js';
import type { SegmentVault } from './ports.js';
import type { WantedSegment } from './segment-scheduler.js';

/** The swarm's settings the wants read (see SwarmOptions). */
export interface WantsConfig {
  vault: SegmentVault;
  pieces?: boolean;
  now: () => number;
}

export class SegmentWants {
  /** When we first heard of each media segment, and whether the broadcaster told us first. */
  private readonly heard = new Map<string, { at: number; pushed: boolean }>();

  constructor(
    private readonly config: WantsConfig,
    private readonly book: EntryBook,
    private readonly pieces: PieceLedger,
    private readonly position: LivePosition,
    private readonly links: () => PeerLink[],
  ) {}

  /** We heard of a media segment now (`pushed`: the broadcaster told us it holds it). */
  noteHeard(rendition: number, seq: number, pushed: boolean): void {
    const key = `${rendition}:${seq}`;
    if (this.heard.has(key)) return;
    this.heard.set(key, { at: this.config.now(), pushed });
    if (this.heard.size > 1024) this.heard.delete(this.heard.keys().next().value!);
  }

  /** When we first heard of a media segment (local ms), if we remember it. */
  heardAt(rendition: number, seq: number): number | undefined {
    return this.heard.get(`${rendition}:${seq}`)?.at;
  }

  /**
   * Every segment (or piece, PROTOCOL §7.3) we still need, with its deadline and when we
   * heard of it; advances the modelled player as a side effect (see LivePosition.trackStall).
   */
  wanted(now: number, running: (key: string) => boolean): WantedSegment[] {
    const out: WantedSegment[] = [];
    const broadcaster = this.links().find((l) => l.isBroadcaster);
    for (const rendition of this.book.renditions()) {
      const start = this.position.ensureStart(rendition);
      if (start === undefined) continue;
      this.position.trackStall(rendition, start, now);
      // Played (or held) already: the store may have evicted it since, it is not wanted again.
      const head = this.position.contiguousHead(rendition);
      for (const entry of this.book.window(rendition)) {
        if (entry.seq < start || entry.seq <= head || this.config.vault.has(rendition, 'media', entry.seq))
          continue;
        const deadlineAt = this.position.fetchBy(rendition, entry.seq, start);
        const heard = this.heard.get(`${rendition}:${entry.seq}`);
        const announcedAt = heard?.pushed ? -Infinity : (heard?.at ?? now);
        const wholeRunning = running(`${rendition}:${entry.seq}`);
        const map =
          (this.config.pieces ?? true) && !wholeRunning ? this.pieces.map(rendition, entry.seq) : undefined;
        if (map) {
          // PROTOCOL §7.3: each missing piece is wanted on its own, from whoever holds it.
          const assembly = this.pieces.assembly(rendition, entry.seq);
          for (let piece = 0; piece < map.hashes.length; piece++) {
            if (assembly?.has(piece)) continue;
            const size = pieceRange(map, piece).length;
            // A piece the broadcaster offered us is ours to fetch from it at once (see offerPieces).
            const offered = broadcaster?.offersPiece(rendition, entry.seq, piece) === true;
            out.push({
              rendition,
              seq: entry.seq,
              piece,
              size,
              deadlineAt,
              announcedAt: offered ? -Infinity : announcedAt,
            });
          }
        } else out.push({ rendition, seq: entry.seq, size: entry.size, deadlineAt, announcedAt });
        if (entry.initSeq !== null && !this.config.vault.has(rendition, 'init', entry.initSeq)) {
          const init = this.book.get(rendition, 'init', entry.initSeq);
          if (init && !out.some((w) => w.rendition === rendition && w.seq === -1 - init.seq)) {
            // Init segments ride in the same plan under a negative key; they are urgent.
            out.push({
              rendition,
              seq: -1 - init.seq,
              size: init.size,
              deadlineAt: now,
              announcedAt: -Infinity,
            });
          }
        }
      }
    }
    return out;
  }
}
