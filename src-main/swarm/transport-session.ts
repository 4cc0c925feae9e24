// Adapts a transport PeerSession (PROTOCOL §7–§10) to the narrow SwarmSession port.

import { Capability } from '../protocol/constants.js';
import type { Frame, PeerAddress } from '../protocol/types.js';
import type { Endpoint, PeerSession } from '../transport/index.js';
import type {
  Dialer,
  SegmentRequestHandle,
  SegmentRequestOptions,
  SessionHealth,
  SessionListeners,
  SwarmSession,
} from './ports.js';

export class TransportSwarmSession implements SwarmSession {
  readonly nodeId: string;
  readonly isBroadcaster: boolean;
  readonly speaksPieces: boolean;
  readonly speaksPex: boolean;
  readonly claimedNoPath: boolean;
  readonly speaksPunch: boolean;
  readonly reachesIpv6: boolean;

  constructor(readonly session: PeerSession) {
    this.nodeId = Buffer.from(session.peerNodeId).toString('hex');
    this.isBroadcaster = (session.peerCapabilities & Capability.BROADCASTER) !== 0;
    this.speaksPieces = (session.peerCapabilities & Capability.PIECES) !== 0;
    this.speaksPex = (session.peerCapabilities & Capability.PEX) !== 0;
    this.claimedNoPath =
      session.direction === 'inbound' && (session.peerCapabilities & Capability.NO_PATH) !== 0;
    this.speaksPunch = (session.peerCapabilities & Capability.PUNCH) !== 0;
    this.reachesIpv6 = (session.peerCapabilities & Capability.IPV6) !== 0;
  }

  get observedAddress(): PeerAddress | null {
    return this.session.observedAddress;
  }

  get remote(): PeerAddress {
    return this.session.remote;
  }

  get direction(): 'inbound' | 'outbound' {
    return this.session.direction;
  }

  send(frame: Frame): void {
    if (!this.session.closed) this.session.send(frame);
  }

  unacknowledged(): number {
    return this.session.closed ? 0 : this.session.unacknowledgedFrames;
  }

  requestSegment(options: SegmentRequestOptions): SegmentRequestHandle {
    return this.session.requestSegment(options);
  }

  requestPlaylist(rendition: number, fromSeq: number, timeoutMs: number) {
    return this.session.requestPlaylist({ rendition, fromSeq }, timeoutMs);
  }

  listen(listeners: SessionListeners): void {
    this.session.on('frame', listeners.frame);
    this.session.on('segmentRequest', listeners.segmentRequest);
    this.session.on('playlistRequest', listeners.playlistRequest);
    this.session.on('closed', listeners.closed);
    // The session may have closed between the handshake and this call.
    const reason = this.session.reason;
    if (this.session.closed && reason) queueMicrotask(() => listeners.closed(reason));
  }

  health(): SessionHealth {
    const s = this.session.stats();
    return {
      rttMs: s.packetsReceived > 0 ? s.srttMs : null,
      lossRate: s.lossRate,
      bytesSent: s.bytesSent,
      bytesReceived: s.bytesReceived,
      activeResponses: s.activeResponses,
    };
  }

  rttMs(): number | null {
    return this.session.srttMs;
  }

  activeResponses(): number {
    return this.session.activeResponses;
  }

  silentMs(): number {
    return this.session.silentMs;
  }

  close(code: number, message: string): void {
    this.session.close(code, message);
  }
}

export class EndpointDialer implements Dialer {
  constructor(
    private readonly endpoint: Endpoint,
    private readonly streamId: Uint8Array,
    private readonly timeoutMs = 5000,
  ) {}

  async dial(
    address: PeerAddress,
    options: { timeoutMs?: number; noPath?: boolean } = {},
  ): Promise<SwarmSession> {
    const session = await this.endpoint.connect(address, this.streamId, {
      timeoutMs: options.timeoutMs ?? this.timeoutMs,
      ...(options.noPath && { extraCapabilities: Capability.NO_PATH }),
    });
    return new TransportSwarmSession(session);
  }

  reaches(host: string): boolean {
    return this.endpoint.reaches(host);
  }
}
