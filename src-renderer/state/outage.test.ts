import { describe, expect, it } from 'vitest';
import { makeSnapshot } from '../test-support/fixtures';
import { outageOf } from './outage';

const viewer = (extra: Parameters<typeof makeSnapshot>[0]) => makeSnapshot({ mode: 'watching', ...extra });

describe('outageOf', () => {
  it('names each outage a viewer can meet, with what to do, and none while playing', () => {
    expect(outageOf(viewer({ state: 'playing' }))).toBeNull();
    expect(outageOf(null)).toBeNull();
    const stopped = outageOf(viewer({ state: 'broadcaster-offline', offlineCause: 'stopped' }));
    expect(stopped).toMatchObject({ title: 'Broadcaster offline — waiting', tone: 'info' });
    expect(stopped?.text).toMatch(/stopped the stream/);
    const silent = outageOf(viewer({ state: 'broadcaster-offline', offlineCause: 'silent' }));
    expect(silent?.text).toMatch(/lost its connection/);
    expect(outageOf(viewer({ state: 'broadcaster-offline' }))?.kind).toBe('broadcaster-silent');
    const encoder = outageOf(viewer({ state: 'broadcaster-offline', offlineCause: 'encoder' }));
    expect(encoder).toMatchObject({ title: 'Encoder stalled', tone: 'info' });
    const ended = outageOf(viewer({ state: 'ended' }));
    expect(ended?.title).toBe('Stream ended');
    for (const o of [stopped, silent, encoder, ended]) expect(o?.action.length).toBeGreaterThan(20);
  });

  it('tells a broadcaster its encoder stalled or ended the stream', () => {
    const stalled = outageOf(
      makeSnapshot({
        mode: 'broadcasting',
        state: 'playing',
        broadcast: { folder: '/hls', renditions: 1, viewers: 0, stalled: true },
      }),
    );
    expect(stalled).toMatchObject({ title: 'Encoder stalled', tone: 'warn' });
    expect(stalled?.text).toMatch(/stopped growing.*\/hls/);
    expect(outageOf(makeSnapshot({ mode: 'broadcasting', state: 'ended' }))?.title).toBe('Stream ended');
  });
});
