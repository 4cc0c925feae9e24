// The engine's one DHT node (PROTOCOL §15), shared by whatever session runs. It starts in
// the background the first time a session asks for it (joining can take seconds, and must
// never hold up a broadcast or a watch that has host:port to go on), is restarted when the
// bootstrap setting changes, and reports how it goes for the snapshot.

import type { Settings } from '../../src-shared/contract.js';
import { ShoalError } from '../../src-shared/errors.js';
import { DhtNode } from '../discovery/dht-node.js';
import type { DhtConfig } from './engine-config.js';

export type DhtState = 'off' | 'starting' | 'no-nodes' | 'ready';

/** A node whose routing table is still empty this long after start says 'no-nodes'. */
const NO_NODES_AFTER_MS = 10_000;

export class DhtService {
  private node: Promise<DhtNode | null> | null = null;
  private started: DhtNode | null = null;
  private bootstrapKey = '';
  private startedAt = 0;
  private destroyed = false;

  constructor(
    private readonly settings: () => Settings,
    private readonly config: DhtConfig,
    private readonly onError: (error: ShoalError) => void,
  ) {}

  /** The DHT node once it has joined (or given up waiting for its bootstrap nodes); null when off. */
  get(): Promise<DhtNode | null> {
    const settings = this.settings();
    if (this.destroyed || !settings.dhtEnabled) return Promise.resolve(null);
    const key = settings.dhtBootstrap.join(',');
    if (this.node && key === this.bootstrapKey) return this.node;
    void this.stop();
    this.bootstrapKey = key;
    this.startedAt = Date.now();
    const node = DhtNode.start({
      bootstrap: settings.dhtBootstrap,
      bindHost: this.config.bindHost,
      port: this.config.port,
      readyTimeoutMs: this.config.readyTimeoutMs,
    }).then(
      (n) => {
        if (this.destroyed || this.node !== node) {
          void n.destroy();
          return null;
        }
        this.started = n;
        return n;
      },
      (err: unknown) => {
        this.onError(ShoalError.from(err));
        if (this.node === node) this.node = null;
        return null;
      },
    );
    this.node = node;
    return node;
  }

  state(): DhtState {
    if (!this.settings().dhtEnabled || this.destroyed) return 'off';
    if (this.started?.nodeCount()) return 'ready';
    return !this.started || Date.now() - this.startedAt < NO_NODES_AFTER_MS ? 'starting' : 'no-nodes';
  }

  nodeCount(): number {
    return this.started?.nodeCount() ?? 0;
  }

  private async stop(): Promise<void> {
    const node = this.started;
    this.node = null;
    this.started = null;
    await node?.destroy();
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    const pending = this.node;
    await this.stop();
    (await pending?.catch(() => null))?.destroy();
  }
}
