// The video player: hls.js over MSE where available, native HLS otherwise (Safari).
// It only ever loads the playlist URL the engine gives it; peers, integrity and
// fallback are the engine's business, so this stays a plain live HLS player.
// The app mounts one, above the pages (PlayerDock): it must never be recreated by
// navigation, or the picture re-buffers and jumps back in time.

import Hls, { type ErrorData } from 'hls.js';
import { useCallback, useEffect, useRef, useState } from 'react';
import { LIVE_HLS_CONFIG } from './hls-config';
import { describeFatal, recoveryFor } from './hls-recovery';
import { LiveControls } from './LiveControls';
import { reportPlayback } from './playback-metrics';

type PlayerPhase = 'loading' | 'playing' | 'waiting' | 'blocked' | 'failed';

interface Props {
  src: string;
  /** Accessible name of the video, e.g. "Live stream" or "Broadcast preview". */
  label: string;
  muted?: boolean;
  /** Said over the picture while it waits for data. */
  waitingLabel?: string;
  /** False: paused and out of sight (a closed mini player); true again resumes at live. */
  active?: boolean;
}

/** Starts playback; autoplay with sound needs a user gesture, so it starts muted rather than not at all. */
function playSoon(video: HTMLVideoElement, blocked: () => void): void {
  const attempt = () => new Promise<void>((resolve) => resolve(video.play()));
  attempt().catch(() => {
    video.muted = true;
    attempt().catch(blocked);
  });
}

export function Player({ src, label, muted = false, waitingLabel = 'Buffering…', active = true }: Props) {
  // Read by the playback report each second: a closed mini player reports nothing.
  const activeRef = useRef(active);
  activeRef.current = active;
  const frameRef = useRef<HTMLDivElement>(null);
  const hlsRef = useRef<Hls | null>(null);
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);
  const [phase, setPhase] = useState<PlayerPhase>('loading');
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  const liveEdge = useCallback((): number | null => {
    const hls = hlsRef.current;
    if (hls) return hls.liveSyncPosition;
    if (video && video.seekable.length > 0) return video.seekable.end(video.seekable.length - 1);
    return null;
  }, [video]);
  const liveSlackSec = useCallback(
    () => Math.max(3, 1.5 * (hlsRef.current?.latestLevelDetails?.targetduration ?? 2)),
    [],
  );
  const goLive = useCallback(() => {
    if (!video) return;
    const edge = liveEdge();
    if (edge !== null && edge - video.currentTime > liveSlackSec()) video.currentTime = edge;
    playSoon(video, () => setPhase('blocked'));
  }, [video, liveEdge, liveSlackSec]);

  useEffect(() => {
    if (!video) return;
    setPhase('loading');
    setFailure(null);

    const start = () => playSoon(video, () => setPhase('blocked'));
    const fail = (message: string) => {
      setFailure(message);
      setPhase('failed');
    };
    const onPlaying = () => setPhase('playing');
    const onWaiting = () => setPhase((p) => (p === 'failed' ? p : 'waiting'));
    video.addEventListener('playing', onPlaying);
    video.addEventListener('waiting', onWaiting);
    const detach = () => {
      video.removeEventListener('playing', onPlaying);
      video.removeEventListener('waiting', onWaiting);
    };

    if (Hls.isSupported()) {
      const hls = new Hls(LIVE_HLS_CONFIG);
      hlsRef.current = hls;
      let mediaRecoveries = 0;
      hls.on(Hls.Events.MANIFEST_PARSED, start);
      hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
        const action = recoveryFor(data, mediaRecoveries);
        if (action === 'recover-media') {
          mediaRecoveries++;
          hls.recoverMediaError();
        } else if (action === 'fail') {
          fail(describeFatal(data));
          hls.destroy();
        }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      const stopReport = reportPlayback(src, video, hls, () => activeRef.current);
      return () => {
        stopReport();
        detach();
        hlsRef.current = null;
        hls.destroy();
      };
    }
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
      const onError = () => fail('The player could not load the stream from the engine.');
      video.addEventListener('error', onError);
      start();
      const stopReport = reportPlayback(src, video, null, () => activeRef.current);
      return () => {
        stopReport();
        detach();
        video.removeEventListener('error', onError);
        video.removeAttribute('src');
        video.load();
      };
    }
    fail('This system cannot play HLS video. Use an external player with the gateway URL.');
    return detach;
  }, [video, src, attempt]);

  // A closed mini player is paused; shown again, it picks up at live rather than where it stopped.
  const wasActive = useRef(active);
  useEffect(() => {
    if (!video || wasActive.current === active) return;
    wasActive.current = active;
    if (active) goLive();
    else video.pause();
  }, [video, active, goLive]);

  return (
    <div className="player" data-phase={phase} ref={frameRef}>
      <video
        ref={setVideo}
        className="player-video"
        data-testid="video"
        aria-label={label}
        playsInline
        muted={muted}
        onClick={() => video && (video.paused ? goLive() : video.pause())}
      />
      {(phase === 'loading' || phase === 'waiting') && (
        <div className="player-overlay" aria-live="polite" data-testid="player-waiting">
          <span className="spinner spinner-lg" aria-hidden="true" />
          <span>{phase === 'loading' ? 'Loading stream…' : waitingLabel}</span>
        </div>
      )}
      {phase === 'blocked' && (
        <div className="player-overlay">
          <button type="button" className="btn btn-primary btn-lg" onClick={goLive}>
            Click to play
          </button>
        </div>
      )}
      {phase === 'failed' && (
        <div className="player-overlay player-overlay-error" role="alert">
          <span>{failure}</span>
          <button type="button" className="btn btn-secondary" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}
      {video && phase !== 'failed' && (
        <LiveControls
          video={video}
          frame={frameRef}
          liveEdge={liveEdge}
          liveSlackSec={liveSlackSec}
          goLive={goLive}
        />
      )}
    </div>
  );
}
