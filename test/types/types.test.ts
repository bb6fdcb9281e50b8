/**
 * Types that infer: fixtures/consumer.ts (first line `grad((x) => sum(square(x)))(tensor([1, 2]))`,
 * then every transform with unannotated lambdas) is compiled in strict mode, without
 * skipLibCheck, against the built declarations of the packed package — with the oldest
 * TypeScript the package supports (5.7: the declarations use the generic typed arrays,
 * `Float64Array<ArrayBufferLike>`, that 5.7 introduced) and with the newest.
 */
import { readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPILERS, ROOT, packPackage, run, writeStrictTsconfig, type PackedPackage } from '../package/stage.js';

let pkg: PackedPackage;
beforeAll(() => {
  pkg = packPackage('types');
  writeFileSync(join(pkg.consumer, 'consumer.ts'), readFileSync(join(ROOT, 'test/types/fixtures/consumer.ts'), 'utf8'));
  // A deliberate mistake, to show the compilers really check the consumer against the package.
  writeFileSync(
    join(pkg.consumer, 'mistake.ts'),
    "import { grad, tensor } from 'tapegrad';\nexport const g: string = grad((x) => x)(tensor([1]));\n",
  );
}, 120_000);
afterAll(() => {
  if (pkg !== undefined) rmSync(dirname(pkg.stage), { recursive: true, force: true });
});

function compile(tsc: string, config: string): string {
  try {
    run(process.execPath, [tsc, '-p', config, '--pretty', 'false'], pkg.consumer);
    return '';
  } catch (error) {
    return (error as Error).message;
  }
}

describe.each([
  { ...COMPILERS.oldest, resolution: 'nodenext' as const },
  { ...COMPILERS.newest, resolution: 'nodenext' as const },
  { ...COMPILERS.newest, resolution: 'bundler' as const },
])('$name, moduleResolution $resolution', ({ tsc, resolution }) => {
  it('compiles the strict consumer: unannotated lambdas infer Tensor in every transform', () => {
    const config = writeStrictTsconfig(pkg.consumer, `tsconfig.${resolution}.json`, ['consumer.ts'], resolution);
    expect(compile(tsc, config)).toBe('');
  });

  it('rejects a consumer that gets a type wrong', () => {
    const config = writeStrictTsconfig(pkg.consumer, `tsconfig.mistake.${resolution}.json`, ['mistake.ts'], resolution);
    expect(compile(tsc, config)).toMatch(/TS2322/);
  });
});

describe('the installed compilers', () => {
  it('are the versions the README names, and `tsc` on the PATH of npm scripts is the newest', () => {
    const version = (dir: string) =>
      (JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { version: string }).version;
    expect(version('test/types/oldest-compiler/node_modules/typescript')).toMatch(/^5\.7\./);
    expect(version('node_modules/typescript')).toMatch(/^7\./);
    // Two installed compilers both declare a `tsc` bin; the project's (npm run build, npx tsc) must be 7.
    expect(realpathSync(join(ROOT, 'node_modules/.bin/tsc'))).toBe(
      realpathSync(join(ROOT, 'node_modules/typescript/bin/tsc')),
    );
  });
});
