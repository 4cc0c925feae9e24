// The browser UI's port and token, kept per data folder (`<dataDir>/ui.json`, mode 0600), so
// that `shoal ui` started again serves the same URL: a tab left open reconnects by itself
// instead of retrying a port nobody listens on, or getting 403 for an old token. A missing or
// damaged file just means a fresh port and token.

import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const LaunchSchema = z.object({
  port: z.number().int().min(1).max(65535),
  token: z.string().regex(/^[A-Za-z0-9_-]{32,64}$/),
});
export type UiLaunch = z.infer<typeof LaunchSchema>;

export class UiLaunchFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, 'ui.json');
  }

  /** The last launch's port and token, or null (first launch, unreadable or damaged file). */
  async load(): Promise<UiLaunch | null> {
    try {
      const parsed = LaunchSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      return parsed.success ? parsed.data : null;
    } catch {
      return null;
    }
  }

  /** Best effort: a data folder we cannot write to costs only the stable URL. */
  async save(launch: UiLaunch): Promise<void> {
    await writeFile(this.path, JSON.stringify(launch) + '\n', { mode: 0o600 }).catch(() => undefined);
  }

  static newToken(): string {
    return randomBytes(24).toString('base64url');
  }
}
