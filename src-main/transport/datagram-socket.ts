// The one UDP socket an Endpoint owns, behind an interface so tests can wrap it with
// loss, duplication, reordering and delay (test/fakes/impaired-socket.ts).
//
// Dual stack (PROTOCOL §2.2): bound to every address (host null), the socket is one IPv6
// socket on `::` that also carries IPv4 (IPV6_V6ONLY off), rather than two sockets: one
// port, one demultiplexer of connection ids, one port mapping on the router, and a NAT
// binding that HELLOs and hole punching open is the one data later uses. The kernel shows
// an IPv4 peer as `::ffff:a.b.c.d`; this socket reports it as `a.b.c.d` and maps a dotted
// destination back, so above it an IPv4 peer has one address, the dotted one, wherever it
// appears. Where the machine has no IPv6, or keeps IPv6 sockets IPv6-only, it is IPv4 only.

import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { PeerAddress } from '../protocol/types.js';

/** An IP version. */
export type IpFamily = 4 | 6;

export type DatagramHandler = (data: Buffer, host: string, port: number) => void;

export interface DatagramSocket {
  /** Fire-and-forget: UDP gives no delivery guarantee, so errors are only counted. */
  send(data: Uint8Array, port: number, host: string): void;
  /**
   * Optional: `send`, returning true when the socket no longer needs `data` (the kernel
   * has its copy), so the caller may overwrite it at once. False (or no such method):
   * `data` must not change, it may still be queued.
   */
  sendNow?(data: Uint8Array, port: number, host: string): boolean;
  /** Replaces the handler. The handler must not throw (the Endpoint catches everything). */
  onMessage(handler: DatagramHandler): void;
  address(): PeerAddress;
  /** The IP versions it sends to and receives from; absent: the family of address(). */
  families?(): readonly IpFamily[];
  close(): Promise<void>;
}

/** The IP versions `socket` can reach. */
export function socketFamilies(socket: DatagramSocket): readonly IpFamily[] {
  return socket.families?.() ?? [isIPv6(socket.address().host) ? 6 : 4];
}

export interface UdpSocketOptions {
  /**
   * An IP literal: that address, and only its family (an IPv6 one, `::` included, takes no
   * IPv4). null: every address, IPv4 and IPv6 (dual stack, or IPv4 alone where the machine
   * has no usable IPv6). Default 127.0.0.1.
   */
  host?: string | null;
  port?: number;
  /** Kernel buffers: large ones absorb the bursts a 1 ms timer granularity forces on us. */
  recvBufferBytes?: number;
  sendBufferBytes?: number;
}

const DEFAULT_BUFFER_BYTES = 8 * 1024 * 1024;

/** Errors binding `::` that mean "no usable IPv6 here", not "this port is taken". */
const NO_IPV6 = new Set(['EAFNOSUPPORT', 'EADDRNOTAVAIL', 'EPROTONOSUPPORT', 'EINVAL', 'ENOPROTOOPT']);

