// The tray icon that keeps Shoal reachable while it seeds in the background: speeds in
// the tooltip, what it is doing in the menu, and a way back to the window or out.

import { Menu, Tray, nativeImage } from 'electron';
import type { StatsSnapshot } from '../../src-shared/contract.js';
import { speedLine, trayStatusLine, trayTooltip } from './tray-status.js';

export interface ShoalTrayOptions {
  icon: string;
  onShow: () => void;
  onQuit: () => void;
}

export class ShoalTray {
  private readonly tray: Tray;
  private menuText = '';

  constructor(private readonly options: ShoalTrayOptions) {
    // macOS menu bar icons are 16pt (the @2x pixels come from the larger PNG); Windows and
    // Linux scale a 32 px image down themselves.
    const size = process.platform === 'darwin' ? 16 : 32;
    const image = nativeImage
      .createFromPath(options.icon)
      .resize({ width: size, height: size, quality: 'best' });
    this.tray = new Tray(image);
    this.tray.setToolTip('Shoal');
    // On Windows and Linux a left click means "bring the app back"; macOS opens the menu.
    if (process.platform !== 'darwin') this.tray.on('click', () => options.onShow());
    this.update(null);
  }

  update(snapshot: StatsSnapshot | null): void {
    if (this.tray.isDestroyed()) return;
    this.tray.setToolTip(trayTooltip(snapshot));
    const status = trayStatusLine(snapshot);
    const speeds = snapshot && snapshot.mode !== 'idle' ? speedLine(snapshot) : null;
    // Many Linux trays never show tooltips, so the speeds are in the menu too; rebuild it
    // only when its text changes.
    const text = `${status}\n${speeds ?? ''}`;
    if (text === this.menuText) return;
    this.menuText = text;
    this.tray.setContextMenu(
      Menu.buildFromTemplate([
        { label: 'Show Shoal', click: () => this.options.onShow() },
        { type: 'separator' },
        { label: status, enabled: false },
        ...(speeds ? [{ label: speeds, enabled: false }] : []),
        { type: 'separator' },
        { label: 'Quit Shoal', click: () => this.options.onQuit() },
      ]),
    );
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }
}
