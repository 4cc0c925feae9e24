import { describe, expect, it } from 'vitest';
import { encodedFrameLength, type Frame } from '../protocol/index.js';
import { resolveTransportConfig } from './config.js';
import { ControlQueue } from './control-queue.js';

const ping = (nonce: number): Frame => ({ type: 'PING', nonce });
const cancel = (reqId: number): Frame => ({ type: 'CANCEL', reqId });

describe('ControlQueue (PROTOCOL §8.6, §13.4)', () => {
  it('holds at most maxControlFrames, queued and in flight, and frees what is acknowledged', () => {
    const totals = { frames: 0, bytes: 0 };
    const q = new ControlQueue(resolveTransportConfig({ maxControlFrames: 64 }), totals);
    for (let i = 0; i < 64; i++) expect(q.add(cancel(i + 1))).toBeNull();
    expect(q.add(cancel(100))).toMatch(/over budget/);
    const frames = q.take(1200)!;
    q.onSent(1000);
    // In flight still counts: nothing more fits until the peer acknowledges.
    expect(q.add(cancel(101))).toMatch(/over budget/);
    expect(q.held).toEqual({ frames: 64, bytes: 64 * encodedFrameLength(cancel(1)), inFlightBytes: 1000 });
    q.onAcked(frames, 1000);
    expect(q.held).toEqual({ frames: 0, bytes: 0, inFlightBytes: 0 });
    expect(totals).toEqual({ frames: 0, bytes: 0 });
    expect(q.add(cancel(102))).toBeNull();
  });

  it('stops at the control window except for a probe', () => {
    const cfg = resolveTransportConfig({ controlWindowBytes: 1200 });
    const q = new ControlQueue(cfg, { frames: 0, bytes: 0 });
    q.add(cancel(1));
    q.take(1200);
    q.onSent(1200);
    q.add(cancel(2));
    expect(q.sendable).toBe(false);
    q.addProbe(ping(7));
    expect(q.sendable).toBe(true);
    expect(q.take(1200)).toEqual([ping(7), cancel(2)]);
    q.onSent(100);
    q.add(cancel(3));
    expect(q.sendable).toBe(false);
  });

  it('resends lost frames first, but not PING, PONG or a superseded CHOKE', () => {
    const q = new ControlQueue(resolveTransportConfig(), { frames: 0, bytes: 0 });
    const sent: Frame[] = [{ type: 'CHOKE' }, ping(1), { type: 'PONG', nonce: 2 }, cancel(1)];
    for (const f of sent) q.add(f);
    q.take(1200);
    q.onSent(100);
    q.add({ type: 'UNCHOKE' });
    q.onLost(sent, 100);
    expect(q.requeueLost()).toBe(1);
    expect(q.take(1200)).toEqual([cancel(1), { type: 'UNCHOKE' }]);
    expect(q.held.frames).toBe(2);
  });

  it('over the node budget turns away a large holder, never a small one', () => {
    const totals = { frames: 0, bytes: 0 };
    const cfg = resolveTransportConfig({ maxControlFrames: 800, maxControlFramesTotal: 1000 });
    const big = new ControlQueue(cfg, totals);
    const small = new ControlQueue(cfg, totals);
    for (let i = 0; i < 800; i++) big.add(cancel(i + 1));
    const other = new ControlQueue(cfg, totals);
    for (let i = 0; i < 200; i++) expect(other.add(cancel(i + 1))).toBeNull();
    expect(totals.frames).toBe(1000);
    expect(other.add(cancel(999))).toMatch(/node budget/);
    expect(small.add(cancel(1))).toBeNull();
    big.clear();
    expect(totals.frames).toBe(201);
    expect(other.add(cancel(999))).toBeNull();
  });
});
