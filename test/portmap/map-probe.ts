// Runs inside a LAN host's network namespace for miniupnpd.test.ts: binds a UDP port, maps it
// through the real router with the product's PortMapping and one protocol (argument: `upnp`,
// `pcp` or `natpmp`), and prints every state as one JSON line. Reads commands from stdin:
// `renew` (renews now; no waiting on timers), `check` (asks the router's public address now,
// and renews if it changed) and `destroy`.
// Renewals are asked for by the test (the scheduled one is half an hour away), so nothing
// here waits on a timer.

import { createSocket } from 'node:dgram';
import { createInterface } from 'node:readline';
import { defaultGateway } from '../../src-main/portmap/default-gateway.js';
import { NatPmpClient } from '../../src-main/portmap/natpmp-client.js';
import { PcpClient } from '../../src-main/portmap/pcp-client.js';
import { PortMapping } from '../../src-main/portmap/port-mapping.js';
import { UpnpClient } from '../../src-main/portmap/upnp-client.js';
import { systemClock } from '../../src-main/transport/index.js';

const which = process.argv[2];
const gateway = defaultGateway();
if ((which !== 'upnp' && which !== 'pcp' && which !== 'natpmp') || !gateway) {
  console.error(`usage: map-probe upnp|pcp|natpmp (and a default route; gateway ${gateway})`);
  process.exit(2);
}

const socket = createSocket('udp4');
socket.on('message', (msg, from) => socket.send(msg, from.port, from.address)); // echo: proves the mapping forwards
await new Promise<void>((r) => socket.bind(0, '0.0.0.0', () => r()));
const port = socket.address().port;
const mapping = new PortMapping({
  internalPort: port,
  protocols: [
    () =>
      which === 'upnp'
        ? new UpnpClient()
        : which === 'pcp'
          ? new PcpClient({ gateway })
          : new NatPmpClient({ gateway }),
  ],
  clock: systemClock,
});
const say = (o: object): void => void process.stdout.write(JSON.stringify({ port, ...o }) + '\n');
mapping.onState((state) => say({ event: 'state', state }));
mapping.start();
await mapping.settled();
say({ event: 'settled' });
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'renew') {
    await mapping.renewNow();
    say({ event: 'renewed', state: mapping.state });
  } else if (line === 'check') {
    await mapping.checkAddressNow();
    say({ event: 'checked', state: mapping.state });
  } else if (line === 'destroy') {
    await mapping.destroy();
    say({ event: 'destroyed' });
    socket.close();
    process.exit(0);
  }
}
