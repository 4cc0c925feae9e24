// Transport settings: one default object, merged with overrides by one function that
// clamps out-of-range values and rejects contradictory ones (PROTOCOL §10.6 lists them).

import { DEFAULT_MAX_DATAGRAM, MAX_MAX_DATAGRAM, MIN_MAX_DATAGRAM } from '../protocol/constants.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { DEFAULT_LEDBAT, type LedbatConfig } from './ledbat.js';

export interface TransportConfig {
  /** Largest UDP payload this node sends or accepts; a session uses the min of both sides. */
  maxDatagram: number;
  /** A peer silent this long is gone (PEER_TIMEOUT). */
  idleTimeoutMs: number;
  /** PING when we have sent nothing for this long; null = min(idleTimeout/3, 25 s). */
  keepaliveIntervalMs: number | null;
  /** Default for connect(). */
  handshakeTimeoutMs: number;
  /** First HELLO retransmission; doubles each time. */
  helloRetransmitMs: number;
  ackEveryPackets: number;
  maxAckDelayMs: number;
  maxAckRanges: number;
  /** Consecutive probe timeouts with data outstanding after which the peer is declared dead. */
  deadAfterPtos: number;
  congestion: Omit<LedbatConfig, 'mss'>;
  reassemblyPerPeerBytes: number;
  reassemblyTotalBytes: number;
  /** Requests this node may have outstanding per session (requester side). */
  maxPendingRequests: number;
  /** Segment responses one peer may have us serve at once (serving side). */
  maxActiveResponses: number;
  maxSessions: number;
  /**
   * Control frames one session may hold, queued plus in flight (PROTOCOL §13.4): a peer
   * that makes us queue more (by requests it never acknowledges) is closed RESOURCE_LIMIT.
   */
  maxControlFrames: number;
  maxControlBytes: number;
  /**
   * The same, for all sessions of the endpoint together: once they hold this much, a
   * session that holds an eighth of its own budget or more is closed when it queues more.
   */
  maxControlFramesTotal: number;
  maxControlBytesTotal: number;
  /** Bytes of control packets a session may have in flight (PROTOCOL §8.6); the rest wait. */
  controlWindowBytes: number;
  /** A server session the client has not confirmed with a DATA packet by then is dropped. */
  unconfirmedTimeoutMs: number;
  /** Server sessions not yet confirmed, node-wide and per source IP (PROTOCOL §10.2). */
  maxUnconfirmed: number;
  maxUnconfirmedPerIp: number;
  /** Node-wide upload cap for segment data, bytes/s; null = unlimited. */
  uploadBytesPerSec: number | null;
  capabilities: number;
}

export const DEFAULT_TRANSPORT_CONFIG: TransportConfig = {
  maxDatagram: DEFAULT_MAX_DATAGRAM,
  idleTimeoutMs: 15_000,
  keepaliveIntervalMs: null,
  handshakeTimeoutMs: 10_000,
  helloRetransmitMs: 250,
  ackEveryPackets: 16,
  maxAckDelayMs: 25,
  maxAckRanges: 64,
  deadAfterPtos: 7,
  congestion: DEFAULT_LEDBAT,
  reassemblyPerPeerBytes: 64 * 1024 * 1024,
  reassemblyTotalBytes: 256 * 1024 * 1024,
  maxPendingRequests: 256,
  maxActiveResponses: 64,
  maxSessions: 512,
  maxControlFrames: 4096,
  maxControlBytes: 256 * 1024,
  maxControlFramesTotal: 32_768,
  maxControlBytesTotal: 8 * 1024 * 1024,
  controlWindowBytes: 64 * 1024,
  unconfirmedTimeoutMs: 5_000,
  maxUnconfirmed: 256,
  maxUnconfirmedPerIp: 32,
  uploadBytesPerSec: null,
  capabilities: 0,
};

export type TransportConfigInput = Partial<Omit<TransportConfig, 'congestion'>> & {
  congestion?: Partial<TransportConfig['congestion']>;
};

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

export function resolveTransportConfig(input: TransportConfigInput = {}): TransportConfig {
  const c: TransportConfig = {
    ...DEFAULT_TRANSPORT_CONFIG,
    ...input,
    congestion: { ...DEFAULT_TRANSPORT_CONFIG.congestion, ...input.congestion },
  };
  c.maxDatagram = clamp(Math.floor(c.maxDatagram), MIN_MAX_DATAGRAM, MAX_MAX_DATAGRAM);
  c.idleTimeoutMs = clamp(c.idleTimeoutMs, 100, 600_000);
  c.ackEveryPackets = clamp(Math.floor(c.ackEveryPackets), 1, 64);
  c.maxAckDelayMs = clamp(c.maxAckDelayMs, 1, 100);
  c.maxAckRanges = clamp(Math.floor(c.maxAckRanges), 8, 1024);
  c.deadAfterPtos = clamp(Math.floor(c.deadAfterPtos), 2, 32);
  // RFC 6817 §3.3: TARGET of at most 100 ms; below 60 ms LEDBAT loses to jitter.
  c.congestion.targetMs = clamp(c.congestion.targetMs, 60, 100);
  if (c.keepaliveIntervalMs !== null && c.keepaliveIntervalMs >= c.idleTimeoutMs) {
    throw new ShoalError(
      ErrorCode.BAD_SETTINGS,
      `keepaliveIntervalMs (${c.keepaliveIntervalMs}) must be below idleTimeoutMs (${c.idleTimeoutMs})`,
    );
  }
  if (c.reassemblyPerPeerBytes > c.reassemblyTotalBytes) {
    throw new ShoalError(ErrorCode.BAD_SETTINGS, 'reassemblyPerPeerBytes exceeds reassemblyTotalBytes');
  }
  if (c.uploadBytesPerSec !== null && !(c.uploadBytesPerSec > 0)) c.uploadBytesPerSec = null;
  // A control window below one datagram would stall control frames for good.
  c.controlWindowBytes = clamp(Math.floor(c.controlWindowBytes), c.maxDatagram, 16 * 1024 * 1024);
  c.maxControlBytes = clamp(Math.floor(c.maxControlBytes), c.controlWindowBytes, 64 * 1024 * 1024);
  c.maxControlFrames = clamp(Math.floor(c.maxControlFrames), 64, 1 << 20);
  c.maxControlFramesTotal = Math.max(c.maxControlFrames, Math.floor(c.maxControlFramesTotal));
  c.maxControlBytesTotal = Math.max(c.maxControlBytes, Math.floor(c.maxControlBytesTotal));
  c.unconfirmedTimeoutMs = clamp(c.unconfirmedTimeoutMs, 100, c.idleTimeoutMs);
  c.maxUnconfirmed = clamp(Math.floor(c.maxUnconfirmed), 1, c.maxSessions);
  c.maxUnconfirmedPerIp = clamp(Math.floor(c.maxUnconfirmedPerIp), 1, c.maxUnconfirmed);
  return c;
}

/** PROTOCOL §10.5 — default keepalive: a third of the idle timeout, at most 25 s. */
export function keepaliveInterval(c: TransportConfig, idleTimeoutMs: number): number {
  return c.keepaliveIntervalMs ?? Math.min(idleTimeoutMs / 3, 25_000);
}
