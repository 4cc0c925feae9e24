// Issue 17: what viewers and the broadcaster see when the encoder stops but the broadcaster
// runs on, and the broadcaster's estimate of its audience. With room for one peer (viewer A),
// viewer B watches through A: the broadcaster has one direct viewer and learns of B from A's
// peer exchange answer. When ffmpeg is killed (no end marker), A, linked to the broadcaster
// and hearing its answers, says the encoder stalled; B, not linked to it, cannot tell. When
// the broadcaster then goes silent as well, A says so.

import { describe, expect, it } from 'vitest';
import { hasFfmpeg } from '../fixtures/ffmpeg.js';
import { waitFor } from '../fakes/engine-net.js';
import { ImpairedSocket } from '../fakes/impaired-socket.js';
import { oneSlotSwarm, state, WAIT_MS } from './one-slot-swarm.js';

const start = oneSlotSwarm();

describe.skipIf(!hasFfmpeg())('encoder stall and audience estimate', () => {
  it('counts a viewer behind another, and says "encoder" when the broadcaster runs on without one', async () => {
    let socket: ImpairedSocket | null = null;
    const { broadcaster, live, a, b } = await start({
      transport: { wrapSocket: (s) => (socket = new ImpairedSocket(s)) },
    });
    const counts = () => broadcaster.getSnapshot().broadcast;
    // PEX rounds are 15 s apart (and one on each new link): give it several.
    await waitFor(() => (counts()?.audience ?? 0) >= 2, WAIT_MS, 'the broadcaster to count B too');
    expect(counts()?.viewers).toBe(1);

    await live.stop(false);
    await waitFor(() => state(a) === 'broadcaster-offline', WAIT_MS, 'viewer A to notice the stall');
    await waitFor(() => a.getSnapshot().offlineCause === 'encoder', WAIT_MS, 'A to say the encoder stalled');
    await waitFor(
      () => broadcaster.getSnapshot().broadcast?.stalled === true,
      WAIT_MS,
      'the broadcaster to say so',
    );
    await waitFor(() => state(b) === 'broadcaster-offline', WAIT_MS, 'viewer B to notice');
    // B cannot tell (unless it took one of the broadcaster's rescue slots meanwhile).
    const bLinked = b.getSnapshot().peers.some((p) => p.role === 'broadcaster');
    expect(b.getSnapshot().offlineCause).toBe(bLinked ? 'encoder' : 'silent');

    // Then the broadcaster falls silent too (a crash, a lost network): A's pings go
    // unanswered, and it no longer blames the encoder.
    socket!.muted = true;
    await waitFor(
      () => a.getSnapshot().offlineCause === 'silent',
      WAIT_MS,
      'A to say the broadcaster went silent',
    );
  }, 240_000);
});
