// Share of received video carried by peers vs the broadcaster, as a donut. This is the
// number that says whether P2P is working: the more from peers, the less the
// broadcaster's uplink carries.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { shareFromPeers } from '../state/derived';
import { formatBytes, formatPercent } from '../state/format';

const R = 52;
const STROKE = 16;
const CIRCUMFERENCE = 2 * Math.PI * R;

export function SharePie({ totals }: { totals: StatsSnapshot['totals'] }) {
  const share = shareFromPeers(totals);
  const peersLength = (share ?? 0) * CIRCUMFERENCE;
  return (
    <div className="share-pie">
      <svg
        viewBox="0 0 140 140"
        width="148"
        height="148"
        role="img"
        aria-label={`${formatPercent(share)} received from peers`}
      >
        <circle cx="70" cy="70" r={R} fill="none" stroke="var(--surface-3)" strokeWidth={STROKE} />
        {share !== null && (
          <>
            <circle
              cx="70"
              cy="70"
              r={R}
              fill="none"
              stroke="var(--c-broadcaster)"
              strokeWidth={STROKE}
              strokeDasharray={`${CIRCUMFERENCE - peersLength} ${CIRCUMFERENCE}`}
              strokeDashoffset={-peersLength}
              transform="rotate(-90 70 70)"
            />
            <circle
              cx="70"
              cy="70"
              r={R}
              fill="none"
              stroke="var(--c-peers)"
              strokeWidth={STROKE}
              strokeDasharray={`${peersLength} ${CIRCUMFERENCE}`}
              transform="rotate(-90 70 70)"
            />
          </>
        )}
        <text x="70" y="68" textAnchor="middle" className="pie-value">
          {formatPercent(share)}
        </text>
        <text x="70" y="87" textAnchor="middle" className="pie-caption">
          from peers
        </text>
      </svg>
      <ul className="legend">
        <li>
          <span className="dot" style={{ color: 'var(--c-peers)' }} aria-hidden="true" />
          <span>Peers</span>
          <span className="num muted">{formatBytes(totals.fromPeers)}</span>
        </li>
        <li>
          <span className="dot" style={{ color: 'var(--c-broadcaster)' }} aria-hidden="true" />
          <span>Broadcaster</span>
          <span className="num muted">{formatBytes(totals.fromBroadcaster)}</span>
        </li>
      </ul>
    </div>
  );
}
