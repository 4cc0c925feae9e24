// The one app window: locked-down web preferences, a background that matches the OS
// theme (no white flash in dark mode), navigation and pop-ups kept inside the app, and
// a close button that hides to the tray while something is streaming.

import { BrowserWindow, nativeTheme, screen, shell, type WebPreferences } from 'electron';
import { decideNavigation } from './security-policy.js';
import { restoreWindow, saveWindowState, WINDOW_DEFAULTS, type WindowState } from './window-state.js';

/** The security-relevant preferences, spelled out even where they are Electron's defaults. */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
} as const satisfies WebPreferences;

const BACKGROUND = { dark: '#0f1216', light: '#f7f8fa' } as const;

export function themeBackground(): string {
  return nativeTheme.shouldUseDarkColors ? BACKGROUND.dark : BACKGROUND.light;
}

export interface MainWindowOptions {
  preload: string;
  icon: string;
  devTools: boolean;
  /** Saved window state (untrusted JSON) and where to save it. */
  savedState: unknown;
  stateFile: string;
  /** Asked when the user closes the window: true hides it to the tray instead. */
  shouldHideOnClose: () => boolean;
  /** Called the first time the window hides to the tray. */
  onHiddenToTray: () => void;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const restored = restoreWindow(
    options.savedState,
    screen.getAllDisplays().map((d) => d.workArea),
  );
  const win = new BrowserWindow({
    ...restored.bounds,
    minWidth: WINDOW_DEFAULTS.minWidth,
    minHeight: WINDOW_DEFAULTS.minHeight,
    title: 'Shoal',
    icon: options.icon,
    show: false,
    backgroundColor: themeBackground(),
    autoHideMenuBar: true,
    webPreferences: { ...SECURE_WEB_PREFERENCES, preload: options.preload, devTools: options.devTools },
  });
  if (restored.maximized) win.maximize();
  win.once('ready-to-show', () => win.show());

  const onThemeChange = () => win.setBackgroundColor(themeBackground());
  nativeTheme.on('updated', onThemeChange);
  win.once('closed', () => nativeTheme.off('updated', onThemeChange));

  guardNavigation(win);
  reloadAfterCrash(win);
  hideOnClose(win, options);
  rememberState(win, options.stateFile);
  return win;
}

/** In-app navigation only; web links go to the default browser; everything else nowhere. */
function guardNavigation(win: BrowserWindow): void {
  const contents = win.webContents;
  // A user clicking a web link is sent to the browser; redirects and subframes never are.
  const guard = (event: { preventDefault(): void }, url: string, userLink: boolean) => {
    const decision = decideNavigation(url);
    if (decision.action === 'allow') return;
    event.preventDefault();
    if (userLink && decision.openExternally) void shell.openExternal(decision.openExternally);
  };
  contents.on('will-navigate', (event) => guard(event, event.url, true));
  // Also fires for the main frame, which will-navigate has already handled.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) guard(event, event.url, false);
  });
  contents.on('will-redirect', (event) => guard(event, event.url, false));
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideNavigation(url);
    if (decision.action === 'deny' && decision.openExternally)
      void shell.openExternal(decision.openExternally);
    return { action: 'deny' };
  });
}

/** A crashed page comes back by itself, unless it keeps crashing (then reloading won't help). */
function reloadAfterCrash(win: BrowserWindow): void {
  const crashes: number[] = [];
  win.webContents.on('render-process-gone', (_event, details) => {
    console.error(`[shoal] renderer gone: ${details.reason} (exit code ${details.exitCode})`);
    if (details.reason === 'clean-exit' || win.isDestroyed()) return;
    const now = Date.now();
    crashes.push(now);
    while (crashes.length > 0 && (crashes[0] as number) < now - 60_000) crashes.shift();
    if (crashes.length <= 3) win.webContents.reload();
  });
}

function hideOnClose(win: BrowserWindow, options: MainWindowOptions): void {
  let toldUser = false;
  win.on('close', (event) => {
    if (!options.shouldHideOnClose()) return;
    event.preventDefault();
    if (win.isFullScreen()) win.setFullScreen(false);
    win.hide();
    if (!toldUser) {
      toldUser = true;
      options.onHiddenToTray();
    }
  });
}

/** Saves size/position after the user stops moving the window, and when it closes. */
function rememberState(win: BrowserWindow, file: string): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const current = (): WindowState => {
    const b = win.getNormalBounds();
    return { x: b.x, y: b.y, width: b.width, height: b.height, maximized: win.isMaximized() };
  };
  const save = () => {
    timer = null;
    if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
    saveWindowState(file, current()).catch(() => {
      // Not worth bothering the user: the window just opens at the default size next time.
    });
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', () => {
    if (timer) clearTimeout(timer);
    save();
  });
}
