// One hostile peer against a node's swarm (issue 15 §2b), on real sockets: PEX answers
// nobody asked for turn into no dials; a banned IP stays banned from any port; a peer
// that takes requests and never answers is dropped; and four idle sessions holding every
// broadcaster slot give way to a real viewer, which meanwhile says FULL, not "no answer".

import dgram from 'node:dgram';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode, type ShoalError } from '../../src-shared/errors.js';
import { formatStreamAddress, publicKeyBytes } from '../../src-shared/stream-address.js';
import { mergeEngineConfig } from '../../src-main/engine/engine-config.js';
import { StreamNode } from '../../src-main/engine/stream-node.js';
import { Capability, NotAvailableReason } from '../../src-main/protocol/constants.js';
import { signEntry, signStreamInfo, streamKeysFromSeed } from '../../src-main/protocol/signing.js';
import type { PexPeer, SegmentEntry } from '../../src-main/protocol/types.js';
import { SegmentStore } from '../../src-main/store/segment-store.js';
import { Endpoint, type PeerSession } from '../../src-main/transport/index.js';
import { hasFfmpeg, makeTempDir, makeVodHls, removeDir } from '../fixtures/ffmpeg.js';
import { collectEvents, EngineNet, waitFor } from '../fakes/engine-net.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 9));
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
});

async function viewerNode(
  bootstrap: { host: string; port: number }[] = [],
  store = new SegmentStore(),
): Promise<StreamNode> {
  const node = await StreamNode.open({
    role: 'viewer',
    streamId: keys.streamId,
    bootstrap,
    store,
    config: mergeEngineConfig({ dataDir: '/nonexistent', transport: { bindHost: '127.0.0.1' } }),
    now: () => performance.now(),
  });
  node.swarm.start();
  cleanup.push(() => node.destroy());
  return node;
}

async function endpoint(host = '127.0.0.1', capabilities = 0, inbound = true): Promise<Endpoint> {
  const e = new Endpoint({
    host,
    port: 0,
    capabilities,
    ...(!inbound && {
      acceptStream: () => ({ accept: false, code: ErrorCode.STREAM_NOT_FOUND, message: 'not here' }),
    }),
  });
  await e.start();
  cleanup.push(() => e.destroy());
  return e;
}

/**
 * UDP sockets that count the datagrams the node under test (at `fromPort`) sends them. Only
 * its: other test files run alongside, and a port one of them used a moment ago may be
 * handed to a victim here while a node of theirs still probes it.
 */
async function victims(
  count: number,
  fromPort: number,
): Promise<{ peers: PexPeer[]; received: () => number }> {
  let received = 0;
  const peers: PexPeer[] = [];
  for (let i = 0; i < count; i++) {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
    s.on('message', (_msg, from) => {
      if (from.port === fromPort) received++;
    });
    cleanup.push(() => new Promise((r) => s.close(() => r(undefined))));
    peers.push({ host: '127.0.0.1', port: s.address().port, nodeId: randomBytes(8), flags: 0 });
  }
  return { peers, received: () => received };
}

const closedReason = (s: PeerSession) => new Promise<ShoalError>((r) => s.once('closed', r));

describe('PEX reflection (PROTOCOL §5.14)', () => {
  it('takes no address from a PEX_RESPONSE it did not ask for, or from one with more entries than asked', async () => {
    const node = await viewerNode();
    const target = { host: '127.0.0.1', port: node.port };
    const victim = await victims(40, node.port);

    // A peer without the PEX capability is never asked; everything it sends is unsolicited.
    const silent = await endpoint('127.0.0.1', Capability.RELAY);
    const s0 = await silent.connect(target, keys.streamId);
    const s0Frames: string[] = [];
    s0.on('frame', (f) => s0Frames.push(f.type));

    // A PEX peer answers our request with nothing, then floods responses nobody asked for.
    const flooder = await endpoint('127.0.0.1', Capability.PEX | Capability.RELAY);
    const s1 = await flooder.connect(target, keys.streamId);
    await new Promise<void>((resolve) =>
      s1.on('frame', (f) => {
        if (f.type === 'PEX_REQUEST') resolve();
      }),
    );
    s1.send({ type: 'PEX_RESPONSE', peers: [] });
    for (let i = 0; i < 20; i++) {
      s0.send({ type: 'PEX_RESPONSE', peers: victim.peers.slice(0, 16) });
      s1.send({ type: 'PEX_RESPONSE', peers: victim.peers.slice(16 + (i % 8), 32 + (i % 8)) });
    }
    await waitFor(() => node.swarm.refusals.pexUnsolicited >= 40, 20_000, 'the 40 unsolicited responses');

    // A PEX peer that answers with more entries than asked for breaks the protocol.
    const oversized = await endpoint('127.0.0.1', Capability.PEX | Capability.RELAY);
    const s2 = await oversized.connect(target, keys.streamId);
    const s2Closed = closedReason(s2);
    await new Promise<void>((resolve) =>
      s2.on('frame', (f) => {
        if (f.type !== 'PEX_REQUEST') return;
        s2.send({ type: 'PEX_RESPONSE', peers: victim.peers.slice(0, f.max + 1) });
        resolve();
      }),
    );
    expect((await s2Closed).message).toMatch(/PEX_RESPONSE with 17 entries, asked for at most 16/);
    expect(node.swarm.refusals.pexOversized).toBe(1);

    // The node dials on its 100 ms tick: give it many ticks to show any dial.
    await new Promise((r) => setTimeout(r, 1500));
    expect(victim.received()).toBe(0);
    expect(s0Frames).not.toContain('PEX_REQUEST');
    expect(s0.closed).toBe(false);
    expect(s1.closed).toBe(false);
  }, 60_000);
});

