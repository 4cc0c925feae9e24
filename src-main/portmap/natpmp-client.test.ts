// The NAT-PMP client against a scripted router on loopback: a real mapping answer, refusals,
// garbage and answers from strangers, silence (bounded by the caller's signal).

import { describe, expect, it, onTestFinished } from 'vitest';
import { createSocket } from 'node:dgram';
import { scriptedRouters, type RouterScript } from '../../test/fakes/scripted-udp-router.js';
import { parseRouteTable } from './default-gateway.js';
import { NatPmpClient, parseNatPmpAnswer } from './natpmp-client.js';

const router = scriptedRouters();

function answer(op: number, result: number, body: number[] = []): Buffer {
  const b = Buffer.alloc(8 + body.length);
  b[1] = 128 + op;
  b.writeUInt16BE(result, 2);
  b.writeUInt32BE(1234, 4); // seconds since the router started
  Buffer.from(body).copy(b, 8);
  return b;
}

const mapBody = (internal: number, external: number, lifetime: number): number[] => {
  const b = Buffer.alloc(8);
  b.writeUInt16BE(internal, 0);
  b.writeUInt16BE(external, 2);
  b.writeUInt32BE(lifetime, 4);
  return [...b];
};

/** A well-behaved router: maps any port to +1, external address 203.0.113.5. */
const good: RouterScript = (req, reply) => {
  if (req[1] === 0) reply(answer(0, 0, [203, 0, 113, 5]));
  if (req[1] === 1)
    reply(answer(1, 0, mapBody(req.readUInt16BE(4), req.readUInt16BE(4) + 1, req.readUInt32BE(8))));
};

describe('NatPmpClient', () => {
  it('maps a UDP port and reads the external address and the granted lifetime', async () => {
    const requests: Buffer[] = [];
    const port = await router((req, reply, from) => {
      requests.push(req);
      good(req, reply, from);
    });
    const client = new NatPmpClient({ gateway: '127.0.0.1', port });
    const grant = await client.map(41000, 7200_000, AbortSignal.timeout(10_000));
    expect(grant).toEqual({ externalHost: '203.0.113.5', externalPort: 41001, lifetimeMs: 7200_000 });
    // RFC 6886 §3.3: version 0, opcode 1, reserved, internal port, suggested external port, lifetime in seconds
    expect(requests[0]!.toString('hex')).toBe('00010000a028a02800001c20');
    await client.unmap(41000, AbortSignal.timeout(10_000));
    expect(requests.at(-1)!.toString('hex')).toBe('00010000a028000000000000');
    await client.close();
  });

  it('asks the external address alone (RFC 6886 §3.2), and reads it again after the router moved', async () => {
    let wan = [203, 0, 113, 5];
    const requests: Buffer[] = [];
    const port = await router((req, reply) => {
      requests.push(req);
      if (req[1] === 0) reply(answer(0, 0, wan));
    });
    const client = new NatPmpClient({ gateway: '127.0.0.1', port });
    expect(await client.externalAddress(AbortSignal.timeout(10_000))).toBe('203.0.113.5');
    expect(requests[0]!.toString('hex')).toBe('0000');
    wan = [198, 51, 100, 7];
    expect(await client.externalAddress(AbortSignal.timeout(10_000))).toBe('198.51.100.7');
    await client.close();
  });

  it('says what a refusal means', async () => {
    const port = await router((req, reply) => reply(answer(req[1]!, 3)));
    const client = new NatPmpClient({ gateway: '127.0.0.1', port });
    await expect(client.map(41000, 7200_000, AbortSignal.timeout(10_000))).rejects.toThrow(
      /result 3 \(network failure/,
    );
    await client.close();
  });

  it('ignores garbage and short answers, then takes the real one', async () => {
    const port = await router((req, reply, from) => {
      reply(Buffer.alloc(0));
      reply(Buffer.from([0]));
      reply(Buffer.from([0, 129, 0])); // cut short
      reply(answer(1, 0, [1, 2])); // success but truncated
      reply(Buffer.from([1, 129, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])); // version 1
      reply(Buffer.alloc(2000, 0xff));
      good(req, reply, from);
    });
    const client = new NatPmpClient({ gateway: '127.0.0.1', port });
    const grant = await client.map(41000, 7200_000, AbortSignal.timeout(10_000));
    expect(grant.externalPort).toBe(41001);
    await client.close();
  });

  it('ignores answers from anyone but the gateway', async () => {
    const stranger = createSocket('udp4');
    onTestFinished(() => void stranger.close());
    await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', () => r()));
    const port = await router((req, reply, from) => {
      if (req[1] !== 1) return good(req, reply, from);
      // a mapping the router never made, sent from another port first
      const forged = answer(1, 0, mapBody(req.readUInt16BE(4), 666, 60));
      stranger.send(forged, from.port, '127.0.0.1', () => setImmediate(() => good(req, reply, from)));
    });
    const client = new NatPmpClient({ gateway: '127.0.0.1', port });
    const grant = await client.map(41000, 7200_000, AbortSignal.timeout(10_000));
    expect(grant.externalPort).toBe(41001);
    await client.close();
  });

  it('gives up when the caller aborts a request the router never answers', async () => {
    let heard = 0;
    const port = await router(() => heard++);
    const client = new NatPmpClient({ gateway: '127.0.0.1', port });
    const ac = new AbortController();
    const pending = client.map(41000, 7200_000, ac.signal);
    await expect.poll(() => heard, { timeout: 30_000 }).toBeGreaterThan(0);
    ac.abort();
    await expect(pending).rejects.toThrow(/no answer/);
    await client.close();
  });
});

describe('parseNatPmpAnswer', () => {
  it('reads only answers to the opcode asked', () => {
    expect(parseNatPmpAnswer(answer(0, 0, [198, 51, 100, 7]), 0)).toEqual({
      result: 0,
      address: '198.51.100.7',
    });
    expect(parseNatPmpAnswer(answer(0, 0, [198, 51, 100, 7]), 1)).toBeNull();
    expect(parseNatPmpAnswer(answer(1, 2), 1)).toEqual({ result: 2 });
  });
});

describe('parseRouteTable', () => {
  it('finds the default gateway in /proc/net/route', () => {
    const table = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    ].join('\n');
    expect(parseRouteTable(table)).toBe('192.168.0.1');
    expect(parseRouteTable('Iface\tDestination\n')).toBeNull();
    expect(parseRouteTable('garbage\n\x00\x01')).toBeNull();
  });
});
