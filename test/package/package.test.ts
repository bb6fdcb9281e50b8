/**
 * The packed tarball, used the three ways the README promises: `import` from plain ESM,
 * `require()` from CommonJS (require(esm), Node ≥ 20.19 / 22.12; older Node refuses with a
 * message that says the package is ESM), and a strict TypeScript consumer. Also: every source map
 * resolves inside the package, the README links nothing the registry page cannot show, and
 * publint and @arethetypeswrong/cli find nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILERS, ROOT, packPackage, run, writeStrictTsconfig, type PackedPackage } from './stage.js';

let pkg: PackedPackage;
beforeAll(() => {
  pkg = packPackage('package');
}, 120_000);
afterAll(() => {
  if (pkg !== undefined) rmSync(dirname(pkg.stage), { recursive: true, force: true });
});

/** The printed output of a small program run by Node in the consumer project. */
function node(file: string, source: string): { status: number | null; stdout: string; stderr: string } {
  writeFileSync(join(pkg.consumer, file), source);
  const result = spawnSync(process.execPath, [file], { cwd: pkg.consumer, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
}

/** Whether this Node supports require() of an ES module without a flag (20.19+, 22.12+, 23+). */
function hasRequireEsm(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
  return major > 22 || (major === 22 && minor >= 12) || (major === 20 && minor >= 19);
}

describe('the packed package', () => {
  it('ships the library, its declarations, sources, docs and licence — and no tests', () => {
    for (const file of [
      'package.json',
      'README.md',
      'LICENSE',
      'CHANGELOG.md',
      'dist/index.js',
      'dist/index.d.ts',
      'src/index.ts',
    ]) {
      expect(pkg.files).toContain(file);
    }
    expect(pkg.files.some((f) => f.startsWith('docs/api/'))).toBe(true);
    expect(pkg.files.filter((f) => f.startsWith('test/') || f.startsWith('bench/') || f.includes('.test.'))).toEqual(
      [],
    );
  });

  it('works from plain ESM', () => {
    const out = node(
      'esm.mjs',
      "import { grad, sum, square, tensor } from 'tapegrad';\nconsole.log(Array.from(grad((x) => sum(square(x)))(tensor([1, 2])).toArray()).join(','));\n",
    );
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('2,4');
  });

  it('works from require() where Node supports require(esm), and otherwise says the package is ESM', () => {
    const out = node(
      'cjs.cjs',
      "const { grad, sum, square, tensor } = require('tapegrad');\nconsole.log(Array.from(grad((x) => sum(square(x)))(tensor([1, 2])).toArray()).join(','));\n",
    );
    if (hasRequireEsm()) {
      expect(out.stdout).toBe('2,4');
    } else {
      expect(out.status).not.toBe(0);
      expect(out.stderr).toMatch(/ERR_REQUIRE_ESM|ES Module/);
    }
  });

  it('compiles a strict TypeScript consumer against the shipped declarations', () => {
    writeFileSync(
      join(pkg.consumer, 'consumer.ts'),
      readFileSync(join(ROOT, 'test/types/fixtures/consumer.ts'), 'utf8'),
    );
    const config = writeStrictTsconfig(pkg.consumer, 'tsconfig.json', ['consumer.ts'], 'nodenext');
    run(process.execPath, [COMPILERS.newest.tsc, '-p', config], pkg.consumer);
  });

  it('has source maps whose sources are in the package', () => {
    const installed = join(pkg.consumer, 'node_modules/tapegrad');
    const maps = pkg.files.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(installed, map), 'utf8')) as { sources: string[] };
      return sources.map((s) => normalize(join(dirname(map), s))).filter((s) => !existsSync(join(installed, s)));
    });
    expect(missing).toEqual([]);
  });

  it('README links only to headings, absolute URLs and files the package ships', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    const broken = targets.filter(
      (t) => !t.startsWith('#') && !/^[a-z]+:/.test(t) && !pkg.files.includes(t.split('#')[0]!),
    );
    expect(broken).toEqual([]);
  });

  it('publint finds nothing to report, warnings and suggestions included', async () => {
    // pack: false — the directory is the unpacked tarball, exactly the published files.
    const { messages, pkg: manifest } = await publint({
      pkgDir: join(pkg.consumer, 'node_modules/tapegrad'),
      pack: false,
      level: 'suggestion',
      strict: true,
    });
    expect(messages.map((m) => `${m.type}: ${formatMessage(m, manifest) ?? m.code}`)).toEqual([]);
  });

  it('@arethetypeswrong/cli finds no problem for ESM consumers', () => {
    // The profile 'esm-only' leaves out CommonJS resolution (node10, node16 from CJS), where attw
    // reports any ESM-only package as "CJS resolves to ESM": that is what this package is. Its
    // require() support is Node's require(esm), which attw's bundled TypeScript does not model;
    // the require() test above runs it for real. attw exits non-zero on any problem it counts.
    const out = run(
      process.execPath,
      [
        join(ROOT, 'node_modules/@arethetypeswrong/cli/dist/index.js'),
        pkg.tarball,
        '--profile',
        'esm-only',
        '--format',
        'json',
      ],
      ROOT,
    );
    const { analysis } = JSON.parse(out) as {
      analysis: { types: unknown; problems: { kind: string; resolutionKind?: string }[] };
    };
    expect(analysis.types).not.toBe(false);
    const ignored = new Set(['node10', 'node16-cjs']);
    expect(analysis.problems.filter((p) => p.resolutionKind === undefined || !ignored.has(p.resolutionKind))).toEqual(
      [],
    );
    // The one problem the profile leaves out, and the only one: CommonJS resolution meets ESM.
    expect([...new Set(analysis.problems.map((p) => p.kind))]).toEqual(['CJSResolvesToESM']);
  });
});
