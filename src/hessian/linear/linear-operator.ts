/**
 * Linear operators: the one interface every inverse-Hessian solver and spectral estimator takes.
 *
 * A `LinearOperator` is a square matrix you can only multiply by: `{ size, apply(v) }`. A Hessian
 * seen through Hessian-vector products is one (`hessianOperator` builds it), and so is a plain
 * dense matrix (`denseOperator`), which is how the solvers are tested against dense linear
 * algebra without any autodiff.
 *
 * This module provides the interface, the dense wrapper, the coercion `toOperator`, three
 * combinators (`dampedOperator` H + λI, `scaledOperator` s·H, `countingOperator`, which counts
 * applications so demos can report the HVPs a solver spent) and `operatorToMatrix` (n
 * applications → the dense matrix), and the counted products with H + λI the solvers share. It
 * leaves out anything that differentiates: the Hessian operators live one folder up
 * (`hessian-operator.ts`, `curvature.ts`) and hand their products in as operators.
 *
 * Trust at the boundary. Everything a user hands in is read once, when the public function is
 * called: an operator's `size` must be an integer ≥ 1 (an empty system is refused: its relative
 * residual ‖b − Hx‖/‖b‖ is 0/0, and a Hessian of size 0 means the parameters were lost upstream),
 * `apply` a function, a dense matrix square, finite and copied (so later writes to the caller's
 * array cannot leak in). Every product a solver takes from a user's operator is checked — a
 * Float64Array, of the right length, finite — and copied, so an operator that reuses one output
 * buffer cannot corrupt a solver's state. Operators built here check the vector given to their
 * `apply` and hand out fresh arrays only.
 *
 * Symmetry. `denseOperator` and `toOperator` wrap any square matrix: a linear operator is a
 * general linear map (operatorToMatrix, hutchinsonTrace and diagonalEstimate need no symmetry).
 * The solvers and `topEigenpairs`, which assume a symmetric H, check a dense matrix given to them
 * directly (asymmetry beyond √ε relative is refused) — a matrix already wrapped into an operator
 * can only be multiplied by, so its symmetry is the caller's promise.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError, formatShape } from '../../errors.js';
import { axpy, diagonalOf, gemv, indexOfNonFinite, transpose } from '../../linalg/index.js';
import {
  checkArity,
  checkNonNegative,
  checkNumber,
  checkPositiveInteger,
  checkSize,
  checkSymmetric,
  checkVector,
  describeValue,
} from '../../validate.js';

/**
 * A square linear map on Float64Array vectors of length `size` (an integer ≥ 1).
 *
 * `apply` must not mutate its argument; it should return a fresh array (solvers copy what it
 * returns anyway). `diagonal`, when present, returns the operator's exact diagonal (a Jacobi
 * preconditioner needs it).
 *
 * @example
 * const twice: LinearOperator = { size: 2, apply: (v) => v.map((x) => 2 * x) };
 * twice.apply(new Float64Array([1, 3])); // → [2, 6]
 */
export interface LinearOperator {
  readonly size: number;
  apply(v: Float64Array): Float64Array;
  readonly diagonal?: () => Float64Array;
}

/** A duck-typed tensor (the autodiff `Tensor` fits) of shape [n, n]; not imported, only shaped. */
export interface MatrixLike {
  readonly shape: readonly number[];
  toArray(): Float64Array;
}

/** Anything a solver accepts as its matrix: an operator, a dense row-major n×n array, or a tensor. */
export type OperatorLike = LinearOperator | Float64Array | MatrixLike;

/** A LinearOperator that also counts how many times `apply` has been called. */
export type CountingOperator = LinearOperator & { readonly applications: number };

// ---------------------------------------------------------------------------------------------
// Reading what the user gave

/**
 * An object meant as an operator: it has an `apply` function, or (not being a tensor, which has a
 * `size` of its own) an `apply` or `size` key — so `{ size: 2 }` is reported as an operator
 * missing its apply rather than as "not a matrix".
 */
function looksLikeOperator(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value) || Array.isArray(value)) return false;
  if (typeof (value as { apply?: unknown }).apply === 'function') return true;
  return !looksLikeMatrix(value) && ('apply' in value || 'size' in value);
}

function looksLikeMatrix(value: unknown): value is MatrixLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { shape?: unknown }).shape) &&
    typeof (value as { toArray?: unknown }).toArray === 'function'
  );
}

