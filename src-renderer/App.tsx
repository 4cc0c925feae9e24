// The app shell: sidebar navigation, the current page, and app-wide concerns (the engine
// link, drops and pasted links).

import { useEffect, useRef, type ComponentType } from 'react';
import type { ShoalApi } from '../src-shared/contract.js';
import { ErrorMessage } from './components/ErrorMessage';
import { DropIcon } from './components/icons';
import { PlayerDock } from './components/player/PlayerDock';
import { Sidebar } from './components/Sidebar';
import { ApiProvider, useActions, useApi } from './host/api-context';
import { useWindowDrop } from './host/use-window-drop';
import { DashboardPage } from './pages/DashboardPage';
import { GoLivePage } from './pages/GoLivePage';
import { SettingsPage } from './pages/SettingsPage';
import { WatchPage } from './pages/WatchPage';
import { useUi, type Page } from './state/ui-store';
import { wireApiToStores } from './state/wire-api';

const PAGE: Record<Page, ComponentType> = {
  watch: WatchPage,
  'go-live': GoLivePage,
  dashboard: DashboardPage,
  settings: SettingsPage,
};

function EngineBanner() {
  const connection = useUi((s) => s.connection);
  const appError = useUi((s) => s.errors.app);
  if (connection === 'closed') {
    return (
      <div className="banner" role="alert" data-testid="engine-offline">
        <span className="spinner" aria-hidden="true" />
        Can't reach the Shoal engine. Retrying… Is the <code className="mono">shoal</code> command still
        running?
      </div>
    );
  }
  return appError ? (
    <div className="banner-wrap">
      <ErrorMessage title="The engine reported a problem" error={appError} />
    </div>
  ) : null;
}

function Shell() {
  const api = useApi();
  const actions = useActions();
  const page = useUi((s) => s.page);
  const dragging = useWindowDrop();
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => wireApiToStores(api, actions), [api, actions]);
  // Each page starts at its top, as a new window would.
  useEffect(() => {
    if (mainRef.current) mainRef.current.scrollTop = 0;
  }, [page]);

  const Current = PAGE[page];
  return (
    <div className="app">
      <Sidebar />
      <main className="main" id="main" ref={mainRef}>
        <EngineBanner />
        <Current />
        <PlayerDock main={mainRef} />
      </main>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <div className="drop-card">
            <DropIcon width={32} height={32} />
            <strong>Drop to start</strong>
            <span>a folder to go live, or a shoal:// link to watch</span>
          </div>
        </div>
      )}
    </div>
  );
}

export function App({ api }: { api: ShoalApi }) {
  return (
    <ApiProvider api={api}>
      <Shell />
    </ApiProvider>
  );
}
