// Packet numbers on the wire (PROTOCOL §3.4, §4.3, §8.1), checked with a hand-driven raw
// socket on each side of a real endpoint: handshake packets are outside the DATA numbering
// and never acknowledged; each side's first DATA packet has pn 0 and no ACK block.

import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePacket, encodeDataPacket, encodePacket } from '../../src-main/protocol/index.js';
import type { Packet } from '../../src-main/protocol/index.js';
import { STREAM_ID, TransportNet } from '../fakes/transport-net.js';

/** A raw UDP socket that collects decoded packets. */
async function rawSocket() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  const packets: { packet: Packet; port: number }[] = [];
  let waiter: (() => void) | null = null;
  socket.on('message', (buf, rinfo) => {
    packets.push({ packet: decodePacket(buf), port: rinfo.port });
    waiter?.();
  });
  return {
    socket,
    port: socket.address().port,
    packets,
    /** Resolves with the first collected packet of `type` (waiting for it if need be). */
    async next(type: Packet['header']['type'], after = 0): Promise<{ packet: Packet; port: number }> {
      for (;;) {
        const found = packets.slice(after).find((p) => p.packet.header.type === type);
        if (found) return found;
        await new Promise<void>((r) => (waiter = r));
      }
    },
    send: (buf: Buffer, port: number) => socket.send(buf, port, '127.0.0.1'),
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

const CID = Buffer.from('cccccccc');

function hello(pn: number, cookie: Uint8Array = new Uint8Array(0)): Buffer {
  return encodePacket({
    header: { type: 'HELLO', dcid: new Uint8Array(8), pn, timestamp: 1, timestampDiff: 0 },
    body: {
      minVersion: 1,
      maxVersion: 1,
      capabilities: 0,
      streamId: STREAM_ID,
      sourceCid: CID,
      nodeId: new Uint8Array(8).fill(9),
      maxDatagram: 1200,
      cookie,
    },
  });
}

describe('packet numbers (PROTOCOL §3.4, §8.1)', () => {
  const net = new TransportNet();
  const raws: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    await Promise.all(raws.splice(0).map((r) => r.close()));
    await net.destroy();
  });

  it('server: RETRY and WELCOME carry pn 0 and no ACK; its first DATA packet is pn 0', async () => {
    const server = await net.node();
    const port = server.endpoint.address().port;
    const raw = await rawSocket();
    raws.push(raw);
    raw.send(hello(0), port);
    const retry = (await raw.next('RETRY')).packet;
    expect(retry.header.pn).toBe(0);
    raw.send(hello(1, (retry as Extract<Packet, { header: { type: 'RETRY' } }>).body.cookie), port);
    const welcome = (await raw.next('WELCOME')).packet;
    expect(welcome.header).toMatchObject({ pn: 0, timestampDiff: 0 });
    expect(welcome.header.ack).toBeUndefined();
    const serverCid = (welcome as Extract<Packet, { header: { type: 'WELCOME' } }>).body.sourceCid;
    // Our first DATA packet: pn 0, acknowledging nothing (the WELCOME is not acknowledged).
    raw.send(
      encodeDataPacket({ dcid: serverCid, pn: 0, timestamp: 2, timestampDiff: 0 }, [
        { type: 'PING', nonce: 5 },
      ]),
      port,
    );
    const data = (await raw.next('DATA')).packet as Extract<Packet, { header: { type: 'DATA' } }>;
    expect(data.header.pn).toBe(0);
    expect(data.frames).toContainEqual({ type: 'PONG', nonce: 5 });
    // Its ACK block, if any, covers our DATA packet 0 only.
    if (data.header.ack) expect(data.header.ack.ranges).toEqual([[0, 0]]);
  });

  it('client: HELLOs count transmissions, its first DATA packet is pn 0 with no ACK block', async () => {
    const raw = await rawSocket();
    raws.push(raw);
    const client = await net.node();
    const connecting = client.endpoint.connect({ host: '127.0.0.1', port: raw.port }, STREAM_ID);
    const first = await raw.next('HELLO');
    expect(first.packet.header.pn).toBe(0);
    const clientCid = (first.packet as Extract<Packet, { header: { type: 'HELLO' } }>).body.sourceCid;
    raw.send(
      encodePacket({
        header: { type: 'RETRY', dcid: clientCid, pn: 0, timestamp: 1, timestampDiff: 0 },
        body: { cookie: new Uint8Array(20).fill(1) },
      }),
      first.port,
    );
    const second = await raw.next('HELLO', raw.packets.indexOf(first) + 1);
    expect(second.packet.header.pn).toBe(1);
    raw.send(
      encodePacket({
        header: { type: 'WELCOME', dcid: clientCid, pn: 0, timestamp: 2, timestampDiff: 0 },
        body: {
          version: 1,
          capabilities: 0,
          sourceCid: Buffer.from('ssssssss'),
          nodeId: new Uint8Array(8).fill(8),
          maxDatagram: 1200,
          idleTimeoutMs: 15_000,
          observed: { host: '127.0.0.1', port: first.port },
        },
      }),
      first.port,
    );
    await connecting;
    const data = (await raw.next('DATA')).packet as Extract<Packet, { header: { type: 'DATA' } }>;
    expect(data.header.pn).toBe(0);
    expect(data.header.ack).toBeUndefined();
    expect(data.frames.map((f) => f.type)).toContain('PING');
  });

  it('a packet of only unknown frames or only padding is recorded but not ack-eliciting (§8.1)', async () => {
    const server = await net.node();
    const port = server.endpoint.address().port;
    const raw = await rawSocket();
    raws.push(raw);
    raw.send(hello(0), port);
    const retry = (await raw.next('RETRY')).packet as Extract<Packet, { header: { type: 'RETRY' } }>;
    raw.send(hello(1, retry.body.cookie), port);
    const welcome = (await raw.next('WELCOME')).packet as Extract<Packet, { header: { type: 'WELCOME' } }>;
    const dcid = welcome.body.sourceCid;
    const data = (pn: number, tail: string) =>
      Buffer.concat([
        encodeDataPacket({ dcid, pn, timestamp: pn, timestampDiff: 0 }, []),
        Buffer.from(tail.replace(/ /g, ''), 'hex'),
      ]);
    const ping = (pn: number, nonce: number) =>
      encodeDataPacket({ dcid, pn, timestamp: pn, timestampDiff: 0 }, [{ type: 'PING', nonce }]);
    raw.send(ping(0, 1), port);
    await raw.next('DATA');
    const seen = raw.packets.length;
    raw.send(data(1, '7f 0002 aabb'), port); // one frame of an unknown type
    raw.send(data(2, '00 000000'), port); // PADDING only
    await new Promise((r) => setTimeout(r, 150)); // several max ACK delays
    expect(raw.packets.length).toBe(seen); // no ACK was owed
    raw.send(ping(3, 2), port);
    const reply = (await raw.next('DATA', seen)).packet as Extract<Packet, { header: { type: 'DATA' } }>;
    expect(reply.frames).toContainEqual({ type: 'PONG', nonce: 2 });
    expect(reply.header.ack?.ranges).toEqual([[0, 3]]); // yet 1 and 2 were recorded
  });
});
