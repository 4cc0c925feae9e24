import { describe, expect, it, vi } from 'vitest';
import { fakeSegment } from '../../../test/fakes/segments.js';
import { SegmentStore } from '../../store/segment-store.js';
import { blockingQuery, MAX_HELD, requestedMsn, resolveMediaHeld } from './held-media.js';
import type { MediaStream } from './media-resolver.js';

function streamOf(store: SegmentStore, caughtUp: () => boolean = () => true): MediaStream {
  return {
    store,
    renditions: () => [{ id: 0, bandwidth: 1000, width: 0, height: 0, name: '', codecs: '' }],
    ended: () => false,
    // Held up to 3 target durations: long enough that no busy machine answers a test early.
    targetDurationMs: () => 60_000,
    caughtUp,
  };
}

const put = (store: SegmentStore, seq: number) => {
  const { entry, data } = fakeSegment({ seq, durationUs: 1_000_000 });
  store.put(entry, data);
};
const seqsOf = (body: string | Uint8Array) =>
  [...String(body).matchAll(/^(\d+)\.ts$/gm)].map((m) => Number(m[1]));

describe('resolveMediaHeld', () => {
  it('holds a blocking reload (_HLS_msn) until that segment is in, then lists it', async () => {
    const store = new SegmentStore();
    put(store, 5);
    const stream = streamOf(store);
    const answer = resolveMediaHeld(() => stream, '/stream/s/0/live.m3u8?_HLS_msn=6');
    let answered = false;
    void answer.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(answered).toBe(false);
    put(store, 6);
    const result = await answer;
    expect(result.status).toBe(200);
    expect(seqsOf(result.body)).toEqual([5, 6]);
    expect(String(result.body)).toContain('#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES');
  });

  it('holds a first request until the stream has a segment, instead of answering 503', async () => {
    const store = new SegmentStore();
    const stream = streamOf(store);
    const master = resolveMediaHeld(() => ({ ...stream, renditions: () => [] }), '/stream/s/master.m3u8');
    const media = resolveMediaHeld(() => stream, '/stream/s/0/live.m3u8');
    put(store, 9);
    expect((await master).status).toBe(200);
    expect(seqsOf((await media).body)).toEqual([9]);
  });

  it('holds a first media playlist until the engine has caught up with the edge it knows', async () => {
    const store = new SegmentStore();
    put(store, 3);
    let head = 3;
    const stream = streamOf(store, () => head >= 5);
    const media = resolveMediaHeld(() => stream, '/stream/s/0/live.m3u8');
    put(store, 4);
    head = 5;
    put(store, 5);
    expect(seqsOf((await media).body)).toEqual([3, 4, 5]);
  });

  it('answers a blocking reload once the playlist moves past a segment it gives up on (a hole)', async () => {
    const store = new SegmentStore();
    put(store, 5);
    const stream = streamOf(store);
    const answer = resolveMediaHeld(() => stream, '/stream/s/0/live.m3u8?_HLS_msn=6');
    // 6 never comes; once 3 later segments are held the playlist skips it (playlist-writer).
    for (const seq of [7, 8, 9]) put(store, seq);
    expect(seqsOf((await answer).body)).toEqual([7, 8, 9]);
  });

  it('never holds a blocking reload longer than 8 s, whatever the target duration', async () => {
    vi.useFakeTimers();
    try {
      const store = new SegmentStore();
      put(store, 5);
      const answer = resolveMediaHeld(
        () => ({ ...streamOf(store), targetDurationMs: () => 3_600_000 }),
        '/stream/s/0/live.m3u8?_HLS_msn=6',
      );
      await vi.advanceTimersByTimeAsync(8000);
      expect((await answer).status).toBe(200);
    } finally {
      vi.useRealTimers();
    }
  });

  it(`holds at most ${MAX_HELD} requests of a stream at once; more are answered at once`, async () => {
    const store = new SegmentStore();
    put(store, 5);
    const stream = streamOf(store);
    const held = Array.from({ length: MAX_HELD }, () =>
      resolveMediaHeld(() => stream, '/stream/s/0/live.m3u8?_HLS_msn=6'),
    );
    const extra = await resolveMediaHeld(() => stream, '/stream/s/0/live.m3u8?_HLS_msn=6');
    expect(seqsOf(extra.body)).toEqual([5]);
    put(store, 6);
    for (const r of await Promise.all(held)) expect(seqsOf(r.body)).toEqual([5, 6]);
  });

  it('holds only the first media playlist for the catch-up, not every reload (VLC, mpv)', async () => {
    const store = new SegmentStore();
    put(store, 3);
    let caughtUp = false;
    // A new view per request, as Engine.handleMedia makes: the state lives with the store.
    const lookup = () => streamOf(store, () => caughtUp);
    const first = resolveMediaHeld(lookup, '/stream/s/0/live.m3u8');
    caughtUp = true;
    put(store, 4);
    expect(seqsOf((await first).body)).toEqual([3, 4]);
    caughtUp = false; // a new segment announced and still on its way
    const reload = resolveMediaHeld(lookup, '/stream/s/0/live.m3u8');
    // Held, it would answer only after CATCH_UP_HOLD_MS (2 s).
    const late = new Promise<'held'>((r) => setTimeout(() => r('held'), 1000));
    const first2 = await Promise.race([reload, late]);
    expect(first2).not.toBe('held');
    expect(seqsOf((await reload).body)).toEqual([3, 4]);
  });

  it('answers an unknown stream at once', async () => {
    expect((await resolveMediaHeld(() => undefined, '/stream/s/0/live.m3u8?_HLS_msn=1')).status).toBe(404);
  });
});

describe('requestedMsn and blockingQuery', () => {
  it('take only a plain number from _HLS_msn', () => {
    expect(requestedMsn('/stream/s/0/live.m3u8?_HLS_msn=12&_HLS_part=0')).toBe(12);
    expect(requestedMsn('/stream/s/0/live.m3u8?_HLS_msn=-1')).toBeNull();
    expect(requestedMsn('/stream/s/0/live.m3u8')).toBeNull();
    expect(blockingQuery(new URLSearchParams('_HLS_msn=7&x=%0a'))).toBe('?_HLS_msn=7');
    expect(blockingQuery(new URLSearchParams('_HLS_msn=7%0a#EXT'))).toBe('');
  });
});
