// A router's NAT-PMP/PCP port on loopback for the port mapping clients' tests: each datagram
// goes to a script that may answer it. Sockets made in a test are closed after it.

import { createSocket, type Socket } from 'node:dgram';
import { afterEach } from 'vitest';

export type RouterScript = (request: Buffer, reply: (b: Buffer) => void, from: { port: number }) => void;

/** Returns `router(script)`, which binds a scripted router and resolves with its port. */
export function scriptedRouters(): (script: RouterScript) => Promise<number> {
  const open: Socket[] = [];
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  return async (script) => {
    const s = createSocket('udp4');
    open.push(s);
    s.on('message', (msg, from) => script(msg, (b) => s.send(b, from.port, from.address), from));
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    return s.address().port;
  };
}
