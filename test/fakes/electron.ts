// A small stand-in for the `electron` module, enough to run the Electron shell's main
// process code in plain Node (there is no Electron binary in CI). It records what the
// code asked for and lets a test play the OS: app ready, a second launch, a window
// close, a quit. Use it with `vi.mock('electron', () => createFakeElectron(...))`.

import { EventEmitter } from 'node:events';

export interface PreventableEvent {
  defaultPrevented: boolean;
  preventDefault(): void;
}

export function preventable<T extends object>(extra?: T): PreventableEvent & T {
  const event = {
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
    ...extra,
  };
  return event as PreventableEvent & T;
}

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly sent: Array<{ channel: string; payload: unknown }> = [];
  url = '';
  destroyed = false;
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  mainFrame = { url: '', parent: null };

  send(channel: string, payload: unknown): void {
    this.sent.push({ channel, payload });
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = handler;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  reload(): void {}
  async loadURL(url: string): Promise<void> {
    this.emit('did-start-loading');
    this.url = url;
    this.mainFrame = { url, parent: null };
    this.emit('did-finish-load');
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static all: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.all.filter((w) => !w.destroyed);
  }

  readonly webContents = new FakeWebContents();
  visible = false;
  destroyed = false;
  focused = false;

  constructor(
    readonly options: Record<string, unknown>,
    private readonly fake: FakeElectron,
  ) {
    super();
    FakeBrowserWindow.all.push(this);
  }

  async loadURL(url: string): Promise<void> {
    await this.webContents.loadURL(url);
    this.emit('ready-to-show');
  }
  show(): void {
    const wasVisible = this.visible;
    this.visible = true;
    if (!wasVisible) this.emit('show');
  }
  hide(): void {
    this.visible = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {}
  maximize(): void {}
  isVisible(): boolean {
    return this.visible;
  }
  isMinimized(): boolean {
    return false;
  }
  isMaximized(): boolean {
    return false;
  }
  isFullScreen(): boolean {
    return false;
  }
  setFullScreen(): void {}
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setBackgroundColor(): void {}
  getNormalBounds() {
    return { x: 10, y: 10, width: 1000, height: 700 };
  }
  /** Like a click on the close button: 'close' may be prevented, else the window goes. */
  close(): void {
    const event = preventable();
    this.emit('close', event);
    if (event.defaultPrevented) return;
    this.destroy();
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroyed = true;
    this.emit('closed');
    // Electron does not emit window-all-closed for windows that app.quit() closes.
    if (FakeBrowserWindow.getAllWindows().length === 0 && !this.fake.app.quitting) {
      this.fake.app.emit('window-all-closed');
    }
  }
}

export class FakeTray extends EventEmitter {
  tooltip = '';
  menu: unknown = null;
  destroyed = false;
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: unknown): void {
    this.menu = menu;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

export interface FakeElectronOptions {
  appPath: string;
  userData: string;
  gotLock?: boolean;
}

export type FakeElectron = ReturnType<typeof createFakeElectron>;

export function createFakeElectron(options: FakeElectronOptions) {
  let markReady: () => void = () => {};
  const readyPromise = new Promise<void>((resolve) => {
    markReady = resolve;
  });
  const paths = new Map<string, string>([['userData', options.userData]]);
  const record = {
    isReady: false,
    privilegedSchemesBeforeReady: null as unknown[] | null,
    lockData: undefined as unknown,
    handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
    ipcHandlers: new Map<string, (event: unknown, payload: unknown) => unknown>(),
    permissionRequest: null as null | ((...args: unknown[]) => void),
    permissionCheck: null as null | ((...args: unknown[]) => boolean),
    quitCalls: 0,
    exitCalls: [] as number[],
    errorBoxes: [] as Array<{ title: string; content: string }>,
    /** Message boxes shown (with their parent window, if any); answered with `messageBoxResponse`. */
    messageBoxes: [] as Array<{
      parent: unknown;
      options: { message?: string; detail?: string; buttons?: string[] };
    }>,
    messageBoxResponse: 0,
    openedExternally: [] as string[],
    trays: [] as FakeTray[],
    registeredProtocolClients: [] as string[],
  };

  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    quitting: false,
    getAppPath: () => options.appPath,
    getPath: (name: string) => paths.get(name) ?? `/fake/${name}`,
    setPath: (name: string, value: string) => paths.set(name, value),
    requestSingleInstanceLock: (data?: unknown) => {
      record.lockData = data;
      return options.gotLock ?? true;
    },
    whenReady: () => readyPromise,
    setAsDefaultProtocolClient: (scheme: string) => {
      record.registeredProtocolClients.push(scheme);
      return true;
    },
    setAppUserModelId: () => {},
    /** Electron's order: before-quit, windows close, will-quit (preventable), exit. */
    quit: () => {
      record.quitCalls++;
      app.quitting = true;
      app.emit('before-quit', preventable());
      for (const win of FakeBrowserWindow.getAllWindows()) win.close();
      if (FakeBrowserWindow.getAllWindows().length > 0) {
        app.quitting = false; // a window refused to close
        return;
      }
      const willQuit = preventable();
      app.emit('will-quit', willQuit);
      if (willQuit.defaultPrevented) app.quitting = false;
      else record.exitCalls.push(0);
    },
    exit: (code = 0) => {
      record.exitCalls.push(code);
    },
  });

  const fake = {
    record,
    /** Plays the OS saying the app is ready; resolves once pending work has settled. */
    async ready(): Promise<void> {
      record.isReady = true;
      markReady();
      await settle();
    },
    app,
    BrowserWindow: class extends FakeBrowserWindow {
      constructor(opts: Record<string, unknown>) {
        super(opts, fake as unknown as FakeElectron);
      }
    },
    Tray: class extends FakeTray {
      constructor() {
        super();
        record.trays.push(this);
      }
    },
    nativeImage: { createFromPath: () => ({ resize: () => ({}) }) },
    Menu: {
      setApplicationMenu: () => {},
      buildFromTemplate: (template: unknown[]) => ({ template }),
    },
    Notification: Object.assign(
      class {
        show() {}
      },
      { isSupported: () => false },
    ),
    nativeTheme: Object.assign(new EventEmitter(), { shouldUseDarkColors: true }),
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    powerSaveBlocker: { start: () => 7, stop: () => {} },
    dialog: {
      showErrorBox: (title: string, content: string) => record.errorBoxes.push({ title, content }),
      showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
      showMessageBox: async (...args: unknown[]) => {
        const [parent, options] = args.length > 1 ? args : [null, args[0]];
        record.messageBoxes.push({ parent, options: options as { message?: string } });
        return { response: record.messageBoxResponse, checkboxChecked: false };
      },
    },
    shell: {
      openExternal: async (url: string) => {
        record.openedExternally.push(url);
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        if (!record.isReady) record.privilegedSchemesBeforeReady = schemes;
      },
      handle: (scheme: string, handler: (request: Request) => Promise<Response> | Response) => {
        record.handlers.set(scheme, handler);
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (h: (...args: unknown[]) => void) => (record.permissionRequest = h),
        setPermissionCheckHandler: (h: (...args: unknown[]) => boolean) => (record.permissionCheck = h),
        setDevicePermissionHandler: () => {},
        webRequest: { onBeforeRequest: () => {} },
      },
    },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, payload: unknown) => unknown) =>
        record.ipcHandlers.set(channel, fn),
      removeHandler: (channel: string) => record.ipcHandlers.delete(channel),
    },
  };
  return fake;
}

/** Lets queued promise callbacks, short timers and quick file I/O run. */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setTimeout(resolve, 5));
}
