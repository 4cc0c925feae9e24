// Segments a viewer never heard of (published in a burst while the broadcaster had no
// neighbour, or announced only to neighbours it had dropped) are found and fetched: a
// neighbour that holds them is asked for its playlist from the first unknown one
// (issue 15 §5: six viewers missed 16–24 for good, and nobody ever fetched them).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { seqsToBitmap } from '../protocol/availability-bitmap.js';
import { generateStreamKeys, signEntry, signStreamInfo } from '../protocol/signing.js';
import type { SegmentEntry, StreamInfo } from '../protocol/types.js';
import type { SegmentVault, SessionListeners, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();
const entry = (seq: number): SegmentEntry =>
  signEntry(keys.privateKey, keys.streamId, {
    rendition: 0,
    flags: 0,
    seq,
    initSeq: null,
    durationUs: 1_000_000,
    size: 1000,
    programDateTimeMs: 0,
    sha256: Buffer.alloc(32, 1),
  });
const info: StreamInfo = signStreamInfo(keys.privateKey, keys.streamId, {
  flags: 2,
  createdAtMs: 1,
  targetDurationMs: 1000,
  renditions: [],
});

interface FakeNeighbour extends SwarmSession {
  listeners: SessionListeners | null;
  asked: number[];
  playlistAsked: number[];
  /** What its playlist lists (from the asked seq on). */
  lists: number[];
}

function neighbour(id: string, isBroadcaster: boolean): FakeNeighbour {
  const n: FakeNeighbour = {
    nodeId: id.repeat(8),
    remote: { host: '127.0.0.1', port: id.charCodeAt(0) },
    direction: 'outbound',
    isBroadcaster,
    speaksPieces: false,
    speaksPex: false,
    listeners: null,
    asked: [],
    playlistAsked: [],
    lists: [],
    send: () => undefined,
    requestSegment: (opts) => {
      n.asked.push(opts.seq);
      return { done: new Promise<Buffer>(() => undefined), cancel: () => undefined };
    },
    requestPlaylist: (_rendition, fromSeq) => {
      n.playlistAsked.push(fromSeq);
      return Promise.resolve({ info, entries: n.lists.filter((s) => s >= fromSeq).map(entry) });
    },
    listen(l) {
      n.listeners = l;
    },
    health: () => ({ rttMs: 10, lossRate: 0, bytesSent: 0, bytesReceived: 0 }),
    rttMs: () => 10,
    activeResponses: () => 0,
    silentMs: () => 0,
    close: () => undefined,
  };
  return n;
}

const emptyVault: SegmentVault = {
  get: () => undefined,
  has: () => false,
  put: () => undefined,
  heldSeqs: () => [],
};

afterEach(() => vi.useRealTimers());

describe('entries a viewer never heard of', () => {
  it('are asked of a neighbour that holds them, and then fetched', async () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const advance = async (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        now += 100;
        await vi.advanceTimersByTimeAsync(100);
      }
    };
    const swarm = new Swarm({
      streamId: keys.streamId,
      role: 'viewer',
      selfNodeId: 'cc'.repeat(8),
      vault: emptyVault,
      dialer: { dial: () => new Promise(() => undefined) },
      bootstrap: [],
      maxPeers: 6,
      joinDistance: 2,
      resyncAfterSegments: 100,
      pushFanout: 1,
      pushDelayShare: 0,
      noUpload: false,
      pieces: false,
      maxInFlightPerPeer: 16,
      now: () => now,
    });
    swarm.setInfo(info);
    const first = neighbour('a', false);
    swarm.adopt(first);
    swarm.start();
    for (let seq = 0; seq <= 5; seq++) first.listeners!.frame({ type: 'HAVE', entry: entry(seq) });
    await advance(1000);
    expect(swarm.joinSeq(0)).toBe(4);

    // The broadcaster published 6..15 while we were not linked to it (nor to anyone it told).
    // Linked now, it says what it holds (AVAILABILITY, no entries) and announces 16.
    const broadcaster = neighbour('b', true);
    broadcaster.lists = Array.from({ length: 17 }, (_, i) => i);
    swarm.adopt(broadcaster);
    broadcaster.listeners!.frame({
      type: 'AVAILABILITY',
      rendition: 0,
      ...seqsToBitmap(broadcaster.lists.slice(0, 16)),
    });
    broadcaster.listeners!.frame({ type: 'HAVE', entry: entry(16) });
    await advance(3000);

    expect(broadcaster.playlistAsked).toContain(6);
    const asked = new Set([...first.asked, ...broadcaster.asked]);
    for (let seq = 6; seq <= 15; seq++) expect(asked.has(seq)).toBe(true);
    swarm.destroy();
  });
});
