// Who we are connected to and who we could connect to: bootstrap and peer-exchange
// candidates, dialling with back-off up to the target, duplicate and self connections,
// bans (per source IP, for a while: see BanList), room for newcomers (neighbours that
// take and relay nothing give way), and replacement of neighbours that perform badly.
// Addresses a neighbour told us of are dialled at a bounded pace (see DialBudget).
// A broadcaster also keeps a few rescue slots beyond maxPeers for viewers with no other path
// (HELLO NO_PATH, PROTOCOL §13.5), and takes them back once those viewers have one.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { isUnicastHost } from '../../src-shared/ip-scope.js';
import { unmapIPv4 } from '../../src-shared/ipv6.js';
import type { PeerAddress, PexPeer } from '../protocol/types.js';
import { CandidateKind, NatClass, PexFlag } from '../protocol/constants.js';
import { isConnectRejected } from '../transport/index.js';
import { BanList } from './ban-list.js';
import { DialBudget } from './dial-budget.js';
import { PeerLink } from './peer-link.js';
import type { Dialer, SwarmSession } from './ports.js';

interface Candidate {
  address: PeerAddress;
  /** Bootstrap endpoints from the stream address are never forgotten. */
  permanent: boolean;
  /**
   * The address answered us (a handshake completed, or a REJECT after a valid cookie) or
   * the user gave it. Others are only a neighbour's word: dialled from the DialBudget, and
   * dropped after UNVALIDATED_MAX_FAILURES.
   */
  validated: boolean;
  nodeId: string | null;
  nextTryAt: number;
  failures: number;
  dialing: boolean;
  /** No probe (see probeBootstrap) before this time. */
  probeAt: number;
  /** PEX flags of the entry (PROTOCOL §5.14, §5.18), 0 for others. */
  flags: number;
  /** The neighbour that told us of it (a PEX entry), which may introduce us (§5.18). */
  via: string | null;
}

/** Hole punching as the neighbourhood uses it (PROTOCOL §5.18; see Puncher). */
export interface PunchHooks {
  /** Asks neighbour `via` to introduce us to `nodeId`; true once we hold a link to it. */
  introduce(via: PeerLink, nodeId: string): Promise<boolean>;
  /** Whether an entry with these PEX flags can never be punched from here (both SYMMETRIC). */
  hopeless(flags: number): boolean;
}

/** How a newcomer's HELLO is answered (PROTOCOL §4.4). */
export type Admission =
  { accept: true } | { accept: false; code: number; message: string; peers?: PexPeer[] };

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
  /**
   * A neighbour that has taken nothing from us (no segment or piece request), relayed
   * nothing (no HAVE, AVAILABILITY, PIECE_HAVE, PIECE_MAP) and delivered nothing for this
   * long gives its slot to a newcomer when we are full (PROTOCOL §13.5). Default 10 s.
   */
  idleEvictMs?: number;
  /**
   * Broadcaster: links beyond maxPeers kept for viewers whose HELLO says NO_PATH (PROTOCOL
   * §13.5), at most one per source IP. Default 0 (viewers keep none).
   */
  rescueSlots?: number;
  /** Viewer: whether we have no path to the stream but the broadcaster (our HELLOs say NO_PATH). */
  noPath?: () => boolean;
  onLink(link: PeerLink): void;
  onUnlink(link: PeerLink, reason: ShoalError): void;
  onDialError?(address: PeerAddress, error: ShoalError): void;
  /** Absent: entries are only ever dialled. */
  punch?: PunchHooks;
}

