// The targets of issue 5 per scenario, checked against a report.

import type { LabReport, Target } from './metrics.js';

const pct = (v: number): string => `${(v * 100).toFixed(1)}%`;

/** The targets of issue 5 that apply to the scenario. */
export function targetsFor(r: LabReport): Target[] {
  const seg = r.config.segmentSec;
  const t: Target[] = [];
  const at99 = (): Target => ({
    name: 'viewers at continuity >= 0.99',
    target: '>= 95%',
    value: pct(r.continuity.shareAt99),
    pass: r.continuity.shareAt99 >= 0.95,
  });
  switch (r.scenario) {
    case 'baseline':
    case 'large':
      t.push(
        at99(),
        {
          name: 'broadcaster upload',
          target: '<= 2x bitrate',
          value: `${r.broadcaster.upX.toFixed(2)}x`,
          pass: r.broadcaster.upX <= 2,
        },
        {
          name: 'join time p50',
          target: '<= 2 s',
          value: `${(r.join.p50Ms / 1000).toFixed(2)} s`,
          pass: r.join.p50Ms <= 2000,
        },
        // Pooled over every viewer's whole stay, the ramp included, as issue 5 asks. The
        // value shows the steady window (after the ramp and 10 s more) beside it, to tell
        // the ramp's flash crowd apart from the swarm's steady state: joining 3 segments
        // behind live, each joiner's catch-up outran the young swarm's upload and p95 was
        // ~4.7 s against ~3.8 s steady; joining 2 behind, both are ~3.9 s.
        {
          name: 'distance behind live p95',
          target: `<= ${seg + 2} s`,
          value: `${r.distance.p95Sec.toFixed(2)} s (steady window ${r.distance.steady.p95Sec.toFixed(2)} s)`,
          pass: r.distance.p95Sec <= seg + 2,
        },
      );
      break;
    case 'tight':
      t.push({
        name: 'viewers at continuity >= 0.98',
        target: '>= 90%',
        value: pct(r.continuity.shareAt98),
        pass: r.continuity.shareAt98 >= 0.9,
      });
      break;
    case 'lossy':
    case 'churn':
      t.push(at99());
      break;
    default:
      break;
  }
  return t;
}
