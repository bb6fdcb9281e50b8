/**
 * What every inverse-Hessian solver returns, and the entry checks they share.
 *
 * This module provides the `SolveResult` contract (solution, iterations, relative-residual
 * history, convergence flag and reason, operator applications spent), the options the Krylov
 * solvers share, and the small pieces every solver uses to read its arguments once at entry
 * (errors name the solver) and to count its products. It leaves out the solvers themselves.
 */
import { InvalidArgumentError } from '../../errors.js';
import { axpy } from '../../linalg/index.js';
import { checkNonNegative, checkNumber, checkPositiveInteger, checkVector, describeValue, nearest, readOptions } from '../../validate.js';
import { readOperator, type CheckedOperator } from '../linear-operator.js';

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
 * result.x;                  // Float64Array [1, 1]
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
 * Something with an `aborted` flag, like the web-standard AbortSignal. Solvers that accept a
 * signal poll it between iterations and return their best iterate early (converged: false,
 * reason 'aborted').
 *
 * @example
 * const controller = new AbortController();
 * cgSolve(H, b, { signal: controller.signal }); // controller.abort() from elsewhere stops it
 */
export interface AbortFlag {
  readonly aborted: boolean;
}

/** The options every Krylov solver (CG, MINRES) shares. */
export interface KrylovOptions {
  /** Stop when ‖b − (H + λI)x‖/‖b‖ ≤ tolerance (default 1e-10). */
  tolerance?: number;
  /** Iteration limit (default 10·n). Reaching it returns converged: false, it does not throw. */
  maxIterations?: number;
  /** λ ≥ 0 (default 0). */
  damping?: number;
  /** Initial guess (default 0); it is copied, never written. */
  x0?: Float64Array;
  /** Polled each iteration; when aborted the best iterate so far is returned with reason 'aborted'. */
  signal?: AbortFlag;
}

/** Times a Krylov solver may restart from the true residual after the recursive one met the tolerance. */
export const MAX_RESTARTS = 3;

/** What the symmetry error of a solver tells the user to do. */
export const SYMMETRY_ADVICE =
  'the solver assumes a symmetric H (every Hessian is); if the asymmetry is noise (a finite-difference Hessian) pass (H + Hᵀ)/2, ' +
  'or use choleskySolve with { symmetrize: true }';

/**
 * Reads the `signal` option: undefined, or an object whose `aborted` is a boolean (an AbortSignal).
 * @example readSignal('cgSolve', new AbortController().signal);
 */
export function readSignal(fn: string, signal: unknown): AbortFlag | undefined {
  if (signal === undefined) return undefined;
  if (typeof signal !== 'object' || signal === null || typeof (signal as { aborted?: unknown }).aborted !== 'boolean') {
    throw new InvalidArgumentError(fn, `signal must be an AbortSignal (or any object with a boolean 'aborted'), got ${describeValue(signal)}`);
  }
  return signal as AbortFlag;
}

/**
 * Reads a tolerance on the relative residual: a finite number > 0.
 * @example readTolerance('cgSolve', 1e-8); // 1e-8
 */
export function readTolerance(fn: string, value: unknown): number {
  return checkNumber(fn, 'tolerance', value, { above: 0 });
}

/**
 * Reads a right-hand side: a finite Float64Array of length n (not copied: solvers only read it).
 * @example readRightHandSide('cgSolve', new Float64Array([1, 2]), 2);
 */
export function readRightHandSide(fn: string, b: unknown, n: number): Float64Array {
  return checkVector(fn, 'b', b, { length: n });
}

/**
 * Reads the `scale` option of the Neumann-type solvers: a finite number > 0 or 'auto'.
 * @example readScale('neumannSolve', 'auto'); // 'auto'
 */
export function readScale(fn: string, value: unknown): number | 'auto' {
  if (value === 'auto') return value;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  const hint =
    typeof value === 'string'
      ? value.trim() !== '' && !Number.isNaN(Number(value))
        ? `; pass the number ${Number(value)}, not a string`
        : nearest(value, ['auto']) === undefined
          ? ''
          : "; did you mean 'auto'?"
      : '';
  throw new InvalidArgumentError(fn, `scale must be a finite number > 0 or 'auto', got ${describeValue(value)}${hint}`);
}

/** Products with H + λI, counted. */
export interface DampedProducts {
  /** (H + λI)v as a fresh, checked array; `where` goes into error messages. */
  apply(v: Float64Array, where: string): Float64Array;
  /** Products taken so far. */
  readonly count: number;
}

/**
 * Counts and applies (H + λI) through a checked operator.
 * @example const A = dampedProducts(op, 0.1); A.apply(v, 'at iteration 1'); A.count; // 1
 */
export function dampedProducts(op: CheckedOperator, damping: number): DampedProducts {
  let count = 0;
  return {
    apply(v, where) {
      count++;
      const out = op.product(v, where); // fresh, so λv is added in place
      return damping === 0 ? out : axpy(damping, v, out, out);
    },
    get count() {
      return count;
    },
  };
}

/**
 * The result for b = 0, whose solution is exactly x = 0 (no product is needed: H·0 = 0).
 *
 * @example
 * zeroRightHandSide(3).reason; // 'zero right-hand side'
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

/**
 * Reads a Krylov solve's arguments once, at entry, with errors that name `fn`: H (a dense H must
 * be symmetric), b, and the options (unknown keys refused; `extraKeys` are the solver's own,
 * read by the caller).
 * @example const { op, n, tolerance } = krylovSetup('cgSolve', H, b, options, ['preconditioner']);
 */
export function krylovSetup(fn: string, H: unknown, b: unknown, options: KrylovOptions | undefined, extraKeys: readonly string[] = []) {
  const op = readOperator(fn, 'H', H, { symmetric: SYMMETRY_ADVICE });
  const n = op.size;
  const rhs = readRightHandSide(fn, b, n);
  const given = readOptions(fn, options as Record<string, unknown> | undefined, ['tolerance', 'maxIterations', 'damping', 'x0', 'signal', ...extraKeys]);
  const tolerance = given['tolerance'] === undefined ? 1e-10 : readTolerance(fn, given['tolerance']);
  const maxIterations = given['maxIterations'] === undefined ? 10 * n : checkPositiveInteger(fn, 'maxIterations', given['maxIterations']);
  const damping = given['damping'] === undefined ? 0 : checkNonNegative(fn, 'damping', given['damping']);
  const x0 = given['x0'] === undefined ? undefined : checkVector(fn, 'x0', given['x0'], { length: n });
  const signal = readSignal(fn, given['signal']);
  return { op, n, b: rhs, tolerance, maxIterations, damping, x0, signal, options: given };
}
