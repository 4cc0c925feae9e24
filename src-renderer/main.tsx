// Entry point: find the host's API and render the app (or say why we cannot).

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { getShoalApi } from './host/get-shoal-api';
import { toErrorInfo } from './state/error-info';
import './theme.css';
import './styles/shell.css';
import './styles/watch.css';
import './styles/player.css';
import './styles/go-live.css';
import './styles/dashboard.css';
import './styles/settings.css';
import './styles/responsive.css';

const root = createRoot(document.getElementById('root')!);
try {
  const api = getShoalApi();
  root.render(
    <StrictMode>
      <App api={api} />
    </StrictMode>,
  );
} catch (err) {
  root.render(
    <div className="fatal-screen" role="alert">
      <h1>Shoal cannot start</h1>
      <p>{toErrorInfo(err).message}</p>
    </div>,
  );
}
