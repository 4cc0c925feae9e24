import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src-shared/errors.js';
import { ensureFolder } from './ensure-folder.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'shoal-folder-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ensureFolder', () => {
  it('makes missing parents, private, and accepts a folder that exists', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await ensureFolder(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect((await stat(path.join(dir, 'a'))).mode & 0o777).toBe(0o700);
    await ensureFolder(deep);
    await Promise.all([1, 2, 3].map(() => ensureFolder(path.join(dir, 'raced', 'x'))));
  });

  it('says which file is in the way', async () => {
    const file = path.join(dir, 'file');
    await writeFile(file, 'x');
    for (const target of [file, path.join(file, 'sub', 'deeper')]) {
      await expect(ensureFolder(target, 'data folder')).rejects.toMatchObject({
        code: ErrorCode.IO,
        message: `cannot use ${file} for the data folder ${target}: it is not a folder`,
      });
    }
  });

  // Node's recursive mkdir never settles here; this must fail, and at once.
  it.skipIf(!existsSync('/proc/self'))(
    'fails with a clear error where the system forbids folders',
    async () => {
      await expect(ensureFolder('/proc/x/keys', 'data folder')).rejects.toMatchObject({
        code: ErrorCode.IO,
        message: 'cannot create the data folder /proc/x/keys: /proc does not accept new folders',
      });
    },
  );
});
