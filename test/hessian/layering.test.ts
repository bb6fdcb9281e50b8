/**
 * The layers as the folders state them, checked on the import statements of every source file:
 *
 * - `src/hessian/linear/` (operators, solvers, spectra, the incremental inverse, the inverse-Hessian
 *   adapters) imports nothing from `src/autodiff` — nor from the parts of the hessian layer that
 *   differentiate, which do;
 * - `src/linalg` imports nothing above it: only itself and the two modules every layer shares,
 *   `src/errors.ts` and `src/validate.ts`, which themselves import nothing but each other;
 * - nothing under `src/` imports a Node built-in: the library runs unchanged in a browser.
 *
 * Every static `import … from`, `export … from` and dynamic `import()` is read, type-only ones
 * included (a type import still states a dependency a reader has to follow).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every module specifier a file names, with comments removed first (JSDoc examples are not imports). */
function specifiers(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found: string[] = [];
  for (const match of text.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?from\s*['"]([^'"]+)['"]/g))
    found.push(match[1]!);
  for (const match of text.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) found.push(match[1]!);
  for (const match of text.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

/** The repository-relative path a relative specifier points to; bare specifiers are returned as they are. */
function target(file: string, specifier: string): string {
  return specifier.startsWith('.')
    ? relative(root, resolve(dirname(file), specifier))
        .split('\\')
        .join('/')
    : specifier;
}

const files = sourceFiles(src);
const edges = files.flatMap((file) =>
  specifiers(file).map((specifier) => ({
    from: relative(root, file).split('\\').join('/'),
    specifier,
    to: target(file, specifier),
  })),
);

const isNodeBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!);

describe('layering', () => {
  it('finds the source tree and its imports', () => {
    // Guards the checks below against passing vacuously on a broken scan.
    expect(files.some((f) => f.includes(join('src', 'hessian', 'linear')))).toBe(true);
    expect(edges.some((e) => e.from.startsWith('src/hessian/linear/') && e.to.startsWith('src/linalg/'))).toBe(true);
    expect(edges.some((e) => e.from === 'src/hessian/modes.ts' && e.to.startsWith('src/autodiff/'))).toBe(true);
  });

  it('src/hessian/linear imports nothing that differentiates', () => {
    const offending = edges.filter(
      (e) =>
        e.from.startsWith('src/hessian/linear/') &&
        (e.to.startsWith('src/autodiff/') ||
          (e.to.startsWith('src/hessian/') && !e.to.startsWith('src/hessian/linear/'))),
    );
    expect(offending).toEqual([]);
  });

  it('src/linalg imports nothing above it', () => {
    const shared = ['src/errors.js', 'src/validate.js'];
    expect(
      edges.filter(
        (e) => e.from.startsWith('src/linalg/') && !e.to.startsWith('src/linalg/') && !shared.includes(e.to),
      ),
    ).toEqual([]);
    expect(edges.filter((e) => shared.includes(e.from.replace(/\.ts$/, '.js')) && !shared.includes(e.to))).toEqual([]);
  });

  it('src/autodiff imports nothing from the hessian layer', () => {
    expect(edges.filter((e) => e.from.startsWith('src/autodiff/') && e.to.startsWith('src/hessian/'))).toEqual([]);
  });

  it('nothing under src imports a Node built-in, or any package', () => {
    expect(edges.filter((e) => isNodeBuiltin(e.specifier))).toEqual([]);
    expect(edges.filter((e) => !e.specifier.startsWith('.'))).toEqual([]);
  });

  it('relative imports carry an explicit .js extension', () => {
    expect(edges.filter((e) => e.specifier.startsWith('.') && !e.specifier.endsWith('.js'))).toEqual([]);
  });
});
