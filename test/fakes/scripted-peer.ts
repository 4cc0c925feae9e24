// A peer driven packet by packet from a raw UDP socket: it completes a real handshake
// (HELLO, RETRY's cookie, WELCOME) through the codec and then sends DATA packets with
// whatever packet numbers, ACK blocks and frames a test chooses. For regression and
// state-machine tests of what a well-behaved client never sends.

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import {
  MAX_SUPPORTED_VERSION,
  MIN_SUPPORTED_VERSION,
  decodePacket,
  encodeDataPacket,
  encodePacket,
  type AckBlock,
  type Frame,
  type Packet,
  type PeerAddress,
  type WelcomeBody,
} from '../../src-main/protocol/index.js';

type DataPacket = Extract<Packet, { frames: unknown }>;

export class ScriptedPeer {
  private readonly socket = dgram.createSocket('udp4');
  readonly cid = randomBytes(8);
  readonly nodeId = randomBytes(8);
  /** Every DATA packet the node sent us, decoded. */
  readonly received: DataPacket[] = [];
  welcome: WelcomeBody | null = null;
  rejected: { code: number; message: string } | null = null;
  private cookie: Uint8Array = new Uint8Array(0);

  private constructor(
    private readonly server: PeerAddress,
    private readonly streamId: Uint8Array,
    private readonly capabilities: number,
  ) {}

  /**
   * A socket on 127.0.0.1 (or `host`, another loopback address: a different source IP) that
   * has completed the handshake with `server` (or was rejected).
   */
  static async connect(
    server: PeerAddress,
    streamId: Uint8Array,
    opts: { capabilities?: number; timeoutMs?: number; host?: string } = {},
  ): Promise<ScriptedPeer> {
    const peer = new ScriptedPeer(server, streamId, opts.capabilities ?? 0);
    await peer.bind(opts.host ?? '127.0.0.1');
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    // HELLO is retransmitted like a real client's until WELCOME or REJECT.
    while (peer.welcome === null && peer.rejected === null) {
      if (Date.now() > deadline) {
        await peer.close();
        throw new Error(`no WELCOME from ${server.host}:${server.port}`);
      }
      peer.sendHello();
      await new Promise((r) => setTimeout(r, 100));
    }
    return peer;
  }

  private async bind(host: string): Promise<void> {
    await new Promise<void>((r) => this.socket.bind(0, host, r));
    this.socket.on('message', (buf) => this.onMessage(buf));
  }

  get address(): PeerAddress {
    const a = this.socket.address();
    return { host: a.address, port: a.port };
  }

  private sendHello(): void {
    if (this.welcome !== null || this.rejected !== null) return;
    const buf = encodePacket({
      header: { type: 'HELLO', dcid: new Uint8Array(8), pn: 0, timestamp: 0, timestampDiff: 0 },
      body: {
        minVersion: MIN_SUPPORTED_VERSION,
        maxVersion: MAX_SUPPORTED_VERSION,
        capabilities: this.capabilities,
        streamId: this.streamId,
        sourceCid: this.cid,
        nodeId: this.nodeId,
        maxDatagram: 1200,
        cookie: this.cookie,
      },
    });
    this.socket.send(buf, this.server.port, this.server.host);
  }

  private onMessage(buf: Buffer): void {
    let packet: Packet;
    try {
      packet = decodePacket(buf);
    } catch {
      return;
    }
    switch (packet.header.type) {
      case 'RETRY':
        this.cookie = Uint8Array.from((packet as Extract<Packet, { header: { type: 'RETRY' } }>).body.cookie);
        this.sendHello();
        return;
      case 'WELCOME':
        this.welcome ??= (packet as Extract<Packet, { header: { type: 'WELCOME' } }>).body;
        return;
      case 'REJECT': {
        const body = (packet as Extract<Packet, { header: { type: 'REJECT' } }>).body;
        this.rejected ??= { code: body.code, message: body.message };
        return;
      }
      case 'DATA':
        this.received.push(packet as DataPacket);
        return;
    }
  }

  /** One DATA packet with the packet number, ACK block and frames given. */
  send(pn: number, frames: Frame[], ack?: AckBlock): void {
    this.sendRaw(this.encode(pn, frames, ack));
  }

  encode(pn: number, frames: Frame[], ack?: AckBlock): Buffer {
    if (this.welcome === null) throw new Error('no WELCOME yet');
    return encodeDataPacket(
      { dcid: this.welcome.sourceCid, pn, timestamp: 0, timestampDiff: 0, ...(ack ? { ack } : {}) },
      frames,
    );
  }

  sendRaw(buf: Uint8Array): void {
    this.socket.send(buf, this.server.port, this.server.host);
  }

  /** The DATA packets received that carry a frame of `type`. */
  framesOf<T extends Frame['type']>(type: T): Extract<Frame, { type: T }>[] {
    const out: Extract<Frame, { type: T }>[] = [];
    for (const p of this.received)
      for (const f of p.frames) if (f.type === type) out.push(f as Extract<Frame, { type: T }>);
    return out;
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
