// The Electron entry point. It owns the app's lifecycle: one instance per profile, links
// from the OS, the engine started before the window and destroyed before exit, the two
// privileged schemes, the locked-down session, the window, the tray and the menu.

import {
  app,
  Menu,
  Notification,
  dialog,
  powerSaveBlocker,
  protocol,
  session,
  type BrowserWindow,
} from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import { Engine } from '../engine/engine.js';
import { RendererFiles } from '../host-edge/renderer-files.js';
import { appLayout } from './app-layout.js';
import { buildAppMenu } from './app-menu.js';
import { IpcBridge } from './ipc-bridge.js';
import { LatestThrottle } from './latest-throttle.js';
import { asShoalLink, findShoalLink, linkFromLaunch, readShoalFile } from './link-args.js';
import { handleAppRequest, handleMediaRequest } from './protocol-handlers.js';
import { APP_ENTRY_URL, APP_SCHEME, MEDIA_BASE_URL, MEDIA_SCHEME } from './schemes.js';
import { PRIVILEGED_SCHEMES, decideNavigation, isPermissionAllowed } from './security-policy.js';
import { ShoalTray } from './tray.js';
import { createMainWindow } from './window.js';
import { loadWindowState } from './window-state.js';
import { installProcessGuard } from '../engine/process-guard.js';

const LINK_SCHEME = 'shoal';
const ENGINE_STOP_TIMEOUT_MS = 5000;
const isDev = !app.isPackaged;

// Tests, and a second local peer on one machine, run with their own profile. The
// single-instance lock is per profile, so this must happen before asking for it.
if (process.env['SHOAL_USER_DATA_DIR'])
  app.setPath('userData', path.resolve(process.env['SHOAL_USER_DATA_DIR']));

// Must happen before `ready`.
protocol.registerSchemesAsPrivileged(
  PRIVILEGED_SCHEMES.map(({ scheme, privileges }) => ({ scheme, privileges: { ...privileges } })),
);

if (!app.requestSingleInstanceLock({ link: findShoalLink(process.argv) })) {
  // Another Shoal runs with this profile: it gets our link (second-instance) and shows itself.
  app.quit();
} else {
  runPrimaryInstance();
}

