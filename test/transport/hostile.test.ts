// Hostile input (PROTOCOL §13): amplification through HELLOs, garbage datagrams, and a
// peer that claims huge segments. Nothing may crash, leak memory or disturb other sessions.

import dgram from 'node:dgram';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { MAX_SEGMENT_SIZE, encodeDataPacket, encodePacket } from '../../src-main/protocol/index.js';
import { HostileServer } from '../fakes/hostile-server.js';
import { STREAM_ID, TransportNet, sha256, testBytes } from '../fakes/transport-net.js';
import { sleep, waitFor } from '../fixtures/wait.js';

const MiB = 1024 * 1024;

async function rawSocket(): Promise<{
  s: dgram.Socket;
  received: () => number;
  sent: () => number;
  send: (b: Uint8Array, port: number) => void;
}> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  let received = 0;
  let sent = 0;
  s.on('message', (m) => (received += m.length));
  return {
    s,
    received: () => received,
    sent: () => sent,
    send: (b, port) => ((sent += b.length), s.send(b, port, '127.0.0.1')),
  };
}

function hello(cookie: Uint8Array, cid = randomBytes(8)): Buffer {
  return encodePacket({
    header: { type: 'HELLO', dcid: new Uint8Array(8), pn: 0, timestamp: 0, timestampDiff: 0 },
    body: {
      minVersion: 1,
      maxVersion: 1,
      capabilities: 0,
      streamId: STREAM_ID,
      sourceCid: cid,
      nodeId: new Uint8Array(8),
      maxDatagram: 1200,
      cookie,
    },
  });
}

