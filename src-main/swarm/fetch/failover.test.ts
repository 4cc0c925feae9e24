// A viewer whose neighbour dies (a crash: no GOODBYE, the session lingers until its 15 s
// idle timeout) moves what it asked of it to another holder and asks it for nothing more,
// instead of waiting out the requests' deadlines (issue 15 §5, live-swarm kills).

import { afterEach, describe, expect, it, vi } from 'vitest';
import { fakeSession, signedEntry, viewerSwarmOptions } from '../../../test/fakes/swarm-fakes.js';
import { generateStreamKeys, signStreamInfo } from '../../protocol/signing.js';
import type { Frame } from '../../protocol/types.js';
import type { SessionListeners, SwarmSession } from '../ports.js';
import { Swarm } from '../swarm.js';

const keys = generateStreamKeys();
const entry = (seq: number) => signedEntry(keys, seq);

interface FakeNeighbour extends SwarmSession {
  listeners: SessionListeners | null;
  /** Seqs asked of it, in order, and which of those requests were cancelled. */
  asked: number[];
  cancelled: number[];
  sent: Frame[];
  /** When it was last heard from; null = it answers at once (silentMs 0). */
  lastHeardAt: number | null;
}

/** A neighbour that takes requests and never completes them; it is heard from until it dies. */
function neighbour(id: string, clock: () => number): FakeNeighbour {
  const n: FakeNeighbour = {
    ...fakeSession({
      nodeId: id.repeat(8),
      remote: { host: '127.0.0.1', port: id.charCodeAt(0) },
      send: (frame) => void n.sent.push(frame),
      requestSegment: (opts) => {
        n.asked.push(opts.seq);
        return {
          done: new Promise<Buffer>(() => undefined),
          cancel: () => void n.cancelled.push(opts.seq),
        };
      },
      listen(l) {
        n.listeners = l;
      },
      silentMs: () => (n.lastHeardAt === null ? 0 : clock() - n.lastHeardAt),
    }),
    listeners: null,
    asked: [],
    cancelled: [],
    sent: [],
    lastHeardAt: null,
  };
  return n;
}

afterEach(() => vi.useRealTimers());

describe('failover from a neighbour that died', () => {
  it('moves its requests to another holder within a few seconds, probes it, and asks it nothing more while it is silent', () => {
    vi.useFakeTimers();
    let now = 1_000_000;
    const clock = () => now;
    const advance = (ms: number) => {
      for (let t = 0; t < ms; t += 100) {
        now += 100;
        vi.advanceTimersByTime(100);
      }
    };
    const swarm = new Swarm(
      viewerSwarmOptions({
        streamId: keys.streamId,
        selfNodeId: 'cc'.repeat(8),
        maxPeers: 6,
        // Far from their deadlines: nothing here is urgent enough for the stall rule.
        joinDistance: 8,
        resyncAfterSegments: 100,
        pieces: false,
        // Room for everything wanted (2..9) on one neighbour: requests here never complete.
        maxInFlightPerPeer: 8,
        now: clock,
      }),
    );
    swarm.setInfo(
      signStreamInfo(keys.privateKey, keys.streamId, {
        flags: 2,
        createdAtMs: 1,
        targetDurationMs: 1000,
        renditions: [],
      }),
    );
    const dying = neighbour('d', clock);
    const other = neighbour('e', clock);
    swarm.adopt(dying);
    swarm.start();
    for (let seq = 0; seq <= 9; seq++) dying.listeners!.frame({ type: 'HAVE', entry: entry(seq) });
    advance(1000);
    expect(swarm.joinSeq(0)).toBe(2);
    // It took (and acknowledged) two requests, then crashed: from now on it is silent.
    const askedBeforeDeath = [...dying.asked];
    expect(askedBeforeDeath.length).toBeGreaterThanOrEqual(2);
    dying.lastHeardAt = now;

    // Another neighbour holds the same segments.
    swarm.adopt(other);
    for (let seq = 0; seq <= 9; seq++) other.listeners!.frame({ type: 'HAVE', entry: entry(seq) });
    // Far sooner than the idle timeout (15 s) or the requests' deadlines (8 s and more), it
    // is probed, then given up on: whatever it was asked is cancelled and asked elsewhere.
    advance(4000);
    expect(dying.sent.some((f) => f.type === 'PING')).toBe(true);
    expect(dying.cancelled.length).toBe(dying.asked.length);
    for (const seq of askedBeforeDeath) expect(other.asked).toContain(seq);
    // While it stays silent, it is asked for nothing more.
    const askedOfDead = dying.asked.length;
    advance(5000);
    expect(dying.asked.length).toBe(askedOfDead);
    expect(other.asked.length).toBeGreaterThan(0);

    // Heard from again (it was only slow): it is asked again.
    dying.lastHeardAt = null;
    for (let seq = 10; seq <= 14; seq++) {
      dying.listeners!.frame({ type: 'HAVE', entry: entry(seq) });
      other.listeners!.frame({ type: 'HAVE', entry: entry(seq) });
    }
    advance(1000);
    expect(dying.asked.length).toBeGreaterThan(askedBeforeDeath.length);
    swarm.destroy();
  });
});