const KINDS = 'a LinearOperator { size, apply }, a dense row-major n×n Float64Array or a tensor of shape [n, n]';

function notAnOperator(fn: string, name: string, value: unknown): InvalidArgumentError {
  const hint = Array.isArray(value)
    ? `; wrap a row-major array: new Float64Array(${name})`
    : ArrayBuffer.isView(value)
      ? '; convert it: Float64Array.from(…)'
      : '';
  return new InvalidArgumentError(fn, `${name} must be ${KINDS}, got ${describeValue(value)}${hint}`);
}

/** Throws NonFiniteError naming the first NaN/±∞ entry of a row-major n×n matrix as [i, j]. */
function checkFiniteMatrix(fn: string, name: string, data: Float64Array, n: number): void {
  const at = indexOfNonFinite(data);
  if (at !== -1) {
    const row = Math.floor(at / n);
    throw new NonFiniteError(
      fn,
      `${name}[${row}, ${at - row * n}] is ${data[at]}; the matrix must hold only finite numbers`,
    );
  }
}

/**
 * Reads a dense n×n matrix (a Float64Array or a duck-typed [n, n] tensor) into a private copy,
 * checking that it is square, non-empty, of order `size` when given, and finite.
 */
function readDense(fn: string, name: string, value: unknown, size?: number): { data: Float64Array; n: number } {
  let source: Float64Array;
  let n: number;
  if (value instanceof Float64Array) {
    source = value;
    const root = Math.round(Math.sqrt(value.length));
    if (value.length === 0 || root * root !== value.length) {
      throw new ShapeError(
        fn,
        `${name} must be a square row-major matrix, but its ${value.length} entries are not n² for any n ≥ 1` +
          (size === undefined ? '' : ` (expected ${size}² = ${size * size})`),
      );
    }
    n = root;
  } else if (looksLikeMatrix(value)) {
    const shape = value.shape;
    const [rows, cols] = shape;
    if (shape.length !== 2 || rows !== cols || typeof rows !== 'number' || !Number.isInteger(rows) || rows < 1) {
      const text = shape.every((d) => typeof d === 'number')
        ? formatShape(shape as number[])
        : `[${shape.map(describeValue).join(', ')}]`;
      throw new ShapeError(
        fn,
        `${name} must be a square matrix of shape [n, n] with n ≥ 1, got a tensor of shape ${text}`,
      );
    }
    const array: unknown = value.toArray();
    if (!(array instanceof Float64Array) || array.length !== rows * rows) {
      throw new InvalidArgumentError(
        fn,
        `${name}.toArray() must return a Float64Array of ${rows * rows} entries, got ${describeValue(array)}`,
      );
    }
    source = array;
    n = rows;
  } else {
    throw notAnOperator(fn, name, value);
  }
  if (size !== undefined && n !== size) {
    throw new ShapeError(fn, `${name} is ${n}×${n} but ${size}×${size} was expected`);
  }
  checkFiniteMatrix(fn, name, source, n);
  return { data: Float64Array.from(source), n };
}

/** A method read off a user's object, called with that object as `this`. */
type Method = (this: unknown, ...args: unknown[]) => unknown;

/** The `{ size, apply, diagonal }` of a user's operator, each checked. */
function readUserOperator(
  fn: string,
  name: string,
  value: Record<string, unknown>,
): { size: number; apply: Method; diagonal: Method | undefined } {
  const apply = value['apply'];
  if (typeof apply !== 'function') {
    throw new InvalidArgumentError(
      fn,
      `${name}.apply must be a function (v) => H·v, got ${describeValue(apply)}; ${name} must be ${KINDS}`,
    );
  }
  const size = value['size'];
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new InvalidArgumentError(
      fn,
      `${name}.size must be an integer ≥ 1 (the length of the vectors it maps), got ${describeValue(size)}; an empty system has no meaningful relative residual`,
    );
  }
  checkSize(fn, size, `${name}.size`);
  const diagonal = value['diagonal'];
  if (diagonal !== undefined && typeof diagonal !== 'function') {
    throw new InvalidArgumentError(
      fn,
      `${name}.diagonal must be a function returning the exact diagonal, or absent; got ${describeValue(diagonal)}`,
    );
  }
  return { size, apply: apply as Method, diagonal: diagonal as Method | undefined };
}

