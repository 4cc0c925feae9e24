// One dual-stack socket (PROTOCOL §2.2) on loopback: IPv4 and IPv6 clients reach the same
// endpoint, an IPv4 peer has one address (dotted) whatever form it was dialled or seen in,
// and a peer that shows up once IPv4-mapped and once over IPv4 is one session.

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-shared/errors.js';
import {
  MAX_SUPPORTED_VERSION,
  MIN_SUPPORTED_VERSION,
  decodePacket,
  encodeDataPacket,
  encodePacket,
  type Packet,
  type WelcomeBody,
} from '../../src-main/protocol/index.js';
import { Endpoint } from '../../src-main/transport/endpoint.js';
import type { PeerSession } from '../../src-main/transport/peer-session.js';
import { hasIpv6Loopback } from '../fixtures/ipv6.js';
import { STREAM_ID } from '../fakes/transport-net.js';

const ipv6 = await hasIpv6Loopback();
const endpoints: Endpoint[] = [];
const sockets: dgram.Socket[] = [];

afterEach(async () => {
  await Promise.all(endpoints.splice(0).map((e) => e.destroy()));
  for (const s of sockets.splice(0)) s.close();
});

async function endpoint(host: string | null): Promise<Endpoint> {
  const e = new Endpoint({ host, port: 0 });
  await e.start();
  endpoints.push(e);
  return e;
}

const inbound = (server: Endpoint): Promise<PeerSession> =>
  new Promise((resolve) => server.once('session', resolve));

async function rawSocket(type: 'udp4' | 'udp6', host: string, port = 0): Promise<dgram.Socket> {
  const s = dgram.createSocket({ type, ...(type === 'udp6' && { ipv6Only: false }) });
  await new Promise<void>((resolve) => s.bind(port, host, resolve));
  sockets.push(s);
  return s;
}

/** Sends `buf` until a packet of one of `types` comes back. */
async function exchange(
  s: dgram.Socket,
  buf: Buffer,
  port: number,
  host: string,
  type: string,
): Promise<Packet> {
  return new Promise((resolve, reject) => {
    const timer = setInterval(() => s.send(buf, port, host), 200);
    const done = setTimeout(() => {
      clearInterval(timer);
      reject(new Error(`no ${type} from ${host}:${port}`));
    }, 5000);
    const onMessage = (msg: Buffer): void => {
      const p = decodePacket(msg);
      if (p.header.type !== type) return;
      clearInterval(timer);
      clearTimeout(done);
      s.off('message', onMessage);
      resolve(p);
    };
    s.on('message', onMessage);
    s.send(buf, port, host);
  });
}

function hello(cid: Uint8Array, nodeId: Uint8Array, cookie: Uint8Array): Buffer {
  return encodePacket({
    header: { type: 'HELLO', dcid: new Uint8Array(8), pn: 0, timestamp: 0, timestampDiff: 0 },
    body: {
      minVersion: MIN_SUPPORTED_VERSION,
      maxVersion: MAX_SUPPORTED_VERSION,
      capabilities: 0,
      streamId: STREAM_ID,
      sourceCid: cid,
      nodeId,
      maxDatagram: 1200,
      cookie,
    },
  });
}

