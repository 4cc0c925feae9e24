// Port mapping (README "Port mapping"): ask the router to forward the node's UDP port.
// port-mapping.ts is the lifecycle; the clients speak UPnP IGD and NAT-PMP.

import { systemClock, type Clock } from '../transport/clock.js';
import { defaultGateway } from './default-gateway.js';
import type { MappingProtocolFactory } from './mapping-protocol.js';
import { NatPmpClient } from './natpmp-client.js';
import { PortMapping } from './port-mapping.js';
import { UpnpClient } from './upnp-client.js';

export { PortMapping, type PortMappingState } from './port-mapping.js';
export type { MappingProtocolName } from './mapping-protocol.js';

/** The protocols a node on this machine tries, UPnP first (the most common on home routers). */
export function routerProtocols(): MappingProtocolFactory[] {
  return [
    () => new UpnpClient(),
    () => {
      const gateway = defaultGateway();
      return gateway ? new NatPmpClient({ gateway }) : 'NAT-PMP: no default gateway found';
    },
  ];
}

export function mapUdpPort(internalPort: number, clock: Clock = systemClock): PortMapping {
  return new PortMapping({ internalPort, protocols: routerProtocols(), clock });
}
