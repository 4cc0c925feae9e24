// Where the app's files are, in a dev checkout (`electron .`) and in a package built by
// electron-builder. The app code and assets live in app.asar; the sample stream is copied
// next to it as a real folder (extraResources) so the engine can watch and read it like
// any broadcast folder.

import path from 'node:path';

export interface AppLayoutInput {
  /** app.getAppPath(): the repo root in dev, `<resources>/app.asar` when packaged. */
  appPath: string;
  /** process.resourcesPath. */
  resourcesPath: string;
  isPackaged: boolean;
  /** Folder of the compiled main.js (dist/src-main/electron). */
  mainDir: string;
}

export interface AppLayout {
  rendererRoot: string;
  preload: string;
  icon: string;
  sampleFolder: string;
}

export function appLayout({ appPath, resourcesPath, isPackaged, mainDir }: AppLayoutInput): AppLayout {
  return {
    rendererRoot: path.join(appPath, 'dist', 'renderer'),
    preload: path.join(mainDir, 'preload.cjs'),
    icon: path.join(appPath, 'assets', 'icon.png'),
    sampleFolder: isPackaged ? path.join(resourcesPath, 'sample') : path.join(appPath, 'assets', 'sample'),
  };
}
