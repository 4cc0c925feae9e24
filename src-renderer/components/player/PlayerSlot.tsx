// Where a page wants the app's player shown full size. The slot only keeps the room; the
// PlayerDock lays the one player over it (see state/player-dock-store.ts).

import { useCallback } from 'react';
import { usePlayerDock } from '../../state/player-dock-store';

export function PlayerSlot() {
  const setSlot = usePlayerDock((s) => s.setSlot);
  const ref = useCallback(
    (el: HTMLDivElement | null) => {
      if (!el) return;
      setSlot(el);
      // Cleared only if it is still ours: the next page may have put its own slot already.
      return () => {
        if (usePlayerDock.getState().slot === el) setSlot(null);
      };
    },
    [setSlot],
  );
  return <div className="player-slot" ref={ref} data-testid="player-slot" />;
}
