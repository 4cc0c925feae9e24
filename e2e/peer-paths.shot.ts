// Screenshot of the dashboard's peer table with every kind of path (PROTOCOL §5.18): the
// built renderer in Debian's Chromium, served by the real UI server over a fake engine whose
// snapshot holds a viewer's peers reached directly, through a mapped port and by hole
// punching. `npm run build:renderer && npx tsx e2e/peer-paths.shot.ts`; the picture lands in
// e2e-artifacts/dashboard-peer-paths.png (look at it).

import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { DEFAULT_SETTINGS, type StatsSnapshot } from '../src-shared/contract.js';
import type { EngineFacade } from '../src-main/engine/engine-facade.js';
import { findRendererRoot, UiServer } from '../src-main/cli/ui-server.js';
import { makePeer, makeSnapshot } from '../test/fakes/snapshot.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT = path.join(ROOT, 'e2e-artifacts', 'dashboard-peer-paths.png');

const snapshot = (): StatsSnapshot =>
  makeSnapshot({
    at: Date.now(),
    mode: 'watching',
    state: 'playing',
    streamId: 'k'.repeat(52),
    address: `shoal://${'k'.repeat(52)}@198.18.0.10:40000`,
    bufferSec: 6.1,
    behindLiveSec: 4.2,
    totals: {
      fromBroadcaster: 9_800_000,
      fromPeers: 21_400_000,
      uploaded: 17_200_000,
      toGateway: 31_000_000,
    },
    rates: { upBps: 137500, fromBroadcasterBps: 310_000, fromPeersBps: 760_000, toGatewayBps: 1_050_000 },
    segments: { ingested: 0, received: 48, failed: 0, held: 30 },
    peers: [
      makePeer({
        nodeId: 'a1',
        address: '198.18.0.10:40000',
        role: 'broadcaster',
        direction: 'outbound',
        path: 'direct',
        downBps: 38750,
        segmentsReceived: 14,
        rttMs: 21,
        connectedMs: 96_000,
      }),
      makePeer({
        nodeId: 'a2',
        address: '198.18.0.21:40000',
        direction: 'outbound',
        path: 'direct',
        downBps: 27500,
        upBps: 11250,
        segmentsReceived: 11,
        segmentsSent: 4,
        rttMs: 18,
        connectedMs: 91_000,
      }),
      makePeer({
        nodeId: 'a3',
        address: '198.18.0.14:40000',
        direction: 'outbound',
        path: 'mapped',
        downBps: 22500,
        upBps: 20000,
        segmentsReceived: 9,
        segmentsSent: 7,
        rttMs: 25,
        connectedMs: 84_000,
      }),
      makePeer({
        nodeId: 'a4',
        address: '198.18.0.15:40000',
        direction: 'inbound',
        path: 'punched',
        downBps: 17500,
        upBps: 51250,
        segmentsReceived: 8,
        segmentsSent: 12,
        rttMs: 27,
        connectedMs: 77_000,
      }),
      makePeer({
        nodeId: 'a5',
        address: '198.18.0.18:51873',
        direction: 'outbound',
        path: 'punched',
        downBps: 11250,
        upBps: 47500,
        segmentsReceived: 6,
        segmentsSent: 10,
        rttMs: 31,
        connectedMs: 52_000,
        health: 'fair',
      }),
    ],
  });

const engine: EngineFacade = {
  getSnapshot: snapshot,
  startBroadcast: () => Promise.reject(new Error('not in this picture')),
  stopBroadcast: async () => {},
  watch: () => Promise.reject(new Error('not in this picture')),
  stopWatching: async () => {},
  getSettings: () => ({ ...DEFAULT_SETTINGS }),
  updateSettings: async () => ({ ...DEFAULT_SETTINGS }),
  onSnapshot: () => () => {},
  onEvent: () => () => {},
  handleMedia: async () => ({ status: 404, contentType: 'text/plain', body: 'no media here' }),
};

const rendererRoot = findRendererRoot();
if (!rendererRoot) throw new Error('renderer not built: npm run build:renderer');
const server = new UiServer({ engine, rendererRoot });
await server.start();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1700 } });
  await page.goto(server.pageUrl);
  await page.getByTestId('nav-dashboard').click();
  await page.getByTestId('peer-path').first().waitFor();
  await mkdir(path.dirname(OUT), { recursive: true });
  await page.screenshot({ path: OUT, fullPage: true });
  await page.getByTestId('peer-table').screenshot({ path: OUT.replace('.png', '-table.png') });
  const labels = await page.getByTestId('peer-path').allTextContents();
  console.log(`${OUT}: paths ${labels.join(', ')}`);
} finally {
  await browser.close();
  await server.destroy();
}
