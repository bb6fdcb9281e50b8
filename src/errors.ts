/**
 * Typed errors shared by every layer of tapegrad.
 *
 * Every error names the function that raised it, says what was wrong (shapes, values, the
 * option) and what to try. Callers can branch on the class (`instanceof NotPositiveDefiniteError`)
 * or on `error.code`; the message is for people.
 *
 * This module imports nothing, so every layer (linalg, autodiff, hessian) may use it.
 */

/**
 * The `code` of every error tapegrad throws: stable, machine-readable names to branch on
 * (`switch (error.code)`), one per kind of failure.
 *
 * - `'invalid-argument'` ({@link InvalidArgumentError}): an argument or option outside its domain —
 *   wrong type, unknown option key, negative size, unknown mode.
 * - `'shape'` ({@link ShapeError}): shapes or sizes that do not fit together.
 * - `'non-finite'` ({@link NonFiniteError}): a NaN or ±Infinity where none can be meant.
 * - `'singular'` ({@link SingularMatrixError}): a matrix singular to working precision.
 * - `'not-positive-definite'` ({@link NotPositiveDefiniteError}): a factorisation that needs a
 *   positive definite matrix did not get one.
 * - `'divergence'` ({@link DivergenceError}): an iteration (Neumann, LiSSA) that grows instead of converging.
 * - `'negative-curvature'` ({@link NegativeCurvatureError}): CG met a direction with pᵀHp ≤ 0.
 * - `'escaped-tracer'` ({@link EscapedTracerError}): a traced value used after its transform returned.
 * - `'concretization'` ({@link ConcretizationError}): a value traced by `jit` read as a number while
 *   the function was being compiled.
 * - `'code-generation'` ({@link TapegradError}): `jit` could not generate JavaScript (a page whose
 *   Content-Security-Policy forbids `new Function`) and was told not to fall back to its interpreter.
 * - `'no-convergence'` ({@link TapegradError}): a direct method that should always converge did not
 *   (the symmetric eigensolver on badly scaled input).
 * - `'grad-check'` ({@link TapegradError}): `checkGrads` found a derivative that disagrees with
 *   finite differences.
 *
 * Every error class passes its code through the {@link TapegradError} constructor, whose `code`
 * parameter has this type: a new kind of error must add its code here to compile.
 */
export type ErrorCode =
  | 'invalid-argument'
  | 'shape'
  | 'non-finite'
  | 'singular'
  | 'not-positive-definite'
  | 'divergence'
  | 'negative-curvature'
  | 'escaped-tracer'
  | 'concretization'
  | 'code-generation'
  | 'no-convergence'
  | 'grad-check';

/**
 * Base class of every error tapegrad throws on purpose; catch it to catch them all.
 * @example
 * try {
 *   matmul(tensor([[1, 2]]), tensor([[1, 2]]));
 * } catch (error) {
 *   if (error instanceof TapegradError) console.log(error.code, error.fn); // → shape matmul
 * }
 */
export class TapegradError extends Error {
  /** A stable, machine-readable name for the failure, e.g. `'shape'` or `'not-positive-definite'`. */
  readonly code: ErrorCode;
  /** The public function that detected the problem, e.g. `'matmul'` or `'cgSolve'`. */
  readonly fn: string;

  constructor(fn: string, code: ErrorCode, message: string) {
    const bad = [fn, code, message].findIndex((s) => typeof s !== 'string');
    super(
      bad === -1
        ? `${fn}: ${message}`
        : `${new.target.name}: ${['fn', 'code', 'message'][bad]} must be a string, got ${typeof [fn, code, message][bad]}`,
    );
    this.name = new.target.name;
    if (bad !== -1) {
      // A malformed construction is itself reported as an error of the class being built.
      this.fn = new.target.name;
      this.code = 'invalid-argument';
      return;
    }
    this.fn = fn;
    this.code = code;
  }
}

/** Sizes or shapes that do not fit together (matmul of [2,3] and [4,5], a tangent of the wrong shape). */
export class ShapeError extends TapegradError {
  constructor(fn: string, message: string) {
    super(fn, 'shape', message);
  }
}

/** An argument or option outside its allowed domain (a negative size, an unknown mode). */
export class InvalidArgumentError extends TapegradError {
  constructor(fn: string, message: string) {
    super(fn, 'invalid-argument', message);
  }
}

/** A NaN or ±Infinity where it would silently turn the result into garbage. */
export class NonFiniteError extends TapegradError {
  constructor(fn: string, message: string) {
    super(fn, 'non-finite', message);
  }
}

