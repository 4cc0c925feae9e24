// A broadcaster that stops says so to the whole swarm (PROTOCOL §5.16), not only to its own
// neighbours: with room for one peer (viewer A), viewer B is refused FULL, watches through A,
// and must still say "broadcaster offline" because the broadcaster stopped (not because the
// stream went quiet), then play again by itself when the broadcaster is back.
// Correctness only: how fast each viewer hears it is measured by `npm run bench:restart`.

import { describe, expect, it } from 'vitest';
import { hasFfmpeg } from '../fixtures/ffmpeg.js';
import { waitFor } from '../fakes/engine-net.js';
import { oneSlotSwarm, state, WAIT_MS } from './one-slot-swarm.js';

const start = oneSlotSwarm();

describe.skipIf(!hasFfmpeg())('the broadcaster stops on purpose', () => {
  it('a viewer linked only to another viewer hears it, and plays again when the stream is back', async () => {
    const { broadcaster, folder, a, b } = await start();
    const bPeers = () => b.getSnapshot().peers.map((p) => p.role);
    expect(bPeers()).not.toContain('broadcaster');

    await broadcaster.stopBroadcast();
    await waitFor(
      () => state(b) === 'broadcaster-offline' && b.getSnapshot().offlineCause === 'stopped',
      WAIT_MS,
      'viewer B to say the broadcaster stopped',
    );
    // B heard it through A: it had no link to the broadcaster to hear a GOODBYE on.
    expect(bPeers()).not.toContain('broadcaster');
    expect(state(a)).toBe('broadcaster-offline');
    expect(a.getSnapshot().offlineCause).toBe('stopped');

    // Back with the same key: the numbering goes on past the notice, which lapses.
    await broadcaster.startBroadcast({ folder });
    await waitFor(() => state(a) === 'playing' && state(b) === 'playing', WAIT_MS, 'both to play again');
    expect(b.getSnapshot().offlineCause).toBeUndefined();
  }, 240_000);
});
