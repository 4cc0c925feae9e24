// A real UDP socket behind a simulated home router's filter, for loopback tests of hole
// punching (PROTOCOL §5.18): it lets in only datagrams from an address and port it sent to
// (address-and-port-dependent filtering, as conntrack does), and tells its owner that it is
// bound at a private address (so the node does not take itself for PUBLIC). No address
// translation: on loopback the mapping is the identity, like a port-preserving cone NAT.

import type { DatagramHandler, DatagramSocket } from '../../src-main/transport/index.js';
import type { PeerAddress } from '../../src-main/protocol/types.js';

/** TEST-NET-1 (RFC 5737): a private-looking address that routes nowhere. */
export const FILTERED_HOST = '192.0.2.1';

export class NatFilterSocket implements DatagramSocket {
  /** Datagrams the filter dropped (from addresses we never sent to). */
  dropped = 0;
  private readonly sentTo = new Set<string>();

  constructor(private readonly inner: DatagramSocket) {}

  send(data: Uint8Array, port: number, host: string): void {
    this.sentTo.add(`${host}|${port}`);
    this.inner.send(data, port, host);
  }

  onMessage(handler: DatagramHandler): void {
    this.inner.onMessage((data, host, port) => {
      if (this.sentTo.has(`${host}|${port}`)) handler(data, host, port);
      else this.dropped++;
    });
  }

  address(): PeerAddress {
    return { host: FILTERED_HOST, port: this.inner.address().port };
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