/** A matrix that is singular to working precision; `pivot` is the zero-based column that failed. */
export class SingularMatrixError extends TapegradError {
  readonly pivot: number;
  constructor(fn: string, pivot: number, message: string) {
    super(fn, 'singular', message);
    this.pivot = checkedNumber(this, 'pivot', pivot, true);
  }
}

/** A matrix or operator that is not (numerically) positive definite; `column` is where it showed. */
export class NotPositiveDefiniteError extends TapegradError {
  readonly column: number;
  constructor(fn: string, column: number, message: string) {
    super(fn, 'not-positive-definite', message);
    this.column = checkedNumber(this, 'column', column, true);
  }
}

/**
 * An iterative method that is diverging (Neumann with spectral radius ≥ 1, LiSSA blowing up).
 * `spectralRadius` is the estimate that explains it and `suggestedScale` a value that would converge.
 */
export class DivergenceError extends TapegradError {
  readonly iteration: number;
  readonly spectralRadius: number | undefined;
  readonly suggestedScale: number | undefined;
  constructor(
    fn: string,
    message: string,
    details: { iteration: number; spectralRadius?: number; suggestedScale?: number },
  ) {
    super(fn, 'divergence', message);
    const given = (typeof details === 'object' && details !== null ? details : {}) as Partial<typeof details>;
    this.iteration = checkedNumber(this, 'details.iteration', given.iteration, true);
    this.spectralRadius = given.spectralRadius;
    this.suggestedScale = given.suggestedScale;
  }
}

/** CG met a direction p with pᵀHp ≤ 0: the operator is not positive definite. */
export class NegativeCurvatureError extends TapegradError {
  readonly iteration: number;
  readonly curvature: number;
  constructor(fn: string, iteration: number, curvature: number, message: string) {
    super(fn, 'negative-curvature', message);
    this.iteration = checkedNumber(this, 'iteration', iteration, true);
    this.curvature = checkedNumber(this, 'curvature', curvature, false);
  }
}

/**
 * A numeric field of an error under construction; a malformed one turns the error into a report
 * of that mistake (the same class, with `fn` the class name and code 'invalid-argument').
 */
function checkedNumber(error: TapegradError, name: string, value: unknown, integer: boolean): number {
  const ok =
    typeof value === 'number' && Number.isFinite(value) && (!integer || (Number.isInteger(value) && value >= -1));
  if (!ok && error.code !== 'invalid-argument') {
    const writable = error as { -readonly [K in 'fn' | 'message']: string } & { code: ErrorCode };
    writable.fn = error.name;
    writable.code = 'invalid-argument';
    writable.message = `${error.name}: ${name} must be ${integer ? 'an integer ≥ -1' : 'a finite number'}, got ${typeof value === 'string' ? `'${value}' (a string)` : typeof value === 'object' && value !== null ? 'an object' : String(value)}`;
  }
  return ok ? value : NaN;
}

/**
 * A traced value was used after the transform that traces it returned — typically a tensor
 * saved in an outer variable while `f` ran under `grad`. JAX calls this an escaped tracer.
 * `transform` names that transform and `level` its level.
 */
export class EscapedTracerError extends TapegradError {
  readonly transform: string;
  readonly level: number;
  constructor(fn: string, transform: string, level: number, message: string) {
    super(fn, 'escaped-tracer', message);
    this.transform = transform;
    if (typeof transform !== 'string') checkedNumber(this, 'transform (a string)', NaN, false);
    this.level = checkedNumber(this, 'level', level, true);
  }
}

/**
 * A value traced by `jit` was read as a concrete number (`item()`, `toArray()`, `data`) while the
 * function was being compiled. A compiled function is specialised to shapes, not to values: a
 * value read in JavaScript would be baked into it as a constant and be wrong for the next
 * arguments (JAX's ConcretizationTypeError). Compute with tensor ops instead (`where`,
 * `maximum`, …), or call the function without `jit`.
 */
export class ConcretizationError extends TapegradError {
  constructor(fn: string, message: string) {
    super(fn, 'concretization', message);
  }
}

/** Formats a shape for messages: `[2, 3]`, and `[]` for a scalar. @example formatShape([2, 3]); // '[2, 3]' */
export function formatShape(shape: readonly number[]): string {
  if (!Array.isArray(shape) || shape.some((d) => typeof d !== 'number')) {
    throw new InvalidArgumentError(
      'formatShape',
      `shape must be an array of numbers, got ${typeof shape === 'string' ? `'${shape}' (a string)` : Array.isArray(shape) ? 'an array holding a non-number' : String(shape)}`,
    );
  }
  return `[${shape.join(', ')}]`;
}
