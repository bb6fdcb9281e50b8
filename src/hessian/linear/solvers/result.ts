/**
 * What every inverse-Hessian solver returns: the `SolveResult` contract (solution, iterations,
 * relative-residual history, convergence flag and reason, operator applications spent), and
 * the one result every solver shares, x = 0 for b = 0. The checks of the solvers' arguments are
 * in `inputs.ts`, the Krylov solvers' common setup in `krylov.ts`.
 */
/**
 * The result of solving (H + λI)x = b.
 *
 * What a solver promises about it:
 * - `x` is a fresh array and the best iterate the solver can vouch for: an iterative solver
 *   never returns an iterate whose measured residual is worse than its initial guess's, and CG
 *   and MINRES return the iterate with the lowest true residual they measured. (LiSSA returns
 *   the average of its repeats' final iterates: its residuals are minibatch estimates, and
 *   picking the smallest of noisy numbers would pick noise.)
 * - `residualNorms` is the history of the relative residual ‖b − (H + λI)x‖/‖b‖ and its last
 *   entry belongs to the returned x, measured from a product with H (LiSSA: with a minibatch H).
 * - `converged` is true only when that final residual was measured and met the tolerance (for
 *   choleskySolve, which has none to meet: its backward error is ≤ √ε). A solver run without a
 *   tolerance (neumannSolve and lissa by default) reports false and says in `reason` that
 *   convergence was not tested. A zero right-hand side is the one exception that needs no test:
 *   x = 0 is exact, reported with converged: true.
 *
 * @example
 * const result: SolveResult = cgSolve(new Float64Array([2, 0, 0, 4]), new Float64Array([2, 4]));
 * result.x;                  // → [1, 1]
 * result.residualNorms.at(-1); // ≤ 1e-10, the relative residual ‖b − (H + λI)x‖/‖b‖ of x
 */
export interface SolveResult {
  /** The solution estimate (a fresh array that owns its buffer). */
  x: Float64Array;
  /** Iterations performed (0 for the direct solver). */
  iterations: number;
  /** History of the relative residual ‖b − (H + λI)x‖/‖b‖; the last entry belongs to `x`. */
  residualNorms: number[];
  /** Whether the final residual of `x` was measured and met the tolerance (see above). */
  converged: boolean;
  /**
   * Why the solver stopped, starting with a stable phrase: 'tolerance reached', 'iteration
   * limit', 'stagnated', 'aborted', 'no tolerance given', 'zero right-hand side', 'direct
   * factorisation'; details follow after a colon or semicolon.
   */
  reason: string;
  /** Operator applications (Hessian-vector products) spent, including residual checks. */
  operatorApplications: number;
}

/**
 * The result for b = 0, whose solution is exactly x = 0 (no product is needed: H·0 = 0).
 *
 * @example
 * zeroRightHandSide(3).reason; // → 'zero right-hand side'
 */
export function zeroRightHandSide(n: number): SolveResult {
  return {
    x: new Float64Array(n),
    iterations: 0,
    residualNorms: [0],
    converged: true,
    reason: 'zero right-hand side',
    operatorApplications: 0,
  };
}
