// Rolling history of transfer rates for the charts. Snapshots may arrive several times a
// second; we keep at most one sample per second so the chart redraws at a calm pace.

import { create } from 'zustand';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import { RingBuffer } from './ring-buffer';

/** Bytes per second by source, at `t` (seconds since the epoch, as uPlot wants). */
export interface RateSample {
  t: number;
  fromBroadcaster: number;
  fromPeers: number;
  uploaded: number;
  toGateway: number;
}

/** Five minutes at one sample per second. */
export const HISTORY_CAPACITY = 300;
export const MIN_SAMPLE_INTERVAL_MS = 1000;

interface RateHistoryState {
  samples: RingBuffer<RateSample>;
  /** Bumped on every accepted sample; subscribers redraw on change. */
  version: number;
  lastAt: number | null;
  record(snapshot: Pick<StatsSnapshot, 'at' | 'rates'>): void;
  reset(): void;
}

export const useRateHistory = create<RateHistoryState>()((set, get) => ({
  samples: new RingBuffer<RateSample>(HISTORY_CAPACITY),
  version: 0,
  lastAt: null,
  record(snapshot) {
    const { samples, lastAt, version } = get();
    // The engine clock went backwards (engine restarted): start a fresh history.
    if (lastAt !== null && snapshot.at < lastAt) samples.clear();
    else if (lastAt !== null && snapshot.at - lastAt < MIN_SAMPLE_INTERVAL_MS) return;
    samples.push({
      t: snapshot.at / 1000,
      fromBroadcaster: snapshot.rates.fromBroadcasterBps,
      fromPeers: snapshot.rates.fromPeersBps,
      uploaded: snapshot.rates.upBps,
      toGateway: snapshot.rates.toGatewayBps,
    });
    set({ version: version + 1, lastAt: snapshot.at });
  },
  reset() {
    get().samples.clear();
    set((s) => ({ version: s.version + 1, lastAt: null }));
  },
}));

/** Column-major data as uPlot takes it: [times, ...one array per series]. */
export function historyColumns(
  samples: readonly RateSample[],
): [number[], number[], number[], number[], number[]] {
  const cols: [number[], number[], number[], number[], number[]] = [[], [], [], [], []];
  for (const s of samples) {
    cols[0].push(s.t);
    // Charts show bits per second, matching the rest of the UI.
    cols[1].push(s.fromBroadcaster * 8);
    cols[2].push(s.fromPeers * 8);
    cols[3].push(s.uploaded * 8);
    cols[4].push(s.toGateway * 8);
  }
  return cols;
}

/** What the chart spans: "last 40 s", "last 3 min", up to "last 5 min" once the history is full. */
export function historySpanLabel(samples: readonly RateSample[]): string {
  const span = samples.length < 2 ? 0 : samples[samples.length - 1]!.t - samples[0]!.t;
  if (span < 90) return `last ${Math.max(1, Math.round(span))} s`;
  return `last ${Math.round(span / 60)} min`;
}
