/**
 * What every inverse-Hessian solver returns, and the input checks they all share.
 *
 * This module provides the `SolveResult` contract (solution, iterations, relative-residual
 * history, convergence flag and reason, operator applications spent) and small validators that
 * turn bad input into typed errors naming the solver. It leaves out the solvers themselves.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../../errors.js';
import { axpy, indexOfNonFinite } from '../../linalg/index.js';
import { toOperator, type LinearOperator, type OperatorLike } from '../linear-operator.js';

/**
 * The result of solving (H + λI)x = b.
 *
 * @example
 * const result: SolveResult = cgSolve(new Float64Array([2, 0, 0, 4]), new Float64Array([2, 4]));
 * result.x;                  // Float64Array [1, 1]
 * result.residualNorms.at(-1); // ≤ 1e-10, the relative residual ‖b − (H + λI)x‖/‖b‖ of x
 */
export interface SolveResult {
  /** The solution estimate (a fresh array). */
  x: Float64Array;
  /** Iterations performed (0 for the direct solver). */
  iterations: number;
  /** History of the relative residual ‖b − (H + λI)x‖/‖b‖; the last entry belongs to `x`. */
  residualNorms: number[];
  /** Whether the requested tolerance was met (always true for the direct solver). */
  converged: boolean;
  /** Why the solver stopped: 'tolerance reached', 'iteration limit', 'zero right-hand side', … */
  reason: string;
  /** Operator applications (Hessian-vector products) spent, including residual checks. */
  operatorApplications: number;
}

/**
 * Something with an `aborted` flag, like the web-standard AbortSignal. Solvers that accept a
 * signal poll it between iterations and return early (converged: false, reason 'aborted').
 *
 * @example
 * const controller = new AbortController();
 * cgSolve(H, b, { signal: controller.signal }); // controller.abort() from elsewhere stops it
 */
export interface AbortFlag {
  readonly aborted: boolean;
}

/**
 * Throws unless b is a finite Float64Array of length n (ShapeError / NonFiniteError naming `fn`).
 *
 * @example
 * checkRightHandSide('cgSolve', new Float64Array([1, 2]), 2); // ok
 * checkRightHandSide('cgSolve', new Float64Array([1, NaN]), 2); // throws NonFiniteError
 */
export function checkRightHandSide(fn: string, b: Float64Array, n: number): void {
  if (!(b instanceof Float64Array)) {
    throw new InvalidArgumentError(fn, 'the right-hand side b must be a Float64Array');
  }
  if (b.length !== n) {
    throw new ShapeError(fn, `the operator has size ${n} but b has length ${b.length}; they must match`);
  }
  const i = indexOfNonFinite(b);
  if (i !== -1) throw new NonFiniteError(fn, `b[${i}] is ${b[i]}; the right-hand side must be finite`);
}

/**
 * Throws InvalidArgumentError unless damping is finite and ≥ 0.
 *
 * @example
 * checkDamping('cgSolve', 1e-3); // ok
 * checkDamping('cgSolve', -1);   // throws
 */
export function checkDamping(fn: string, damping: number): void {
  if (typeof damping !== 'number' || !Number.isFinite(damping) || damping < 0) {
    throw new InvalidArgumentError(
      fn,
      `damping must be a finite number ≥ 0, got ${damping}; it is the λ in (H + λI)x = b`,
    );
  }
}

/**
 * Throws InvalidArgumentError unless value is a positive integer.
 *
 * @example
 * checkPositiveInteger('neumannSolve', 'iterations', 0); // throws: iterations must be a positive integer, got 0
 */
export function checkPositiveInteger(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidArgumentError(fn, `${name} must be a positive integer, got ${value}`);
  }
}

/**
 * Throws InvalidArgumentError unless tolerance is finite and > 0.
 *
 * @example
 * checkTolerance('cgSolve', 1e-10); // ok
 */
