// The one UDP socket an Endpoint owns, behind an interface so tests can wrap it with
// loss, duplication, reordering and delay (test/fakes/impaired-socket.ts).

import dgram from 'node:dgram';
import type { PeerAddress } from '../protocol/types.js';

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
  close(): Promise<void>;
}

export interface UdpSocketOptions {
  host?: string;
  port?: number;
  /** Kernel buffers: large ones absorb the bursts a 1 ms timer granularity forces on us. */
  recvBufferBytes?: number;
  sendBufferBytes?: number;
}

const DEFAULT_BUFFER_BYTES = 8 * 1024 * 1024;

export class UdpSocket implements DatagramSocket {
  sendErrors = 0;
  private handler: DatagramHandler = () => {};
  private closed = false;

  private constructor(private readonly socket: dgram.Socket) {
    socket.on('message', (msg, rinfo) => this.handler(msg, rinfo.address, rinfo.port));
    // Without a listener an async send error would crash the process.
    socket.on('error', () => {
      this.sendErrors++;
    });
  }

  static async bind(options: UdpSocketOptions = {}): Promise<UdpSocket> {
    const host = options.host ?? '127.0.0.1';
    const type = host.includes(':') ? 'udp6' : 'udp4';
    // Peers are always addressed by IP literal: a synchronous lookup skips node:dns and the
    // process.nextTick it costs on every send.
    const socket = dgram.createSocket({ type, lookup: literalLookup });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(options.port ?? 0, host, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    setBufferSize(() => socket.setRecvBufferSize(options.recvBufferBytes ?? DEFAULT_BUFFER_BYTES));
    setBufferSize(() => socket.setSendBufferSize(options.sendBufferBytes ?? DEFAULT_BUFFER_BYTES));
    return new UdpSocket(socket);
  }

  send(data: Uint8Array, port: number, host: string): void {
    if (this.closed) return;
    try {
      this.socket.send(data, port, host);
    } catch {
      this.sendErrors++;
    }
  }

  sendNow(data: Uint8Array, port: number, host: string): boolean {
    if (this.closed) return true;
    try {
      // The lookup is synchronous (literalLookup), so node:dgram has already tried a
      // non-blocking sendmsg: with nothing queued on the handle, the datagram went to the
      // kernel and node holds no reference to `data`. Otherwise it waits in libuv's queue.
      this.socket.send(data, port, host);
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
