// Run inside a LAN host's namespace: one NAT-PMP external-address request (RFC 6886 §3.2)
// to the gateway on UDP 5351. Prints {"resultCode", "externalIp"} as JSON, or exits 1 after 2 s.

import { createSocket } from 'node:dgram';

const gateway = process.argv[2];
if (!gateway) {
  console.error('usage: natpmp-probe <gateway-ip>');
  process.exit(2);
}
const socket = createSocket('udp4');
const timer = setTimeout(() => {
  console.error(`no NAT-PMP answer from ${gateway}:5351 within 2 s`);
  process.exit(1);
}, 2000);
socket.on('message', (msg) => {
  // version 0, opcode 128, result (16 bits), seconds since start of epoch (32), address (32)
  if (msg.length < 12 || msg[1] !== 128) return;
  clearTimeout(timer);
  console.log(
    JSON.stringify({ resultCode: msg.readUInt16BE(2), externalIp: [...msg.subarray(8, 12)].join('.') }),
  );
  socket.close();
});
socket.send(Buffer.from([0, 0]), 5351, gateway);
