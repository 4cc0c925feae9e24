// One peer must not be able to freeze or exhaust a node (issue 15 §2b, PROTOCOL §13.4):
// floods from a peer that completed a real handshake and never acknowledges anything, and
// handshakes that are never confirmed. Each flood ends with the hostile session closed and
// the node's per-peer state within its limits, while a real session next to it keeps
// transferring byte-identical data. Real sockets on 127.0.0.1 (and 127.0.0.2/.3 as other
// source IPs). No timing is asserted.

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-shared/errors.js';
import { NotAvailableReason, type Frame, type PexPeer } from '../../src-main/protocol/index.js';
import { INBOUND_FRAME_RATES, type RatedFrame } from '../../src-main/transport/frame-rates.js';
import type { PeerSession } from '../../src-main/transport/peer-session.js';
import { waitFor } from '../fakes/engine-net.js';
import { ScriptedPeer } from '../fakes/scripted-peer.js';
import { STREAM_ID, TransportNet, sha256, testBytes, type TestNode } from '../fakes/transport-net.js';

const MiB = 1024 * 1024;
const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('floods from one peer', () => {
  const net = new TransportNet();
  const peers: ScriptedPeer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await net.destroy();
  });

  /** A scripted peer with its session on `node` confirmed (by a first DATA packet). */
  async function hostile(node: TestNode): Promise<{ peer: ScriptedPeer; session: PeerSession }> {
    const inbound = new Promise<PeerSession>((r) => node.endpoint.once('session', r));
    const peer = await ScriptedPeer.connect(node.endpoint.address(), STREAM_ID);
    peers.push(peer);
    peer.send(0, [{ type: 'PING', nonce: 0 }]);
    return { peer, session: await inbound };
  }

  /** A real session to `node` that is asked for a segment after the flood. */
  async function honest(node: TestNode): Promise<() => Promise<void>> {
    const client = await net.node();
    const { client: c, server: s } = await net.pair(node, client);
    const data = testBytes(MiB, 9);
    s.on('segmentRequest', (r) => r.respond(data));
    return async () => {
      const got = await c.requestSegment({ rendition: 0, kind: 'media', seq: 1, deadlineMs: 30_000 }).done;
      expect(sha256(got)).toBe(sha256(data));
      expect(c.closed).toBe(false);
    };
  }

  it('answers to requests never acknowledged stay within the control budget; the peer is closed RESOURCE_LIMIT', async () => {
    const node = await net.node();
    const cfg = node.endpoint.config;
    const check = await honest(node);
    const { peer, session } = await hostile(node);
    session.on('segmentRequest', (r) => r.notAvailable(NotAvailableReason.NOT_YET));
    let maxFrames = 0;
    let maxBytes = 0;
    let maxInFlight = 0;
    let pn = 1;
    let reqId = 1;
    // 6000 requests, 60 to a datagram, no ACK block ever: each is answered with a
    // SEGMENT_NOT_AVAILABLE the peer never acknowledges.
    for (let d = 0; d < 100 && !session.closed; d++) {
      const frames: Frame[] = Array.from({ length: 60 }, () => ({
        type: 'SEGMENT_REQUEST' as const,
        reqId: reqId++,
        rendition: 0,
        kind: 'media' as const,
        seq: 1,
        deadlineMs: 0xffffffff,
        priority: 0,
      }));
      peer.send(pn++, frames);
      await turn();
      const held = session.connection.controlHeld;
      maxFrames = Math.max(maxFrames, held.frames);
      maxBytes = Math.max(maxBytes, held.bytes);
      maxInFlight = Math.max(maxInFlight, held.inFlightBytes);
    }
    await waitFor(() => session.closed, 20_000, 'the flooding session to close');
    expect(session.reason?.code).toBe(ErrorCode.RESOURCE_LIMIT);
    await waitFor(() => peer.framesOf('GOODBYE').length > 0, 30_000, 'GOODBYE');
    expect(peer.framesOf('GOODBYE')[0]!.code).toBe(ErrorCode.RESOURCE_LIMIT);
    expect(maxFrames).toBeLessThanOrEqual(cfg.maxControlFrames);
    expect(maxBytes).toBeLessThanOrEqual(cfg.maxControlBytes);
    // PROTOCOL §8.6: unacknowledged control packets stop at the control window (+ one packet).
    expect(maxInFlight).toBeLessThanOrEqual(cfg.controlWindowBytes + cfg.maxDatagram);
    // Closed means freed: nothing held for the peer any more.
    expect(session.connection.controlHeld).toEqual({ frames: 0, bytes: 0, inFlightBytes: 0 });
    expect(node.endpoint.stats().resourceLimitCloses).toBe(1);
    expect(node.endpoint.stats().sessionFaults).toBe(0);
    await check();
  });

  it('many peers cannot add up to what one may not: the node-wide control budget', async () => {
    const node = await net.node({ maxControlFrames: 1000, maxControlFramesTotal: 1500 });
    const check = await honest(node);
    const hostiles = [await hostile(node), await hostile(node)];
    let maxTotal = 0;
    let reqId = 1;
    // Each asks for 900 answers (within its own 1000) and acknowledges none: 1800 together.
    for (const { peer, session } of hostiles) {
      session.on('segmentRequest', (r) => r.notAvailable(NotAvailableReason.NOT_YET));
      for (let d = 0; d < 15 && !session.closed; d++) {
        peer.send(
          d + 1,
          Array.from({ length: 60 }, () => ({
            type: 'SEGMENT_REQUEST' as const,
            reqId: reqId++,
            rendition: 0,
            kind: 'media' as const,
            seq: 1,
            deadlineMs: 0xffffffff,
            priority: 0,
          })),
        );
        await turn();
        maxTotal = Math.max(maxTotal, node.endpoint.stats().controlFrames);
      }
    }
    await waitFor(() => hostiles.some((h) => h.session.closed), 20_000, 'a flooding session to close');
    const closed = hostiles.filter((h) => h.session.closed);
    for (const h of closed) expect(h.session.reason?.code).toBe(ErrorCode.RESOURCE_LIMIT);
    // Over the node budget only a large holder (an eighth of its own budget) is turned away.
    expect(maxTotal).toBeLessThanOrEqual(1500 + 1000 / 8);
    expect(node.endpoint.stats().controlFrames).toBeLessThanOrEqual(1500);
    await check();
  });

  const flood: Record<RatedFrame, (i: number) => Frame> = {
    PEX_REQUEST: () => ({ type: 'PEX_REQUEST', max: 16 }),
    PLAYLIST_REQUEST: (i) => ({ type: 'PLAYLIST_REQUEST', reqId: i + 1, rendition: 0, fromSeq: 0 }),
    AVAILABILITY: () => ({
      type: 'AVAILABILITY',
      rendition: 0,
      baseSeq: 0,
      count: 64,
      bitmap: new Uint8Array(8),
    }),
    PIECE_HAVE: (i) => ({
      type: 'PIECE_HAVE',
      rendition: 0,
      seq: i,
      count: 8,
      bitmap: Uint8Array.from([0xff]),
    }),
    OFFLINE: (i) => ({
      type: 'OFFLINE',
      notice: { nextSeq: i, stoppedAtMs: 0, signature: new Uint8Array(64) },
    }),
  };

  for (const kind of Object.keys(flood) as RatedFrame[]) {
    it(`a ${kind} flood is cut off at its rate (PROTOCOL §13.4)`, async () => {
      const node = await net.node();
      const check = await honest(node);
      const { peer, session } = await hostile(node);
      // The application's side, as the swarm does it: every request is answered.
      let handled = 0;
      const pexPeers: PexPeer[] = Array.from({ length: 16 }, (_, i) => ({
        host: `10.0.0.${i + 1}`,
        port: 4000,
        nodeId: new Uint8Array(8).fill(i),
        flags: 0,
      }));
      session.on('frame', (f) => {
        if (f.type !== kind) return;
        handled++;
        if (f.type === 'PEX_REQUEST') session.send({ type: 'PEX_RESPONSE', peers: pexPeers });
      });
      session.on('playlistRequest', (r) => {
        handled++;
        r.notAvailable(NotAvailableReason.UNKNOWN);
      });
      const started = performance.now();
      let pn = 1;
      let i = 0;
      // Thousands of frames, 40 to a datagram, never acknowledged.
      for (let d = 0; d < 100 && !session.closed; d++) {
        peer.send(
          pn++,
          Array.from({ length: 40 }, () => flood[kind](i++)),
        );
        await turn();
      }
      await waitFor(() => session.closed, 20_000, 'the flooding session to close');
      const seconds = (performance.now() - started) / 1000;
      expect(session.reason?.code).toBe(ErrorCode.RESOURCE_LIMIT);
      await waitFor(() => peer.framesOf('GOODBYE').length > 0, 30_000, 'GOODBYE');
      expect(peer.framesOf('GOODBYE')[0]!.code).toBe(ErrorCode.RESOURCE_LIMIT);
      // Handled: the burst, plus what the rate refilled while the flood lasted.
      const { burst, perSecond } = INBOUND_FRAME_RATES[kind];
      expect(handled).toBeGreaterThanOrEqual(burst);
      expect(handled).toBeLessThanOrEqual(burst + Math.ceil(perSecond * seconds) + 1);
      expect(node.endpoint.stats().resourceLimitCloses).toBe(1);
      await check();
    });
  }

  it('a peer that keeps sending but acknowledges nothing is closed PEER_TIMEOUT, its state freed', async () => {
    // The idle timer never fires (the peer talks), nor the probe timer (we keep answering).
    const node = await net.node({ idleTimeoutMs: 1500 });
    const check = await honest(node);
    const { peer, session } = await hostile(node);
    let pn = 1;
    while (!session.closed && pn < 1000) {
      peer.send(pn, [{ type: 'PING', nonce: pn }]);
      pn++;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(session.closed).toBe(true);
    expect(session.reason?.code).toBe(ErrorCode.PEER_TIMEOUT);
    // It was answered while it lasted: the PONGs went out, unacknowledged.
    expect(peer.framesOf('PONG').length).toBeGreaterThan(0);
    expect(session.connection.controlHeld).toEqual({ frames: 0, bytes: 0, inFlightBytes: 0 });
    expect(session.connection.loss.hasInFlight).toBe(false);
    await check();
  });
});

