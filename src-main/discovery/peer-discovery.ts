// Viewers find each other on the DHT (PROTOCOL §15.3), besides peer exchange: each viewer
// announces its Shoal UDP port under the stream's BEP 5 key and looks up the others there.
// Found addresses are only the DHT's word: they go to the swarm as unvalidated candidates,
// dialled at the swarm's pace and never at a banned IP (src-main/swarm/dial-budget.ts).

import { dhtSwarmKey } from '../protocol/dht-record.js';
import type { PeerAddress } from '../protocol/types.js';
import type { DhtNode } from './dht-node.js';
import { PacedLoop } from './paced-loop.js';

/** Lookups while the viewer has fewer neighbours than it wants. */
export const PEER_LOOKUP_HUNGRY_MS = 20_000;
/** Lookups (and re-announces, well within the tokens' life) otherwise. */
export const PEER_LOOKUP_MS = 5 * 60_000;
/** Peers passed on from one lookup, at most. */
const MAX_PEERS_PER_LOOKUP = 32;

export interface PeerDiscoveryOptions {
  dht: DhtNode;
  streamId: Uint8Array;
  /** The port other viewers should dial: our Shoal UDP port (or its mapping on the router). */
  port: () => number;
  /** Whether we want more neighbours now. */
  hungry: () => boolean;
  onPeers: (peers: PeerAddress[]) => void;
  now: () => number;
}

export class PeerDiscovery {
  private readonly key: Buffer;
  private readonly loop: PacedLoop;
  /** Peers reported since start (for stats and tests). */
  found = 0;

  constructor(private readonly options: PeerDiscoveryOptions) {
    this.key = dhtSwarmKey(options.streamId);
    this.loop = new PacedLoop({
      now: options.now,
      waitMs: () => (options.hungry() ? PEER_LOOKUP_HUNGRY_MS : PEER_LOOKUP_MS),
      run: () => this.round(),
      checkEveryMs: 1000,
    });
  }

  start(): void {
    this.loop.start();
  }

  /** get_peers, then announce_peer to the nodes that answered (their tokens are fresh). */
  private async round(): Promise<void> {
    const peers = new Map<string, PeerAddress>();
    try {
      await this.options.dht.lookup(this.key, (p) => {
        if (peers.size < MAX_PEERS_PER_LOOKUP) peers.set(`${p.host}|${p.port}`, p);
      });
      if (this.loop.destroyed) return;
      if (peers.size > 0) {
        this.found += peers.size;
        this.options.onPeers([...peers.values()]);
      }
      await this.options.dht.announce(this.key, this.options.port());
    } catch {
      // No DHT node answered: the next round tries again; peer exchange goes on meanwhile.
    }
  }

  destroy(): void {
    this.loop.destroy();
  }
}
