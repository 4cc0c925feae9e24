import { describe, expect, it } from 'vitest';
import { makeSnapshot } from '../test-support/fixtures';
import { viewerFigures } from './viewer-figures';

const snapshot = makeSnapshot({
  mode: 'watching',
  playlistUrl: 'http://127.0.0.1:1/media/stream/a/master.m3u8',
  behindLiveSec: 2.1,
  bufferSec: 0,
});

describe('viewerFigures', () => {
  it("shows the player's distance and buffer, with the engine's distance beside them", () => {
    const player = { src: snapshot.playlistUrl!, behindLiveSec: 10.8, bufferSec: 3.2 };
    expect(viewerFigures(snapshot, player)).toEqual({
      behindLive: { sec: 10.8, from: 'player' },
      buffer: { sec: 3.2, from: 'player' },
      engineBehindLiveSec: 2.1,
    });
  });

  it("falls back to the engine's figures, so labelled, when no player plays this stream", () => {
    const figures = viewerFigures(snapshot, null);
    expect(figures.behindLive).toEqual({ sec: 2.1, from: 'engine' });
    expect(figures.buffer).toEqual({ sec: 0, from: 'engine' });
    const other = { src: 'http://127.0.0.1:1/media/stream/b/master.m3u8', behindLiveSec: 9, bufferSec: 1 };
    expect(viewerFigures(snapshot, other).behindLive.from).toBe('engine');
  });

  it("keeps the player's buffer but the engine's distance when the stream carries no dates", () => {
    const player = { src: snapshot.playlistUrl!, behindLiveSec: null, bufferSec: 1.5 };
    const figures = viewerFigures(snapshot, player);
    expect(figures.behindLive).toEqual({ sec: 2.1, from: 'engine' });
    expect(figures.buffer).toEqual({ sec: 1.5, from: 'player' });
  });
});
