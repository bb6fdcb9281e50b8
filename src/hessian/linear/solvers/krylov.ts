/**
 * What the Krylov solvers (CG, MINRES) share: their options and one entry that reads them with
 * the operator and the right-hand side.
 */
import { checkPositiveInteger, checkVector, readOptions } from '../../../validate.js';
import { readOperator } from '../linear-operator.js';
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
