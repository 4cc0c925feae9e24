import { beforeEach, describe, expect, it } from 'vitest';
import { makeSnapshot } from '../test-support/fixtures';
import { HISTORY_CAPACITY, historyColumns, historySpanLabel, useRateHistory } from './rate-history-store';
import { RingBuffer } from './ring-buffer';

describe('RingBuffer', () => {
  it('keeps the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    [1, 2, 3, 4, 5].forEach((n) => ring.push(n));
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.size).toBe(3);
    expect(ring.last()).toBe(5);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe('rate history', () => {
  const at = (ms: number, upBps = 0) =>
    makeSnapshot({ at: ms, rates: { upBps, fromBroadcasterBps: 10, fromPeersBps: 20, toGatewayBps: 5 } });

  beforeEach(() => useRateHistory.getState().reset());

  it('takes at most one sample per second', () => {
    const { record } = useRateHistory.getState();
    record(at(10_000));
    record(at(10_250));
    record(at(10_900));
    record(at(11_000));
    expect(
      useRateHistory
        .getState()
        .samples.toArray()
        .map((s) => s.t),
    ).toEqual([10, 11]);
  });

  it('is bounded and starts over when the engine clock goes back', () => {
    const { record } = useRateHistory.getState();
    for (let i = 0; i < HISTORY_CAPACITY + 50; i++) record(at(i * 1000));
    expect(useRateHistory.getState().samples.size).toBe(HISTORY_CAPACITY);
    record(at(5));
    expect(useRateHistory.getState().samples.size).toBe(1);
  });

  it('turns samples into uPlot columns in bits per second', () => {
    useRateHistory.getState().record(at(2000, 100));
    const [t, fromB, fromP, up, gw] = historyColumns(useRateHistory.getState().samples.toArray());
    expect(t).toEqual([2]);
    expect([fromB[0], fromP[0], up[0], gw[0]]).toEqual([80, 160, 800, 40]);
  });

  it('bumps the version only for accepted samples', () => {
    const { record } = useRateHistory.getState();
    const before = useRateHistory.getState().version;
    record(at(50_000));
    record(at(50_100));
    expect(useRateHistory.getState().version).toBe(before + 1);
  });
});

describe('historySpanLabel', () => {
  const at = (...ts: number[]) =>
    ts.map((t) => ({ t, fromBroadcaster: 0, fromPeers: 0, uploaded: 0, toGateway: 0 }));
  it('says how much the chart holds, not its capacity', () => {
    expect(historySpanLabel([])).toBe('last 1 s');
    expect(historySpanLabel(at(100, 130))).toBe('last 30 s');
    expect(historySpanLabel(at(0, 150))).toBe('last 3 min');
    expect(historySpanLabel(at(0, HISTORY_CAPACITY - 1))).toBe('last 5 min');
  });
});
