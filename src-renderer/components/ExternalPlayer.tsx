// Play in VLC/mpv through the engine's local HTTP gateway. Electron can launch the
// player; the browser host cannot, so there we show the URL to copy instead.

import { useState } from 'react';
import { useApi } from '../host/api-context';
import { CopyButton } from './CopyButton';
import { ExternalIcon } from './icons';

export function ExternalPlayer({ gatewayUrl }: { gatewayUrl: string | null }) {
  const api = useApi();
  const [showUrl, setShowUrl] = useState(api.host === 'browser');
  if (!gatewayUrl) return null;

  if (showUrl) {
    return (
      <div className="gateway-url">
        <span className="field-hint">External player</span>
        <div className="gateway-url-row">
          <code className="mono truncate" data-testid="gateway-url" title={gatewayUrl}>
            {gatewayUrl}
          </code>
          <CopyButton
            text={gatewayUrl}
            label="Copy"
            className="btn btn-secondary btn-sm"
            testId="copy-gateway-url"
          />
        </div>
      </div>
    );
  }
  return (
    <button
      type="button"
      className="btn btn-secondary"
      data-testid="external-player-button"
      onClick={() => {
        api.openExternalPlayer().then(
          (opened) => !opened && setShowUrl(true),
          () => setShowUrl(true),
        );
      }}
    >
      <ExternalIcon /> Open in external player
    </button>
  );
}