const addressKey = (a: PeerAddress): string => `${a.host}|${a.port}`;
const MAX_CANDIDATES = 512;
/** Candidates we have only a neighbour's word for, at most (PEX and REJECT entries). */
export const MAX_UNVALIDATED = 64;
/** Entries taken from one REJECT (a PEX_RESPONSE is bounded by what we asked for). */
export const REJECT_PEERS_TAKEN = 16;
/** Failed dials after which an unvalidated address is given up. */
const UNVALIDATED_MAX_FAILURES = 2;
/** Introductions (PROTOCOL §5.18) after which an entry is given up: birthday ones can be busy. */
const INTRODUCTION_MAX_FAILURES = 4;
/** Given-up addresses remembered (not taken again from PEX), and for how long. */
const GIVEN_UP_MAX = 256;
const GIVEN_UP_MS = 10 * 60_000;
/** A node that answered FULL is asked again after 2, 4, 8, then every 15 s. */
const FULL_RETRY_MAX_MS = 15_000;
export const IDLE_EVICT_MS = 10_000;
/** A neighbour dropped for not delivering is not dialled again for this long. */
const UNDELIVERING_COOLDOWN_MS = 60_000;
const MAX_BANNED_IDS = 1024;
/**
 * A link that received nothing for this long gives way to a new connection with the same
 * node id (PROTOCOL §2.2). A keepalive comes every 5 s (PROTOCOL §10.5): one lost PING and
 * its PONG make 10 s of silence on a healthy link, so less would cut live links.
 */
const MOVED_SILENT_MS = 11_000;
/**
 * The §2.2 tie-break settles a simultaneous open (hole punching dials both ways at once) and
 * nothing else: a link older than this is kept. A node id in a HELLO is the sender's word,
 * so a later connection claiming a neighbour's id must not be able to replace a live link.
 */
const TIE_BREAK_WINDOW_MS = 10_000;
/** A slot freed for a HELLO (see admit) is kept for its handshake this long. */
const SLOT_RESERVED_MS = 10_000;
/** A probe's handshake gives up soon: the next probe follows (see probeBootstrap). */
const PROBE_TIMEOUT_MS = 1500;
/** A probe that found the node alive behind our link is not repeated for this long. */
const PROBE_ALIVE_BACKOFF_MS = 5000;
/** A rescue slot granted to a HELLO is held this long for its handshake to complete. */
const RESCUE_HOLD_MS = 10_000;
/** A rescue-slot viewer that has had a path again for this long gives its slot back. */
export const RESCUE_RETURN_MS = 10_000;

/**
 * PEX flags of PROTOCOL §5.18 for a neighbour: DIRECT when we dialled it there ourselves (not
 * through a punch) or it says it is PUBLIC; INTRODUCER when both of us speak PUNCH; SYMMETRIC
 * when it says so.
 */
function punchFlags(link: PeerLink, weIntroduce: boolean): number {
  let flags = 0;
  const dialled = link.session.direction === 'outbound' && link.path !== 'punched';
  const r = link.session.remote;
  const mapped = link.candidates.some(
    (c) => c.kind === CandidateKind.MAPPED && c.host === r.host && c.port === r.port,
  );
  if (dialled || mapped || link.nat === NatClass.PUBLIC) flags |= PexFlag.DIRECT;
  if (weIntroduce && link.speaksPunch) flags |= PexFlag.INTRODUCER;
  if (link.nat === NatClass.SYMMETRIC) flags |= PexFlag.SYMMETRIC;
  return flags;
}

export class Neighbourhood {
  private readonly linksById = new Map<string, PeerLink>();
  private readonly candidates = new Map<string, Candidate>();
  /** Bans by source IP (see BanList); node ids too, for the run, though they cost nothing to change. */
  readonly bans: BanList;
  private readonly bannedIds = new Set<string>();
  private readonly givenUp = new Map<string, number>();
  private readonly dialBudget: DialBudget;
  /** Rescue slots granted to a HELLO whose session is not adopted yet: address key → expiry. */
  private readonly rescueHeld = new Map<string, number>();
  /** Until then, a freed ordinary slot waits for the HELLO it was freed for (see release). */
  private slotReservedUntil = 0;
  private destroyed = false;

  constructor(private readonly options: NeighbourhoodOptions) {
    this.bans = new BanList(options.now);
    this.dialBudget = new DialBudget(options.now);
  }

  links(): PeerLink[] {
    return [...this.linksById.values()];
  }

  linkOf(nodeId: string): PeerLink | undefined {
    return this.linksById.get(nodeId);
  }

  get size(): number {
    return this.linksById.size;
  }

  /**
   * Whether any viewer but us is known: a neighbour other than the broadcaster, or a
   * candidate a neighbour named (peer exchange and REJECT FULL carry node ids, PROTOCOL
   * §5.14) or that answered us. A bare address from the DHT's get_peers may be stale, or our
   * own announce come back: it does not count until it answers.
   */
  knowsOtherViewers(): boolean {
    for (const l of this.linksById.values()) if (!l.isBroadcaster) return true;
    for (const c of this.candidates.values())
      if (!c.permanent && (c.validated || c.nodeId !== null)) return true;
    return false;
  }

