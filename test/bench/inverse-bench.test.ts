/**
 * Smoke test of the inverse-solver benchmark's table builder (bench/inverse-lib.ts) on tiny
 * problems: every solver row is present for each operator, the products are counted, and every
 * row that reports convergence really has a true relative residual ‖b − (H + λI)x‖/‖b‖ ≤ 1e-7
 * (the bench asks for 1e-8; the margin covers the one extra product that recomputes it).
 */
import { describe, expect, it } from 'vitest';
import {
  SOLVERS,
  formatInverseTable,
  logisticProblem,
  mlpProblem,
  runInverseTable,
  type InverseTable,
} from '../../bench/inverse-lib.js';

const TINY = {
  repeats: 1,
  productTimingSeconds: 0.005,
  neumannIterations: 20_000,
  iterativeBudgetSeconds: 2,
  lissaDepth: 50,
  lissaRepeats: 2,
};

function checkTable(table: InverseTable, withMinibatch: boolean): void {
  for (const { label } of table.problem.operators) {
    const solvers = table.rows.filter((r) => r.operator === label).map((r) => r.solver);
    expect(solvers).toEqual(SOLVERS.filter((s) => withMinibatch || s !== 'lissa minibatch'));
  }
  for (const row of table.rows) {
    expect(row.skipped).toBe(false);
    expect(row.products).toBeGreaterThan(0);
    if (row.converged) expect(row.trueResidual, `${row.solver} [${row.operator}]`).toBeLessThanOrEqual(1e-7);
  }
  // The exact and Krylov solvers must converge on these small, well-posed problems.
  for (const row of table.rows.filter((r) => ['cholesky', 'cg', 'cg jacobi', 'minres'].includes(r.solver))) {
    expect(row.converged, `${row.solver} [${row.operator}]: ${row.reason}`).toBe(true);
  }
  const cholesky = table.rows.find((r) => r.solver === 'cholesky')!;
  expect(cholesky.products).toBe(table.problem.size); // n products form the matrix
  const jacobi = table.rows.find((r) => r.solver === 'cg jacobi')!;
  expect(jacobi.productNote).toMatch(new RegExp(`^${table.problem.size} diagonal \\+ \\d+$`));
  const text = formatInverseTable(table);
  for (const solver of SOLVERS.filter((s) => withMinibatch || s !== 'lissa minibatch')) expect(text).toContain(solver);
  expect(text).toContain('per product');
}

describe('inverse benchmark table builder', () => {
  it('logistic regression, both replay modes, with minibatch LiSSA', () => {
    const problem = logisticProblem({ sizes: { examples: 60, features: 8, lambda: 1e-3 }, minibatch: 15 });
    const table = runInverseTable(problem, TINY);
    expect(table.rows).toHaveLength(2 * SOLVERS.length);
    checkTable(table, true);
  });

  it('MLP Gauss–Newton operator', () => {
    const problem = mlpProblem({ sizes: { batch: 12, inputs: 5, hidden: 4, classes: 3 }, damping: 1e-3 });
    const table = runInverseTable(problem, TINY);
    expect(table.rows).toHaveLength(SOLVERS.length - 1);
    checkTable(table, false);
  });

  it('prints a skipped Cholesky row with its estimate when over the limit', () => {
    const problem = logisticProblem({ sizes: { examples: 30, features: 6, lambda: 1e-3 }, minibatch: 10 });
    const table = runInverseTable(problem, { ...TINY, choleskyLimitSeconds: 1e-12 });
    const rows = table.rows.filter((r) => r.solver === 'cholesky');
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.skipped).toBe(true);
      expect(row.reason).toMatch(/^skipped: n products \+ O\(n³\)/);
    }
    expect(formatInverseTable(table)).toContain('skipped: n products + O(n³)');
  });
});
