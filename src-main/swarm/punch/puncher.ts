// The introduced node's side of hole punching (PROTOCOL §5.18 steps 1–4 and 6): asks a
// neighbour for an introduction (PUNCH_REQUEST), acts on the PUNCH_CONNECT that follows
// (its own, or one it did not ask for, within a budget), and opens the path: the client
// dials every candidate, the prober sends PUNCH probes to them; when exactly one side is
// behind a symmetric NAT, birthday punching (extra sockets on that side, random-port probes
// on the other). Both sides pick the same roles from the two NAT classes and node ids.

import { CandidateKind, MAX_PUNCH_CANDIDATES, NatClass, PunchRole } from '../../protocol/constants.js';
import type { FrameOf, PeerAddress, PunchCandidate } from '../../protocol/types.js';
import { ErrorCode } from '../../../src-shared/errors.js';
import { isUnicastHost } from '../../../src-shared/ip-scope.js';
import { DialBudget } from '../dial-budget.js';
import type { PeerLink } from '../peer-link.js';
import type { Dialer, PunchTransport, SwarmSession } from '../ports.js';

/** §5.18 step 1: the client's handshake timeout; the prober's rounds and their spacing. */
export const PUNCH_DIAL_TIMEOUT_MS = 6000;
const PROBE_EVERY_MS = 250;
const PROBE_ROUNDS = 25;
/** §5.18 step 4: the birthday prober's random-port probes, their pace, and its cool-down. */
const BIRTHDAY_PROBES = 1024;
const BIRTHDAY_START_MS = 500;
/** About 128 per second: the 1024 probes span the symmetric side's 8 s of open sockets. */
const BIRTHDAY_BATCH = 8;
const BIRTHDAY_BATCH_EVERY_MS = 62;
/** Random-port sprays at once (toward different symmetric nodes). */
const BIRTHDAY_SPRAYS = 2;
/** Birthday attempts as the symmetric side at once (256 extra sockets each). */
const BIRTHDAY_CLIENTS = 2;
/** §5.18 step 6: an asked-for introduction counts for 10 s; unsolicited ones 8, then 1 per s; 8 at once. */
const ASKED_VALID_MS = 10_000;
const UNSOLICITED_BURST = 8;
const UNSOLICITED_EVERY_MS = 1000;
const MAX_RUNNING = 8;
/** A request not followed by a link within this long failed. */
const REQUEST_TIMEOUT_MS = ASKED_VALID_MS + PUNCH_DIAL_TIMEOUT_MS;

export interface PuncherOptions {
  selfNodeId: string;
  now: () => number;
  transport: PunchTransport;
  dialer: Dialer;
  /** Our NAT class now (NatObserver). */
  nat: () => number;
  linked: (nodeId: string) => boolean;
  /** A session a punch opened: to the neighbourhood; the link, or null when refused. */
  adopt: (session: SwarmSession) => PeerLink | null;
  /** Diagnostics (the engine's debug log), one line per event. */
  log?: (line: string) => void;
  /** Random numbers in [0, 1) for the birthday probes' ports (tests inject their own). */
  random?: () => number;
}

export interface PuncherStats {
  requested: number;
  introductions: number;
  ignored: number;
  punched: number;
  probesSent: number;
  birthdayAttempts: number;
  birthdayWins: number;
}

interface Asked {
  via: PeerLink;
  at: number;
  settle: (ok: boolean) => void;
}

const usable = (c: PunchCandidate): boolean =>
  c.kind <= CandidateKind.MAPPED && c.port > 0 && c.port < 65536 && isUnicastHost(c.host);

export class Puncher {
  private readonly asked = new Map<string, Asked>();
  /** Nodes we were introduced to, until when a link with them counts as punched. */
  private readonly introduced = new Map<string, number>();
  private readonly unsolicited: DialBudget;
  private running = 0;
  private birthdays = 0;
  private sprays = 0;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private destroyed = false;
  readonly stats: PuncherStats = {
    requested: 0,
    introductions: 0,
    ignored: 0,
    punched: 0,
    probesSent: 0,
    birthdayAttempts: 0,
    birthdayWins: 0,
  };

  constructor(private readonly o: PuncherOptions) {
    this.unsolicited = new DialBudget(o.now, UNSOLICITED_BURST, UNSOLICITED_EVERY_MS);
  }

  /** Introductions being acted on now. */
  get active(): number {
    return this.running;
  }

