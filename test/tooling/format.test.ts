/**
 * The code is formatted by Prettier (`.prettierrc.json`: 120 columns, single quotes, trailing
 * commas); prose, generated references and data are left alone (`.prettierignore`). Run
 * `npm run format` to fix what this test reports.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const prettier = createRequire(import.meta.url).resolve('prettier/bin/prettier.cjs');

it('every source, test, bench and script file is formatted (npm run format)', () => {
  const run = spawnSync(process.execPath, [prettier, '--check', '--log-level', 'warn', '.'], {
    cwd: root,
    encoding: 'utf8',
  });
  const unformatted = `${run.stdout}${run.stderr}`
    .split('\n')
    .filter((line) => line.startsWith('[warn] ') && !line.includes('Code style issues'))
    .map((line) => line.slice('[warn] '.length));
  expect(unformatted, 'run `npm run format`').toEqual([]);
  expect(run.status).toBe(0);
});
