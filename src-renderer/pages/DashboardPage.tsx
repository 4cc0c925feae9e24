// Everything the engine reports, for the curious and for diagnosing "P2P doesn't work":
// rates over time by source, who carries the load, the swarm around us and every peer.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { PageHeader } from '../components/PageHeader';
import { PeerTable } from '../components/PeerTable';
import { ReachabilityLine } from '../components/ReachabilityLine';
import { UploadCapLine } from '../components/UploadCapLine';
import { RateChart } from '../components/RateChart';
import { RecentSegments } from '../components/RecentSegments';
import { SharePie } from '../components/SharePie';
import { StatTile } from '../components/StatTile';
import { StatusBadge } from '../components/StatusBadge';
import { SwarmGraph } from '../components/SwarmGraph';
import { downloadRate, healthCounts } from '../state/derived';
import { formatBytes, formatCount, formatRate, formatSeconds } from '../state/format';
import { usePlayback } from '../state/playback-store';
import { historySpanLabel, useRateHistory } from '../state/rate-history-store';
import { useSession } from '../state/session-store';
import { viewerFigures } from '../state/viewer-figures';

function HealthSummary({ peers }: { peers: StatsSnapshot['peers'] }) {
  const health = healthCounts(peers);
  return (
    <span className="health-dots" title="good / fair / poor connections">
      <span className="dot health-good" aria-hidden="true" />
      {health.good} good
      <span className="dot health-fair" aria-hidden="true" />
      {health.fair}
      <span className="dot health-poor" aria-hidden="true" />
      {health.poor}
    </span>
  );
}

function Tiles({ snapshot }: { snapshot: StatsSnapshot }) {
  const broadcasting = snapshot.mode === 'broadcasting';
  return (
    <div className="stat-row stat-row-6">
      <StatTile
        label="Peers"
        value={snapshot.peers.length}
        detail={<HealthSummary peers={snapshot.peers} />}
        testId="dash-peers"
      />
      <StatTile
        label="Download"
        value={formatRate(downloadRate(snapshot.rates))}
        detail={`${formatBytes(snapshot.totals.fromBroadcaster + snapshot.totals.fromPeers)} total`}
        accent="var(--c-peers)"
      />
      <StatTile
        label="Upload"
        value={formatRate(snapshot.rates.upBps)}
        detail={`${formatBytes(snapshot.totals.uploaded)} total`}
        accent="var(--c-upload)"
      />
      <StatTile
        label="HTTP gateway"
        value={formatRate(snapshot.rates.toGatewayBps)}
        detail={`${formatBytes(snapshot.totals.toGateway)} served`}
        accent="var(--c-gateway)"
      />
      {broadcasting ? (
        <StatTile
          label="Segments"
          value={snapshot.segments.ingested}
          detail={formatCount(snapshot.broadcast?.viewers ?? 0, 'viewer')}
        />
      ) : (
        <StatTile
          label="Segments"
          value={snapshot.segments.received}
          detail={`${snapshot.segments.failed} failed · ${snapshot.segments.held} held`}
        />
      )}
      {broadcasting ? (
        <StatTile
          label="Renditions"
          value={snapshot.broadcast?.renditions ?? 1}
          detail={snapshot.broadcast?.stalled ? 'playlist stalled' : 'playlist growing'}
        />
      ) : (
        <BehindLiveTile snapshot={snapshot} />
      )}
    </div>
  );
}

/**
 * The player's distance and buffer where a player plays this stream, the engine's estimate
 * (so labelled) otherwise; short, so the tile is not cut off.
 */
function BehindLiveTile({ snapshot }: { snapshot: StatsSnapshot }) {
  const figures = viewerFigures(
    snapshot,
    usePlayback((s) => s.player),
  );
  return (
    <StatTile
      label="Behind live"
      value={formatSeconds(figures.behindLive.sec)}
      detail={
        figures.behindLive.from === 'player'
          ? `${formatSeconds(figures.buffer.sec)} buffered`
          : "engine's estimate"
      }
      testId="dashboard-behind-live"
    />
  );
}

export function DashboardPage() {
  const snapshot = useSession((s) => s.snapshot);
  const mode = snapshot?.mode ?? 'idle';
  // From what the chart actually holds (the selector runs again on every new sample).
  const spanLabel = useRateHistory((s) => historySpanLabel(s.samples.toArray()));
  return (
    <div className="page">
      <PageHeader
        title="Dashboard"
        subtitle={
          mode === 'idle'
            ? 'Nothing is running. Start watching or go live to see the swarm.'
            : mode === 'broadcasting'
              ? 'Your broadcast and the viewers connected to you.'
              : 'The stream you are watching and the peers you exchange it with.'
        }
        aside={<StatusBadge />}
      />
      {snapshot && <Tiles snapshot={snapshot} />}
      <div className="node-status">
        <ReachabilityLine />
        <UploadCapLine />
      </div>
      <div className="dash-grid">
        <section className="card dash-chart" aria-labelledby="rates-title">
          <div className="card-header">
            <h2 className="card-title" id="rates-title">
              Transfer rates
            </h2>
            <span className="card-subtitle" data-testid="rates-span">
              {spanLabel}
            </span>
          </div>
          <RateChart />
        </section>
        <section className="card dash-share" aria-labelledby="share-title">
          <div className="card-header">
            <h2 className="card-title" id="share-title">
              Who carried the video
            </h2>
          </div>
          {snapshot && mode !== 'broadcasting' ? (
            <SharePie totals={snapshot.totals} />
          ) : (
            <p className="muted small">
              {mode === 'broadcasting'
                ? `You are the source. ${formatBytes(snapshot?.totals.uploaded ?? 0)} sent to viewers so far; they pass it on to each other.`
                : 'Shows how much of the video came from peers rather than the broadcaster.'}
            </p>
          )}
        </section>
        <section className="card dash-recent" aria-labelledby="recent-title">
          <div className="card-header">
            <h2 className="card-title" id="recent-title">
              Recent segments
            </h2>
            <span className="card-subtitle">where each one came from</span>
          </div>
          {snapshot ? <RecentSegments snapshot={snapshot} /> : <p className="muted small">No data yet.</p>}
        </section>
        <section className="card dash-swarm" aria-labelledby="swarm-title">
          <div className="card-header">
            <h2 className="card-title" id="swarm-title">
              Swarm
            </h2>
          </div>
          <SwarmGraph
            peers={snapshot?.peers ?? []}
            selfRole={mode === 'broadcasting' ? 'broadcaster' : 'viewer'}
          />
        </section>
        <section className="card dash-peers" aria-labelledby="peers-title">
          <div className="card-header">
            <h2 className="card-title" id="peers-title">
              Peers
            </h2>
            <span className="card-subtitle num">{snapshot?.peers.length ?? 0} connected</span>
          </div>
          <PeerTable peers={snapshot?.peers ?? []} />
        </section>
      </div>
    </div>
  );
}
