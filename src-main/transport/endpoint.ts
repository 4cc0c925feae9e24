// One UDP socket, client and server at once (PROTOCOL §3, §4, §10): demultiplexes
// datagrams by connection id, runs both sides of the handshake, owns the node-wide
// reassembly budget and upload limiter, and batches sends after each burst of I/O.
// Nothing a datagram contains can make the receive handler throw.

import {
  HEADER_LENGTH,
  MAGIC,
  PROTOCOL_VERSION,
  decodePacket,
  encodePacket,
  newAckOnlyPacket,
  readAckOnlyPacket,
  segmentDataLength,
  SegmentDataPacket,
  type HelloBody,
  type Packet,
  type PeerAddress,
} from '../protocol/index.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { TypedEmitter } from '../../src-shared/typed-emitter.js';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { systemClock, type Clock, type TimerHandle } from './clock.js';
import { resolveTransportConfig, type TransportConfig, type TransportConfigInput } from './config.js';
import { Connection, type ConnectionHost } from './connection.js';
import { cidAt, cidKey, newCid } from './connection-ids.js';
import { UdpSocket, socketFamilies, type DatagramSocket, type IpFamily } from './datagram-socket.js';
import { unmapIPv4 } from '../../src-shared/ipv6.js';
import { ConnectAttempt } from './handshake-client.js';
import { HandshakeServer, type HelloAdmission, type StreamAdmission } from './handshake-server.js';
import { ipPrefixKey } from './ip-prefix.js';
import { PeerSession, type PeerIdentity } from './peer-session.js';
import { encodePunchProbe } from './punch-probe.js';
import { MemoryBudget } from './reassembly.js';
import { SegmentBufferPool } from './segment-buffer-pool.js';
import { ConnectRejectedError, TransportError } from './transport-errors.js';
import { UploadLimiter } from './upload-limiter.js';

export interface EndpointOptions extends TransportConfigInput {
  /** An already bound socket (tests inject an impaired one); otherwise one is bound on start(). */
  socket?: DatagramSocket;
  /** Where start() binds: an IP literal (that family only), or null for every address (UdpSocket). */
  host?: string | null;
  port?: number;
  clock?: Clock;
  nodeId?: Uint8Array;
  /**
   * Decides on inbound sessions; default: accept every stream. `capabilities` and `nodeId`
   * are the HELLO's (NO_PATH asks for a rescue slot, PROTOCOL §4.1, §4.7, §13.5).
   */
  acceptStream?: (
    streamId: Uint8Array,
    from: PeerAddress,
    capabilities: number,
    nodeId: Uint8Array,
  ) => StreamAdmission;
  /** Share one limiter between endpoints of a node; default: the endpoint's own. */
  uploadLimiter?: UploadLimiter;
}

export type EndpointEvents = {
  session: PeerSession;
  /** A session was closed after a fault inside it (Connection.fail): one event per session. */
  fault: { peer: PeerAddress; error: ShoalError };
};

export interface EndpointStats {
  datagramsIn: number;
  bytesIn: number;
  datagramsOut: number;
  bytesOut: number;
  malformedDropped: number;
  unknownCidDropped: number;
  wrongAddressDropped: number;
  amplificationLimited: number;
  hellosReceived: number;
  retriesSent: number;
  badCookies: number;
  rejectsSent: number;
  welcomesSent: number;
  handlerErrors: number;
  /** Sessions closed after a fault inside them (PROTOCOL §10.8). */
  sessionFaults: number;
  /** Sessions closed with RESOURCE_LIMIT: the peer overran a per-peer limit (PROTOCOL §13.4). */
  resourceLimitCloses: number;
  /** HELLOs left unanswered because of the unconfirmed-session caps (PROTOCOL §10.2). */
  hellosDropped: number;
  /** Server sessions dropped because the client never confirmed them (PROTOCOL §10.2). */
  unconfirmedExpired: number;
  /** PUNCH probes that arrived on this socket (dropped: PROTOCOL §4.9) and that we sent. */
  punchesDropped: number;
  punchesSent: number;
  /** Server sessions WELCOMEd and not yet confirmed, now. */
  unconfirmed: number;
  /** Control frames held by all sessions (queued or in flight), now, and their bytes. */
  controlFrames: number;
  controlBytes: number;
  sessions: number;
  reassemblyBytes: number;
}

