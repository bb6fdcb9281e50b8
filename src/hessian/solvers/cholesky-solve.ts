/**
 * The exact reference solver: form H + λI densely, factor it as LLᵀ and solve.
 *
 * Costs n operator applications to form the matrix (none for a dense input), n³/3 flops to
 * factor and 2n² to solve; backward stable, so its relative residual is O(n·ε) and its error
 * O(κ·ε). Every iterative solver is tested against it. Provides `choleskySolve`; leaves out
 * anything iterative and indefinite systems (Cholesky needs H + λI positive definite — use
 * `solve` from linalg or `minresSolve` otherwise).
 */
import { NotPositiveDefiniteError } from '../../errors.js';
import { addToDiagonal, cholesky, choleskySolveFactor, gemv, norm2, subVectors, symmetrize } from '../../linalg/index.js';
import { countingOperator, operatorToMatrix, toOperator, type OperatorLike } from '../linear-operator.js';
import { checkDamping, checkRightHandSide, type SolveResult } from './result.js';

/** Options of `choleskySolve`. */
export interface CholeskySolveOptions {
  /** λ ≥ 0 added to the diagonal (default 0). */
  damping?: number;
}

/**
 * Solves (H + λI)x = b exactly by Cholesky. Returns iterations 0, converged true and a residual
 * history of one entry (the relative residual of x, computed densely). The matrix is symmetrised
 * ((M + Mᵀ)/2) first, since an HVP operator is symmetric only up to rounding. Throws
 * NotPositiveDefiniteError (suggesting damping) when H + λI is not positive definite.
 *
 * @example
 * const { x } = choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]));
 * // x = [0.5, 0]
 * choleskySolve(hessianOperator, b, { damping: 1e-3 }); // n HVPs, then a dense solve
 */
export function choleskySolve(H: OperatorLike, b: Float64Array, options: CholeskySolveOptions = {}): SolveResult {
  const fn = 'choleskySolve';
  const op = toOperator(H, fn);
  const n = op.size;
  const { damping = 0 } = options;
  checkRightHandSide(fn, b, n);
  checkDamping(fn, damping);

  // A dense input costs no operator applications: copy its entries (toOperator validated the size).
  let applications = 0;
  let matrix: Float64Array;
  if (H instanceof Float64Array) {
    matrix = Float64Array.from(H);
  } else if (op !== H) {
    matrix = Float64Array.from((H as { toArray(): Float64Array }).toArray());
  } else {
    const counted = countingOperator(op);
    matrix = operatorToMatrix(counted); // column j = H·eⱼ: n applications
    applications = counted.applications;
  }
  // M = (H + Hᵀ)/2 + λI
  addToDiagonal(symmetrize(matrix, n, matrix), n, damping, matrix);

  let l: Float64Array;
  try {
    l = cholesky(matrix, n);
  } catch (error) {
    if (error instanceof NotPositiveDefiniteError) {
      throw new NotPositiveDefiniteError(
        fn,
        error.column,
        `H + λI (λ = ${damping}) is not positive definite: the Cholesky pivot at column ${error.column} is not > 0. ` +
          'Add damping (e.g. λ = 1e-6·trace(H)/n, or more than the most negative eigenvalue), ' +
          'or use minresSolve for a symmetric indefinite system',
      );
    }
    throw error;
  }
  const x = choleskySolveFactor(l, n, b);
  const bNorm = norm2(b);
  const mx = gemv(matrix, n, n, x);
  let residual = 0;
  if (bNorm > 0) {
    subVectors(b, mx, mx); // b − Mx, into the fresh product
    residual = norm2(mx) / bNorm;
  }
  return {
    x,
    iterations: 0,
    residualNorms: [residual],
    converged: true,
    reason: bNorm === 0 ? 'zero right-hand side' : 'direct factorisation',
    operatorApplications: applications,
  };
}
