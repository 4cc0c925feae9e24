// The upload cap a running broadcast uses, as Settings change it (PROTOCOL §9.4): automatic
// by default (a starting guess until the line has been found full: on loopback with no viewer
// it never is), a number set by the user, or none; the snapshot and the CLI status line say which.

import { afterAll, describe, expect, it } from 'vitest';
import { statusLine } from '../../src-main/cli/status-line.js';
import { hasFfmpeg, makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { EngineNet } from '../fakes/engine-net.js';

const net = new EngineNet();
const dirs: string[] = [];
let live: LiveHls | null = null;
afterAll(async () => {
  await live?.stop(false);
  await net.destroy();
  for (const d of dirs) await removeDir(d);
});

describe.skipIf(!hasFfmpeg())('upload cap of a running broadcast', () => {
  it('is automatic by default, and follows Settings to a number, to none and back', async () => {
    const folder = await makeTempDir('shoal-cap-');
    dirs.push(folder);
    live = startLiveHls(folder, { segmentSeconds: 1, listSize: 10 });
    await live.waitForSegments(2, 30_000);
    const engine = await net.engine();
    expect(engine.getSnapshot().uploadCap).toBeNull();
    await engine.startBroadcast({ folder });
    expect(engine.getSnapshot().uploadCap).toMatchObject({ mode: 'auto', measured: false });
    expect(statusLine(engine.getSnapshot())).toMatch(/upload limit: automatic, (not needed yet|.* so far)/);

    await engine.updateSettings({ uploadCapKbps: 800 });
    expect(engine.getSnapshot().uploadCap).toEqual({ mode: 'set', bytesPerSec: 100_000 });
    expect(statusLine(engine.getSnapshot())).toContain('upload limit: 800 kbit/s (set in Settings)');

    await engine.updateSettings({ uploadCapKbps: null, uploadCapAuto: false });
    expect(engine.getSnapshot().uploadCap).toEqual({ mode: 'none', bytesPerSec: null });
    expect(statusLine(engine.getSnapshot())).not.toContain('upload limit');

    await engine.updateSettings({ uploadCapAuto: true });
    expect(engine.getSnapshot().uploadCap).toMatchObject({ mode: 'auto', measured: false });
    // A set number wins over "automatic".
    await engine.updateSettings({ uploadCapKbps: 2000 });
    expect(engine.getSnapshot().uploadCap).toEqual({ mode: 'set', bytesPerSec: 250_000 });
    await engine.stopBroadcast();
    expect(engine.getSnapshot().uploadCap).toBeNull();
  }, 90_000);
});
