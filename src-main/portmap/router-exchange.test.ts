// The exchange is stopped while its socket is still opening (PortMapping.destroy during the
// first request): nothing may be left sending, and the request must end.

import { describe, expect, it } from 'vitest';
import { scriptedRouters } from '../../test/fakes/scripted-udp-router.js';
import { NoAnswer } from './mapping-protocol.js';
import { RouterExchange } from './router-exchange.js';

const router = scriptedRouters();

async function silentRouter(): Promise<{ port: number; received: () => number }> {
  let n = 0;
  const port = await router(() => n++);
  return { port, received: () => n };
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
