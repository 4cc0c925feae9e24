// Who we are connected to and who we could connect to: bootstrap and peer-exchange
// candidates, dialling with back-off up to the target, duplicate and self connections,
// bans for the rest of the session, and replacement of neighbours that perform badly.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import type { PeerAddress, PexPeer } from '../protocol/types.js';
import { PexFlag } from '../protocol/constants.js';
import { PeerLink } from './peer-link.js';
import type { Dialer, SwarmSession } from './ports.js';

interface Candidate {
  address: PeerAddress;
  /** Bootstrap endpoints from the stream address are never forgotten. */
  permanent: boolean;
  nodeId: string | null;
  nextTryAt: number;
  failures: number;
  dialing: boolean;
  /** No probe (see probeBootstrap) before this time. */
  probeAt: number;
}

export interface NeighbourhoodOptions {
  dialer: Dialer;
  /** Most neighbours, inbound and outbound together. */
  maxPeers: number;
  /**
   * How many neighbours we dial ourselves. Kept below maxPeers so every node leaves room
   * for inbound connections: otherwise early joiners fill each other up and late joiners
   * find only full nodes.
   */
  dialTarget?: number;
  selfNodeId: string;
  now: () => number;
  onLink(link: PeerLink): void;
  onUnlink(link: PeerLink, reason: ShoalError): void;
  onDialError?(address: PeerAddress, error: ShoalError): void;
}

const addressKey = (a: PeerAddress): string => `${a.host}|${a.port}`;
const MAX_CANDIDATES = 512;
/** A probe's handshake gives up soon: the next probe follows (see probeBootstrap). */
const PROBE_TIMEOUT_MS = 1500;
/** A probe that found the node alive behind our link is not repeated for this long. */
const PROBE_ALIVE_BACKOFF_MS = 5000;

export class Neighbourhood {
  private readonly linksById = new Map<string, PeerLink>();
  private readonly candidates = new Map<string, Candidate>();
  private readonly banned = new Set<string>();
  private destroyed = false;

  constructor(private readonly options: NeighbourhoodOptions) {}

  links(): PeerLink[] {
    return [...this.linksById.values()];
  }

  get size(): number {
    return this.linksById.size;
  }

  canAccept(): boolean {
    return !this.destroyed && this.linksById.size < this.options.maxPeers;
  }

  isBanned(nodeIdOrAddress: string): boolean {
    return this.banned.has(nodeIdOrAddress);
  }

  addCandidates(peers: readonly (PeerAddress & { nodeId?: string | Uint8Array })[], permanent = false): void {
    for (const p of peers) {
      const key = addressKey(p);
      if (this.banned.has(key) || this.candidates.has(key)) continue;
      if (this.candidates.size >= MAX_CANDIDATES) break;
      const nodeId =
        p.nodeId === undefined
          ? null
          : typeof p.nodeId === 'string'
            ? p.nodeId
            : Buffer.from(p.nodeId).toString('hex');
      if (nodeId === this.options.selfNodeId) continue;
      this.candidates.set(key, {
        address: { host: p.host, port: p.port },
        permanent,
        nodeId,
        nextTryAt: 0,
        failures: 0,
        dialing: false,
        probeAt: 0,
      });
    }
  }

  /** Takes a freshly connected session (either direction). Returns null if it was refused. */
  adopt(session: SwarmSession): PeerLink | null {
    const refuse = (why: string): null => {
      session.close(ErrorCode.PROTOCOL_VIOLATION, why);
      return null;
    };
    if (this.destroyed) return refuse('shutting down');
    if (session.nodeId === this.options.selfNodeId) return refuse('connected to self');
    if (this.banned.has(session.nodeId) || this.banned.has(addressKey(session.remote)))
      return refuse('banned');
    if (this.linksById.has(session.nodeId)) return refuse('duplicate connection');
    this.replaceRestarted(session);
    if (this.linksById.size >= this.options.maxPeers + (session.direction === 'outbound' ? 1 : 0))
      return refuse('full');
    const link = new PeerLink(session, this.options.now);
    this.linksById.set(session.nodeId, link);
    const candidate = this.candidates.get(addressKey(session.remote));
    if (candidate) {
      candidate.failures = 0;
      candidate.nodeId = session.nodeId;
    }
    this.options.onLink(link);
    return link;
  }

  /**
   * A new node id at an address we hold a link to: the node there restarted (one socket is
   * one node, PROTOCOL §2.2), so the old link is dead and would only linger until it timed out.
   */
  private replaceRestarted(session: SwarmSession): void {
    const key = addressKey(session.remote);
    for (const old of this.links()) {
      if (addressKey(old.session.remote) !== key || old.nodeId === session.nodeId) continue;
      this.release(old, ShoalError.peerGone(old.nodeId, 'restarted at the same address'));
      old.session.close(0, 'replaced by a new node at this address');
    }
  }

  /** Called when a session closed, for whatever reason. */
  release(link: PeerLink, reason: ShoalError): void {
    if (this.linksById.get(link.nodeId) !== link) return;
    this.linksById.delete(link.nodeId);
    const candidate = this.candidates.get(addressKey(link.session.remote));
    if (candidate) candidate.nextTryAt = this.options.now() + 2000;
    this.options.onUnlink(link, reason);
  }

  ban(link: PeerLink, reason: ShoalError): void {
    this.banned.add(link.nodeId);
    this.banned.add(addressKey(link.session.remote));
    this.candidates.delete(addressKey(link.session.remote));
    // Release first: closing the session reports its own (less telling) reason.
    this.release(link, new ShoalError(ErrorCode.BANNED, `banned: ${reason.message}`));
    link.session.close(ErrorCode.BANNED, reason.message.slice(0, 180));
  }

