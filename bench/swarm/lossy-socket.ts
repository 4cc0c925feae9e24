// The lab's socket wrapper, installed through the engine's `transport.wrapSocket` hook:
// drops outgoing datagrams at a seeded random rate (so every path loses that share of its
// packets once) and counts what the engine really puts on the wire, by kind. A "muted" socket
// drops everything both ways: a viewer that vanished without a GOODBYE.

import {
  socketFamilies,
  type DatagramHandler,
  type DatagramSocket,
  type IpFamily,
} from '../../src-main/transport/index.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';
import { seededRandom } from './random.js';
import { type WireKinds, classifyDatagram, emptyKinds } from './wire-kinds.js';

export interface WireCounters {
  datagramsOut: number;
  bytesOut: number;
  datagramsIn: number;
  bytesIn: number;
  dropped: number;
  /** bytesOut by kind (see wire-kinds.ts). */
  kinds: WireKinds;
}

export class LossySocket implements DatagramSocket {
  readonly counters: WireCounters = {
    datagramsOut: 0,
    bytesOut: 0,
    datagramsIn: 0,
    bytesIn: 0,
    dropped: 0,
    kinds: emptyKinds(),
  };
  muted = false;
  private readonly random: () => number;

  constructor(
    private readonly inner: DatagramSocket,
    private readonly loss: number,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  send(data: Uint8Array, port: number, host: string): void {
    if (this.muted) return;
    const k = this.counters;
    k.datagramsOut++;
    k.bytesOut += data.length;
    classifyDatagram(k.kinds, data);
    if (this.loss > 0 && this.random() < this.loss) {
      k.dropped++;
      return;
    }
    this.inner.send(data, port, host);
  }

  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage((data, host, port) => {
      if (this.muted) return;
      this.counters.datagramsIn++;
      this.counters.bytesIn += data.length;
      handler(data, host, port);
    });
  }

  address(): PeerAddress {
    return this.inner.address();
  }

  families(): readonly IpFamily[] {
    return socketFamilies(this.inner);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
