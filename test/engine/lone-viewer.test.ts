// A viewer alone with the broadcaster (issue 17: numbers and notes that tell the truth): it
// has no peer because there is nobody else, not because its network blocks anyone, so its
// path note says so instead of "No reachable peer".

import { afterAll, describe, expect, it } from 'vitest';
import { hasFfmpeg } from '../fixtures/ffmpeg.js';
import { waitFor } from '../fakes/engine-net.js';
import { LiveBroadcast } from '../fakes/live-broadcast.js';

const live = new LiveBroadcast();
afterAll(() => live.destroy());

describe.skipIf(!hasFfmpeg())('a lone viewer', () => {
  it('says there is no other viewer yet, not that no peer is reachable', async () => {
    const { address } = await live.start();
    const viewer = await live.net.engine();
    const paths = new Set<string>();
    const off = viewer.onSnapshot((s) => {
      if (s.path) paths.add(s.path);
    });
    await viewer.watch(address);
    // With no working peer for a few seconds a viewer says it has no path (PROTOCOL §5.17).
    await waitFor(() => viewer.getSnapshot().path != null, 45_000, 'a path note');
    off();
    expect(viewer.getSnapshot().path).toMatch(/^No other viewer yet — /);
    expect([...paths].filter((p) => /reachable/i.test(p))).toEqual([]);
  }, 90_000);
});