  canAccept(): boolean {
    return !this.destroyed && this.ordinaryCount() < this.options.maxPeers;
  }

  /** Links in ordinary slots (rescue slots are beyond maxPeers). */
  private ordinaryCount(): number {
    let rescue = 0;
    for (const link of this.linksById.values()) if (link.rescueSlot) rescue++;
    return this.linksById.size - rescue;
  }

  /** Neighbours in rescue slots now. */
  get rescueCount(): number {
    return this.linksById.size - this.ordinaryCount();
  }

  /**
   * A free rescue slot for a HELLO from `from` that says NO_PATH (PROTOCOL §13.5): at most
   * rescueSlots in use or held, and one per source IP, so a NO_PATH claim cannot take more
   * than those few slots, whatever it claims.
   */
  private holdRescueSlot(from: PeerAddress): boolean {
    const slots = this.options.rescueSlots ?? 0;
    if (slots <= 0) return false;
    const now = this.options.now();
    for (const [key, until] of this.rescueHeld) if (until <= now) this.rescueHeld.delete(key);
    const key = addressKey(from);
    if (this.rescueHeld.has(key)) return true;
    const hosts = new Set<string>();
    for (const link of this.linksById.values()) if (link.rescueSlot) hosts.add(link.session.remote.host);
    for (const held of this.rescueHeld.keys()) hosts.add(held.split('|')[0]!);
    if (hosts.size >= slots || hosts.has(from.host)) return false;
    this.rescueHeld.set(key, now + RESCUE_HOLD_MS);
    return true;
  }

  /**
   * A HELLO from `from` (PROTOCOL §4.4): refused while its IP is banned; when we are full,
   * the neighbour idle the longest (past idleEvictMs) makes room, otherwise FULL.
   */
  admit(from: PeerAddress, noPath = false, ipv6 = true): Admission {
    if (this.destroyed) return { accept: false, code: ErrorCode.FULL, message: 'shutting down' };
    const ban = this.bans.banned(from.host);
    if (ban)
      return {
        accept: false,
        code: ErrorCode.BANNED,
        message: `banned for ${Math.ceil(ban.untilMs / 60_000)} min: ${ban.reason}`,
      };
    if (this.canAccept()) return { accept: true };
    if (this.evictSilent() || this.evictIdle()) {
      // The slot just freed is this HELLO's: not a rescue-slot holder's (see release).
      this.slotReservedUntil = this.options.now() + SLOT_RESERVED_MS;
      return { accept: true };
    }
    if (noPath && this.holdRescueSlot(from)) return { accept: true };
    const message = noPath ? 'no free peer slots, no free rescue slot' : 'no free peer slots';
    return { accept: false, code: ErrorCode.FULL, message, peers: this.pexPeers(16, undefined, ipv6) };
  }

  /** Whether `host` is banned now (bootstrap endpoints are exempt unless that exact address was). */
  isBanned(host: string): boolean {
    return this.bans.banned(host) !== null;
  }

  /**
   * Candidates to dial. `permanent` ones (the stream address's endpoints) are the user's
   * choice. Others are a neighbour's word: never a multicast, broadcast or unspecified
   * address or port 0, nothing at a banned IP, nothing of an IP version our socket lacks
   * (PROTOCOL §2.2), and at most MAX_UNVALIDATED kept. An IPv4-mapped address is its IPv4 one.
   */
  addCandidates(
    peers: readonly (PeerAddress & { nodeId?: string | Uint8Array; flags?: number })[],
    permanent = false,
    via: string | null = null,
  ): void {
    const now = this.options.now();
    let unvalidated = 0;
    if (!permanent) for (const c of this.candidates.values()) if (!c.validated) unvalidated++;
    for (const entry of peers) {
      const p = { ...entry, host: unmapIPv4(entry.host) };
      const key = addressKey(p);
      if (this.candidates.has(key)) continue;
      if (!(p.port > 0 && p.port < 65536) || !isUnicastHost(p.host)) continue;
      if (this.candidates.size >= MAX_CANDIDATES) break;
      if (!permanent) {
        if (unvalidated >= MAX_UNVALIDATED) break;
        if (this.options.dialer.reaches?.(p.host) === false) continue;
        if (this.bans.banned(p.host) || (this.givenUp.get(key) ?? 0) > now) continue;
      }
      const nodeId =
        p.nodeId === undefined
          ? null
          : typeof p.nodeId === 'string'
            ? p.nodeId
            : Buffer.from(p.nodeId).toString('hex');
      if (nodeId === this.options.selfNodeId || (nodeId !== null && this.bannedIds.has(nodeId))) continue;
      this.candidates.set(key, {
        address: { host: p.host, port: p.port },
        permanent,
        validated: permanent,
        nodeId,
        nextTryAt: 0,
        failures: 0,
        dialing: false,
        probeAt: 0,
        flags: p.flags ?? 0,
        via,
      });
      if (!permanent) unvalidated++;
    }
  }

