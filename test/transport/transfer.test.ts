// Segments arrive byte-identical over real loopback sockets with seeded loss,
// duplication and reordering injected in both directions (PROTOCOL §7, §8).

import { afterEach, describe, expect, it } from 'vitest';
import { TransportNet, sha256, testBytes } from '../fakes/transport-net.js';

const MiB = 1024 * 1024;
const cases = [
  { size: 1 * MiB, loss: 0 },
  { size: 1 * MiB, loss: 0.05 },
  { size: 1 * MiB, loss: 0.2 },
  { size: 16 * MiB, loss: 0 },
  { size: 16 * MiB, loss: 0.05 },
  { size: 16 * MiB, loss: 0.2 },
];

describe('segment transfer over impaired loopback', () => {
  const net = new TransportNet();
  afterEach(() => net.destroy());

  for (const { size, loss } of cases) {
    it(`${size / MiB} MiB at ${loss * 100}% loss (+ duplication, reordering)`, async () => {
      const impair = { loss, duplicate: loss / 2, reorder: loss / 2 };
      const server = await net.node();
      const client = await net.node({}, { seed: 7 + size + loss * 100, inbound: impair, outbound: impair });
      const { client: c, server: s } = await net.pair(server, client);
      const data = testBytes(size, 3);
      s.on('segmentRequest', (r) => r.respond(data));
      const got = await c.requestSegment({
        rendition: 0,
        kind: 'media',
        seq: 1,
        expectedSize: size,
        deadlineMs: 50_000,
        priority: 0,
      }).done;
      expect(got.length).toBe(size);
      expect(sha256(got)).toBe(sha256(data));
      const st = c.requestStats();
      expect(st.rejectedFragments).toBe(0);
      if (loss > 0) {
        expect(s.stats().fragmentsRetransmitted).toBeGreaterThan(0);
        expect(client.socket.in.duplicated + client.socket.out.duplicated).toBeGreaterThan(0);
      }
      expect(client.endpoint.stats().reassemblyBytes).toBe(0);
    });
  }

  it('serves several requests at once, most urgent first', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const bySeq = new Map([1, 2, 3].map((seq) => [seq, testBytes(512 * 1024, seq)]));
    s.on('segmentRequest', (r) => r.respond(bySeq.get(r.seq)!));
    const order: number[] = [];
    const reqs = [3, 2, 1].map((seq) =>
      c
        .requestSegment({ rendition: 0, kind: 'media', seq, deadlineMs: 30_000, priority: seq })
        .done.then((b) => {
          order.push(seq);
          expect(sha256(b)).toBe(sha256(bySeq.get(seq)!));
        }),
    );
    await Promise.all(reqs);
    expect(order[0]).toBe(1);
  });

  it('a released segment buffer carries the next segment of its size, byte-identical', async () => {
    const server = await net.node();
    const client = await net.node({}, { seed: 11, inbound: { loss: 0.05 }, outbound: { loss: 0.05 } });
    const { client: c, server: s } = await net.pair(server, client);
    const bySeq = new Map([1, 2].map((seq) => [seq, testBytes(MiB, seq)]));
    s.on('segmentRequest', (r) => r.respond(bySeq.get(r.seq)!));
    const fetch = (seq: number): Promise<Buffer> =>
      c.requestSegment({ rendition: 0, kind: 'media', seq, expectedSize: MiB, deadlineMs: 30_000 }).done;
    const first = await fetch(1);
    expect(sha256(first)).toBe(sha256(bySeq.get(1)!));
    c.releaseSegment(first);
    const second = await fetch(2);
    expect(second).toBe(first);
    expect(sha256(second)).toBe(sha256(bySeq.get(2)!));
  });
});
