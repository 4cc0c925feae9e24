// UPnP IGD mapping client over `@achingbrain/nat-port-mapper` (4.x): SSDP discovery of the
// router, then SOAP AddAnyPortMapping / GetExternalIPAddress / DeletePortMapping.
//
// Why this library: maintained (libp2p's port mapper, ESM, typed, releases in 2025), small
// dependencies, and it runs on Node 20 under tsx and vitest. Limits we live with: it speaks
// IGD version 2 only (miniupnpd, which most home routers run, offers it), grants leases of at
// least an hour, and its own refresh timers are off here (port-mapping.ts renews, on our clock).
// Its NAT-PMP half is not used (natpmp-client.ts says why).

import { upnpNat, type Gateway } from '@achingbrain/nat-port-mapper';
import { networkInterfaces } from 'node:os';
import { NoAnswer, type MappingGrant, type MappingProtocol } from './mapping-protocol.js';

const DISCOVERY_MS = 2500;
/** The library asks for at least this long (UPnP leases it grants are >= 1 h). */
const MIN_LEASE_MS = 3600_000;
const DESCRIPTION = 'Shoal';

export class UpnpClient implements MappingProtocol {
  readonly name = 'upnp' as const;
  private gateway: Gateway | null = null;
  private externalPort: number | null = null;

  async map(internalPort: number, lifetimeMs: number, signal: AbortSignal): Promise<MappingGrant> {
    const gateway = this.gateway ?? (this.gateway = await findGateway(signal));
    const local = localAddressFacing(gateway.host);
    if (!local) throw new Error(`no local address on the network of the router ${gateway.host}`);
    const lease = Math.max(MIN_LEASE_MS, lifetimeMs);
    const m = await gateway.map(internalPort, local, {
      protocol: 'udp',
      externalPort: internalPort,
      ttl: lease,
      autoRefresh: false,
      description: DESCRIPTION,
      signal,
    });
    this.externalPort = m.externalPort;
    return { externalHost: m.externalHost, externalPort: m.externalPort, lifetimeMs: lease };
  }

  async externalAddress(signal: AbortSignal): Promise<string> {
    const gateway = this.gateway ?? (this.gateway = await findGateway(signal));
    return gateway.externalIp({ signal });
  }

  async unmap(internalPort: number, signal: AbortSignal): Promise<void> {
    const gateway = this.gateway;
    if (!gateway) return;
    const device = await soapDevice(gateway, signal);
    if (!device) return gateway.unmap(internalPort, { signal });
    // The library's unmap() sends NewProtocol="" (and the internal port as the external one);
    // miniupnpd 2.3.1 then drops the firewall rule but leaves the DNAT rule in place. So the
    // request is made here, complete.
    await device.run(
      WAN_IP_CONNECTION_2,
      'DeletePortMapping',
      [
        ['NewRemoteHost', ''],
        ['NewExternalPort', String(this.externalPort ?? internalPort)],
        ['NewProtocol', 'UDP'],
      ],
      { signal },
    );
  }

  async close(): Promise<void> {
    const g = this.gateway;
    this.gateway = null;
    // stop() would unmap again; the lifecycle has done that already.
    await g?.stop({ signal: AbortSignal.timeout(100) }).catch(() => undefined);
  }
}

const WAN_IP_CONNECTION_2 = 'urn:schemas-upnp-org:service:WANIPConnection:2';

interface SoapDevice {
  run(
    service: string,
    action: string,
    args: [string, string][],
    options: { signal: AbortSignal },
  ): Promise<unknown>;
}

/** The library's SOAP device behind a gateway (not in its typings), or null if that changed. */
async function soapDevice(gateway: Gateway, signal: AbortSignal): Promise<SoapDevice | null> {
  const g = gateway as unknown as { getGateway?: (o: { signal: AbortSignal }) => Promise<SoapDevice> };
  if (typeof g.getGateway !== 'function') return null;
  const device = await g.getGateway({ signal });
  return typeof device?.run === 'function' ? device : null;
}

async function findGateway(signal: AbortSignal): Promise<Gateway> {
  const search = AbortSignal.any([signal, AbortSignal.timeout(DISCOVERY_MS)]);
  for await (const g of upnpNat({ autoRefresh: false }).findGateways({ signal: search })) {
    if (g.family === 'IPv4') return g;
  }
  throw new NoAnswer('no UPnP IGD answered');
}

/** Our IPv4 address on the router's subnet (the address the router forwards to). */
export function localAddressFacing(routerIp: string): string | null {
  const toInt = (ip: string): number => ip.split('.').reduce((n, o) => (n << 8) + Number(o), 0) >>> 0;
  const router = toInt(routerIp);
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family !== 'IPv4' || a.internal) continue;
      const mask = toInt(a.netmask);
      if (((toInt(a.address) ^ router) & mask) >>> 0 === 0) return a.address;
    }
  }
  return null;
}