describe.skipIf(!ipv6)('a dual-stack endpoint (PROTOCOL §2.2)', () => {
  it('takes an IPv4 client and an IPv6 client at once, the IPv4 one seen dotted', async () => {
    const server = await endpoint(null);
    expect(server.families()).toEqual([4, 6]);
    const port = server.address().port;
    const v4 = await endpoint('127.0.0.1');
    const v6 = await endpoint('::1');

    let arrived = inbound(server);
    const c4 = await v4.connect({ host: '127.0.0.1', port }, STREAM_ID);
    const s4 = await arrived;
    arrived = inbound(server);
    const c6 = await v6.connect({ host: '::1', port }, STREAM_ID);
    const s6 = await arrived;

    expect(s4.remote).toEqual({ host: '127.0.0.1', port: v4.address().port });
    expect(s6.remote).toEqual({ host: '::1', port: v6.address().port });
    // WELCOME's observed address is IPv4 for the IPv4 client (§4.3), not ::ffff:127.0.0.1.
    expect(c4.observedAddress).toEqual({ host: '127.0.0.1', port: v4.address().port });
    expect(c6.observedAddress).toEqual({ host: '::1', port: v6.address().port });
    expect(server.sessions()).toHaveLength(2);
  });

  it('dials IPv4 from a dual-stack socket, also at an IPv4-mapped address, as the dotted address', async () => {
    const server = await endpoint('127.0.0.1');
    const client = await endpoint(null);
    const arrived = inbound(server);
    const session = await client.connect(
      { host: '::ffff:127.0.0.1', port: server.address().port },
      STREAM_ID,
    );
    expect(session.remote).toEqual({ host: '127.0.0.1', port: server.address().port });
    expect((await arrived).remote).toEqual({ host: '127.0.0.1', port: client.address().port });
    expect(client.stats().wrongAddressDropped).toBe(0);
  });

  it('one peer, first IPv4-mapped then over IPv4 from the same port, is one session', async () => {
    const server = await endpoint(null);
    const port = server.address().port;
    const cid = randomBytes(8);
    const nodeId = randomBytes(8);
    // Through a dual-stack socket to ::ffff:127.0.0.1: an IPv4 datagram from 127.0.0.1.
    const mapped = await rawSocket('udp6', '::');
    const retry = await exchange(
      mapped,
      hello(cid, nodeId, new Uint8Array(0)),
      port,
      '::ffff:127.0.0.1',
      'RETRY',
    );
    const cookie = Uint8Array.from((retry as Extract<Packet, { header: { type: 'RETRY' } }>).body.cookie);
    const first = await exchange(mapped, hello(cid, nodeId, cookie), port, '::ffff:127.0.0.1', 'WELCOME');
    const w1 = (first as Extract<Packet, { body: WelcomeBody }>).body;
    const clientPort = mapped.address().port;
    expect(w1.observed).toEqual({ host: '127.0.0.1', port: clientPort });
    // The same HELLO from an IPv4 socket on the same port: the same WELCOME, no second session.
    mapped.close();
    sockets.splice(sockets.indexOf(mapped), 1);
    const plain = await rawSocket('udp4', '127.0.0.1', clientPort);
    const second = await exchange(plain, hello(cid, nodeId, cookie), port, '127.0.0.1', 'WELCOME');
    expect(Buffer.from((second as Extract<Packet, { body: WelcomeBody }>).body.sourceCid)).toEqual(
      Buffer.from(w1.sourceCid),
    );
    expect(server.stats().unconfirmed).toBe(1);
    // Confirmed over IPv4 (§10.2): one session, at the dotted address.
    const arrived = inbound(server);
    plain.send(
      encodeDataPacket({ dcid: w1.sourceCid, pn: 0, timestamp: 0, timestampDiff: 0 }, [
        { type: 'PING', nonce: 1 },
      ]),
      port,
      '127.0.0.1',
    );
    expect((await arrived).remote).toEqual({ host: '127.0.0.1', port: clientPort });
    expect(server.sessions()).toHaveLength(1);
    expect(server.stats().wrongAddressDropped).toBe(0);
  });
});

describe('an endpoint bound to one family', () => {
  it('bound to 0.0.0.0 stays IPv4 only: an IPv6 peer fails at once with BAD_ADDRESS', async () => {
    const e = await endpoint('0.0.0.0');
    expect(e.families()).toEqual([4]);
    expect(e.reaches('::1')).toBe(false);
    expect(e.reaches('::ffff:127.0.0.1')).toBe(true);
    await expect(e.connect({ host: '::1', port: 9 }, STREAM_ID)).rejects.toMatchObject({
      code: ErrorCode.BAD_ADDRESS,
      message: expect.stringMatching(/IPv4 only/),
    });
  });
});
