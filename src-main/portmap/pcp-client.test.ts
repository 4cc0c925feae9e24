// The PCP client against a scripted router on loopback: the MAP request's bytes (RFC 6887
// §7.1, §11.1), a grant, renewals with the same nonce, delete, refusals, a NAT-PMP-only
// router, answers that are not ours, truncated and random datagrams, silence.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scriptedRouters } from '../../test/fakes/scripted-udp-router.js';
import { parsePcpAnswer, PcpClient, pcpMapRequest, PCP_MAP_SIZE } from './pcp-client.js';

const router = scriptedRouters();

const NONCE = Buffer.from('0102030405060708090a0b0c', 'hex');

/** A MAP response to `req` (its nonce, protocol and internal port echoed). */
function response(req: Buffer, result: number, lifetime: number, port: number, ip: number[]): Buffer {
  const b = Buffer.alloc(PCP_MAP_SIZE);
  b[0] = 2;
  b[1] = 0x81;
  b[3] = result;
  b.writeUInt32BE(lifetime, 4);
  b.writeUInt32BE(1234, 8); // epoch
  req.copy(b, 24, 24, 24 + 18); // nonce, protocol, reserved, internal port
  b.writeUInt16BE(port, 42);
  b.writeUInt16BE(0xffff, 54);
  Buffer.from(ip).copy(b, 56);
  return b;
}

/** Maps any port to +1 at 203.0.113.5, granting what was asked. */
const good = (req: Buffer, reply: (b: Buffer) => void): void =>
  reply(response(req, 0, req.readUInt32BE(4), req.readUInt16BE(40) + 1, [203, 0, 113, 5]));

describe('PcpClient (RFC 6887 MAP)', () => {
  it('writes the MAP request of §11.1', () => {
    // version 2, opcode 1 (MAP, R = 0), reserved, lifetime 7200, client ::ffff:192.168.1.2;
    // nonce, protocol 17, reserved, internal port 41000, suggested external 41000, ::ffff:0.0.0.0
    expect(pcpMapRequest('192.168.1.2', NONCE, 41000, 7200).toString('hex')).toBe(
      '0201000000001c20' +
        '00000000000000000000ffffc0a80102' +
        '0102030405060708090a0b0c' +
        '11000000a028a028' +
        '00000000000000000000ffff00000000',
    );
    // Lifetime 0 deletes (§15): no suggested port.
    expect(pcpMapRequest('192.168.1.2', NONCE, 41000, 0).subarray(40, 44).toString('hex')).toBe('a0280000');
  });

  it('maps, renews and deletes with one nonce; the external address comes from the grant', async () => {
    const requests: Buffer[] = [];
    const port = await router((req, reply) => {
      requests.push(req);
      good(req, reply);
    });
    const client = new PcpClient({ gateway: '127.0.0.1', port, nonce: NONCE });
    const grant = await client.map(41000, 7200_000, AbortSignal.timeout(10_000));
    expect(grant).toEqual({ externalHost: '203.0.113.5', externalPort: 41001, lifetimeMs: 7200_000 });
    expect(await client.externalAddress(AbortSignal.timeout(10_000))).toBe('203.0.113.5');
    await client.unmap(41000, AbortSignal.timeout(10_000));
    expect(requests).toHaveLength(3);
    for (const r of requests) expect(r.subarray(24, 36)).toEqual(NONCE);
    // The client's own address toward the router, IPv4-mapped.
    expect(requests[0]!.subarray(8, 24).toString('hex')).toBe('00000000000000000000ffff7f000001');
    expect(requests[2]!.readUInt32BE(4)).toBe(0);
    await client.close();
  });

  it('says the router refused, and why', async () => {
    const port = await router((req, reply) => reply(response(req, 2, 0, 0, [0, 0, 0, 0])));
    const client = new PcpClient({ gateway: '127.0.0.1', port, nonce: NONCE });
    await expect(client.map(41000, 7200_000, AbortSignal.timeout(10_000))).rejects.toThrow(/not authorized/);
    await client.close();
  });

  it('takes a NAT-PMP "unsupported version" answer as a refusal (the port mapping then tries NAT-PMP)', async () => {
    const port = await router((_req, reply) => reply(Buffer.from('0081000100000e10', 'hex')));
    const client = new PcpClient({ gateway: '127.0.0.1', port, nonce: NONCE });
    await expect(client.map(41000, 7200_000, AbortSignal.timeout(10_000))).rejects.toThrow(
      /NAT-PMP, not PCP/,
    );
    await client.close();
  });

  it('ignores answers that are not to its request, then takes the right one', async () => {
    const port = await router((req, reply) => {
      const other = Buffer.from(req);
      other[24] = other[24]! ^ 0xff; // another nonce
      reply(response(other, 0, 7200, 41001, [198, 51, 100, 1]));
      reply(response(req, 0, 7200, 41001, [198, 51, 100, 1]).subarray(0, 30)); // truncated
      reply(Buffer.from([2])); // one byte
      good(req, reply);
    });
    const client = new PcpClient({ gateway: '127.0.0.1', port, nonce: NONCE });
    const grant = await client.map(41000, 7200_000, AbortSignal.timeout(10_000));
    expect(grant.externalHost).toBe('203.0.113.5');
    await client.close();
  });

  it('gives up when the caller does (a silent router), without a stray timer', async () => {
    const port = await router(() => undefined);
    const client = new PcpClient({ gateway: '127.0.0.1', port, nonce: NONCE });
    await expect(client.map(41000, 7200_000, AbortSignal.timeout(600))).rejects.toThrow(/no answer/);
    await client.close();
  });

  it('parses any datagram without throwing (fuzz)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const answer = parsePcpAnswer(Buffer.from(bytes), NONCE, 41000);
        expect(answer === null || typeof answer.result === 'number').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
