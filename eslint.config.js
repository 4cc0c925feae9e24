// Lint rules, including the layering rules of the architecture (README.md, "Layout"):
//   src-shared   imports no Node builtin, no DOM-only library, no Electron, nothing else of ours
//   src-renderer imports src-shared and browser libraries only
//   src-main     never imports src-renderer; only src-main/electron imports 'electron'
//   inside src-main: protocol < transport < (store, hls, swarm, portmap, discovery) < engine < (cli, electron)
//   inside src-main/hls: ingest (reading the encoder's folder) and serve (gateway, recorder)
//   know nothing of each other
//   inside src-main/swarm: fetch (what a viewer asks whom for) and serve (what a holder
//   agrees to serve) know nothing of each other; both use the shared files beside them
//   a folder with a public face (its index.ts) is imported only through it from elsewhere
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`), 'node:*'];

const restrict = (paths, patterns = []) => ({
  'no-restricted-imports': [
    'error',
    {
      paths: paths.map((name) => ({
        name,
        message: 'This import crosses a layer boundary (see eslint.config.js).',
      })),
      patterns: patterns.length
        ? [{ group: patterns, message: 'This import crosses a layer boundary (see eslint.config.js).' }]
        : [],
    },
  ],
});

const layer = (files, patterns, paths = ['electron']) => ({ files, rules: restrict(paths, patterns) });

/** What the middle layer (store, hls, swarm, portmap, discovery) must not import. */
const ABOVE_MIDDLE = ['**/engine/**', '**/cli/**', '**/electron/**', '**/src-renderer/**'];
/**
 * Two subfolders of a middle-layer folder that import nothing of each other (hls: ingest and
 * serve; swarm: fetch and serve). Later entries replace the rule for their files, so these
 * repeat the middle layer's patterns.
 */
const keepApart = (folder, a, b) =>
  [
    [a, b],
    [b, a],
  ].map(([own, other]) =>
    layer([`src-main/${folder}/${own}/**`], [...ABOVE_MIDDLE, `**/${folder}/${other}/**`, `../${other}/**`]),
  );

// Folders of src-main with a public face: other folders import `<folder>/index.js`, never a
// file inside (issue 18; VS Code's code-no-deep-import-of-internal is the model). The folder's
// own files and its tests (src-main/<folder>, test/<folder>) may. A rule of its own, so the
// layering entries above and below do not replace it for the same files.
const PUBLIC_FACES = ['transport', 'swarm'];
const noDeepImport = (faces, prefix) => ({
  '@typescript-eslint/no-restricted-imports': [
    'error',
    {
      patterns: faces.map((face) => ({
        group: [`**/${prefix}${face}/**`, `!**/${prefix}${face}/index.js`],
        message: `Import ${face}/index.js, the folder's public face, not a file inside it (see eslint.config.js).`,
      })),
    },
  ],
});
const deepImportRules = PUBLIC_FACES.flatMap((own) => {
  const others = PUBLIC_FACES.filter((f) => f !== own);
  return [
    { files: [`src-main/${own}/**`], rules: noDeepImport(others, '') },
    { files: [`test/${own}/**`], rules: noDeepImport(others, 'src-main/') },
  ];
});

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      'release/**',
      'e2e-artifacts/**',
      'test-results/**',
      'assets/**',
      '.bench-out/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  layer(
    ['src-shared/**'],
    ['**/src-main/**', '**/src-renderer/**', 'react', 'react-dom', 'hls.js', 'zustand'],
    [...nodeBuiltins, 'electron'],
  ),
  layer(['src-renderer/**'], ['**/src-main/**'], [...nodeBuiltins, 'electron']),
  layer(
    ['src-main/protocol/**'],
    [
      '**/transport/**',
      '**/discovery/**',
      '**/swarm/**',
      '**/store/**',
      '**/hls/**',
      '**/engine/**',
      '**/cli/**',
      '**/electron/**',
      '**/src-renderer/**',
    ],
  ),
  layer(
    ['src-main/transport/**'],
    [
      '**/swarm/**',
      '**/discovery/**',
      '**/store/**',
      '**/hls/**',
      '**/engine/**',
      '**/cli/**',
      '**/electron/**',
      '**/src-renderer/**',
    ],
  ),
  layer(
    [
      'src-main/store/**',
      'src-main/hls/**',
      'src-main/swarm/**',
      'src-main/portmap/**',
      'src-main/discovery/**',
    ],
    ABOVE_MIDDLE,
  ),
  ...keepApart('hls', 'ingest', 'serve'),
  ...keepApart('swarm', 'fetch', 'serve'),
  layer(['src-main/engine/**'], ['**/cli/**', '**/electron/**', '**/src-renderer/**']),
  // What both hosts serve the same way (issue 18 §7): below cli and electron, beside the engine.
  layer(['src-main/host-edge/**'], ['**/cli/**', '**/electron/**', '**/src-renderer/**']),
  layer(['src-main/cli/**'], ['**/electron/**', '**/src-renderer/**']),
  layer(['src-main/electron/**'], ['**/cli/**', '**/src-renderer/**'], []),
  { files: ['src-main/**'], rules: noDeepImport(PUBLIC_FACES, '') },
  // Outside src-main, bench/swarm and test/swarm are not src-main/swarm.
  { files: ['test/**', 'bench/**', 'e2e/**'], rules: noDeepImport(PUBLIC_FACES, 'src-main/') },
  ...deepImportRules,
  {
    // Plain Node scripts (build helpers, launchers).
    files: ['scripts/**/*.mjs', 'bin/**/*.js'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly' },
    },
  },
  {
    files: ['src-renderer/**/*.tsx', 'src-renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
);
