// A relay's playlist (PROTOCOL §5.4): the media entries it holds whole, not every entry it
// knows, with the init entries they reference; the broadcaster lists its whole window.

import { describe, expect, it } from 'vitest';
import { EntryFlag } from '../protocol/constants.js';
import { signEntry, signStreamInfo, streamKeysFromSeed } from '../protocol/signing.js';
import type { SegmentEntry } from '../protocol/types.js';
import type { IncomingPlaylistRequest, SegmentVault, SessionListeners, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 3));
const entry = (seq: number, init = false): SegmentEntry =>
  signEntry(keys.privateKey, keys.streamId, {
    rendition: 0,
    flags: init ? EntryFlag.INIT : 0,
    seq,
    initSeq: init ? null : 0,
    durationUs: init ? 0 : 2_000_000,
    size: 100,
    programDateTimeMs: 0,
    sha256: Buffer.alloc(32, seq),
  });

function requester(): SwarmSession & { listeners: SessionListeners | null } {
  return {
    nodeId: 'aa'.repeat(8),
    remote: { host: '127.0.0.1', port: 1 },
    direction: 'inbound',
    isBroadcaster: false,
    speaksPieces: false,
    speaksPex: false,
    listeners: null,
    send: () => undefined,
    requestSegment: () => ({ done: new Promise<Buffer>(() => undefined), cancel: () => undefined }),
    requestPlaylist: () => new Promise(() => undefined),
    listen(l) {
      this.listeners = l;
    },
    health: () => ({ rttMs: 10, lossRate: 0, bytesSent: 0, bytesReceived: 0 }),
    rttMs: () => 10,
    activeResponses: () => 0,
    silentMs: () => 0,
    close: () => undefined,
  };
}

function playlistOf(role: 'viewer' | 'broadcaster'): number[] {
  const held = [3, 4];
  const vault: SegmentVault = {
    get: () => undefined,
    has: (_r, _k, seq) => held.includes(seq),
    put: () => undefined,
    heldSeqs: () => held,
  };
  const swarm = new Swarm({
    streamId: keys.streamId,
    role,
    selfNodeId: 'ff'.repeat(8),
    vault,
    dialer: { dial: () => new Promise(() => undefined) },
    bootstrap: [],
    maxPeers: 4,
    joinDistance: 2,
    resyncAfterSegments: 3,
    pushFanout: 1,
    pushDelayShare: 0,
    noUpload: false,
    maxInFlightPerPeer: 2,
    now: () => 0,
  });
  swarm.setInfo(
    signStreamInfo(keys.privateKey, keys.streamId, {
      flags: 2,
      createdAtMs: 1,
      targetDurationMs: 2000,
      renditions: [{ id: 0, bandwidth: 1, width: 0, height: 0, name: 'r0', codecs: '' }],
    }),
  );
  for (const e of [entry(0, true), entry(1), entry(2), entry(3), entry(4), entry(5)]) swarm.book.addOwn(e);
  const peer = requester();
  swarm.adopt(peer);
  let listed: SegmentEntry[] = [];
  const request: IncomingPlaylistRequest = {
    rendition: 0,
    fromSeq: 0,
    respond: (_info, entries) => void (listed = entries),
  };
  peer.listeners!.playlistRequest(request);
  swarm.destroy();
  return listed.map((e) => (e.flags & EntryFlag.INIT ? -1 - e.seq : e.seq));
}

describe('playlist answers (PROTOCOL §5.4)', () => {
  it('a relay lists the media entries it holds whole, after the init entry they need', () => {
    expect(playlistOf('viewer')).toEqual([-1, 3, 4]); // init 0 (known, not held), then 3 and 4
  });

  it('the broadcaster lists its whole window', () => {
    expect(playlistOf('broadcaster')).toEqual([-1, 1, 2, 3, 4, 5]);
  });
});