describe('half-open sessions (PROTOCOL §10.2)', () => {
  const net = new TransportNet();
  const peers: ScriptedPeer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await net.destroy();
  });

  it('unconfirmed sessions are capped per source IP and in total, and expire; real clients still connect', async () => {
    const node = await net.node({ maxUnconfirmedPerIp: 4, maxUnconfirmed: 6, unconfirmedTimeoutMs: 2000 });
    const sessions: PeerSession[] = [];
    node.endpoint.on('session', (s) => sessions.push(s));
    let maxUnconfirmed = 0;
    const sample = setInterval(() => {
      maxUnconfirmed = Math.max(maxUnconfirmed, node.endpoint.stats().unconfirmed);
    }, 10);
    // Handshakes from many source ports of two other IPs that never send a DATA packet.
    const attempts = ['127.0.0.2', '127.0.0.3'].flatMap((host) =>
      Array.from({ length: 10 }, () =>
        ScriptedPeer.connect(node.endpoint.address(), STREAM_ID, { host, timeoutMs: 800 }).then(
          (p) => (peers.push(p), p),
          () => null,
        ),
      ),
    );
    const welcomed = (await Promise.all(attempts)).filter((p) => p !== null);
    const byHost = (h: string) => welcomed.filter((p) => p.address.host === h).length;
    expect(byHost('127.0.0.2')).toBeLessThanOrEqual(4);
    expect(byHost('127.0.0.3')).toBeLessThanOrEqual(4);
    expect(welcomed.length).toBeLessThanOrEqual(6);
    expect(node.endpoint.stats().hellosDropped).toBeGreaterThan(0);

    // A real client from another IP connects meanwhile and transfers byte-identical data.
    const client = await net.node();
    const { client: c, server: s } = await net.pair(node, client, 10_000);
    const data = testBytes(MiB, 5);
    s.on('segmentRequest', (r) => r.respond(data));
    const got = await c.requestSegment({ rendition: 0, kind: 'media', seq: 1, deadlineMs: 30_000 }).done;
    expect(sha256(got)).toBe(sha256(data));

    // The half-open sessions expire, and none was ever handed to the application.
    await waitFor(() => node.endpoint.stats().unconfirmed === 0, 20_000, 'half-open sessions to expire');
    clearInterval(sample);
    expect(maxUnconfirmed).toBeLessThanOrEqual(6);
    expect(node.endpoint.stats().unconfirmedExpired).toBe(welcomed.length);
    expect(sessions).toEqual([s]);
    expect(node.endpoint.stats().sessions).toBe(1);
    // A late DATA packet from an expired one finds no session.
    welcomed[0]!.send(0, [{ type: 'PING', nonce: 1 }]);
    await new Promise((r) => setTimeout(r, 100));
    expect(sessions).toHaveLength(1);
  });
});
