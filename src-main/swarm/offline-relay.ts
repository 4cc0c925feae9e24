// The broadcaster's offline notice as the swarm carries it (PROTOCOL §5.16, §6.5): the
// broadcaster sends it to its neighbours when it stops on purpose; each viewer that takes a
// new one passes it on once to its other neighbours, and to neighbours that link later while
// it still holds. A notice holds until an entry of rendition 0 at or past its nextSeq is known
// (the broadcaster is back), so an old notice replayed later is ignored without any work.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { verifyOfflineNotice } from '../protocol/offline-notice.js';
import type { OfflineNotice } from '../protocol/types.js';
import type { EntryBook } from './entry-book.js';
import type { PeerLink } from './peer-link.js';

export interface OfflineRelayHooks {
  links(): PeerLink[];
  ban(link: PeerLink, reason: ShoalError): void;
  /** A new notice took hold (from a neighbour; null when we are the broadcaster). */
  heard(notice: OfflineNotice, from: PeerLink | null): void;
}

export class OfflineRelay {
  private held: OfflineNotice | null = null;

  constructor(
    private readonly streamId: Uint8Array,
    private readonly book: EntryBook,
    private readonly hooks: OfflineRelayHooks,
  ) {}

  /** The notice we hold, while no entry at or past its nextSeq is known; else null. */
  current(): OfflineNotice | null {
    if (this.held && this.book.liveEdge(0) >= this.held.nextSeq) this.held = null;
    return this.held;
  }

  /** Broadcaster: we stop; every neighbour hears it now. */
  announce(notice: OfflineNotice): void {
    this.held = notice;
    for (const link of this.hooks.links()) link.session.send({ type: 'OFFLINE', notice });
    this.hooks.heard(notice, null);
  }

  /**
   * Viewer: a neighbour's OFFLINE frame. Stale or already-known notices cost nothing; a new
   * one is verified (a forged signature bans the sender, as for entries, §6.3), kept and
   * passed on once.
   */
  receive(from: PeerLink, notice: OfflineNotice): void {
    if (this.book.liveEdge(0) >= notice.nextSeq) return;
    const held = this.current();
    if (held && notice.nextSeq <= held.nextSeq) return;
    if (!verifyOfflineNotice(this.streamId, notice)) {
      this.hooks.ban(
        from,
        new ShoalError(ErrorCode.BAD_SIGNATURE, 'offline notice signature does not verify'),
      );
      return;
    }
    // The frame's fields are views into the datagram: keep a copy.
    const kept = { ...notice, signature: Buffer.from(notice.signature) };
    this.held = kept;
    for (const link of this.hooks.links())
      if (link !== from) link.session.send({ type: 'OFFLINE', notice: kept });
    this.hooks.heard(kept, from);
  }

  /** A neighbour that links while the broadcaster is away hears it at once. */
  greet(link: PeerLink): void {
    const notice = this.current();
    if (notice) link.session.send({ type: 'OFFLINE', notice });
  }
}
