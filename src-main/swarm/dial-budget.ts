// How fast we dial addresses nobody has vouched for (PROTOCOL §13.5). An address learned
// from PEX or from a REJECT is only a neighbour's word: dialling it sends about 6 KB of
// HELLOs (1200 bytes each, retransmitted until the handshake times out) to a host that
// may never have asked for them. A hostile neighbour can name any host, so the node
// dials such addresses from a small token bucket: a burst for joining, then a trickle.

/** Dials to unvalidated addresses at once (enough to find neighbours when joining). */
export const UNVALIDATED_DIAL_BURST = 8;
/** Then one per this many ms. */
export const UNVALIDATED_DIAL_EVERY_MS = 2000;

export class DialBudget {
  private tokens: number;
  private at: number;

  constructor(
    private readonly now: () => number,
    private readonly burst = UNVALIDATED_DIAL_BURST,
    private readonly everyMs = UNVALIDATED_DIAL_EVERY_MS,
  ) {
    this.tokens = burst;
    this.at = now();
  }

  /** Takes one dial if the budget allows it now. */
  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (now - this.at) / this.everyMs);
    this.at = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
