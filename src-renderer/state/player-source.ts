// What the app's one player plays, from the engine's snapshot: the stream being watched (until
// it is over or was never there), or the broadcaster's own preview, muted.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import type { Page } from './ui-store';

export interface PlayerSource {
  src: string;
  /** Accessible name of the video. */
  label: string;
  muted: boolean;
  /** Said over the picture while it waits for data (instead of "Buffering…"). */
  waitingLabel: string;
  /** The page that shows it full size. */
  page: Page;
}

export function playerSource(snapshot: StatsSnapshot | null): PlayerSource | null {
  if (!snapshot?.playlistUrl) return null;
  if (snapshot.mode === 'watching') {
    if (snapshot.state === 'ended' || snapshot.state === 'not-found') return null;
    return {
      src: snapshot.playlistUrl,
      label: 'Live stream',
      muted: false,
      page: 'watch',
      waitingLabel:
        snapshot.state === 'broadcaster-offline'
          ? snapshot.offlineCause === 'encoder'
            ? 'Encoder stalled — waiting'
            : 'Broadcaster offline — waiting'
          : 'Buffering…',
    };
  }
  if (snapshot.mode === 'broadcasting')
    return {
      src: snapshot.playlistUrl,
      label: 'Broadcast preview',
      muted: true,
      page: 'go-live',
      waitingLabel: snapshot.broadcast?.stalled ? 'Encoder stalled — waiting' : 'Buffering…',
    };
  return null;
}
