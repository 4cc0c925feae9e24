// A folder with a master playlist is broadcast with every rendition; a viewer receives
// them all and serves a master playlist listing each, with its segments.

import { afterAll, describe, expect, it } from 'vitest';
import { hasFfmpeg, makeMasterHls, makeTempDir, removeDir, runFfmpeg } from '../fixtures/ffmpeg.js';
import { EngineNet, playlistSeqs, waitFor } from '../fakes/engine-net.js';

const net = new EngineNet();
let folder = '';
afterAll(async () => {
  await net.destroy();
  if (folder) await removeDir(folder);
});

describe.skipIf(!hasFfmpeg())('multi-rendition broadcast', () => {
  it('carries every rendition of a master playlist to viewers', async () => {
    folder = await makeTempDir('shoal-master-');
    await makeMasterHls(folder, { seconds: 6, segmentSeconds: 1 });
    const broadcaster = await net.engine();
    const { address, streamId } = await broadcaster.startBroadcast({ folder, vodSpeed: 4 });
    const viewer = await net.engine({ settings: { gatewayEnabled: true, joinDistanceSegments: 6 } });
    await viewer.watch(address);

    const media = async (rendition: number) =>
      playlistSeqs(String((await viewer.handleMedia(`/stream/${streamId}/${rendition}/live.m3u8`)).body));
    await waitFor(
      async () => (await media(0)).length >= 3 && (await media(1)).length >= 3,
      45_000,
      'both renditions',
    );

    const master = String((await viewer.handleMedia(`/stream/${streamId}/master.m3u8`)).body);
    expect(master.match(/#EXT-X-STREAM-INF/g)).toHaveLength(2);
    expect(master).toMatch(/RESOLUTION=320x180/);
    expect(master).toMatch(/RESOLUTION=160x90/);
    for (const r of [0, 1]) {
      for (const seq of await media(r)) {
        const a = await viewer.handleMedia(`/stream/${streamId}/${r}/${seq}.ts`);
        const b = await broadcaster.handleMedia(`/stream/${streamId}/${r}/${seq}.ts`);
        expect(Buffer.from(a.body as Uint8Array).equals(Buffer.from(b.body as Uint8Array))).toBe(true);
      }
    }
    // An external player decodes the viewer's gateway with both renditions.
    const decoded = await runFfmpeg(
      ['-v', 'error', '-i', viewer.getSnapshot().gatewayUrl!, '-map', '0', '-t', '2', '-f', 'null', '-'],
      45_000,
    );
    expect(decoded.stderr.trim()).toBe('');
    expect(decoded.code).toBe(0);
  }, 120_000);
});
