// Birthday punching's symmetric side on loopback (PROTOCOL §5.18 step 4): 256 extra sockets
// probe the prober; the prober answers one of them with a PUNCH carrying the token; that
// socket, and only that one, stays open and carries the connection to the prober.

import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointPunchTransport } from '../../src-main/engine/punch-transport.js';
import { PacketType, type PeerAddress } from '../../src-main/protocol/index.js';
import { Endpoint } from '../../src-main/transport/endpoint.js';
import {
  UdpSocket,
  type DatagramHandler,
  type DatagramSocket,
} from '../../src-main/transport/datagram-socket.js';
import type { PeerSession } from '../../src-main/transport/peer-session.js';
import { waitFor } from '../fixtures/wait.js';
import { STREAM_ID } from '../fakes/transport-net.js';

/** Passes everything on, and remembers where PUNCH probes came from. */
class ProbeSpy implements DatagramSocket {
  readonly probesFrom: PeerAddress[] = [];
  constructor(private readonly inner: DatagramSocket) {}
  send(data: Uint8Array, port: number, host: string): void {
    this.inner.send(data, port, host);
  }
  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage((data, host, port) => {
      if (data[2] === PacketType.PUNCH) this.probesFrom.push({ host, port });
      handler(data, host, port);
    });
  }
  address(): PeerAddress {
    return this.inner.address();
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function endpoint(socket?: DatagramSocket): Promise<Endpoint> {
  const e = new Endpoint({ ...(socket && { socket }), host: '127.0.0.1' });
  await e.start();
  cleanup.push(() => e.destroy());
  return e;
}

describe('birthday punching, symmetric side (PROTOCOL §5.18 step 4)', () => {
  it('keeps the one extra socket a probe with the token reached, and dials the prober from it', async () => {
    const spy = new ProbeSpy(await UdpSocket.bind({ host: '127.0.0.1', port: 0 }));
    const prober = await endpoint(spy);
    const inbound = new Promise<PeerSession>((resolve) => prober.once('session', resolve));
    const symmetric = await endpoint();
    const punch = new EndpointPunchTransport(symmetric, STREAM_ID, '127.0.0.1');
    cleanup.push(() => punch.destroy());
    const token = randomBytes(8);
    const result = punch.birthday(prober.address(), token);
    await waitFor(() => new Set(spy.probesFrom.map((p) => p.port)).size >= 256, {
      what: '256 extra sockets probing',
    });
    // A probe with the wrong token, then the right one, to one of the extra sockets.
    const chosen = spy.probesFrom[100]!;
    prober.sendPunch(chosen, randomBytes(8), 0);
    prober.sendPunch(chosen, token, 1);
    const session = await result;
    expect(session).not.toBeNull();
    expect(session!.remote).toEqual(prober.address());
    const server = await inbound;
    // The connection lives on the extra socket the probe reached, not on the node's own.
    expect(server.remote.port).toBe(chosen.port);
    expect(server.remote.port).not.toBe(symmetric.address().port);
    expect(punch.extraSockets).toBe(1);
    session!.close(0x0001, 'done');
    await waitFor(() => punch.extraSockets === 0, { what: 'the extra socket closed with its connection' });
  });

  it('gives up (null) and closes every extra socket when no probe reaches one', async () => {
    const prober = await endpoint();
    const symmetric = await endpoint();
    const { runPunchPool } = await import('../../src-main/transport/punch-pool.js');
    const { systemClock } = await import('../../src-main/transport/clock.js');
    const bound: DatagramSocket[] = [];
    const won = await runPunchPool({
      bind: async () => {
        const s = await UdpSocket.bind({ host: '127.0.0.1', port: 0 });
        bound.push(s);
        return s;
      },
      clock: systemClock,
      nodeId: symmetric.nodeId,
      token: randomBytes(8),
      to: prober.address(),
      sockets: 8,
      everyMs: 50,
      timeoutMs: 200,
    });
    expect(won).toBeNull();
    expect(bound.length).toBe(8);
    expect(prober.stats().punchesDropped).toBeGreaterThanOrEqual(8);
  });
});
