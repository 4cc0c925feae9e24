// The exchange is stopped while its socket is still opening (PortMapping.destroy during the
// first request): nothing may be left sending, and the request must end.

import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { NoAnswer } from './mapping-protocol.js';
import { RouterExchange } from './router-exchange.js';

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function silentRouter(): Promise<{ port: number; received: () => number }> {
  const s = createSocket('udp4');
  open.push(s);
  let n = 0;
  s.on('message', () => n++);
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  return { port: s.address().port, received: () => n };
}

describe('RouterExchange', () => {
  it('aborted and closed while opening: the request ends and nothing more is sent', async () => {
    const router = await silentRouter();
    const exchange = new RouterExchange('127.0.0.1', router.port);
    const ctrl = new AbortController();
    const request = exchange.request(Buffer.from([0, 0]), () => null, ctrl.signal);
    // The socket is still binding: abort and close now, as PortMapping.destroy does.
    ctrl.abort();
    await exchange.close();
    await expect(request).rejects.toBeInstanceOf(NoAnswer);
    const sent = router.received();
    // A leaked request would resend at 250 ms, 500 ms, ...
    await new Promise((r) => setTimeout(r, 800));
    expect(router.received()).toBe(sent);
    await expect(
      exchange.request(Buffer.from([0, 0]), () => null, new AbortController().signal),
    ).rejects.toBeInstanceOf(NoAnswer);
  });
});
