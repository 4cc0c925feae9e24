// The last segments that arrived and where each came from: the quickest way to see
// whether peers or the broadcaster are carrying the stream, and how fast.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { formatBytes, formatDuration } from '../state/format';

const SHOWN = 8;

const SOURCE_LABEL = { broadcaster: 'Broadcaster', peer: 'Peer', ingest: 'Ingest' } as const;

export function RecentSegments({ snapshot }: { snapshot: StatsSnapshot }) {
  const addressOf = new Map(snapshot.peers.map((p) => [p.nodeId, p.address]));
  const rows = [...snapshot.recent].sort((a, b) => b.at - a.at).slice(0, SHOWN);
  return (
    <div className="table-wrap">
      <table className="data-table" data-testid="recent-segments">
        <thead>
          <tr>
            <th scope="col">Segment</th>
            <th scope="col">Source</th>
            <th scope="col">From</th>
            <th scope="col" className="right">
              Size
            </th>
            <th scope="col" className="right">
              Fetch
            </th>
            <th scope="col" className="right">
              Age
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={6} className="table-empty">
                No segments yet.
              </td>
            </tr>
          )}
          {rows.map((s) => (
            <tr key={`${s.rendition}-${s.seq}-${s.at}`}>
              <td className="num">
                #{s.seq}
                {s.rendition > 0 && <span className="peer-meta-inline"> r{s.rendition}</span>}
              </td>
              <td>
                <span className={`role-tag source-${s.source}`}>{SOURCE_LABEL[s.source]}</span>
              </td>
              <td className="mono">{s.from ? (addressOf.get(s.from) ?? s.from.slice(0, 12)) : '—'}</td>
              <td className="right num">{formatBytes(s.bytes)}</td>
              <td className="right num">{Math.round(s.fetchMs)} ms</td>
              <td className="right num muted">{formatDuration(Math.max(0, snapshot.at - s.at))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
