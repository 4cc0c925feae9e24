// A short run of the swarm lab (bench/swarm, issue 5): 8 real engines in a worker process,
// the synthetic live source, the broadcaster's real ingest. Checks the report's shape and
// that a clean small swarm plays. The full scenarios are a benchmark: `npm run bench:swarm`.

import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseLabArgs } from '../../bench/swarm/options.js';
import { formatTable } from '../../bench/swarm/report.js';
import { runScenario } from '../../bench/swarm/run.js';

let out = '';

afterAll(async () => {
  if (out) await rm(out, { recursive: true, force: true });
});

describe('swarm lab smoke', () => {
  it('runs 8 viewers for 20 s and reports sane figures', async () => {
    out = await mkdtemp(join(tmpdir(), 'shoal-lab-smoke-'));
    const [config] = parseLabArgs(['--smoke', '--no-chart', '--out', out]).configs;
    const { report, json } = await runScenario(config!, () => {});

    const written = JSON.parse(await readFile(json, 'utf8')) as typeof report;
    expect(written.scenario).toBe('smoke');
    expect(written.viewers).toHaveLength(8);
    expect(formatTable([report])).toContain('continuity p5 / p50');

    expect(report.join.neverPlayed).toBe(0);
    // Typically 0.93-1.0; the margin is for a machine loaded by other work (a smoke check,
    // not the benchmark's target).
    expect(report.continuity.p50).toBeGreaterThan(0.85);
    expect(report.capacity.rMaxKbps).toBeCloseTo(Math.min(3000, (3000 + 8 * 1500) / 8));
    expect(report.offload.viewerShare).toBeGreaterThan(0.3);
    expect(report.broadcaster.upX).toBeLessThan(3.2);
    expect(report.httpBaseline.upX).toBeCloseTo(8, 0);
    expect(report.overhead.wireOverPayload).toBeGreaterThan(0);
    expect(report.overhead.wireOverPayload).toBeLessThan(0.5);
    // Every fragment's payload is counted on the wire: at least the bytes delivered.
    expect(report.overhead.byKind.payload).toBeGreaterThan(0.99);
    expect(report.distance.steady.p95Sec).toBeGreaterThan(0);
    expect(report.resources.cpuPctPerViewer).toBeGreaterThan(0);
    expect(report.series.length).toBeGreaterThan(5);
  }, 55_000);
});