interface Route {
  cid: Uint8Array;
  remote: PeerAddress;
  /** Client side, before WELCOME. */
  attempt?: ConnectAttempt;
  settle?: { resolve: (s: PeerSession) => void; reject: (e: ShoalError) => void };
  session?: PeerSession;
  /** Server side: WELCOME sent, no DATA from the client yet (PROTOCOL §10.2). */
  confirmed: boolean;
  /** Server side: counted against the unconfirmed caps until confirmed or closed. */
  unconfirmed?: boolean;
  /** Server side, until confirmed: drops the session when the client never confirms it. */
  expiry?: TimerHandle;
  welcome?: Buffer;
  helloKey?: string;
}

export class Endpoint extends TypedEmitter<EndpointEvents> {
  readonly config: TransportConfig;
  readonly nodeId: Uint8Array;
  readonly limiter: UploadLimiter;
  private readonly clock: Clock;
  private socket: DatagramSocket | null;
  private readonly routes = new Map<number, Route>();
  /** Where ACK-only packets are read in place (the other half of bulk traffic). */
  private readonly ackOnly = newAckOnlyPacket();
  /** The route of the last datagram: bulk traffic comes from one peer at a time. */
  private lastRoute: Route | null = null;
  private readonly byHello = new Map<string, Route>();
  /** Unconfirmed server sessions per source IPv4 address or IPv6 /64 (PROTOCOL §10.2). */
  private readonly unconfirmedByIp = new Map<string, number>();
  private unconfirmed = 0;
  /** Control frames held by all sessions (PROTOCOL §13.4), kept by the Connections. */
  private readonly controlTotals = { frames: 0, bytes: 0 };
  private readonly budget: MemoryBudget;
  /** Reassembly buffers given back by consumers, shared by the sessions (like the budget). */
  private readonly pool = new SegmentBufferPool();
  private readonly handshake: HandshakeServer;
  private readonly connectionHost: ConnectionHost;
  private readonly dirty = new Set<Connection>();
  /** The session the datagram being handled belongs to, once known (for onDatagram's catch). */
  private handling: PeerSession | null = null;
  private flushScheduled = false;
  private destroyed = false;
  private readonly counters = {
    datagramsIn: 0,
    bytesIn: 0,
    datagramsOut: 0,
    bytesOut: 0,
    malformedDropped: 0,
    unknownCidDropped: 0,
    wrongAddressDropped: 0,
    handlerErrors: 0,
    sessionFaults: 0,
    resourceLimitCloses: 0,
    unconfirmedExpired: 0,
    punchesDropped: 0,
    punchesSent: 0,
  };

  constructor(private readonly options: EndpointOptions = {}) {
    super();
    this.config = resolveTransportConfig(options);
    this.clock = options.clock ?? systemClock;
    this.nodeId = options.nodeId ?? randomBytes(8);
    this.socket = options.socket ?? null;
    this.limiter = options.uploadLimiter ?? new UploadLimiter(this.clock, this.config.uploadBytesPerSec);
    this.budget = new MemoryBudget(this.config.reassemblyTotalBytes);
    this.handshake = new HandshakeServer({
      now: () => this.clock.now(),
      wallSeconds: () => Math.floor(Date.now() / 1000),
      send: (buf, host, port) => this.sendRaw(buf, host, port),
      admit: (hello, from) => this.admit(hello, from),
      existingWelcome: (key) => this.byHello.get(key)?.welcome,
    });
    this.connectionHost = {
      clock: this.clock,
      config: this.config,
      limiter: this.limiter,
      scheduleFlush: (c) => this.scheduleFlush(c),
      send: (buf, to) => this.sendRaw(buf, to.host, to.port),
      onFault: (c, error) => {
        this.counters.sessionFaults++;
        this.emit('fault', { peer: c.remote, error });
      },
      onResourceLimit: () => {
        this.counters.resourceLimitCloses++;
      },
      controlTotals: this.controlTotals,
    };
  }

