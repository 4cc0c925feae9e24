// The deterministic slice of the stateful node fuzz (test/fuzz/sequence.ts) that the suite
// runs: a fixed seed, so a failure here replays exactly. `npm run fuzz` runs it at length.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { installEscapeGuards, removeEscapeGuards, runScenario, scenario } from './sequence.js';

const SEED = 20261204;
// 350 runs of about 29 sequences each: about 10^4 sequences (issue 15 §2), 13 s of CPU
// (a sequence costs ~1.3 ms); `npm run fuzz` runs 10^6.
const RUNS = Number(process.env.SHOAL_FUZZ_RUNS ?? 350);

describe('stateful fuzz of a whole node (issue 15 §2)', () => {
  beforeAll(installEscapeGuards);
  afterAll(removeEscapeGuards);

  it(`survives ${RUNS} runs of hostile sequences, then serves an honest peer`, async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (sc) => {
        const r = await runScenario(sc);
        if (r.failure) throw new Error(r.failure);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  }, 900_000);
});