  /** Asks neighbour `via` to introduce us to `nodeId`; true once we hold a link to it. */
  request(via: PeerLink, nodeId: string): Promise<boolean> {
    if (this.destroyed || !via.speaksPunch) return Promise.resolve(false);
    this.asked.get(nodeId)?.settle(false);
    this.stats.requested++;
    this.o.log?.(`punch: asking ${via.nodeId.slice(0, 8)} to introduce ${nodeId.slice(0, 8)}`);
    return new Promise<boolean>((resolve) => {
      const entry: Asked = {
        via,
        at: this.o.now(),
        settle: (ok) => {
          if (this.asked.get(nodeId) === entry) this.asked.delete(nodeId);
          resolve(ok);
        },
      };
      this.asked.set(nodeId, entry);
      via.session.send({ type: 'PUNCH_REQUEST', nodeId: Buffer.from(nodeId, 'hex') });
    });
  }

  /** PUNCH_FAILED from `from`: the introduction we asked it for will not come. */
  onFailed(from: PeerLink, f: FrameOf<'PUNCH_FAILED'>): void {
    const asked = this.asked.get(Buffer.from(f.nodeId).toString('hex'));
    this.o.log?.(
      `punch: ${from.nodeId.slice(0, 8)} will not introduce ${Buffer.from(f.nodeId).toString('hex').slice(0, 8)}: reason ${f.reason}`,
    );
    if (asked && asked.via === from) asked.settle(false);
  }

  /**
   * A new link: if it is with a node we were just introduced to, the punch opened it (the
   * prober's side sees the client's connection arrive as an ordinary inbound one).
   */
  claim(link: PeerLink): void {
    const until = this.introduced.get(link.nodeId);
    if (until === undefined) return;
    this.introduced.delete(link.nodeId);
    if (until >= this.o.now() && link.path !== 'punched') {
      link.path = 'punched';
      this.stats.punched++;
      this.o.log?.(
        `punch: linked ${link.nodeId.slice(0, 8)} (${link.session.direction}) at ${link.session.remote.host}:${link.session.remote.port}`,
      );
    }
  }

  /** Settles requests whose link came, or that took too long. Called from the swarm's tick. */
  tick(now: number): void {
    for (const [nodeId, until] of this.introduced) if (until < now) this.introduced.delete(nodeId);
    for (const [nodeId, a] of this.asked) {
      if (this.o.linked(nodeId)) a.settle(true);
      else if (now - a.at > REQUEST_TIMEOUT_MS) a.settle(false);
    }
  }

  /** PUNCH_CONNECT from neighbour `from` (PROTOCOL §5.18 step 6). */
  onConnect(from: PeerLink, f: FrameOf<'PUNCH_CONNECT'>): void {
    const otherId = Buffer.from(f.nodeId).toString('hex');
    const asked = this.asked.get(otherId);
    const solicited = asked !== undefined && asked.via === from && this.o.now() - asked.at <= ASKED_VALID_MS;
    // Not an IP version our socket lacks (PROTOCOL §2.2): a HELLO there cannot even leave.
    const reachable = (c: PunchCandidate): boolean => usable(c) && this.o.dialer.reaches?.(c.host) !== false;
    const candidates = f.candidates.filter(reachable).slice(0, MAX_PUNCH_CANDIDATES);
    const selfNat = this.o.nat();
    const role = f.role;
    // Birthday punching is costly: at most BIRTHDAY_CLIENTS attempts at once on the symmetric
    // side, BIRTHDAY_SPRAYS random-port sprays at once on the other (§5.18 step 6).
    const birthdayBusy =
      (role === PunchRole.BIRTHDAY_CLIENT && this.birthdays >= BIRTHDAY_CLIENTS) ||
      (role === PunchRole.BIRTHDAY_PROBER && this.sprays >= BIRTHDAY_SPRAYS);
    // Birthday roles only where they make sense: we open 256 sockets only if we are the
    // symmetric side, and spray random ports only toward a symmetric side (§5.18 step 4).
    // Anything else is a neighbour steering our upload at an address of its choice.
    const birthdayMisfit =
      (role === PunchRole.BIRTHDAY_CLIENT && selfNat !== NatClass.SYMMETRIC) ||
      (role === PunchRole.BIRTHDAY_PROBER && f.nat !== NatClass.SYMMETRIC);
    if (
      this.destroyed ||
      otherId === this.o.selfNodeId ||
      this.o.linked(otherId) ||
      candidates.length === 0 ||
      role > PunchRole.BIRTHDAY_PROBER ||
      birthdayBusy ||
      birthdayMisfit ||
      this.running >= MAX_RUNNING ||
      (selfNat === NatClass.SYMMETRIC && f.nat === NatClass.SYMMETRIC) ||
      (!solicited && !this.unsolicited.take())
    ) {
      this.stats.ignored++;
      this.o.log?.(
        `punch: ignored introduction to ${otherId.slice(0, 8)} (nat ${f.nat}, ours ${selfNat}, solicited ${solicited}, running ${this.running})`,
      );
      return;
    }
    this.stats.introductions++;
    this.introduced.set(otherId, this.o.now() + REQUEST_TIMEOUT_MS);
    const birthday = role === PunchRole.BIRTHDAY_CLIENT || role === PunchRole.BIRTHDAY_PROBER;
    const client = role === PunchRole.CLIENT || role === PunchRole.BIRTHDAY_CLIENT;
    const observed = candidates.find((c) => c.kind === CandidateKind.OBSERVED);
    this.o.log?.(
      `punch: introduced to ${otherId.slice(0, 8)} by ${from.nodeId.slice(0, 8)}: role ${role}, nat ${f.nat}, ours ${selfNat}, candidates ${candidates.map((c) => `${c.kind}:${c.host}:${c.port}`).join(' ')}`,
    );
    this.running++;
    const done = (): void => {
      this.running--;
    };
    if (client && birthday && observed) void this.birthdayClient(observed, f.token).finally(done);
    else if (client) void this.dialAll(candidates).finally(done);
    else this.probe(otherId, candidates, f.token, birthday ? (observed ?? null) : null, done);
  }

