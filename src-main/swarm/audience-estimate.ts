// How many viewers watch, as far as the broadcaster can tell without a wire change (issue 17
// §2): its own neighbours, plus the viewers those neighbours name when it asks them for peers
// (PEX_RESPONSE, PROTOCOL §5.14). Only each neighbour's latest answer counts, and only while
// that neighbour is still linked and answered recently: a neighbour that names made-up ids
// adds at most one answer's worth (the PEX size asked for), not a new batch every round.
// Viewers further than two hops away are never named, so the figure is a lower bound on the
// audience: the UI calls it an estimate.

import { PexFlag } from '../protocol/constants.js';
import type { PexPeer } from '../protocol/types.js';

/** A neighbour's answer older than this no longer counts (three PEX rounds). */
export const AUDIENCE_KEEP_MS = 45_000;
/** Ids kept from one answer (PEX_RESPONSE is capped at what we asked for, 16 today). */
const MAX_PER_ANSWER = 64;

export class AudienceEstimate {
  /** Neighbour node id → the viewers its latest answer named, and when. */
  private readonly answers = new Map<string, { ids: Set<string>; at: number }>();

  constructor(
    private readonly now: () => number,
    private readonly keepMs = AUDIENCE_KEEP_MS,
  ) {}

  /** Neighbour `from`'s answer: the viewers it is linked to (the broadcaster's own entry is not one). */
  noteNamed(from: string, peers: readonly Pick<PexPeer, 'nodeId' | 'flags'>[]): void {
    const ids = new Set<string>();
    for (const p of peers) {
      if ((p.flags & PexFlag.BROADCASTER) !== 0) continue;
      if (ids.size >= MAX_PER_ANSWER) break;
      ids.add(Buffer.from(p.nodeId).toString('hex'));
    }
    this.answers.set(from, { ids, at: this.now() });
  }

  /** Distinct viewers: `direct` (our linked neighbours' node ids) and those they named recently. */
  count(direct: readonly string[]): number {
    const cutoff = this.now() - this.keepMs;
    const linked = new Set(direct);
    for (const [from, answer] of this.answers)
      if (!linked.has(from) || answer.at <= cutoff) this.answers.delete(from);
    const all = new Set(direct);
    for (const answer of this.answers.values()) for (const id of answer.ids) all.add(id);
    return all.size;
  }
}
