// Settings persisted across restarts as JSON in the data folder. A damaged file is
// reported and replaced by defaults rather than blocking start-up.

import { readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { DEFAULT_SETTINGS, type Settings } from '../../src-shared/contract.js';
import { ErrorCode, ShoalError } from '../../src-shared/errors.js';
import { ensureFolder } from '../store/ensure-folder.js';
import { mergeSettings } from './engine-config.js';

export class SettingsFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'settings.json');
  }

  /** Saved settings over `base`; `problem` says why the file was ignored, if it was. */
  async load(base: Settings = DEFAULT_SETTINGS): Promise<{ settings: Settings; problem: ShoalError | null }> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { settings: base, problem: null };
      return {
        settings: base,
        problem: new ShoalError(ErrorCode.IO, `cannot read ${this.path}: ${(err as Error).message}`),
      };
    }
    try {
      return { settings: mergeSettings(base, JSON.parse(text) as Partial<Settings>), problem: null };
    } catch (err) {
      return {
        settings: base,
        problem: new ShoalError(
          ErrorCode.BAD_SETTINGS,
          `ignoring damaged settings file ${this.path}: ${(err as Error).message}`,
        ),
      };
    }
  }

  async save(settings: Settings): Promise<void> {
    await ensureFolder(dirname(this.path), 'data folder');
    const tmp = `${this.path}.tmp`;
    await writeFile(tmp, JSON.stringify(settings, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.path);
  }
}
