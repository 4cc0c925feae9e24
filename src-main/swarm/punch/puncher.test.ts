import { describe, expect, it } from 'vitest';
import { NatClass, PunchRole } from '../../protocol/constants.js';
import type { Frame, PeerAddress } from '../../protocol/types.js';
import { PeerLink } from '../peer-link.js';
import type { PunchTransport } from '../ports.js';
import { fakeSession } from '../../../test/fakes/swarm-fakes.js';
import { Puncher } from './puncher.js';
import { waitFor } from '../../../test/fixtures/wait.js';

const SELF = '88'.repeat(8);

function setup(nat: number = NatClass.CONE) {
  let randomCalls = 0;
  const probes: PeerAddress[] = [];
  const dials: PeerAddress[] = [];
  const sent: Frame[] = [];
  const transport: PunchTransport = {
    localPort: () => 5000,
    localHosts: () => [],
    probe: (to) => probes.push(to),
    birthday: () => Promise.resolve(null),
  };
  const via = new PeerLink(
    fakeSession({ nodeId: 'ee'.repeat(8), speaksPunch: true, send: (f) => sent.push(f) }),
    Date.now,
  );
  const puncher = new Puncher({
    selfNodeId: SELF,
    now: Date.now,
    transport,
    dialer: { dial: (a) => (dials.push(a), new Promise(() => undefined)) },
    nat: () => nat,
    linked: () => false,
    adopt: () => null,
    // Random ports from 7475 up: never the candidate's own port 4000, which the tests count apart.
    random: () => 0.1 + 0.9 * ((randomCalls++ * 0.618033) % 1),
  });
  return { probes, dials, sent, via, puncher };
}

const connect = (
  nodeId: string,
  candidates: { kind: number; host: string; port: number }[],
  nat: number = NatClass.CONE,
  role: number = SELF < nodeId ? PunchRole.CLIENT : PunchRole.PROBER,
) => ({
  type: 'PUNCH_CONNECT' as const,
  token: Buffer.alloc(8, 1),
  nodeId: Buffer.from(nodeId, 'hex'),
  nat,
  role,
  candidates,
});

describe('Puncher (PROTOCOL §5.18 steps 1 and 6)', () => {
  it('as the lower node id dials every usable candidate; skips non-unicast ones and port 0', () => {
    const { dials, probes, via, puncher } = setup();
    puncher.onConnect(
      via,
      connect('99'.repeat(8), [
        { kind: 0, host: '198.51.100.7', port: 4000 },
        { kind: 1, host: '255.255.255.255', port: 4000 },
        { kind: 1, host: '224.0.0.1', port: 4000 },
        { kind: 1, host: '10.0.0.7', port: 0 },
      ]),
    );
    expect(dials).toEqual([{ host: '198.51.100.7', port: 4000 }]);
    expect(probes).toEqual([]);
    puncher.destroy();
  });

  it('as the higher node id probes instead, within 25 rounds', () => {
    const { dials, probes, via, puncher } = setup();
    puncher.onConnect(via, connect('11'.repeat(8), [{ kind: 0, host: '198.51.100.7', port: 4000 }]));
    expect(dials).toEqual([]);
    expect(probes).toEqual([{ host: '198.51.100.7', port: 4000 }]);
    puncher.destroy();
  });

  it('acts on an asked-for introduction, then on at most 8 at once in all', async () => {
    const { dials, via, puncher, sent } = setup();
    void puncher.request(via, 'fe'.repeat(8));
    expect(sent).toEqual([{ type: 'PUNCH_REQUEST', nodeId: Buffer.from('fe'.repeat(8), 'hex') }]);
    puncher.onConnect(via, connect('fe'.repeat(8), [{ kind: 0, host: '198.51.100.8', port: 4000 }]));
    expect(dials.length).toBe(1);
    for (let i = 0; i < 1000; i++)
      puncher.onConnect(
        via,
        connect((0x90 + (i % 100)).toString(16).padStart(2, '0').repeat(8), [
          { kind: 0, host: '198.51.100.7', port: 4000 + i },
        ]),
      );
    expect(dials.length).toBe(8);
    expect(puncher.stats.ignored).toBe(993);
    puncher.destroy();
  });

  it('as the birthday prober sprays at most 1024 random ports of the symmetric side, two sprays at once', async () => {
    const { probes, via, puncher } = setup();
    const sym = [{ kind: 0, host: '198.51.100.9', port: 4000 }];
    puncher.onConnect(via, connect('99'.repeat(8), sym, NatClass.SYMMETRIC, PunchRole.BIRTHDAY_PROBER));
    puncher.onConnect(via, connect('98'.repeat(8), sym, NatClass.SYMMETRIC, PunchRole.BIRTHDAY_PROBER));
    puncher.onConnect(via, connect('97'.repeat(8), sym, NatClass.SYMMETRIC, PunchRole.BIRTHDAY_PROBER));
    expect(puncher.stats.ignored).toBe(1);
    await waitFor(() => puncher.active === 0, { timeoutMs: 60_000, what: 'the spray to end' });
    const random = probes.filter((p) => p.port !== 4000);
    expect(random.length).toBe(2 * 1024);
    expect(random.every((p) => p.host === '198.51.100.9' && p.port >= 1024 && p.port < 65536)).toBe(true);
    expect(probes.filter((p) => p.port === 4000).length).toBeLessThanOrEqual(2 * 25);
    puncher.destroy();
  }, 90_000);

  it('takes a birthday role only where it fits: 256 sockets only behind a symmetric NAT, sprays only at one', async () => {
    // We are behind a cone NAT: a neighbour asking us to be the birthday client (open 256
    // sockets), or to spray random ports of a peer that is not symmetric, is refused.
    const { dials, probes, via, puncher } = setup(NatClass.CONE);
    const at = [{ kind: 0, host: '198.51.100.9', port: 4000 }];
    puncher.onConnect(via, connect('11'.repeat(8), at, NatClass.SYMMETRIC, PunchRole.BIRTHDAY_CLIENT));
    puncher.onConnect(via, connect('99'.repeat(8), at, NatClass.CONE, PunchRole.BIRTHDAY_PROBER));
    expect(puncher.stats.ignored).toBe(2);
    expect(puncher.active).toBe(0);
    expect(dials).toEqual([]);
    expect(probes).toEqual([]);
    puncher.destroy();
  });

  it('never tries two symmetric NATs, and settles a refused request false', async () => {
    const { dials, probes, via, puncher } = setup(NatClass.SYMMETRIC);
    puncher.onConnect(
      via,
      connect('99'.repeat(8), [{ kind: 0, host: '198.51.100.7', port: 4000 }], NatClass.SYMMETRIC),
    );
    expect(dials).toEqual([]);
    expect(probes).toEqual([]);
    const asked = puncher.request(via, 'ab'.repeat(8));
    puncher.onFailed(via, { type: 'PUNCH_FAILED', nodeId: Buffer.from('ab'.repeat(8), 'hex'), reason: 2 });
    await expect(asked).resolves.toBe(false);
    puncher.destroy();
  });
});
