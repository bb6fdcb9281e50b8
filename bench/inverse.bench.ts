/**
 * Inverse-Hessian solvers on the benchmark workloads: for each solver, the Hessian(-vector)
 * products and the wall time to reach a relative residual of 1e-8 — or what it reached, with its
 * `converged` flag and reason — and the true residual ‖b − (H + λI)x‖/‖b‖ of its answer.
 *
 *   node --import tsx/esm bench/inverse.bench.ts     (or `npm run bench`, which runs every file)
 *
 * Workloads (definitions reused from `workloads.ts`; the table builder is `inverse-lib.ts`):
 *   1. logistic regression N = 2000, d = 100, λ = 1e-3: the Hessian of f as a replayed
 *      `hessianOperator`, fwd-over-rev and rev-over-rev; LiSSA also with minibatch Hessians
 *      (20 fixed minibatches of 100 rows);
 *   2. the 64→64(tanh)→10 softmax MLP on a batch of 256 (n = 4810): the Gauss–Newton operator
 *      JᵀH_L J + λI from `gaussNewtonOperator` with damping λ = 1e-3 (PSD, so CG applies).
 * b = ∇f at the workload's point (a damped Newton / Gauss–Newton step).
 *
 * Timing is performance.now() around whole solves, median of 3 runs (one run for a solve over
 * 10 s). benchmark.js is not used: it is built for many short samples of a microsecond-to-
 * millisecond function, and would repeat a multi-second solve dozens of times to shrink a margin
 * of error that is irrelevant next to differences of 10–1000× in product counts. The count of
 * products is exact and machine-independent; the times are for this machine and load.
 *
 * Caps, so the file finishes in about 2–3 minutes: Neumann and full-batch LiSSA stop at 20 000
 * steps or 40 s per solve (reported as not converged); the Cholesky row runs only if its estimate
 * (n products + an n³-extrapolated factorisation) is under 60 s, else it is printed as skipped
 * with the estimate. The MLP's Cholesky row forms a 4810² matrix (≈ 0.55 GiB with its factor).
 */
import { formatSeconds, machineLine } from './timing.js';
import {
  formatInverseTable,
  logisticProblem,
  mlpProblem,
  runInverseTable,
  type InverseProblem,
  type SolverRow,
} from './inverse-lib.js';

const started = performance.now();
console.log(`tapegrad inverse-Hessian solvers — ${machineLine()}`);
console.log(
  'products = operator applications counted by countingOperator (including scale estimates, residual checks, the Jacobi diagonal and the Cholesky matrix); time = median wall time of a whole solve\n',
);

const progress = (row: SolverRow): void => {
  process.stderr.write(
    `  … ${row.solver} [${row.operator}]: ${row.skipped ? 'skipped' : `${formatSeconds(row.seconds)} × ${row.runs}`}\n`,
  );
};

const problems: Array<() => InverseProblem> = [() => logisticProblem(), () => mlpProblem({ damping: 1e-3 })];
for (const build of problems) {
  const problem = build();
  process.stderr.write(`${problem.name}\n`);
  const table = runInverseTable(problem, {}, progress);
  console.log(formatInverseTable(table));
  console.log('');
}
console.log(`(total ${formatSeconds((performance.now() - started) / 1000)})`);