  /** Forgets candidates (not links): addresses that are no longer the node's. */
  forget(peers: readonly PeerAddress[]): void {
    for (const p of peers) {
      const c = this.candidates.get(addressKey(p));
      if (c && !c.dialing) this.candidates.delete(addressKey(p));
    }
  }

  /** Takes a freshly connected session (either direction). Returns null if it was refused. */
  adopt(session: SwarmSession): PeerLink | null {
    const refuse = (why: string, code: number = ErrorCode.PROTOCOL_VIOLATION): null => {
      session.close(code, why);
      return null;
    };
    if (this.destroyed) return refuse('shutting down', ErrorCode.CLOSED);
    if (session.nodeId === this.options.selfNodeId) return refuse('connected to self');
    const candidate = this.candidates.get(addressKey(session.remote));
    // A bootstrap endpoint we dialled is the user's choice even at a banned IP (see ban).
    const chosen = session.direction === 'outbound' && candidate?.permanent === true;
    if (this.bannedIds.has(session.nodeId) || (!chosen && this.bans.banned(session.remote.host)))
      return refuse('banned', ErrorCode.BANNED);
    // PROTOCOL §2.2: one connection per peer node id; the one established first stays,
    // except that of two in opposite directions, the one the lower node id dialled stays; and
    // one gone silent gives way: the node moved (a new IP address, PROTOCOL §15.4) or we did.
    const existing = this.linksById.get(session.nodeId);
    if (existing) {
      const moved = existing.session.silentMs() >= MOVED_SILENT_MS;
      if (!moved && !this.winsTieBreak(session, existing))
        return refuse('duplicate connection', ErrorCode.CLOSED);
      // The new connection takes the old one's slot (see release).
      this.slotReservedUntil = this.options.now() + SLOT_RESERVED_MS;
      this.close(
        existing,
        ErrorCode.CLOSED,
        moved ? 'replaced: the node answers on a new connection' : 'duplicate connection',
      );
    }
    this.replaceRestarted(session);
    const key = addressKey(session.remote);
    let rescue = false;
    if (this.ordinaryCount() >= this.options.maxPeers + (session.direction === 'outbound' ? 1 : 0)) {
      // PROTOCOL §13.5: a rescue slot held for this HELLO (see admit).
      if (session.direction !== 'inbound' || !this.rescueHeld.has(key)) return refuse('full', ErrorCode.FULL);
      rescue = true;
    }
    this.rescueHeld.delete(key);
    if (!rescue) this.slotReservedUntil = 0;
    const link = new PeerLink(session, this.options.now);
    link.rescueSlot = rescue;
    if (session.claimedNoPath) link.notePathState(true);
    this.linksById.set(session.nodeId, link);
    if (candidate) {
      candidate.failures = 0;
      candidate.validated = true;
      candidate.nodeId = session.nodeId;
    }
    this.options.onLink(link);
    return link;
  }

  /**
   * PROTOCOL §2.2 tie-break: `fresh` replaces `held` when they differ in direction, fresh's
   * client has the lower node id, and `held` is young enough to be the other half of a
   * simultaneous open (TIE_BREAK_WINDOW_MS).
   */
  private winsTieBreak(fresh: SwarmSession, heldLink: PeerLink): boolean {
    const held = heldLink.session;
    if (fresh.direction === held.direction) return false;
    if (this.options.now() - heldLink.connectedAt > TIE_BREAK_WINDOW_MS) return false;
    const clientOf = (s: SwarmSession): string =>
      s.direction === 'outbound' ? this.options.selfNodeId : s.nodeId;
    return clientOf(fresh) < clientOf(held);
  }

