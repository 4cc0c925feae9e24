import { afterEach, describe, expect, it, vi } from 'vitest';
import { usePlayback } from '../../state/playback-store';
import { behindLiveSec, bufferAheadSec, reportPlayback } from './playback-metrics';

const ranges = (...r: [number, number][]) => ({
  length: r.length,
  start: (i: number) => r[i]![0],
  end: (i: number) => r[i]![1],
});

describe('behindLiveSec', () => {
  it('is the wall clock minus the program date-time of the frame on screen (hls.playingDate)', () => {
    const now = Date.UTC(2026, 11, 5, 12, 0, 10, 800);
    expect(behindLiveSec(new Date(now - 3800), now)).toBeCloseTo(3.8, 6);
  });

  it('is unknown without a date (a stream without EXT-X-PROGRAM-DATE-TIME)', () => {
    expect(behindLiveSec(null, Date.now())).toBeNull();
    expect(behindLiveSec(new Date(NaN), Date.now())).toBeNull();
  });
});

describe('bufferAheadSec', () => {
  it('counts the media ahead of the playhead in the range that holds it', () => {
    expect(bufferAheadSec(ranges([0, 4], [10, 20]), 12.5)).toBe(7.5);
    expect(bufferAheadSec(ranges([0, 4], [10, 20]), 3)).toBe(1);
  });

  it('is 0 when the playhead is in no buffered range (a stall)', () => {
    expect(bufferAheadSec(ranges([0, 4]), 6)).toBe(0);
    expect(bufferAheadSec(ranges(), 0)).toBe(0);
  });
});

describe('reportPlayback', () => {
  afterEach(() => {
    vi.useRealTimers();
    usePlayback.setState({ player: null });
  });

  it("publishes the player's figures for its stream, and clears them when the player goes", () => {
    vi.useFakeTimers();
    const now = Date.UTC(2026, 11, 5, 12, 0, 0);
    vi.setSystemTime(now);
    const video = { buffered: ranges([100, 103]), currentTime: 101 } as unknown as HTMLVideoElement;
    const stop = reportPlayback('http://x/live.m3u8', video, { playingDate: new Date(now - 4000) });
    vi.advanceTimersByTime(1000);
    expect(usePlayback.getState().player).toEqual({
      src: 'http://x/live.m3u8',
      behindLiveSec: 5, // the clock moved on by the 1 s tick; the picture did not
      bufferSec: 2,
    });
    stop();
    expect(usePlayback.getState().player).toBeNull();
  });

  it('reports nothing while the player is not shown (a closed mini player), and again once it is', () => {
    vi.useFakeTimers();
    const now = Date.UTC(2026, 11, 5, 12, 0, 0);
    vi.setSystemTime(now);
    const video = { buffered: ranges([100, 103]), currentTime: 101 } as unknown as HTMLVideoElement;
    let shown = true;
    const stop = reportPlayback(
      'http://x/live.m3u8',
      video,
      { playingDate: new Date(now - 4000) },
      () => shown,
    );
    vi.advanceTimersByTime(1000);
    expect(usePlayback.getState().player?.behindLiveSec).toBe(5);
    shown = false; // closed: paused, and its frame grows old
    vi.advanceTimersByTime(60_000);
    expect(usePlayback.getState().player).toBeNull();
    shown = true;
    vi.advanceTimersByTime(1000);
    expect(usePlayback.getState().player?.src).toBe('http://x/live.m3u8');
    stop();
  });
});