/** What a caller of `readOperator` asks of the input. */
export interface OperatorRule {
  /** The required size (e.g. b.length). */
  readonly size?: number;
  /**
   * Refuse a dense input that is not symmetric beyond √ε; the string is the advice in the error
   * (how to opt out). Operators are not checked: that would cost n products.
   */
  readonly symmetric?: string;
  /** The function name errors raised while multiplying carry (default: the reading function). */
  readonly productFn?: string;
}

/**
 * An operator read once at a public entry point. Every product is checked and fresh, so the
 * caller may overwrite it; `where` (e.g. 'at iteration 3') goes into error messages.
 */
export interface CheckedOperator {
  readonly size: number;
  /** H·v as a fresh, finite Float64Array of length `size`. */
  product(v: Float64Array, where: string): Float64Array;
  /** The exact diagonal (fresh, finite), when the operator provides one. */
  readonly diagonal: ((where: string) => Float64Array) | undefined;
  /** The private copy of the matrix, when a dense matrix was given. */
  readonly dense: Float64Array | undefined;
}

/**
 * Reads an operator argument once, at the entry of public function `fn`: a user's `{ size,
 * apply }`, a dense Float64Array or a [n, n] tensor (copied). Errors name `fn` and the argument.
 *
 * @example
 * const H = readOperator('cgSolve', 'H', new Float64Array([2, 0, 0, 3]), { symmetric: 'pass (H + Hᵀ)/2' });
 * H.product(new Float64Array([1, 1]), 'at iteration 1'); // → [2, 3]
 */
export function readOperator(fn: string, name: string, value: unknown, rule: OperatorRule = {}): CheckedOperator {
  const productFn = rule.productFn ?? fn;
  if (looksLikeOperator(value)) {
    const user = readUserOperator(fn, name, value);
    if (rule.size !== undefined && user.size !== rule.size) {
      throw new ShapeError(fn, `${name} has size ${user.size} but size ${rule.size} was expected`);
    }
    const n = user.size;
    const checkOutput = (out: unknown, what: string, where: string): Float64Array => {
      if (!(out instanceof Float64Array)) {
        throw new InvalidArgumentError(
          productFn,
          `${name}.${what} returned ${describeValue(out)} ${where}; it must return a Float64Array of length ${n}`,
        );
      }
      if (out.length !== n) {
        throw new ShapeError(
          productFn,
          `${name}.${what} returned a vector of length ${out.length} ${where}; an operator of size ${n} must return length ${n}`,
        );
      }
      const at = indexOfNonFinite(out);
      if (at !== -1) {
        throw new NonFiniteError(
          productFn,
          `${name}.${what} returned ${out[at]} at index ${at} ${where}, for a finite input; check the operator (an HVP that overflowed, a NaN in the model) or add damping`,
        );
      }
      return Float64Array.from(out); // the operator may reuse its output buffer
    };
    const userDiagonal = user.diagonal;
    return {
      size: n,
      product: (v, where) => checkOutput(user.apply.call(value, v), 'apply', where),
      diagonal:
        userDiagonal === undefined ? undefined : (where) => checkOutput(userDiagonal.call(value), 'diagonal()', where),
      dense: undefined,
    };
  }
  const { data, n } = readDense(fn, name, value, rule.size);
  if (rule.symmetric !== undefined) checkSymmetric(fn, name, data, n, rule.symmetric);
  return {
    size: n,
    product: (v) => gemv(data, n, n, v),
    diagonal: () => diagonalOf(data, n),
    dense: data,
  };
}

// ---------------------------------------------------------------------------------------------
// Operators handed to users

/**
 * Builds an operator object handed to a user: `apply` checks its argument (a finite Float64Array
 * of length n) and names `${label}.apply` in errors; `product` and `diagonal` must return fresh
 * arrays.
 * @example makeOperator('denseOperator()', 2, (v) => v.map((e) => 2 * e), () => new Float64Array([2, 2])).apply(new Float64Array([1, 3])); // → [2, 6]
 */
