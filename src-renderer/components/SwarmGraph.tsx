// A picture of this node and its neighbours: peers on a ring around "you", filled by link
// health, outlined by role, with links as thick as the traffic on them.

import type { PeerStat } from '../../src-shared/contract.js';
import { peersByActivity } from '../state/derived';
import { formatCount, formatRate, formatRtt } from '../state/format';

const W = 360;
const H = 260;
const CX = W / 2;
const CY = H / 2;
const RX = 138;
const RY = 96;
/** More would turn the ring into a smudge; the table lists everyone. */
const MAX_DRAWN = 24;

const HEALTH_COLOR: Record<PeerStat['health'], string> = {
  good: 'var(--good)',
  fair: 'var(--warn)',
  poor: 'var(--bad)',
};

const ROLE_STROKE: Record<PeerStat['role'], string> = {
  broadcaster: 'var(--c-broadcaster)',
  seed: 'var(--c-seed)',
  viewer: 'var(--surface)',
};

/** Link width grows with the log of its rate: 1 px idle, about 5 px at 10 Mbit/s. */
function linkWidth(bytesPerSecond: number): number {
  const kbits = (bytesPerSecond * 8) / 1000;
  return 1 + Math.min(4, Math.log10(1 + kbits) * 1.0);
}

function linkColor(peer: PeerStat): string {
  if (peer.downBps + peer.upBps < 1000) return 'var(--border-strong)';
  return peer.downBps >= peer.upBps ? 'var(--c-peers)' : 'var(--c-upload)';
}

export function SwarmGraph({
  peers,
  selfRole,
}: {
  peers: readonly PeerStat[];
  selfRole: 'broadcaster' | 'viewer';
}) {
  const drawn = peersByActivity(peers).slice(0, MAX_DRAWN);
  const hidden = peers.length - drawn.length;
  const nodes = drawn.map((peer, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(drawn.length, 1);
    return { peer, x: CX + RX * Math.cos(angle), y: CY + RY * Math.sin(angle) };
  });

  return (
    <div className="swarm-graph">
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`This node and ${formatCount(peers.length, 'connected peer')}`}
      >
        {nodes.map(({ peer, x, y }) => (
          <line
            key={`l-${peer.nodeId}`}
            x1={CX}
            y1={CY}
            x2={x}
            y2={y}
            stroke={linkColor(peer)}
            strokeWidth={linkWidth(peer.downBps + peer.upBps)}
            strokeDasharray={peer.choked ? '4 4' : undefined}
            strokeLinecap="round"
            opacity={0.85}
          />
        ))}
        {nodes.map(({ peer, x, y }) => (
          <g key={peer.nodeId}>
            <title>
              {`${peer.address} · ${peer.role} · ${peer.health}\nRTT ${formatRtt(peer.rttMs)} · ↓ ${formatRate(peer.downBps)} · ↑ ${formatRate(peer.upBps)}`}
            </title>
            <circle
              cx={x}
              cy={y}
              r={peer.role === 'broadcaster' ? 13 : 9}
              fill={HEALTH_COLOR[peer.health]}
              stroke={ROLE_STROKE[peer.role]}
              strokeWidth={peer.role === 'viewer' ? 2 : 3.5}
            />
          </g>
        ))}
        <circle
          cx={CX}
          cy={CY}
          r={24}
          fill={selfRole === 'broadcaster' ? 'var(--c-broadcaster)' : 'var(--accent)'}
          stroke="var(--surface)"
          strokeWidth={4}
        />
        <text x={CX} y={CY + 4} textAnchor="middle" className="swarm-self">
          You
        </text>
        {peers.length === 0 && (
          <text x={CX} y={CY + 52} textAnchor="middle" className="swarm-empty">
            No peers connected
          </text>
        )}
        {hidden > 0 && (
          <text x={W - 8} y={H - 8} textAnchor="end" className="swarm-empty">
            +{hidden} more
          </text>
        )}
      </svg>
      <ul className="legend legend-row">
        <li>
          <span className="dot" style={{ color: 'var(--good)' }} aria-hidden="true" />
          Good
        </li>
        <li>
          <span className="dot" style={{ color: 'var(--warn)' }} aria-hidden="true" />
          Fair
        </li>
        <li>
          <span className="dot" style={{ color: 'var(--bad)' }} aria-hidden="true" />
          Poor
        </li>
        <li>
          <span className="ring" style={{ color: 'var(--c-broadcaster)' }} aria-hidden="true" />
          Broadcaster
        </li>
        <li>
          <span className="ring" style={{ color: 'var(--c-seed)' }} aria-hidden="true" />
          Seed
        </li>
      </ul>
    </div>
  );
}
