// A problem the Watch page shows lasts as long as the problem (issue 18 §4): a viewer that
// found nobody at the address says so, and once the broadcaster is up and it plays, the
// "no answer" error is gone from its snapshot instead of staying for the whole session.

import { afterAll, describe, expect, it } from 'vitest';
import { hasFfmpeg, makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { freeUdpPort } from '../fixtures/shoal-process.js';
import { EngineNet, waitFor } from '../fakes/engine-net.js';

const WAIT_MS = 60_000;
const net = new EngineNet();
let live: LiveHls | null = null;
let folder = '';
let dataDir = '';

afterAll(async () => {
  await live?.stop(false);
  await net.destroy();
  for (const dir of [folder, dataDir]) if (dir) await removeDir(dir);
});

describe.skipIf(!hasFfmpeg())('how long an error lasts', () => {
  it('"no answer" holds while nobody answers and is gone once the stream plays', async () => {
    folder = await makeTempDir('shoal-error-lifetime-');
    live = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
    await live.waitForSegments(2, WAIT_MS);
    const port = await freeUdpPort();
    dataDir = await makeTempDir('shoal-error-lifetime-data-');
    const broadcaster = await net.engine({ dataDir, settings: { udpPort: port } });
    const { address } = await broadcaster.startBroadcast({ folder });
    // The broadcaster goes away: the address answers nothing.
    await broadcaster.destroy();

    const viewer = await net.engine({ notFoundAfterMs: 1000 });
    await viewer.watch(address);
    await waitFor(() => viewer.getSnapshot().state === 'not-found', WAIT_MS, 'the viewer to find nobody');
    expect(viewer.getSnapshot().lastError?.codeName).toBe('NO_PEERS');

    // The same broadcaster (same data folder: same key) is back on the same port.
    const again = await net.engine({ dataDir, settings: { udpPort: port } });
    expect((await again.startBroadcast({ folder })).address).toBe(address);
    await waitFor(() => viewer.getSnapshot().state === 'playing', WAIT_MS, 'the viewer to play');
    expect(viewer.getSnapshot().lastError).toBeNull();
  }, 180_000);
});
