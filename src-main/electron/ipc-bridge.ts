// The main-process end of the UI contract over Electron IPC: one invoke channel for
// calls (validated in ipc-dispatch.ts) and three push channels. Calls are answered only
// for our own window's top frame showing our own page; anything else is refused.

import {
  dialog,
  ipcMain,
  shell,
  type BrowserWindow,
  type IpcMainInvokeEvent,
  type WebContents,
} from 'electron';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import type { HostMethods } from '../engine/api-dispatcher.js';
import type { EngineFacade } from '../engine/engine-facade.js';
import { findExternalPlayer, isLoopbackHttpUrl, launchDetached } from './external-player.js';
import { CALL_CHANNEL, OPEN_LINK_CHANNEL, SNAPSHOT_CHANNEL } from './ipc-channels.js';
import { createIpcDispatch, type IpcDispatch } from './ipc-dispatch.js';
import { LatestThrottle } from './latest-throttle.js';
import { isTrustedCall } from './security-policy.js';

const SNAPSHOT_INTERVAL_MS = 1000;

export class IpcBridge {
  private window: BrowserWindow | null = null;
  private pageLoaded = false;
  private pendingLinks: string[] = [];
  private latestSnapshot: StatsSnapshot | null = null;
  private readonly dispatch: IpcDispatch;
  private readonly snapshots: LatestThrottle<StatsSnapshot>;
  private readonly unsubscribers: Array<() => void> = [];

  constructor(private readonly engine: EngineFacade) {
    const host: HostMethods = {
      pickFolder: () => this.pickFolder(),
      openExternalPlayer: () => this.openExternalPlayer(),
    };
    this.dispatch = createIpcDispatch(engine, host, (err) => console.error('[shoal] IPC call failed:', err));
    this.snapshots = new LatestThrottle((s) => this.send(SNAPSHOT_CHANNEL, s), SNAPSHOT_INTERVAL_MS);

    ipcMain.handle(CALL_CHANNEL, (event, payload: unknown) => {
      if (!this.isTrustedSender(event)) {
        console.warn('[shoal] refused an IPC call from', event.senderFrame?.url ?? 'a destroyed frame');
        throw new Error('refused: not the Shoal window');
      }
      return this.dispatch(payload);
    });
    this.unsubscribers.push(
      engine.onSnapshot((snapshot) => {
        this.latestSnapshot = snapshot;
        // A window hidden in the tray for hours needs no snapshots; it gets one on show.
        if (this.window?.isVisible()) this.snapshots.push(snapshot);
      }),
    );
  }

  attach(win: BrowserWindow): void {
    this.window = win;
    const contents = win.webContents;
    contents.on('did-start-loading', () => {
      this.pageLoaded = false;
    });
    contents.on('did-finish-load', () => {
      this.pageLoaded = true;
      for (const link of this.pendingLinks.splice(0)) this.send(OPEN_LINK_CHANNEL, link);
    });
    win.on('show', () => {
      if (this.latestSnapshot) this.snapshots.push(this.latestSnapshot);
    });
    win.once('closed', () => {
      if (this.window === win) this.window = null;
    });
  }

  /** Shows the window and hands the link to the UI, now or as soon as the page has loaded. */
  openLink(link: string): void {
    const win = this.window;
    if (win && !win.isDestroyed()) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    }
    if (this.pageLoaded) this.send(OPEN_LINK_CHANNEL, link);
    else this.pendingLinks.push(link);
  }

  destroy(): void {
    ipcMain.removeHandler(CALL_CHANNEL);
    this.snapshots.cancel();
    for (const unsubscribe of this.unsubscribers.splice(0)) unsubscribe();
    this.window = null;
  }

  private isTrustedSender(event: IpcMainInvokeEvent): boolean {
    const win = this.window;
    const frame = event.senderFrame;
    // Ids, not wrapper objects, are compared; a frame with a parent is an iframe.
    return isTrustedCall({
      senderId: event.sender.id,
      windowId: win && !win.isDestroyed() ? win.webContents.id : null,
      frame: frame ? { url: frame.url, isTop: frame.parent === null } : null,
    });
  }

  private send(channel: string, payload: unknown): void {
    const contents: WebContents | undefined = this.window?.webContents;
    if (!contents || contents.isDestroyed() || !this.pageLoaded) return;
    contents.send(channel, payload);
  }

  private async pickFolder(): Promise<string | null> {
    const options = {
      title: 'Choose a folder with an HLS stream',
      buttonLabel: 'Broadcast this folder',
      properties: ['openDirectory' as const],
    };
    const win = this.window;
    const result =
      win && !win.isDestroyed()
        ? await dialog.showOpenDialog(win, options)
        : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  }

  /** VLC or mpv on the gateway URL if one is installed, else the system's handler for the URL. */
  private async openExternalPlayer(): Promise<boolean> {
    const url = this.engine.getSnapshot().gatewayUrl;
    if (url === null || !isLoopbackHttpUrl(url)) return false;
    const player = await findExternalPlayer(url, { platform: process.platform, env: process.env });
    if (player && (await launchDetached(player))) return true;
    try {
      await shell.openExternal(url);
      return true;
    } catch {
      return false;
    }
  }
}
