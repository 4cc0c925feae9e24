// The app's navigation, with what the engine is doing right now at the bottom.

import iconUrl from '../../assets/icon.svg';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import { downloadRate } from '../state/derived';
import { formatCount, formatRate } from '../state/format';
import { useSession } from '../state/session-store';
import { useUi, type Page } from '../state/ui-store';
import { BroadcastIcon, ChartIcon, PlayIcon, SettingsIcon } from './icons';

const NAV: Array<{ page: Page; label: string; Icon: typeof PlayIcon }> = [
  { page: 'watch', label: 'Watch', Icon: PlayIcon },
  { page: 'go-live', label: 'Go Live', Icon: BroadcastIcon },
  { page: 'dashboard', label: 'Dashboard', Icon: ChartIcon },
  { page: 'settings', label: 'Settings', Icon: SettingsIcon },
];

function ActivitySummary({ snapshot }: { snapshot: StatsSnapshot | null }) {
  if (!snapshot || snapshot.mode === 'idle') {
    return <div className="activity-line muted">Idle</div>;
  }
  if (snapshot.mode === 'broadcasting') {
    return (
      <>
        <div className="activity-line">
          <span className="live-dot" aria-hidden="true" /> Broadcasting
        </div>
        <div className="activity-sub num">
          ≈ {formatCount(snapshot.broadcast?.audience ?? snapshot.broadcast?.viewers ?? 0, 'viewer')} · ↑{' '}
          {formatRate(snapshot.rates.upBps)}
        </div>
      </>
    );
  }
  return (
    <>
      <div className="activity-line">
        <PlayIcon width={14} height={14} /> Watching
      </div>
      <div className="activity-sub num">
        {formatCount(snapshot.peers.length, 'peer')} · ↓ {formatRate(downloadRate(snapshot.rates))}
      </div>
    </>
  );
}

export function Sidebar() {
  const page = useUi((s) => s.page);
  const setPage = useUi((s) => s.setPage);
  const connection = useUi((s) => s.connection);
  const snapshot = useSession((s) => s.snapshot);

  return (
    <aside className="sidebar">
      <div className="brand">
        <img src={iconUrl} alt="" width={28} height={28} />
        <span>Shoal</span>
      </div>
      <nav aria-label="Main">
        <ul className="nav-list">
          {NAV.map(({ page: target, label, Icon }) => (
            <li key={target}>
              <button
                type="button"
                className="nav-item"
                data-testid={`nav-${target}`}
                aria-current={page === target ? 'page' : undefined}
                title={label}
                onClick={() => setPage(target)}
              >
                <Icon />
                {label}
                {target === 'go-live' && snapshot?.mode === 'broadcasting' && (
                  <span className="live-tag">LIVE</span>
                )}
              </button>
            </li>
          ))}
        </ul>
      </nav>
      <div className="sidebar-footer">
        <div className="activity">
          <ActivitySummary snapshot={snapshot} />
        </div>
        <div className={`engine-state engine-${connection}`} data-testid="engine-connection">
          <span className="dot" aria-hidden="true" />
          {connection === 'open'
            ? 'Engine connected'
            : connection === 'connecting'
              ? 'Connecting…'
              : 'Engine offline'}
        </div>
      </div>
    </aside>
  );
}
