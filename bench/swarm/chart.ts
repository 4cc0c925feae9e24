// The report's chart: four panels drawn as one SVG (continuity per viewer, upload over
// time, distance behind live over time, share of bytes from peers), rendered to PNG with
// the system's Chromium through playwright-core. Without Chromium the SVG is still written.

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LabReport } from './metrics.js';

const W = 1200;
const H = 880;
const PANEL_W = 540;
const PANEL_H = 350;
const CHROMIUM = '/usr/bin/chromium';

interface Series {
  label: string;
  color: string;
  points: [number, number][];
  dashed?: boolean;
  bars?: boolean;
}

interface Panel {
  title: string;
  x: number;
  y: number;
  xLabel: string;
  yLabel: string;
  xMax: number;
  yMin: number;
  yMax: number;
  series: Series[];
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const fmt = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** Round tick values (1, 2 or 5 times a power of ten) covering [lo, hi]. */
function ticks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count || 1;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toFixed(10)));
  return out;
}

function panel(p: Panel): string {
  const left = p.x + 56;
  const top = p.y + 34;
  const w = PANEL_W - 70;
  const h = PANEL_H - 120;
  const sx = (v: number): number => left + (v / (p.xMax || 1)) * w;
  const sy = (v: number): number =>
    top + h - ((Math.min(Math.max(v, p.yMin), p.yMax) - p.yMin) / (p.yMax - p.yMin || 1)) * h;
  const out: string[] = [
    `<text x="${p.x + 10}" y="${p.y + 20}" font-size="16" font-weight="600">${esc(p.title)}</text>`,
    `<rect x="${left}" y="${top}" width="${w}" height="${h}" fill="none" stroke="#999"/>`,
  ];
  for (const v of ticks(p.yMin, p.yMax)) {
    out.push(
      `<line x1="${left}" x2="${left + w}" y1="${sy(v)}" y2="${sy(v)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${sy(v) + 4}" font-size="11" text-anchor="end">${fmt(v)}</text>`,
    );
  }
  for (const xv of ticks(0, p.xMax, 6))
    out.push(`<text x="${sx(xv)}" y="${top + h + 16}" font-size="11" text-anchor="middle">${fmt(xv)}</text>`);
  out.push(
    `<text x="${left + w / 2}" y="${top + h + 32}" font-size="12" text-anchor="middle">${esc(p.xLabel)}</text>`,
    `<text x="${p.x + 14}" y="${top + h / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 ${p.x + 14} ${top + h / 2})">${esc(p.yLabel)}</text>`,
  );
  p.series.forEach((s, i) => {
    const pts = s.points.filter(([, y]) => Number.isFinite(y));
    if (s.bars) {
      const bw = Math.max(1, w / Math.max(1, pts.length) - 1);
      for (const [x, y] of pts)
        out.push(
          `<rect x="${sx(x) - bw}" y="${sy(y)}" width="${bw}" height="${top + h - sy(y)}" fill="${s.color}"/>`,
        );
    } else if (pts.length > 0) {
      const d = pts
        .map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`)
        .join(' ');
      out.push(
        `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''}/>`,
      );
    }
    const lx = left + (i % 2) * 240;
    const ly = top + h + 52 + Math.floor(i / 2) * 16;
    out.push(
      `<rect x="${lx}" y="${ly - 9}" width="12" height="4" fill="${s.color}"/>`,
      `<text x="${lx + 16}" y="${ly - 4}" font-size="11">${esc(s.label)}</text>`,
    );
  });
  return out.join('\n');
}

export function chartSvg(r: LabReport): string {
  const c = r.config;
  const tMax = Math.max(1, ...r.series.map((p) => p.t));
  const sorted = [...r.viewers].sort((a, b) => a.ci - b.ci);
  const ciMin = Math.min(0.9, ...sorted.map((v) => v.ci));
  const upMax = Math.max(c.broadcasterUp * 1.1, 2.5, ...r.series.map((p) => p.broadcasterUpX * 1.1));
  const distMax = Math.max(
    c.segmentSec + 3,
    ...r.series.map((p) => (Number.isFinite(p.distanceP95) ? p.distanceP95 : 0) * 1.1),
  );
  const flat = (y: number): [number, number][] => [
    [0, y],
    [tMax, y],
  ];
  const panels: Panel[] = [
    {
      title: 'Continuity index per viewer (sorted)',
      x: 40,
      y: 70,
      xLabel: 'viewers, worst first',
      yLabel: 'continuity',
      xMax: sorted.length,
      yMin: Math.floor(ciMin * 100) / 100,
      yMax: 1,
      series: [
        {
          label: `buffer ${c.startupSegments} seg`,
          color: '#2b6cb0',
          bars: true,
          points: sorted.map((v, i) => [i + 1, v.ci]),
        },
        {
          label: '0.99',
          color: '#c53030',
          dashed: true,
          points: [
            [0, 0.99],
            [sorted.length, 0.99],
          ],
        },
      ],
    },
    {
      title: 'Upload, multiples of the bitrate',
      x: 620,
      y: 70,
      xLabel: 'seconds since first join',
      yLabel: 'x bitrate',
      xMax: tMax,
      yMin: 0,
      yMax: upMax,
      series: [
        {
          label: 'broadcaster (wire)',
          color: '#c05621',
          points: r.series.map((p) => [p.t, p.broadcasterUpX]),
        },
        { label: 'mean viewer (wire)', color: '#2f855a', points: r.series.map((p) => [p.t, p.viewerUpX]) },
        {
          label: `broadcaster cap ${c.broadcasterUp}x`,
          color: '#718096',
          dashed: true,
          points: flat(c.broadcasterUp),
        },
        { label: 'target 2x', color: '#c53030', dashed: true, points: flat(2) },
      ],
    },
    {
      title: 'Distance behind live (s)',
      x: 40,
      y: 470,
      xLabel: 'seconds since first join',
      yLabel: 'seconds',
      xMax: tMax,
      yMin: 0,
      yMax: distMax,
      series: [
        { label: 'p50 of viewers', color: '#2b6cb0', points: r.series.map((p) => [p.t, p.distanceP50]) },
        { label: 'p95 of viewers', color: '#805ad5', points: r.series.map((p) => [p.t, p.distanceP95]) },
        {
          label: `target ${c.segmentSec + 2} s`,
          color: '#c53030',
          dashed: true,
          points: flat(c.segmentSec + 2),
        },
      ],
    },
    {
      title: 'Who delivered: share of bytes from peers; viewers online',
      x: 620,
      y: 470,
      xLabel: 'seconds since first join',
      yLabel: 'share / viewers as share of N',
      xMax: tMax,
      yMin: 0,
      yMax: 1.05,
      series: [
        { label: 'bytes from peers', color: '#2f855a', points: r.series.map((p) => [p.t, p.peerShare]) },
        {
          label: `viewers online / ${c.viewers}`,
          color: '#718096',
          points: r.series.map((p) => [p.t, p.activeViewers / c.viewers]),
        },
      ],
    },
  ];
  const title = `Shoal swarm lab: ${r.scenario} (seed ${c.seed}) - ${c.viewers} viewers, ${c.bitrateKbps} kbps, ${c.segmentSec} s segments, loss ${(c.loss * 100).toFixed(0)}%, churn ${(c.churnPerMin * 100).toFixed(0)}%/min`;
  const sub = `r_max ${r.capacity.rMaxKbps.toFixed(0)} kbps (bitrate/r_max ${r.capacity.bitrateOverRmax.toFixed(2)}); CI>=0.99: ${(r.continuity.shareAt99 * 100).toFixed(1)}% of viewers; broadcaster ${r.broadcaster.upX.toFixed(2)}x; peers carried ${(r.offload.viewerShare * 100).toFixed(1)}%; ${r.machine.cpus} CPUs, load ${r.machine.loadAvgMean.toFixed(1)}`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="40" y="30" font-size="19" font-weight="700">${esc(title)}</text>`,
    `<text x="40" y="52" font-size="13" fill="#444">${esc(sub)}</text>`,
    ...panels.map(panel),
    '</svg>',
  ].join('\n');
}

/** Writes swarm-<scenario>.svg and, with Chromium available, swarm-<scenario>.png. */
export async function writeChart(r: LabReport, outDir: string): Promise<{ svg: string; png: string | null }> {
  await mkdir(outDir, { recursive: true });
  const svg = chartSvg(r);
  const svgFile = join(outDir, `swarm-${r.scenario}.svg`);
  await writeFile(svgFile, svg);
  if (!existsSync(CHROMIUM)) return { svg: svgFile, png: null };
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  try {
    const page = await browser.newPage({ viewport: { width: W, height: H } });
    await page.setContent(`<!doctype html><html><body style="margin:0">${svg}</body></html>`);
    const png = join(outDir, `swarm-${r.scenario}.png`);
    await page.screenshot({ path: png, clip: { x: 0, y: 0, width: W, height: H } });
    return { svg: svgFile, png };
  } finally {
    await browser.close();
  }
}
