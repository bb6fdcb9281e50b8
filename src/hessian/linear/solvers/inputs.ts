/**
 * The solvers' argument readers: each reads one argument once, at entry, with errors that name
 * the solver — tolerance, right-hand side, damping, scale, abort signal — and the advice every
 * symmetry error gives.
 */
import { InvalidArgumentError } from '../../../errors.js';
import { checkNonNegative, checkNumber, checkVector, describeValue, nearest } from '../../../validate.js';

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
    throw new InvalidArgumentError(
      fn,
      `signal must be an AbortSignal (or any object with a boolean 'aborted'), got ${describeValue(signal)}`,
    );
  }
  return signal as AbortFlag;
}

/**
 * Reads a tolerance on the relative residual: a finite number > 0.
 * @example readTolerance('cgSolve', 1e-8); // → 1e-8
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
 * @example readScale('neumannSolve', 'auto'); // → 'auto'
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

/**
 * Reads a damping λ: undefined (0) or a finite number ≥ 0. `name` is how the error shows it.
 * @example readDamping('cgSolve', 0.1); // → 0.1
 */
export function readDamping(fn: string, value: unknown, name = 'damping'): number {
  return value === undefined ? 0 : checkNonNegative(fn, name, value);
}
