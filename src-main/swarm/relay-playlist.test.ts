// A relay's playlist (PROTOCOL §5.4): the media entries it holds whole, not every entry it
// knows, with the init entries they reference; the broadcaster lists its whole window.

import { describe, expect, it } from 'vitest';
import { fakeSession, signedEntry, viewerSwarmOptions } from '../../test/fakes/swarm-fakes.js';
import { EntryFlag } from '../protocol/constants.js';
import { signStreamInfo, streamKeysFromSeed } from '../protocol/signing.js';
import type { SegmentEntry } from '../protocol/types.js';
import type { IncomingPlaylistRequest, SegmentVault, SessionListeners, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = streamKeysFromSeed(Buffer.alloc(32, 3));
const entry = (seq: number, init = false): SegmentEntry =>
  signedEntry(keys, seq, {
    flags: init ? EntryFlag.INIT : 0,
    initSeq: init ? null : 0,
    durationUs: init ? 0 : 2_000_000,
    size: 100,
    sha256: Buffer.alloc(32, seq),
  });

function requester(): SwarmSession & { listeners: SessionListeners | null } {
  return {
    ...fakeSession({ direction: 'inbound' }),
    listeners: null,
    listen(l) {
      this.listeners = l;
    },
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
  const swarm = new Swarm(
    viewerSwarmOptions({ streamId: keys.streamId, role, selfNodeId: 'ff'.repeat(8), vault, now: () => 0 }),
  );
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
