// The video player: hls.js over MSE where available, native HLS otherwise (Safari).
// It only ever loads the playlist URL the engine gives it; peers, integrity and
// fallback are the engine's business, so this stays a plain live HLS player.

import Hls, { type ErrorData } from 'hls.js';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { LIVE_HLS_CONFIG } from './hls-config';
import { describeFatal, recoveryFor } from './hls-recovery';
import { reportPlayback } from './playback-metrics';

type PlayerPhase = 'loading' | 'playing' | 'waiting' | 'blocked' | 'failed';

interface Props {
  src: string | null;
  /** Accessible name of the video, e.g. "Live stream" or "Broadcast preview". */
  label: string;
  muted?: boolean;
  /** Shown in place of the video while there is nothing to play. */
  placeholder?: ReactNode;
}

export function Player({ src, label, muted = false, placeholder }: Props) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [phase, setPhase] = useState<PlayerPhase>('loading');
  const [failure, setFailure] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const video = videoRef.current;
    if (!video || !src) return;
    setPhase('loading');
    setFailure(null);

    const start = () => {
      video.play().catch(() => {
        // Autoplay with sound needs a user gesture; start muted rather than not at all.
        video.muted = true;
        video.play().catch(() => setPhase('blocked'));
      });
    };
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
      const stopReport = reportPlayback(src, video, hls);
      return () => {
        stopReport();
        detach();
        hls.destroy();
      };
    }
    if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = src;
      const onError = () => fail('The player could not load the stream from the engine.');
      video.addEventListener('error', onError);
      start();
      const stopReport = reportPlayback(src, video, null);
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
  }, [src, attempt]);

  return (
    <div className="player" data-phase={src ? phase : 'empty'}>
      {src ? (
        <video
          ref={videoRef}
          className="player-video"
          data-testid="video"
          aria-label={label}
          controls
          playsInline
          muted={muted}
        />
      ) : (
        <div className="player-placeholder">{placeholder}</div>
      )}
      {src && (phase === 'loading' || phase === 'waiting') && (
        <div className="player-overlay" aria-live="polite">
          <span className="spinner spinner-lg" aria-hidden="true" />
          <span>{phase === 'loading' ? 'Loading stream…' : 'Buffering…'}</span>
        </div>
      )}
      {src && phase === 'blocked' && (
        <div className="player-overlay">
          <button
            type="button"
            className="btn btn-primary btn-lg"
            onClick={() => videoRef.current?.play().catch(() => undefined)}
          >
            Click to play
          </button>
        </div>
      )}
      {src && phase === 'failed' && (
        <div className="player-overlay player-overlay-error" role="alert">
          <span>{failure}</span>
          <button type="button" className="btn btn-secondary" onClick={() => setAttempt((n) => n + 1)}>
            Try again
          </button>
        </div>
      )}
    </div>
  );
}
