// The upload cap in force, as Settings change it (PROTOCOL §9.4): a viewer's is automatic by
// default (no cap until its line has been found full: on loopback, relaying to nobody, it never
// is); a broadcaster has none unless its user sets one; a number set by the user wins; the
// snapshot and the CLI status line say which.

import { afterAll, describe, expect, it } from 'vitest';
import { statusLine } from '../../src-main/cli/status-line.js';
import { hasFfmpeg, makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { EngineNet, waitFor } from '../fakes/engine-net.js';

const net = new EngineNet();
const dirs: string[] = [];
let live: LiveHls | null = null;
afterAll(async () => {
  await live?.stop(false);
  await net.destroy();
  for (const d of dirs) await removeDir(d);
});

describe.skipIf(!hasFfmpeg())('upload cap in force', () => {
  it('is automatic for a viewer, none for a broadcaster, and follows Settings', async () => {
    const folder = await makeTempDir('shoal-cap-');
    dirs.push(folder);
    live = startLiveHls(folder, { segmentSeconds: 1, listSize: 10 });
    await live.waitForSegments(2, 30_000);
    const broadcaster = await net.engine();
    expect(broadcaster.getSnapshot().uploadCap).toBeNull();
    const { address } = await broadcaster.startBroadcast({ folder });
    expect(broadcaster.getSnapshot().uploadCap).toEqual({ mode: 'none', bytesPerSec: null });
    await broadcaster.updateSettings({ uploadCapKbps: 2000 });
    expect(broadcaster.getSnapshot().uploadCap).toEqual({ mode: 'set', bytesPerSec: 250_000 });
    expect(statusLine(broadcaster.getSnapshot())).toContain('upload limit: 2.00 Mbit/s (set in Settings)');

    const viewer = await net.engine();
    await viewer.watch(address);
    await waitFor(() => viewer.getSnapshot().segments.received > 0, 30_000, 'a segment');
    expect(viewer.getSnapshot().uploadCap).toEqual({ mode: 'auto', bytesPerSec: null });
    expect(statusLine(viewer.getSnapshot())).toContain('upload limit: automatic, not needed yet');

    await viewer.updateSettings({ uploadCapKbps: 800 });
    expect(viewer.getSnapshot().uploadCap).toEqual({ mode: 'set', bytesPerSec: 100_000 });
    expect(statusLine(viewer.getSnapshot())).toContain('upload limit: 800 kbit/s (set in Settings)');

    await viewer.updateSettings({ uploadCapKbps: null, uploadCapAuto: false });
    expect(viewer.getSnapshot().uploadCap).toEqual({ mode: 'none', bytesPerSec: null });
    expect(statusLine(viewer.getSnapshot())).not.toContain('upload limit');

    await viewer.updateSettings({ uploadCapAuto: true });
    expect(viewer.getSnapshot().uploadCap).toEqual({ mode: 'auto', bytesPerSec: null });
    await viewer.stopWatching();
    expect(viewer.getSnapshot().uploadCap).toBeNull();
  }, 90_000);
});