  destroy(): void {
    this.destroyed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const a of [...this.asked.values()]) a.settle(false);
  }

  private adopt(session: SwarmSession): void {
    if (this.destroyed) return session.close(ErrorCode.CLOSED, 'shutting down');
    const link = this.o.adopt(session);
    if (link) this.claim(link);
  }

  /** Client: HELLOs to every candidate at once; the first handshake wins (§5.18 step 1). */
  private async dialAll(candidates: PunchCandidate[]): Promise<void> {
    await Promise.allSettled(
      candidates.map((c) =>
        this.o.dialer
          .dial({ host: c.host, port: c.port }, { timeoutMs: PUNCH_DIAL_TIMEOUT_MS })
          .then((s) => this.adopt(s)),
      ),
    );
  }

  /** Client behind a symmetric NAT: extra sockets (§5.18 step 4). */
  private async birthdayClient(to: PeerAddress, token: Uint8Array): Promise<void> {
    this.birthdays++;
    this.stats.birthdayAttempts++;
    try {
      const session = await this.o.transport.birthday({ host: to.host, port: to.port }, token);
      this.o.log?.(`punch: birthday toward ${to.host}:${to.port} ${session ? 'won' : 'found no socket'}`);
      if (session) {
        this.stats.birthdayWins++;
        this.adopt(session);
      }
    } finally {
      this.birthdays--;
    }
  }

  /** Prober: PUNCH to every candidate each round until linked; as a birthday prober, random ports too. */
  private probe(
    otherId: string,
    candidates: PunchCandidate[],
    token: Uint8Array,
    birthdayIp: PeerAddress | null,
    done: () => void,
  ): void {
    let round = 0;
    let finished = 0;
    const finish = (): void => {
      if (++finished === (randomPorts ? 2 : 1)) done();
    };
    const stop = (): boolean => this.destroyed || this.o.linked(otherId);
    const tick = (): void => {
      if (stop() || round >= PROBE_ROUNDS) return finish();
      for (const c of candidates) {
        this.o.transport.probe({ host: c.host, port: c.port }, token, round);
        this.stats.probesSent++;
      }
      round++;
      this.after(PROBE_EVERY_MS, tick);
    };
    const randomPorts = birthdayIp !== null;
    tick();
    if (!randomPorts) return;
    this.sprays++;
    this.stats.birthdayAttempts++;
    let sent = 0;
    const spray = (): void => {
      if (stop() || sent >= BIRTHDAY_PROBES) {
        this.sprays--;
        return finish();
      }
      for (let i = 0; i < BIRTHDAY_BATCH && sent < BIRTHDAY_PROBES; i++, sent++) {
        const port = 1024 + Math.floor((this.o.random ?? Math.random)() * (65536 - 1024));
        this.o.transport.probe({ host: birthdayIp.host, port }, token, sent);
        this.stats.probesSent++;
      }
      this.after(BIRTHDAY_BATCH_EVERY_MS, spray);
    };
    this.after(BIRTHDAY_START_MS, spray);
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (!this.destroyed) fn();
    }, ms);
    t.unref?.();
    this.timers.add(t);
  }
}
