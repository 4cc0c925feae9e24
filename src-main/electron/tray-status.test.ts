import { describe, expect, it } from 'vitest';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import { speedLine, trayStatusLine, trayTooltip } from './tray-status.js';
import { makeSnapshot } from '../../test/fakes/snapshot.js';

const snapshot = (patch: Partial<StatsSnapshot> = {}): StatsSnapshot => makeSnapshot({ at: 1, ...patch });

describe('tray text', () => {
  it('says Shoal and nothing else when idle', () => {
    expect(trayTooltip(null)).toBe('Shoal');
    expect(trayTooltip(snapshot())).toBe('Shoal');
    expect(trayStatusLine(snapshot())).toBe('Not streaming');
  });

  it('describes a broadcast with viewers and speeds', () => {
    const s = snapshot({
      mode: 'broadcasting',
      state: 'playing',
      broadcast: { folder: '/x', renditions: 1, viewers: 3, stalled: false },
      rates: { upBps: 1_200_000, fromBroadcasterBps: 0, fromPeersBps: 0, toGatewayBps: 0 },
    });
    expect(trayStatusLine(s)).toBe('Broadcasting · 3 viewers');
    expect(trayTooltip(s)).toBe('Shoal — Broadcasting · 3 viewers\n↑ 9.60 Mbit/s  ↓ 0 bit/s');
  });

  it('flags a stalled source', () => {
    const s = snapshot({
      mode: 'broadcasting',
      broadcast: { folder: '/x', renditions: 1, viewers: 1, stalled: true },
    });
    expect(trayStatusLine(s)).toBe('Broadcasting · 1 viewer · source stalled');
  });

  it('counts the estimated audience when it is more than the direct viewers (issue 17 §2)', () => {
    const s = snapshot({
      mode: 'broadcasting',
      broadcast: { folder: '/x', renditions: 1, viewers: 4, audience: 11, stalled: false },
    });
    expect(trayStatusLine(s)).toBe('Broadcasting · ≈ 11 viewers');
  });

  it('says the encoder stalled when the broadcaster answers but sends nothing new', () => {
    const s = snapshot({ mode: 'watching', state: 'broadcaster-offline', offlineCause: 'encoder' });
    expect(trayStatusLine(s)).toBe('Watching · encoder stalled, waiting · 0 peers');
    const stopped = snapshot({ mode: 'watching', state: 'broadcaster-offline', offlineCause: 'stopped' });
    expect(trayStatusLine(stopped)).toBe('Watching · broadcaster offline, waiting · 0 peers');
  });

  it('describes watching with state, peers and total download', () => {
    const s = snapshot({
      mode: 'watching',
      state: 'buffering',
      rates: { upBps: 10, fromBroadcasterBps: 1000, fromPeersBps: 500, toGatewayBps: 0 },
    });
    expect(trayStatusLine(s)).toBe('Watching · buffering · 0 peers');
    expect(speedLine(s)).toBe('↑ 80 bit/s  ↓ 12.0 kbit/s');
  });

  it('fits the Windows tooltip limit', () => {
    const s = snapshot({
      mode: 'watching',
      state: 'not-found',
      rates: { upBps: 9e11, fromBroadcasterBps: 9e11, fromPeersBps: 9e11, toGatewayBps: 0 },
    });
    expect(trayTooltip(s).length).toBeLessThanOrEqual(127);
  });
});
