// Feeds the stores from the host: snapshots, events, links and connection state.
// Returns one function that undoes all of it.

import type { ShoalApi } from '../../src-shared/contract.js';
import { isConnectionAware } from '../host/ws-api';
import { toErrorInfo } from './error-info';
import { useRateHistory } from './rate-history-store';
import { loadSettings, type SessionActions } from './session-actions';
import { useSession } from './session-store';
import { useUi } from './ui-store';

export function wireApiToStores(api: ShoalApi, actions: SessionActions): () => void {
  const session = useSession.getState();
  const history = useRateHistory.getState();
  const ui = useUi.getState();

  const offs = [
    api.onSnapshot((snapshot) => {
      session.setSnapshot(snapshot);
      history.record(snapshot);
    }),
    api.onEvent((event) => session.logEvent(event)),
    api.onOpenLink((address) => void actions.openLink(address)),
  ];

  const refresh = (): void => {
    api.getSnapshot().then(
      (snapshot) => {
        session.setSnapshot(snapshot);
        history.record(snapshot);
      },
      (err: unknown) => ui.setError('app', toErrorInfo(err)),
    );
    void loadSettings(api);
  };

  if (isConnectionAware(api)) {
    offs.push(
      api.onConnectionChange((state) => {
        ui.setConnection(state);
        // Settings may have changed while we were away (e.g. the engine restarted).
        if (state === 'open') {
          ui.setError('app', null);
          void loadSettings(api);
        }
      }),
    );
  } else {
    ui.setConnection('open');
    refresh();
  }

  return () => offs.forEach((off) => off());
}
