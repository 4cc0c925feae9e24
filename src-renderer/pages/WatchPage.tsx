// Paste an address (or open a shoal:// link, or drop one on the window), then watch,
// with the P2P picture beside the player.

import { AddressBar } from '../components/AddressBar';
import { ConfirmStopBroadcast } from '../components/ConfirmStopBroadcast';
import { ErrorMessage } from '../components/ErrorMessage';
import { ExternalPlayer } from '../components/ExternalPlayer';
import { LinkIcon, StopIcon } from '../components/icons';
import { P2pInfo } from '../components/P2pInfo';
import { PageHeader } from '../components/PageHeader';
import { Player } from '../components/player/Player';
import { StatusBadge } from '../components/StatusBadge';
import { useActions } from '../host/api-context';
import { useSession } from '../state/session-store';
import { useUi } from '../state/ui-store';

function Placeholder({ ended, notFound }: { ended: boolean; notFound: boolean }) {
  return (
    <div className="empty-state">
      <div className="empty-icon">
        <LinkIcon width={28} height={28} />
      </div>
      <h2>{ended ? 'The stream has ended' : notFound ? 'Stream not found' : 'Nothing playing'}</h2>
      <p>
        {notFound
          ? 'Nobody at that address is broadcasting this stream. Check the address with the broadcaster.'
          : 'Paste a stream address above, open a shoal:// link, or drop one onto this window.'}
      </p>
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
  // player retrying a playlist that will not come back.
  const playable = watching && snapshot.state !== 'ended' && snapshot.state !== 'not-found';
  const broadcasting = snapshot?.mode === 'broadcasting';
  const sessionError = watching ? snapshot.lastError : null;
  // The player stays: it holds what it buffered and picks the stream up again by itself.
  const broadcasterOffline = watching && snapshot.state === 'broadcaster-offline';

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
      {broadcasterOffline && (
        <ErrorMessage tone="warn" title="Broadcaster offline — waiting">
          {snapshot.offlineCause === 'stopped'
            ? 'The broadcaster stopped the stream.'
            : 'Nothing new has come from the broadcaster for a while: it may have lost its connection, or its encoder stopped.'}{' '}
          Playback goes on by itself as soon as the stream comes back; there is nothing to do.
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
          <Player
            src={playable ? snapshot.playlistUrl : null}
            label="Live stream"
            placeholder={
              <Placeholder ended={snapshot?.state === 'ended'} notFound={snapshot?.state === 'not-found'} />
            }
          />
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
