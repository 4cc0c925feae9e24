// What neighbours tell us of the stream's entries: the signed stream info and playlist a
// joining viewer asks for, the newer entries it catches up on, HAVEs and piece maps. Each
// entry is checked once (PROTOCOL §6.1, §6.4); a sender of a forged one is banned.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { EntryFlag } from '../protocol/constants.js';
import { verifyPieceMap } from '../protocol/piece-map.js';
import type { PieceMap, SegmentEntry, StreamInfo } from '../protocol/types.js';
import type { EntryBook } from './entry-book.js';
import type { PeerLink } from './peer-link.js';
import type { PieceLedger } from './piece-ledger.js';

/** The swarm's settings the intake reads (see SwarmOptions). */
export interface IntakeConfig {
  streamId: Uint8Array;
  pieces?: boolean;
  now: () => number;
}

/** What the intake tells the swarm around it. */
export interface IntakeHooks {
  /** Whether the link is still one of our neighbours (and the swarm still runs). */
  linked(link: PeerLink): boolean;
  /** A new stream info that verifies. */
  info(info: StreamInfo): void;
  /** We heard of a media segment (see SegmentWants.noteHeard). */
  heard(rendition: number, seq: number, pushed: boolean): void;
  /** A new entry arrived: worth planning again soon. */
  news(): void;
  /** A piece map we did not have verified (it came from `link`). */
  mapVerified(link: PeerLink, map: PieceMap): void;
  /** A bug in a continuation or timer of ours: reported, never thrown to the process. */
  fault(err: unknown): void;
  ban(link: PeerLink, reason: ShoalError): void;
}

export class EntryIntake {
  private catchingUp = false;
  /** Last time a new entry was heard of; a viewer that hears nothing for long is cut off. */
  private lastNews = 0;

  constructor(
    private readonly config: IntakeConfig,
    private readonly book: EntryBook,
    private readonly pieces: PieceLedger,
    private readonly hooks: IntakeHooks,
  ) {}

  get lastNewsAt(): number {
    return this.lastNews;
  }

  /** Viewer: the stream info and the entries a new neighbour holds, until one answers. */
  fetchPlaylist(link: PeerLink): void {
    link.session
      .requestPlaylist(0, 0, 5000)
      .then(
        ({ info, entries }) => {
          if (this.book.addInfo(info) === 'invalid') {
            this.hooks.ban(
              link,
              new ShoalError(ErrorCode.BAD_SIGNATURE, 'stream info signature does not verify'),
            );
            return;
          }
          this.hooks.info(info);
          // A PLAYLIST answer lists only what the answering node holds.
          for (const entry of entries) this.acceptEntry(link, entry, 'listed');
          for (const rendition of info.renditions.map((r) => r.id)) {
            if (rendition === 0) continue;
            link.session
              .requestPlaylist(rendition, 0, 5000)
              .then(
                (more) => more.entries.forEach((e) => this.acceptEntry(link, e, 'listed')),
                () => undefined,
              )
              .catch(this.hooks.fault);
          }
        },
        () => {
          // Someone else may answer; retry on the next link or tick.
          setTimeout(() => {
            try {
              if (!this.book.info && this.hooks.linked(link)) this.fetchPlaylist(link);
            } catch (err) {
              this.hooks.fault(err);
            }
          }, 500).unref?.();
        },
      )
      .catch(this.hooks.fault);
  }

  /** Fetches the entries a neighbour holds from `fromSeq` on (one request at a time). */
  catchUp(link: PeerLink, rendition: number, fromSeq: number): void {
    if (this.catchingUp) return;
    this.catchingUp = true;
    link.session
      .requestPlaylist(rendition, fromSeq, 2000)
      .then(
        ({ entries }) => {
          this.catchingUp = false;
          for (const entry of entries) if (!this.acceptEntry(link, entry, 'listed')) return;
        },
        () => {
          this.catchingUp = false;
        },
      )
      .catch(this.hooks.fault);
  }

  /** Returns false (and bans the sender) when the entry's signature is forged. */
  acceptEntry(link: PeerLink, entry: SegmentEntry, how: 'have' | 'listed' | 'map'): boolean {
    const verdict = this.book.add(entry);
    if (verdict === 'invalid') {
      this.hooks.ban(
        link,
        new ShoalError(ErrorCode.BAD_SIGNATURE, `entry ${entry.seq} signature does not verify`),
      );
      return false;
    }
    const isInit = (entry.flags & EntryFlag.INIT) !== 0;
    if (isInit) link.markInit(entry.rendition, entry.seq);
    else {
      // A PIECE_MAP carries the entry without claiming the segment (PROTOCOL §5.15).
      if (how !== 'map') link.markHave(entry.rendition, entry.seq);
      // A piece map from the broadcaster names no holder: its PIECE_HAVE offers do (see wanted).
      this.hooks.heard(entry.rendition, entry.seq, how === 'have' && link.isBroadcaster);
    }
    if (verdict === 'new') {
      this.lastNews = this.config.now();
      link.lastUsefulAt = this.lastNews;
      this.hooks.news();
    }
    return true;
  }

  /** PROTOCOL §6.4: a piece map is used only once both its signatures verify. */
  pieceMap(link: PeerLink, map: PieceMap): void {
    link.noteMapKnown(map.entry.rendition, map.entry.seq);
    if (!(this.config.pieces ?? true) || this.pieces.map(map.entry.rendition, map.entry.seq)) return;
    if (!verifyPieceMap(this.config.streamId, map)) {
      this.hooks.ban(
        link,
        new ShoalError(ErrorCode.BAD_SIGNATURE, `piece map of segment ${map.entry.seq} does not verify`),
      );
      return;
    }
    if (map.entry.flags & EntryFlag.INIT) return;
    this.pieces.addMap(map);
    if (this.acceptEntry(link, map.entry, 'map')) this.hooks.mapVerified(link, map);
  }
}
