// Who a node dials and admits (PROTOCOL §5.14, §13.5), with a scripted dialer and a
// hand-moved clock: addresses a neighbour named are dialled at a bounded pace and never
// when they name no peer; bans hold per IP, from any port, until they expire; a full node
// makes room by evicting a neighbour that took and relayed nothing.

import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { fakeSession } from '../../test/fakes/swarm-fakes.js';
import type { PeerAddress, PexPeer } from '../protocol/types.js';
import { ConnectRejectedError } from '../transport/index.js';
import { BAN_MS } from './ban-list.js';
import { UNVALIDATED_DIAL_BURST, UNVALIDATED_DIAL_EVERY_MS } from './dial-budget.js';
import { IDLE_EVICT_MS, MAX_UNVALIDATED, Neighbourhood, REJECT_PEERS_TAKEN } from './neighbourhood.js';
import type { PeerLink } from './peer-link.js';
import type { SwarmSession } from './ports.js';

interface FakeSession extends SwarmSession {
  closedWith: { code: number; message: string } | null;
}

function session(host: string, port: number, nodeId: string, direction: 'inbound' | 'outbound'): FakeSession {
  const s: FakeSession = {
    ...fakeSession({
      nodeId: nodeId.padEnd(16, '0'),
      remote: { host, port },
      direction,
      speaksPieces: true,
      speaksPex: true,
    }),
    closedWith: null,
    close: (code, message) => {
      s.closedWith = { code, message };
    },
  };
  return s;
}

