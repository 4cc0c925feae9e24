// The session's state in one coloured pill. The mapping lives in state/session-status.ts.

import { useSession } from '../state/session-store';
import { sessionStatus, type SessionStatus } from '../state/session-status';
import { useUi } from '../state/ui-store';

export function StatusBadgeView({ status }: { status: SessionStatus }) {
  const busy = status.kind === 'connecting' || status.kind === 'buffering';
  return (
    <span
      className={`pill status-badge tone-${status.tone}`}
      data-testid="status-badge"
      data-state={status.kind}
      role="status"
      aria-live="polite"
    >
      {busy ? (
        <span className="spinner spinner-xs" aria-hidden="true" />
      ) : (
        <span className="dot" aria-hidden="true" />
      )}
      {status.label}
    </span>
  );
}

export function useSessionStatus(): SessionStatus {
  const snapshot = useSession((s) => s.snapshot);
  const connection = useUi((s) => s.connection);
  const busy = useUi((s) => s.busy);
  const addressError = useUi((s) => s.addressError);
  return sessionStatus({ snapshot, connection, busy, addressError });
}

export function StatusBadge() {
  return <StatusBadgeView status={useSessionStatus()} />;
}
