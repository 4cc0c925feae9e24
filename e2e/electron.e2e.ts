// End-to-end test of the desktop app: the real Electron binary, the built main process,
// preload and renderer, driven through Playwright. Without an Electron binary (installed
// with ELECTRON_SKIP_BINARY_DOWNLOAD, or a platform without one) every test is reported
// as SKIPPED with the reason; a missing build is a failure, because it is a mistake.
//
// Renderer test ids used: nav-go-live, demo-button, address-display (src-renderer).

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ARTIFACTS = path.join(ROOT, 'e2e-artifacts');
const BUILT = [
  'dist/src-main/electron/main.js',
  'dist/src-main/electron/preload.cjs',
  'dist/renderer/index.html',
];
/** A well-formed address nobody serves (port 9 is "discard"). */
const UNSERVED_LINK = `shoal://${'a'.repeat(52)}@127.0.0.1:9`;

type Availability = { ok: true; binary: string } | { ok: false; reason: string };

/** Whether an Electron binary can run here, and if not, a reason a person can act on. */
function electronAvailability(): Availability {
  let binary: string;
  try {
    // The `electron` package exports the binary's path, and throws if it was never downloaded.
    binary = createRequire(import.meta.url)('electron') as string;
  } catch {
    return {
      ok: false,
      reason:
        'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD?); run `npx electron --version` after installing Electron to enable',
    };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return {
      ok: false,
      reason: `Electron binary not found at ${String(binary)}; reinstall the electron package`,
    };
  }
  if (process.platform === 'linux' && !process.env['DISPLAY'] && !process.env['WAYLAND_DISPLAY']) {
    return { ok: false, reason: 'no display for Electron; run the e2e tests under `xvfb-run -a`' };
  }
  return { ok: true, binary };
}

const availability = electronAvailability();
// Say it where people look: vitest's summary shows only a count of skipped tests.
if (!availability.ok) console.warn(`[electron e2e] SKIPPED: ${availability.reason}`);

function requireElectron(ctx: TestContext): void {
  if (!availability.ok) ctx.skip(availability.reason);
}

describe('Electron desktop app', () => {
  let app: ElectronApplication | null = null;
  let page: Page;
  let userData: string;

  beforeAll(async () => {
    if (!availability.ok) return;
    const missing = BUILT.filter((file) => !existsSync(path.join(ROOT, file)));
    if (missing.length > 0) {
      throw new Error(`not built: ${missing.join(', ')}; run \`npm run build:electron\` first`);
    }
    await mkdir(ARTIFACTS, { recursive: true });
    userData = await mkdtemp(path.join(tmpdir(), 'shoal-e2e-electron-'));
    app = await _electron.launch({
      executablePath: availability.binary,
      args: ['.'],
      cwd: ROOT,
      // Own profile: own settings, keys and single-instance lock, nothing of the user's.
      env: { ...process.env, SHOAL_USER_DATA_DIR: userData } as Record<string, string>,
      timeout: 30_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  }, 60_000);

  afterAll(async () => {
    if (app) {
      await Promise.race([app.close(), new Promise((resolve) => setTimeout(resolve, 15_000))]);
      app.process().kill();
    }
    if (userData) await rm(userData, { recursive: true, force: true });
  }, 30_000);

  it('opens one window on the app scheme', async (ctx) => {
    requireElectron(ctx);
    expect(page.url()).toBe('shoal-app://app/index.html');
    expect(await page.title()).toBe('Shoal');
    await page.screenshot({ path: path.join(ARTIFACTS, 'electron-start.png') });
  });

  it('runs the renderer isolated and sandboxed', async (ctx) => {
    requireElectron(ctx);
    const prefs = await app!.evaluate(({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0]!.webContents as unknown as {
        getLastWebPreferences?: () => Record<string, unknown>;
      };
      return contents.getLastWebPreferences?.() ?? null;
    });
    // getLastWebPreferences is undocumented; the renderer-side checks below hold either way.
    if (prefs) {
      expect(prefs).toMatchObject({
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        webSecurity: true,
      });
    }
    const seen = await page.evaluate(() => {
      const g = globalThis as unknown as Record<string, unknown> & { shoal?: Record<string, unknown> };
      return {
        shoal: typeof g.shoal,
        host: g.shoal?.['host'],
        require: typeof g['require'],
        process: typeof g['process'],
        ipcRenderer: typeof g['ipcRenderer'],
        electron: typeof g['electron'],
      };
    });
    expect(seen).toEqual({
      shoal: 'object',
      host: 'electron',
      require: 'undefined',
      process: 'undefined',
      ipcRenderer: 'undefined',
      electron: 'undefined',
    });
  });

  it('answers calls over IPC and rejects bad arguments with their code', async (ctx) => {
    requireElectron(ctx);
    const result = await page.evaluate(async () => {
      const shoal = (
        globalThis as unknown as {
          shoal: { getSettings(): Promise<unknown>; updateSettings(p: unknown): Promise<unknown> };
        }
      ).shoal;
      const settings = (await shoal.getSettings()) as { maxPeers: number };
      const error = await shoal
        .updateSettings({ maxPeers: 0 })
        .catch((e: unknown) => e as Record<string, unknown>);
      return { maxPeers: settings.maxPeers, error };
    });
    expect(typeof result.maxPeers).toBe('number');
    expect(result.error).toMatchObject({ codeName: 'BAD_SETTINGS' });
  });

  it('refuses to navigate away or open windows', async (ctx) => {
    requireElectron(ctx);
    await page.evaluate(() => {
      const g = globalThis as unknown as { location: { href: string }; open(url: string): unknown };
      g.open('file:///etc/hostname');
      g.location.href = 'file:///etc/hostname';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe('shoal-app://app/index.html');
    expect(app!.windows()).toHaveLength(1);
  });

  it('starts the demo broadcast and shows its address', async (ctx) => {
    requireElectron(ctx);
    await page.getByTestId('nav-go-live').click();
    await page.getByTestId('demo-button').click();
    const address = page.getByTestId('address-display');
    await expect
      .poll(async () => (await address.textContent({ timeout: 20_000 }))?.trim(), { timeout: 30_000 })
      .toMatch(/^shoal:\/\/[a-z2-7]{52}@/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'electron-broadcast.png') });
  }, 60_000);

  it('hides to the tray instead of closing while broadcasting', async (ctx) => {
    requireElectron(ctx);
    const state = await app!.evaluate(async ({ BrowserWindow }) => {
      const win = BrowserWindow.getAllWindows()[0]!;
      win.close();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const afterClose = { destroyed: win.isDestroyed(), visible: !win.isDestroyed() && win.isVisible() };
      if (!win.isDestroyed()) win.show();
      return afterClose;
    });
    expect(state).toEqual({ destroyed: false, visible: false });
  });

  it('forwards a link from a second launch to the running window', async (ctx) => {
    requireElectron(ctx);
    await page.evaluate(() => {
      const g = globalThis as unknown as {
        shoal: { onOpenLink(listener: (link: string) => void): () => void };
        __links: string[];
      };
      g.__links = [];
      g.shoal.onOpenLink((link) => g.__links.push(link));
    });
    const second = spawn(availability.ok ? availability.binary : '', ['.', UNSERVED_LINK], {
      cwd: ROOT,
      env: { ...process.env, SHOAL_USER_DATA_DIR: userData },
      stdio: 'ignore',
    });
    const exitCode = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    expect(exitCode).toBe(0);
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as { __links: string[] }).__links), {
        timeout: 10_000,
      })
      .toContain(UNSERVED_LINK);
  }, 30_000);
});
