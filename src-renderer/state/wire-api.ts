// Feeds the stores from the host: snapshots, links and the state of the link to the
// engine. Returns one function that undoes all of it. (Engine events are not needed:
// every fact the pages show is in the snapshot, lastError included.)

import type { ShoalApi, StatsSnapshot } from '../../src-shared/contract.js';
import { isConnectionAware } from '../host/ws-api';
import { toErrorInfo } from './error-info';
import { useRateHistory } from './rate-history-store';
import { loadSettings, type SessionActions } from './session-actions';
import { useSession } from './session-store';
import { useUi } from './ui-store';

export function wireApiToStores(api: ShoalApi, actions: SessionActions): () => void {
  const ui = useUi.getState();
  const take = (snapshot: StatsSnapshot): void => {
    useSession.getState().setSnapshot(snapshot);
    useRateHistory.getState().record(snapshot);
  };

  const offs = [api.onSnapshot(take), api.onOpenLink((address) => void actions.openLink(address))];

  if (isConnectionAware(api)) {
    // The UI server pushes a snapshot on every (re)connect; settings we fetch ourselves,
    // as they may have changed while we were away (e.g. the engine restarted).
    offs.push(
      api.onConnectionChange((state) => {
        ui.setConnection(state);
        if (state === 'open') {
          ui.setError('app', null);
          void loadSettings(api);
        }
      }),
    );
  } else {
    // Electron's IPC cannot drop; fetch the current state once.
    ui.setConnection('open');
    api.getSnapshot().then(take, (err: unknown) => ui.setError('app', toErrorInfo(err)));
    void loadSettings(api);
  }

  return () => offs.forEach((off) => off());
}
