import { afterEach, describe, expect, it } from 'vitest';
import { hasIpv6Loopback } from '../../test/fixtures/ipv6.js';
import { UdpSocket } from './datagram-socket.js';

const ipv6 = await hasIpv6Loopback();

const open: UdpSocket[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function pair(): Promise<[UdpSocket, UdpSocket]> {
  const a = await UdpSocket.bind();
  const b = await UdpSocket.bind();
  open.push(a, b);
  return [a, b];
}

describe('UdpSocket.sendNow', () => {
  it('releases the buffer only once the kernel has the datagram: reusing it never changes what was sent', async () => {
    const [a, b] = await pair();
    const got: number[] = [];
    const all = new Promise<void>((resolve) =>
      b.onMessage((d) => {
        const i = d.readUInt32BE(0);
        if (d.some((v, k) => k >= 4 && v !== (i & 0xff)))
          got.push(-1); // a torn datagram
        else got.push(i);
        if (got.length === 500) resolve();
      }),
    );
    let buf = Buffer.alloc(1200);
    let reused = 0;
    for (let i = 0; i < 500; i++) {
      buf.writeUInt32BE(i, 0);
      buf.fill(i & 0xff, 4);
      if (a.sendNow(buf, b.address().port, '127.0.0.1')) {
        reused++;
        buf.fill(0xee); // the datagram already went: scribbling on the buffer must not show
      } else {
        buf = Buffer.alloc(1200); // still queued in libuv: leave it alone
      }
    }
    await all;
    expect(got.sort((x, y) => x - y)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(reused).toBeGreaterThan(0);
  });

  it('counts a send to a closed socket as done', async () => {
    const [a, b] = await pair();
    await a.close();
    expect(a.sendNow(Buffer.alloc(10), b.address().port, '127.0.0.1')).toBe(true);
  });
});

/** The next datagram `s` receives: its text and the sender as reported. */
function next(s: UdpSocket): Promise<{ text: string; host: string; port: number }> {
  return new Promise((resolve) =>
    s.onMessage((d, host, port) => resolve({ text: d.toString(), host, port })),
  );
}

async function bound(host: string | null): Promise<UdpSocket> {
  const s = await UdpSocket.bind({ host });
  open.push(s);
  return s;
}

describe.skipIf(!ipv6)('UdpSocket families (PROTOCOL §2.2), with IPv6 on loopback', () => {
  it('bound to every address: one socket for IPv4 and IPv6, an IPv4 peer seen dotted', async () => {
    const dual = await bound(null);
    expect(dual.families()).toEqual([4, 6]);
    expect(dual.address().host).toBe('::');
    const v4 = await bound('127.0.0.1');
    const v6 = await bound('::1');
    const port = dual.address().port;

    let got = next(dual);
    v4.send(Buffer.from('over v4'), port, '127.0.0.1');
    expect(await got).toEqual({ text: 'over v4', host: '127.0.0.1', port: v4.address().port });
    got = next(dual);
    v6.send(Buffer.from('over v6'), port, '::1');
    expect(await got).toEqual({ text: 'over v6', host: '::1', port: v6.address().port });

    // Answers go out to the dotted address (mapped by the socket) and to the IPv6 one.
    const back4 = next(v4);
    const back6 = next(v6);
    dual.send(Buffer.from('to v4'), v4.address().port, '127.0.0.1');
    expect(dual.sendNow(Buffer.from('to v6'), v6.address().port, '::1')).toBe(true);
    expect(await back4).toEqual({ text: 'to v4', host: '127.0.0.1', port });
    expect(await back6).toEqual({ text: 'to v6', host: '::1', port });
    // Sending to the mapped form itself works too.
    const again = next(v4);
    dual.send(Buffer.from('mapped'), v4.address().port, '::ffff:127.0.0.1');
    expect((await again).text).toBe('mapped');
    expect(dual.sendErrors).toBe(0);
  });

  it('holds the IPv4 side of its port: an IPv4 socket cannot take it', async () => {
    const dual = await bound(null);
    await expect(UdpSocket.bind({ host: '0.0.0.0', port: dual.address().port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('bound to an explicit address: that family only', async () => {
    const v4 = await bound('0.0.0.0');
    expect(v4.families()).toEqual([4]);
    const v6 = await bound('::');
    expect(v6.families()).toEqual([6]);
    // `::` given explicitly is IPv6 only: the IPv4 side of its port stays free.
    const beside = await UdpSocket.bind({ host: '0.0.0.0', port: v6.address().port });
    open.push(beside);
    // A destination of the other family is not sent (counted), and nothing throws.
    v4.send(Buffer.from('x'), 9, '::1');
    expect(v4.sendNow(Buffer.from('x'), 9, '::1')).toBe(true);
    v6.send(Buffer.from('x'), 9, '127.0.0.1');
    expect(v4.sendErrors).toBe(2);
    expect(v6.sendErrors).toBe(1);
  });
});
