// Faults inside one session stay inside it (issue 15 §1): the three-datagram crash, and
// any exception thrown while a session handles a datagram or runs a timer closes that
// session with GOODBYE INTERNAL, is counted, and leaves the process and the other
// sessions running. Real sockets on 127.0.0.1.

import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { waitFor } from '../fakes/engine-net.js';
import { ScriptedPeer } from '../fakes/scripted-peer.js';
import { STREAM_ID, TransportNet, sha256, testBytes } from '../fakes/transport-net.js';
import type { PeerSession } from '../../src-main/transport/peer-session.js';

describe('session faults', () => {
  const net = new TransportNet();
  const peers: ScriptedPeer[] = [];
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.close()));
    await net.destroy();
  });

  async function scripted(server: { endpoint: { address(): { host: string; port: number } } }) {
    const peer = await ScriptedPeer.connect(server.endpoint.address(), STREAM_ID);
    peers.push(peer);
    return peer;
  }

  it('survives a packet number going back that acknowledges the ACK of a later one', async () => {
    const node = await net.node();
    const sessions: PeerSession[] = [];
    node.endpoint.on('session', (s) => sessions.push(s));
    const peer = await scripted(node);
    // pn 10: a PING. The node answers PONG with an ACK block up to 10.
    peer.send(10, [{ type: 'PING', nonce: 1 }]);
    await waitFor(() => peer.framesOf('PONG').length > 0, 30_000, 'PONG');
    const reply = peer.received.find((p) => p.frames.some((f) => f.type === 'PONG'))!;
    expect(reply.header.ack?.ranges[0]?.[1]).toBe(10);
    // pn 5, ack-eliciting, acknowledging that reply: the node forgets every range <= 10.
    const replyPn = reply.header.pn;
    peer.send(5, [{ type: 'PING', nonce: 2 }], { delayUs: 0, ranges: [[replyPn, replyPn]] });
    // The node answers that PING; its delayed-ACK timer (which used to throw on an ACK
    // block with no ranges and end the process) runs after maxAckDelayMs.
    await waitFor(() => peer.framesOf('PONG').some((f) => f.nonce === 2), 30_000, 'PONG to nonce 2');
    await new Promise((r) => setTimeout(r, node.endpoint.config.maxAckDelayMs * 4));
    // The node is alive and the session usable: another PING gets its PONG.
    peer.send(11, [{ type: 'PING', nonce: 3 }]);
    await waitFor(() => peer.framesOf('PONG').some((f) => f.nonce === 3), 30_000, 'PONG to nonce 3');
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.closed).toBe(false);
    expect(node.endpoint.stats().sessionFaults).toBe(0);
    // Every ACK block the node sent has at least one range.
    for (const p of peer.received) if (p.header.ack) expect(p.header.ack.ranges.length).toBeGreaterThan(0);
  });

  it('a throwing frame handler closes that session with GOODBYE INTERNAL; others carry on', async () => {
    const server = await net.node();
    const client = await net.node();
    const victimClosed: ShoalError[] = [];
    const goodPort = client.endpoint.address().port;
    server.endpoint.on('session', (s) => {
      // Only the scripted peer's session has a handler that throws.
      if (s.remote.port !== goodPort) {
        s.on('frame', () => {
          throw new Error('injected fault');
        });
        s.on('closed', (e) => victimClosed.push(e));
      }
    });
    const bad = await scripted(server);
    const { client: good, server: goodServer } = await net.pair(server, client);
    const data = testBytes(256 * 1024);
    goodServer.on('segmentRequest', (r) => r.respond(data));

    bad.send(0, [{ type: 'CHOKE' }]);
    await waitFor(() => bad.framesOf('GOODBYE').length > 0, 30_000, 'GOODBYE to the faulty session');
    expect(bad.framesOf('GOODBYE')[0]!.code).toBe(ErrorCode.INTERNAL);
    expect(victimClosed[0]?.code).toBe(ErrorCode.INTERNAL);
    expect(server.endpoint.stats().sessionFaults).toBe(1);

    // The other session still transfers a whole segment, byte-identical.
    const got = await good.requestSegment({ rendition: 0, kind: 'media', seq: 1 }).done;
    expect(sha256(got)).toBe(sha256(data));
    expect(goodServer.closed).toBe(false);
  });

  it('a throwing timer callback closes only its session', async () => {
    const server = await net.node();
    const a = await net.node();
    const b = await net.node();
    const one = await net.pair(server, a);
    const two = await net.pair(server, b);
    // Inject the fault where the crash lived: the connection's own timer path.
    const conn = one.server.connection as unknown as { onTimer: () => void };
    conn.onTimer = () => {
      throw new Error('injected timer fault');
    };
    one.server.connection.sendPing(); // arms nothing new; the keepalive/ACK timers call onTimer
    await waitFor(() => one.server.closed, 30_000, 'the faulty session to close');
    expect(one.server.reason?.code).toBe(ErrorCode.INTERNAL);
    await waitFor(() => one.client.closed, 30_000, 'the peer to hear GOODBYE');
    expect(server.endpoint.stats().sessionFaults).toBe(1);
    const data = testBytes(64 * 1024, 3);
    two.server.on('segmentRequest', (r) => r.respond(data));
    const got = await two.client.requestSegment({ rendition: 0, kind: 'media', seq: 2 }).done;
    expect(sha256(got)).toBe(sha256(data));
  });
});
