import { describe, expect, it } from 'vitest';
import { PexFlag } from '../protocol/constants.js';
import { AudienceEstimate } from './audience-estimate.js';

const id = (n: number) => Uint8Array.from([0, 0, 0, 0, 0, 0, 0, n]);
const hex = (n: number) => Buffer.from(id(n)).toString('hex');

describe('AudienceEstimate', () => {
  it('counts direct viewers and the distinct viewers neighbours name, not the broadcaster', () => {
    const audience = new AudienceEstimate(() => 0, 45_000);
    expect(audience.count([hex(1), hex(2)])).toBe(2);
    // Viewer 1 names 2 (a direct viewer too), 3 and 4; viewer 2 names 4 and the broadcaster.
    audience.noteNamed(hex(1), [
      { nodeId: id(2), flags: 0 },
      { nodeId: id(3), flags: PexFlag.HAS_CAPACITY },
      { nodeId: id(4), flags: 0 },
    ]);
    audience.noteNamed(hex(2), [
      { nodeId: id(4), flags: 0 },
      { nodeId: id(9), flags: PexFlag.BROADCASTER },
    ]);
    expect(audience.count([hex(1), hex(2)])).toBe(4);
  });

  it("counts a neighbour's latest answer only, while it answers and is linked", () => {
    let now = 0;
    const audience = new AudienceEstimate(() => now, 45_000);
    audience.noteNamed(hex(1), [
      { nodeId: id(3), flags: 0 },
      { nodeId: id(4), flags: 0 },
    ]);
    now = 30_000;
    audience.noteNamed(hex(1), [{ nodeId: id(4), flags: 0 }]); // 3 left
    expect(audience.count([hex(1)])).toBe(2);
    now = 80_000; // no answer for 50 s
    expect(audience.count([hex(1)])).toBe(1);
    audience.noteNamed(hex(1), [{ nodeId: id(5), flags: 0 }]);
    expect(audience.count([])).toBe(0); // neighbour 1 is gone: its answer with it
  });

  it('a neighbour naming new made-up ids every round adds one answer, not one per round', () => {
    let now = 0;
    const audience = new AudienceEstimate(() => now, 45_000);
    for (let round = 0; round < 20; round++) {
      now = round * 15_000;
      const fake = Array.from({ length: 16 }, (_, j) => ({
        nodeId: Uint8Array.from([1, 0, 0, 0, 0, round, j, 1]),
        flags: 0,
      }));
      audience.noteNamed(hex(1), fake);
    }
    expect(audience.count([hex(1)])).toBe(17);
  });
});
