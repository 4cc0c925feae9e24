// A scripted peer on the in-memory network (the ScriptedPeer of test/fakes, without a real
// socket): it completes a real handshake through the codec, as a client (HELLO, RETRY's
// cookie, WELCOME) or as a server (answers the node's HELLO with WELCOME), then sends
// whatever DATA packets the fuzzer chooses. It remembers what the node sent it (packet
// numbers, request ids) so the fuzzer can answer, acknowledge or contradict real state.

import {
  MAX_SUPPORTED_VERSION,
  MIN_SUPPORTED_VERSION,
  PROTOCOL_VERSION,
  decodePacket,
  encodeDataPacket,
  encodePacket,
  type AckBlock,
  type Frame,
  type HelloBody,
  type Packet,
  type PeerAddress,
} from '../../src-main/protocol/index.js';
import type { MemoryNet, MemorySocket } from '../fakes/memory-net.js';

export interface NodeRequest {
  reqId: number;
  type: 'SEGMENT_REQUEST' | 'PLAYLIST_REQUEST';
  seq: number;
  range?: { offset: number; length: number };
}

/** Deterministic 8-byte ids (a run replays from its seed). */
function id8(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32BE(0x5eed0000 | (n & 0xffff), 0);
  b.writeUInt32BE(n >>> 0, 4);
  return b;
}

export class MemoryPeer {
  readonly socket: MemorySocket;
  readonly cid: Buffer;
  readonly nodeId: Buffer;
  /** The node's cid for this session (the dcid of our DATA packets). */
  remoteCid: Uint8Array | null = null;
  rejected = false;
  /** The node said GOODBYE (or we did). */
  gone = false;
  /** Server role: stop answering HELLOs (the quiet phase of a run). */
  silent = false;
  /** Packet numbers of the node's DATA packets, in arrival order (bounded). */
  readonly nodePns: number[] = [];
  readonly nodeRequests: NodeRequest[] = [];
  readonly ownReqIds: number[] = [];
  lastPn = -1;
  maxPn = -1;
  datagramsIn = 0;
  private cookie: Uint8Array = new Uint8Array(0);

  constructor(
    net: MemoryNet,
    readonly address: PeerAddress,
    private readonly node: PeerAddress,
    private readonly streamId: Uint8Array,
    private readonly capabilities: number,
    n: number,
  ) {
    this.socket = net.socket(address.host, address.port);
    this.cid = id8(n * 2 + 1);
    this.nodeId = id8(n * 2 + 2);
    this.socket.onMessage((buf) => this.onMessage(buf));
  }

  /** Client role: HELLO (again with the cookie after RETRY); WELCOME arrives on settle. */
  hello(): void {
    this.rejected = false;
    this.sendPacket({
      header: { type: 'HELLO', dcid: new Uint8Array(8), pn: 0, timestamp: 0, timestampDiff: 0 },
      body: this.helloBody(),
    });
  }

  private helloBody(): HelloBody {
    return {
      minVersion: MIN_SUPPORTED_VERSION,
      maxVersion: MAX_SUPPORTED_VERSION,
      capabilities: this.capabilities,
      streamId: this.streamId,
      sourceCid: this.cid,
      nodeId: this.nodeId,
      maxDatagram: 1200,
      cookie: this.cookie,
    };
  }

  private sendPacket(p: Packet): void {
    this.socket.send(encodePacket(p), this.node.port, this.node.host);
  }

  private onMessage(buf: Buffer): void {
    this.datagramsIn++;
    let packet: Packet;
    try {
      packet = decodePacket(buf);
    } catch {
      return;
    }
    switch (packet.header.type) {
      case 'HELLO':
        return this.answerHello((packet as Extract<Packet, { body: HelloBody }>).body);
      case 'RETRY':
        this.cookie = Uint8Array.from((packet as Extract<Packet, { header: { type: 'RETRY' } }>).body.cookie);
        return this.hello();
      case 'WELCOME':
        this.remoteCid = Uint8Array.from(
          (packet as Extract<Packet, { header: { type: 'WELCOME' } }>).body.sourceCid,
        );
        this.gone = false;
        return;
      case 'REJECT':
        this.rejected = true;
        return;
      case 'DATA':
        return this.onData(packet as Extract<Packet, { frames: unknown }>);
    }
  }

  /** Server role: the node dials us (a viewer's bootstrap or PEX candidate). */
  private answerHello(hello: HelloBody): void {
    if (this.silent) return;
    this.remoteCid = Uint8Array.from(hello.sourceCid);
    this.gone = false;
    this.sendPacket({
      header: { type: 'WELCOME', dcid: hello.sourceCid, pn: 0, timestamp: 0, timestampDiff: 0 },
      body: {
        version: PROTOCOL_VERSION,
        capabilities: this.capabilities,
        sourceCid: this.cid,
        nodeId: this.nodeId,
        maxDatagram: 1200,
        idleTimeoutMs: 15_000,
        observed: this.node,
      },
    });
  }

  private onData(p: Extract<Packet, { frames: unknown }>): void {
    if (this.nodePns.length >= 256) this.nodePns.splice(0, 128);
    this.nodePns.push(p.header.pn);
    for (const f of p.frames) {
      if (f.type === 'GOODBYE') this.gone = true;
      else if (f.type === 'SEGMENT_REQUEST' || f.type === 'PLAYLIST_REQUEST') {
        if (this.nodeRequests.length >= 64) this.nodeRequests.splice(0, 32);
        this.nodeRequests.push({
          reqId: f.reqId,
          type: f.type,
          seq: f.type === 'SEGMENT_REQUEST' ? f.seq : f.fromSeq,
          ...(f.type === 'SEGMENT_REQUEST' && f.range ? { range: f.range } : {}),
        });
      }
    }
  }

  get connected(): boolean {
    return this.remoteCid !== null && !this.gone;
  }

  /** One DATA packet; false when the codec refuses it (e.g. ACK ranges it cannot write). */
  encode(pn: number, frames: Frame[], ack?: AckBlock): Buffer | null {
    if (this.remoteCid === null) return null;
    try {
      return encodeDataPacket(
        { dcid: this.remoteCid, pn, timestamp: 0, timestampDiff: 0, ...(ack ? { ack } : {}) },
        frames,
      );
    } catch {
      return null;
    }
  }

  sendRaw(buf: Uint8Array): void {
    this.socket.send(buf, this.node.port, this.node.host);
  }

  notePn(pn: number): void {
    this.lastPn = pn;
    if (pn > this.maxPn) this.maxPn = pn;
  }
}
