// Rendering helpers for component tests: a fresh set of stores and a FakeApi per test.

import { cleanup, render } from '@testing-library/react';
import type { ReactElement } from 'react';
import { ApiProvider } from '../host/api-context';
import { usePlayback } from '../state/playback-store';
import { useRateHistory } from '../state/rate-history-store';
import { useSession } from '../state/session-store';
import { useSettings } from '../state/settings-store';
import { useUi } from '../state/ui-store';
import { FakeApi } from './fixtures';

export function resetStores(): void {
  cleanup();
  useUi.setState(useUi.getInitialState(), true);
  useSession.setState(useSession.getInitialState(), true);
  useSettings.setState(useSettings.getInitialState(), true);
  useRateHistory.getState().reset();
  usePlayback.setState(usePlayback.getInitialState(), true);
}

export function renderWithApi(ui: ReactElement, api = new FakeApi()) {
  return { api, ...render(<ApiProvider api={api}>{ui}</ApiProvider>) };
}
