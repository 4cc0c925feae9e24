import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appLayout } from './app-layout.js';

describe('appLayout', () => {
  it('uses the checkout in dev', () => {
    const layout = appLayout({
      appPath: '/src/shoal',
      resourcesPath: '/usr/lib/electron/resources',
      isPackaged: false,
      mainDir: '/src/shoal/dist/src-main/electron',
    });
    expect(layout).toEqual({
      rendererRoot: path.join('/src/shoal', 'dist', 'renderer'),
      preload: path.join('/src/shoal/dist/src-main/electron', 'preload.cjs'),
      icon: path.join('/src/shoal', 'assets', 'icon.png'),
      sampleFolder: path.join('/src/shoal', 'assets', 'sample'),
    });
  });

  it('reads the sample from outside the asar when packaged', () => {
    const layout = appLayout({
      appPath: '/opt/Shoal/resources/app.asar',
      resourcesPath: '/opt/Shoal/resources',
      isPackaged: true,
      mainDir: '/opt/Shoal/resources/app.asar/dist/src-main/electron',
    });
    expect(layout.sampleFolder).toBe(path.join('/opt/Shoal/resources', 'sample'));
    expect(layout.rendererRoot).toBe(path.join('/opt/Shoal/resources/app.asar', 'dist', 'renderer'));
  });
});
