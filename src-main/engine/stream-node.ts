// What broadcasting and watching share: one UDP endpoint and one swarm for one stream,
// the store, and the bridge between transport sessions and the swarm.

import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { Capability } from '../protocol/constants.js';
import type { PeerAddress } from '../protocol/types.js';
import type { SegmentStore } from '../store/segment-store.js';
import { Swarm } from '../swarm/swarm.js';
import { EndpointDialer, TransportSwarmSession } from '../swarm/transport-session.js';
import {
  Endpoint,
  UdpSocket,
  socketFamilies,
  type DatagramSocket,
  type StreamAdmission,
} from '../transport/index.js';
import type { Clock } from '../transport/clock.js';
import type { EngineConfig } from './engine-config.js';
import { FaultLog } from './fault-log.js';
import { NodeReachability, type MapPort } from './node-reachability.js';
import { EndpointPunchTransport } from './punch-transport.js';

export interface StreamNodeOptions {
  role: 'broadcaster' | 'viewer';
  streamId: Uint8Array;
  bootstrap: PeerAddress[];
  store: SegmentStore;
  config: EngineConfig;
  now: () => number;
  /** Where faults inside single sessions are logged (default: stderr, paced). */
  faultLog?: FaultLog;
  /** UDP port to use instead of the setting's (which must be 0, "any"); any other if taken. */
  preferredPort?: number | null;
  /** Tests: an already bound socket (the fuzzer's in-memory one) instead of a UDP port. */
  socket?: DatagramSocket;
  /** Tests: the transport's time source (default: the system clock). */
  clock?: Clock;
  /** Tests: how the node's UDP port gets mapped on the router (default: UPnP, then PCP, then NAT-PMP). */
  mapPort?: MapPort;
}

export function uploadCapBytes(config: EngineConfig): number | null {
  const kbps = config.settings.uploadCapKbps;
  return kbps === null ? null : Math.round((kbps * 1000) / 8);
}

export class StreamNode {
  readonly endpoint: Endpoint;
  readonly swarm: Swarm;
  /** The router mapping of our UDP port and what we advertise (README "Port mapping"). */
  readonly reachability: NodeReachability;
  /** Hole punching's access to the transport (PROTOCOL §5.18), null when punching is off. */
  readonly punch: EndpointPunchTransport | null;

  private constructor(
    endpoint: Endpoint,
    swarm: Swarm,
    reachability: NodeReachability,
    punch: EndpointPunchTransport | null,
  ) {
    this.endpoint = endpoint;
    this.swarm = swarm;
    this.reachability = reachability;
    this.punch = punch;
  }

  static async open(options: StreamNodeOptions): Promise<StreamNode> {
    const preferred = options.preferredPort;
    if (preferred && options.config.settings.udpPort === 0) {
      const config = {
        ...options.config,
        settings: { ...options.config.settings, udpPort: preferred },
      };
      try {
        return await StreamNode.bind({ ...options, config });
      } catch {
        // taken (or no longer allowed): any free port, as the settings say
      }
    }
    return StreamNode.bind(options);
  }