  /**
   * A new node id at an address we hold a link to: the node there restarted (one socket is
   * one node, PROTOCOL §2.2), so the old link is dead and would only linger until it timed out.
   */
  private replaceRestarted(session: SwarmSession): void {
    const key = addressKey(session.remote);
    for (const old of this.links()) {
      if (addressKey(old.session.remote) !== key || old.nodeId === session.nodeId) continue;
      this.close(old, ErrorCode.CLOSED, 'replaced: a new node answers at this address');
    }
  }

  /**
   * When full: closes the neighbour we have heard nothing at all from for the longest, if
   * that is over MOVED_SILENT_MS (a keepalive comes every 5 s): it is gone or has moved
   * (PROTOCOL §13.5, §15.4), and its slot should not wait for its idle timeout.
   */
  private evictSilent(): boolean {
    let silent: PeerLink | null = null;
    for (const link of this.linksById.values())
      if (
        !link.rescueSlot && // freeing a rescue slot makes no room for an ordinary HELLO
        link.session.silentMs() >= MOVED_SILENT_MS &&
        (!silent || link.session.silentMs() > silent.session.silentMs())
      )
        silent = link;
    if (!silent) return false;
    const secs = Math.round(silent.session.silentMs() / 1000);
    this.close(silent, ErrorCode.RESOURCE_LIMIT, `evicted: heard nothing for ${secs} s`);
    return true;
  }

  /**
   * When full: closes the neighbour that has taken, relayed and delivered nothing for the
   * longest, if that is over idleEvictMs (GOODBYE RESOURCE_LIMIT, PROTOCOL §13.5).
   * Returns whether a slot was freed.
   */
  private evictIdle(): boolean {
    const now = this.options.now();
    const graceMs = this.options.idleEvictMs ?? IDLE_EVICT_MS;
    let idlest: PeerLink | null = null;
    for (const link of this.linksById.values())
      if (
        !link.rescueSlot &&
        now - link.lastActiveAt >= graceMs &&
        (!idlest || link.lastActiveAt < idlest.lastActiveAt)
      )
        idlest = link;
    if (!idlest) return false;
    const secs = Math.round((now - idlest.lastActiveAt) / 1000);
    this.close(idlest, ErrorCode.RESOURCE_LIMIT, `evicted: took and relayed nothing for ${secs} s`);
    return true;
  }

  /** Ends a neighbour's session with GOODBYE `code` (released first: closing reports a less telling reason). */
  close(link: PeerLink, code: number, why: string): void {
    this.release(link, new ShoalError(code, why));
    link.session.close(code, why.slice(0, 180));
  }

  /**
   * Closes a neighbour that takes our requests and never answers them (see
   * PeerLink.undelivering), and leaves its address alone for a while.
   */
  dropUndelivering(link: PeerLink, why: string): void {
    const candidate = this.candidates.get(addressKey(link.session.remote));
    this.release(link, ShoalError.deadline(`requests to peer ${link.nodeId} (${why})`));
    if (candidate) candidate.nextTryAt = this.options.now() + UNDELIVERING_COOLDOWN_MS;
    link.session.close(ErrorCode.DEADLINE_EXCEEDED, `dropped: ${why}`);
  }

  /** Called when a session closed, for whatever reason. */
  release(link: PeerLink, reason: ShoalError): void {
    if (this.linksById.get(link.nodeId) !== link) return;
    this.linksById.delete(link.nodeId);
    // An ordinary slot came free: a rescue-slot neighbour takes it (the earliest first),
    // unless it was freed for a HELLO whose handshake is under way (admit, adopt).
    const reserved = this.slotReservedUntil > this.options.now();
    if (!link.rescueSlot && !reserved && this.ordinaryCount() < this.options.maxPeers) {
      const rescued = this.links().find((l) => l.rescueSlot);
      if (rescued) rescued.rescueSlot = false;
    }
    const candidate = this.candidates.get(addressKey(link.session.remote));
    if (candidate) candidate.nextTryAt = this.options.now() + 2000;
    this.options.onUnlink(link, reason);
  }

