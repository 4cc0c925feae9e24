import { describe, expect, it } from 'vitest';
import { PexFlag } from '../protocol/constants.js';
import { AudienceEstimate } from './audience-estimate.js';

const id = (n: number) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, n]);
const hex = (n: number) => Buffer.from(id(n)).toString('hex');

describe('AudienceEstimate', () => {
  it('counts direct viewers and the distinct viewers neighbours name, not the broadcaster', () => {
    const now = 0;
    const audience = new AudienceEstimate(() => now, 45_000);
    expect(audience.count([hex(1), hex(2)])).toBe(2);
    // Viewer 1 names 2 (a direct viewer too), 3 and 4; viewer 2 names 4 and the broadcaster.
    audience.noteNamed([
      { nodeId: id(2), flags: 0 },
      { nodeId: id(3), flags: PexFlag.HAS_CAPACITY },
      { nodeId: id(4), flags: 0 },
    ]);
    audience.noteNamed([
      { nodeId: id(4), flags: 0 },
      { nodeId: id(9), flags: PexFlag.BROADCASTER },
    ]);
    expect(audience.count([hex(1), hex(2)])).toBe(4);
  });

  it('forgets a viewer nobody named for the keep time, but not one named again', () => {
    let now = 0;
    const audience = new AudienceEstimate(() => now, 45_000);
    audience.noteNamed([
      { nodeId: id(3), flags: 0 },
      { nodeId: id(4), flags: 0 },
    ]);
    now = 30_000;
    audience.noteNamed([{ nodeId: id(4), flags: 0 }]);
    now = 50_000;
    expect(audience.count([])).toBe(1);
    now = 80_000;
    expect(audience.count([hex(1)])).toBe(1);
  });

  it('remembers a bounded number of node ids whatever a neighbour names', () => {
    const audience = new AudienceEstimate(() => 0, 45_000);
    for (let i = 0; i < 300; i++) {
      const peers = Array.from({ length: 32 }, (_, j) => ({
        nodeId: Uint8Array.from([0, 0, 0, 0, i >> 8, i & 255, j, 1]),
        flags: 0,
      }));
      audience.noteNamed(peers);
    }
    expect(audience.count([])).toBe(4096);
  });
});