  async start(): Promise<void> {
    if (this.socket === null) {
      this.socket = await UdpSocket.bind({ host: this.options.host, port: this.options.port });
    }
    this.socket.onMessage((data, host, port) => this.onDatagram(data, host, port));
  }

  address(): PeerAddress {
    if (this.socket === null) throw ShoalError.closed('endpoint (not started)');
    return this.socket.address();
  }

  /** The IP versions the socket reaches (both on a dual-stack socket, PROTOCOL §2.2). */
  families(): readonly IpFamily[] {
    if (this.socket === null) throw ShoalError.closed('endpoint (not started)');
    return socketFamilies(this.socket);
  }

  /** Whether the socket can send to `host` (an IP literal of one of its families). */
  reaches(host: string): boolean {
    const family = isIP(unmapIPv4(host));
    return family !== 0 && this.families().includes(family as IpFamily);
  }

  sessions(): PeerSession[] {
    const out: PeerSession[] = [];
    for (const r of this.routes.values())
      if (r.session && r.confirmed && !r.session.closed) out.push(r.session);
    return out;
  }

  setUploadCap(bytesPerSec: number | null): void {
    this.limiter.setRate(bytesPerSec);
  }

  stats(): EndpointStats {
    const h = this.handshake.stats;
    return {
      ...this.counters,
      amplificationLimited: h.amplificationLimited,
      hellosReceived: h.hellosReceived,
      retriesSent: h.retriesSent,
      badCookies: h.badCookies,
      rejectsSent: h.rejectsSent,
      welcomesSent: h.welcomesSent,
      hellosDropped: h.hellosDropped,
      unconfirmed: this.unconfirmed,
      controlFrames: this.controlTotals.frames,
      controlBytes: this.controlTotals.bytes,
      sessions: this.sessions().length,
      reassemblyBytes: this.budget.used,
    };
  }

  /**
   * PROTOCOL §4.9 — one hole-punching probe to `to`, opening our NAT toward it. The caller
   * (the swarm's puncher, §5.18) keeps the budget; a probe is never answered.
   */
  sendPunch(to: PeerAddress, token: Uint8Array, index: number): void {
    if (this.destroyed || this.socket === null) return;
    this.counters.punchesSent++;
    this.sendRaw(encodePunchProbe(token, this.nodeId, index, this.clock.now()), to.host, to.port);
  }

  /** Bytes sent / received for one address before validation (tests of PROTOCOL §10.4). */
  amplificationRatio(host: string, port: number): number {
    return this.handshake.ledger.ratio(`${host}|${port}`);
  }

  // ---- client ---------------------------------------------------------------------------

  connect(
    remote: PeerAddress,
    streamId: Uint8Array,
    /** `extraCapabilities`: bits this HELLO adds to the endpoint's, e.g. NO_PATH (PROTOCOL §4.7). */
    opts: { timeoutMs?: number; extraCapabilities?: number } = {},
  ): Promise<PeerSession> {
    if (this.destroyed || this.socket === null) return Promise.reject(ShoalError.closed('endpoint'));
    // Sessions are bound to the address packets come from (PROTOCOL §10.2): an IP literal,
    // an IPv4 one in dotted form (the socket reports IPv4 peers so, §2.2).
    const host = unmapIPv4(remote.host);
    if (isIP(host) === 0 || !(remote.port > 0 && remote.port < 65536)) {
      return Promise.reject(
        new ShoalError(ErrorCode.BAD_ADDRESS, `not an IP address and port: ${remote.host}:${remote.port}`),
      );
    }
    if (!this.reaches(host)) {
      const bound = this.families().includes(6) ? 'IPv6' : 'IPv4';
      return Promise.reject(
        new ShoalError(
          ErrorCode.BAD_ADDRESS,
          `cannot reach ${host}:${remote.port}: this node's UDP socket is ${bound} only (${this.address().host})`,
        ),
      );
    }
    return new Promise<PeerSession>((resolve, reject) => {
      const cid = newCid((k) => this.routes.has(k));
      const key = cidKey(cid);
      const route: Route = { cid, remote: { host, port: remote.port }, confirmed: true };
      const attempt = new ConnectAttempt(
        {
          clock: this.clock,
          send: (buf, host, port) => this.sendRaw(buf, host, port),
          capabilities: this.config.capabilities | (opts.extraCapabilities ?? 0),
          nodeId: this.nodeId,
          maxDatagram: this.config.maxDatagram,
          helloRetransmitMs: this.config.helloRetransmitMs,
        },
        route.remote,
        cid,
        streamId,
        () => {
          this.deleteRoute(key);
          reject(TransportError.handshakeTimeout(`${host}:${remote.port}`));
        },
      );
      route.attempt = attempt;
      route.settle = { resolve, reject };
      this.routes.set(key, route);
      attempt.start(opts.timeoutMs ?? this.config.handshakeTimeoutMs);
    });
  }

