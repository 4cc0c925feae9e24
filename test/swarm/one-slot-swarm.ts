// A live ffmpeg stream, a broadcaster with room for one peer (viewer A) and viewer B, refused
// FULL, watching through A: the shape the outage tests need (one viewer linked to the
// broadcaster, one that is not).

import type { Engine } from '../../src-main/engine/engine.js';
import type { EngineConfigInput } from '../../src-main/engine/engine-config.js';
import { makeTempDir, startLiveHls, type LiveHls } from '../fixtures/ffmpeg.js';
import { type EngineNet, waitFor } from '../fakes/engine-net.js';

export interface OneSlotSwarm {
  folder: string;
  live: LiveHls;
  broadcaster: Engine;
  address: string;
  a: Engine;
  b: Engine;
}

export const state = (e: Engine) => e.getSnapshot().state;

/** Starts it and waits until both viewers play; `onStart` gets what must be cleaned up early. */
export async function startOneSlotSwarm(
  net: EngineNet,
  waitMs: number,
  onStart: (folder: string, live: LiveHls) => void,
  broadcasterConfig: Partial<EngineConfigInput> = {},
): Promise<OneSlotSwarm> {
  const folder = await makeTempDir('shoal-one-slot-');
  const live = startLiveHls(folder, { segmentSeconds: 1, listSize: 6 });
  onStart(folder, live);
  await live.waitForSegments(2, waitMs);
  const broadcaster = await net.engine({ ...broadcasterConfig, swarm: { broadcasterMaxPeers: 1 } });
  const { address } = await broadcaster.startBroadcast({ folder });
  const a = await net.engine();
  await a.watch(address);
  await waitFor(() => state(a) === 'playing', waitMs, 'viewer A to play');
  const b = await net.engine();
  await b.watch(address);
  await waitFor(() => state(b) === 'playing', waitMs, 'viewer B to play (through A)');
  return { folder, live, broadcaster, address, a, b };
}
