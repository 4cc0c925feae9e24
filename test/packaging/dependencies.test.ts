// What an installed app needs at run time is what the main process and the CLI import
// (src-main, and src-shared beside it): those packages are `dependencies`. The renderer is
// bundled by Vite into dist/renderer, so packages only it imports are `devDependencies`
// and stay out of the packaged app's node_modules (issue 18).

import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../fakes/engine-net.js';

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  author?: string;
  homepage?: string;
  license?: string;
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter(
      (e) =>
        e.isFile() &&
        /\.tsx?$/.test(e.name) &&
        !/\.(test|e2e)\.tsx?$/.test(e.name) &&
        !e.name.endsWith('.d.ts'),
    )
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Packages a file imports at run time (type-only imports leave no trace in the build). */
function packagesOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(
    /^\s*(?:import|export)\s+(type\s+)?[^'";]*?from\s+'([^']+)'|import\('([^']+)'\)|^\s*import\s+'([^']+)'/gm,
  )) {
    if (m[1]) continue;
    const spec = m[2] ?? m[3] ?? m[4]!;
    if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]!))
      continue;
    const parts = spec.split('/');
    found.push(spec.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!);
  }
  return found;
}

const importedBy = (dirs: string[]) => new Set(dirs.flatMap(sources).flatMap(packagesOf));

describe('package.json', () => {
  it('lists every package the main process and the CLI import as a dependency', () => {
    // electron is the runtime itself: electron-builder refuses it in dependencies.
    const missing = [...importedBy(['src-main', 'src-shared'])].filter(
      (p) => p !== 'electron' && !pkg.dependencies[p],
    );
    expect(missing).toEqual([]);
  });

  it('keeps packages only the bundled renderer imports out of dependencies', () => {
    const main = importedBy(['src-main', 'src-shared']);
    const rendererOnly = [...importedBy(['src-renderer'])].filter((p) => !main.has(p));
    expect(rendererOnly).toEqual(expect.arrayContaining(['react', 'hls.js', 'zustand']));
    expect(rendererOnly.filter((p) => pkg.dependencies[p])).toEqual([]);
    expect(rendererOnly.filter((p) => !pkg.devDependencies[p])).toEqual([]);
  });

  it('has what electron-builder needs for a deb: author with an email, homepage, license', () => {
    expect(pkg.author).toMatch(/<[^@\s]+@[^>\s]+>/);
    expect(pkg.homepage).toMatch(/^https:\/\//);
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
  });
});
