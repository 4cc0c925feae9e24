// The upload cap in force, as Settings change it (PROTOCOL §9.4): a viewer's is automatic by
// default (no cap until its line has been found full: on loopback, relaying to nobody, it never
// is); a broadcaster has none unless its user sets one; a number set by the user wins; the
// snapshot and the CLI status line say which.

import { afterAll, describe, expect, it } from 'vitest';
import { statusLine } from '../../src-main/cli/status-line.js';
import { hasFfmpeg } from '../fixtures/ffmpeg.js';
import { waitFor } from '../fakes/engine-net.js';
import { LiveBroadcast } from '../fakes/live-broadcast.js';

const live = new LiveBroadcast();
afterAll(() => live.destroy());

describe.skipIf(!hasFfmpeg())('upload cap in force', () => {
  it('is automatic for a viewer, none for a broadcaster, and follows Settings', async () => {
    const idle = await live.net.engine();
    expect(idle.getSnapshot().uploadCap).toBeNull();
    const { broadcaster, address } = await live.start();
    expect(broadcaster.getSnapshot().uploadCap).toEqual({ mode: 'none', bytesPerSec: null });
    expect(statusLine(broadcaster.getSnapshot())).toContain(
      'upload limit: none (set one, about 90% of your upload',
    );
    await broadcaster.updateSettings({ uploadCapKbps: 2000 });
    expect(broadcaster.getSnapshot().uploadCap).toEqual({ mode: 'set', bytesPerSec: 250_000 });
    expect(statusLine(broadcaster.getSnapshot())).toContain('upload limit: 2.00 Mbit/s (set in Settings)');

    const viewer = await live.net.engine();
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
