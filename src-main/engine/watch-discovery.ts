// A watch on the DHT (PROTOCOL §15): once the engine's DHT node is up, find the
// broadcaster's signed record (and newer ones: it moved) and hand its endpoints to the
// swarm as the broadcaster's, and find other viewers through get_peers. Everything found
// goes into the swarm's one dial path, with its pacing and bans.

import type { ShoalError } from '../../src-shared/errors.js';
import { PeerDiscovery } from '../discovery/peer-discovery.js';
import { RecordResolver, RESOLVE_IDLE_MS, RESOLVE_RETRY_MS } from '../discovery/record-resolver.js';
import type { PeerAddress } from '../protocol/types.js';
import type { DhtRecordStatus } from './broadcast-discovery.js';
import type { DhtService } from './dht-service.js';
import type { StreamNode } from './stream-node.js';

/** Without a link to the broadcaster (fed by viewers only), look for a newer record this often. */
const NO_BROADCASTER_LINK_MS = 30_000;
/** A link to the broadcaster that received nothing for this long (it sends every segment) may be dead. */
const SILENT_SOURCE_MS = 4000;

export interface WatchDiscoveryOptions {
  dht: DhtService;
  node: StreamNode;
  streamId: Uint8Array;
  /** Endpoints the user gave in the address (kept whatever the record says). */
  given: readonly PeerAddress[];
  /** The viewer needs the broadcaster now (not reached yet, or it went quiet). */
  lost: () => boolean;
  now: () => number;
  onError: (error: ShoalError) => void;
}

export class WatchDiscovery {
  private resolver: RecordResolver | null = null;
  private peers: PeerDiscovery | null = null;
  private destroyed = false;
  private fromRecord: PeerAddress[] = [];
  private miss: ShoalError | null = null;
  /** Set once a record was found. */
  found = false;
  /** The DHT node could be started (false while starting, or when the DHT is off). */
  running = false;

  constructor(private readonly options: WatchDiscoveryOptions) {
    void options.dht.get().then((dht) => {
      if (!dht || this.destroyed) return;
      this.running = true;
      const { node, streamId } = options;
      this.resolver = new RecordResolver({
        dht,
        streamId,
        now: options.now,
        retryMs: () => this.retryMs(),
      });
      this.resolver.on('found', ({ record }) => this.useRecord(record.endpoints));
      this.resolver.on('missed', (error) => {
        this.miss = error;
      });
      this.peers = new PeerDiscovery({
        dht,
        streamId,
        // The router's mapping of our port, if there is one: other viewers reach us there.
        port: () => node.reachability.advertisedEndpoint(null).port,
        hungry: () => node.swarm.peerCount < 4,
        onPeers: (peers) => node.swarm.addDiscovered(peers.filter((p) => node.endpoint.reaches(p.host))),
        now: options.now,
      });
      this.resolver.start();
      this.peers.start();
    });
  }

  private retryMs(): number {
    if (!this.found || this.options.lost()) return RESOLVE_RETRY_MS;
    const source = this.options.node.swarm.peerSnapshots().find((p) => p.isBroadcaster);
    if (!source) return NO_BROADCASTER_LINK_MS;
    // Our link to the broadcaster went silent: it may have moved (PROTOCOL §15.4).
    return source.silentMs > SILENT_SOURCE_MS ? RESOLVE_RETRY_MS : RESOLVE_IDLE_MS;
  }

  private useRecord(endpoints: PeerAddress[]): void {
    // The endpoints of the families our socket has: both on a dual-stack one (PROTOCOL §15.1).
    const usable = endpoints.filter((e) => this.options.node.endpoint.reaches(e.host));
    const key = (e: PeerAddress): string => `${e.host}|${e.port}`;
    const keep = new Set([...usable, ...this.options.given].map(key));
    const { swarm } = this.options.node;
    swarm.dropBootstrap(this.fromRecord.filter((e) => !keep.has(key(e))));
    this.fromRecord = usable;
    this.found = true;
    this.miss = null;
    swarm.addBootstrap(usable);
  }

  /** Why the stream is not found yet, in the user's words (null: no DHT story to tell). */
  notFoundReason(nodes: number): string | null {
    if (!this.running) return null;
    if (this.found) return null;
    if (nodes === 0)
      return 'no DHT node answered (are its bootstrap nodes reachable? Settings → Discovery, or --dht-bootstrap)';
    const asked = this.resolver?.lookups ?? 0;
    return `${this.miss?.message ?? 'not found on the DHT yet'} (asked ${asked} time${asked === 1 ? '' : 's'}: is the broadcaster live?)`;
  }

  status(): DhtRecordStatus {
    return {
      record: this.found ? 'found' : this.running ? 'resolving' : 'none',
      message: this.found ? null : (this.miss?.message ?? null),
      peersFound: this.peers?.found ?? 0,
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.resolver?.destroy();
    this.peers?.destroy();
  }
}
