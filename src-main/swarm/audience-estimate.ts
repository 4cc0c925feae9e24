// How many viewers watch, as far as the broadcaster can tell without a wire change (issue 17
// §2): its own neighbours, plus the viewers those neighbours name when it asks them for peers
// (PEX_RESPONSE, PROTOCOL §5.14), each remembered for a while after it was last named. Viewers
// further than two hops away are never named, and a neighbour names at most the entries asked
// for, so the figure is a lower bound on the audience: the UI calls it an estimate.

import { PexFlag } from '../protocol/constants.js';
import type { PexPeer } from '../protocol/types.js';

/** A viewer named in no answer for this long is no longer counted (three PEX rounds). */
export const AUDIENCE_KEEP_MS = 45_000;
/** Node ids kept at most: a neighbour's answers are its word, and memory stays bounded. */
const MAX_REMEMBERED = 4096;

export class AudienceEstimate {
  /** Viewer node id (hex) → when a neighbour last named it. */
  private readonly named = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    private readonly keepMs = AUDIENCE_KEEP_MS,
  ) {}

  /** A neighbour's answer: the viewers it is linked to (the broadcaster's own entry is not one). */
  noteNamed(peers: readonly Pick<PexPeer, 'nodeId' | 'flags'>[]): void {
    const now = this.now();
    for (const p of peers) {
      if ((p.flags & PexFlag.BROADCASTER) !== 0) continue;
      const id = Buffer.from(p.nodeId).toString('hex');
      this.named.delete(id); // re-inserted last: the map stays in order of last naming
      if (this.named.size >= MAX_REMEMBERED) this.forgetOldest();
      this.named.set(id, now);
    }
  }

  /** Distinct viewers: `direct` (our neighbours' node ids) and those named recently. */
  count(direct: readonly string[]): number {
    const cutoff = this.now() - this.keepMs;
    for (const [id, at] of this.named) {
      if (at > cutoff) break;
      this.named.delete(id);
    }
    const all = new Set(direct);
    for (const id of this.named.keys()) all.add(id);
    return all.size;
  }

  private forgetOldest(): void {
    const oldest = this.named.keys().next();
    if (!oldest.done) this.named.delete(oldest.value);
  }
}
