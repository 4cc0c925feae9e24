// A DatagramSocket wrapper that impairs a real socket: seeded random loss, duplication,
// reordering and delay, per direction, plus "mute" (a peer that goes silent). Used by the
// transport integration tests and the transport benchmark.

import {
  socketFamilies,
  type DatagramHandler,
  type DatagramSocket,
  type IpFamily,
} from '../../src-main/transport/index.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';

export interface Impairment {
  /** Probability a datagram is dropped. */
  loss?: number;
  /** Probability a datagram is delivered twice. */
  duplicate?: number;
  /** Probability a datagram is held back and delivered after the next one. */
  reorder?: number;
  /** Fixed extra delay, ms (uses one timer per datagram: keep rates modest). */
  delayMs?: number;
  /** Uniform random extra delay in [0, jitterMs), ms. */
  jitterMs?: number;
}

export interface ImpairedSocketOptions {
  seed?: number;
  outbound?: Impairment;
  inbound?: Impairment;
}

/** mulberry32: small, fast, seeded. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Deliver = () => void;

/** One direction's impairment pipeline. */
class Impairer {
  private held: Deliver | null = null;
  private heldTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  dropped = 0;
  duplicated = 0;
  reordered = 0;

  constructor(
    private readonly imp: Impairment,
    private readonly random: () => number,
  ) {}

  /**
   * The fate of a datagram decided at once, without a closure per datagram: how many copies
   * go through now (0 = dropped, 2 = duplicated), or -1 when it needs `pass` (delay, jitter,
   * reordering, or a datagram still held back). Draws the same random numbers as `pass`, so
   * a seed decides the same fates either way.
   */
  copiesNow(): number {
    const imp = this.imp;
    if (imp.delayMs || imp.jitterMs || imp.reorder || this.held !== null) return -1;
    if (imp.loss && this.random() < imp.loss) {
      this.dropped++;
      return 0;
    }
    if (imp.duplicate && this.random() < imp.duplicate) {
      this.duplicated++;
      return 2;
    }
    return 1;
  }

  pass(deliver: Deliver): void {
    const imp = this.imp;
    if (imp.loss && this.random() < imp.loss) {
      this.dropped++;
      return;
    }
    const copies = imp.duplicate && this.random() < imp.duplicate ? 2 : 1;
    if (copies === 2) this.duplicated++;
    for (let i = 0; i < copies; i++) this.schedule(deliver);
  }

  private schedule(deliver: Deliver): void {
    const imp = this.imp;
    const delay = (imp.delayMs ?? 0) + (imp.jitterMs ? this.random() * imp.jitterMs : 0);
    if (delay > 0) {
      const t = setTimeout(() => {
        this.timers.delete(t);
        deliver();
      }, delay);
      this.timers.add(t);
      return;
    }
    if (this.held === null && imp.reorder && this.random() < imp.reorder) {
      this.reordered++;
      this.held = deliver;
      this.heldTimer = setTimeout(() => this.releaseHeld(), 2);
      return;
    }
    deliver();
    this.releaseHeld();
  }

  private releaseHeld(): void {
    const held = this.held;
    if (held === null) return;
    this.held = null;
    if (this.heldTimer !== null) clearTimeout(this.heldTimer);
    this.heldTimer = null;
    held();
  }

  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.heldTimer !== null) clearTimeout(this.heldTimer);
    this.held = null;
  }
}

export class ImpairedSocket implements DatagramSocket {
  readonly out: Impairer;
  readonly in: Impairer;
  /** A muted socket sends nothing: the peer sees it go silent. */
  muted = false;
  /** A deaf socket drops everything it receives. */
  deaf = false;
  private closed = false;

  constructor(
    private readonly inner: DatagramSocket,
    opts: ImpairedSocketOptions = {},
  ) {
    const random = seededRandom(opts.seed ?? 1);
    this.out = new Impairer(opts.outbound ?? {}, random);
    this.in = new Impairer(opts.inbound ?? {}, random);
  }

  send(data: Uint8Array, port: number, host: string): void {
    if (this.muted || this.closed) return;
    const n = this.out.copiesNow();
    if (n >= 0) {
      for (let i = 0; i < n; i++) this.inner.send(data, port, host);
      return;
    }
    this.out.pass(() => {
      if (!this.closed) this.inner.send(data, port, host);
    });
  }

  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage((data, host, port) => {
      if (this.deaf) return;
      const n = this.in.copiesNow();
      if (n >= 0) {
        for (let i = 0; i < n && !this.closed; i++) handler(data, host, port);
        return;
      }
      this.in.pass(() => {
        if (!this.closed) handler(data, host, port);
      });
    });
  }

  address(): PeerAddress {
    return this.inner.address();
  }

  families(): readonly IpFamily[] {
    return socketFamilies(this.inner);
  }

  close(): Promise<void> {
    this.closed = true;
    this.out.close();
    this.in.close();
    return this.inner.close();
  }
}
