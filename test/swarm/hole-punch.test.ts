// Hole punching on loopback with real sockets (PROTOCOL §5.18): a broadcaster (the
// introducer) and two viewers whose sockets let in only datagrams from addresses they sent
// to, as a home router's NAT does. The viewers know only the broadcaster; they learn of
// each other through its PEX (INTRODUCER, not DIRECT), are introduced, open the path by a
// simultaneous open and keep exactly one connection.

import { afterEach, describe, expect, it } from 'vitest';
import { Capability } from '../../src-main/protocol/constants.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';
import { EndpointPunchTransport } from '../../src-main/engine/punch-transport.js';
import { Swarm } from '../../src-main/swarm/swarm.js';
import { EndpointDialer, TransportSwarmSession } from '../../src-main/swarm/transport-session.js';
import { Endpoint, UdpSocket } from '../../src-main/transport/index.js';
import { waitFor } from '../fixtures/wait.js';
import { NatFilterSocket } from '../fakes/nat-filter-socket.js';
import { viewerSwarmOptions } from '../fakes/swarm-fakes.js';
import { ScriptedPeer } from '../fakes/scripted-peer.js';

const STREAM_ID = new Uint8Array(32).fill(9);
const WAIT_MS = 30_000;

interface Node {
  endpoint: Endpoint;
  swarm: Swarm;
  punch: EndpointPunchTransport;
  filter: NatFilterSocket | null;
  id: string;
  /** The address others reach it at (its real loopback socket). */
  at: PeerAddress;
}

const nodes: Node[] = [];

afterEach(async () => {
  for (const n of nodes.splice(0)) {
    n.swarm.destroy();
    await n.punch.destroy();
    await n.endpoint.destroy();
  }
});

async function node(
  role: 'broadcaster' | 'viewer',
  bootstrap: PeerAddress[],
  behindNat: boolean,
  maxPeers = 8,
): Promise<Node> {
  const raw = await UdpSocket.bind({ host: '127.0.0.1', port: 0 });
  const filter = behindNat ? new NatFilterSocket(raw) : null;
  let swarm: Swarm | null = null;
  const endpoint = new Endpoint({
    socket: filter ?? raw,
    capabilities:
      Capability.RELAY |
      Capability.PEX |
      Capability.PUNCH |
      (role === 'broadcaster' ? Capability.BROADCASTER : 0),
    acceptStream: (_id, from, capabilities, nodeId) =>
      swarm!.admit(from, (capabilities & Capability.NO_PATH) !== 0, nodeId),
  });
  await endpoint.start();
  const punch = new EndpointPunchTransport(endpoint, STREAM_ID, '127.0.0.1');
  const id = Buffer.from(endpoint.nodeId).toString('hex');
  swarm = new Swarm({
    ...viewerSwarmOptions({ streamId: STREAM_ID }),
    role,
    selfNodeId: id,
    dialer: new EndpointDialer(endpoint, STREAM_ID),
    bootstrap,
    maxPeers,
    punch,
  });
  const s = swarm;
  endpoint.on('session', (session) => s.adopt(new TransportSwarmSession(session)));
  swarm.start();
  const n = { endpoint, swarm, punch, filter, id, at: raw.address() };
  nodes.push(n);
  return n;
}

const linkTo = (from: Node, to: Node) => from.swarm.neighbourhood.linkOf(to.id);

describe('hole punching (PROTOCOL §5.18) on loopback', () => {
  it('introduces two filtered viewers that know only the broadcaster, and they open one punched path', async () => {
    const b = await node('broadcaster', [], false);
    const v1 = await node('viewer', [b.at], true);
    const v2 = await node('viewer', [b.at], true);
    await waitFor(() => linkTo(v1, v2) !== undefined && linkTo(v2, v1) !== undefined, {
      timeoutMs: WAIT_MS,
      what: 'v1 ↔ v2 linked',
    });
    const [l1, l2] = [linkTo(v1, v2)!, linkTo(v2, v1)!];
    expect(l1.path).toBe('punched');
    expect(l2.path).toBe('punched');
    // One connection: the lower node id dialled (§5.18 step 1, the §2.2 tie-break).
    const client = v1.id < v2.id ? l1 : l2;
    expect(client.session.direction).toBe('outbound');
    expect((client === l1 ? l2 : l1).session.direction).toBe('inbound');
    expect(b.swarm.punching!.introducer.stats.introduced).toBeGreaterThanOrEqual(1);
    // The prober's PUNCHes opened its filter for the client's HELLOs (§5.18 step 1).
    const prober = v1.id < v2.id ? v2 : v1;
    expect(prober.swarm.punching!.puncher.stats.probesSent).toBeGreaterThan(0);
    // Nothing was dialled straight at the other viewer's address outside the introduction.
    expect(
      v1.swarm.punching!.puncher.stats.introductions + v2.swarm.punching!.puncher.stats.introductions,
    ).toBeGreaterThanOrEqual(2);
    // Each viewer knows the other cannot be dialled directly: its PEX entry says INTRODUCER, not DIRECT.
    const entry = b.swarm.neighbourhood
      .pexPeers(16, v1.id)
      .find((p) => Buffer.from(p.nodeId).toString('hex') === v2.id)!;
    expect(entry.flags & 0x08).toBe(0);
    expect(entry.flags & 0x10).toBe(0x10);
  });
});

