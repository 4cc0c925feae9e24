// The engine's latest snapshot, plus a short log of engine events for the activity list.

import { create } from 'zustand';
import type { EngineEvent, StatsSnapshot } from '../../src-shared/contract.js';

export interface LoggedEvent {
  /** Local receive time (ms); events carry no timestamp of their own. */
  at: number;
  event: EngineEvent;
}

const EVENT_LOG_LIMIT = 50;

interface SessionState {
  snapshot: StatsSnapshot | null;
  events: LoggedEvent[];
  setSnapshot(snapshot: StatsSnapshot): void;
  logEvent(event: EngineEvent, at?: number): void;
}

export const useSession = create<SessionState>()((set) => ({
  snapshot: null,
  events: [],
  setSnapshot: (snapshot) => set({ snapshot }),
  logEvent: (event, at = Date.now()) =>
    set((s) => ({ events: [{ at, event }, ...s.events].slice(0, EVENT_LOG_LIMIT) })),
}));
