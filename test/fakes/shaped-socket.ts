// A DatagramSocket wrapper that gives a real socket a home line's uplink: a token bucket at
// `bytesPerSec` with a drop-tail queue of at most `queueMs` (what `tc tbf ... latency` does
// in the NAT lab). Datagrams wait in the queue and leave at the line's rate; a datagram that
// would wait longer than `queueMs` is dropped. The rate can change while it runs.

import type { DatagramHandler, DatagramSocket } from '../../src-main/transport/index.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';

interface Queued {
  data: Uint8Array;
  port: number;
  host: string;
  /** When the line has carried it, performance.now() ms. */
  at: number;
}

export class ShapedSocket implements DatagramSocket {
  dropped = 0;
  sent = 0;
  private readonly queue: Queued[] = [];
  /** When the line is done with everything queued, performance.now() ms. */
  private busyUntil = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(
    private readonly inner: DatagramSocket,
    public bytesPerSec: number,
    private readonly queueMs = 100,
  ) {}

  send(data: Uint8Array, port: number, host: string): void {
    if (this.closed) return;
    const now = performance.now();
    const start = Math.max(now, this.busyUntil);
    const lineMs = (data.length * 1000) / this.bytesPerSec;
    if (start - now + lineMs > this.queueMs) {
      this.dropped++;
      return;
    }
    this.busyUntil = start + lineMs;
    // The caller may reuse its buffer once send returns (see DatagramSocket.sendNow).
    this.queue.push({ data: Uint8Array.from(data), port, host, at: this.busyUntil });
    this.schedule();
  }

  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage(handler);
  }

  address(): PeerAddress {
    return this.inner.address();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.queue.length = 0;
    await this.inner.close();
  }

  private schedule(): void {
    if (this.timer !== null || this.closed || this.queue.length === 0) return;
    this.timer = setTimeout(
      () => {
        this.timer = null;
        const now = performance.now();
        while (this.queue.length > 0 && this.queue[0]!.at <= now) {
          const head = this.queue.shift()!;
          this.inner.send(head.data, head.port, head.host);
          this.sent++;
        }
        this.schedule();
      },
      Math.max(0, this.queue[0]!.at - performance.now()),
    );
  }
}
