// Who we refuse to deal with, and until when (PROTOCOL §13.5). A ban is keyed by what a
// peer cannot choose freely: its source IP address. Ports and node ids cost nothing to
// change, so a ban on them alone lets the peer back in at once from a new port (one
// banned for forged pieces came back 17 times in 60 s). A ban expires, because an IP may
// be shared (NAT) or reassigned; a repeat offence doubles it. The table is bounded: when
// full, the ban that ends soonest makes room.

/** First ban of an IP; each further ban while remembered doubles it, up to MAX_BAN_MS. */
export const BAN_MS = 10 * 60_000;
export const MAX_BAN_MS = 60 * 60_000;
/** IPs remembered at most (a ban is forgotten this long after it ended: see offences). */
export const MAX_BANNED = 1024;

interface Ban {
  until: number;
  /** Bans of this IP so far (the next lasts BAN_MS · 2^offences). */
  offences: number;
  reason: string;
}

export class BanList {
  private readonly byIp = new Map<string, Ban>();

  constructor(
    private readonly now: () => number,
    private readonly limits = { banMs: BAN_MS, maxBanMs: MAX_BAN_MS, maxEntries: MAX_BANNED },
  ) {}

  /** Bans `ip` from now; returns how long, ms. */
  ban(ip: string, reason: string): number {
    const now = this.now();
    const prior = this.byIp.get(ip);
    const offences = prior ? prior.offences + 1 : 1;
    const ms = Math.min(this.limits.maxBanMs, this.limits.banMs * 2 ** (offences - 1));
    this.byIp.delete(ip);
    if (this.byIp.size >= this.limits.maxEntries) this.evict(now);
    this.byIp.set(ip, { until: now + ms, offences, reason: reason.slice(0, 120) });
    return ms;
  }

  /** The ban in force on `ip`, if any. */
  banned(ip: string): { untilMs: number; reason: string } | null {
    const ban = this.byIp.get(ip);
    if (!ban || ban.until <= this.now()) return null;
    return { untilMs: ban.until - this.now(), reason: ban.reason };
  }

  get size(): number {
    return this.byIp.size;
  }

  /**
   * Makes room: first every entry whose ban ended long enough ago to be forgiven (as long
   * as it lasted), then the one that ends soonest.
   */
  private evict(now: number): void {
    for (const [ip, ban] of this.byIp)
      if (ban.until + this.limits.banMs * 2 ** (ban.offences - 1) <= now) this.byIp.delete(ip);
    if (this.byIp.size < this.limits.maxEntries) return;
    let soonest: string | null = null;
    let end = Infinity;
    for (const [ip, ban] of this.byIp)
      if (ban.until < end) {
        end = ban.until;
        soonest = ip;
      }
    if (soonest !== null) this.byIp.delete(soonest);
  }
}
