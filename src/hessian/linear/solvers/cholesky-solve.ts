/**
 * The exact reference solver: form H + λI densely, factor it as LLᵀ and solve.
 *
 * Costs n operator applications to form the matrix (none for a dense input), n³/3 flops to
 * factor and 2n² to solve; backward stable, so the computed x solves a matrix within O(n·ε) of
 * the factored one and its error is O(κ·ε). Every iterative solver is tested against it.
 * Provides `choleskySolve`; leaves out anything iterative and indefinite systems (Cholesky needs
 * H + λI positive definite — use `minresSolve` otherwise).
 *
 * Symmetry is checked, not assumed: Cholesky reads one triangle, so a non-symmetric H would be
 * silently replaced by a symmetric matrix the user never gave. H must be symmetric to √ε
 * (relative); the factored matrix is its symmetric part (H + Hᵀ)/2 + λI, which differs from H only
 * by that rounding. `symmetrize: true` opts out of the check for an H known to be symmetric only
 * approximately (a finite-difference Hessian): it solves with (H + Hᵀ)/2 + λI, says so, and
 * measures the residual against the H the user gave.
 */
import { NonFiniteError, NotPositiveDefiniteError, SingularMatrixError } from '../../../errors.js';
import {
  addToDiagonal,
  axpy,
  cholesky,
  choleskySolveFactor,
  gemv,
  indexOfNonFinite,
  norm2,
  subVectors,
  symmetrize,
} from '../../../linalg/index.js';
import { checkArity, checkBoolean, checkSymmetric, readOptions } from '../../../validate.js';
import { formMatrix, readOperator, type OperatorLike } from '../linear-operator.js';
import type { SolveResult } from './result.js';
import { readDamping, readRightHandSide } from './inputs.js';

/** Options of `choleskySolve`. */
export interface CholeskySolveOptions {
  /** λ ≥ 0 added to the diagonal (default 0). */
  damping?: number;
  /**
   * Solve with (H + Hᵀ)/2 + λI instead of refusing an H that is not symmetric to √ε (default
   * false). The result's reason says so, and its residual is measured against H as given.
   */
  symmetrize?: boolean;
}

/**
 * A solve counts as converged when the normwise backward error ‖b − Mx‖/(‖M‖_F‖x‖ + ‖b‖) against
 * the M = H + λI the user gave is at most √ε: far above the O(n·ε) of a backward-stable solve, far
 * below any asymmetry that `symmetrize: true` papered over.
 */
const BACKWARD_ERROR_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * Solves (H + λI)x = b exactly by Cholesky. Returns iterations 0, one residual (the relative
 * residual of x against H + λI as given, computed densely), and converged: true when x's backward
 * error is ≤ √ε. A dense H, or the matrix formed from n products of an operator H, must be
 * symmetric to √ε unless `symmetrize: true`. Throws NotPositiveDefiniteError (suggesting damping)
 * when H + λI is not positive definite. b = 0 gives x = 0 (H + λI is still factored, so a
 * non-positive-definite H is still reported).
 *
 * @example
 * const { x } = choleskySolve(new Float64Array([4, 2, 2, 3]), new Float64Array([2, 1]));
 * // x = [0.5, 0]
 * choleskySolve(hessianOperator(loss, params), b, { damping: 1e-3 }); // n HVPs, then a dense solve
 * choleskySolve(hessianOperator(loss, params, { mode: 'finite-difference' }), b, { symmetrize: true }); // solves with (H + Hᵀ)/2
 */
