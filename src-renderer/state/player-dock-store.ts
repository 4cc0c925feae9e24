// Where the one player of the app is shown. The player lives above the pages (issue 17 §3):
// a page that wants it full size puts a PlayerSlot where it goes, and the player is laid over
// that slot; on a page without a slot it shrinks to a mini player in a corner, until the user
// closes it. The <video> element and its hls.js instance stay the same throughout, so
// switching pages neither stops the sound nor re-buffers.

import { create } from 'zustand';

interface PlayerDockState {
  /** The element the player covers on this page; null = no slot here (mini player). */
  slot: HTMLElement | null;
  /** The user closed the mini player: it stays hidden (and paused) until a page shows a slot. */
  closed: boolean;
  setSlot(slot: HTMLElement | null): void;
  setClosed(closed: boolean): void;
}

export const usePlayerDock = create<PlayerDockState>()((set) => ({
  slot: null,
  closed: false,
  setSlot: (slot) => set(slot ? { slot, closed: false } : { slot }),
  setClosed: (closed) => set({ closed }),
}));
