// Connection lifecycle over real loopback sockets (PROTOCOL §4, §10): handshake with
// RETRY, REJECT with peers, handshake timeout, playlists, GOODBYE, silent peers.

import dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { ConnectRejectedError } from '../../src-main/transport/transport-errors.js';
import { decodePacket, encodePacket } from '../../src-main/protocol/index.js';
import type { Packet, SegmentEntry, StreamInfo } from '../../src-main/protocol/types.js';
import { STREAM_ID, TransportNet } from '../fakes/transport-net.js';

const entry = (seq: number): SegmentEntry => ({
  rendition: 0,
  flags: 0,
  seq,
  initSeq: null,
  durationUs: 2_000_000,
  size: 1000 + seq,
  programDateTimeMs: 0,
  sha256: new Uint8Array(32).fill(seq & 0xff),
  signature: new Uint8Array(64).fill(1),
});
const info: StreamInfo = {
  flags: 2,
  createdAtMs: 1_700_000_000_000,
  targetDurationMs: 2000,
  renditions: [
    { id: 0, bandwidth: 1_000_000, width: 1280, height: 720, name: '720p', codecs: 'avc1.64001f' },
  ],
  signature: new Uint8Array(64).fill(2),
};

describe('connection lifecycle', () => {
  const net = new TransportNet();
  afterEach(() => net.destroy());

  it('handshakes through a stateless RETRY and reports both sides', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const st = server.endpoint.stats();
    expect(st.retriesSent).toBe(1);
    expect(st.welcomesSent).toBe(1);
    expect(c.direction).toBe('outbound');
    expect(s.direction).toBe('inbound');
    expect(c.observedAddress).toEqual(client.endpoint.address());
    expect(Buffer.from(s.peerNodeId).equals(Buffer.from(client.endpoint.nodeId))).toBe(true);
    expect(server.endpoint.sessions()).toEqual([s]);
  });

  it('completes the handshake when HELLOs, RETRYs and WELCOMEs are lost', async () => {
    const server = await net.node({}, { seed: 5, outbound: { loss: 0.5 } });
    const client = await net.node({ helloRetransmitMs: 50 }, { seed: 6, outbound: { loss: 0.5 } });
    const { client: c } = await net.pair(server, client, 10_000);
    expect(c.closed).toBe(false);
  });

  it('REJECT fails connect with the code and the peers to try instead', async () => {
    const peers = [{ host: '10.0.0.1', port: 4000, nodeId: new Uint8Array(8).fill(3), flags: 4 }];
    const server = await net.node({
      acceptStream: (id) =>
        id[0] === 1
          ? { accept: false, code: ErrorCode.FULL, peers }
          : { accept: false, code: ErrorCode.STREAM_NOT_FOUND },
    });
    const client = await net.node();
    const full = await client.endpoint
      .connect(server.endpoint.address(), new Uint8Array(32).fill(1))
      .catch((e) => e);
    expect(full).toBeInstanceOf(ConnectRejectedError);
    expect((full as ConnectRejectedError).code).toBe(ErrorCode.FULL);
    expect((full as ConnectRejectedError).peers).toEqual([{ ...peers[0], nodeId: expect.anything() }]);
    const missing = (await client.endpoint
      .connect(server.endpoint.address(), STREAM_ID)
      .catch((e) => e)) as ShoalError;
    expect(missing.code).toBe(ErrorCode.STREAM_NOT_FOUND);
  });

  it('times out with HANDSHAKE_TIMEOUT when nobody answers', async () => {
    const silent = dgram.createSocket('udp4');
    await new Promise<void>((r) => silent.bind(0, '127.0.0.1', r));
    let hellos = 0;
    silent.on('message', () => hellos++);
    const client = await net.node({ helloRetransmitMs: 50 });
    const t0 = performance.now();
    const err = (await client.endpoint
      .connect({ host: '127.0.0.1', port: silent.address().port }, STREAM_ID, { timeoutMs: 400 })
      .catch((e) => e)) as ShoalError;
    silent.close();
    expect(err.code).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(hellos).toBeGreaterThanOrEqual(3); // 0, 50, 150, 350 ms: backoff
  });

  it('follows at most 3 RETRYs, then times out (PROTOCOL §4.2, §10.2 step 3)', async () => {
    const server = dgram.createSocket('udp4');
    await new Promise<void>((r) => server.bind(0, '127.0.0.1', r));
    const cookies = new Set<string>();
    let retries = 0;
    server.on('message', (buf, rinfo) => {
      const hello = decodePacket(buf) as Extract<Packet, { header: { type: 'HELLO' } }>;
      if (hello.body.cookie.length > 0) cookies.add(Buffer.from(hello.body.cookie).toString('hex'));
      const retry = encodePacket({
        header: { type: 'RETRY', dcid: hello.body.sourceCid, pn: 0, timestamp: 0, timestampDiff: 0 },
        body: { cookie: new Uint8Array(20).fill(++retries) }, // a fresh cookie every time
      });
      server.send(retry, rinfo.port, rinfo.address);
    });
    const client = await net.node({ helloRetransmitMs: 50 });
    const err = (await client.endpoint
      .connect({ host: '127.0.0.1', port: server.address().port }, STREAM_ID, { timeoutMs: 500 })
      .catch((e) => e)) as ShoalError;
    server.close();
    expect(err.code).toBe(ErrorCode.HANDSHAKE_TIMEOUT);
    expect(retries).toBeGreaterThan(3); // HELLOs kept coming (on the timer) after the third RETRY…
    expect(cookies.size).toBe(3); // …but only the first 3 RETRYs were followed
  });

  it('answers a playlist request with STREAM_INFO and parts of at most 8 entries', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const entries = Array.from({ length: 19 }, (_, i) => entry(100 + i));
    s.on('playlistRequest', (r) =>
      r.respond(
        info,
        entries.filter((e) => e.seq >= r.fromSeq),
      ),
    );
    const result = await c.requestPlaylist({ rendition: 0, fromSeq: 100 }, 2000);
    expect(result.info.targetDurationMs).toBe(2000);
    expect(result.entries.map((e) => e.seq)).toEqual(entries.map((e) => e.seq));
  });

  it('delivers control frames and fails requests the peer cannot serve', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    const frames: string[] = [];
    s.on('frame', (f) => frames.push(f.type));
    s.on('segmentRequest', (r) => r.notAvailable(2));
    c.send({ type: 'CHOKE' });
    c.send({ type: 'PEX_REQUEST', max: 5 });
    const err = (await c
      .requestSegment({ rendition: 0, kind: 'media', seq: 1, deadlineMs: 2000, priority: 0 })
      .done.catch((e) => e)) as ShoalError;
    expect(err.code).toBe(ErrorCode.NOT_AVAILABLE);
    await new Promise((r) => setTimeout(r, 50));
    expect(frames).toEqual(['CHOKE', 'PEX_REQUEST']);
  });

  it('GOODBYE closes the other side and fails its pending requests with PEER_GONE', async () => {
    const server = await net.node();
    const client = await net.node();
    const { client: c, server: s } = await net.pair(server, client);
    c.on('segmentRequest', () => {}); // never answers
    const pending = s.requestSegment({
      rendition: 0,
      kind: 'media',
      seq: 9,
      deadlineMs: 10_000,
      priority: 0,
    }).done;
    await new Promise((r) => setTimeout(r, 30));
    const closed = new Promise<ShoalError>((r) => s.on('closed', r));
    c.close();
    expect((await closed).code).toBe(ErrorCode.PEER_GONE);
    expect(((await pending.catch((e) => e)) as ShoalError).code).toBe(ErrorCode.PEER_GONE);
    expect(server.endpoint.sessions()).toHaveLength(0);
  });

  it('detects a silent peer within its idle timeout and fails pending requests with PEER_TIMEOUT', async () => {
    const server = await net.node({ idleTimeoutMs: 1500 });
    const client = await net.node({ idleTimeoutMs: 1500 });
    const { client: c, server: s } = await net.pair(server, client);
    s.on('segmentRequest', () => {}); // holds the request
    const pending = c.requestSegment({ rendition: 0, kind: 'media', seq: 1, priority: 0 }).done;
    await new Promise((r) => setTimeout(r, 50));
    server.socket.muted = true;
    const t0 = performance.now();
    const err = (await pending.catch((e) => e)) as ShoalError;
    const elapsed = performance.now() - t0;
    expect(err.code).toBe(ErrorCode.PEER_TIMEOUT);
    expect(elapsed).toBeLessThan(1500 + 500);
    expect(c.reason?.code).toBe(ErrorCode.PEER_TIMEOUT);
  });

  it('keeps an idle session alive with PINGs', async () => {
    const server = await net.node({ idleTimeoutMs: 600 });
    const client = await net.node({ idleTimeoutMs: 600 });
    const { client: c, server: s } = await net.pair(server, client);
    await new Promise((r) => setTimeout(r, 1500));
    expect(c.closed).toBe(false);
    expect(s.closed).toBe(false);
  });

  it('destroy() says GOODBYE to every session', async () => {
    const server = await net.node();
    const client = await net.node();
    const { server: s } = await net.pair(server, client);
    const closed = new Promise<ShoalError>((r) => s.on('closed', r));
    await client.endpoint.destroy();
    expect((await closed).code).toBe(ErrorCode.PEER_GONE);
  });
});
