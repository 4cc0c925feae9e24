// Port mapping (README "Port mapping"): ask the router to forward the node's UDP port.
// port-mapping.ts is the lifecycle; the clients speak UPnP IGD, PCP and NAT-PMP.

import { systemClock, type Clock } from '../transport/index.js';
import { defaultGateway } from './default-gateway.js';
import type { MappingProtocol, MappingProtocolFactory } from './mapping-protocol.js';
import { NatPmpClient } from './natpmp-client.js';
import { PcpClient } from './pcp-client.js';
import { PortMapping } from './port-mapping.js';
import { UpnpClient } from './upnp-client.js';

export { PortMapping, type PortMappingState } from './port-mapping.js';
export type { MappingProtocolName } from './mapping-protocol.js';

/**
 * The protocols a node on this machine tries: UPnP first (the most common on home routers),
 * then PCP and NAT-PMP on the default gateway's port 5351 (PCP first: a router that speaks
 * only NAT-PMP says so at once, RFC 6887 Appendix A).
 */
export function routerProtocols(): MappingProtocolFactory[] {
  const onGateway =
    (name: string, make: (gateway: string) => MappingProtocol): MappingProtocolFactory =>
    () => {
      const gateway = defaultGateway();
      return gateway ? make(gateway) : `${name}: no default gateway found`;
    };
  return [
    () => new UpnpClient(),
    onGateway('PCP', (gateway) => new PcpClient({ gateway })),
    onGateway('NAT-PMP', (gateway) => new NatPmpClient({ gateway })),
  ];
}

export function mapUdpPort(internalPort: number, clock: Clock = systemClock): PortMapping {
  return new PortMapping({ internalPort, protocols: routerProtocols(), clock });
}
