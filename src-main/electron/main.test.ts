// Runs the real main.ts against a fake `electron` module and a fake engine: the wiring
// a missing Electron binary would otherwise leave untested (startup order, links,
// single instance, IPC trust, hide-to-tray, clean quit).

import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import {
  createFakeElectron,
  FakeBrowserWindow,
  settle,
  type FakeElectron,
} from '../../test/fakes/electron.js';
import { CALL_CHANNEL, OPEN_LINK_CHANNEL } from './ipc-channels.js';

const engines = vi.hoisted(() => {
  type Listener = (snapshot: unknown) => void;
  class FakeEngine {
    static created: FakeEngine[] = [];
    started = false;
    destroyed = false;
    mode: 'idle' | 'broadcasting' | 'watching' = 'idle';
    private readonly snapshotListeners = new Set<Listener>();
    constructor(readonly options: { dataDir: string; mediaBaseUrl: string; sampleFolder: string }) {
      FakeEngine.created.push(this);
    }
    async start() {
      this.started = true;
    }
    async destroy() {
      this.destroyed = true;
    }
    stopBroadcastCalls = 0;
    async stopBroadcast() {
      this.stopBroadcastCalls++;
      this.setMode('idle');
    }
    getSnapshot() {
      return { mode: this.mode, state: 'idle', peers: [], rates: {}, gatewayUrl: null } as unknown;
    }
    setMode(mode: FakeEngine['mode']) {
      this.mode = mode;
      for (const listener of this.snapshotListeners) listener(this.getSnapshot());
    }
    getSettings() {
      return { maxPeers: 24 };
    }
    onSnapshot(listener: Listener) {
      this.snapshotListeners.add(listener);
      return () => this.snapshotListeners.delete(listener);
    }
    onEvent() {
      return () => {};
    }
    async handleMedia(p: string) {
      return { status: 200, contentType: 'text/plain', body: `media ${p}` };
    }
  }
  return FakeEngine;
});

vi.mock('../engine/engine.js', () => ({ Engine: engines }));

const LINK = `shoal://${'a'.repeat(52)}@192.0.2.1:4000`;
let appPath: string;
let fake: FakeElectron;
const originalArgv = process.argv;

beforeAll(async () => {
  appPath = await mkdtemp(path.join(tmpdir(), 'shoal-main-'));
  await mkdir(path.join(appPath, 'dist', 'renderer'), { recursive: true });
  await writeFile(
    path.join(appPath, 'dist', 'renderer', 'index.html'),
    '<!doctype html><title>Shoal</title>',
  );
});

afterAll(async () => {
  await rm(appPath, { recursive: true, force: true });
});

afterEach(() => {
  process.argv = originalArgv;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    for (const listener of process.listeners(signal)) {
      if (!baselineSignalListeners.includes(listener)) process.off(signal, listener);
    }
  }
  FakeBrowserWindow.all = [];
  engines.created = [];
});
const baselineSignalListeners = [...process.listeners('SIGINT'), ...process.listeners('SIGTERM')];

/** Imports main.ts afresh, as an app launch with these arguments. */
async function launch(
  options: { argv?: string[]; gotLock?: boolean; ready?: boolean; rendererBuilt?: boolean } = {},
) {
  vi.resetModules();
  fake = createFakeElectron({
    appPath: options.rendererBuilt === false ? path.join(appPath, 'nowhere') : appPath,
    userData: path.join(appPath, 'profile'),
    gotLock: options.gotLock ?? true,
  });
  const current = fake;
  vi.doMock('electron', () => current);
  process.argv = ['/usr/bin/electron', '.', ...(options.argv ?? [])];
  vi.spyOn(console, 'error').mockImplementation(() => {});
  await import('./main.js');
  if (options.ready ?? true) await ready();
  const win = FakeBrowserWindow.getAllWindows()[0];
  return { win, engine: engines.created[0] };
}

/** The OS says ready; waits until the window shows the page or startup gave up. */
async function ready(): Promise<void> {
  await fake.ready();
  await vi.waitFor(() => {
    const loaded = FakeBrowserWindow.getAllWindows()[0]?.webContents.url;
    if (!loaded && fake.record.errorBoxes.length === 0) throw new Error('still starting');
  });
  await settle();
}

function ourCallEvent(win: FakeBrowserWindow, url = 'shoal-app://app/index.html') {
  return { sender: { id: win.webContents.id }, senderFrame: { url, parent: null } };
}