export class UdpSocket implements DatagramSocket {
  sendErrors = 0;
  private handler: DatagramHandler = () => {};
  private closed = false;
  private readonly dual: boolean;
  /** The last IPv4 destination and its mapped form (bulk traffic goes to one peer at a time). */
  private lastV4 = '';
  private lastMapped = '';

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly ipFamilies: readonly IpFamily[],
  ) {
    this.dual = ipFamilies.length === 2;
    socket.on(
      'message',
      this.dual
        ? (msg, rinfo) => this.handler(msg, unmapped(rinfo.address), rinfo.port)
        : (msg, rinfo) => this.handler(msg, rinfo.address, rinfo.port),
    );
    // Without a listener an async send error would crash the process.
    socket.on('error', () => {
      this.sendErrors++;
    });
  }

  static async bind(options: UdpSocketOptions = {}): Promise<UdpSocket> {
    const host = options.host === undefined ? '127.0.0.1' : options.host;
    if (host === null) return UdpSocket.bindEvery(options);
    const v6 = host.includes(':');
    const socket = await open(v6 ? 'udp6' : 'udp4', host, options.port ?? 0, true);
    return UdpSocket.finish(socket, [v6 ? 6 : 4], options);
  }

  /** Every address: dual stack where the machine allows it, else IPv4 (see the file's head). */
  private static async bindEvery(options: UdpSocketOptions): Promise<UdpSocket> {
    const port = options.port ?? 0;
    let socket: dgram.Socket;
    try {
      socket = await open('udp6', '::', port, false);
    } catch (err) {
      if (!NO_IPV6.has((err as NodeJS.ErrnoException).code ?? '')) throw err;
      return UdpSocket.finish(await open('udp4', '0.0.0.0', port, false), [4], options);
    }
    // libuv sets IPV6_V6ONLY only when asked, so a kernel that makes IPv6 sockets IPv6-only
    // by default (Linux net.ipv6.bindv6only=1) left the IPv4 side of the port free. Taking it
    // tells; the node is then IPv4 only, on that IPv4 socket, as on a machine without IPv6.
    let v4: dgram.Socket | null = null;
    try {
      v4 = await open('udp4', '0.0.0.0', socket.address().port, false);
    } catch {
      // EADDRINUSE: our own socket holds the IPv4 side too (dual stack)
    }
    if (v4 !== null) {
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      return UdpSocket.finish(v4, [4], options);
    }
    return UdpSocket.finish(socket, [4, 6], options);
  }

  private static finish(socket: dgram.Socket, families: IpFamily[], options: UdpSocketOptions): UdpSocket {
    setBufferSize(() => socket.setRecvBufferSize(options.recvBufferBytes ?? DEFAULT_BUFFER_BYTES));
    setBufferSize(() => socket.setSendBufferSize(options.sendBufferBytes ?? DEFAULT_BUFFER_BYTES));
    return new UdpSocket(socket, families);
  }

  families(): readonly IpFamily[] {
    return this.ipFamilies;
  }

  /** The address node:dgram is given for `host`, or null when this socket cannot reach it. */
  private destination(host: string): string | null {
    const v6 = host.includes(':');
    if (this.dual) {
      if (v6) return host;
      if (host !== this.lastV4) {
        this.lastV4 = host;
        this.lastMapped = `::ffff:${host}`;
      }
      return this.lastMapped;
    }
    return v6 === (this.ipFamilies[0] === 6) ? host : null;
  }

  send(data: Uint8Array, port: number, host: string): void {
    if (this.closed) return;
    const to = this.destination(host);
    if (to === null) {
      this.sendErrors++;
      return;
    }
    try {
      this.socket.send(data, port, to);
    } catch {
      this.sendErrors++;
    }
  }

  sendNow(data: Uint8Array, port: number, host: string): boolean {
    if (this.closed) return true;
    const to = this.destination(host);
    if (to === null) {
      this.sendErrors++;
      return true;
    }
    try {
      // The lookup is synchronous (literalLookup), so node:dgram has already tried a
      // non-blocking sendmsg: with nothing queued on the handle, the datagram went to the
      // kernel and node holds no reference to `data`. Otherwise it waits in libuv's queue.
      this.socket.send(data, port, to);
    } catch {
      this.sendErrors++;
      return true;
    }
    return this.socket.getSendQueueCount() === 0;
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  address(): PeerAddress {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  recvBufferSize(): number {
    return this.socket.getRecvBufferSize();
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

/** Binds a socket of `type` (an IPv6 one IPv6-only when `v6Only`). */
async function open(
  type: 'udp4' | 'udp6',
  host: string,
  port: number,
  v6Only: boolean,
): Promise<dgram.Socket> {
  // Peers are always addressed by IP literal: a synchronous lookup skips node:dns and the
  // process.nextTick it costs on every send.
  const socket = dgram.createSocket({
    type,
    lookup: literalLookup,
    ...(type === 'udp6' && { ipv6Only: v6Only }),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    socket.close();
    throw err;
  }
  return socket;
}

/** `::ffff:a.b.c.d` as node:dgram reports an IPv4 peer on a dual-stack socket → `a.b.c.d`. */
function unmapped(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.', 7) ? address.slice(7) : address;
}

function literalLookup(
  address: string,
  family: unknown,
  callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
): void {
  // node:dgram passes the socket's family (4 or 6) as the second argument.
  callback(null, address, family === 4 || family === 6 ? family : address.includes(':') ? 6 : 4);
}

/** The kernel may cap the size (net.core.rmem_max); a smaller buffer is not an error. */
function setBufferSize(set: () => void): void {
  try {
    set();
  } catch {
    // keep the default size
  }
}
