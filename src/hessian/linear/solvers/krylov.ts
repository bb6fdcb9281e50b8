/**
 * What the Krylov solvers (CG, MINRES) share: their options, one entry that reads them with the
 * operator and the right-hand side, the true residual, and how a result names the iterate it returns.
 */
import { subVectors } from '../../../linalg/index.js';
import { checkPositiveInteger, checkVector, readOptions } from '../../../validate.js';
import { readOperator, type DampedProducts } from '../linear-operator.js';
import {
  SYMMETRY_ADVICE,
  readDamping,
  readRightHandSide,
  readSignal,
  readTolerance,
  type AbortFlag,
} from './inputs.js';

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

/**
 * Reads a Krylov solve's arguments once, at entry, with errors that name `fn`: H (a dense H must
 * be symmetric), b, and the options (unknown keys refused; `extraKeys` are the solver's own,
 * read by the caller).
 * @example const { op, n, tolerance } = krylovSetup('cgSolve', H, b, options, ['preconditioner']);
 */
export function krylovSetup(
  fn: string,
  H: unknown,
  b: unknown,
  options: KrylovOptions | undefined,
  extraKeys: readonly string[] = [],
) {
  const op = readOperator(fn, 'H', H, { symmetric: SYMMETRY_ADVICE });
  const n = op.size;
  const rhs = readRightHandSide(fn, b, n);
  const given = readOptions(fn, options as Record<string, unknown> | undefined, [
    'tolerance',
    'maxIterations',
    'damping',
    'x0',
    'signal',
    ...extraKeys,
  ]);
  const tolerance = given['tolerance'] === undefined ? 1e-10 : readTolerance(fn, given['tolerance']);
  const maxIterations =
    given['maxIterations'] === undefined ? 10 * n : checkPositiveInteger(fn, 'maxIterations', given['maxIterations']);
  const damping = readDamping(fn, given['damping']);
  const x0 = given['x0'] === undefined ? undefined : checkVector(fn, 'x0', given['x0'], { length: n });
  const signal = readSignal(fn, given['signal']);
  return { op, n, b: rhs, tolerance, maxIterations, damping, x0, signal, options: given };
}

/** The true residual b − (H + λI)y, with one counted product (`where` names it in errors). */
export function trueResidual(A: DampedProducts, rhs: Float64Array, y: Float64Array, where: string): Float64Array {
  const ay = A.apply(y, where);
  return subVectors(rhs, ay, ay);
}

/**
 * What a result adds to its reason when the iterate returned is not the last one: the initial
 * guess, or the iterate with the lowest true residual.
 */
export function returnedIterateNote(returned: number, last: number): string {
  if (returned === last) return '';
  return returned === 0
    ? '; x is the initial guess: no iterate had a lower true residual'
    : `; x is iterate ${returned}, the one with the lowest true residual`;
}
