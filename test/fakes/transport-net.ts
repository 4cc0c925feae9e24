// An in-process test network for the transport: endpoints on 127.0.0.1 (port 0), each
// optionally behind an ImpairedSocket, torn down in one call.

import { createHash } from 'node:crypto';
import {
  Endpoint,
  UdpSocket,
  type DatagramSocket,
  type EndpointOptions,
  type PeerSession,
} from '../../src-main/transport/index.js';
import { ImpairedSocket, type ImpairedSocketOptions } from './impaired-socket.js';

export const STREAM_ID = new Uint8Array(32).fill(7);

export interface TestNode {
  endpoint: Endpoint;
  socket: ImpairedSocket;
}

export class TransportNet {
  private readonly nodes: TestNode[] = [];

  /** `line`: what the UDP socket sits behind (e.g. a ShapedSocket's home uplink). */
  async node(
    options: EndpointOptions = {},
    impair: ImpairedSocketOptions = {},
    line: (udp: DatagramSocket) => DatagramSocket = (udp) => udp,
  ): Promise<TestNode> {
    const udp = await UdpSocket.bind({ host: '127.0.0.1', port: 0 });
    const socket = new ImpairedSocket(line(udp), impair);
    const endpoint = new Endpoint({ ...options, socket });
    await endpoint.start();
    const node = { endpoint, socket };
    this.nodes.push(node);
    return node;
  }

  /** Client session and the matching server session. */
  async pair(
    server: TestNode,
    client: TestNode,
    timeoutMs = 5000,
  ): Promise<{ client: PeerSession; server: PeerSession }> {
    const inbound = new Promise<PeerSession>((resolve) => server.endpoint.once('session', resolve));
    const c = await client.endpoint.connect(server.endpoint.address(), STREAM_ID, { timeoutMs });
    return { client: c, server: await inbound };
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => n.endpoint.destroy()));
    this.nodes.length = 0;
  }
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Deterministic pseudo-random bytes (fast enough for 16 MiB). */
export function testBytes(size: number, seed = 1): Buffer {
  const buf = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  let i = 0;
  for (; i + 4 <= size; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    buf.writeUInt32LE(x >>> 0, i);
  }
  for (; i < size; i++) buf[i] = i & 0xff;
  return buf;
}
