// A live ffmpeg stream, a broadcaster with room for one peer (viewer A) and viewer B, refused
// FULL, watching through A: the shape the outage tests need (one viewer linked to the
// broadcaster, one that is not). Call oneSlotSwarm() at the top of a test file: it registers
// the cleanup (ffmpeg, engines, folder) with afterAll.

import { afterAll } from 'vitest';
import type { Engine } from '../../src-main/engine/engine.js';
import type { EngineConfigInput } from '../../src-main/engine/engine-config.js';
import { makeTempDir, removeDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { EngineNet, waitFor } from '../fakes/engine-net.js';

export const WAIT_MS = 60_000;

export interface OneSlotSwarm {
  /** The encoder; stopping it here lets the cleanup skip it. */
  live: { stop(graceful?: boolean): Promise<void> };
  broadcaster: Engine;
  folder: string;
  address: string;
  a: Engine;
  b: Engine;
}

export const state = (e: Engine) => e.getSnapshot().state;

/** Returns the function that starts it and waits until both viewers play. */
export function oneSlotSwarm(): (broadcasterConfig?: Partial<EngineConfigInput>) => Promise<OneSlotSwarm> {
  const net = new EngineNet();
  let live: LiveHls | null = null;
  let folder = '';
  afterAll(async () => {
    await live?.stop(false);
    await net.destroy();
    if (folder) await removeDir(folder);
  });
  return async (broadcasterConfig = {}) => {
    folder = await makeTempDir('shoal-one-slot-');
    const encoder = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
    live = encoder;
    await encoder.waitForSegments(2, WAIT_MS);
    const broadcaster = await net.engine({ ...broadcasterConfig, swarm: { broadcasterMaxPeers: 1 } });
    const { address } = await broadcaster.startBroadcast({ folder });
    const a = await net.engine();
    await a.watch(address);
    await waitFor(() => state(a) === 'playing', WAIT_MS, 'viewer A to play');
    const b = await net.engine();
    await b.watch(address);
    await waitFor(() => state(b) === 'playing', WAIT_MS, 'viewer B to play (through A)');
    const stop = async (graceful?: boolean) => {
      live = null;
      await encoder.stop(graceful);
    };
    return { live: { stop }, broadcaster, folder, address, a, b };
  };
}