  private onHandshakeReply(packet: Packet, route: Route, now: number): void {
    const attempt = route.attempt;
    const cb = route.settle;
    if (attempt === undefined || attempt.done || cb === undefined) return;
    switch (packet.header.type) {
      case 'RETRY':
        attempt.onRetry((packet as Extract<Packet, { header: { type: 'RETRY' } }>).body.cookie);
        return;
      case 'REJECT': {
        const body = (packet as Extract<Packet, { header: { type: 'REJECT' } }>).body;
        attempt.stop();
        this.deleteRoute(cidKey(route.cid));
        cb.reject(new ConnectRejectedError(body.code, body.message || 'rejected', body.peers));
        return;
      }
      case 'WELCOME': {
        const w = (packet as Extract<Packet, { header: { type: 'WELCOME' } }>).body;
        attempt.stop();
        route.attempt = undefined;
        const idle =
          w.idleTimeoutMs > 0
            ? Math.min(this.config.idleTimeoutMs, w.idleTimeoutMs)
            : this.config.idleTimeoutMs;
        const maxDatagram = Math.min(this.config.maxDatagram, Math.max(1200, w.maxDatagram));
        const session = this.createSession(route, w.sourceCid, maxDatagram, idle, {
          direction: 'outbound',
          streamId: attempt.streamId,
          nodeId: Uint8Array.from(w.nodeId),
          capabilities: w.capabilities,
          observedAddress: w.observed,
        });
        if (attempt.unambiguousRtt) session.connection.seedRtt(now - attempt.lastHelloAt);
        // PROTOCOL §10.2 — the first DATA packet confirms the handshake to the server.
        session.connection.sendPing();
        cb.resolve(session);
        return;
      }
    }
  }

  // ---- server ---------------------------------------------------------------------------

  private admit(hello: HelloBody, from: PeerAddress): HelloAdmission {
    if (this.destroyed) return { accept: false, code: ErrorCode.FULL, message: 'shutting down' };
    if (this.routes.size >= this.config.maxSessions)
      return { accept: false, code: ErrorCode.FULL, message: 'full' };
    // PROTOCOL §10.2 — handshakes in progress are bounded per source IP and in total, so
    // thousands of source ports that never confirm cannot take the session slots. Over the
    // cap the HELLO goes unanswered: a real client sends it again, and a slot frees within
    // unconfirmedTimeoutMs.
    const c = this.config;
    const ip = ipPrefixKey(from.host);
    if (this.unconfirmed >= c.maxUnconfirmed || (this.unconfirmedByIp.get(ip) ?? 0) >= c.maxUnconfirmedPerIp)
      return { drop: true };
    const decision = this.options.acceptStream?.(hello.streamId, from, hello.capabilities, hello.nodeId) ?? {
      accept: true,
    };
    if (!decision.accept) return decision;
    const cid = newCid((k) => this.routes.has(k));
    const route: Route = { cid, remote: from, confirmed: false, unconfirmed: true };
    this.unconfirmed++;
    this.unconfirmedByIp.set(ip, (this.unconfirmedByIp.get(ip) ?? 0) + 1);
    const maxDatagram = Math.min(this.config.maxDatagram, Math.max(1200, hello.maxDatagram));
    this.createSession(route, Uint8Array.from(hello.sourceCid), maxDatagram, this.config.idleTimeoutMs, {
      direction: 'inbound',
      streamId: Uint8Array.from(hello.streamId),
      nodeId: Uint8Array.from(hello.nodeId),
      capabilities: hello.capabilities,
      observedAddress: null,
    });
    // The session's own (guarded) clock: a throw here closes that session alone.
    route.expiry = route.session!.connection.clock.setTimeout(() => {
      route.expiry = undefined;
      if (route.confirmed || !route.session || route.session.closed) return;
      this.counters.unconfirmedExpired++;
      route.session.connection.close(ShoalError.peerTimeout(`${from.host}:${from.port} (never confirmed)`));
    }, c.unconfirmedTimeoutMs);
    route.helloKey = HandshakeServer.helloKey(from.host, from.port, hello.sourceCid);
    this.byHello.set(route.helloKey, route);
    route.welcome = encodePacket({
      header: this.handshake.header('WELCOME', hello.sourceCid),
      body: {
        version: PROTOCOL_VERSION,
        capabilities: this.config.capabilities,
        sourceCid: cid,
        nodeId: this.nodeId,
        maxDatagram: this.config.maxDatagram,
        idleTimeoutMs: this.config.idleTimeoutMs,
        observed: from,
      },
    });
    return { welcome: route.welcome };
  }

