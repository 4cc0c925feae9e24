// A broadcast on the DHT (PROTOCOL §15): once the engine's DHT node is up, keep the
// stream's signed record there (RecordPublisher) and tell the snapshot how it goes. The
// short address shoal://<id> is worth handing out only once a record is stored.

import type { ShoalError } from '../../src-shared/errors.js';
import { RecordPublisher } from '../discovery/record-publisher.js';
import type { PeerAddress } from '../protocol/types.js';
import type { StreamIdentity } from '../store/key-store.js';
import type { DhtService } from './dht-service.js';
import type { EngineConfig } from './engine-config.js';
import { recordEndpoints } from './record-endpoints.js';
import type { StreamNode } from './stream-node.js';

export interface DhtRecordStatus {
  record: 'none' | 'publishing' | 'published' | 'resolving' | 'found';
  message: string | null;
  peersFound: number;
}

export class BroadcastDiscovery {
  private publisher: RecordPublisher | null = null;
  private destroyed = false;
  private problem: string | null = null;
  private offReachability: (() => void) | null = null;
  /** What the last stored record said (for the lab and tests). */
  lastPublished: { seq: number; endpoints: PeerAddress[] } | null = null;

  constructor(
    dht: DhtService,
    identity: StreamIdentity,
    node: StreamNode,
    config: EngineConfig,
    private readonly onPublished: () => void,
    private readonly onError: (error: ShoalError) => void,
  ) {
    void dht.get().then((dhtNode) => {
      if (!dhtNode || this.destroyed) return;
      this.publisher = new RecordPublisher({
        dht: dhtNode,
        streamId: identity.publicKey,
        privateKey: identity.privateKey,
        nodeId: node.endpoint.nodeId,
        endpoints: () =>
          recordEndpoints({
            port: node.port,
            // Both families on a dual-stack socket (PROTOCOL §2.2, §15.1).
            families: node.endpoint.families(),
            advertiseHost: config.advertiseHost,
            // The router's mapping of our port (README "Port mapping") goes first.
            extra: () =>
              node.reachability.state().kind === 'mapped'
                ? [node.reachability.advertisedEndpoint(config.advertiseHost)]
                : [],
          }),
      });
      this.publisher.on('published', ({ seq, endpoints }) => {
        this.problem = null;
        this.lastPublished = { seq, endpoints };
        this.onPublished();
      });
      this.publisher.on('error', (error) => {
        // Said once: the publisher keeps retrying with back-off.
        if (this.problem === null) this.onError(error);
        this.problem = `the stream's DHT record is not stored yet: ${error.message}`;
      });
      this.publisher.start();
      // A new mapping (the router's WAN re-addressed, PROTOCOL §15.1 "When") is put at once,
      // not at the next periodic look.
      this.offReachability = node.reachability.onChange(() => void this.publisher?.check());
    });
  }

  get published(): boolean {
    return this.publisher?.published ?? false;
  }

  status(): DhtRecordStatus {
    return {
      record: this.published ? 'published' : 'publishing',
      message: this.problem,
      peersFound: 0,
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.offReachability?.();
    this.publisher?.destroy();
  }
}
