// "Behind live" and "Buffer" as the viewer experiences them: the player's own figures where
// a player plays this session's stream, the engine's otherwise, always saying which.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import type { PlayerFigures } from './playback-store';

export interface Figure {
  sec: number | null;
  /** Whose figure it is: the player on screen, or the engine (no player, or no dates). */
  from: 'player' | 'engine';
}

export interface ViewerFigures {
  behindLive: Figure;
  buffer: Figure;
  /** The engine's own distance behind live, shown beside the player's as a secondary figure. */
  engineBehindLiveSec: number | null;
}

export function viewerFigures(snapshot: StatsSnapshot, player: PlayerFigures | null): ViewerFigures {
  const mine = player !== null && player.src === snapshot.playlistUrl ? player : null;
  const engine = (sec: number | null): Figure => ({ sec, from: 'engine' });
  return {
    behindLive:
      mine?.behindLiveSec != null
        ? { sec: mine.behindLiveSec, from: 'player' }
        : engine(snapshot.behindLiveSec),
    buffer: mine ? { sec: mine.bufferSec, from: 'player' } : engine(snapshot.bufferSec),
    engineBehindLiveSec: snapshot.behindLiveSec,
  };
}
