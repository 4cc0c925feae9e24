// What the UI itself is doing: the page shown, requests in flight, and errors to show.

import { create } from 'zustand';
import type { ErrorInfo } from '../../src-shared/contract.js';
import type { ConnectionState } from '../host/ws-api';

export type Page = 'watch' | 'go-live' | 'dashboard' | 'settings';
export const PAGES: readonly Page[] = ['watch', 'go-live', 'dashboard', 'settings'];

/** A request the user started and is waiting on. */
export type BusyAction = 'watch' | 'stop-watching' | 'broadcast' | 'stop-broadcast' | 'pick-folder';

/** Where an error is shown. */
export type ErrorScope = 'watch' | 'go-live' | 'settings' | 'app';

interface UiState {
  page: Page;
  /** Electron's link to the engine cannot drop; it counts as always open. */
  connection: ConnectionState;
  /** Text in the Watch page's address field (also filled by shoal:// links and drops). */
  addressDraft: string;
  /** Why the address the user gave is not valid; null when it is (or nothing was given). */
  addressError: string | null;
  busy: BusyAction | null;
  /** An address the user asked to watch while broadcasting: shown for confirmation, not watched yet. */
  pendingWatch: string | null;
  errors: Partial<Record<ErrorScope, ErrorInfo>>;
  /** A short-lived confirmation or hint ("Copied", "Drop a folder…"). */
  notice: string | null;
  setPage(page: Page): void;
  setConnection(connection: ConnectionState): void;
  setAddressDraft(text: string): void;
  setAddressError(message: string | null): void;
  setBusy(busy: BusyAction | null): void;
  setPendingWatch(address: string | null): void;
  setError(scope: ErrorScope, error: ErrorInfo | null): void;
  setNotice(notice: string | null): void;
}

export const useUi = create<UiState>()((set) => ({
  page: 'watch',
  connection: 'connecting',
  addressDraft: '',
  addressError: null,
  busy: null,
  pendingWatch: null,
  errors: {},
  notice: null,
  setPage: (page) => set({ page }),
  setConnection: (connection) => set({ connection }),
  setAddressDraft: (addressDraft) => set({ addressDraft }),
  setAddressError: (addressError) => set({ addressError }),
  setBusy: (busy) => set({ busy }),
  setPendingWatch: (pendingWatch) => set({ pendingWatch }),
  setError: (scope, error) =>
    set((s) => {
      const errors = { ...s.errors };
      if (error) errors[scope] = error;
      else delete errors[scope];
      return { errors };
    }),
  setNotice: (notice) => set({ notice }),
}));
