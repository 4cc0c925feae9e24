import { describe, expect, it } from 'vitest';
import { makePeer, makeSnapshot } from '../test-support/fixtures';
import { downloadRate, healthCounts, peersByActivity, shareFromPeers } from './derived';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatLoss,
  formatPercent,
  formatRate,
  formatSeconds,
} from './format';

describe('derived values', () => {
  it('share from peers is null before any download, then the peers fraction', () => {
    const totals = makeSnapshot().totals;
    expect(shareFromPeers(totals)).toBeNull();
    expect(shareFromPeers({ ...totals, fromPeers: 300, fromBroadcaster: 100 })).toBe(0.75);
    expect(shareFromPeers({ ...totals, fromPeers: 0, fromBroadcaster: 100 })).toBe(0);
  });

  it('download rate adds both sources', () => {
    expect(downloadRate({ upBps: 9, fromBroadcasterBps: 100, fromPeersBps: 50, toGatewayBps: 7 })).toBe(150);
  });

  it('counts peers by health and orders the broadcaster first, then by traffic', () => {
    const peers = [
      makePeer({ nodeId: 'a', health: 'poor', downBps: 10 }),
      makePeer({ nodeId: 'b', health: 'good', downBps: 500 }),
      makePeer({ nodeId: 'c', health: 'good', role: 'broadcaster' }),
    ];
    expect(healthCounts(peers)).toEqual({ good: 2, fair: 0, poor: 1 });
    expect(peersByActivity(peers).map((p) => p.nodeId)).toEqual(['c', 'b', 'a']);
  });
});

describe('formatting', () => {
  it('shows bytes, and rates in bits per second', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1_530_000)).toBe('1.53 MB');
    expect(formatRate(125_000)).toBe('1.00 Mbit/s');
    expect(formatRate(50)).toBe('400 bit/s');
  });

  it('shows durations, seconds, percentages and loss', () => {
    expect(formatDuration(45_000)).toBe('45s');
    expect(formatDuration(192_000)).toBe('3m 12s');
    expect(formatDuration(3_840_000)).toBe('1h 04m');
    expect(formatSeconds(null)).toBe('—');
    expect(formatSeconds(4.24)).toBe('4.2 s');
    expect(formatPercent(0.734)).toBe('73%');
    expect(formatLoss(0.004)).toBe('0.4%');
    expect(formatLoss(0)).toBe('0%');
  });

  it('counts with the right number: 1 peer, 2 peers, 0 viewers', () => {
    expect(formatCount(1, 'peer')).toBe('1 peer');
    expect(formatCount(2, 'peer')).toBe('2 peers');
    expect(formatCount(0, 'viewer')).toBe('0 viewers');
    expect(formatCount(1, 'connected peer')).toBe('1 connected peer');
  });
});