export function choleskySolve(H: OperatorLike, b: Float64Array, options?: CholeskySolveOptions): SolveResult {
  const fn = 'choleskySolve';
  checkArity(fn, arguments.length, 3);
  const op = readOperator(fn, 'H', H);
  const n = op.size;
  const rhs = readRightHandSide(fn, b, n);
  const given = readOptions(fn, options, ['damping', 'symmetrize']);
  const damping = readDamping(fn, given.damping);
  const symmetrizing = given.symmetrize === undefined ? false : checkBoolean(fn, 'symmetrize', given.symmetrize);

  // A dense input costs no operator applications (readOperator copied it); an operator, n.
  const applications = op.dense === undefined ? n : 0;
  const matrix = op.dense ?? formMatrix(op);
  if (!symmetrizing) {
    checkSymmetric(
      fn,
      'H',
      matrix,
      n,
      'Cholesky would silently solve with (H + Hᵀ)/2 instead; pass { symmetrize: true } to do that knowingly (the residual is then measured against H as given)' +
        (op.dense === undefined
          ? ' — an operator built from finite differences is symmetric only to its own accuracy'
          : ''),
    );
  }
  const x = choleskySolveFactor(factorDamped(fn, matrix, n, damping), n, rhs);
  if (indexOfNonFinite(x) !== -1) {
    throw new SingularMatrixError(
      fn,
      -1,
      `H + λI (λ = ${damping}) is singular to working precision: the solution overflowed; add damping`,
    );
  }
  const { residualNorms, converged, reason } = measured(matrix, n, damping, rhs, x, symmetrizing);
  return { x, iterations: 0, residualNorms, converged, reason, operatorApplications: applications };
}

/** The Cholesky factor of M = (H + Hᵀ)/2 + λI, the matrix actually factored; errors say what to do. */
function factorDamped(fn: string, matrix: Float64Array, n: number, damping: number): Float64Array {
  const factored = symmetrize(matrix, n);
  addToDiagonal(factored, n, damping, factored);
  const overflow = indexOfNonFinite(factored);
  if (overflow !== -1) {
    throw new NonFiniteError(
      fn,
      `H + λI overflowed to ${factored[overflow]} (λ = ${damping}); the entries are too large for float64 — rescale the problem`,
    );
  }
  try {
    return cholesky(factored, n);
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
    // Nothing else can fail on a finite square matrix; should it, the error still names choleskySolve.
    throw new SingularMatrixError(
      fn,
      -1,
      `the factorisation of H + λI failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/**
 * The residual of x against what the user gave, b − (H + λI)x with H unsymmetrised, and whether
 * its backward error ‖b − (H + λI)x‖/(‖H + λI‖_F‖x‖ + ‖b‖) is within √ε.
 */
function measured(
  matrix: Float64Array,
  n: number,
  damping: number,
  rhs: Float64Array,
  x: Float64Array,
  symmetrizing: boolean,
): { residualNorms: number[]; converged: boolean; reason: string } {
  const bNorm = norm2(rhs);
  const mx = axpy(damping, x, gemv(matrix, n, n, x));
  const residualNorm = norm2(subVectors(rhs, mx, mx));
  const relative = bNorm === 0 ? 0 : residualNorm / bNorm;
  const backwardError =
    bNorm === 0 ? 0 : residualNorm / (frobeniusNormWithDamping(matrix, n, damping) * norm2(x) + bNorm);
  const converged = backwardError <= BACKWARD_ERROR_TOLERANCE;
  const what = symmetrizing
    ? 'direct factorisation of (H + Hᵀ)/2 + λI (symmetrize: true); the residual is measured against H + λI as given'
    : 'direct factorisation';
  const reason =
    bNorm === 0
      ? 'zero right-hand side'
      : converged
        ? what
        : `${what}: x is exact for the factored matrix, but its backward error against H + λI as given is ${backwardError.toPrecision(3)} > √ε` +
          (symmetrizing ? ', so H is far from symmetric and (H + Hᵀ)/2 is a different matrix' : '');
  return { residualNorms: [relative], converged, reason };
}

/** ‖H + λI‖_F without forming H + λI. */
function frobeniusNormWithDamping(matrix: Float64Array, n: number, damping: number): number {
  let scale = 0;
  for (let i = 0; i < matrix.length; i++) scale = Math.max(scale, Math.abs(matrix[i]!));
  scale = Math.max(scale, damping);
  if (scale === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = (matrix[i * n + j]! + (i === j ? damping : 0)) / scale; // scaled: no overflow
      sum += v * v;
    }
  }
  return scale * Math.sqrt(sum);
}
