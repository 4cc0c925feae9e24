// The engine's one DHT node (PROTOCOL §15), shared by whatever session runs. It starts in
// the background the first time a session asks for it (joining can take seconds, and must
// never hold up a broadcast or a watch that has host:port to go on), is restarted when the
// bootstrap setting changes, and reports how it goes for the snapshot.

import type { Settings } from '../../src-shared/contract.js';
import { ShoalError } from '../../src-shared/errors.js';
import { DhtNode } from '../discovery/dht-node.js';
import type { DhtConfig } from './engine-config.js';

export type DhtState = 'off' | 'starting' | 'no-nodes' | 'ready';

export class DhtService {
  private node: Promise<DhtNode | null> | null = null;
  private started: DhtNode | null = null;
  private bootstrapKey = '';
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
    if (!this.started) return 'starting';
    return this.started.nodeCount() > 0 ? 'ready' : 'no-nodes';
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
