// The introducer's side of hole punching (PROTOCOL §5.18, steps 2 and 5): a neighbour asks
// (PUNCH_REQUEST) to be introduced to another neighbour; both get a PUNCH_CONNECT with the
// other's candidates and one fresh token, or the asker gets PUNCH_FAILED. Only established
// neighbours are introduced, to each other, a pair at most once per 10 s, and requests are
// paced per connection and in all: an introduction makes two nodes send probes, so it must
// not become a way to aim traffic anywhere (§13.5).

import { randomBytes } from 'node:crypto';
import {
  CandidateKind,
  MAX_PUNCH_CANDIDATES,
  NatClass,
  PunchFailure,
  PunchRole,
} from '../../protocol/constants.js';
import type { PeerAddress, PunchCandidate } from '../../protocol/types.js';
import { DialBudget } from '../dial-budget.js';
import type { PeerLink } from '../peer-link.js';

/** §5.18 step 5: 4 requests per connection at once, then one per 2 s… */
const PER_LINK_BURST = 4;
const PER_LINK_EVERY_MS = 2000;
/** …16 introductions at once in all, then 4 per second… */
const TOTAL_BURST = 16;
const TOTAL_EVERY_MS = 250;
/** …and a pair at most once per 10 s. */
const PAIR_EVERY_MS = 10_000;
const PAIRS_KEPT = 1024;

export interface IntroducerStats {
  introduced: number;
  refused: number;
}

export class Introducer {
  private readonly perLink = new WeakMap<PeerLink, DialBudget>();
  private readonly total: DialBudget;
  private readonly pairs = new Map<string, number>();
  readonly stats: IntroducerStats = { introduced: 0, refused: 0 };

  constructor(
    private readonly now: () => number,
    private readonly linkOf: (nodeId: string) => PeerLink | undefined,
  ) {
    this.total = new DialBudget(now, TOTAL_BURST, TOTAL_EVERY_MS);
  }

  /** PUNCH_REQUEST from `from` (an established neighbour: the frame came on its session). */
  onRequest(from: PeerLink, targetId: Uint8Array): void {
    const target = this.linkOf(Buffer.from(targetId).toString('hex'));
    const fail = (reason: number): void => {
      this.stats.refused++;
      from.session.send({ type: 'PUNCH_FAILED', nodeId: targetId, reason });
    };
    let bucket = this.perLink.get(from);
    if (!bucket)
      this.perLink.set(from, (bucket = new DialBudget(this.now, PER_LINK_BURST, PER_LINK_EVERY_MS)));
    if (!bucket.take()) return fail(PunchFailure.BUSY);
    if (!target || target === from || !target.speaksPunch) return fail(PunchFailure.NOT_CONNECTED);
    if (from.nat === NatClass.SYMMETRIC && target.nat === NatClass.SYMMETRIC)
      return fail(PunchFailure.BOTH_SYMMETRIC);
    const now = this.now();
    const pair = [from.nodeId, target.nodeId].sort().join('|');
    // The same pair again within 10 s (typically both asked at once): the introduction
    // already sent serves both, so this one gets no answer.
    if ((this.pairs.get(pair) ?? -Infinity) > now - PAIR_EVERY_MS) return;
    if (!this.total.take()) return fail(PunchFailure.BUSY);
    if (this.pairs.size >= PAIRS_KEPT) this.prunePairs(now);
    this.pairs.set(pair, now);
    const token = randomBytes(8);
    const [fromRole, targetRole] = punchRoles(from, target);
    from.session.send(connectAbout(target, token, fromRole));
    target.session.send(connectAbout(from, token, targetRole));
    this.stats.introduced++;
  }

  /**
   * PROTOCOL §5.18 step 7: we answer `client` FULL and name `links` (neighbours of ours) in
   * the REJECT. The client will dial them; those behind NAT would drop its HELLOs, so each
   * is told to probe toward the client's address (cookie-validated: a REJECT with peers is
   * only sent after a valid cookie, §13.1). Same pair and total limits as requests.
   */
  introduceRejected(client: PeerAddress, nodeId: Uint8Array, links: readonly PeerLink[]): void {
    const clientId = Buffer.from(nodeId).toString('hex');
    const now = this.now();
    for (const link of links) {
      if (!link.speaksPunch || link.nodeId === clientId) continue;
      const pair = [clientId, link.nodeId].sort().join('|');
      if ((this.pairs.get(pair) ?? -Infinity) > now - PAIR_EVERY_MS) continue;
      if (!this.total.take()) return;
      if (this.pairs.size >= PAIRS_KEPT) this.prunePairs(now);
      this.pairs.set(pair, now);
      link.session.send({
        type: 'PUNCH_CONNECT',
        token: randomBytes(8),
        nodeId: Buffer.from(nodeId),
        nat: NatClass.UNKNOWN,
        role: PunchRole.PROBER,
        candidates: [{ kind: CandidateKind.OBSERVED, host: client.host, port: client.port }],
      });
      this.stats.introduced++;
    }
  }

  private prunePairs(now: number): void {
    for (const [k, at] of this.pairs) if (at <= now - PAIR_EVERY_MS) this.pairs.delete(k);
    while (this.pairs.size >= PAIRS_KEPT) this.pairs.delete(this.pairs.keys().next().value!);
  }
}

/**
 * PROTOCOL §5.18 step 1: the roles of two nodes, decided by the introducer from the NAT
 * classes they told it, so both act on the same view. One behind a symmetric NAT (and not
 * the other): birthday punching, the symmetric side opening the extra sockets. Otherwise the
 * lower node id dials (the §2.2 tie-break keeps that connection anyway).
 */
export function punchRoles(
  a: { nodeId: string; nat: number },
  b: { nodeId: string; nat: number },
): [number, number] {
  const symA = a.nat === NatClass.SYMMETRIC;
  const symB = b.nat === NatClass.SYMMETRIC;
  if (symA !== symB)
    return symA
      ? [PunchRole.BIRTHDAY_CLIENT, PunchRole.BIRTHDAY_PROBER]
      : [PunchRole.BIRTHDAY_PROBER, PunchRole.BIRTHDAY_CLIENT];
  return a.nodeId < b.nodeId ? [PunchRole.CLIENT, PunchRole.PROBER] : [PunchRole.PROBER, PunchRole.CLIENT];
}

/** PUNCH_CONNECT about `link`: its session's address first (OBSERVED), then what it told us. */
function connectAbout(link: PeerLink, token: Uint8Array, role: number) {
  const candidates: PunchCandidate[] = [{ kind: CandidateKind.OBSERVED, ...link.session.remote }];
  for (const c of link.candidates) {
    if (candidates.length >= MAX_PUNCH_CANDIDATES) break;
    if (c.kind !== CandidateKind.OBSERVED) candidates.push(c);
  }
  return {
    type: 'PUNCH_CONNECT' as const,
    token,
    nodeId: Buffer.from(link.nodeId, 'hex'),
    nat: link.nat,
    role,
    candidates,
  };
}
