// Every connected peer with its link quality and how much it exchanged with us.

import type { PeerStat } from '../../src-shared/contract.js';
import { peersByActivity } from '../state/derived';
import { formatDuration, formatLoss, formatRate, formatRtt } from '../state/format';

/** How we reach the peer (PROTOCOL §5.18). */
const PATH_LABEL: Record<PeerStat['path'], string> = {
  direct: 'direct',
  mapped: 'mapped port',
  punched: 'hole-punched',
};
const PATH_TITLE: Record<PeerStat['path'], string> = {
  direct: 'One of us dialled the other at its address',
  mapped: 'We dialled the port its router maps for it (UPnP / PCP / NAT-PMP)',
  punched: 'A hole punched through both NATs after an introduction by a common peer',
};

const ROLE_LABEL: Record<PeerStat['role'], string> = {
  broadcaster: 'Broadcaster',
  viewer: 'Viewer',
  seed: 'Seed',
};

export function PeerTable({ peers }: { peers: readonly PeerStat[] }) {
  const rows = peersByActivity(peers);
  return (
    <div className="table-wrap">
      <table className="data-table peer-table" data-testid="peer-table">
        <thead>
          <tr>
            <th scope="col">Address</th>
            <th scope="col">Role</th>
            <th scope="col">Path</th>
            <th scope="col" className="right">
              RTT
            </th>
            <th scope="col" className="right">
              Loss
            </th>
            <th scope="col" className="right">
              Down
            </th>
            <th scope="col" className="right">
              Up
            </th>
            <th
              scope="col"
              className="right"
              title="Requests answered, received / sent: a whole segment or one piece of it (a segment comes in up to 24 pieces, often from several peers)"
            >
              Pieces ↓/↑
            </th>
            <th scope="col" className="right">
              Connected
            </th>
            <th scope="col">Health</th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={10} className="table-empty">
                No peers connected yet.
              </td>
            </tr>
          )}
          {rows.map((peer) => (
            <tr key={peer.nodeId} data-testid="peer-row" data-node-id={peer.nodeId} data-role={peer.role}>
              <td>
                <span className="mono">{peer.address}</span>
                <span className="peer-meta">
                  {peer.direction === 'inbound' ? 'inbound' : 'outbound'}
                  {peer.choked && ' · choked'}
                </span>
              </td>
              <td>
                <span className={`role-tag role-${peer.role}`}>{ROLE_LABEL[peer.role]}</span>
              </td>
              <td>
                <span
                  className={`path-tag path-${peer.path}`}
                  title={PATH_TITLE[peer.path]}
                  data-testid="peer-path"
                >
                  {PATH_LABEL[peer.path]}
                </span>
              </td>
              <td className="right num">{formatRtt(peer.rttMs)}</td>
              <td className="right num">{formatLoss(peer.lossRate)}</td>
              <td className="right num">{formatRate(peer.downBps)}</td>
              <td className="right num">{formatRate(peer.upBps)}</td>
              <td className="right num">
                {peer.segmentsReceived} / {peer.segmentsSent}
              </td>
              <td className="right num">{formatDuration(peer.connectedMs)}</td>
              <td>
                <span className={`health health-${peer.health}`}>
                  <span className="dot" aria-hidden="true" />
                  {peer.health}
                </span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