export function makeOperator(
  label: string,
  n: number,
  product: (v: Float64Array) => Float64Array,
  diagonal: (() => Float64Array) | undefined,
  onApply?: () => void,
): LinearOperator {
  const applyName = `${label}.apply`;
  const diagonalName = `${label}.diagonal`;
  const op: {
    size: number;
    apply: (...args: unknown[]) => Float64Array;
    diagonal?: (...args: unknown[]) => Float64Array;
  } = {
    size: n,
    apply(...args: unknown[]): Float64Array {
      checkArity(applyName, args.length, 1);
      const v = checkVector(applyName, 'v', args[0], { length: n });
      onApply?.();
      return product(v);
    },
  };
  if (diagonal !== undefined) {
    op.diagonal = (...args: unknown[]): Float64Array => {
      checkArity(diagonalName, args.length, 0);
      return diagonal();
    };
  }
  return op;
}

/**
 * Wraps a dense row-major n×n matrix (or a tensor of shape [n, n]) as a LinearOperator. The
 * matrix is copied, so later changes to the caller's array do not leak in; it must be finite,
 * and may be any square matrix (a linear operator is a general linear map — the solvers that
 * need symmetry check a matrix given to them directly). `n` defaults to √length. The operator
 * provides `diagonal`; its `apply` checks its argument.
 *
 * @example
 * const op = denseOperator(new Float64Array([2, 1, 1, 3]));
 * op.apply(new Float64Array([1, 1])); // → [3, 4]
 * op.diagonal!();                     // → [2, 3]
 */
export function denseOperator(matrix: Float64Array | MatrixLike, n?: number): LinearOperator {
  const fn = 'denseOperator';
  checkArity(fn, arguments.length, 2);
  if (n !== undefined) checkPositiveInteger(fn, 'n', n);
  if (looksLikeOperator(matrix)) {
    throw new InvalidArgumentError(
      fn,
      `matrix must be a dense row-major n×n Float64Array or a tensor of shape [n, n], got ${describeValue(matrix)}; ` +
        'an object with size and apply is an operator, not a matrix (use it as it is, or operatorToMatrix(op) for its entries)',
    );
  }
  const { data, n: size } = readDense(fn, 'matrix', matrix, n);
  return makeOperator(
    `${fn}()`,
    size,
    (v) => gemv(data, size, size, v),
    () => diagonalOf(data, size),
  );
}

/**
 * Coerces what a solver was given into a LinearOperator, naming the caller `fn` in any error
 * about `op` (for authors of their own solvers). Operators pass through unchanged once their
 * `size` (an integer ≥ 1, equal to `n` when given) and `apply` are checked; dense arrays and
 * tensors are copied and wrapped as by `denseOperator`.
 *
 * @example
 * const op = toOperator(new Float64Array([4, 0, 0, 9]), 'mySolver'); // a 2×2 operator
 * op.size; // → 2
 */
export function toOperator(op: OperatorLike, fn: string, n?: number): LinearOperator {
  checkArity('toOperator', arguments.length, 3);
  if (typeof fn !== 'string' || fn.length === 0) {
    throw new InvalidArgumentError(
      'toOperator',
      `fn must be a non-empty string naming the calling function for error messages (e.g. 'mySolver'), got ${describeValue(fn)}`,
    );
  }
  if (n !== undefined) checkPositiveInteger('toOperator', 'n', n);
  if (looksLikeOperator(op)) {
    const user = readUserOperator(fn, 'op', op);
    if (n !== undefined && user.size !== n)
      throw new ShapeError(fn, `expected an operator of size ${n}, got size ${user.size}`);
    return op as unknown as LinearOperator;
  }
  const { data, n: size } = readDense(fn, 'op', op, n);
  return makeOperator(
    'toOperator()',
    size,
    (v) => gemv(data, size, size, v),
    () => diagonalOf(data, size),
  );
}

/**
 * The damped operator H + λI, the standard fix for a Hessian that is singular or slightly
 * indefinite. `damping` must be finite and ≥ 0. Keeps `diagonal` (shifted by λ) when H has one.
 *
 * @example
 * const op = dampedOperator(new Float64Array([1, 0, 0, 1]), 0.5);
 * op.apply(new Float64Array([2, 4])); // → [3, 6]
 */
export function dampedOperator(op: OperatorLike, damping: number): LinearOperator {
  const fn = 'dampedOperator';
  checkArity(fn, arguments.length, 2);
  const label = `${fn}()`;
  const base = readOperator(fn, 'op', op, { productFn: `${label}.apply` });
  checkNonNegative(fn, 'damping', damping);
  const baseDiagonal = base.diagonal;
  return makeOperator(
    label,
    base.size,
    // (H + λI)v = Hv + λv, into the fresh product
    (v) => {
      const hv = base.product(v, 'in dampedOperator');
      return axpy(damping, v, hv, hv);
    },
    baseDiagonal === undefined
      ? undefined
      : () => {
          const d = baseDiagonal('in dampedOperator().diagonal');
          for (let i = 0; i < d.length; i++) d[i]! += damping;
          return d;
        },
  );
}

