// How others reach this node (README "Port mapping"): the router mapping of the node's UDP
// port while the setting allows it, and what to put in addresses we hand out. One per
// StreamNode; follows the setting live and removes the mapping on destroy.

import type { Reachability } from '../../src-shared/contract.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { mapUdpPort, type PortMapping } from '../portmap/index.js';
import type { EngineConfig } from './engine-config.js';
import { guessLanAddress, isPublicIpv4 } from './lan-address.js';

export type MapPort = (port: number) => PortMapping;

/** Why the node does not map its port, or null when it does. */
function mappingOff(config: EngineConfig): string | null {
  if (!config.settings.portMapping) return 'turned off in Settings or with --no-port-mapping';
  const bind = config.transport.bindHost;
  if (bind === '127.0.0.1' || bind === '::1' || bind === 'localhost') return 'listening on loopback only';
  // Routers map IPv4 ports (UPnP IGD, NAT-PMP, PCP for IPv4): nothing to map for IPv6 alone.
  if (bind?.includes(':')) return 'listening on IPv6 only (port mapping is for IPv4)';
  return null;
}

export class NodeReachability {
  private mapping: PortMapping | null = null;
  private offReason = '';
  private readonly events = new TypedEmitter<{ change: undefined }>();
  private destroyed = false;

  constructor(
    private readonly port: number,
    private readonly mapPort: MapPort = mapUdpPort,
  ) {}

  /** Starts or stops the mapping as the settings say (at start, and when they change). */
  async apply(config: EngineConfig): Promise<void> {
    if (this.destroyed) return;
    const off = mappingOff(config);
    if (off === null && !this.mapping) {
      const m = this.mapPort(this.port);
      m.onState(() => this.events.emit('change', undefined));
      this.mapping = m;
      m.start();
    } else if (off !== null) {
      this.offReason = off;
      const m = this.mapping;
      this.mapping = null;
      await m?.destroy();
    }
    this.events.emit('change', undefined);
  }

  onChange(listener: () => void): () => void {
    return this.events.on('change', listener);
  }

  /** Resolves at the router's first answer, or after `maxMs`, or at once when not mapping. */
  async firstAnswer(maxMs: number): Promise<void> {
    if (!this.mapping) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.mapping.settled(), new Promise((r) => (timer = setTimeout(r, maxMs)))]);
    clearTimeout(timer);
  }

  state(): Reachability {
    const m = this.mapping;
    if (!m) return { kind: 'off', via: null, external: null, detail: this.offReason || null };
    const s = m.state;
    if (s.kind === 'mapped')
      return { kind: 'mapped', via: s.via, external: `${s.externalHost}:${s.externalPort}`, detail: null };
    const lan = guessLanAddress();
    if (isPublicIpv4(lan))
      return { kind: 'public', via: null, external: `${lan}:${this.port}`, detail: null };
    if (s.kind === 'unmapped') return { kind: 'unmapped', via: null, external: null, detail: s.reason };
    return { kind: 'checking', via: null, external: null, detail: null };
  }

  /** Where others should send to reach us: the router's mapping if there is one, else our own address. */
  advertisedEndpoint(advertiseHost: string | null): { host: string; port: number } {
    const s = this.mapping?.state;
    if (s?.kind === 'mapped') return { host: advertiseHost ?? s.externalHost, port: s.externalPort };
    return { host: advertiseHost ?? guessLanAddress(), port: this.port };
  }

  /** Removes the mapping (bounded by the mapping's request timeout). */
  async destroy(): Promise<void> {
    this.destroyed = true;
    const m = this.mapping;
    this.mapping = null;
    await m?.destroy();
    this.events.removeAllListeners();
  }
}