describe('bans (PROTOCOL §13.5)', () => {
  it('refuse a banned IP from a new port, and not another IP', async () => {
    const node = await viewerNode();
    const target = { host: '127.0.0.1', port: node.port };
    const forger = await endpoint();
    const s = await forger.connect(target, keys.streamId);
    const closed = closedReason(s);
    // A HAVE whose entry is signed by another key: a forgery.
    const other = streamKeysFromSeed(Buffer.alloc(32, 1));
    s.send({ type: 'HAVE', entry: signEntry(other.privateKey, keys.streamId, unsignedEntry(5)) });
    expect((await closed).message).toMatch(/said goodbye: .*signature/);

    // Back from a new port of the same IP: REJECT BANNED at the handshake.
    const again = await endpoint();
    const refused = await again.connect(target, keys.streamId).then(
      () => null,
      (e: ShoalError) => e,
    );
    expect(refused?.code).toBe(ErrorCode.BANNED);
    expect(refused?.message).toMatch(/banned for \d+ min/);
    // Another IP is welcome.
    const elsewhere = await endpoint('127.0.0.2');
    const ok = await elsewhere.connect(target, keys.streamId);
    expect(ok.closed).toBe(false);
  }, 30_000);
});

describe('non-delivery (PROTOCOL §13.5)', () => {
  it('drops a neighbour that takes requests and never answers them', async () => {
    // A "holder" with a genuine signed playlist that never serves a byte.
    const holder = await endpoint('127.0.0.3', Capability.RELAY);
    const info = streamInfo(800_000);
    const entries: SegmentEntry[] = [];
    for (let seq = 0; seq < 6; seq++)
      entries.push(signEntry(keys.privateKey, keys.streamId, unsignedEntry(seq)));
    let asked = 0;
    const sessions: PeerSession[] = [];
    holder.on('session', (s) => {
      sessions.push(s);
      s.on('playlistRequest', (req) => req.respond(info, entries));
      s.on('segmentRequest', () => {
        asked++;
      });
    });
    let seq = entries.length;
    const timer = setInterval(() => {
      const entry = signEntry(keys.privateKey, keys.streamId, unsignedEntry(seq++));
      for (const s of sessions) if (!s.closed) s.send({ type: 'HAVE', entry });
    }, 1000);
    cleanup.push(async () => clearInterval(timer));

    const node = await viewerNode([{ host: '127.0.0.3', port: holder.address().port }]);
    await waitFor(() => sessions.length > 0, 20_000, 'the viewer to connect');
    const closed = closedReason(sessions[0]!);
    const reason = await closed;
    expect(reason.message).toMatch(/dropped: \d+ requests unanswered, nothing delivered in \d+ s/);
    expect(asked).toBeGreaterThanOrEqual(6);
    expect(node.swarm.refusals.undelivering).toBeGreaterThanOrEqual(1);
  }, 90_000);
});