export function checkTolerance(fn: string, tolerance: number): void {
  if (typeof tolerance !== 'number' || !Number.isFinite(tolerance) || tolerance <= 0) {
    throw new InvalidArgumentError(
      fn,
      `tolerance must be a finite number > 0, got ${tolerance}; it bounds the relative residual ‖b − (H + λI)x‖/‖b‖`,
    );
  }
}

/**
 * Throws unless x0 is a finite Float64Array of length n.
 *
 * @example
 * checkInitialGuess('cgSolve', new Float64Array(3), 3); // ok
 */
export function checkInitialGuess(fn: string, x0: Float64Array, n: number): void {
  if (!(x0 instanceof Float64Array) || x0.length !== n) {
    throw new ShapeError(fn, `x0 must be a Float64Array of length ${n}`);
  }
  const i = indexOfNonFinite(x0);
  if (i !== -1) throw new NonFiniteError(fn, `x0[${i}] is ${x0[i]}; the initial guess must be finite`);
}

/**
 * Applies (H + λI) to v (a fresh array) and checks the length of what came back: a user-written
 * operator returning the wrong length must not propagate silently.
 *
 * @example
 * applyDamped('cgSolve', denseOperator(new Float64Array([2, 0, 0, 2])), 1, new Float64Array([1, 1])); // [3, 3]
 */
export function applyDamped(fn: string, op: LinearOperator, damping: number, v: Float64Array): Float64Array {
  const hv = op.apply(v);
  if (!(hv instanceof Float64Array) || hv.length !== op.size) {
    throw new ShapeError(
      fn,
      `the operator's apply returned ${hv instanceof Float64Array ? `length ${hv.length}` : 'a non-Float64Array'}; expected length ${op.size}`,
    );
  }
  // (H + λI)v = Hv + λv, into a fresh array so the operator's output is never mutated.
  return axpy(damping, v, hv);
}

/**
 * Throws NonFiniteError if any entry of v is NaN or ±∞ (the operator produced garbage).
 *
 * @example
 * checkFiniteVector('minresSolve', 'Hv', new Float64Array([1, Infinity]), 'check the operator'); // throws
 */
export function checkFiniteVector(fn: string, what: string, v: Float64Array, advice: string): void {
  const i = indexOfNonFinite(v);
  if (i !== -1) throw new NonFiniteError(fn, `${what} has ${v[i]} at index ${i}; ${advice}`);
}

/**
 * The result for b = 0, whose solution is exactly x = 0.
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

/** The options every Krylov solver (CG, MINRES) shares. */
export interface KrylovOptions {
  /** Stop when ‖b − (H + λI)x‖/‖b‖ ≤ tolerance (default 1e-10). */
  tolerance?: number;
  /** Iteration limit (default 10·n). Reaching it returns converged: false, it does not throw. */
  maxIterations?: number;
  /** λ ≥ 0 (default 0). */
  damping?: number;
  /** Initial guess (default 0). */
  x0?: Float64Array;
  /** Polled each iteration; when aborted the current iterate is returned with reason 'aborted'. */
  signal?: AbortFlag;
}

/** Times a Krylov solver may restart from the true residual after the recursive one met the tolerance. */
export const MAX_RESTARTS = 3;

/**
 * Validates a Krylov solve's inputs and fills in the defaults, with errors that name `fn`.
 * @example const { op, n, tolerance } = krylovSetup('cgSolve', H, b, options);
 */
export function krylovSetup(fn: string, H: OperatorLike, b: Float64Array, options: KrylovOptions) {
  const op = toOperator(H, fn);
  const n = op.size;
  const { tolerance = 1e-10, maxIterations = 10 * n, damping = 0, x0, signal } = options;
  checkRightHandSide(fn, b, n);
  checkTolerance(fn, tolerance);
  checkPositiveInteger(fn, 'maxIterations', maxIterations);
  checkDamping(fn, damping);
  if (x0 !== undefined) checkInitialGuess(fn, x0, n);
  return { op, n, tolerance, maxIterations, damping, x0, signal };
}
