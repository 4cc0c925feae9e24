// Asks before a watch request ends the running broadcast (a shoal:// link, a drop, the
// Watch button): watching stops the broadcast, and its viewers lose the stream. The safe
// choice has the focus, so Enter or a stray click keeps the broadcast going.

import { useId } from 'react';
import { useActions } from '../host/api-context';
import { useUi } from '../state/ui-store';
import { AlertIcon } from './icons';

export function ConfirmStopBroadcast() {
  const actions = useActions();
  const pending = useUi((s) => s.pendingWatch);
  const titleId = useId();
  if (pending === null) return null;
  return (
    <div
      className="alert alert-warn confirm"
      role="alertdialog"
      aria-labelledby={titleId}
      data-testid="confirm-stop-broadcast"
    >
      <AlertIcon className="alert-icon" />
      <div className="alert-body">
        <div className="alert-title" id={titleId}>
          Stop broadcasting to watch this stream?
        </div>
        <div className="alert-text">
          You are broadcasting. Watching stops your broadcast, and your viewers lose the stream.
        </div>
        <code className="mono truncate confirm-address" title={pending} data-testid="confirm-address">
          {pending}
        </code>
        <div className="confirm-actions">
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="keep-broadcasting-button"
            autoFocus
            onClick={() => actions.cancelWatch()}
          >
            Keep broadcasting
          </button>
          <button
            type="button"
            className="btn btn-danger"
            data-testid="stop-and-watch-button"
            onClick={() => void actions.confirmWatch()}
          >
            Stop broadcast and watch
          </button>
        </div>
      </div>
    </div>
  );
}
