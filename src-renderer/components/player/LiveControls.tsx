// Controls for a live stream (issue 17 §3). The browser's own controls show a VOD seek bar
// ("0:19 / 0:28") over a live MSE stream and a second spinner; a live player needs only
// play/pause, sound, where it is relative to live (with a way back there) and full screen.

import { useEffect, useState, type ReactNode, type RefObject } from 'react';

interface Props {
  video: HTMLVideoElement;
  /** The element that goes full screen (the player, with these controls). */
  frame: RefObject<HTMLElement | null>;
  /** Where live is now (hls.js's live sync position), null when not known. */
  liveEdge: () => number | null;
  /** How far behind that edge still counts as live, in seconds. */
  liveSlackSec: () => number;
  goLive(): void;
}

interface ControlState {
  paused: boolean;
  muted: boolean;
  volume: number;
  atLive: boolean;
}

function read(video: HTMLVideoElement, props: Props): ControlState {
  const edge = props.liveEdge();
  const behind = edge === null ? 0 : edge - video.currentTime;
  return {
    paused: video.paused,
    muted: video.muted || video.volume === 0,
    volume: video.volume,
    atLive: !video.paused && behind <= props.liveSlackSec(),
  };
}

const same = (a: ControlState, b: ControlState) =>
  a.paused === b.paused && a.muted === b.muted && a.volume === b.volume && a.atLive === b.atLive;

export function LiveControls(props: Props) {
  const { video, frame, goLive } = props;
  const [state, setState] = useState(() => read(video, props));

  useEffect(() => {
    const update = () => setState((s) => (same(s, read(video, props)) ? s : read(video, props)));
    const events = ['play', 'pause', 'volumechange', 'timeupdate', 'seeked', 'playing'];
    for (const e of events) video.addEventListener(e, update);
    update();
    return () => {
      for (const e of events) video.removeEventListener(e, update);
    };
    // props carries functions that read the current hls.js state; the video is what changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [video]);

  const togglePlay = () => {
    // Resuming a live stream after a pause goes back to live, as a TV does.
    if (video.paused) goLive();
    else video.pause();
  };
  const toggleMute = () => {
    if (video.muted || video.volume === 0) {
      video.muted = false;
      if (video.volume === 0) video.volume = 0.5;
    } else video.muted = true;
  };
  const toggleFullscreen = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void frame.current?.requestFullscreen?.().catch(() => undefined);
  };

  return (
    <div className="player-controls" data-testid="player-controls">
      <ControlButton testId="player-play" label={state.paused ? 'Play' : 'Pause'} onClick={togglePlay}>
        {state.paused ? <PlayGlyph /> : <PauseGlyph />}
      </ControlButton>
      <ControlButton testId="player-mute" label={state.muted ? 'Unmute' : 'Mute'} onClick={toggleMute}>
        <SoundGlyph muted={state.muted} />
      </ControlButton>
      <input
        type="range"
        className="player-volume"
        aria-label="Volume"
        min={0}
        max={1}
        step={0.05}
        value={state.muted ? 0 : state.volume}
        onChange={(e) => {
          video.volume = Number(e.target.value);
          video.muted = video.volume === 0;
        }}
      />
      {state.atLive ? (
        <span className="player-live" data-testid="player-live" data-live="true">
          <span className="player-live-dot" aria-hidden="true" />
          LIVE
        </span>
      ) : (
        <button
          type="button"
          className="player-live player-live-behind"
          data-testid="player-live"
          data-live="false"
          title="Jump to the live picture"
          onClick={goLive}
        >
          <span className="player-live-dot" aria-hidden="true" />
          Go to live
        </button>
      )}
      <ControlButton
        testId="player-fullscreen"
        label="Full screen"
        onClick={toggleFullscreen}
        className="player-fullscreen"
      >
        <FullscreenGlyph />
      </ControlButton>
    </div>
  );
}

function ControlButton(props: {
  testId: string;
  label: string;
  onClick(): void;
  className?: string;
  children: ReactNode;
}) {
  return (
    <button
      type="button"
      className={`player-button ${props.className ?? ''}`}
      data-testid={props.testId}
      aria-label={props.label}
      title={props.label}
      onClick={props.onClick}
    >
      {props.children}
    </button>
  );
}

const glyph = { width: 18, height: 18, viewBox: '0 0 24 24', 'aria-hidden': true } as const;

const PlayGlyph = () => (
  <svg {...glyph} fill="currentColor">
    <path d="M8 5.5v13l10.5-6.5z" />
  </svg>
);
const PauseGlyph = () => (
  <svg {...glyph} fill="currentColor">
    <rect x="6.5" y="5.5" width="4" height="13" rx="1" />
    <rect x="13.5" y="5.5" width="4" height="13" rx="1" />
  </svg>
);
const SoundGlyph = ({ muted }: { muted: boolean }) => (
  <svg {...glyph} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
    <path d="M4 9.5h3.5L12 5.5v13l-4.5-4H4z" fill="currentColor" />
    {muted ? (
      <path d="M16 9.5l5 5M21 9.5l-5 5" />
    ) : (
      <path d="M15.5 9a4.5 4.5 0 0 1 0 6M18 6.5a8 8 0 0 1 0 11" />
    )}
  </svg>
);
const FullscreenGlyph = () => (
  <svg {...glyph} fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round">
    <path d="M4 9V4h5M15 4h5v5M20 15v5h-5M9 20H4v-5" />
  </svg>
);
