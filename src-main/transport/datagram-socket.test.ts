import { afterEach, describe, expect, it } from 'vitest';
import { UdpSocket } from './datagram-socket.js';

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