describe('hostile peers', () => {
  const net = new TransportNet();
  const cleanup: (() => unknown)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0)) await c();
    await net.destroy();
  });

  it('never sends an unvalidated address more than 3x what it received', async () => {
    const server = await net.node();
    const port = server.endpoint.address().port;
    const spoofer = await rawSocket();
    cleanup.push(() => spoofer.s.close());
    for (let i = 0; i < 50; i++) {
      spoofer.send(hello(new Uint8Array(0)), port); // no cookie
      spoofer.send(hello(randomBytes(20)), port); // forged cookie
      spoofer.send(hello(randomBytes(64)), port); // wrong length
      spoofer.send(hello(new Uint8Array(0)).subarray(0, 1100), port); // short HELLO: nothing back
    }
    // Once the server has read all 200 and everything it sent has arrived (it talks to no
    // one else, so its bytes out are the spoofer's bytes in).
    const handled = () => {
      const st = server.endpoint.stats();
      return st.badCookies + st.malformedDropped;
    };
    await waitFor(() => handled() >= 150, { what: 'the server to read every HELLO' });
    await waitFor(() => spoofer.received() === server.endpoint.stats().bytesOut, {
      what: "the server's answers to arrive",
    });
    expect(spoofer.received()).toBeGreaterThan(0);
    expect(spoofer.received() / spoofer.sent()).toBeLessThanOrEqual(3);
    const from = spoofer.s.address();
    expect(server.endpoint.amplificationRatio(from.address, from.port)).toBeLessThanOrEqual(3);
    const st = server.endpoint.stats();
    expect(st.badCookies).toBe(100);
    expect(st.malformedDropped).toBe(50);
    expect(server.endpoint.sessions()).toHaveLength(0);

    const shortOnly = await rawSocket();
    cleanup.push(() => shortOnly.s.close());
    for (let i = 0; i < 20; i++) shortOnly.send(hello(new Uint8Array(0)).subarray(0, 1199), port);
    await waitFor(() => server.endpoint.stats().malformedDropped === 70, { what: 'the short HELLOs read' });
    await sleep(100); // anything sent back would have arrived by now
    expect(shortOnly.received()).toBe(0);
  });

  it('counts and drops garbage without disturbing an established session', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const data = testBytes(2 * MiB, 9);
    s.on('segmentRequest', (r) => r.respond(data));
    const transfer = c.requestSegment({
      rendition: 0,
      kind: 'media',
      seq: 1,
      deadlineMs: 20_000,
      priority: 0,
    }).done;

    const attacker = await rawSocket();
    cleanup.push(() => attacker.s.close());
    const port = server.endpoint.address().port;
    const valid = encodeDataPacket({ dcid: randomBytes(8), pn: 1, timestamp: 0, timestampDiff: 0 }, [
      { type: 'PING', nonce: 1 },
    ]);
    for (let i = 0; i < 200; i++) {
      attacker.send(randomBytes(1 + (i % 1300)), port); // random bytes
      attacker.send(valid.subarray(0, i % valid.length), port); // truncated
      attacker.send(valid, port); // unknown cid
    }
    // A real session's cid from the wrong address: also dropped.
    const sessionDcid = (c.connection as unknown as { remoteCid: Uint8Array }).remoteCid;
    const spoofed = encodeDataPacket({ dcid: sessionDcid, pn: 999_999, timestamp: 0, timestampDiff: 0 }, [
      { type: 'GOODBYE', code: 1, message: 'x' },
    ]);
    attacker.send(spoofed, port);

    const got = await transfer;
    expect(sha256(got)).toBe(sha256(data));
    await waitFor(() => server.endpoint.stats().wrongAddressDropped > 0, {
      what: 'the spoofed GOODBYE read',
    });
    const st = server.endpoint.stats();
    expect(st.malformedDropped).toBeGreaterThan(200);
    expect(st.unknownCidDropped).toBeGreaterThanOrEqual(200);
    expect(st.wrongAddressDropped).toBe(1);
    expect(st.handlerErrors).toBe(0);
    expect(s.closed).toBe(false);
  });

  it('a peer claiming huge segments cannot exhaust reassembly memory', async () => {
    const hostile = new HostileServer();
    const addr = await hostile.start();
    cleanup.push(() => hostile.close());
    const victim = await net.node({ reassemblyPerPeerBytes: 8 * MiB, reassemblyTotalBytes: 12 * MiB });
    const session = await victim.endpoint.connect(addr, STREAM_ID);
    const claim = (totalSize: number) => (reqId: number) => [
      { type: 'SEGMENT_DATA' as const, reqId, offset: 0, totalSize, data: new Uint8Array(1000) },
    ];
    const req = () =>
      session.requestSegment({ rendition: 0, kind: 'media', seq: 0, deadlineMs: 5000, priority: 0 });

    hostile.script = (f) => claim(MAX_SEGMENT_SIZE + 1)(f.reqId);
    expect(((await req().done.catch((e) => e)) as ShoalError).code).toBe(ErrorCode.TOO_LARGE);

    hostile.script = (f) => claim(2000)(f.reqId);
    const mismatch = session.requestSegment({
      rendition: 0,
      kind: 'media',
      seq: 0,
      expectedSize: 1000,
      deadlineMs: 5000,
      priority: 0,
    });
    expect(((await mismatch.done.catch((e) => e)) as ShoalError).code).toBe(ErrorCode.TOO_LARGE);

    // Each claims 3 MiB and sends 1000 bytes: only two fit in the 8 MiB per-peer budget.
    hostile.script = (f) => claim(3 * MiB)(f.reqId);
    const handles = Array.from({ length: 10 }, req);
    const limited = await Promise.all(handles.slice(2).map((h) => h.done.catch((e: ShoalError) => e.code)));
    expect(limited.filter((c) => c === ErrorCode.RESOURCE_LIMIT).length).toBeGreaterThanOrEqual(7);
    expect(victim.endpoint.stats().reassemblyBytes).toBeLessThanOrEqual(8 * MiB);
    expect(session.stats().reassemblyBytes).toBe(6 * MiB);

    // Data for request ids never issued, and overlapping fragments: counted, never stored.
    hostile.send([
      { type: 'SEGMENT_DATA', reqId: 4242, offset: 0, totalSize: MAX_SEGMENT_SIZE, data: new Uint8Array(10) },
    ]);
    hostile.send([
      {
        type: 'SEGMENT_DATA',
        reqId: handles[0]!.reqId,
        offset: 500,
        totalSize: 3 * MiB,
        data: new Uint8Array(1000),
      },
    ]);
    await waitFor(() => session.requestStats().unknownData + session.requestStats().rejectedFragments >= 2, {
      what: 'both fragments read',
    });
    expect(session.requestStats().unknownData).toBe(1);
    expect(session.requestStats().rejectedFragments).toBe(1);
    expect(victim.endpoint.stats().reassemblyBytes).toBe(6 * MiB);

    handles[0]!.cancel();
    handles[1]!.cancel();
    await Promise.allSettled(handles.map((h) => h.done));
    expect(victim.endpoint.stats().reassemblyBytes).toBe(0);
  });
});
