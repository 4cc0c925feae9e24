// Hands the host's ShoalApi (and the actions built on it) to components, so tests can
// render any component against a fake API.

import { createContext, useContext, useMemo, type ReactNode } from 'react';
import type { ShoalApi } from '../../src-shared/contract.js';
import { createSessionActions, type SessionActions } from '../state/session-actions';

interface ApiContextValue {
  api: ShoalApi;
  actions: SessionActions;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ api, children }: { api: ShoalApi; children: ReactNode }) {
  const value = useMemo(() => ({ api, actions: createSessionActions(api) }), [api]);
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

function useApiContext(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error('ApiProvider is missing');
  return value;
}

export function useApi(): ShoalApi {
  return useApiContext().api;
}

export function useActions(): SessionActions {
  return useApiContext().actions;
}
