// A hand-rolled "server" speaking just enough of the protocol (via the codec) to accept a
// HELLO and then answer SEGMENT_REQUESTs with whatever SEGMENT_DATA a test scripts:
// a hostile peer for memory-exhaustion and validation tests.

import dgram from 'node:dgram';
import { decodePacket, encodeDataPacket, encodePacket } from '../../src-main/protocol/index.js';
import type { Frame, FrameOf, PeerAddress } from '../../src-main/protocol/types.js';

export type Script = (request: FrameOf<'SEGMENT_REQUEST'>) => Frame[];

export class HostileServer {
  private readonly socket = dgram.createSocket('udp4');
  private clientCid: Uint8Array | null = null;
  private client: PeerAddress | null = null;
  private pn = 0;
  private readonly seen = new Set<number>();
  readonly cid = Buffer.from('hhhhhhhh');
  script: Script = () => [];

  async start(): Promise<PeerAddress> {
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
    this.socket.on('message', (buf, rinfo) => this.onMessage(buf, { host: rinfo.address, port: rinfo.port }));
    return { host: '127.0.0.1', port: this.socket.address().port };
  }

  private onMessage(buf: Buffer, from: PeerAddress): void {
    let packet;
    try {
      packet = decodePacket(buf);
    } catch {
      return;
    }
    if (packet.header.type === 'HELLO' && 'body' in packet) {
      const hello = packet.body as { sourceCid: Uint8Array };
      this.clientCid = Uint8Array.from(hello.sourceCid);
      this.client = from;
      const welcome = encodePacket({
        header: { type: 'WELCOME', dcid: this.clientCid, pn: 0, timestamp: 0, timestampDiff: 0 },
        body: {
          version: 1,
          capabilities: 0,
          sourceCid: this.cid,
          nodeId: new Uint8Array(8),
          maxDatagram: 1200,
          idleTimeoutMs: 15_000,
          observed: from,
        },
      });
      this.socket.send(welcome, from.port, from.host);
      return;
    }
    if (packet.header.type !== 'DATA' || !('frames' in packet)) return;
    for (const f of packet.frames) {
      if (f.type !== 'SEGMENT_REQUEST' || this.seen.has(f.reqId)) continue;
      this.seen.add(f.reqId);
      for (const out of this.script(f)) this.send([out]);
    }
  }

  send(frames: Frame[]): void {
    if (this.clientCid === null || this.client === null) return;
    const buf = encodeDataPacket(
      { dcid: this.clientCid, pn: this.pn++, timestamp: 0, timestampDiff: 0 },
      frames,
    );
    this.socket.send(buf, this.client.port, this.client.host);
  }

  close(): Promise<void> {
    return new Promise((r) => this.socket.close(() => r()));
  }
}
