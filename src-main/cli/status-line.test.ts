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
});