  private createSession(
    route: Route,
    remoteCid: Uint8Array,
    maxDatagram: number,
    idleTimeoutMs: number,
    identity: PeerIdentity,
  ): PeerSession {
    const key = cidKey(route.cid);
    let session: PeerSession | null = null;
    const connection = new Connection(
      this.connectionHost,
      route.remote,
      remoteCid,
      maxDatagram,
      idleTimeoutMs,
      {
        frames: (frames, now) => session!.onFrames(frames, now),
        segmentData: (d, length) => session!.onSegmentDataPacket(d, length),
        closed: (reason) => {
          this.settleUnconfirmed(route);
          this.deleteRoute(key);
          if (route.helloKey) this.byHello.delete(route.helloKey);
          this.dirty.delete(connection);
          session!.onClosed(reason);
        },
      },
    );
    const c = this.config;
    session = new PeerSession(
      connection,
      identity,
      this.clock,
      new MemoryBudget(c.reassemblyPerPeerBytes, this.budget),
      this.pool,
      c.maxPendingRequests,
      c.maxActiveResponses,
    );
    route.session = session;
    this.routes.set(key, route);
    connection.start();
    return session;
  }

  // ---- datagrams ------------------------------------------------------------------------

  private onDatagram(data: Buffer, host: string, port: number): void {
    const k = this.counters;
    k.datagramsIn++;
    k.bytesIn += data.length;
    this.handling = null;
    try {
      if (this.destroyed) return;
      if (data.length < HEADER_LENGTH || data[0] !== MAGIC) {
        k.malformedDropped++;
        return;
      }
      // The bulk of the traffic, a packet holding one SEGMENT_DATA frame, is read in place;
      // anything else (or anything malformed) is decoded in full below.
      const dataLength = segmentDataLength(data);
      if (dataLength >= 0) {
        const session = this.dataSession(this.route(data, SegmentDataPacket.DCID, host, port));
        session?.connection.onSegmentDataPacket(data, dataLength, this.clock.now());
        return;
      }
      // …and so is the ACK-only packet a bulk receiver answers with (PROTOCOL §8.1, §8.2).
      if (readAckOnlyPacket(data, this.ackOnly)) {
        const session = this.dataSession(this.route(data, SegmentDataPacket.DCID, host, port));
        session?.connection.onAckOnlyPacket(this.ackOnly, data.length, this.clock.now());
        return;
      }
      let packet: Packet;
      try {
        packet = decodePacket(data);
      } catch {
        k.malformedDropped++;
        return;
      }
      const header = packet.header;
      if (header.type === 'HELLO') {
        this.handshake.onHello(
          (packet as Extract<Packet, { body: HelloBody }>).body,
          host,
          port,
          data.length,
        );
        return;
      }
      if (header.type === 'PUNCH') {
        // PROTOCOL §4.9 — it opened the sender's NAT toward us; nothing to do on this socket.
        k.punchesDropped++;
        return;
      }
      const route = this.route(header.dcid, 0, host, port);
      if (route === null) return;
      const now = this.clock.now();
      if (header.type !== 'DATA') {
        this.onHandshakeReply(packet, route, now);
        return;
      }
      const session = this.dataSession(route);
      if (session === null) return;
      const frames = (packet as Extract<Packet, { frames: unknown }>).frames;
      session.connection.onPacket(header, frames, data.length, now);
    } catch (err) {
      // A bug somewhere below must cost one session at most, never the process.
      k.handlerErrors++;
      // (`handling` is set by dataSession() below this call, which TypeScript cannot see.)
      (this.handling as PeerSession | null)?.connection.fail(err);
    }
  }

