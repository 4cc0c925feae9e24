// The packaging configuration as electron-builder itself reads and validates it: the
// Electron fuses that keep an installed Shoal from being turned into a Node runtime or
// from loading code outside its app.asar must be set, under names the installed
// electron-builder knows (its schema rejects unknown keys).

import { join } from 'node:path';
import { DebugLogger } from 'builder-util';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/engine-net.js';

describe('electron-builder.yml', () => {
  it('sets the Electron fuses, valid for the installed electron-builder', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar needs an app.asar: packaging must not turn asar off.
    expect(config.asar ?? true).not.toBe(false);
  });

  it('is checked by a validation that rejects a misspelled fuse', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    const misspelled = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(validateConfiguration(misspelled, new DebugLogger(false))).rejects.toThrow(/electronFuses/);
  });
});
