// Transfer rates over time by source (uPlot on a canvas). The chart is created once and
// fed with `setData` whenever the history takes a sample (at most once a second), so a
// busy swarm never re-renders React or rebuilds the chart.

import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { historyColumns, useRateHistory } from '../state/rate-history-store';
import { formatRate } from '../state/format';
import { cssVar, onColorSchemeChange, withAlpha } from './chart-colors';

const HEIGHT = 230;

const SERIES: Array<{ label: string; token: string; fill: boolean; dash?: number[] }> = [
  { label: 'From broadcaster', token: '--c-broadcaster', fill: true },
  { label: 'From peers', token: '--c-peers', fill: true },
  { label: 'Uploaded to peers', token: '--c-upload', fill: false },
  { label: 'To HTTP gateway', token: '--c-gateway', fill: false, dash: [5, 4] },
];

/** The history holds bit rates; the UI's formatter takes bytes per second. */
const formatBits = (bits: number): string => formatRate(bits / 8);

const timeLabel = (sec: number): string =>
  new Date(sec * 1000).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Away from the cursor the legend shows the latest value rather than a blank. */
function latest(u: uPlot, seriesIdx: number): number | null {
  const column = u.data[seriesIdx];
  const v = column?.[column.length - 1];
  return typeof v === 'number' ? v : null;
}

function chartOptions(width: number): uPlot.Options {
  const axisColor = () => cssVar('--chart-axis');
  const grid = { stroke: () => cssVar('--chart-grid'), width: 1 };
  return {
    width,
    height: HEIGHT,
    padding: [10, 12, 0, 0],
    cursor: { drag: { x: false, y: false }, points: { size: 7 } },
    legend: { live: true },
    scales: {
      x: { time: true },
      // Never let a quiet link make noise look like traffic: a floor of 64 kbit/s.
      y: { range: (_u, _min, max) => [0, Math.max(max * 1.15, 64_000)] },
    },
    axes: [
      {
        stroke: axisColor,
        grid,
        ticks: { show: false },
        space: 80,
        font: '11px system-ui, sans-serif',
        values: (_u, splits) => splits.map((v) => timeLabel(v)),
      },
      {
        stroke: axisColor,
        grid,
        ticks: { show: false },
        size: 78,
        font: '11px system-ui, sans-serif',
        values: (_u, splits) => splits.map((v) => formatBits(v)),
      },
    ],
    series: [
      { label: 'Time', value: (_u, v) => (v === null ? 'now' : timeLabel(v)) },
      ...SERIES.map((s) => ({
        label: s.label,
        stroke: () => cssVar(s.token),
        width: 1.75,
        ...(s.fill ? { fill: () => withAlpha(cssVar(s.token), 0.1) } : {}),
        ...(s.dash ? { dash: s.dash } : {}),
        points: { show: false },
        value: (u: uPlot, v: number | null, seriesIdx: number) => {
          const shown = v ?? latest(u, seriesIdx);
          return shown === null ? '—' : formatBits(shown);
        },
      })),
    ],
  };
}

export function RateChart() {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const version = useRateHistory((s) => s.version);
  const sampleCount = useRateHistory((s) => s.samples.size);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const data = historyColumns(useRateHistory.getState().samples.toArray());
    const chart = new uPlot(chartOptions(Math.max(el.clientWidth, 200)), data, el);
    plot.current = chart;
    const resize = new ResizeObserver(() => {
      const width = Math.max(el.clientWidth, 200);
      if (width !== chart.width) chart.setSize({ width, height: HEIGHT });
    });
    resize.observe(el);
    const offScheme = onColorSchemeChange(() => chart.redraw(false));
    return () => {
      offScheme();
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    plot.current?.setData(historyColumns(useRateHistory.getState().samples.toArray()));
  }, [version]);

  return (
    <div className="rate-chart">
      <div ref={container} className="rate-chart-canvas" role="img" aria-label="Transfer rates over time" />
      {sampleCount < 2 && <div className="chart-empty">Collecting data…</div>}
    </div>
  );
}
