// A live ffmpeg source broadcast by an in-process engine, for engine tests that need a
// running stream and nothing special about it; torn down in one call.

import type { Engine } from '../../src-main/engine/engine.js';
import { makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { EngineNet } from './engine-net.js';

export class LiveBroadcast {
  readonly net = new EngineNet();
  private readonly dirs: string[] = [];
  private readonly sources: LiveHls[] = [];

  /** ffmpeg writing 1 s segments, two of them done, and a broadcaster engine sending them. */
  async start(): Promise<{ broadcaster: Engine; address: string }> {
    const folder = await makeTempDir('shoal-live-');
    this.dirs.push(folder);
    const source = startLiveHls(folder, { segmentSeconds: 1, listSize: 10 });
    this.sources.push(source);
    await source.waitForSegments(2, 30_000);
    const broadcaster = await this.net.engine();
    const { address } = await broadcaster.startBroadcast({ folder });
    return { broadcaster, address };
  }

  async destroy(): Promise<void> {
    for (const s of this.sources) await s.stop(false);
    await this.net.destroy();
    for (const d of this.dirs) await removeDir(d);
  }
}
