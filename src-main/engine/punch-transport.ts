// What hole punching (PROTOCOL §5.18) needs from the transport, over the node's endpoint:
// probes from its socket, its addresses, and birthday punching's extra sockets. A
// connection that birthday punching opens lives on its own extra socket, as an Endpoint of
// its own sharing the node id and the upload limiter (so caps hold for the whole node),
// refusing inbound HELLOs, and closed when its one connection ends.

import { networkInterfaces } from 'node:os';
import { ErrorCode } from '../../src-shared/errors.js';
import type { PeerAddress } from '../protocol/types.js';
import { TransportSwarmSession, type PunchTransport, type SwarmSession } from '../swarm/index.js';
import { Endpoint, UdpSocket, runPunchPool, systemClock } from '../transport/index.js';

/** Kernel buffers of each extra socket: hundreds of them are open for a few seconds. */
const POOL_SOCKET_BUFFER = 64 * 1024;
const BIRTHDAY_DIAL_TIMEOUT_MS = 5000;

export class EndpointPunchTransport implements PunchTransport {
  private readonly extra = new Set<Endpoint>();
  private destroyed = false;
  private poolProbes = 0;
  /** Set by port mapping (UPnP IGD / PCP / NAT-PMP) when it holds one. */
  mappedAddress: PeerAddress | null = null;

  constructor(
    private readonly endpoint: Endpoint,
    private readonly streamId: Uint8Array,
    /** The node's bind host (null: every address, EngineConfig.transport.bindHost). */
    private readonly bindHost: string | null,
  ) {}

  localPort(): number {
    return this.endpoint.address().port;
  }

  /** The socket's address, or with every address bound, the interfaces' of its IP versions. */
  localHosts(): string[] {
    const bound = this.endpoint.address().host;
    if (bound !== '0.0.0.0' && bound !== '::') return [bound];
    const out: string[] = [];
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) if (!a.internal && this.endpoint.reaches(a.address)) out.push(a.address);
    return out;
  }

  mapped(): PeerAddress | null {
    return this.mappedAddress;
  }

  probe(to: PeerAddress, token: Uint8Array, index: number): void {
    this.endpoint.sendPunch(to, token, index);
  }

  async birthday(to: PeerAddress, token: Uint8Array): Promise<SwarmSession | null> {
    if (this.destroyed) return null;
    const won = await runPunchPool({
      bind: () =>
        UdpSocket.bind({
          // Birthday punching is for NATs, i.e. IPv4: one-family sockets (no dual-stack check each).
          host: this.bindHost ?? (to.host.includes(':') ? '::' : '0.0.0.0'),
          port: 0,
          recvBufferBytes: POOL_SOCKET_BUFFER,
          sendBufferBytes: POOL_SOCKET_BUFFER,
        }),
      clock: systemClock,
      nodeId: this.endpoint.nodeId,
      token,
      to,
      onProbe: () => void this.poolProbes++,
    });
    if (!won) return null;
    const c = this.endpoint.config;
    const extra = new Endpoint({
      socket: won.socket,
      nodeId: this.endpoint.nodeId,
      uploadLimiter: this.endpoint.limiter,
      capabilities: c.capabilities,
      idleTimeoutMs: c.idleTimeoutMs,
      maxDatagram: c.maxDatagram,
      acceptStream: () => ({
        accept: false,
        code: ErrorCode.STREAM_NOT_FOUND,
        message: 'this socket carries one punched connection',
      }),
    });
    this.extra.add(extra);
    const drop = (): void => {
      this.extra.delete(extra);
      void extra.destroy();
    };
    try {
      await extra.start();
      if (this.destroyed) throw new Error('destroyed');
      const session = await extra.connect(won.from, this.streamId, { timeoutMs: BIRTHDAY_DIAL_TIMEOUT_MS });
      session.on('closed', drop);
      return new TransportSwarmSession(session);
    } catch {
      drop();
      return null;
    }
  }

  poolProbesSent(): number {
    return this.poolProbes;
  }

  /** Extra endpoints currently open (dashboard, tests). */
  get extraSockets(): number {
    return this.extra.size;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    await Promise.all([...this.extra].map((e) => e.destroy()));
    this.extra.clear();
  }
}
