// What this node knows of its own NAT (PROTOCOL §5.18 "NAT class"), from the observed
// addresses of the WELCOMEs it receives (§4.3): one report per peer IP, newest kept.
//   PUBLIC: a peer saw us at an address of our own interface and our own port;
//   SYMMETRIC: two peers saw the same public IP with different ports;
//   CONE: two peers saw the same address and port;
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

  /** `reporter` (a peer's IP) saw us at `observed`. Returns whether the class changed. */
  note(reporter: string, observed: PeerAddress): boolean {
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
    const seen = new Map<string, Set<number>>();
    let agreeing = false;
    for (const r of this.reports.values()) {
      if (r.port === port && own.has(r.host)) return NatClass.PUBLIC;
      const ports = seen.get(r.host) ?? new Set<number>();
      if (ports.has(r.port)) agreeing = true;
      ports.add(r.port);
      seen.set(r.host, ports);
    }
    for (const ports of seen.values()) if (ports.size > 1) return NatClass.SYMMETRIC;
    if (agreeing) return NatClass.CONE;
    for (const r of this.reports.values()) if (r.port !== port) return NatClass.SYMMETRIC;
    return NatClass.UNKNOWN;
  }
}
