#!/usr/bin/env node
// `shoal` command: runs the built CLI (npm run build), or the TypeScript sources through
// tsx in a development checkout that has not been built.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'src-main', 'cli', 'main.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  try {
    const { register } = await import('tsx/esm/api');
    register();
  } catch {
    console.error('shoal: not built yet. Run `npm run build` first.');
    process.exit(1);
  }
  await import(pathToFileURL(join(root, 'src-main', 'cli', 'main.ts')).href);
}
