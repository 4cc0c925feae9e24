// What broadcasting and watching share: one UDP endpoint and one swarm for one stream,
// the store, and the bridge between transport sessions and the swarm.

import type { UploadCap } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { Capability } from '../protocol/constants.js';
import type { PeerAddress } from '../protocol/types.js';
import type { SegmentStore } from '../store/segment-store.js';
import { EndpointDialer, Swarm, TransportSwarmSession } from '../swarm/index.js';
import {
  Endpoint,
  socketFamilies,
  systemClock,
  UdpSocket,
  UplinkGovernor,
  type Clock,
  type DatagramSocket,
  type StreamAdmission,
} from '../transport/index.js';
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

/** The automatic cap never goes below this share of the stream's bit rate (nor 16 kB/s). */
const AUTO_CAP_FLOOR_STREAMS = 0.5;
const AUTO_CAP_FLOOR_BYTES = 16_000;

export class StreamNode {
  readonly endpoint: Endpoint;
  readonly swarm: Swarm;
  /** The router mapping of our UDP port and what we advertise (README "Port mapping"). */
  readonly reachability: NodeReachability;
  /** Hole punching's access to the transport (PROTOCOL §5.18), null when punching is off. */
  readonly punch: EndpointPunchTransport | null;
  /** The automatic upload cap (PROTOCOL §9.4), while the settings ask for it. */
  private uplink: UplinkGovernor | null = null;

  private constructor(
    endpoint: Endpoint,
    swarm: Swarm,
    reachability: NodeReachability,
    punch: EndpointPunchTransport | null,
    private readonly clock: Clock,
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
    const node = new StreamNode(endpoint, swarm, reachability, punch, options.clock ?? systemClock);
    node.applyUploadCap(config);
    return node;
  }

  /**
   * The settings' upload cap: a number is applied as is; none with "automatic" on starts
   * a viewer's uplink governor (PROTOCOL §9.4), which sets the cap once it has found the line.
   */
  applyUploadCap(config: EngineConfig): void {
    const set = uploadCapBytes(config);
    // Viewers only: a broadcaster's upload carries first copies, rescues and the viewers it
    // serves alone, which its plans read from the cap (PROTOCOL §13.5). A cap it found by
    // itself turned its rescues down while viewers caught up after a restart; its user sets
    // one (Settings) or it has none, as before.
    const auto = set === null && config.settings.uploadCapAuto && this.swarm.role === 'viewer';
    if (!auto) {
      this.uplink?.destroy();
      this.uplink = null;
      this.endpoint.setUploadCap(set);
      this.swarm.setUploadRate(set);
      return;
    }
    if (this.uplink) return;
    this.endpoint.setUploadCap(null);
    this.swarm.setUploadRate(null);
    const swarm = this.swarm;
    this.uplink = new UplinkGovernor({
      clock: this.clock,
      limiter: this.endpoint.limiter,
      sessions: () => this.endpoint.sessions(),
      targetDelayMs: this.endpoint.config.congestion.targetMs,
      floorBytesPerSec: () =>
        Math.max(AUTO_CAP_FLOOR_BYTES, AUTO_CAP_FLOOR_STREAMS * swarm.streamBytesPerSec()),
      onCap: (bytesPerSec) => swarm.setUploadRate(bytesPerSec),
    });
    this.uplink.start();
  }

  /** The upload cap in force and where it comes from (README "Upload cap"). */
  uploadCap(): UploadCap {
    if (this.uplink) return { mode: 'auto', bytesPerSec: this.uplink.bytesPerSec };
    const rate = this.endpoint.limiter.bytesPerSecond;
    return { mode: rate === null ? 'none' : 'set', bytesPerSec: rate };
  }

  get port(): number {
    return this.endpoint.address().port;
  }

  async destroy(): Promise<void> {
    this.uplink?.destroy();
    this.uplink = null;
    this.swarm.destroy();
    await this.punch?.destroy();
    // Before the socket closes: the router stops forwarding to a port nobody holds.
    await this.reachability.destroy();
    await this.endpoint.destroy();
  }
}