describe('introduction on REJECT FULL (PROTOCOL §5.18 step 7)', () => {
  it('a viewer the broadcaster turns away reaches the filtered viewer the REJECT names', async () => {
    const b = await node('broadcaster', [], false, 1);
    const v1 = await node('viewer', [b.at], true);
    await waitFor(() => linkTo(v1, b) !== undefined, { what: 'v1 admitted' });
    const v2 = await node('viewer', [b.at], true);
    await waitFor(() => linkTo(v2, v1) !== undefined && linkTo(v1, v2) !== undefined, {
      timeoutMs: WAIT_MS,
      what: 'v2 ↔ v1 linked',
    });
    expect(linkTo(v2, b)).toBeUndefined();
    expect(linkTo(v2, v1)!.session.direction).toBe('outbound');
    expect(linkTo(v2, v1)!.path).toBe('punched');
    expect(linkTo(v1, v2)!.path).toBe('punched');
    expect(v1.swarm.punching!.puncher.stats.probesSent).toBeGreaterThan(0);
  });
});

describe('hole punching against a hostile neighbour (PROTOCOL §5.18 steps 5–6, §13.5)', () => {
  it('a flood of introductions naming victims costs a bounded number of probes; requests for strangers are refused', async () => {
    const victim = await UdpSocket.bind({ host: '127.0.0.1', port: 0 });
    let atVictim = 0;
    victim.onMessage(() => void atVictim++);
    const v = await node('viewer', [], false);
    const hostile = await ScriptedPeer.connect(v.endpoint.address(), STREAM_ID, {
      capabilities: Capability.PEX | Capability.PUNCH,
    });
    hostile.send(0, [{ type: 'PING', nonce: 1 }]); // confirms the handshake (§10.2)
    await waitFor(() => v.swarm.neighbourhood.links().length === 1, { what: 'the hostile peer linked' });
    // 2000 unsolicited PUNCH_CONNECTs, each naming the victim as a PROBER's target.
    let pn = 1;
    for (let i = 0; i < 200; i++) {
      const frames = Array.from({ length: 10 }, (_, k) => ({
        type: 'PUNCH_CONNECT' as const,
        token: Buffer.alloc(8, k),
        nodeId: Buffer.from((0x1000_0000_0000 + i * 10 + k).toString(16).padStart(16, 'f'), 'hex'),
        nat: 2,
        role: 1,
        candidates: [{ kind: 0, ...victim.address() }],
      }));
      hostile.send(pn++, frames);
    }
    // And PUNCH_REQUESTs for nodes we are not connected to.
    hostile.send(pn++, [{ type: 'PUNCH_REQUEST', nodeId: Buffer.alloc(8, 0xab) }]);
    await waitFor(() => hostile.received.some((p) => p.frames.some((f) => f.type === 'PUNCH_FAILED')), {
      what: 'PUNCH_FAILED for a stranger',
    });
    const puncher = v.swarm.punching!.puncher;
    await waitFor(() => puncher.stats.introductions + puncher.stats.ignored >= 2000, {
      what: 'every introduction handled',
    });
    // §5.18 step 6: 8 unsolicited introductions at once (then 1 per second), 25 probes each at most.
    const acted = puncher.stats.introductions;
    expect(acted).toBeLessThanOrEqual(8 + 60);
    await waitFor(() => puncher.active === 0, { timeoutMs: 60_000, what: 'the probing to end' });
    expect(v.endpoint.stats().punchesSent).toBeLessThanOrEqual(acted * 25);
    expect(atVictim).toBeLessThanOrEqual(acted * 25);
    await hostile.close();
    await victim.close();
  }, 120_000);
});