function runPrimaryInstance(): void {
  let engine: Engine | null = null;
  let bridge: IpcBridge | null = null;
  let window: BrowserWindow | null = null;
  let tray: ShoalTray | null = null;
  let quitting = false;
  let stopped = false;
  let keepAwakeId: number | null = null;
  let latest: StatsSnapshot | null = null;
  const linksBeforeReady: string[] = [];
  const layout = appLayout({
    appPath: app.getAppPath(),
    resourcesPath: process.resourcesPath,
    isPackaged: app.isPackaged,
    mainDir: path.dirname(fileURLToPath(import.meta.url)),
  });

  // One link at a time: a second link waits until the question about the first is answered.
  let linkQueue: Promise<void> = Promise.resolve();
  const openLink = (link: string | null) => {
    if (link === null) return;
    if (!bridge) {
      linksBeforeReady.push(link);
      return;
    }
    linkQueue = linkQueue
      .then(() => deliverLink(link))
      .catch((err: unknown) => console.error('[shoal] could not open a link:', err));
  };

  const showWindow = () => {
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  };

  if (process.platform === 'win32') app.setAppUserModelId('org.shoal.app');
  registerAsLinkHandler();

  // macOS delivers links and double-clicked .shoal files as events, possibly before `ready`.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    openLink(asShoalLink(url));
  });
  app.on('open-file', (event, file) => {
    event.preventDefault();
    void readShoalFile(file).then(openLink);
  });
  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    showWindow();
    const sent = (additionalData as { link?: unknown } | null)?.link;
    // Chromium may reorder a second instance's argv; the link it sent itself is preferred.
    const link = typeof sent === 'string' ? asShoalLink(sent) : null;
    if (link) openLink(link);
    else void linkFromLaunch(argv, workingDirectory).then(openLink);
  });
  app.on('activate', showWindow);
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.on('before-quit', () => {
    quitting = true;
  });
  // Closing the window only hides it (tray) while streaming; when it really closes, quit.
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin' || quitting) app.quit();
  });
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    quitting = true;
    void shutdown().finally(() => {
      stopped = true;
      app.quit();
    });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => app.quit());
  installProcessGuard();

  app
    .whenReady()
    .then(start)
    .catch((err: unknown) =>
      fail('Shoal could not start', err instanceof Error ? err.message : String(err), err),
    );

  async function start(): Promise<void> {
    lockDownSession();
    let files: RendererFiles;
    try {
      files = await RendererFiles.open(layout.rendererRoot);
    } catch (err) {
      return fail(
        'Shoal’s interface is missing',
        `No built renderer at ${layout.rendererRoot}. Run \`npm run build:electron\` first.`,
        err,
      );
    }

    const started: Engine = new Engine({
      dataDir: app.getPath('userData'),
      mediaBaseUrl: MEDIA_BASE_URL,
      sampleFolder: layout.sampleFolder,
    });
    engine = started;
    protocol.handle(APP_SCHEME, (request) => handleAppRequest(files, request));
    protocol.handle(MEDIA_SCHEME, (request) => handleMediaRequest(started, request));
    await started.start();

    bridge = new IpcBridge(started);
    Menu.setApplicationMenu(buildAppMenu({ isDev, onShow: showWindow }));
    const stateFile = path.join(app.getPath('userData'), 'window-state.json');
    window = createMainWindow({
      preload: layout.preload,
      icon: layout.icon,
      devTools: isDev || process.env['SHOAL_DEVTOOLS'] === '1',
      savedState: await loadWindowState(stateFile),
      stateFile,
      // macOS apps live on after their window closes; elsewhere only while there is
      // something to seed, so closing an idle Shoal quits it as people expect.
      shouldHideOnClose: () => !quitting && (process.platform === 'darwin' || latest?.mode !== 'idle'),
      onHiddenToTray: tellUserWeAreInTheTray,
    });
    bridge.attach(window);
    tray = createTray();
    followSnapshots(started);

    await window.loadURL(APP_ENTRY_URL);
    openLink(await linkFromLaunch(process.argv, process.cwd()));
    for (const link of linksBeforeReady.splice(0)) bridge.openLink(link);
  }

  /**
   * Hands a link to the page. Watching it would stop a running broadcast, so first ask, with
   * a native dialog (the window may have been hidden in the tray): on "no", nothing happens;
   * on "yes", the broadcast is stopped here, so the page does not ask a second time.
   */
  async function deliverLink(link: string): Promise<void> {
    const running = engine;
    const target = bridge;
    if (!running || !target) return;
    if (running.getSnapshot().mode === 'broadcasting') {
      showWindow();
      if (!(await askToStopBroadcast(link))) return;
      await running.stopBroadcast();
    }
    target.openLink(link);
  }

  async function askToStopBroadcast(link: string): Promise<boolean> {
    const options = {
      type: 'question' as const,
      buttons: ['Keep broadcasting', 'Stop broadcast and watch'],
      defaultId: 0,
      cancelId: 0,
      noLink: true,
      title: 'Shoal',
      message: 'Stop broadcasting to watch this stream?',
      detail: `You are broadcasting. Watching ${link} stops your broadcast, and your viewers lose the stream.`,
    };
    const parent = window && !window.isDestroyed() ? window : null;
    const { response } = parent
      ? await dialog.showMessageBox(parent, options)
      : await dialog.showMessageBox(options);
    return response === 1;
  }

  function createTray(): ShoalTray | null {
    try {
      return new ShoalTray({ icon: layout.icon, onShow: showWindow, onQuit: () => app.quit() });
    } catch (err) {
      // Some Linux desktops have no tray; the app still works, it just cannot hide there.
      console.warn('[shoal] no tray icon:', err);
      return null;
    }
  }

  /** Tray speeds, and no system sleep while broadcasting or seeding. */
  function followSnapshots(source: Engine): void {
    latest = source.getSnapshot();
    const trayUpdates = new LatestThrottle<StatsSnapshot>((s) => tray?.update(s), 1000);
    source.onSnapshot((snapshot) => {
      latest = snapshot;
      trayUpdates.push(snapshot);
      const busy = snapshot.mode !== 'idle';
      if (busy && keepAwakeId === null) keepAwakeId = powerSaveBlocker.start('prevent-app-suspension');
      if (!busy && keepAwakeId !== null) {
        powerSaveBlocker.stop(keepAwakeId);
        keepAwakeId = null;
      }
    });
  }

  function tellUserWeAreInTheTray(): void {
    if (process.platform === 'darwin' || !Notification.isSupported()) return;
    new Notification({
      title: 'Shoal is still running',
      body: 'It keeps sharing the stream in the background. Use the tray icon, or open Shoal again, to get back.',
      icon: layout.icon,
      silent: true,
    }).show();
  }

  /** The page may go fullscreen and copy text; every other permission is refused. */
  function lockDownSession(): void {
    const ses = session.defaultSession;
    ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
      callback(isPermissionAllowed(permission, details.requestingUrl)),
    );
    ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
      isPermissionAllowed(permission, requestingOrigin),
    );
    ses.setDevicePermissionHandler(() => false);
    // Belt and braces behind the CSP: the renderer never talks to the network or disk
    // directly (the engine does, in this process). DevTools needs the web in dev.
    if (!isDev) {
      ses.webRequest.onBeforeRequest(
        { urls: ['http://*/*', 'https://*/*', 'ws://*/*', 'wss://*/*', 'file://*/*'] },
        (details, callback) => {
          const decision = decideNavigation(details.url);
          callback({ cancel: decision.action !== 'allow' });
        },
      );
    }
  }

  function registerAsLinkHandler(): void {
    // A dev checkout (`electron .`) does not claim shoal:// system-wide; installed builds do
    // (electron-builder also writes the registration into the installer / .desktop file).
    if (app.isPackaged) app.setAsDefaultProtocolClient(LINK_SCHEME);
  }

  async function shutdown(): Promise<void> {
    tray?.destroy();
    tray = null;
    bridge?.destroy();
    bridge = null;
    if (keepAwakeId !== null) powerSaveBlocker.stop(keepAwakeId);
    const running = engine;
    engine = null;
    if (!running) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        console.warn('[shoal] engine did not stop in time; quitting anyway');
        resolve();
      }, ENGINE_STOP_TIMEOUT_MS);
    });
    try {
      await Promise.race([running.destroy(), timeout]);
    } catch (err) {
      console.error('[shoal] engine shutdown failed:', err);
    } finally {
      clearTimeout(timer);
    }
  }

  function fail(title: string, detail: string, cause: unknown): void {
    console.error(`[shoal] ${title}:`, cause);
    dialog.showErrorBox(title, detail);
    quitting = true;
    app.quit();
  }
}
