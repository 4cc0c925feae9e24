// Bundles the Electron preload (src-main/electron/preload.ts) into one CommonJS file,
// dist/src-main/electron/preload.cjs: a sandboxed preload can `require('electron')` and
// nothing else, so zod and our shared contract must be inside the file.
//
// zod re-exports ~40 translations of its error messages through `z.locales`; the bundler
// cannot drop them because `z` is a namespace object. Only English is used (zod loads it
// on its own), so the locale index is replaced with an English-only one: 450 kB → 190 kB.

import { build } from 'esbuild';
import process from 'node:process';
import { fileURLToPath, URL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Tests build to a temporary file: `node scripts/build-preload.mjs <outfile>`.
const outfile = process.argv[2] ?? 'dist/src-main/electron/preload.cjs';

const englishOnlyZodLocales = {
  name: 'english-only-zod-locales',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: 'zod-locales-en', namespace: 'shoal-stub' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'shoal-stub' }, () => ({
      contents: "export { default as en } from 'zod/v4/locales/en.js';",
      resolveDir: root,
      loader: 'js',
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ['src-main/electron/preload.ts'],
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'browser',
  // Electron 40 ships Chromium 144.
  target: 'chrome140',
  external: ['electron'],
  minify: true,
  sourcemap: true,
  legalComments: 'none',
  logLevel: 'warning',
  plugins: [englishOnlyZodLocales],
});
