// The built-in player's own figures (components/player/playback-metrics.ts), for the pages
// that show how far behind live the viewer is: the Watch page's panel and the dashboard.

import { create } from 'zustand';

export interface PlayerFigures {
  /** The playlist URL the player plays: figures count only for the session they belong to. */
  src: string;
  /** Frame on screen behind the broadcaster's clock; null when the stream carries no dates. */
  behindLiveSec: number | null;
  bufferSec: number;
}

interface PlaybackState {
  player: PlayerFigures | null;
  report(figures: PlayerFigures): void;
  /** The player of `src` is gone. */
  clear(src: string): void;
}

export const usePlayback = create<PlaybackState>()((set) => ({
  player: null,
  report: (player) => set({ player }),
  clear: (src) => set((s) => (s.player?.src === src ? { player: null } : s)),
}));
