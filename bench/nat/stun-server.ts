// A tiny STUN server (RFC 5389 Binding only) for the NAT lab's public STUN host, so that the
// lab's miniupnpd routers can learn their public address the way real ones do.
//
// Why the lab needs it: miniupnpd 2.3.1 refuses to map when its WAN address is in a reserved
// range, and the lab may only use 198.18.0.0/15 (reserved, RFC 2544) besides the private
// ranges. With `ext_perform_stun=yes` miniupnpd instead asks a STUN server what address its
// WAN packets come from (miniupnpd.c update_ext_ip_addr_from_stun, upnpstun.c perform_stun)
// and maps whenever four Binding requests, sent from four sockets, come back with the socket's
// own port and one address: the router is then not behind another NAT, which is the truth in
// the lab. That address is not checked against the reserved ranges.
//
// This server answers every Binding request from its one address and port with
// XOR-MAPPED-ADDRESS (and MAPPED-ADDRESS for RFC 3489 clients). It ignores CHANGE-REQUEST:
// answering from another address (RFC 5780) would need a second address on the host, and the
// router's firewall drops unsolicited packets to itself, so miniupnpd's filtering test
// would fail on our own lab firewall rather than on anything a mapping depends on.
//
// Run: `tsx bench/nat/stun-server.ts <bind-ip> [port]` (port 3478 by default). Anything that is
// not a well-formed Binding request is dropped.

import { createSocket } from 'node:dgram';

const MAGIC = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_RESPONSE = 0x0101;
const MAPPED_ADDRESS = 0x0001;
const XOR_MAPPED_ADDRESS = 0x0020;

/** The Binding success response to a request from ip:port, or null if `msg` is not a Binding request. */
export function stunAnswer(msg: Buffer, ip: string, port: number): Buffer | null {
  if (msg.length < 20 || msg.length > 548) return null;
  if (msg.readUInt16BE(0) !== BINDING_REQUEST) return null;
  if (msg.readUInt16BE(2) + 20 !== msg.length) return null;
  const octets = ip.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !Number.isInteger(o) || o < 0 || o > 255)) return null;
  const addr = ((octets[0]! << 24) | (octets[1]! << 16) | (octets[2]! << 8) | octets[3]!) >>> 0;
  const out = Buffer.alloc(20 + 12 + 12);
  out.writeUInt16BE(BINDING_RESPONSE, 0);
  out.writeUInt16BE(24, 2);
  msg.copy(out, 4, 4, 20); // magic cookie (or RFC 3489 id) and transaction id, echoed
  const attr = (at: number, type: number, p: number, a: number): void => {
    out.writeUInt16BE(type, at);
    out.writeUInt16BE(8, at + 2);
    out.writeUInt8(0, at + 4);
    out.writeUInt8(1, at + 5); // IPv4
    out.writeUInt16BE(p, at + 6);
    out.writeUInt32BE(a, at + 8);
  };
  attr(20, XOR_MAPPED_ADDRESS, port ^ (MAGIC >>> 16), (addr ^ MAGIC) >>> 0);
  attr(32, MAPPED_ADDRESS, port, addr);
  return out;
}

function main(): void {
  const [host, portArg] = process.argv.slice(2);
  if (!host) {
    console.error('usage: stun-server <bind-ip> [port]');
    process.exit(2);
  }
  const socket = createSocket('udp4');
  socket.on('message', (msg, rinfo) => {
    const answer = stunAnswer(msg, rinfo.address, rinfo.port);
    if (answer) socket.send(answer, rinfo.port, rinfo.address);
  });
  socket.on('error', (err) => console.error(`stun-server: ${err.message}`));
  socket.bind(Number(portArg ?? 3478), host, () =>
    console.log(`stun-server listening on ${host}:${portArg ?? 3478}`),
  );
}

if (process.argv[1]?.endsWith('stun-server.ts')) main();