/** A neighbourhood whose dials never complete unless a test settles them. */
function setup(opts: { maxPeers?: number } = {}) {
  let t = 1_000_000;
  const dials: { address: PeerAddress; fail(e: ShoalError): void }[] = [];
  const unlinked: { link: PeerLink; reason: ShoalError }[] = [];
  const hood = new Neighbourhood({
    dialer: {
      dial: (address) =>
        new Promise<SwarmSession>((_resolve, reject) => dials.push({ address, fail: (e) => reject(e) })),
    },
    maxPeers: opts.maxPeers ?? 4,
    dialTarget: 100,
    selfNodeId: 'self'.padEnd(16, '0'),
    now: () => t,
    onLink: () => undefined,
    onUnlink: (link, reason) => unlinked.push({ link, reason }),
  });
  return {
    hood,
    dials,
    unlinked,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

const pex = (host: string, port: number): PexPeer => ({
  host,
  port,
  nodeId: new Uint8Array(8).fill(port & 0xff),
  flags: 0,
});
const flush = () => new Promise((r) => setImmediate(r));

describe('Neighbourhood: what it dials', () => {
  it('never dials multicast, broadcast, unspecified or reserved addresses, nor port 0', () => {
    const { hood, dials } = setup();
    hood.addCandidates([
      pex('224.0.0.1', 4000),
      pex('255.255.255.255', 4000),
      pex('0.0.0.0', 4000),
      pex('240.1.2.3', 4000),
      pex('ff02::1', 4000),
      pex('::', 4000),
      pex('10.0.0.1', 0),
    ]);
    hood.maintain();
    expect(dials).toHaveLength(0);
    hood.addCandidates([pex('10.0.0.1', 4000)]);
    hood.maintain();
    expect(dials.map((d) => d.address)).toEqual([{ host: '10.0.0.1', port: 4000 }]);
  });

  it('dials addresses only a neighbour named at a bounded pace, and keeps a bounded list of them', async () => {
    const tried: number[] = [];
    const { hood, dials, advance } = setup({ maxPeers: 24 });
    hood.addCandidates(Array.from({ length: 200 }, (_, i) => pex('198.51.100.7', 1000 + i)));
    hood.maintain();
    expect(dials).toHaveLength(UNVALIDATED_DIAL_BURST);
    hood.maintain();
    expect(dials).toHaveLength(UNVALIDATED_DIAL_BURST);
    advance(UNVALIDATED_DIAL_EVERY_MS);
    hood.maintain();
    expect(dials).toHaveLength(UNVALIDATED_DIAL_BURST + 1);
    // However long it runs (every dial failing), it dials at that pace, each of at most
    // MAX_UNVALIDATED distinct addresses at most twice.
    for (let i = 0; i < 200; i++) {
      for (const d of dials.splice(0)) d.fail(new ShoalError(ErrorCode.HANDSHAKE_TIMEOUT, 'no answer'));
      await flush();
      advance(UNVALIDATED_DIAL_EVERY_MS);
      hood.maintain();
      expect(dials.length).toBeLessThanOrEqual(1);
      for (const d of dials) tried.push(d.address.port);
    }
    expect(new Set(tried).size).toBeLessThanOrEqual(MAX_UNVALIDATED);
    expect(tried.length).toBeLessThanOrEqual(2 * MAX_UNVALIDATED);
  });

  it('gives up an unvalidated address after two failed dials and does not take it again', async () => {
    const { hood, dials, advance } = setup();
    hood.addCandidates([pex('198.51.100.9', 5000)]);
    for (let i = 0; i < 2; i++) {
      hood.maintain();
      dials.at(-1)!.fail(new ShoalError(ErrorCode.HANDSHAKE_TIMEOUT, 'no answer'));
      await flush();
      advance(60_000);
    }
    expect(dials).toHaveLength(2);
    hood.addCandidates([pex('198.51.100.9', 5000)]);
    for (let i = 0; i < 5; i++) {
      advance(60_000);
      hood.maintain();
    }
    expect(dials).toHaveLength(2);
  });

  it('keeps asking a bootstrap node that answered FULL, and takes a bounded number of the peers it listed', async () => {
    const { hood, dials, advance } = setup();
    hood.addCandidates([{ host: '192.0.2.1', port: 4000 }], true);
    for (let round = 0; round < 8; round++) {
      hood.maintain();
      const dial = dials.filter((d) => d.address.host === '192.0.2.1').at(-1)!;
      const listed = Array.from({ length: 60 }, (_, i) => pex('203.0.113.5', 2000 + round * 100 + i));
      dial.fail(new ConnectRejectedError(ErrorCode.FULL, 'no free peer slots', listed));
      await flush();
      advance(15_000);
    }
    expect(dials.filter((d) => d.address.host === '192.0.2.1')).toHaveLength(8);
    expect(dials.filter((d) => d.address.host === '203.0.113.5').length).toBeLessThanOrEqual(
      REJECT_PEERS_TAKEN * 8,
    );
  });
});

describe('Neighbourhood: bans and admission', () => {
  it('refuses a banned IP from any port until the ban expires', () => {
    const { hood } = setup();
    const link = hood.adopt(session('198.51.100.1', 4000, 'a1', 'inbound'))!;
    hood.ban(link, new ShoalError(ErrorCode.HASH_MISMATCH, 'piece 3 of segment 9 does not match'));
    const again = hood.admit({ host: '198.51.100.1', port: 4001 });
    expect(again).toMatchObject({ accept: false, code: ErrorCode.BANNED });
    expect(hood.admit({ host: '198.51.100.2', port: 4000 })).toEqual({ accept: true });
    // A session from the banned IP that got past the handshake is still refused.
    const sneaky = session('198.51.100.1', 4002, 'a2', 'inbound');
    expect(hood.adopt(sneaky)).toBeNull();
    expect(sneaky.closedWith?.code).toBe(ErrorCode.BANNED);
    // Nor does it come back as a dial target through PEX.
    hood.addCandidates([pex('198.51.100.1', 4003)]);
    hood.maintain();
    expect(hood.admit({ host: '198.51.100.1', port: 4004 })).toMatchObject({ code: ErrorCode.BANNED });
  });

  it('lets a banned IP back after the ban, and bans a repeat offender for longer', () => {
    const { hood, advance } = setup();
    const first = hood.adopt(session('198.51.100.1', 4000, 'b1', 'inbound'))!;
    hood.ban(first, new ShoalError(ErrorCode.BAD_SIGNATURE, 'forged'));
    advance(BAN_MS + 1);
    expect(hood.admit({ host: '198.51.100.1', port: 4005 })).toEqual({ accept: true });
    const second = hood.adopt(session('198.51.100.1', 4005, 'b2', 'inbound'))!;
    hood.ban(second, new ShoalError(ErrorCode.BAD_SIGNATURE, 'forged again'));
    advance(BAN_MS + 1);
    expect(hood.admit({ host: '198.51.100.1', port: 4006 })).toMatchObject({ code: ErrorCode.BANNED });
  });

  it('when full, makes room by evicting the neighbour idle the longest, never an active one', () => {
    const { hood, advance, unlinked } = setup({ maxPeers: 3 });
    const sessions = [1, 2, 3].map((i) => session('198.51.100.3', 5000 + i, `c${i}`, 'inbound'));
    const links = sessions.map((s) => hood.adopt(s)!);
    expect(hood.admit({ host: '198.51.100.4', port: 1 })).toMatchObject({ code: ErrorCode.FULL });
    advance(IDLE_EVICT_MS / 2);
    links[0]!.noteActivity();
    links[2]!.noteActivity();
    advance(IDLE_EVICT_MS / 2);
    // Link 1 took and relayed nothing since it connected; the others did half-way.
    expect(hood.admit({ host: '198.51.100.4', port: 1 })).toEqual({ accept: true });
    expect(sessions[1]!.closedWith?.code).toBe(ErrorCode.RESOURCE_LIMIT);
    expect(unlinked.map((u) => u.link)).toEqual([links[1]]);
    expect(hood.size).toBe(2);
    hood.adopt(session('198.51.100.4', 1, 'd1', 'inbound'));
    // The others are within their grace: the next newcomer is told FULL, with peers to try.
    const full = hood.admit({ host: '198.51.100.5', port: 1 });
    expect(full).toMatchObject({ accept: false, code: ErrorCode.FULL });
    expect(full.accept === false && full.peers?.length).toBe(3);
  });
});
