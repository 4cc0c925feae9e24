// Public API of the swarm: what the engine and the tests of other folders use. Everything
// else in this folder is its inside; lint forbids importing it from another folder.

export {
  RESCUE_SLOTS,
  Swarm,
  type SegmentArrivalEvent,
  type SwarmEvents,
  type SwarmOptions,
} from './swarm.js';
export { EndpointDialer, TransportSwarmSession } from './transport-session.js';
export type { PunchTransport, SegmentVault, SwarmSession } from './ports.js';
export type { PeerIdentity, PeerSnapshot } from './peer-snapshot.js';
export { RateMeter } from './rate-meter.js';
