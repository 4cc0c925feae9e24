// A Mainline DHT of our own on 127.0.0.1 for tests: a few bittorrent-dht nodes that know
// each other, to be given as `dhtBootstrap`. Real UDP sockets, real KRPC.

import DHT from 'bittorrent-dht';
import { verifyDhtSignature } from '../../src-main/protocol/dht-record.js';

export class DhtNet {
  private readonly nodes: DHT[] = [];

  /** `host:port` of every node, for the dhtBootstrap setting. */
  get bootstrap(): string[] {
    return this.nodes.map((n) => `127.0.0.1:${n.address().port}`);
  }

  static async start(count = 3): Promise<DhtNet> {
    const net = new DhtNet();
    for (let i = 0; i < count; i++) {
      const node = new DHT({
        bootstrap: net.bootstrap.length > 0 ? net.bootstrap : false,
        verify: verifyDhtSignature,
      });
      node.on('error', () => undefined);
      node.on('warning', () => undefined);
      await new Promise<void>((resolve) => node.listen(0, '127.0.0.1', () => resolve()));
      net.nodes.push(node);
    }
    // The first node learns of the later ones too.
    for (const node of net.nodes)
      for (const other of net.nodes)
        if (other !== node) node.addNode({ host: '127.0.0.1', port: other.address().port });
    return net;
  }

  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((n) => new Promise<void>((resolve) => n.destroy(() => resolve()))));
  }
}