/**
 * The scaled operator s·H (s finite and non-zero). Keeps `diagonal` when H has one.
 *
 * @example
 * const op = scaledOperator(new Float64Array([2, 0, 0, 4]), 0.5);
 * op.apply(new Float64Array([1, 1])); // → [1, 2]
 */
export function scaledOperator(op: OperatorLike, s: number): LinearOperator {
  const fn = 'scaledOperator';
  checkArity(fn, arguments.length, 2);
  const label = `${fn}()`;
  const base = readOperator(fn, 'op', op, { productFn: `${label}.apply` });
  checkNumber(fn, 's', s);
  if (s === 0)
    throw new InvalidArgumentError(fn, 's must be a finite non-zero number, got 0; 0·H maps everything to 0');
  const baseDiagonal = base.diagonal;
  const scaleInPlace = (x: Float64Array): Float64Array => {
    for (let i = 0; i < x.length; i++) x[i]! *= s;
    return x;
  };
  return makeOperator(
    label,
    base.size,
    (v) => scaleInPlace(base.product(v, 'in scaledOperator')),
    baseDiagonal === undefined ? undefined : () => scaleInPlace(baseDiagonal('in scaledOperator().diagonal')),
  );
}

/**
 * Wraps an operator so that `applications` counts calls to `apply` — the number of Hessian-vector
 * products a solver spent, which is its real cost. `diagonal` calls are not counted, nor calls
 * refused for a bad argument.
 *
 * @example
 * const op = countingOperator(new Float64Array([1, 0, 0, 1]));
 * op.apply(new Float64Array([1, 2]));
 * op.applications; // → 1
 */
export function countingOperator(op: OperatorLike): CountingOperator {
  const fn = 'countingOperator';
  checkArity(fn, arguments.length, 1);
  const label = `${fn}()`;
  const base = readOperator(fn, 'op', op, { productFn: `${label}.apply` });
  let applications = 0;
  const baseDiagonal = base.diagonal;
  const counted = makeOperator(
    label,
    base.size,
    (v) => base.product(v, 'in countingOperator'),
    baseDiagonal === undefined ? undefined : () => baseDiagonal('in countingOperator().diagonal'),
    () => {
      applications++;
    },
  );
  return Object.defineProperty(counted, 'applications', {
    get: () => applications,
    enumerable: true,
  }) as CountingOperator;
}

/**
 * The dense row-major matrix of an operator, built column by column from n applications to the
 * unit vectors eⱼ (column j = H·eⱼ); a dense input is simply copied. Throws NonFiniteError if an
 * application returns NaN/±∞ and ShapeError if it returns the wrong length. No symmetry is
 * assumed.
 *
 * @example
 * operatorToMatrix(denseOperator(new Float64Array([1, 2, 3, 4]))); // → [1, 2, 3, 4]
 */
export function operatorToMatrix(op: OperatorLike): Float64Array {
  const fn = 'operatorToMatrix';
  checkArity(fn, arguments.length, 1);
  const base = readOperator(fn, 'op', op);
  return base.dense === undefined ? formMatrix(base) : Float64Array.from(base.dense);
}

/**
 * The dense matrix of a checked operator from n products (column j = H·eⱼ). Shared by
 * `operatorToMatrix` and `choleskySolve`, so errors name the function the user called.
 * @example formMatrix(readOperator('choleskySolve', 'H', op)); // n products of op
 */
export function formMatrix(op: CheckedOperator): Float64Array {
  const n = op.size;
  // Column j = H·eⱼ is contiguous as row j of Hᵀ, so store Hᵀ row by row and transpose once.
  const out = new Float64Array(n * n);
  const unit = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit[j] = 1;
    out.set(op.product(unit, `for column ${j} (H·e${j})`), j * n);
    unit[j] = 0;
  }
  return transpose(out, n, n, out);
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
 * @example const A = dampedProducts(readOperator('cgSolve', 'H', op), 0.1);
 * A.apply(b, 'at iteration 1');
 * A.count; // → 1
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