describe('upload shares (PROTOCOL §13.5)', () => {
  it('hold one greedy neighbour to its ceiling when no upload cap is set', async () => {
    // A relay holding one 100 kB segment of a 800 kbit/s stream (100 kB/s, 1 s segments):
    // one neighbour may take 4x that, plus a burst of 4 segments.
    const store = new SegmentStore();
    const node = await viewerNode([], store);
    node.swarm.setInfo(streamInfo(800_000));
    const entry = signEntry(keys.privateKey, keys.streamId, unsignedEntry(3, 100_000));
    store.put(entry, Buffer.alloc(100_000, 3));

    const greedy = await endpoint('127.0.0.4', Capability.RELAY);
    const s = await greedy.connect({ host: '127.0.0.1', port: node.port }, keys.streamId);
    let served = 0;
    let overloaded = 0;
    const started = performance.now();
    // The same segment over and over, eight at a time, 40 times: 32 MB asked for.
    for (let round = 0; round < 40; round++) {
      const batch = Array.from({ length: 8 }, () =>
        s
          .requestSegment({
            rendition: 0,
            kind: 'media',
            seq: 3,
            expectedSize: entry.size,
            deadlineMs: 10_000,
            priority: 0,
          })
          .done.then(
            (data) => {
              served += data.length;
            },
            (e: { reason?: number }) => {
              if (e.reason === NotAvailableReason.OVERLOADED) overloaded++;
            },
          ),
      );
      await Promise.all(batch);
    }
    const seconds = (performance.now() - started) / 1000;
    expect(served).toBeLessThanOrEqual(4 * 100_000 + 4 * 100_000 * seconds + 8 * 100_000);
    expect(overloaded).toBeGreaterThan(0);
  }, 60_000);
});

const net = new EngineNet();
cleanup.push(() => net.destroy());

describe.skipIf(!hasFfmpeg())('idle sessions holding every broadcaster slot (PROTOCOL §13.5)', () => {
  it('give way to a real viewer, which meanwhile reports FULL and keeps trying', async () => {
    const folder = await makeTempDir('shoal-idle-');
    cleanup.push(() => removeDir(folder));
    await makeVodHls(folder, { seconds: 60, segmentSeconds: 1 });
    // No rescue slots (PROTOCOL §13.5): the viewer, with no path after 4 s, would take one and
    // never ask again; this is about eviction (test/swarm/no-path.test.ts covers the slots).
    // Four direct peers, so that four idle sessions fill them.
    const broadcaster = await net.engine({
      swarm: { broadcasterMaxPeers: 4, idleEvictMs: 8000, rescueSlots: 0 },
    });
    const { streamId } = await broadcaster.startBroadcast({ folder, vodSpeed: 1 });
    const port = Number(/:(\d+)$/.exec(broadcaster.getSnapshot().address ?? '')?.[1]);
    const target = { host: '127.0.0.1', port };

    // Four sessions that only answer PINGs (the transport does) take the four slots; they
    // let nobody in, so the peers the broadcaster lists when FULL are no way in either.
    const idle: PeerSession[] = [];
    for (let i = 0; i < 4; i++)
      idle.push(await (await endpoint('127.0.0.1', 0, false)).connect(target, publicKeyBytes(streamId)));
    const goodbyes: string[] = [];
    for (const s of idle) s.once('closed', (r) => goodbyes.push(r.message));

    const viewer = await net.engine({ notFoundAfterMs: 2000 });
    const events = collectEvents(viewer);
    await viewer.watch(formatStreamAddress({ streamId, bootstrap: [target] }));
    await waitFor(() => viewer.getSnapshot().state === 'full', 20_000, "the viewer's state 'full'");
    const error = viewer.getSnapshot().lastError;
    expect(error?.codeName).toBe('FULL');
    expect(error?.message).toMatch(/127\.0\.0\.1:\d+ is full .*asking it again/);
    expect(error?.message).not.toMatch(/firewall|NAT/);

    await waitFor(() => viewer.getSnapshot().segments.received >= 3, 60_000, 'segments at the viewer');
    await waitFor(() => viewer.getSnapshot().state === 'playing', 20_000, 'playing');
    expect(events.some((e) => e.type === 'state' && e.state === 'not-found')).toBe(false);
    expect(goodbyes.some((m) => /evicted: took and relayed nothing/.test(m))).toBe(true);
    // Playing, the FULL message is no longer the session's story.
    expect(viewer.getSnapshot().lastError?.codeName).not.toBe('FULL');
  }, 120_000);
});

function streamInfo(bandwidth: number) {
  return signStreamInfo(keys.privateKey, keys.streamId, {
    flags: 0,
    createdAtMs: Date.now(),
    targetDurationMs: 1000,
    renditions: [{ id: 0, bandwidth, width: 0, height: 0, name: 'main', codecs: '' }],
  });
}

function unsignedEntry(seq: number, size = 20_000) {
  const data = Buffer.alloc(size, seq & 0xff);
  return {
    rendition: 0,
    flags: 0,
    seq,
    initSeq: null,
    durationUs: 1_000_000,
    size: data.length,
    programDateTimeMs: 0,
    sha256: createHash('sha256').update(data).digest(),
  };
}
