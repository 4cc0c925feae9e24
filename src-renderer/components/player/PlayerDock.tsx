// The app's one player, above the pages: laid over the page's PlayerSlot when there is one,
// a mini player in the corner on other pages (with the way back and a close button), hidden
// and paused once closed. The <Player> stays at the same place in the React tree in every
// mode, so its <video> element and hls.js instance are kept (issue 17 §3).

import { useEffect, useRef, type RefObject } from 'react';
import { useSession } from '../../state/session-store';
import { playerSource } from '../../state/player-source';
import { usePlayerDock } from '../../state/player-dock-store';
import { useUi } from '../../state/ui-store';
import { Player } from './Player';

/** Keeps `dock` over `slot`, both in the coordinates of the scrolling `main`. */
function useCoverSlot(
  dock: RefObject<HTMLDivElement | null>,
  main: RefObject<HTMLElement | null>,
  slot: HTMLElement | null,
) {
  useEffect(() => {
    const el = dock.current;
    if (!slot || !el) return;
    let frame = 0;
    let last = '';
    // Alerts above the slot move it without resizing it: follow it every frame (a few
    // getBoundingClientRect calls, and a style write only when something changed).
    const follow = () => {
      const m = main.current;
      if (m && slot.isConnected) {
        const s = slot.getBoundingClientRect();
        const r = m.getBoundingClientRect();
        const box = `${s.top - r.top + m.scrollTop}|${s.left - r.left + m.scrollLeft}|${s.width}|${s.height}`;
        if (box !== last) {
          last = box;
          const [top, left, width, height] = box.split('|');
          Object.assign(el.style, {
            top: `${top}px`,
            left: `${left}px`,
            width: `${width}px`,
            height: `${height}px`,
          });
        }
      }
      frame = requestAnimationFrame(follow);
    };
    follow();
    return () => {
      cancelAnimationFrame(frame);
      el.removeAttribute('style');
    };
  }, [dock, main, slot]);
}

export function PlayerDock({ main }: { main: RefObject<HTMLElement | null> }) {
  const snapshot = useSession((s) => s.snapshot);
  const slot = usePlayerDock((s) => s.slot);
  const closed = usePlayerDock((s) => s.closed);
  const setClosed = usePlayerDock((s) => s.setClosed);
  const setPage = useUi((s) => s.setPage);
  const dock = useRef<HTMLDivElement>(null);
  const source = playerSource(snapshot);
  const mode = slot ? 'docked' : closed ? 'hidden' : 'mini';
  useCoverSlot(dock, main, mode === 'docked' && source ? slot : null);

  // A new stream gets a fresh mini player even if the last one was closed.
  const src = source?.src ?? null;
  useEffect(() => setClosed(false), [src, setClosed]);

  if (!source) return null;
  return (
    <div
      ref={dock}
      className={`player-dock player-dock-${mode}`}
      data-testid="player-dock"
      data-mode={mode}
      aria-hidden={mode === 'hidden' || undefined}
    >
      {mode === 'mini' && (
        <div className="player-mini-bar">
          <button
            type="button"
            className="player-mini-title"
            data-testid="player-mini-open"
            title="Back to the full-size player"
            onClick={() => setPage(source.page)}
          >
            {source.label}
          </button>
          <button
            type="button"
            className="btn btn-ghost btn-sm player-mini-close"
            data-testid="player-mini-close"
            aria-label="Close the player"
            title="Close (stops the picture and sound; the stream goes on)"
            onClick={() => setClosed(true)}
          >
            ✕
          </button>
        </div>
      )}
      <Player
        key={source.src}
        src={source.src}
        label={source.label}
        muted={source.muted}
        waitingLabel={source.waitingLabel}
        active={mode !== 'hidden'}
      />
    </div>
  );
}
