// The engine's latest snapshot: everything the pages show about the running session.

import { create } from 'zustand';
import type { StatsSnapshot } from '../../src-shared/contract.js';

interface SessionState {
  snapshot: StatsSnapshot | null;
  setSnapshot(snapshot: StatsSnapshot): void;
}

export const useSession = create<SessionState>()((set) => ({
  snapshot: null,
  setSnapshot: (snapshot) => set({ snapshot }),
}));
