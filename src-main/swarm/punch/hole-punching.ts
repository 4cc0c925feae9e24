// Hole punching for one swarm (PROTOCOL §5.18), wired: what we know of our own NAT
// (NatObserver, fed by the observed addresses of our outbound sessions), what we tell each
// neighbour of it (ADDRESSES), the introducer's side (Introducer) and the introduced side
// (Puncher). The swarm forwards links, the four frames and its tick here.

import { CandidateKind, MAX_PUNCH_CANDIDATES } from '../../protocol/constants.js';
import type { Frame, PeerAddress, PexPeer, PunchCandidate } from '../../protocol/types.js';
import { isUnicastHost } from '../../../src-shared/ip-scope.js';
import type { PeerLink } from '../peer-link.js';
import type { Dialer, PunchTransport, SwarmSession } from '../ports.js';
import type { PunchHooks } from '../neighbourhood.js';
import { Introducer } from './introducer.js';
import { NatObserver } from './nat-observer.js';
import { Puncher } from './puncher.js';
import { NatClass, PexFlag } from '../../protocol/constants.js';

/** ADDRESSES at most once per 5 s per connection (§5.18). */
const ADDRESSES_EVERY_MS = 5000;
/** LAN candidates we announce, at most (room is left for a MAPPED one). */
const LAN_CANDIDATES = 2;

export interface HolePunchingOptions {
  selfNodeId: string;
  now: () => number;
  transport: PunchTransport;
  dialer: Dialer;
  links: () => PeerLink[];
  linkOf: (nodeId: string) => PeerLink | undefined;
  adopt: (session: SwarmSession) => PeerLink | null;
  /** Diagnostics, one line per event (SHOAL_DEBUG_PUNCH in the engine). */
  log?: (line: string) => void;
}

export class HolePunching {
  readonly observer: NatObserver;
  readonly introducer: Introducer;
  readonly puncher: Puncher;
  private readonly sentAt = new WeakMap<PeerLink, number>();
  private readonly pendingAddresses = new Set<PeerLink>();

  constructor(private readonly o: HolePunchingOptions) {
    this.observer = new NatObserver(
      () => o.transport.localPort(),
      () => o.transport.localHosts(),
    );
    this.introducer = new Introducer(o.now, o.linkOf);
    this.puncher = new Puncher({
      selfNodeId: o.selfNodeId,
      now: o.now,
      transport: o.transport,
      dialer: o.dialer,
      nat: () => this.observer.nat,
      linked: (id) => o.linkOf(id) !== undefined,
      adopt: o.adopt,
      ...(o.log && { log: o.log }),
    });
  }

  /** What the neighbourhood needs to punch instead of dialling. */
  get hooks(): PunchHooks {
    return {
      introduce: (via, nodeId) => this.puncher.request(via, nodeId),
      hopeless: (flags) => this.observer.nat === NatClass.SYMMETRIC && (flags & PexFlag.SYMMETRIC) !== 0,
    };
  }

  get nat(): number {
    return this.observer.nat;
  }

  onLink(link: PeerLink): void {
    this.puncher.claim(link);
    const observed = link.session.observedAddress;
    const changed = observed ? this.observer.note(link.session.remote.host, observed) : false;
    if (changed)
      this.o.log?.(
        `punch: NAT class ${this.observer.nat} (seen at ${observed!.host}:${observed!.port} by ${link.session.remote.host})`,
      );
    if (changed) for (const l of this.o.links()) this.tellAddresses(l);
    else this.tellAddresses(link);
  }

  /** One of the §5.18 frames from `link`; false when the frame is not ours. */
  onFrame(link: PeerLink, frame: Frame): boolean {
    switch (frame.type) {
      case 'ADDRESSES':
        link.nat = frame.nat;
        link.candidates = frame.candidates.filter((c) => c.kind !== CandidateKind.OBSERVED);
        if (link.session.direction === 'outbound' && link.path === 'direct' && isMapped(link))
          link.path = 'mapped';
        return true;
      case 'PUNCH_REQUEST':
        this.introducer.onRequest(link, frame.nodeId);
        return true;
      case 'PUNCH_CONNECT':
        this.puncher.onConnect(link, frame);
        return true;
      case 'PUNCH_FAILED':
        this.puncher.onFailed(link, frame);
        return true;
      default:
        return false;
    }
  }

  /** A client we answer FULL, naming `peers`: the ones behind NAT start probing toward it. */
  introduceRejected(client: PeerAddress, nodeId: Uint8Array, peers: readonly PexPeer[]): void {
    const links: PeerLink[] = [];
    for (const p of peers) {
      const link = this.o.linkOf(Buffer.from(p.nodeId).toString('hex'));
      if (link && !(p.flags & PexFlag.DIRECT)) links.push(link);
    }
    this.introducer.introduceRejected(client, nodeId, links);
  }

  tick(now: number): void {
    this.puncher.tick(now);
    for (const link of this.pendingAddresses) this.tellAddresses(link);
  }

  destroy(): void {
    const poolProbes = this.o.transport.poolProbesSent?.() ?? 0;
    this.o.log?.(
      `punch: stats ${JSON.stringify({ nat: this.nat, ...this.puncher.stats, poolProbes, ...this.introducer.stats })}`,
    );
    this.puncher.destroy();
    this.pendingAddresses.clear();
  }

  /**
   * Our candidates: LAN addresses with our port (IPv4 first: punching is for IPv4 NATs, and
   * a dual-stack node has IPv6 addresses too, §2.2), then our port mapping, if any.
   */
  ownCandidates(): PunchCandidate[] {
    const port = this.o.transport.localPort();
    const out: PunchCandidate[] = [];
    const v6Last = (h: string): number => (h.includes(':') ? 1 : 0);
    for (const host of [...this.o.transport.localHosts()].sort((a, b) => v6Last(a) - v6Last(b))) {
      if (out.length >= LAN_CANDIDATES) break;
      // Loopback and IPv6 link-local (fe80::/10, needs a zone) reach no other host.
      if (isUnicastHost(host) && !host.startsWith('127.') && host !== '::1' && !/^fe[89ab]/i.test(host))
        out.push({ kind: CandidateKind.LAN, host, port });
    }
    const mapped = this.o.transport.mapped?.();
    if (mapped) out.push({ kind: CandidateKind.MAPPED, ...mapped });
    return out.slice(0, MAX_PUNCH_CANDIDATES);
  }

  private tellAddresses(link: PeerLink): void {
    if (!link.speaksPunch) return;
    const now = this.o.now();
    const last = this.sentAt.get(link);
    if (last !== undefined && now - last < ADDRESSES_EVERY_MS) {
      this.pendingAddresses.add(link);
      return;
    }
    this.pendingAddresses.delete(link);
    this.sentAt.set(link, now);
    link.session.send({ type: 'ADDRESSES', nat: this.observer.nat, candidates: this.ownCandidates() });
  }

  forget(link: PeerLink): void {
    this.pendingAddresses.delete(link);
  }
}

function isMapped(link: PeerLink): boolean {
  const r = link.session.remote;
  return link.candidates.some(
    (c) => c.kind === CandidateKind.MAPPED && c.host === r.host && c.port === r.port,
  );
}