describe('main process startup', () => {
  it('registers the privileged schemes before ready and asks for the single-instance lock', async () => {
    await launch({ argv: [LINK], ready: false });
    const schemes = fake.record.privilegedSchemesBeforeReady as Array<{ scheme: string; privileges: object }>;
    expect(schemes.map((s) => s.scheme)).toEqual(['shoal-app', 'shoal-media']);
    expect(schemes[1]?.privileges).toMatchObject({
      standard: true,
      secure: true,
      corsEnabled: true,
      stream: true,
    });
    expect(fake.record.lockData).toEqual({ link: LINK });
  });

  it('starts the engine with the profile, the media scheme and the sample, then opens the window', async () => {
    const { win, engine } = await launch();
    expect(engine?.options).toEqual({
      dataDir: path.join(appPath, 'profile'),
      mediaBaseUrl: 'shoal-media://media',
      sampleFolder: path.join(appPath, 'assets', 'sample'),
    });
    expect(engine?.started).toBe(true);
    expect(win?.webContents.url).toBe('shoal-app://app/index.html');
    expect(win?.visible).toBe(true);
    expect(win?.options['webPreferences']).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    });
    expect(String((win?.options['webPreferences'] as { preload: string }).preload)).toMatch(/preload\.cjs$/);
    // A dev checkout does not claim shoal:// system-wide.
    expect(fake.record.registeredProtocolClients).toEqual([]);
    expect(fake.record.trays).toHaveLength(1);
  });

  it('serves the renderer and media through the schemes', async () => {
    await launch();
    const page = await fake.record.handlers.get('shoal-app')!(new Request('shoal-app://app/index.html'));
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const media = await fake.record.handlers.get('shoal-media')!(
      new Request('shoal-media://media/stream/x/master.m3u8'),
    );
    expect(await media.text()).toBe('media /stream/x/master.m3u8');
  });

  it('denies permissions except fullscreen for our page', async () => {
    await launch();
    const decide = (permission: string, url: string) =>
      new Promise<boolean>((resolve) =>
        fake.record.permissionRequest!(null, permission, resolve, { requestingUrl: url }),
      );
    expect(await decide('media', 'shoal-app://app/index.html')).toBe(false);
    expect(await decide('fullscreen', 'shoal-app://app/index.html')).toBe(true);
    expect(fake.record.permissionCheck!(null, 'geolocation', 'shoal-app://app')).toBe(false);
  });

  it('explains a missing renderer build and quits', async () => {
    await launch({ rendererBuilt: false });
    expect(fake.record.errorBoxes[0]?.content).toMatch(/npm run build:electron/);
    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(0);
    await settle();
    expect(fake.record.exitCalls).toEqual([0]);
  });

  it('quits at once when another instance holds the lock', async () => {
    await launch({ gotLock: false, ready: false });
    await fake.ready();
    expect(fake.record.quitCalls).toBe(1);
    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(0);
    expect(engines.created).toHaveLength(0);
  });
});

describe('links', () => {
  it('hands a launch link to the page once it has loaded', async () => {
    const { win } = await launch({ argv: [LINK] });
    await settle();
    expect(win?.webContents.sent).toContainEqual({ channel: OPEN_LINK_CHANNEL, payload: LINK });
  });

  it('forwards a second launch’s link to the running window and shows it', async () => {
    const { win } = await launch();
    win!.hide();
    fake.app.emit('second-instance', {}, ['/opt/Shoal/shoal', '--x'], '/home/me', { link: LINK });
    await settle();
    expect(win?.visible).toBe(true);
    expect(win?.webContents.sent).toContainEqual({ channel: OPEN_LINK_CHANNEL, payload: LINK });
  });

  it('reads the link from argv when the second instance sent none', async () => {
    const { win } = await launch();
    fake.app.emit('second-instance', {}, ['/opt/Shoal/shoal', LINK], '/home/me', null);
    await settle();
    expect(win?.webContents.sent).toContainEqual({ channel: OPEN_LINK_CHANNEL, payload: LINK });
  });

  it('takes macOS open-url links, even before the window exists', async () => {
    await launch({ ready: false });
    const event = { preventDefault: vi.fn() };
    fake.app.emit('open-url', event, LINK);
    expect(event.preventDefault).toHaveBeenCalled();
    await ready();
    const win = FakeBrowserWindow.getAllWindows()[0];
    expect(win?.webContents.sent).toContainEqual({ channel: OPEN_LINK_CHANNEL, payload: LINK });
  });
});