  /**
   * Bans the neighbour's source IP for a while (BanList) and its node id for the run. A
   * bootstrap endpoint at that exact address is not dialled during the ban either; other
   * bootstrap endpoints at the same IP still are (the user named them).
   */
  ban(link: PeerLink, reason: ShoalError): void {
    const remote = link.session.remote;
    const ms = this.bans.ban(remote.host, reason.message);
    if (this.bannedIds.size >= MAX_BANNED_IDS) this.bannedIds.delete(this.bannedIds.values().next().value!);
    this.bannedIds.add(link.nodeId);
    for (const [key, c] of this.candidates) {
      if (c.address.host !== remote.host) continue;
      if (!c.permanent) this.candidates.delete(key);
      else if (c.address.port === remote.port) c.nextTryAt = this.options.now() + ms;
    }
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
    // A neighbour suspected dead (see PeerLink.suspect) holds its slot until its session
    // times out, but we dial for a replacement now: it may be the one that has what we need.
    let alive = 0;
    for (const link of this.linksById.values()) if (!link.suspected) alive++;
    for (const c of this.candidates.values()) {
      if (alive + dialing >= target) break;
      if (c.dialing || c.nextTryAt > now) continue;
      if (connected.has(addressKey(c.address)) || (c.nodeId && connectedIds.has(c.nodeId))) continue;
      const via = this.introducerOf(c);
      // PROTOCOL §5.18: two symmetric NATs cannot be punched; such a node is never counted on.
      if (via && this.options.punch?.hopeless(c.flags)) continue;
      if (!c.validated && !this.dialBudget.take()) continue;
      dialing += 1;
      if (via) this.introduce(c, via);
      else this.dial(c);
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

  /**
   * Broadcaster: rescue slots are taken back (PROTOCOL §13.5) from a neighbour that has had
   * a path again for RESCUE_RETURN_MS, or that took nothing for idleEvictMs.
   */
  returnRescueSlots(): void {
    const now = this.options.now();
    const idleMs = this.options.idleEvictMs ?? IDLE_EVICT_MS;
    for (const link of this.links()) {
      if (!link.rescueSlot) continue;
      if (link.pathBackSince !== null && now - link.pathBackSince >= RESCUE_RETURN_MS)
        this.close(link, ErrorCode.CLOSED, 'rescue slot returned: you have a path through other peers');
      else if (now - link.lastActiveAt >= idleMs)
        this.close(link, ErrorCode.RESOURCE_LIMIT, 'rescue slot returned: nothing taken');
    }
  }

  /** Viewer: we have just lost every path but the broadcaster: ask its address again now (with NO_PATH). */
  askBootstrapAgain(): void {
    const now = this.options.now();
    for (const c of this.candidates.values())
      if (c.permanent && !c.dialing) c.nextTryAt = Math.min(c.nextTryAt, now);
    this.maintain();
  }

  /**
   * PROTOCOL §5.18: an entry its sender can introduce and did not mark DIRECT is reached by
   * an introduction through that neighbour, not by a HELLO its NAT would drop.
   */
  private introducerOf(c: Candidate): PeerLink | null {
    if (!this.options.punch || c.validated || c.via === null || c.nodeId === null) return null;
    if (c.flags & PexFlag.DIRECT || !(c.flags & PexFlag.INTRODUCER)) return null;
    const via = this.linksById.get(c.via);
    return via?.speaksPunch ? via : null;
  }

  private introduce(c: Candidate, via: PeerLink): void {
    c.dialing = true;
    this.options.punch!.introduce(via, c.nodeId!).then((linked) => {
      c.dialing = false;
      if (linked) {
        c.failures = 0;
        return;
      }
      const now = this.options.now();
      c.failures += 1;
      c.nextTryAt = now + Math.min(30_000, 2000 * 2 ** c.failures);
      if (c.failures >= INTRODUCTION_MAX_FAILURES) this.giveUp(c, now);
    });
  }

  private giveUp(c: Candidate, now: number): void {
    const key = addressKey(c.address);
    this.candidates.delete(key);
    if (this.givenUp.size >= GIVEN_UP_MAX) this.givenUp.delete(this.givenUp.keys().next().value!);
    this.givenUp.set(key, now + GIVEN_UP_MS);
  }

  private dial(c: Candidate, timeoutMs?: number): void {
    c.dialing = true;
    const probe = timeoutMs !== undefined;
    const noPath = this.options.noPath?.() === true;
    this.options.dialer.dial(c.address, { ...(probe && { timeoutMs }), ...(noPath && { noPath }) }).then(
      (session) => {
        c.dialing = false;
        const now = this.options.now();
        const link = this.adopt(session);
        if (!link) {
          c.nextTryAt = now + 10_000;
          // Known now: while we hold a link to that node (at another of its addresses, e.g.
          // over the other IP version, PROTOCOL §2.2), this address is not dialled again.
          c.nodeId = session.nodeId;
          // Refused (e.g. the node behind our link is alive): it needs no probing for a while.
          if (probe) c.probeAt = now + PROBE_ALIVE_BACKOFF_MS;
        } else if (c.flags & PexFlag.INTRODUCER && !(c.flags & PexFlag.DIRECT)) {
          // A REJECT's entry behind NAT: its node probed toward us (PROTOCOL §5.18 step 7).
          link.path = 'punched';
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
        this.dialFailed(c, ShoalError.from(err), isConnectRejected(err) ? err.peers : undefined);
      },
    );
  }

  private dialFailed(c: Candidate, error: ShoalError, peers: PexPeer[] | undefined): void {
    const now = this.options.now();
    c.dialing = false;
    c.failures += 1;
    c.nextTryAt = now + Math.min(30_000, 1000 * 2 ** c.failures);
    // A REJECT comes only after a valid cookie (PROTOCOL §13.1): the address answers.
    const answered = error.code !== ErrorCode.HANDSHAKE_TIMEOUT && error.code !== ErrorCode.CLOSED;
    if (answered && error.code !== ErrorCode.BAD_ADDRESS) c.validated = true;
    if (peers) this.addCandidates(peers.slice(0, REJECT_PEERS_TAKEN));
    if (error.code === ErrorCode.STREAM_NOT_FOUND) c.nextTryAt = now + 5000;
    // FULL: the node is there and may have room soon (PROTOCOL §13.5); keep asking.
    if (error.code === ErrorCode.FULL)
      c.nextTryAt = now + Math.min(FULL_RETRY_MAX_MS, 1000 * 2 ** c.failures);
    // An entry behind NAT named by a REJECT is reached only when its node probes in time
    // (PROTOCOL §5.18 step 7): it gets as many tries as an introduction.
    const behindNat = c.flags & PexFlag.INTRODUCER && !(c.flags & PexFlag.DIRECT);
    const limit = c.validated ? 6 : behindNat ? INTRODUCTION_MAX_FAILURES : UNVALIDATED_MAX_FAILURES;
    if (c.failures >= limit && !c.permanent) this.giveUp(c, now);
    this.options.onDialError?.(c.address, error);
  }

  /**
   * Peers to hand out in PEX responses and REJECT FULL packets; IPv6 ones only when `ipv6`
   * (the receiver can use them, PROTOCOL §5.14).
   */
  pexPeers(max: number, exclude?: string, ipv6 = true): PexPeer[] {
    const out: PexPeer[] = [];
    const links = this.links().sort(() => Math.random() - 0.5);
    for (const link of links) {
      if (out.length >= max) break;
      if (link.nodeId === exclude) continue;
      if (!ipv6 && link.session.remote.host.includes(':')) continue;
      let flags = 0;
      if (link.isBroadcaster) flags |= PexFlag.BROADCASTER;
      if (!link.chokesUs) flags |= PexFlag.HAS_CAPACITY;
      flags |= punchFlags(link, this.options.punch !== undefined);
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
        stale.session.close(ErrorCode.CLOSED, 'replaced: nothing new from this neighbour');
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
      poor.session.close(ErrorCode.CLOSED, 'replaced by a better neighbour');
    }
  }

  destroy(): void {
    this.destroyed = true;
    for (const link of this.links()) link.session.close(ErrorCode.CLOSED, 'goodbye');
    this.linksById.clear();
    this.candidates.clear();
  }
}
