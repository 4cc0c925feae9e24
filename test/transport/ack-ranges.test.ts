// PROTOCOL §8.2: on a lossy path the ACK block stays short. Once a packet that carried an
// ACK block is acknowledged, the ranges it reported are not repeated, so the holes loss
// leaves do not ride along on every later packet (up to 33 ranges, about 140 bytes each).

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-shared/errors.js';
import { decodeHeader } from '../../src-main/protocol/packet.js';
import { TransportNet } from '../fakes/transport-net.js';

describe('ACK block on a lossy path', () => {
  const net = new TransportNet();
  afterEach(() => net.destroy());

  it('keeps few ranges while control frames flow both ways at 10% loss', async () => {
    const impair = { loss: 0.1 };
    const server = await net.node({}, { seed: 21, outbound: impair });
    const client = await net.node({}, { seed: 22, outbound: impair });
    const { client: c, server: s } = await net.pair(server, client);
    const rangeCounts: number[] = [];
    for (const node of [server, client]) {
      const send = node.socket.send.bind(node.socket);
      node.socket.send = (data, port, host) => {
        const header = decodeHeader(data);
        if (header.ack) rangeCounts.push(header.ack.ranges.length);
        send(data, port, host);
      };
    }
    let received = 0;
    c.on('frame', () => received++);
    s.on('frame', () => received++);
    const frames = 300;
    // ERROR: a reliable frame the session hands to the application, with no rate limit
    // (300 PEX_REQUESTs in 0.6 s would be a flood, PROTOCOL §13.4).
    for (let i = 0; i < frames; i++) {
      const error = { type: 'ERROR' as const, code: ErrorCode.MALFORMED, message: 'x'.repeat(1 + (i % 8)) };
      c.send(error);
      s.send(error);
      await new Promise((r) => setTimeout(r, 2));
    }
    const deadline = Date.now() + 10_000;
    while (received < 2 * frames && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    // Every frame arrived once, despite the loss…
    expect(received).toBe(2 * frames);
    expect(c.stats().packetsLost + s.stats().packetsLost).toBeGreaterThan(20);
    // …and the later ACK blocks carry a few ranges, not the 33 the encoder allows.
    const late = rangeCounts.slice(rangeCounts.length / 2);
    const mean = late.reduce((a, b) => a + b, 0) / late.length;
    expect(late.length).toBeGreaterThan(100);
    expect(mean).toBeLessThan(4);
  }, 20_000);
});
