// The swarm lab (issue 5): `npm run bench:swarm -- [--scenario baseline|tight|lossy|churn|large|all]
// [options]`. Runs one live stream through a swarm of real engines on this machine and
// prints a table, writes the figures as JSON and a chart (README "Swarm lab").

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { computeReport, type LabReport } from './metrics.js';
import { parseLabArgs } from './options.js';
import type { LabConfig } from './lab-config.js';
import { formatTable, formatTargets, writeJson, writeRaw } from './report.js';
import { writeChart } from './chart.js';
import { runLab } from './runner.js';

export interface LabResult {
  report: LabReport;
  json: string;
  chart: { svg: string; png: string | null } | null;
}

/** Runs one scenario end to end and writes its JSON (and chart). */
export async function runScenario(config: LabConfig, log: (line: string) => void): Promise<LabResult> {
  const record = await runLab(config, log);
  const report = computeReport(record);
  const json = await writeJson(report, config.outDir);
  if (config.raw) await writeRaw(record, config.outDir);
  let chart: LabResult['chart'] = null;
  if (config.chart) {
    try {
      chart = await writeChart(report, config.outDir);
    } catch (err) {
      log(`chart: ${(err as Error).message}`);
    }
  }
  return { report, json, chart };
}

/** The reports already written to `dir`, in scenario order. */
async function savedReports(dir: string): Promise<LabReport[]> {
  const order = ['baseline', 'tight', 'lossy', 'churn', 'large', 'smoke'];
  const files = (await readdir(dir)).filter((f) => /^swarm-[a-z]+\.json$/.test(f));
  const reports = await Promise.all(
    files.map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as LabReport),
  );
  return reports.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
}

async function main(): Promise<void> {
  const { configs, tableFrom } = parseLabArgs(process.argv.slice(2));
  if (tableFrom) {
    const saved = await savedReports(tableFrom);
    if (saved.length === 0) throw new Error(`no swarm-<scenario>.json reports in ${tableFrom}`);
    console.log(formatTable(saved));
    console.log();
    for (const r of saved) console.log(formatTargets(r));
    return;
  }
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const reports: LabReport[] = [];
  for (const config of configs) {
    log(`== ${config.scenario}: ${config.viewers} viewers, ${config.durationSec} s (seed ${config.seed})`);
    const result = await runScenario(config, (line) => log(`  ${line}`));
    reports.push(result.report);
    log(`  report ${result.json}${result.chart?.png ? `, chart ${result.chart.png}` : ''}`);
    for (const p of result.report.problems.slice(0, 5)) log(`  problem: ${p}`);
  }
  console.log(formatTable(reports));
  console.log();
  for (const r of reports) console.log(formatTargets(r));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack : err);
      process.exit(1);
    },
  );
}
