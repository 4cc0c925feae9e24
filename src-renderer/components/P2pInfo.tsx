// What the viewer's P2P is doing, beside the player (like PeerTube's P2P panel):
// peers, bytes from the broadcaster vs peers, upload, buffer and distance from live.

import type { StatsSnapshot } from '../../src-shared/contract.js';
import { healthCounts, shareFromPeers } from '../state/derived';
import { formatBytes, formatPercent, formatRate, formatSeconds } from '../state/format';
import { usePlayback } from '../state/playback-store';
import { viewerFigures, type Figure } from '../state/viewer-figures';

function Row({
  label,
  value,
  detail,
  testId,
  color,
}: {
  label: string;
  value: string;
  detail?: string;
  testId: string;
  color?: string;
}) {
  return (
    <div className="info-row">
      <dt>
        {color && <span className="dot" style={{ color }} aria-hidden="true" />}
        {label}
      </dt>
      <dd>
        <span className="num" data-testid={testId}>
          {value}
        </span>
        {detail && <span className="info-detail num">{detail}</span>}
      </dd>
    </div>
  );
}

/** Why there are no peers, when that is worth saying. */
function noPeersHint(snapshot: StatsSnapshot): string | null {
  if (snapshot.mode !== 'watching') return null;
  // The outage notice says what is going on; "no reachable peer" would blame the network.
  if (snapshot.state === 'broadcaster-offline' || snapshot.state === 'ended') return null;
  // How the viewer reaches the stream when peers do not work (issue 16), e.g. served by the broadcaster.
  if (snapshot.path) return snapshot.path;
  if (snapshot.peers.length > 0) return null;
  if (snapshot.lastError?.codeName === 'NO_PEERS') return snapshot.lastError.message;
  if (snapshot.state === 'full')
    return 'The broadcaster has no free slot. Shoal keeps asking it and the viewers it named; playback starts as soon as one has room.';
  if (snapshot.state === 'connecting') return 'Looking for the broadcaster and peers…';
  return 'No peers yet: everything comes from the broadcaster.';
}

/** The engine's figure, when it stands in for the player's or beside it. */
function engineDetail(figure: Figure, engineSec: number | null): string | undefined {
  if (figure.from === 'engine') return 'engine';
  return engineSec === null ? undefined : `engine ${formatSeconds(engineSec)}`;
}

export function P2pInfo({ snapshot }: { snapshot: StatsSnapshot }) {
  const figures = viewerFigures(
    snapshot,
    usePlayback((s) => s.player),
  );
  const share = shareFromPeers(snapshot.totals);
  const health = healthCounts(snapshot.peers);
  const hint = noPeersHint(snapshot);
  const upload = snapshot.totals.uploaded;
  return (
    <section className="card p2p-info" aria-labelledby="p2p-info-title">
      <div className="card-header">
        <h2 className="card-title" id="p2p-info-title">
          Peer-to-peer
        </h2>
        <span className="pill tone-neutral num" title="good / fair / poor connections">
          <span className="health-dots" aria-hidden="true">
            <span className="dot health-good" />
            {health.good}
            <span className="dot health-fair" />
            {health.fair}
            <span className="dot health-poor" />
            {health.poor}
          </span>
          <span className="visually-hidden">
            {health.good} good, {health.fair} fair, {health.poor} poor connections
          </span>
        </span>
      </div>

      <div className="share-meter" aria-hidden="true">
        <div className="share-meter-peers" style={{ width: `${(share ?? 0) * 100}%` }} />
      </div>
      <div className="share-caption">
        <span>
          <strong className="num" data-testid="p2p-share-peers">
            {formatPercent(share)}
          </strong>{' '}
          from peers
        </span>
        <span className="muted num">{formatPercent(share === null ? null : 1 - share)} from broadcaster</span>
      </div>

      <dl className="info-list">
        <Row label="Peers" value={String(snapshot.peers.length)} testId="p2p-peers" />
        <Row
          label="From broadcaster"
          value={formatBytes(snapshot.totals.fromBroadcaster)}
          detail={formatRate(snapshot.rates.fromBroadcasterBps)}
          testId="p2p-from-broadcaster"
          color="var(--c-broadcaster)"
        />
        <Row
          label="From peers"
          value={formatBytes(snapshot.totals.fromPeers)}
          detail={formatRate(snapshot.rates.fromPeersBps)}
          testId="p2p-from-peers"
          color="var(--c-peers)"
        />
        <Row
          label="Uploaded"
          value={formatBytes(upload)}
          detail={formatRate(snapshot.rates.upBps)}
          testId="p2p-uploaded"
          color="var(--c-upload)"
        />
        <Row
          label="Buffer"
          value={formatSeconds(figures.buffer.sec)}
          detail={figures.buffer.from === 'engine' ? 'engine' : undefined}
          testId="p2p-buffer"
        />
        <Row
          label="Behind live"
          value={formatSeconds(figures.behindLive.sec)}
          detail={engineDetail(figures.behindLive, figures.engineBehindLiveSec)}
          testId="p2p-behind-live"
        />
      </dl>
      {hint && <p className="p2p-hint">{hint}</p>}
    </section>
  );
}
