// What the person watching experiences, read from the player itself: how far the frame on
// screen is behind the broadcaster's clock (now − its EXT-X-PROGRAM-DATE-TIME, which hls.js
// gives as `playingDate`), and how much media the <video> holds ahead of the playhead.
// The engine's own figures say where the engine is, not where the picture is (issue 17:
// "Behind live 0.0 s" while the picture was 10.8 s behind).

import { usePlayback } from '../../state/playback-store';

export interface PlayingDateSource {
  playingDate: Date | null;
}

interface BufferedRanges {
  readonly length: number;
  start(index: number): number;
  end(index: number): number;
}

/** Seconds the frame on screen is behind the broadcaster's clock; null without a date. */
export function behindLiveSec(playingDate: Date | null, nowMs: number): number | null {
  if (playingDate === null) return null;
  const at = playingDate.getTime();
  return Number.isFinite(at) ? Math.max(0, (nowMs - at) / 1000) : null;
}

/** Seconds buffered ahead of the playhead, in the buffered range that holds it (0 when none does). */
export function bufferAheadSec(buffered: BufferedRanges, currentTime: number): number {
  for (let i = 0; i < buffered.length; i++) {
    // A playhead a hair before a range (after a seek into it) counts as in it.
    if (currentTime >= buffered.start(i) - 0.1 && currentTime <= buffered.end(i)) {
      return Math.max(0, buffered.end(i) - currentTime);
    }
  }
  return 0;
}

const REPORT_EVERY_MS = 1000;

/**
 * Publishes the player's figures for `src` to the playback store every second, until the
 * returned function is called (which clears them: no player, no player figures). While
 * `shown()` is false (the user closed the mini player: paused, out of sight) nothing is
 * reported, so the pages show the engine's figures rather than a frame nobody watches.
 */
export function reportPlayback(
  src: string,
  video: HTMLVideoElement,
  hls: PlayingDateSource | null,
  shown: () => boolean = () => true,
): () => void {
  const { report, clear } = usePlayback.getState();
  const tick = () =>
    shown()
      ? report({
          src,
          behindLiveSec: hls ? behindLiveSec(hls.playingDate, Date.now()) : null,
          bufferSec: bufferAheadSec(video.buffered, video.currentTime),
        })
      : clear(src);
  const timer = setInterval(tick, REPORT_EVERY_MS);
  return () => {
    clearInterval(timer);
    clear(src);
  };
}
