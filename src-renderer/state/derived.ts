// Values the UI shows that follow from one snapshot; kept pure so they are trivially tested.

import type { PeerStat, StatsSnapshot } from '../../src-shared/contract.js';

/** Fraction of downloaded bytes that came from peers rather than the broadcaster; null before any. */
export function shareFromPeers(totals: StatsSnapshot['totals']): number | null {
  const total = totals.fromPeers + totals.fromBroadcaster;
  return total > 0 ? totals.fromPeers / total : null;
}

export function downloadRate(rates: StatsSnapshot['rates']): number {
  return rates.fromBroadcasterBps + rates.fromPeersBps;
}

export function downloadedTotal(totals: StatsSnapshot['totals']): number {
  return totals.fromBroadcaster + totals.fromPeers;
}

export interface HealthCounts {
  good: number;
  fair: number;
  poor: number;
}

export function healthCounts(peers: readonly PeerStat[]): HealthCounts {
  const counts: HealthCounts = { good: 0, fair: 0, poor: 0 };
  for (const p of peers) counts[p.health]++;
  return counts;
}

/** Peers sorted the way the table shows them: the broadcaster first, then busiest first. */
export function peersByActivity(peers: readonly PeerStat[]): PeerStat[] {
  return [...peers].sort(
    (a, b) =>
      Number(b.role === 'broadcaster') - Number(a.role === 'broadcaster') ||
      b.upBps + b.downBps - (a.upBps + a.downBps) ||
      a.nodeId.localeCompare(b.nodeId),
  );
}
