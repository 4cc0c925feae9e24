// Where the bundled sample stream lives, in a checkout, a build and a packaged app.

import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findSampleFolder(fromUrl: string = import.meta.url): string | null {
  let dir = dirname(fileURLToPath(fromUrl));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'assets', 'sample');
    if (existsSync(join(candidate, 'stream.m3u8'))) return candidate;
    dir = dirname(dir);
  }
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources) {
    for (const c of [join(resources, 'assets', 'sample'), join(resources, 'app', 'assets', 'sample')]) {
      if (existsSync(join(c, 'stream.m3u8'))) return c;
    }
  }
  return null;
}
