// `npm run fuzz`: the stateful fuzz of a whole node (test/fuzz/sequence.ts), at length.
//   npm run fuzz                                   10^6 sequences, random first seed
//   npm run fuzz -- --sequences 20000 --seed 42
//   npm run fuzz -- --seed <s> --path <p>          replays one failure (as printed)
//   npm run fuzz -- --seed <s> --path <p> --shrink  …and shrinks it to a minimal sequence
// Runs go in batches with successive seeds; a failing batch prints its seed, path and the
// shrunk counterexample, and the fuzz goes on with the next seed. Exit code 1 on failure.

import fc from 'fast-check';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { installEscapeGuards, removeEscapeGuards, runScenario, scenario } from './sequence.js';

const { values } = parseArgs({
  options: {
    sequences: { type: 'string', default: '1000000' },
    seed: { type: 'string' },
    path: { type: 'string' },
    batch: { type: 'string', default: '500' },
    'max-minutes': { type: 'string', default: '90' },
    /** Shrink failures to a minimal sequence (slow: each step replays a run). */
    shrink: { type: 'boolean', default: false },
  },
});

const target = Number(values.sequences);
const batch = Number(values.batch);
const firstSeed = values.seed !== undefined ? Number(values.seed) : Date.now() & 0x7fffffff;
const deadline = Date.now() + Number(values['max-minutes']) * 60_000;

let sequences = 0;
let datagrams = 0;
let slow = 0;
const property = fc.asyncProperty(scenario, async (sc) => {
  const t0 = Date.now();
  const r = await runScenario(sc);
  if (Date.now() - t0 > 20_000) {
    // Not a failure by itself (the machine may be busy), but worth a look: kept for replay.
    const file = join(tmpdir(), `shoal-fuzz-slow-${process.pid}-${slow++}.json`);
    writeFileSync(file, JSON.stringify(sc));
    console.log(`  slow run (${((Date.now() - t0) / 1000).toFixed(0)} s, ${r.sequences} sequences): ${file}`);
  }
  sequences += r.sequences;
  datagrams += r.datagrams;
  if (r.failure) throw new Error(r.failure);
});

function report(out: fc.RunDetails<[Parameters<typeof runScenario>[0]]>): string {
  const error = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  return `${(fc.defaultReportMessage(out) ?? '').slice(0, 4000)}\nerror: ${error.slice(0, 3000)}`;
}

async function main(): Promise<void> {
  installEscapeGuards();
  if (values.path !== undefined) {
    const out = await fc.check(property, {
      seed: firstSeed,
      path: values.path,
      endOnFailure: !values.shrink,
    });
    console.log(out.failed ? report(out) : 'replay: passed');
    removeEscapeGuards();
    process.exitCode = out.failed ? 1 : 0;
    return;
  }
  const started = Date.now();
  let runs = 0;
  const failures: string[] = [];
  console.log(`fuzz: ${target} sequences from seed ${firstSeed}, ${batch} runs per seed`);
  for (let seed = firstSeed; sequences < target && Date.now() < deadline; seed++) {
    const out = await fc.check(property, { seed, numRuns: batch, endOnFailure: !values.shrink });
    runs += out.numRuns;
    if (out.failed) {
      failures.push(`seed ${seed} path ${out.counterexamplePath}`);
      console.log(`FAIL (replay: npm run fuzz -- --seed ${seed} --path ${out.counterexamplePath})`);
      console.log(report(out));
    }
    const s = (Date.now() - started) / 1000;
    console.log(
      `  seed ${seed}: ${sequences} sequences in ${runs} runs, ${datagrams} datagrams, ${s.toFixed(0)} s (${((s * 1e6) / Math.max(1, sequences)).toFixed(0)} µs/sequence), ${failures.length} failures, heap ${(process.memoryUsage().heapUsed / 2 ** 20).toFixed(0)} MiB`,
    );
  }
  const s = (Date.now() - started) / 1000;
  console.log(
    `fuzz: ${sequences} sequences (${runs} runs, first seed ${firstSeed}), ${datagrams} datagrams delivered, ${s.toFixed(1)} s, ${failures.length} failures${sequences < target ? ' (stopped by --max-minutes)' : ''}`,
  );
  for (const f of failures) console.log(`  failure: ${f}`);
  removeEscapeGuards();
  process.exitCode = failures.length ? 1 : 0;
}

await main();