  private static async bind(options: StreamNodeOptions): Promise<StreamNode> {
    const { config, role, streamId } = options;
    let swarm: Swarm | null = null;
    const sameStream = (id: Uint8Array): boolean => Buffer.compare(id, streamId) === 0;
    const portError = (err: unknown): ShoalError => {
      const e = ShoalError.from(err, ErrorCode.IO);
      const port = config.settings.udpPort;
      if (/EADDRINUSE/.test(e.message))
        return new ShoalError(
          ErrorCode.IO,
          `UDP port ${port} is in use (another Shoal, or another program): choose another port (Settings, or -p on the command line), or 0 for any free port`,
        );
      return new ShoalError(ErrorCode.IO, `cannot open UDP port ${port}: ${e.message}`);
    };
    let socket: DatagramSocket | undefined = options.socket;
    if (!socket) {
      try {
        // Dual stack unless the settings name one address (PROTOCOL §2.2).
        socket = await UdpSocket.bind({ host: config.transport.bindHost, port: config.settings.udpPort });
      } catch (err) {
        throw portError(err);
      }
      const wrap = config.transport.wrapSocket;
      if (wrap) socket = wrap(socket);
    }
    const ipv6 = socketFamilies(socket).includes(6);
    const endpoint = new Endpoint({
      socket,
      clock: options.clock,
      idleTimeoutMs: config.transport.idleTimeoutMs,
      maxDatagram: config.transport.maxDatagram,
      uploadBytesPerSec: uploadCapBytes(config),
      capabilities:
        Capability.RELAY |
        Capability.PEX |
        Capability.FMP4 |
        (config.swarm.pieces ? Capability.PIECES : 0) |
        (config.swarm.punch ? Capability.PUNCH : 0) |
        (ipv6 ? Capability.IPV6 : 0) |
        (role === 'broadcaster' ? Capability.BROADCASTER : 0),
      acceptStream: (id, from, capabilities, nodeId): StreamAdmission => {
        if (!swarm || !sameStream(id))
          return {
            accept: false,
            code: ErrorCode.STREAM_NOT_FOUND,
            message: 'this node does not carry that stream',
          };
        // Banned IPs get BANNED, a full node FULL with peers to try (PROTOCOL §4.4, §13.5),
        // unless the HELLO says NO_PATH and a rescue slot is free (§4.7, §13.5).
        // A FULL answer names IPv6 peers only to a client that can use them (§5.14).
        const theyIpv6 = (capabilities & Capability.IPV6) !== 0 || from.host.includes(':');
        return swarm.admit(from, (capabilities & Capability.NO_PATH) !== 0, nodeId, theyIpv6);
      },
    });
    try {
      await endpoint.start();
    } catch (err) {
      throw portError(err);
    }
    const punch = config.swarm.punch
      ? new EndpointPunchTransport(endpoint, streamId, config.transport.bindHost)
      : null;
    swarm = new Swarm({
      ...(punch && { punch }),
      // Hole punching's diagnostics on stderr, for the NAT lab (bench/nat).
      ...(process.env.SHOAL_DEBUG_PUNCH && {
        punchLog: (line: string) =>
          void process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${line}\n`),
      }),
      streamId,
      role,
      selfNodeId: Buffer.from(endpoint.nodeId).toString('hex'),
      vault: options.store,
      dialer: new EndpointDialer(endpoint, streamId),
      bootstrap: options.bootstrap,
      maxPeers:
        role === 'broadcaster'
          ? (config.swarm.broadcasterMaxPeers ?? config.settings.maxPeers)
          : config.settings.maxPeers,
      joinDistance: config.settings.joinDistanceSegments,
      resyncAfterSegments: config.swarm.resyncAfterSegments,
      pushFanout: config.swarm.pushFanout,
      pushDelayShare: config.swarm.pushDelayShare,
      noUpload: role === 'viewer' && config.settings.noUpload,
      maxInFlightPerPeer: config.swarm.maxInFlightPerPeer,
      pieces: config.swarm.pieces,
      idleEvictMs: config.swarm.idleEvictMs,
      rescueSlots: config.swarm.rescueSlots,
      uploadBytesPerSec: uploadCapBytes(config),
      now: options.now,
    });
    const s = swarm;
    const faults = options.faultLog ?? new FaultLog();
    endpoint.on('fault', ({ peer, error }) => faults.sessionFault(peer, error));
    endpoint.on('session', (session) => {
      if (sameStream(session.streamId)) s.adopt(new TransportSwarmSession(session));
      else session.close(ErrorCode.STREAM_NOT_FOUND, 'wrong stream');
    });
    const reachability = new NodeReachability(endpoint.address().port, options.mapPort);
    // An injected socket (the fuzzer's in-memory one) has no port a router could forward.
    if (!options.socket) await reachability.apply(config);
    if (punch) {
      // PROTOCOL §5.18: our router's port mapping is a MAPPED candidate in ADDRESSES.
      const noteMapping = (): void => {
        punch.mappedAddress =
          reachability.state().kind === 'mapped' ? reachability.advertisedEndpoint(null) : null;
      };
      reachability.onChange(noteMapping);
      noteMapping();
    }
    return new StreamNode(endpoint, swarm, reachability, punch);
  }

  get port(): number {
    return this.endpoint.address().port;
  }

  async destroy(): Promise<void> {
    this.swarm.destroy();
    await this.punch?.destroy();
    // Before the socket closes: the router stops forwarding to a port nobody holds.
    await this.reachability.destroy();
    await this.endpoint.destroy();
  }
}