  private get dialTarget(): number {
    return Math.min(
      this.options.maxPeers,
      this.options.dialTarget ?? Math.max(2, Math.ceil(this.options.maxPeers / 2)),
    );
  }

  /** Dials candidates until the target is reached. Cheap to call often. */
  maintain(target = this.dialTarget): void {
    if (this.destroyed) return;
    const now = this.options.now();
    let dialing = [...this.candidates.values()].filter((c) => c.dialing).length;
    const connected = new Set(this.links().map((l) => addressKey(l.session.remote)));
    const connectedIds = new Set(this.linksById.keys());
    for (const c of this.candidates.values()) {
      if (this.linksById.size + dialing >= target) break;
      if (c.dialing || c.nextTryAt > now) continue;
      if (connected.has(addressKey(c.address)) || (c.nodeId && connectedIds.has(c.nodeId))) continue;
      dialing += 1;
      this.dial(c);
    }
  }

  /**
   * The stream went quiet: dial the bootstrap addresses (the broadcaster's) again now, with
   * a short handshake, also those we hold a link to that has been silent for `silentMs` (a
   * broadcaster restarted at the same address leaves that link dead until its idle timeout).
   * Called about once a second while quiet, so a broadcaster that comes back is found at once.
   */
  probeBootstrap(silentMs: number): void {
    if (this.destroyed) return;
    const now = this.options.now();
    for (const c of this.candidates.values()) {
      if (!c.permanent || c.dialing || c.probeAt > now) continue;
      const key = addressKey(c.address);
      const held = this.links().find((l) => addressKey(l.session.remote) === key);
      if (held && held.session.silentMs() < silentMs) continue;
      this.dial(c, PROBE_TIMEOUT_MS);
    }
  }

  private dial(c: Candidate, timeoutMs?: number): void {
    c.dialing = true;
    const probe = timeoutMs !== undefined;
    this.options.dialer.dial(c.address, probe ? { timeoutMs } : {}).then(
      (session) => {
        c.dialing = false;
        const now = this.options.now();
        if (!this.adopt(session)) {
          c.nextTryAt = now + 10_000;
          // Refused (e.g. the node behind our link is alive): it needs no probing for a while.
          if (probe) c.probeAt = now + PROBE_ALIVE_BACKOFF_MS;
        }
      },
      (err: unknown) => {
        c.dialing = false;
        if (probe) {
          // Probes fail while the broadcaster is down; that must not push its next ordinary
          // dial far out (news may come back through a neighbour first and stop the probes).
          c.nextTryAt = Math.min(c.nextTryAt, this.options.now() + 1000);
          return;
        }
        c.failures += 1;
        c.nextTryAt = this.options.now() + Math.min(30_000, 1000 * 2 ** c.failures);
        const error = ShoalError.from(err);
        const peers = (err as { peers?: PexPeer[] }).peers;
        if (peers) this.addCandidates(peers);
        if (error.code === ErrorCode.STREAM_NOT_FOUND) c.nextTryAt = this.options.now() + 5000;
        if (c.failures >= 6 && !c.permanent) this.candidates.delete(addressKey(c.address));
        this.options.onDialError?.(c.address, error);
      },
    );
  }

  /** Peers to hand out in PEX responses and REJECT FULL packets. */
  pexPeers(max: number, exclude?: string): PexPeer[] {
    const out: PexPeer[] = [];
    const links = this.links().sort(() => Math.random() - 0.5);
    for (const link of links) {
      if (out.length >= max) break;
      if (link.nodeId === exclude) continue;
      let flags = 0;
      if (link.isBroadcaster) flags |= PexFlag.BROADCASTER;
      if (!link.chokesUs) flags |= PexFlag.HAS_CAPACITY;
      out.push({ ...link.session.remote, nodeId: Buffer.from(link.nodeId, 'hex'), flags });
    }
    return out;
  }

  /**
   * We hear nothing new although the stream goes on: our neighbours are cut off from the
   * source (or dead). Retry every candidate now and make room by dropping the neighbour
   * that has been useless the longest.
   */
  refresh(): void {
    for (const c of this.candidates.values()) if (!c.dialing) c.nextTryAt = 0;
    if (this.linksById.size >= this.options.maxPeers) {
      const stale = this.links()
        .filter((l) => !l.isBroadcaster)
        .sort((a, b) => a.lastUsefulAt - b.lastUsefulAt)[0];
      if (stale) {
        this.release(stale, ShoalError.peerGone(stale.nodeId, 'was replaced (nothing new for too long)'));
        stale.session.close(0, 'replaced: nothing new from this neighbour');
      }
    }
    this.maintain(this.options.maxPeers);
  }

  /** Closes one poorly performing neighbour when we are full and have somewhere else to go. */
  replacePoorest(): void {
    if (this.linksById.size < this.options.maxPeers) return;
    const spare = [...this.candidates.values()].some((c) => !c.dialing && c.nextTryAt <= this.options.now());
    if (!spare) return;
    const poor = this.links().find((l) => !l.isBroadcaster && l.health() === 'poor');
    if (poor) {
      this.release(poor, ShoalError.peerGone(poor.nodeId, 'was replaced (poor health)'));
      poor.session.close(0, 'replaced by a better neighbour');
    }
  }

  destroy(): void {
    this.destroyed = true;
    for (const link of this.links()) link.session.close(0, 'goodbye');
    this.linksById.clear();
    this.candidates.clear();
  }
}