describe('links while broadcasting', () => {
  const opened = (win: FakeBrowserWindow | undefined) =>
    win?.webContents.sent.filter((m) => m.channel === OPEN_LINK_CHANNEL) ?? [];

  it('asks before a link stops the broadcast, and does nothing when the user declines', async () => {
    const { win, engine } = await launch();
    engine!.setMode('broadcasting');
    win!.hide(); // in the tray
    fake.record.messageBoxResponse = 0; // "Keep broadcasting"
    fake.app.emit('second-instance', {}, ['/opt/Shoal/shoal'], '/home/me', { link: LINK });
    await vi.waitFor(() => expect(fake.record.messageBoxes).toHaveLength(1));
    await settle();
    const box = fake.record.messageBoxes[0]!;
    expect(box.parent).toBe(win); // shown over the window, which came out of the tray
    expect(win?.visible).toBe(true);
    expect(box.options.message).toMatch(/Stop broadcasting/);
    expect(box.options.detail).toContain(LINK);
    expect(box.options.buttons?.[0]).toBe('Keep broadcasting');
    expect(engine!.stopBroadcastCalls).toBe(0);
    expect(engine!.mode).toBe('broadcasting');
    expect(opened(win)).toEqual([]);
  });

  it('stops the broadcast and opens the link when the user agrees', async () => {
    const { win, engine } = await launch();
    engine!.setMode('broadcasting');
    fake.record.messageBoxResponse = 1; // "Stop broadcast and watch"
    fake.app.emit('open-url', { preventDefault: () => {} }, LINK);
    await vi.waitFor(() => expect(opened(win)).toHaveLength(1));
    expect(fake.record.messageBoxes).toHaveLength(1);
    expect(engine!.stopBroadcastCalls).toBe(1);
    expect(opened(win)).toEqual([{ channel: OPEN_LINK_CHANNEL, payload: LINK }]);
  });

  it('asks nothing when nothing is being broadcast', async () => {
    const { win, engine } = await launch();
    engine!.setMode('watching');
    fake.app.emit('open-url', { preventDefault: () => {} }, LINK);
    await vi.waitFor(() => expect(opened(win)).toHaveLength(1));
    expect(fake.record.messageBoxes).toEqual([]);
    expect(engine!.stopBroadcastCalls).toBe(0);
  });
});

describe('IPC trust', () => {
  it('answers our window and refuses other senders and pages', async () => {
    const { win } = await launch();
    const handler = fake.record.ipcHandlers.get(CALL_CHANNEL)!;
    await expect(handler(ourCallEvent(win!), { method: 'getSettings' })).resolves.toEqual({
      ok: true,
      result: { maxPeers: 24 },
    });
    expect(() => handler({ ...ourCallEvent(win!), sender: { id: 9999 } }, { method: 'getSettings' })).toThrow(
      /refused/,
    );
    expect(() => handler(ourCallEvent(win!, 'https://evil.example/'), { method: 'getSettings' })).toThrow(
      /refused/,
    );
    expect(() =>
      handler(
        { ...ourCallEvent(win!), senderFrame: { url: 'shoal-app://app/', parent: {} } },
        { method: 'getSettings' },
      ),
    ).toThrow(/refused/);
  });
});

describe('closing and quitting', () => {
  it('hides to the tray while broadcasting', async () => {
    const { win, engine } = await launch();
    engine!.setMode('broadcasting');
    win!.close();
    expect(win?.destroyed).toBe(false);
    expect(win?.visible).toBe(false);
    expect(engine?.destroyed).toBe(false);
  });

  it('quits when an idle window is closed, destroying the engine first', async () => {
    const { win, engine } = await launch();
    (engine as unknown as { getSnapshot(): StatsSnapshot }).getSnapshot();
    win!.close();
    expect(win?.destroyed).toBe(true);
    await settle();
    expect(engine?.destroyed).toBe(true);
    expect(fake.record.exitCalls).toEqual([0]);
    expect(fake.record.trays[0]?.destroyed).toBe(true);
    expect(fake.record.ipcHandlers.has(CALL_CHANNEL)).toBe(false);
  });

  it('holds the exit until the engine has stopped', async () => {
    const { engine } = await launch();
    let finish: () => void = () => {};
    engine!.destroy = () =>
      new Promise<void>((resolve) => {
        finish = () => {
          engine!.destroyed = true;
          resolve();
        };
      });
    fake.app.quit();
    await settle();
    expect(fake.record.exitCalls).toEqual([]);
    finish();
    await settle();
    expect(fake.record.exitCalls).toEqual([0]);
  });
});
