// Lint rules, including the layering rules of the architecture (DEVELOPERS.md):
//   src-shared   imports no Node builtin, no DOM-only library, no Electron, nothing else of ours
//   src-renderer imports src-shared and browser libraries only
//   src-main     never imports src-renderer; only src-main/electron imports 'electron'
//   inside src-main: protocol < transport < (store, hls, swarm, portmap, discovery) < engine < (cli, electron)
//   inside src-main/hls: ingest (reading the encoder's folder) and serve (gateway, recorder)
//   know nothing of each other
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
    ['**/engine/**', '**/cli/**', '**/electron/**', '**/src-renderer/**'],
  ),
  // Later entries replace the rule for their files, so these repeat the hls layer's patterns.
  layer(
    ['src-main/hls/ingest/**'],
    ['**/engine/**', '**/cli/**', '**/electron/**', '**/src-renderer/**', '**/hls/serve/**', '../serve/**'],
  ),
  layer(
    ['src-main/hls/serve/**'],
    ['**/engine/**', '**/cli/**', '**/electron/**', '**/src-renderer/**', '**/hls/ingest/**', '../ingest/**'],
  ),
  layer(['src-main/engine/**'], ['**/cli/**', '**/electron/**', '**/src-renderer/**']),
  // What both hosts serve the same way (issue 18 §7): below cli and electron, beside the engine.
  layer(['src-main/host-edge/**'], ['**/cli/**', '**/electron/**', '**/src-renderer/**']),
  layer(['src-main/cli/**'], ['**/electron/**', '**/src-renderer/**']),
  layer(['src-main/electron/**'], ['**/cli/**', '**/src-renderer/**'], []),
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
