// The broadcaster's offline notice in the swarm (PROTOCOL §5.16): a viewer takes a genuine
// one, passes it on once to its other neighbours and to those that link later, drops it
// once an entry at or past its nextSeq is known, ignores stale replays without verifying
// them, and bans the sender of a forged one.

import { describe, expect, it } from 'vitest';
import { fakeSession, signedEntry, viewerSwarmOptions } from '../../test/fakes/swarm-fakes.js';
import { ErrorCode } from '../../src-shared/errors.js';
import { signOfflineNotice } from '../protocol/offline-notice.js';
import { generateStreamKeys } from '../protocol/signing.js';
import type { Frame, OfflineNotice } from '../protocol/types.js';
import type { SessionListeners, SwarmSession } from './ports.js';
import { Swarm } from './swarm.js';

const keys = generateStreamKeys();

interface Neighbour extends SwarmSession {
  sent: Frame[];
  closedWith: number[];
  deliver(frame: Frame): void;
}

function neighbour(id: string, port: number): Neighbour {
  let listeners: SessionListeners | null = null;
  const n: Neighbour = {
    ...fakeSession({
      nodeId: id.repeat(8),
      remote: { host: `127.0.0.${port}`, port },
      send: (f) => void n.sent.push(f),
      listen: (l) => void (listeners = l),
      close: (code) => void n.closedWith.push(code),
    }),
    sent: [],
    closedWith: [],
    deliver: (frame) => listeners!.frame(frame),
  };
  return n;
}

const offlines = (n: Neighbour): OfflineNotice[] =>
  n.sent.flatMap((f) => (f.type === 'OFFLINE' ? [f.notice] : []));

function setUp() {
  const swarm = new Swarm(viewerSwarmOptions({ streamId: keys.streamId }));
  const heard: (string | null)[] = [];
  swarm.on('offline', ({ from }) => heard.push(from ? from.nodeId : null));
  const a = neighbour('11', 1);
  const b = neighbour('22', 2);
  swarm.adopt(a);
  swarm.adopt(b);
  return { swarm, heard, a, b };
}

const notice = (nextSeq: number) =>
  signOfflineNotice(keys.privateKey, keys.streamId, { nextSeq, stoppedAtMs: 1_700_000_000_000 });

describe('offline notices (PROTOCOL §5.16)', () => {
  it('are taken once, passed on to the other neighbours, and given to a neighbour that links later', () => {
    const { swarm, heard, a, b } = setUp();
    a.deliver({ type: 'HAVE', entry: signedEntry(keys, 4) });
    a.deliver({ type: 'OFFLINE', notice: notice(5) });
    expect(heard).toEqual([a.nodeId]);
    expect(swarm.offlineNotice?.nextSeq).toBe(5);
    expect(offlines(a)).toEqual([]);
    expect(offlines(b).map((n) => n.nextSeq)).toEqual([5]);
    // The copy coming back the other way is known: not taken, not passed on again.
    b.deliver({ type: 'OFFLINE', notice: notice(5) });
    expect(heard).toHaveLength(1);
    expect(offlines(a)).toEqual([]);
    const later = neighbour('33', 3);
    swarm.adopt(later);
    expect(offlines(later).map((n) => n.nextSeq)).toEqual([5]);
    swarm.destroy();
  });

  it('lapse once an entry at or past nextSeq is known; a replay of the old notice is then ignored', () => {
    const { swarm, heard, a, b } = setUp();
    a.deliver({ type: 'OFFLINE', notice: notice(5) });
    expect(swarm.offlineNotice).not.toBeNull();
    a.deliver({ type: 'HAVE', entry: signedEntry(keys, 4) });
    expect(swarm.offlineNotice).not.toBeNull(); // seq 4 was signed before the stop
    a.deliver({ type: 'HAVE', entry: signedEntry(keys, 5) });
    expect(swarm.offlineNotice).toBeNull(); // the broadcaster is back
    b.deliver({ type: 'OFFLINE', notice: notice(5) });
    expect(swarm.offlineNotice).toBeNull();
    expect(heard).toEqual([a.nodeId]);
    expect(b.closedWith).toEqual([]);
    const later = neighbour('33', 3);
    swarm.adopt(later);
    expect(offlines(later)).toEqual([]);
    swarm.destroy();
  });

  it('with a forged signature ban the sender and go no further', () => {
    const { swarm, heard, a, b } = setUp();
    const forged = { ...notice(7), stoppedAtMs: 1 };
    a.deliver({ type: 'OFFLINE', notice: forged });
    expect(a.closedWith).toEqual([ErrorCode.BANNED]);
    expect(swarm.offlineNotice).toBeNull();
    expect(heard).toEqual([]);
    expect(offlines(b)).toEqual([]);
    swarm.destroy();
  });

  it('are ignored by a broadcaster, which only sends its own', () => {
    const swarm = new Swarm({ ...viewerSwarmOptions({ streamId: keys.streamId }), role: 'broadcaster' });
    const a = neighbour('11', 1);
    const b = neighbour('22', 2);
    swarm.adopt(a);
    swarm.adopt(b);
    a.deliver({ type: 'OFFLINE', notice: notice(3) });
    expect(swarm.offlineNotice).toBeNull();
    swarm.announceOffline(notice(9));
    expect(offlines(a).map((n) => n.nextSeq)).toEqual([9]);
    expect(offlines(b).map((n) => n.nextSeq)).toEqual([9]);
    swarm.destroy();
  });
});
