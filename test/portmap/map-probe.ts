// Runs inside a LAN host's network namespace for miniupnpd.test.ts: binds a UDP port, maps it
// through the real router with the product's PortMapping, and prints every state as one JSON
// line. Reads commands from stdin: `renew` (renews now; no waiting on timers) and `destroy`.
// Renewals are asked for by the test (the scheduled one is half an hour away), so nothing
// here waits on a timer.

import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { mapUdpPort } from '../../src-main/portmap/index.js';

const socket = createSocket('udp4');
socket.on('message', (msg, from) => socket.send(msg, from.port, from.address)); // echo: proves the mapping forwards
await new Promise<void>((r) => socket.bind(0, '0.0.0.0', () => r()));
const port = socket.address().port;
const mapping = mapUdpPort(port);
const say = (o: object): void => void process.stdout.write(JSON.stringify({ port, ...o }) + '\n');
mapping.onState((state) => say({ event: 'state', state }));
mapping.start();
await mapping.settled();
say({ event: 'settled' });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'renew') {
    await mapping.renewNow();
    say({ event: 'renewed', state: mapping.state });
  } else if (line === 'destroy') {
    await mapping.destroy();
    say({ event: 'destroyed' });
    socket.close();
    process.exit(0);
  }
}
