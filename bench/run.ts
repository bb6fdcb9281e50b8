/**
 * `npm run bench`: runs every benchmark file in sequence, each in its own Node process (a fresh
 * JIT and heap, so one file's garbage and optimisation state cannot colour the next).
 *
 * Order: linalg kernels, the engine's per-node and gradient costs, HVP modes, jit, and the inverse
 * solvers when `bench/inverse.bench.ts` exists. Pass file names to run only those:
 *   npm run bench -- hvp engine
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const FILES = ['linalg', 'engine', 'hvp', 'jit', 'inverse'];
/** What each file measures, printed as it starts: its first table appears only when its first suite is done. */
const WHAT: Record<string, string> = {
  linalg: 'dense kernels (dot, gemv, gemm, factorisations) against naive loops',
  engine: 'per-node overhead and gradients of the workloads against hand-written code',
  hvp: 'every HVP mode and the replayed operators on each workload',
  jit: 'compiled value, gradient, HVPs and operators against interpreted and hand-written code, with compile times',
  inverse: 'Hessian products and time each solver needs to reach a relative residual of 1e-8',
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !FILES.includes(name));
if (unknown.length > 0) {
  console.error(`bench: unknown benchmark ${unknown.join(', ')}; choose from ${FILES.join(', ')}`);
  process.exit(2);
}

let failed = 0;
for (const name of wanted.length > 0 ? wanted : FILES) {
  const file = join(here, `${name}.bench.ts`);
  if (!existsSync(file)) {
    if (wanted.includes(name)) {
      console.error(`bench: ${file} does not exist`);
      failed++;
    }
    continue;
  }
  console.log(`\n══ ${name}.bench.ts ${'═'.repeat(Math.max(0, 60 - name.length))}`);
  console.log(`starting: ${WHAT[name] ?? name} — results print as each suite finishes`);
  const started = Date.now();
  const result = spawnSync(process.execPath, ['--import', 'tsx/esm', file], { stdio: 'inherit' });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  if (result.status !== 0) {
    console.error(
      `bench: ${name}.bench.ts failed (${result.error?.message ?? `exit status ${result.status}`}) after ${seconds} s`,
    );
    failed++;
  } else {
    console.log(`(${name}.bench.ts: ${seconds} s)`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
