// Which neighbours hear of the pieces we hold (PROTOCOL §7.3), beyond the broadcaster's
// first offer of a fresh segment: a viewer offers each piece it verifies to a few
// neighbours at once, tells the others what it holds in a periodic digest, and while its
// upload queue is short makes targeted offers to neighbours that lack pieces. Every offer
// is a promise to serve, so offers count in the model of our upload queue.

import { pieceRange } from '../../protocol/piece-map.js';
import type { EntryBook } from '../entry-book.js';
import type { PeerLink } from '../peer-link.js';
import type { PieceAssembly, PieceLedger } from '../piece-ledger.js';
import { announcePiece, digestPieces, offerPiece } from './piece-relay.js';
import type { SegmentVault } from '../ports.js';

/**
 * Neighbours a viewer offers each piece it receives (see announcePiece). Three keeps the
 * share of viewers that no holder offers a piece to near e^-3 (they fetch it once a holder
 * has the whole segment) while each viewer uploads about one copy of the stream on average.
 */
const PIECE_OFFER_FANOUT = 3;
/** How often neighbours hear the pieces we hold of segments under way (see digest). */
const DIGEST_MS = 300;
/** Upload queue (ms) below which a viewer makes targeted offers (see offerToLackers). */
const OFFER_QUEUE_MS = 400;
/** The newest segments targeted offers are made for. */
const OFFER_SEGMENTS = 4;

function shuffled<T>(items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The upload queue offers are made against (see ServingPolicy). */
export interface OfferBudget {
  /** How long a response of the lowest priority class taken on now would wait, ms. */
  queuedMs(): number;
  /** Offers are promises to serve: they count in the model of our upload queue at once. */
  noteOffers(count: number, pieceBytes: number): void;
}

/** The swarm's settings offers read (live: the upload cap may change). */
export interface OfferConfig {
  vault: SegmentVault;
  /** This node's upload cap (bytes/s), null or absent = none. */
  uploadBytesPerSec?: number | null;
}

export class PieceOffers {
  private lastDigestAt = 0;

  constructor(
    private readonly config: OfferConfig,
    private readonly book: EntryBook,
    private readonly pieces: PieceLedger,
    private readonly links: () => PeerLink[],
    private readonly budget: OfferBudget,
  ) {}

  /** A piece we just verified (it came from `from`) is offered on at once (see announcePiece). */
  pieceVerified(from: PeerLink, assembly: PieceAssembly, piece: number, pieceBytes: number): void {
    const offers = announcePiece(this.links(), from, assembly, piece, this.fanout());
    this.budget.noteOffers(offers, pieceBytes);
  }

  /** The periodic digest, every DIGEST_MS. */
  digestIfDue(now: number): void {
    if (now - this.lastDigestAt < DIGEST_MS) return;
    this.lastDigestAt = now;
    this.digest();
  }

  /** Pieces gained since the last digest are told to every neighbour that lacks the segment. */
  private digest(): void {
    const links = this.links();
    for (const assembly of this.pieces.underWay()) {
      if (assembly.mask === assembly.digested || assembly.complete) continue;
      assembly.digested = assembly.mask;
      digestPieces(links, assembly);
    }
  }

  /**
   * Targeted offers (PROTOCOL §7.3): while our upload queue is short, pieces we hold of the
   * newest segments are offered to neighbours whose PIECE_HAVE digests show they lack them
   * (or that told us nothing of the segment), one piece per neighbour and segment per round.
   * This is how pieces reach the viewers no holder offered them to when they arrived.
   */
  offerToLackers(): void {
    const rate = this.config.uploadBytesPerSec ?? null;
    const budgetMs = OFFER_QUEUE_MS - this.budget.queuedMs();
    if (budgetMs <= 0) return;
    let budget = rate === null ? Infinity : (budgetMs * rate) / 1000;
    const links = this.links().filter((l) => l.speaksPieces);
    for (const rendition of this.book.renditions()) {
      const edge = this.book.liveEdge(rendition);
      for (let seq = edge; seq > edge - OFFER_SEGMENTS && budget > 0; seq--) {
        const map = this.pieces.map(rendition, seq);
        if (!map) continue;
        const count = map.hashes.length;
        const ours = this.config.vault.has(rendition, 'media', seq)
          ? 2 ** count - 1
          : (this.pieces.assembly(rendition, seq)?.mask ?? 0);
        if (ours === 0) continue;
        for (const link of shuffled(links)) {
          if (link.holds(rendition, seq)) continue;
          const lack = ours & ~link.knownPieces(rendition, seq) & ~link.offeredOut(rendition, seq);
          if (lack === 0) continue;
          const pieces: number[] = [];
          for (let i = 0; i < count; i++) if ((lack >>> i) & 1) pieces.push(i);
          const piece = pieces[Math.floor(Math.random() * pieces.length)]!;
          offerPiece(link, map, piece);
          const bytes = pieceRange(map, piece).length;
          this.budget.noteOffers(1, bytes);
          budget -= bytes;
          if (budget <= 0) return;
        }
      }
    }
  }

  /**
   * How many neighbours a piece we just verified is offered to (see announcePiece): fewer
   * as our upload queue fills, because every offer is a promise to serve.
   */
  private fanout(): number {
    const waitMs = this.budget.queuedMs();
    return waitMs < 250 ? PIECE_OFFER_FANOUT : waitMs < 750 ? 1 : 0;
  }
}
