// Paste an address (or open a shoal:// link, or drop one on the window), then watch,
// with the P2P picture beside the player.

import { AddressBar } from '../components/AddressBar';
import { ConfirmStopBroadcast } from '../components/ConfirmStopBroadcast';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExternalPlayer } from '../components/ExternalPlayer';
import { LinkIcon, StopIcon } from '../components/icons';
import { P2pInfo } from '../components/P2pInfo';
import { PageHeader } from '../components/PageHeader';
import { PlayerSlot } from '../components/player/PlayerSlot';
import { StatusBadge } from '../components/StatusBadge';
import { useActions } from '../host/api-context';
import { outageOf } from '../state/outage';
import { playerSource } from '../state/player-source';
import { useSession } from '../state/session-store';
import { useUi } from '../state/ui-store';

function Placeholder({ ended, notFound }: { ended: boolean; notFound: boolean }) {
  return (
    <div className="player" data-phase="empty">
      <div className="player-placeholder">
        <div className="empty-state">
          <div className="empty-icon">
            <LinkIcon width={28} height={28} />
          </div>
          <h2>{ended ? 'The stream has ended' : notFound ? 'Stream not found' : 'Nothing playing'}</h2>
          <p>
            {ended
              ? 'Paste another address above, or this one again when the broadcaster is back.'
              : notFound
                ? 'Nobody at that address is broadcasting this stream. Check the address with the broadcaster.'
                : 'Paste a stream address above, open a shoal:// link, or drop one onto this window.'}
          </p>
        </div>
      </div>
    </div>
  );
}

export function WatchPage() {
  const actions = useActions();
  const snapshot = useSession((s) => s.snapshot);
  const error = useUi((s) => s.errors.watch);
  const setError = useUi((s) => s.setError);
  const stopping = useUi((s) => s.busy === 'stop-watching');
  const pendingWatch = useUi((s) => s.pendingWatch);

  const watching = snapshot?.mode === 'watching';
  // Once the engine says the stream is over (or was never there), show why instead of a
  // player retrying a playlist that will not come back. While the broadcaster is offline the
  // player stays: it holds what it buffered and picks the stream up again by itself.
  const playable = watching && playerSource(snapshot) !== null;
  const broadcasting = snapshot?.mode === 'broadcasting';
  const sessionError = watching ? snapshot.lastError : null;
  const outage = watching ? outageOf(snapshot) : null;

  return (
    <div className="page">
      <PageHeader
        title="Watch"
        subtitle="Join a live stream; the video comes from other viewers as much as from the broadcaster."
        aside={<StatusBadge />}
      />
      <div className="card address-card">
        <AddressBar />
      </div>
      {pendingWatch !== null ? (
        <ConfirmStopBroadcast />
      ) : (
        broadcasting && (
          <ErrorMessage tone="warn" title="You are broadcasting">
            Watching another stream stops your broadcast; Shoal asks you first.
          </ErrorMessage>
        )
      )}
      {error && (
        <ErrorMessage
          title="Could not watch this stream"
          error={error}
          onDismiss={() => setError('watch', null)}
        />
      )}
      {outage && (
        <ErrorMessage tone={outage.tone} title={outage.title} testId="outage-notice">
          {outage.text} {outage.action}
        </ErrorMessage>
      )}
      {sessionError && (
        <ErrorMessage
          title="Stream problem"
          error={sessionError}
          tone={sessionError.fatal ? 'bad' : 'warn'}
        />
      )}

      <div className="watch-layout">
        <div className="watch-main">
          {playable ? (
            <PlayerSlot />
          ) : (
            <Placeholder ended={snapshot?.state === 'ended'} notFound={snapshot?.state === 'not-found'} />
          )}
          {watching && (
            <div className="stream-bar">
              <div className="stream-bar-id">
                <span className="field-hint">Stream</span>
                <code className="mono truncate" title={snapshot.address ?? ''}>
                  {snapshot.address}
                </code>
              </div>
              <ExternalPlayer gatewayUrl={snapshot.gatewayUrl} />
              <button
                type="button"
                className="btn btn-danger"
                data-testid="stop-watching-button"
                disabled={stopping}
                onClick={() => void actions.stopWatching()}
              >
                <StopIcon /> Stop
              </button>
            </div>
          )}
        </div>
        {watching && <P2pInfo snapshot={snapshot} />}
      </div>
    </div>
  );
}
