// A peer that relays genuine signed entries but serves corrupted bytes is detected by
// the SHA-256 check, banned, and nothing it sent reaches the viewer's store.

import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-shared/errors.js';
import { formatStreamAddress, publicKeyBytes } from '../../src-shared/stream-address.js';
import { Capability } from '../../src-main/protocol/constants.js';
import { Endpoint, type PeerSession } from '../../src-main/transport/index.js';
import type { SegmentEntry, StreamInfo } from '../../src-main/protocol/types.js';
import { hasFfmpeg, makeTempDir, makeVodHls, removeDir } from '../fixtures/ffmpeg.js';
import { collectEvents, EngineNet, waitFor } from '../fakes/engine-net.js';

const net = new EngineNet();
const hostile = new Endpoint({ host: '127.0.0.1', port: 0 });
const piecewise = new Endpoint({ host: '127.0.0.1', port: 0, capabilities: Capability.PIECES });
let folder = '';

afterAll(async () => {
  await hostile.destroy();
  await piecewise.destroy();
  await net.destroy();
  if (folder) await removeDir(folder);
});

describe.skipIf(!hasFfmpeg())('a peer serving corrupted segments', () => {
  it('is banned and nothing corrupted is stored', async () => {
    folder = await makeTempDir('shoal-hostile-');
    await makeVodHls(folder, { seconds: 8, segmentSeconds: 1 });
    const broadcaster = await net.engine();
    const { streamId } = await broadcaster.startBroadcast({ folder, vodSpeed: 1 });
    const streamKey = publicKeyBytes(streamId);

    // The hostile node joins as a viewer to learn genuine signed entries...
    await hostile.start();
    const { upstream, genuine } = await joinAsViewer(hostile, broadcaster, streamKey);

    // ...and serves them to victims with garbage bytes of the right size.
    let served = 0;
    hostile.on('session', (victim: PeerSession) => {
      victim.on('playlistRequest', (req) => req.respond(genuine.info, genuine.entries));
      victim.on('segmentRequest', (req) => {
        const entry = genuine.entries.find((e) => e.seq === req.seq);
        if (!entry) return req.notAvailable(0);
        served++;
        req.respond(randomBytes(entry.size));
      });
      upstream.on('frame', (frame) => {
        if (frame.type === 'HAVE' && !victim.closed) victim.send(frame);
      });
    });

    const viewer = await net.engine({ notFoundAfterMs: 20_000 });
    const events = collectEvents(viewer);
    await viewer.watch(formatStreamAddress({ streamId, bootstrap: [hostile.address()] }));

    await waitFor(() => events.some((e) => e.type === 'peer-left'), 45_000, 'the hostile peer to be dropped');
    expect(served).toBeGreaterThan(0);
    const failed = events.find((e) => e.type === 'segment-failed');
    expect(failed).toBeDefined();
    const errors = events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
    expect(errors.map((e) => e.code)).toContain(ErrorCode.HASH_MISMATCH);
    const left = events.find((e) => e.type === 'peer-left');
    expect(left?.type === 'peer-left' && /banned/.test(left.reason)).toBe(true);
    // Nothing from the hostile peer was stored or counted as received.
    expect(viewer.getSnapshot().segments.received).toBe(0);
    expect(viewer.getSnapshot().segments.held).toBe(0);
    for (const e of genuine.entries) {
      expect((await viewer.handleMedia(`/stream/${streamId}/0/${e.seq}.ts`)).status).toBe(404);
    }
    // It is not used again: no reconnection to the banned address (nothing to wait for:
    // the check is that nothing happens for a while).
    await new Promise((r) => setTimeout(r, 1500));
    expect(hostile.sessions().filter((s) => !s.closed && s.direction === 'inbound')).toHaveLength(0);
  }, 120_000);
});

describe.skipIf(!hasFfmpeg())('a peer serving corrupted pieces (PROTOCOL §7.3)', () => {
  it('is banned at the first bad piece and nothing it sent is stored', async () => {
    const dir = await makeTempDir('shoal-hostile-pieces-');
    try {
      await makeVodHls(dir, { seconds: 8, segmentSeconds: 1 });
      const broadcaster = await net.engine();
      const { streamId } = await broadcaster.startBroadcast({ folder: dir, vodSpeed: 1 });
      await piecewise.start();
      const { upstream, genuine } = await joinAsViewer(
        piecewise,
        broadcaster,
        publicKeyBytes(streamId),
      );
      // It passes on the broadcaster's genuine piece maps, offers every piece, and serves
      // random bytes of the right length for each range.
      let served = 0;
      piecewise.on('session', (victim: PeerSession) => {
        victim.on('playlistRequest', (req) => req.respond(genuine.info, genuine.entries));
        victim.on('segmentRequest', (req) => {
          if (!req.range) return req.notAvailable(0);
          served++;
          req.respond(randomBytes(req.range.length));
        });
        upstream.on('frame', (frame) => {
          if (frame.type !== 'PIECE_MAP' || victim.closed) return;
          const count = frame.map.hashes.length;
          victim.send(frame);
          victim.send({
            type: 'PIECE_HAVE',
            rendition: frame.map.entry.rendition,
            seq: frame.map.entry.seq,
            count,
            bitmap: Buffer.from([0xff, 0xff, 0xff]).subarray(0, (count + 7) >>> 3),
            offer: true,
          });
        });
      });

      const viewer = await net.engine({ notFoundAfterMs: 20_000 });
      const events = collectEvents(viewer);
      await viewer.watch(formatStreamAddress({ streamId, bootstrap: [piecewise.address()] }));
      await waitFor(
        () => events.some((e) => e.type === 'peer-left'),
        45_000,
        'the hostile peer to be dropped',
      );
      expect(served).toBeGreaterThan(0);
      const errors = events.flatMap((e) => (e.type === 'error' ? [e.error] : []));
      expect(errors.map((e) => e.code)).toContain(ErrorCode.HASH_MISMATCH);
      expect(errors.find((e) => e.code === ErrorCode.HASH_MISMATCH)?.message).toMatch(/piece \d+ of segment/);
      const left = events.find((e) => e.type === 'peer-left');
      expect(left?.type === 'peer-left' && /banned/.test(left.reason)).toBe(true);
      expect(viewer.getSnapshot().segments.received).toBe(0);
      expect(viewer.getSnapshot().segments.held).toBe(0);
    } finally {
      await removeDir(dir);
    }
  }, 120_000);
});

/** Connects a bare endpoint to the broadcaster and fetches its genuine signed playlist. */
async function joinAsViewer(
  endpoint: Endpoint,
  broadcaster: { getSnapshot(): { address: string | null } },
  streamKey: Uint8Array,
): Promise<{ upstream: PeerSession; genuine: { info: StreamInfo; entries: SegmentEntry[] } }> {
  const upstream = await endpoint.connect(
    { host: '127.0.0.1', port: broadcasterPort(broadcaster) },
    streamKey,
  );
  let genuine: { info: StreamInfo; entries: SegmentEntry[] } | null = null;
  await waitFor(
    async () => {
      genuine = await upstream.requestPlaylist({ rendition: 0, fromSeq: 0 }, 5000).catch(() => null);
      return (genuine?.entries.length ?? 0) > 1;
    },
    30_000,
    'the broadcaster playlist',
  );
  return { upstream, genuine: genuine! };
}

function broadcasterPort(engine: { getSnapshot(): { address: string | null } }): number {
  return Number(/:(\d+)$/.exec(engine.getSnapshot().address ?? '')?.[1]);
}
