// The application menu. macOS needs one for the standard shortcuts (copy/paste in the
// address field, Cmd+Q, Cmd+W); on Windows and Linux the window has no menu bar in a
// release build and a small developer menu in a dev checkout.

import { Menu, type MenuItemConstructorOptions } from 'electron';

export function buildAppMenu(options: { isDev: boolean; onShow: () => void }): Menu | null {
  const devItems: MenuItemConstructorOptions[] = options.isDev
    ? [{ type: 'separator' }, { role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }]
    : [];
  if (process.platform !== 'darwin') {
    return options.isDev ? Menu.buildFromTemplate([{ label: 'Develop', submenu: devItems.slice(1) }]) : null;
  }
  return Menu.buildFromTemplate([
    { role: 'appMenu' },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...devItems,
      ],
    },
    {
      role: 'windowMenu',
      submenu: [
        { role: 'minimize' },
        { role: 'zoom' },
        { type: 'separator' },
        { label: 'Shoal', accelerator: 'CmdOrCtrl+1', click: options.onShow },
        { role: 'close' },
      ],
    },
  ]);
}
