/**
 * Reading the arguments of the inverse-Hessian adapters and of the applications above them once,
 * at entry: inverse Hessians, matrices of per-example gradients, options handed through to a
 * solver, and the solver's errors reported under the name of the function the user called.
 *
 * Nothing here runs inside a solve or a sweep; each reader returns what the caller needs, already
 * checked, so the loops that follow need no checks.
 */
import { InvalidArgumentError, ShapeError, TapegradError } from '../../errors.js';
import {
  checkCount,
  checkFiniteEntries,
  checkNumber,
  checkVector,
  describeValue,
  isPlainObject,
  nearest,
  quote,
} from '../../validate.js';
import type { LinearOperator, SolveResult } from './index.js';

/** An inverse Hessian as the applications use it: its size and a solve that is called bound. */
export interface InverseReader {
  readonly size: number;
  solve(b: Float64Array): SolveResult;
}

/**
 * Reads an inverse Hessian argument: an object with an integer `size` ≥ 1 and a `solve(b)` method
 * (what `exactInverse`, `cgInverse`, … return, or a user's own).
 * @example const inv = readInverse('influence', 'inverse', exactInverse(H)); inv.size; // d
 */
export function readInverse(fn: string, name: string, value: unknown): InverseReader {
  if (typeof value !== 'object' || value === null || typeof (value as { solve?: unknown }).solve !== 'function') {
    throw new InvalidArgumentError(
      fn,
      `${name} must be an inverse Hessian { size, solve(b) } such as exactInverse(H) or cgInverse(H), got ${describeValue(value)}`,
    );
  }
  const size = checkNumber(fn, `${name}.size`, (value as { size?: unknown }).size, { integer: true, min: 1 });
  const solve = (value as { solve: (b: Float64Array) => unknown }).solve;
  return { size, solve: (b) => solve.call(value, b) as SolveResult };
}

/**
 * Calls `inverse.solve(b)` for the public function `fn` and checks what came back: an object whose
 * `x` is a finite Float64Array of the inverse's size. A solver's own error is reported under `fn`.
 * `what` names the right-hand side in messages.
 * @example solveWith('influence', inv, testGradient, 'testGradient').x;
 */
export function solveWith(fn: string, inverse: InverseReader, b: Float64Array, what: string): SolveResult {
  const result = reportedAs(fn, () => inverse.solve(b));
  const x = (result as { x?: unknown } | null | undefined)?.x;
  if (!(x instanceof Float64Array) || x.length !== inverse.size) {
    throw new ShapeError(
      fn,
      `inverse.solve(${what}) returned ${describeValue(result)} with x = ${describeValue(x)}; it must return { x } with x a Float64Array of length ${inverse.size}`,
    );
  }
  checkFiniteEntries(
    fn,
    `x = inverse.solve(${what}).x`,
    x,
    'the inverse Hessian is singular or its solver diverged: add damping',
  );
  return result;
}

/** A matrix of per-example gradients, read once: row i of `gradients` (count × size) is ∇ℓᵢ. */
export interface GradientRows {
  readonly gradients: Float64Array;
  readonly count: number;
  readonly size: number;
}

/**
 * Reads a `PerSampleGradients`-like argument `{ gradients, count, size }` (other keys are ignored):
 * counts ≥ 0, `gradients` a finite Float64Array of count·size entries, and `size` equal to
 * `expectedSize` when given. `gradients` is read once (a getter may copy) and not copied again:
 * callers use it before they return.
 * @example readGradients('influence', 'trainGradients', perSampleGradients(losses, params), d).count; // N
 */
export function readGradients(fn: string, name: string, value: unknown, expectedSize?: number): GradientRows {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    const hint =
      value instanceof Float64Array
        ? `; for a row-major N×d array write { gradients: ${name}, count: N, size: d }`
        : '';
    throw new InvalidArgumentError(
      fn,
      `${name} must be per-example gradients { gradients, count, size } such as perSampleGradients(losses, params) returns, got ${describeValue(value)}${hint}`,
    );
  }
  const given = value as { gradients?: unknown; count?: unknown; size?: unknown };
  const count = checkCount(fn, `${name}.count`, given.count);
  const size = checkCount(fn, `${name}.size`, given.size);
  const gradients = checkVector(fn, `${name}.gradients`, given.gradients, { length: count * size });
  if (expectedSize !== undefined && size !== expectedSize) {
    throw new ShapeError(
      fn,
      `${name} holds ${count}×${size} gradients but the inverse Hessian acts on ${expectedSize} parameters; they must match`,
    );
  }
  return { gradients, count, size };
}

/**
 * Splits the options of an adapter (`cgInverse`, …) into its own keys and the rest, which go to
 * a solver that refuses unknown keys itself. A key close to one of the adapter's own is refused
 * here, since the solver would not know to suggest it. Float64Arrays among the rest are copied,
 * so later changes to the caller's arrays cannot reach later solves.
 * @example splitOptions('cgInverse', { name: 'CG', tolerance: 1e-8 }, ['name']); // → { own: { name: 'CG' }, rest: { tolerance: 1e-8 } }
 */
export function splitOptions(
  fn: string,
  options: unknown,
  own: readonly string[],
): { own: Record<string, unknown>; rest: Record<string, unknown> } {
  if (options === undefined) return { own: {}, rest: {} };
  if (!isPlainObject(options)) {
    throw new InvalidArgumentError(
      fn,
      `options must be an object such as { tolerance: 1e-8, ${own[0] ?? 'damping'}: … }, got ${describeValue(options)}`,
    );
  }
  const mine: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (own.includes(key)) mine[key] = value;
    else {
      const near = nearest(key, own);
      if (near !== undefined)
        throw new InvalidArgumentError(fn, `unknown option ${quote(key)}; did you mean ${quote(near)}?`);
      rest[key] = value instanceof Float64Array ? value.slice() : value;
    }
  }
  return { own: mine, rest };
}

/** A string option such as a display name. @example checkText('cgInverse', 'options.name', 'CG'); // 'CG' */
export function checkText(fn: string, name: string, value: unknown): string {
  if (typeof value !== 'string')
    throw new InvalidArgumentError(fn, `${name} must be a string, got ${describeValue(value)}`);
  return value;
}

/** The identity of size n: a stand-in operator on which a solver's options can be checked for free. @example identityOperator(2).apply(new Float64Array([1, 2])); // [1, 2] */
export function identityOperator(n: number): LinearOperator {
  return { size: n, apply: (v) => v.slice(), diagonal: () => new Float64Array(n).fill(1) };
}

/**
 * Runs `work`; a tapegrad error raised inside by another public function (the solver the caller
 * delegates to) is reported as raised by `fn`, the function the user called — its class, fields
 * and explanation kept, and the original function named at the end.
 * @example reportedAs('cgInverse().solve', () => cgSolve(H, b)); // a NegativeCurvatureError names cgInverse().solve
 */
export function reportedAs<T>(fn: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof TapegradError) || error.fn === fn) throw error;
    const from = error.fn;
    const prefix = `${from}: `;
    const explanation = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    const message = `${fn}: ${explanation} (reported by ${from})`;
    if (typeof error.stack === 'string') error.stack = error.stack.replace(error.message, message);
    (error as { fn: string }).fn = fn;
    error.message = message;
    throw error;
  }
}
