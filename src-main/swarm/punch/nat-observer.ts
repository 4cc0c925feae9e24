// What this node knows of its own NAT (PROTOCOL §5.18 "NAT class"), from the observed
// addresses of the WELCOMEs it receives (§4.3): one report per peer IP, newest kept.
//   PUBLIC: a peer saw us at an address of our own interface and our own port;
//   SYMMETRIC: peers saw the same public IP with different ports, no two agreeing, or at
//   least two of them against the port most agree on;
//   CONE: two peers saw the same address and port, and at most one disagrees (one peer's
//   word, a hostile WELCOME, does not make a cone NAT look symmetric);
//   SYMMETRIC too when the one peer that saw us saw another port than our own (a NAT that
//   changes ports is taken for the hard kind until a second peer agrees with the first);
//   UNKNOWN: anything less (punching treats it like CONE).

import { NatClass } from '../../protocol/constants.js';
import type { PeerAddress } from '../../protocol/types.js';

/** Reports kept (one per reporting peer IP, the oldest forgotten first). */
const MAX_REPORTS = 32;

export class NatObserver {
  private readonly reports = new Map<string, PeerAddress>();
  private cached: number = NatClass.UNKNOWN;

  constructor(
    private readonly localPort: () => number,
    private readonly localHosts: () => readonly string[],
  ) {}

  /** The NAT class as of the reports so far. */
  get nat(): number {
    return this.cached;
  }

  /**
   * `reporter` (a peer's IP) saw us at `observed`. Returns whether the class changed. Only
   * IPv4 counts: NAT is IPv4's (a dual-stack node seen at its own IPv6 address by an IPv6
   * peer may still sit behind an IPv4 NAT, PROTOCOL §2.2).
   */
  note(reporter: string, observed: PeerAddress): boolean {
    if (observed.host.includes(':')) return false;
    this.reports.delete(reporter);
    if (this.reports.size >= MAX_REPORTS) this.reports.delete(this.reports.keys().next().value!);
    this.reports.set(reporter, { host: observed.host, port: observed.port });
    const before = this.cached;
    this.cached = this.classify();
    return this.cached !== before;
  }

  private classify(): number {
    const port = this.localPort();
    const own = new Set(this.localHosts());
    // Per public IP, how many peers saw us at each port.
    const seen = new Map<string, Map<number, number>>();
    for (const r of this.reports.values()) {
      if (r.port === port && own.has(r.host)) return NatClass.PUBLIC;
      const ports = seen.get(r.host) ?? new Map<number, number>();
      ports.set(r.port, (ports.get(r.port) ?? 0) + 1);
      seen.set(r.host, ports);
    }
    let agreeing = false;
    for (const ports of seen.values()) {
      const counts = [...ports.values()];
      const total = counts.reduce((a, b) => a + b, 0);
      const top = Math.max(...counts);
      // One peer may lie about the port it saw (a WELCOME is the peer's word): it takes two
      // reports against the port most peers agree on, or no two agreeing, to say SYMMETRIC.
      if (total - top >= 2 || (top === 1 && total >= 2)) return NatClass.SYMMETRIC;
      if (top >= 2) agreeing = true;
    }
    if (agreeing) return NatClass.CONE;
    for (const r of this.reports.values()) if (r.port !== port) return NatClass.SYMMETRIC;
    return NatClass.UNKNOWN;
  }
}
