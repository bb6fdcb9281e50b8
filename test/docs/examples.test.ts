/**
 * Documentation that is executed: every `@example` under `src/` and every ```ts / ```js block of
 * README.md and docs/*.md becomes a complete program (see program.ts), all of them are
 * type-checked in strict mode by one compiler run, and each is then run, checking every
 * `// → value` claim it makes. A stale example fails here with its file and line.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPILERS, ROOT } from '../package/stage.js';
import { markdownExamples, markdownFiles, sourceExamples } from './extract.js';
import { readExports, toProgram } from './program.js';

const examples = [...sourceExamples(ROOT), ...markdownFiles(ROOT).flatMap((file) => markdownExamples(ROOT, file))];
// One directory per run (inside the project, so the compiler finds @types/node): runs side by side do not collide.
mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
const OUT = mkdtempSync(join(ROOT, 'node_modules/.cache/tapegrad-examples-'));
const sourceFiles = [...new Set(examples.filter((e) => e.file.startsWith('src/')).map((e) => e.file))];
const { packageExports, fileExports } = readExports(ROOT, sourceFiles);
const toPosix = (path: string) => path.split('\\').join('/');
const plan = {
  entry: toPosix(relative(OUT, join(ROOT, 'src/index.js'))),
  packageExports,
  fileExports,
  specifier: (file: string) => toPosix(relative(OUT, join(ROOT, file.replace(/\.ts$/, '.js')))),
  checksModule: toPosix(relative(OUT, join(ROOT, 'test/docs/expect.js'))),
  fixturesModule: toPosix(relative(OUT, join(ROOT, 'test/docs/fixtures.js'))),
};
const programs = examples.map((example, i) => ({ ...toProgram(example, plan), file: join(OUT, `example-${String(i).padStart(3, '0')}.ts`) }));

for (const program of programs) writeFileSync(program.file, program.text);
writeFileSync(
  join(OUT, 'tsconfig.json'),
  JSON.stringify({
    compilerOptions: {
      strict: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      target: 'ES2022',
      lib: ['ES2022'],
      types: ['node'],
      module: 'NodeNext',
      moduleResolution: 'NodeNext',
      noEmit: true,
      skipLibCheck: true,
    },
    include: ['*.ts'],
  }),
);

afterAll(() => rmSync(OUT, { recursive: true, force: true }));

describe('documentation examples', () => {
  it(`finds examples in src/, README.md and docs/ (${programs.length} examples, ${programs.reduce((n, p) => n + p.checks, 0)} checked values)`, () => {
    for (const where of ['src/', 'README.md', 'docs/']) expect(examples.some((e) => e.origin.startsWith(where))).toBe(true);
    console.log(`documentation examples: ${programs.length} programs (${examples.filter((e) => e.file.startsWith('src/')).length} from src/, the rest from markdown), ${programs.reduce((n, p) => n + p.checks, 0)} '// →' claims checked`);
  });

  it('every example type-checks in strict mode', () => {
    const result = spawnSync(process.execPath, [COMPILERS.newest.tsc, '-p', OUT, '--pretty', 'false'], { encoding: 'utf8' });
    const origins = new Map(programs.map((p) => [p.file, p.origin]));
    const report = `${result.stdout}${result.stderr}`
      .split('\n')
      .filter((line) => line.trim() !== '')
      // Only the examples are judged here; the library's own sources are typechecked by `npm run typecheck`.
      .filter((line) => !/^\S*src\/\S+\.ts\(\d+,\d+\)/.test(line) && !/^ /.test(line))
      .map((line) => {
        const file = /(example-\d+\.ts)/.exec(line)?.[1];
        return file === undefined ? line : `${origins.get(join(OUT, file))} → ${line}`;
      });
    expect(report, report.join('\n')).toEqual([]);
  });

  describe.each(programs)('$origin', (program) => {
    it('runs, and prints or evaluates to what it claims', async () => {
      await import(pathToFileURL(program.file).href);
    });
  });
});
