// The user's requests to the engine. Each marks itself busy, clears the error it may have
// left before, and turns a rejection into an ErrorInfo on the page that asked. Watching
// stops a running broadcast, so while broadcasting a watch request (a shoal:// link, a
// drop, the Watch button) is only shown for confirmation until the user says yes.

import type { ShoalApi, StartBroadcast } from '../../src-shared/contract.js';
import { parseStreamAddress } from '../../src-shared/stream-address.js';
import { toErrorInfo } from './error-info';
import { useSession } from './session-store';
import { useSettings } from './settings-store';
import { useUi, type BusyAction, type ErrorScope } from './ui-store';

export interface SessionActions {
  /**
   * Validates, then asks the engine to watch. While broadcasting it asks the user first
   * (pendingWatch) and resolves false. Resolves true when watching started.
   */
  watch(address: string): Promise<boolean>;
  /** The user confirmed: stop the broadcast and watch the pending address. */
  confirmWatch(): Promise<boolean>;
  /** The user declined: keep broadcasting, watch nothing. */
  cancelWatch(): void;
  stopWatching(): Promise<void>;
  startBroadcast(request: StartBroadcast): Promise<boolean>;
  /** Native folder picker, then broadcast; false if cancelled or unsupported (browser). */
  pickAndBroadcast(): Promise<boolean>;
  stopBroadcast(): Promise<void>;
  /** A shoal:// link from the OS, a drop or the CLI: show it on Watch and start it (or ask first). */
  openLink(address: string): Promise<void>;
}

/** Returns the reason an address is invalid, or null if it parses. */
export function addressProblem(text: string): string | null {
  try {
    parseStreamAddress(text);
    return null;
  } catch (err) {
    return toErrorInfo(err).message;
  }
}

export function createSessionActions(api: ShoalApi): SessionActions {
  const ui = () => useUi.getState();

  async function run<T>(busy: BusyAction, scope: ErrorScope, work: () => Promise<T>): Promise<T | null> {
    ui().setBusy(busy);
    ui().setError(scope, null);
    try {
      return await work();
    } catch (err) {
      ui().setError(scope, toErrorInfo(err));
      return null;
    } finally {
      ui().setBusy(null);
    }
  }

  /** Asks the engine itself: the snapshot in the store can be a second old. */
  async function broadcasting(): Promise<boolean> {
    try {
      return (await api.getSnapshot()).mode === 'broadcasting';
    } catch {
      return useSession.getState().snapshot?.mode === 'broadcasting';
    }
  }

  const startWatching = async (text: string): Promise<boolean> =>
    (await run('watch', 'watch', () => api.watch(text))) !== null;

  const actions: SessionActions = {
    async watch(address) {
      const text = address.trim();
      const problem = addressProblem(text);
      ui().setAddressError(problem);
      if (problem) return false;
      if (await broadcasting()) {
        ui().setPendingWatch(text);
        return false;
      }
      return startWatching(text);
    },
    async confirmWatch() {
      const text = ui().pendingWatch;
      if (text === null) return false;
      ui().setPendingWatch(null);
      ui().setAddressDraft(text);
      return startWatching(text);
    },
    cancelWatch() {
      ui().setPendingWatch(null);
    },
    async stopWatching() {
      await run('stop-watching', 'watch', () => api.stopWatching());
    },
    async startBroadcast(request) {
      return (await run('broadcast', 'go-live', () => api.startBroadcast(request))) !== null;
    },
    async pickAndBroadcast() {
      const folder = await run('pick-folder', 'go-live', () => api.pickFolder());
      if (!folder) return false;
      return actions.startBroadcast({ folder });
    },
    async stopBroadcast() {
      await run('stop-broadcast', 'go-live', () => api.stopBroadcast());
    },
    async openLink(address) {
      const text = address.trim();
      ui().setPage('watch');
      // While broadcasting, the address field keeps what it had until the user says yes.
      if (addressProblem(text) === null && (await broadcasting())) {
        ui().setPendingWatch(text);
        return;
      }
      ui().setAddressDraft(text);
      await actions.watch(text);
    },
  };
  return actions;
}

/** Loads settings into the store; errors go to the Settings page. */
export async function loadSettings(api: ShoalApi): Promise<void> {
  try {
    useSettings.getState().setSettings(await api.getSettings());
  } catch (err) {
    useUi.getState().setError('settings', toErrorInfo(err));
  }
}
