// A DatagramSocket wrapper that acts as a firewall between this node and some ports: every
// datagram to or from a blocked port is dropped, both ways, as a NAT drops what it was not
// asked for. Tests use it to make one peer unreachable for another (issue 16).

import {
  socketFamilies,
  type DatagramHandler,
  type DatagramSocket,
  type IpFamily,
} from '../../src-main/transport/index.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';

export class BlockingSocket implements DatagramSocket {
  /** Ports nothing reaches and nothing comes from. */
  readonly blocked = new Set<number>();
  dropped = 0;

  constructor(private readonly inner: DatagramSocket) {}

  send(data: Uint8Array, port: number, host: string): void {
    if (this.blocked.has(port)) {
      this.dropped++;
      return;
    }
    this.inner.send(data, port, host);
  }

  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage((data, host, port) => {
      if (this.blocked.has(port)) {
        this.dropped++;
        return;
      }
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
