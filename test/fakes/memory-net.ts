// An in-memory datagram network for fuzzing whole nodes fast: sockets are addresses in a
// map, a send is queued, and `settle()` delivers until nothing moves (a few µs per hop
// instead of a loopback round trip). Endpoints take these sockets as their `socket`.

import type { DatagramHandler, DatagramSocket } from '../../src-main/transport/index.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';

interface InFlight {
  data: Buffer;
  from: PeerAddress;
  to: string;
}

const key = (host: string, port: number): string => `${host}:${port}`;
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class MemorySocket implements DatagramSocket {
  handler: DatagramHandler = () => {};
  closed = false;

  constructor(
    private readonly net: MemoryNet,
    private readonly local: PeerAddress,
  ) {}

  send(data: Uint8Array, port: number, host: string): void {
    if (this.closed) return;
    // A copy: the sender may reuse its buffer once send() returns (DatagramSocket.sendNow).
    this.net.enqueue({ data: Buffer.from(data), from: this.local, to: key(host, port) });
  }

  onMessage(handler: DatagramHandler): void {
    this.handler = handler;
  }

  address(): PeerAddress {
    return { ...this.local };
  }

  close(): Promise<void> {
    this.closed = true;
    this.net.remove(this.local);
    return Promise.resolve();
  }
}

export class MemoryNet {
  private readonly sockets = new Map<string, MemorySocket>();
  private queue: InFlight[] = [];
  delivered = 0;
  /** Datagrams to an address nobody holds (as UDP would, silently). */
  undeliverable = 0;

  socket(host: string, port: number): MemorySocket {
    const k = key(host, port);
    if (this.sockets.has(k)) throw new Error(`address in use: ${k}`);
    const s = new MemorySocket(this, { host, port });
    this.sockets.set(k, s);
    return s;
  }

  enqueue(d: InFlight): void {
    this.queue.push(d);
  }

  remove(address: PeerAddress): void {
    this.sockets.delete(key(address.host, address.port));
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Delivers what is queued now and whatever that provokes synchronously, up to `max`. */
  deliver(max = 100_000): number {
    let n = 0;
    while (this.queue.length > 0 && n < max) {
      const batch = this.queue;
      this.queue = [];
      for (const d of batch) {
        n++;
        const s = this.sockets.get(d.to);
        if (!s || s.closed) {
          this.undeliverable++;
          continue;
        }
        this.delivered++;
        s.handler(d.data, d.from.host, d.from.port);
      }
    }
    return n;
  }

  /**
   * Delivers and lets endpoints flush (they batch sends on setImmediate) until a loop turn
   * moves nothing, or `maxTurns` turns have passed (a pair of nodes can ping-pong forever).
   */
  async settle(maxTurns = 64): Promise<void> {
    for (let i = 0; i < maxTurns; i++) {
      this.deliver();
      await turn();
      if (this.queue.length === 0) return;
    }
  }
}