  /**
   * PROTOCOL §3.5 step 7, §13.3 — the route of the dcid at `bytes[at, at + 8)`, if the
   * datagram came from the address the session was made with; otherwise counts the drop.
   */
  private route(bytes: Uint8Array, at: number, host: string, port: number): Route | null {
    let route = this.lastRoute;
    if (route === null || !cidAt(route.cid, bytes, at)) {
      route = this.routes.get(cidKey(bytes, at)) ?? null;
      if (route === null || !cidAt(route.cid, bytes, at)) {
        this.counters.unknownCidDropped++;
        return null;
      }
      this.lastRoute = route;
    }
    if (route.remote.port !== port || route.remote.host !== host) {
      this.counters.wrongAddressDropped++;
      return null;
    }
    return route;
  }

  /** The session a DATA packet is for; the first one confirms the handshake (PROTOCOL §10.2). */
  private dataSession(route: Route | null): PeerSession | null {
    if (route === null) return null;
    const session = route.session;
    if (session === undefined) {
      this.counters.unknownCidDropped++;
      return null;
    }
    this.handling = session;
    if (!route.confirmed) {
      this.settleUnconfirmed(route);
      route.confirmed = true;
      route.welcome = undefined;
      this.emit('session', session);
    }
    return session;
  }

  /** An unconfirmed server session is confirmed or closed: it no longer counts against the caps. */
  private settleUnconfirmed(route: Route): void {
    if (route.unconfirmed !== true) return;
    route.unconfirmed = false;
    if (route.expiry !== undefined) this.clock.clearTimeout(route.expiry);
    route.expiry = undefined;
    this.unconfirmed--;
    const ip = ipPrefixKey(route.remote.host);
    const n = (this.unconfirmedByIp.get(ip) ?? 1) - 1;
    if (n > 0) this.unconfirmedByIp.set(ip, n);
    else this.unconfirmedByIp.delete(ip);
  }

  private deleteRoute(key: number): void {
    this.routes.delete(key);
    this.lastRoute = null;
  }

  /** True when the socket is done with `buf` (see DatagramSocket.sendNow). */
  private sendRaw(buf: Buffer, host: string, port: number): boolean {
    const socket = this.socket;
    if (socket === null || this.destroyed) return true;
    this.counters.datagramsOut++;
    this.counters.bytesOut += buf.length;
    if (socket.sendNow !== undefined) return socket.sendNow(buf, port, host);
    socket.send(buf, port, host);
    return false;
  }

  private scheduleFlush(c: Connection): void {
    this.dirty.add(c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // After the current burst of received datagrams: one batch of sends per loop turn.
    setImmediate(() => this.runFlushes());
  }

  private runFlushes(): void {
    this.flushScheduled = false;
    const batch = [...this.dirty];
    this.dirty.clear();
    for (const c of batch) {
      try {
        c.flush();
      } catch (err) {
        this.counters.handlerErrors++;
        c.fail(err);
      }
    }
  }

  /** GOODBYE to every session, fail pending connects, close the socket, clear timers. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    for (const route of [...this.routes.values()]) {
      if (route.attempt && !route.attempt.done) {
        route.attempt.stop();
        route.settle?.reject(ShoalError.closed('endpoint'));
      }
      if (route.session && !route.session.closed) {
        if (route.confirmed) route.session.close(ErrorCode.CLOSED, 'endpoint closed');
        else route.session.connection.close(ShoalError.closed('endpoint'));
      }
    }
    this.destroyed = true;
    this.routes.clear();
    this.lastRoute = null;
    this.byHello.clear();
    this.dirty.clear();
    if (this.options.uploadLimiter === undefined) this.limiter.destroy();
    this.removeAllListeners();
    await this.socket?.close();
  }
}
