// `npm start`: the desktop app where an Electron binary is installed, otherwise the same
// UI in a browser, served by the headless engine (`shoal ui`). Builds first if needed.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = [
  'dist/src-main/cli/main.js',
  'dist/src-main/electron/main.js',
  'dist/src-main/electron/preload.cjs',
  'dist/renderer/index.html',
];
if (built.some((f) => !existsSync(join(root, f)))) {
  console.error('shoal: building first (npm run build)…');
  const r = spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

let electron = null;
try {
  const binary = createRequire(import.meta.url)('electron');
  if (typeof binary === 'string' && existsSync(binary)) electron = binary;
} catch {
  // No binary: installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1.
}
const headless = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const args = process.argv.slice(2);
if (electron && !headless) {
  spawn(electron, [root, ...args], { stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));
} else {
  console.error(
    electron
      ? 'shoal: no display; serving the UI to a browser instead'
      : 'shoal: Electron is not installed; serving the UI to a browser instead',
  );
  spawn(process.execPath, [join(root, 'bin/shoal.js'), 'ui', ...args], { stdio: 'inherit' }).on(
    'exit',
    (code) => process.exit(code ?? 0),
  );
}
