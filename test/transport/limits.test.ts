// The node-wide upload cap holds on a real transfer (PROTOCOL §9.4), and fragments that
// can no longer meet the requester's deadline are dropped, not resent (PROTOCOL §8.4).

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { decodePacket } from '../../src-main/protocol/index.js';
import type { DatagramSocket } from '../../src-main/transport/datagram-socket.js';
import { TransportNet, sha256, testBytes } from '../fakes/transport-net.js';
import { waitFor } from '../fixtures/wait.js';

const MiB = 1024 * 1024;

describe('upload cap and deadlines', () => {
  const net = new TransportNet();
  afterEach(() => net.destroy());

  it('never sends faster than the upload cap (+10%) on a transfer', async () => {
    const cap = 4_000_000;
    const server = await net.node({ uploadBytesPerSec: cap });
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const data = testBytes(6 * MiB, 4);
    s.on('segmentRequest', (r) => r.respond(data));
    const before = server.endpoint.stats().bytesOut;
    const t0 = performance.now();
    const got = await c.requestSegment({
      rendition: 0,
      kind: 'media',
      seq: 1,
      deadlineMs: 50_000,
      priority: 0,
    }).done;
    const seconds = (performance.now() - t0) / 1000;
    expect(sha256(got)).toBe(sha256(data));
    const rate = (server.endpoint.stats().bytesOut - before) / seconds;
    // Never above the cap (+10 %): the promise to the user's line, whatever the load.
    // How close to the cap it gets depends on the machine: alone within 10 %, with the
    // other test files on 2 cores 84 %, once (CI, 2026-11-22) 54 %, with CPU hogs less
    // (suspect, not confirmed: the bucket holds only 20 ms of tokens, §9.4, so event-loop
    // lag beyond that loses them). That is a speed figure, for `npm run bench:transport`;
    // a limiter that starves fails the transfer's deadline above (6 MiB at 4 MB/s: 1.6 s).
    console.log(`upload cap ${cap} B/s: transfer at ${(rate / cap).toFixed(2)} of the cap`);
    expect(rate).toBeLessThanOrEqual(cap * 1.1);
  });

  it('a cap set at run time applies to transfers already running', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    server.endpoint.setUploadCap(1_000_000);
    const data = testBytes(1 * MiB);
    s.on('segmentRequest', (r) => r.respond(data));
    const t0 = performance.now();
    const got = await c.requestSegment({
      rendition: 0,
      kind: 'media',
      seq: 1,
      deadlineMs: 50_000,
      priority: 0,
    }).done;
    expect(sha256(got)).toBe(sha256(data));
    // 1 MiB at 1 MB/s: no faster than the cap (a slow machine only takes longer).
    expect(performance.now() - t0).toBeGreaterThan(900);
  });

  it('drops lost fragments past the deadline instead of resending them', async () => {
    const server = await net.node({}, { seed: 11, outbound: { loss: 0.2, delayMs: 40 } });
    const spy = spyOnSends(server.socket);
    const client = await net.node({ uploadBytesPerSec: null });
    const { client: c, server: s } = await net.pair(server, client);
    let requestAt = 0;
    let reqId = -1;
    const data = testBytes(16 * MiB);
    s.on('segmentRequest', (r) => {
      requestAt = performance.now();
      reqId = r.reqId;
      r.respond(data);
    });
    const deadlineMs = 400;
    const err = (await c
      .requestSegment({ rendition: 0, kind: 'media', seq: 1, deadlineMs, priority: 0 })
      .done.catch((e) => e)) as ShoalError;
    expect(err.code).toBe(ErrorCode.DEADLINE_EXCEEDED);
    await waitFor(() => s.stats().responsesAbandoned > 0, { what: 'the server to abandon the response' });
    const st = s.stats();
    expect(st.fragmentsExpired).toBeGreaterThan(0);
    expect(st.responsesAbandoned).toBe(1);
    const lastData = Math.max(...spy.dataSentAt(reqId));
    // Nothing of the response leaves after the point where it could still arrive in time.
    expect(lastData).toBeLessThanOrEqual(requestAt + deadlineMs);
  });
});

/** Records when SEGMENT_DATA for each reqId is handed to the socket. */
function spyOnSends(socket: DatagramSocket): { dataSentAt(reqId: number): number[] } {
  const times = new Map<number, number[]>();
  const send = socket.send.bind(socket);
  socket.send = (data: Uint8Array, port: number, host: string) => {
    try {
      const p = decodePacket(data);
      if ('frames' in p) {
        for (const f of p.frames) {
          if (f.type !== 'SEGMENT_DATA') continue;
          const list = times.get(f.reqId) ?? [];
          list.push(performance.now());
          times.set(f.reqId, list);
        }
      }
    } catch {
      // handshake packets of other shapes
    }
    send(data, port, host);
  };
  return { dataSentAt: (reqId) => times.get(reqId) ?? [] };
}
