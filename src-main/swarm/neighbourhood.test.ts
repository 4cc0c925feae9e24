// The neighbourhood's closes (PROTOCOL §2.2, §5.3, §11): an ordinary close or a duplicate
// connection says CLOSED, a banned peer hears BANNED, never a code outside §11.

import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { fakeSession } from '../../test/fakes/swarm-fakes.js';
import { Neighbourhood } from './neighbourhood.js';
import type { SwarmSession } from './ports.js';

type FakeSession = SwarmSession & { closedWith: { code: number; message: string } | null };

function session(nodeId: string, port = 1): FakeSession {
  return {
    ...fakeSession({
      nodeId: nodeId.padEnd(16, '0'),
      remote: { host: '127.0.0.1', port },
      direction: 'inbound',
      speaksPex: true,
    }),
    closedWith: null,
    close(code, message) {
      this.closedWith = { code, message };
    },
  };
}

function neighbourhood(maxPeers = 4) {
  let now = 0;
  const n = new Neighbourhood({
    dialer: { dial: () => new Promise(() => undefined) },
    maxPeers,
    selfNodeId: 'ff'.repeat(8),
    now: () => now,
    onLink: () => undefined,
    onUnlink: () => undefined,
  });
  return { n, advance: (ms: number) => (now += ms) };
}

describe("Neighbourhood: other viewers known (the lone viewer's note)", () => {
  it('counts a viewer a neighbour named or one linked, not the stream address nor a bare DHT address', () => {
    const { n } = neighbourhood();
    n.addCandidates([{ host: '198.18.0.10', port: 4000 }], true);
    expect(n.knowsOtherViewers()).toBe(false);
    // get_peers may hand back a stale address, or our own announce: no node id, never answered.
    n.addCandidates([{ host: '198.18.0.11', port: 4001 }]);
    expect(n.knowsOtherViewers()).toBe(false);
    // Peer exchange (and REJECT FULL) name viewers with their node ids (PROTOCOL §5.14).
    n.addCandidates([{ host: '198.18.0.12', port: 4002, nodeId: 'ab'.repeat(8) }], false, 'cd'.repeat(8));
    expect(n.knowsOtherViewers()).toBe(true);
    const linked = neighbourhood();
    linked.n.adopt(session('a1', 5));
    expect(linked.n.knowsOtherViewers()).toBe(true);
    n.destroy();
    linked.n.destroy();
  });
});

describe('Neighbourhood closes', () => {
  it('says GOODBYE CLOSED to every neighbour on destroy, and to sessions that arrive after it', () => {
    const { n } = neighbourhood();
    const a = session('a1', 1);
    const b = session('b1', 2);
    n.adopt(a);
    n.adopt(b);
    n.destroy();
    expect(a.closedWith?.code).toBe(ErrorCode.CLOSED);
    expect(b.closedWith?.code).toBe(ErrorCode.CLOSED);
    const late = session('c1', 3);
    expect(n.adopt(late)).toBeNull();
    expect(late.closedWith).toEqual({ code: ErrorCode.CLOSED, message: 'shutting down' });
  });

  it('keeps the first connection of a node id and closes a second with CLOSED (PROTOCOL §2.2)', () => {
    const { n } = neighbourhood();
    const first = session('a1', 1);
    const second = { ...session('a1', 2), direction: 'outbound' as const };
    expect(n.adopt(first)).not.toBeNull();
    expect(n.adopt(second)).toBeNull();
    expect(second.closedWith).toEqual({ code: ErrorCode.CLOSED, message: 'duplicate connection' });
    expect(first.closedWith).toBeNull();
    expect(n.links().map((l) => l.session)).toEqual([first]);
    n.destroy();
  });

  it("lets the §2.2 tie-break settle only a simultaneous open: a later claim of a live neighbour's id is refused", () => {
    const { n, advance } = neighbourhood();
    // We (ff…) dialled a1…; an inbound connection claiming a1… has the lower client id.
    const held = { ...session('a1', 1), direction: 'outbound' as const };
    expect(n.adopt(held)).not.toBeNull();
    const simultaneous = session('a1', 1);
    expect(n.adopt(simultaneous)).not.toBeNull(); // both dialled at once: the lower id's wins
    expect(held.closedWith).toEqual({ code: ErrorCode.CLOSED, message: 'duplicate connection' });

    const live = { ...session('b1', 2), direction: 'outbound' as const };
    expect(n.adopt(live)).not.toBeNull();
    advance(20_000);
    const impostor = session('b1', 9); // another address, the same claimed node id
    expect(n.adopt(impostor)).toBeNull();
    expect(impostor.closedWith).toEqual({ code: ErrorCode.CLOSED, message: 'duplicate connection' });
    expect(live.closedWith).toBeNull();
    n.destroy();
  });

  it('closes a banned node with BANNED, also when it comes back', () => {
    const { n } = neighbourhood();
    const a = session('a1', 1);
    const link = n.adopt(a)!;
    n.ban(link, new ShoalError(ErrorCode.HASH_MISMATCH, 'forged segment'));
    expect(a.closedWith?.code).toBe(ErrorCode.BANNED);
    const again = session('a1', 5);
    expect(n.adopt(again)).toBeNull();
    expect(again.closedWith).toEqual({ code: ErrorCode.BANNED, message: 'banned' });
    n.destroy();
  });

  it('closes a neighbour it replaces with CLOSED', () => {
    const { n, advance } = neighbourhood(2);
    const a = session('a1', 1);
    const b = session('b1', 2);
    n.adopt(a);
    advance(1000);
    n.adopt(b);
    n.refresh(); // full: the neighbour useless the longest (a) makes room
    expect(a.closedWith?.code).toBe(ErrorCode.CLOSED);
    expect(b.closedWith).toBeNull();
    n.destroy();
  });
});

describe('Neighbourhood, one node at two addresses (PROTOCOL §2.2: IPv4 and IPv6)', () => {
  it('does not redial an address whose node it already holds a link to at another one', async () => {
    let now = 0;
    const dialled: string[] = [];
    const atV6 = { ...session('a1', 4000), remote: { host: '2001:db8::1', port: 4000 } };
    const n = new Neighbourhood({
      dialer: {
        dial: (a) => {
          dialled.push(a.host);
          // The node answers at its IPv6 address too: same node id, a duplicate connection.
          return Promise.resolve({ ...atV6, direction: 'outbound' as const });
        },
      },
      maxPeers: 4,
      selfNodeId: 'ff'.repeat(8),
      now: () => now,
      onLink: () => undefined,
      onUnlink: () => undefined,
    });
    n.adopt({ ...session('a1', 4000), remote: { host: '198.51.100.1', port: 4000 } });
    n.addCandidates([{ host: '2001:db8::1', port: 4000 }], true);
    n.maintain();
    await new Promise((r) => setTimeout(r, 0));
    expect(dialled).toEqual(['2001:db8::1']);
    for (let i = 0; i < 6; i++) {
      now += 20_000;
      n.maintain();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(dialled).toEqual(['2001:db8::1']);
    n.destroy();
  });
});
