// The words the tray shows: a tooltip with current speeds and one status line for the
// menu. Kept short: Windows cuts tray tooltips at 127 characters.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { formatCount, formatRate } from '../../src-shared/format.js';

export { formatRate };

const STATE_WORDS: Record<StatsSnapshot['state'], string> = {
  idle: 'idle',
  connecting: 'connecting',
  buffering: 'buffering',
  playing: 'playing',
  'broadcaster-offline': 'broadcaster offline, waiting',
  ended: 'ended',
  'not-found': 'stream not found',
  full: 'broadcaster full, retrying',
  error: 'error',
};

/** One line saying what the app is doing, e.g. "Broadcasting · 3 viewers". */
export function trayStatusLine(snapshot: StatsSnapshot | null): string {
  if (!snapshot || snapshot.mode === 'idle') return 'Not streaming';
  if (snapshot.mode === 'broadcasting') {
    const direct = snapshot.broadcast?.viewers ?? 0;
    // The whole audience as estimated (a lower bound), when it counts more than the direct viewers.
    const audience = Math.max(direct, snapshot.broadcast?.audience ?? 0);
    const viewers =
      audience > direct ? `≈ ${formatCount(audience, 'viewer')}` : formatCount(direct, 'viewer');
    const stalled = snapshot.broadcast?.stalled ? ' · source stalled' : '';
    return `Broadcasting · ${viewers}${stalled}`;
  }
  const state =
    snapshot.state === 'broadcaster-offline' && snapshot.offlineCause === 'encoder'
      ? 'encoder stalled, waiting'
      : STATE_WORDS[snapshot.state];
  return `Watching · ${state} · ${formatCount(snapshot.peers.length, 'peer')}`;
}

/** "↑ 1.2 MB/s  ↓ 3.4 MB/s" — up is what we upload, down is everything we receive. */
export function speedLine(snapshot: StatsSnapshot | null): string {
  const up = snapshot?.rates.upBps ?? 0;
  const down = (snapshot?.rates.fromBroadcasterBps ?? 0) + (snapshot?.rates.fromPeersBps ?? 0);
  return `↑ ${formatRate(up)}  ↓ ${formatRate(down)}`;
}

export function trayTooltip(snapshot: StatsSnapshot | null): string {
  if (!snapshot || snapshot.mode === 'idle') return 'Shoal';
  return `Shoal — ${trayStatusLine(snapshot)}\n${speedLine(snapshot)}`;
}
