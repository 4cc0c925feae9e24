// The deterministic slice of the stateful node fuzz (test/fuzz/sequence.ts) that the suite
// runs: a fixed seed, so a failure here replays exactly. `npm run fuzz` runs it at length.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { installEscapeGuards, removeEscapeGuards, runScenario, scenario } from './sequence.js';

const SEED = 20261204;
// About 250 sequences: what a few seconds buy on a busy machine (a sequence costs ~1.5 ms of CPU).
const RUNS = Number(process.env.SHOAL_FUZZ_RUNS ?? 10);

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
  }, 120_000);
});
