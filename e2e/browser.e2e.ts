// End-to-end test of the browser host: two real engine processes (`shoal ui`), the built
// renderer in Debian's Chromium driven by Playwright, and a DHT of our own on 127.0.0.1
// (test/fakes/dht-net.ts). One instance goes live with the sample stream through the Go
// Live page; once its record is on the DHT the page shows the short address shoal://<id>,
// which the other instance pastes and plays.
// Screenshots of every screen land in e2e-artifacts/ (look at them).

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DhtNet } from '../test/fakes/dht-net.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(ROOT, 'e2e-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--autoplay-policy=no-user-gesture-required',
];

const children: ChildProcess[] = [];
const dirs: string[] = [];
let browser: Browser;
let dht: DhtNet | null = null;

/** Starts `shoal ui` in its own process; resolves with the page URL it prints. */
async function startUi(dhtBootstrap: string[]): Promise<string> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'shoal-e2e-'));
  dirs.push(dataDir);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(ROOT, 'src-main/cli/main.ts'),
      'ui',
      '--bind',
      '127.0.0.1',
      '--advertise',
      '127.0.0.1',
      '--data-dir',
      dataDir,
      '--dht-bootstrap',
      dhtBootstrap.join(','),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  child.stderr?.resume();
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`shoal ui printed no URL: ${out}`)), 60_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const url = out.split('\n').find((l) => l.startsWith('http://'));
      if (url) {
        clearTimeout(timer);
        resolve(url.trim());
      }
    });
    child.once('exit', (code) => reject(new Error(`shoal ui exited with ${code}: ${out}`)));
  });
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Bytes shown in a stat tile, parsed back from "1.2 MB", "340 kB" or "0 B". */
async function shownBytes(page: Page, testId: string): Promise<number> {
  const text = (await page.getByTestId(testId).innerText()).replace(/,/g, '');
  const m = /([\d.]+)\s*([kMG]i?B|B)/.exec(text);
  if (!m) return 0;
  const scale: Record<string, number> = {
    B: 1,
    kB: 1e3,
    KiB: 1024,
    MB: 1e6,
    MiB: 1024 ** 2,
    GB: 1e9,
    GiB: 1024 ** 3,
  };
  return Number(m[1]) * (scale[m[2]!] ?? 1);
}

/** The video's currentTime, or -1 when there is no video. */
function videoTime(page: Page): Promise<number> {
  return page
    .getByTestId('video')
    .evaluate((v) => (v as unknown as { currentTime: number }).currentTime)
    .catch(() => -1);
}

/** Screenshots of every page at a narrow width, and what must hold there (issue 17 §3). */
async function checkNarrow(page: Page, prefix: string, pages: string[]): Promise<void> {
  const size = page.viewportSize()!;
  await page.setViewportSize({ width: 400, height: 860 });
  for (const name of pages) {
    await page.getByTestId(`nav-${name}`).click();
    await page.waitForTimeout(300); // layout settles (no assertion rides on it)
    await shot(page, `${prefix}-${name}-400`);
    // Nothing wider than the window: no card, tile or field pushes the page sideways.
    const overflow = await page.evaluate<number>(
      "(() => { const m = document.querySelector('main'); return m.scrollWidth - m.clientWidth; })()",
    );
    expect(overflow, `${name} at 400 px scrolls sideways`).toBeLessThanOrEqual(1);
  }
  await page.setViewportSize(size);
}

/** Whether two elements' boxes overlap. */
async function overlap(page: Page, a: string, b: string): Promise<boolean> {
  const [ba, bb] = await Promise.all([page.getByTestId(a).boundingBox(), page.getByTestId(b).boundingBox()]);
  if (!ba || !bb) return false;
  return (
    ba.x < bb.x + bb.width && bb.x < ba.x + ba.width && ba.y < bb.y + bb.height && bb.y < ba.y + ba.height
  );
}

