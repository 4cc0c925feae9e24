// The CLI's status line says how a viewer with no working peer reaches the stream (issue 16).

import { describe, expect, it } from 'vitest';
import { makeSnapshot } from '../../test/fakes/snapshot.js';
import { statusLine } from './status-line.js';

describe('CLI status line', () => {
  it("carries the viewer's path note, and nothing when peers work", () => {
    const watching = { mode: 'watching' as const, state: 'playing' as const };
    const served = statusLine(
      makeSnapshot({ ...watching, path: 'No reachable peer — served by the broadcaster' }),
    );
    expect(served).toMatch(/^playing \| .* \| No reachable peer — served by the broadcaster$/);
    expect(statusLine(makeSnapshot({ ...watching, path: null }))).not.toMatch(/reachable|broadcaster/);
  });

  it("says where the gateway's player is, and labels the engine's own distance", () => {
    const watching = {
      mode: 'watching' as const,
      state: 'playing' as const,
      behindLiveSec: 2.4,
      bufferSec: 0,
    };
    const alone = statusLine(makeSnapshot({ ...watching, gatewayPlayer: null }));
    expect(alone).toContain('| engine behind live 2.4 s |');
    expect(alone).not.toMatch(/buffer|player/);
    const played = statusLine(
      makeSnapshot({ ...watching, gatewayPlayer: { seq: 41, behindLiveSec: 3.25, heldAheadSec: 2 } }),
    );
    expect(played).toContain(
      '| player ≥3.3 s behind live, at segment 41, 2.0 s held ahead | engine behind live 2.4 s |',
    );
  });
});
