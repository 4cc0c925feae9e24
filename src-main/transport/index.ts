// Public API of the peer transport (PROTOCOL §7–§10, §13): what other folders use. Everything
// else in this folder is its inside; lint forbids importing it from another folder.

export { Endpoint, type EndpointEvents, type EndpointOptions, type EndpointStats } from './endpoint.js';
export {
  PeerSession,
  type IncomingPlaylistRequest,
  type IncomingSegmentRequest,
  type PeerSessionEvents,
  type PeerSessionStats,
} from './peer-session.js';
export {
  NO_DEADLINE,
  type PlaylistResult,
  type SegmentRequestHandle,
  type SegmentRequestOptions,
} from './request-book.js';
export type { StreamAdmission } from './handshake-server.js';
export {
  ConnectRejectedError,
  NotAvailableError,
  isConnectRejected,
  isNotAvailable,
} from './transport-errors.js';
export {
  UdpSocket,
  socketFamilies,
  type DatagramHandler,
  type DatagramSocket,
  type IpFamily,
  type UdpSocketOptions,
} from './datagram-socket.js';
export { systemClock, type Clock, type TimerHandle } from './clock.js';
export { UploadLimiter } from './upload-limiter.js';
export { UplinkGovernor, type UplinkGovernorOptions } from './uplink-governor.js';
export {
  DEFAULT_TRANSPORT_CONFIG,
  resolveTransportConfig,
  type TransportConfig,
  type TransportConfigInput,
} from './config.js';
export { runPunchPool, type PunchPoolOptions, type PunchPoolResult } from './punch-pool.js';