describe('browser UI against two engines', () => {
  beforeAll(async () => {
    if (!existsSync(path.join(ROOT, 'dist/renderer/index.html'))) {
      throw new Error('the UI is not built: run `npm run build:renderer` (npm test does it)');
    }
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium`);
    await mkdir(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    for (const c of children) c.kill('SIGTERM');
    await dht?.destroy();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  it('goes live with the sample stream, and a second instance plays it from the short address', async () => {
    dht = await DhtNet.start(3);
    const [broadcasterUrl, viewerUrl] = await Promise.all([startUi(dht.bootstrap), startUi(dht.bootstrap)]);
    const fatal: string[] = [];

    // --- Go Live on the first instance ---
    const live = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    await live.goto(broadcasterUrl);
    await live.getByTestId('nav-go-live').click();
    await expect.poll(() => live.getByTestId('demo-button').isVisible(), { timeout: 30_000 }).toBe(true);
    await shot(live, 'go-live-start');

    await live.getByTestId('folder-path-input').fill('/nonexistent/hls-folder');
    await live.getByTestId('go-live-button').click();
    await expect
      .poll(() => live.getByTestId('error-message').innerText(), { timeout: 30_000 })
      .toMatch(/does not exist/);
    await shot(live, 'go-live-folder-error');

    await live.getByTestId('demo-button').click();
    const demoStartedAt = Date.now();
    const addressEl = live.getByTestId('address-display');
    await expect.poll(() => addressEl.innerText(), { timeout: 30_000 }).toMatch(/^shoal:\/\//);
    // Once the record is on the DHT: the short address first, the full one below it.
    const shortEl = live.getByTestId('short-address-display');
    await expect.poll(() => shortEl.isVisible(), { timeout: 60_000 }).toBe(true);
    const address = (await shortEl.innerText()).trim();
    expect(address).toMatch(/^shoal:\/\/[a-z2-7]{52}$/);
    expect((await addressEl.innerText()).trim()).toMatch(new RegExp(`^${address}@127\\.0\\.0\\.1:\\d+$`));
    await shot(live, 'go-live-short-address');

    // --- Watch on the second instance ---
    const watch = await (await browser.newContext({ viewport: { width: 1280, height: 860 } })).newPage();
    watch.on('console', (m) => {
      if (m.type() === 'error' && /fatal/i.test(m.text())) fatal.push(m.text());
    });
    await watch.goto(viewerUrl);
    await watch.getByTestId('nav-watch').click();
    await shot(watch, 'watch-empty');

    await watch.getByTestId('address-input').fill('shoal://not-an-address@127.0.0.1:1');
    await watch.getByTestId('watch-button').click();
    await expect
      .poll(() => watch.getByTestId('address-error').innerText(), { timeout: 30_000 })
      .toMatch(/stream id/i);
    await shot(watch, 'watch-invalid-address');

    await watch.getByTestId('address-input').fill(address);
    await watch.getByTestId('watch-button').click();
    const currentTime = () =>
      watch
        .getByTestId('video')
        .evaluate((v) => (v as unknown as { currentTime: number }).currentTime)
        .catch(() => 0);
    await expect.poll(currentTime, { timeout: 90_000, interval: 500 }).toBeGreaterThan(5);
    expect(await watch.locator('.player[data-phase="failed"]').count()).toBe(0);
    expect(fatal).toEqual([]);
    await expect
      .poll(() => shownBytes(watch, 'p2p-from-broadcaster'), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await shot(watch, 'watch-playing');

    // The broadcaster's page now shows a viewer and its live preview.
    await expect
      .poll(() => live.getByTestId('viewers-count').innerText(), { timeout: 30_000 })
      .toMatch(/[1-9]/);
    await shot(live, 'go-live-live');
    // The viewer estimate says it is one.
    expect(await live.getByTestId('audience-estimate').innerText()).toMatch(/^≈ [1-9]/);
    expect(await live.locator('.stat-label', { hasText: 'Viewers (est.)' }).count()).toBe(1);

    // --- The player lives above the pages (issue 17 §3) ---
    // Live controls, not the browser's VOD seek bar: LIVE and our own buttons.
    const video = watch.getByTestId('video');
    expect(await video.evaluate((v) => v.hasAttribute('controls'))).toBe(false);
    expect(await watch.getByTestId('player-live').count()).toBe(1);
    expect(await watch.getByTestId('player-play').count()).toBe(1);
    // Mark the element and its hls.js: both must be the same when we come back.
    await video.evaluate((v) => {
      (v as unknown as { shoalMark: string }).shoalMark = 'kept';
    });
    const beforeLeaving = await videoTime(watch);
    const mediaSourceUrl = await video.evaluate((v) => (v as unknown as { src: string }).src);
    expect(mediaSourceUrl).toMatch(/^blob:/);
    await watch.getByTestId('nav-dashboard').click();
    await expect.poll(() => watch.getByTestId('player-dock').getAttribute('data-mode')).toBe('mini');
    // It goes on playing on the Dashboard: time advances, not paused.
    await expect
      .poll(() => videoTime(watch), { timeout: 60_000, interval: 500 })
      .toBeGreaterThan(beforeLeaving + 3);
    expect(await video.evaluate((v) => (v as unknown as { paused: boolean }).paused)).toBe(false);
    await shot(watch, 'dashboard-mini-player');
    await watch.getByTestId('nav-settings').click();
    const onSettings = await videoTime(watch);
    await expect
      .poll(() => videoTime(watch), { timeout: 60_000, interval: 500 })
      .toBeGreaterThan(onSettings + 1);
    // Back on Watch: the same element, not reloaded (its buffer kept), never behind where it was.
    const beforeReturn = await videoTime(watch);
    await watch.getByTestId('player-mini-open').click();
    await expect.poll(() => watch.getByTestId('player-dock').getAttribute('data-mode')).toBe('docked');
    expect(await video.evaluate((v) => (v as unknown as { shoalMark?: string }).shoalMark)).toBe('kept');
    expect(await videoTime(watch)).toBeGreaterThanOrEqual(beforeReturn);
    // hls.js attached its MediaSource as a blob: URL; a new hls.js instance (a reload, a
    // re-buffer from scratch) would attach a new one.
    expect(await video.evaluate((v) => (v as unknown as { src: string }).src)).toBe(mediaSourceUrl);
    // And the docked player covers its slot on the Watch page.
    const [slotBox, dockBox] = await Promise.all([
      watch.getByTestId('player-slot').boundingBox(),
      watch.getByTestId('player-dock').boundingBox(),
    ]);
    expect(Math.abs(slotBox!.x - dockBox!.x) + Math.abs(slotBox!.y - dockBox!.y)).toBeLessThan(2);
    expect(Math.abs(slotBox!.width - dockBox!.width)).toBeLessThan(2);
    await shot(watch, 'watch-playing-returned');

    // Pause: the live badge turns into "Go to live", which plays again from the live edge.
    await video.hover();
    await watch.getByTestId('player-play').click();
    const liveBadge = watch.getByTestId('player-live');
    await expect.poll(() => liveBadge.getAttribute('data-live'), { timeout: 30_000 }).toBe('false');
    expect(await liveBadge.innerText()).toMatch(/Go to live/);
    await shot(watch, 'watch-paused');
    await liveBadge.click();
    await expect
      .poll(() => video.evaluate((v) => (v as unknown as { paused: boolean }).paused), { timeout: 30_000 })
      .toBe(false);

    // --- Dashboard of the viewer: the broadcaster is a peer with bytes exchanged ---
    // Tall windows so the dashboard screenshots show the peer table too.
    await watch.setViewportSize({ width: 1280, height: 1500 });
    await live.setViewportSize({ width: 1280, height: 1500 });
    await watch.getByTestId('nav-dashboard').click();
    const row = watch.locator('[data-testid="peer-row"][data-role="broadcaster"]');
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBeGreaterThan(0);
    await expect.poll(() => row.first().innerText(), { timeout: 30_000 }).toMatch(/[1-9]\d* \//);
    await new Promise((r) => setTimeout(r, 2500)); // let the charts gather a few samples
    // The upload limit in force: a viewer's is automatic (PROTOCOL §9.4), a broadcaster's is none unless set.
    expect(await watch.getByTestId('upload-cap').innerText()).toMatch(/^Upload limit: automatic/);
    await shot(watch, 'dashboard-viewer');
    await live.getByTestId('nav-dashboard').click();
    await new Promise((r) => setTimeout(r, 1000));
    expect(await live.getByTestId('upload-cap').innerText()).toMatch(
      /^Upload limit: none \(set one, about 90%/,
    );
    await shot(live, 'dashboard-broadcaster');

    await watch.getByTestId('nav-settings').click();
    await shot(watch, 'settings');

    // The theme follows the OS: the same screens in dark mode.
    await watch.emulateMedia({ colorScheme: 'dark' });
    await live.emulateMedia({ colorScheme: 'dark' });
    await shot(watch, 'settings-dark');
    await watch.getByTestId('nav-dashboard').click();
    await shot(watch, 'dashboard-viewer-dark');
    await live.getByTestId('nav-go-live').click();
    await shot(live, 'go-live-live-dark');
    await watch.emulateMedia({ colorScheme: 'light' });
    await live.emulateMedia({ colorScheme: 'light' });

    // --- 400 px wide windows (issue 17 §3) ---
    await checkNarrow(watch, 'viewer', ['watch', 'dashboard', 'settings', 'go-live']);
    await checkNarrow(live, 'broadcaster', ['go-live', 'dashboard', 'watch']);
    await watch.setViewportSize({ width: 400, height: 860 });
    await watch.getByTestId('nav-watch').click();
    if ((await watch.getByTestId('copy-gateway-url').count()) > 0)
      expect(await overlap(watch, 'copy-gateway-url', 'stop-watching-button')).toBe(false);
    // The stream's address shows in full (it wraps), not "shoal:/".
    const streamCode = watch.locator('.stream-bar-id code');
    expect((await streamCode.innerText()).trim()).toBe(address);
    expect(await streamCode.evaluate((e) => e.scrollWidth - e.clientWidth)).toBeLessThanOrEqual(1);
    await live.setViewportSize({ width: 400, height: 860 });
    await live.getByTestId('nav-go-live').click();
    expect(await overlap(live, 'copy-address-button', 'stop-broadcast-button')).toBe(false);
    // The address field shows the address (at least its scheme and part of the id).
    const addressWidth = await live.getByTestId('short-address-display').evaluate((e) => e.clientWidth);
    expect(addressWidth).toBeGreaterThan(150);
    await live.setViewportSize({ width: 1280, height: 860 });
    await watch.setViewportSize({ width: 1280, height: 860 });

    // --- The looping demo, joined after 60 s (issue 17 §3) ---
    // The bundled clip is 30 s (15 segments): joining after 60 s means joining after it looped.
    const waitMs = 62_000 - (Date.now() - demoStartedAt);
    if (waitMs > 0) await new Promise((r) => setTimeout(r, waitMs));
    await expect
      .poll(async () => Number(await live.getByTestId('segments-ingested').innerText()), { timeout: 60_000 })
      .toBeGreaterThan(16);
    await watch.getByTestId('nav-watch').click();
    await watch.getByTestId('stop-watching-button').click();
    await expect.poll(() => watch.getByTestId('player-dock').count(), { timeout: 30_000 }).toBe(0);
    await watch.getByTestId('address-input').fill(address);
    await watch.getByTestId('watch-button').click();
    await expect.poll(() => videoTime(watch), { timeout: 90_000, interval: 500 }).toBeGreaterThan(3);
    expect(await watch.locator('.player[data-phase="failed"]').count()).toBe(0);
    await shot(watch, 'watch-demo-after-loop');

    // --- An outage, explained (issue 17 §3): the broadcaster stops ---
    await live.getByTestId('stop-broadcast-button').click();
    const notice = watch.getByTestId('outage-notice');
    await expect
      .poll(() => notice.innerText().catch(() => ''), { timeout: 60_000 })
      .toMatch(/Broadcaster offline — waiting[\s\S]*stopped the stream[\s\S]*by itself/);
    expect(await notice.getAttribute('class')).toMatch(/alert-info/);
    expect(await watch.getByTestId('status-badge').innerText()).toMatch(/Broadcaster offline/);
    await shot(watch, 'watch-broadcaster-offline');
    expect(fatal).toEqual([]);
  }, 600_000);
});
