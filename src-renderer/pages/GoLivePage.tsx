// Broadcast a folder an encoder writes HLS into (or the built-in demo), then share the
// address and watch over the broadcast: preview, ingest, viewers, upload.

import { useId, useState, type FormEvent } from 'react';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import { AddressShare } from '../components/AddressShare';
import { ErrorMessage } from '../components/ErrorMessage';
import { BroadcastIcon, DropIcon, FolderIcon, SparkIcon, StopIcon } from '../components/icons';
import { PageHeader } from '../components/PageHeader';
import { PlayerSlot } from '../components/player/PlayerSlot';
import { StatTile } from '../components/StatTile';
import { StatusBadge } from '../components/StatusBadge';
import { useActions, useApi } from '../host/api-context';
import { formatBytes, formatRate } from '../state/format';
import { outageOf } from '../state/outage';
import { useSession } from '../state/session-store';
import { useUi } from '../state/ui-store';

function FolderPathForm() {
  const actions = useActions();
  const busy = useUi((s) => s.busy === 'broadcast');
  const [folder, setFolder] = useState('');
  const id = useId();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (folder.trim()) void actions.startBroadcast({ folder: folder.trim() });
  };
  return (
    <form className="folder-form" onSubmit={submit}>
      <label className="field-label" htmlFor={id}>
        Folder path
      </label>
      <div className="inline-controls">
        <input
          id={id}
          className="input mono"
          data-testid="folder-path-input"
          placeholder="/home/me/obs-hls"
          value={folder}
          spellCheck={false}
          onChange={(e) => setFolder(e.target.value)}
        />
        <button
          type="submit"
          className="btn btn-primary"
          data-testid="go-live-button"
          disabled={busy || !folder.trim()}
        >
          {busy ? <span className="spinner" aria-hidden="true" /> : <BroadcastIcon />}
          Go Live
        </button>
      </div>
    </form>
  );
}

function StartBroadcast() {
  const api = useApi();
  const actions = useActions();
  const busy = useUi((s) => s.busy);
  const electron = api.host === 'electron';
  return (
    <div className="start-grid">
      <section className="card start-card">
        <div className="start-icon">
          <FolderIcon width={22} height={22} />
        </div>
        <h2 className="card-title">Broadcast a folder</h2>
        <p className="muted">
          Point Shoal at the folder your encoder (OBS, ffmpeg) writes an HLS playlist and its segments into.
          Shoal signs every segment and shares it with viewers.
        </p>
        {electron ? (
          <button
            type="button"
            className="btn btn-primary btn-lg"
            data-testid="go-live-button"
            disabled={busy !== null}
            onClick={() => void actions.pickAndBroadcast()}
          >
            {busy === 'pick-folder' || busy === 'broadcast' ? (
              <span className="spinner" aria-hidden="true" />
            ) : (
              <BroadcastIcon />
            )}
            Go Live…
          </button>
        ) : (
          <FolderPathForm />
        )}
        <p className="drop-hint">
          <DropIcon width={15} height={15} />
          {electron ? 'Or drop the folder onto this window.' : 'Dropping folders works in the desktop app.'}
        </p>
      </section>
      <section className="card start-card">
        <div className="start-icon start-icon-demo">
          <SparkIcon width={22} height={22} />
        </div>
        <h2 className="card-title">Try a demo broadcast</h2>
        <p className="muted">
          No encoder at hand? Broadcast a built-in sample clip, looped as an endless live stream, then open
          the address on a second machine whenever you like.
        </p>
        <button
          type="button"
          className="btn btn-secondary btn-lg"
          data-testid="demo-button"
          disabled={busy !== null}
          onClick={() => void actions.startBroadcast({ demo: true })}
        >
          {busy === 'broadcast' ? <span className="spinner" aria-hidden="true" /> : <SparkIcon />}
          Try a demo broadcast
        </button>
      </section>
    </div>
  );
}

function Broadcasting({ snapshot }: { snapshot: StatsSnapshot }) {
  const actions = useActions();
  const stopping = useUi((s) => s.busy === 'stop-broadcast');
  const broadcast = snapshot.broadcast;
  const outage = outageOf(snapshot);
  const direct = broadcast?.viewers ?? 0;
  return (
    <>
      {outage && (
        <ErrorMessage tone={outage.tone} title={outage.title} testId="outage-notice">
          {outage.text} {outage.action}
        </ErrorMessage>
      )}
      {snapshot.lastError && <ErrorMessage title="Broadcast problem" error={snapshot.lastError} />}
      <div className="live-layout">
        <div className="live-main">
          {snapshot.playlistUrl ? <PlayerSlot /> : <div className="player" data-phase="empty" />}
          <div className="stat-row">
            <StatTile label="Segments" value={snapshot.segments.ingested} testId="segments-ingested" />
            <StatTile
              label="Viewers (est.)"
              value={`≈ ${broadcast?.audience ?? direct}`}
              testId="audience-estimate"
              title="Viewers linked to you, and the viewers they are linked to (peer exchange). Viewers further away are not seen, so there may be more."
              detail={
                <>
                  <span data-testid="viewers-count">{direct}</span> direct
                </>
              }
            />
            <StatTile
              label="Upload used"
              value={formatBytes(snapshot.totals.uploaded)}
              detail={`${formatRate(snapshot.rates.upBps)} now`}
              testId="upload-used"
            />
            <StatTile
              label="Renditions"
              value={broadcast?.renditions ?? 1}
              detail={broadcast?.stalled ? 'playlist stalled' : 'playlist growing'}
            />
          </div>
        </div>
        <aside className="live-side">
          <section className="card">
            {snapshot.address && (
              <AddressShare
                address={snapshot.address}
                shortAddress={snapshot.shortAddress}
                dht={snapshot.dht}
              />
            )}
          </section>
          <section className="card source-card">
            <div className="field-hint">Source folder</div>
            <code className="mono truncate" title={broadcast?.folder}>
              {broadcast?.folder ?? '—'}
            </code>
            <button
              type="button"
              className="btn btn-danger btn-lg stop-button"
              data-testid="stop-broadcast-button"
              disabled={stopping}
              onClick={() => void actions.stopBroadcast()}
            >
              {stopping ? <span className="spinner" aria-hidden="true" /> : <StopIcon />}
              Stop broadcast
            </button>
          </section>
        </aside>
      </div>
    </>
  );
}

export function GoLivePage() {
  const snapshot = useSession((s) => s.snapshot);
  const error = useUi((s) => s.errors['go-live']);
  const setError = useUi((s) => s.setError);
  const notice = useUi((s) => s.notice);
  const setNotice = useUi((s) => s.setNotice);
  const broadcasting = snapshot?.mode === 'broadcasting';
  return (
    <div className="page">
      <PageHeader
        title="Go Live"
        subtitle="Broadcast to everyone with the address; viewers pass the video on to each other."
        aside={broadcasting ? <StatusBadge /> : undefined}
      />
      {error && (
        <ErrorMessage
          title="Could not start the broadcast"
          error={error}
          onDismiss={() => setError('go-live', null)}
        />
      )}
      {notice && !broadcasting && (
        <ErrorMessage tone="warn" title={notice} onDismiss={() => setNotice(null)} />
      )}
      {snapshot?.mode === 'watching' && !broadcasting && (
        <ErrorMessage tone="warn" title="You are watching a stream">
          Stop watching on the Watch page before going live.
        </ErrorMessage>
      )}
      {broadcasting ? <Broadcasting snapshot={snapshot} /> : <StartBroadcast />}
    </div>
  );
}
