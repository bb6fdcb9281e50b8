/**
 * Linear operators: the one interface every inverse-Hessian solver and spectral estimator takes.
 *
 * A `LinearOperator` is a square matrix you can only multiply by: `{ size, apply(v) }`. A Hessian
 * seen through Hessian-vector products is one (the lead's `hessianOperator` builds it), and so is
 * a plain dense matrix (`denseOperator`), which is how the solvers are tested against dense
 * linear algebra without any autodiff.
 *
 * This module provides the interface, the dense wrapper, the coercion `toOperator` used by every
 * solver, three combinators (`dampedOperator` H + λI, `scaledOperator` s·H, `countingOperator`
 * which counts applications so demos can report the HVPs a solver spent) and `operatorToMatrix`
 * (n applications → the dense matrix). It leaves out anything that needs autodiff (HVP operators
 * live in `hvp.ts` / `operators.ts`) and does not check symmetry: the solvers assume a symmetric
 * operator, as every Hessian is.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError, formatShape } from '../errors.js';
import { diagonalOf, gemv, indexOfNonFinite, transpose } from '../linalg/index.js';

/**
 * A square linear map on Float64Array vectors of length `size`.
 *
 * `apply` must not mutate its argument and must return a fresh array. `diagonal`, when present,
 * returns the operator's exact diagonal (a Jacobi preconditioner needs it).
 *
 * @example
 * const twice: LinearOperator = { size: 2, apply: (v) => v.map((x) => 2 * x) };
 * twice.apply(new Float64Array([1, 3])); // Float64Array [2, 6]
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

function isLinearOperator(op: unknown): op is LinearOperator {
  return (
    typeof op === 'object' &&
    op !== null &&
    !(op instanceof Float64Array) &&
    typeof (op as { apply?: unknown }).apply === 'function' &&
    typeof (op as { size?: unknown }).size === 'number'
  );
}

function isMatrixLike(op: unknown): op is MatrixLike {
  return (
    typeof op === 'object' &&
    op !== null &&
    Array.isArray((op as { shape?: unknown }).shape) &&
    typeof (op as { toArray?: unknown }).toArray === 'function'
  );
}

/** Reads the dense row-major data and its order n out of a Float64Array or a [n, n] tensor. */
function denseData(fn: string, matrix: Float64Array | MatrixLike, n?: number): { data: Float64Array; n: number } {
  let data: Float64Array;
  if (matrix instanceof Float64Array) {
    data = matrix;
  } else if (isMatrixLike(matrix)) {
    const shape = matrix.shape;
    if (shape.length !== 2 || shape[0] !== shape[1]) {
      throw new ShapeError(fn, `expected a square matrix of shape [n, n], got a tensor of shape ${formatShape(shape)}`);
    }
    data = matrix.toArray();
    if (n === undefined) n = shape[0];
    else if (n !== shape[0]) {
      throw new ShapeError(fn, `n = ${n} does not match the tensor's shape ${formatShape(shape)}`);
    }
  } else {
    throw new InvalidArgumentError(
      fn,
      'expected a LinearOperator ({ size, apply }), a dense row-major Float64Array or a tensor of shape [n, n]',
    );
  }
  if (n === undefined) {
    const root = Math.round(Math.sqrt(data.length));
    if (root * root !== data.length || root === 0) {
      throw new ShapeError(
        fn,
        `a dense matrix must be square: ${data.length} entries is not n² for any n ≥ 1; pass n explicitly or a LinearOperator`,
      );
    }
    n = root;
  }
  if (!Number.isInteger(n) || n <= 0) {
    throw new InvalidArgumentError(fn, `n must be a positive integer, got ${n}`);
  }
  if (data.length !== n * n) {
    throw new ShapeError(fn, `a ${n}×${n} matrix needs ${n * n} entries, got ${data.length}`);
  }
  return { data, n };
}

/** Throws unless `v` is a Float64Array of length `size` (the check every operator application makes). */
function checkOperand(fn: string, v: Float64Array, size: number): void {
  if (!(v instanceof Float64Array)) {
    throw new InvalidArgumentError(fn, 'expected a Float64Array vector');
  }
  if (v.length !== size) {
    throw new ShapeError(fn, `operator of size ${size} applied to a vector of length ${v.length}`);
  }
}

/**
 * Wraps a dense row-major n×n matrix (or a tensor of shape [n, n]) as a LinearOperator.
 * The matrix is copied, so later changes to the caller's array do not leak in. `n` defaults to
 * √length. The operator provides `diagonal`.
 *
 * @example
 * const op = denseOperator(new Float64Array([2, 1, 1, 3]));
 * op.apply(new Float64Array([1, 1])); // Float64Array [3, 4]
 * op.diagonal!();                     // Float64Array [2, 3]
 */
export function denseOperator(matrix: Float64Array | MatrixLike, n?: number): LinearOperator {
  return makeDense('denseOperator', matrix, n);
}

function makeDense(fn: string, matrix: Float64Array | MatrixLike, n?: number): LinearOperator {
  const { data, n: size } = denseData(fn, matrix, n);
  const a = Float64Array.from(data);
  return {
    size,
    apply(v: Float64Array): Float64Array {
      checkOperand(`${fn} (dense operator)`, v, size);
      return gemv(a, size, size, v);
    },
    diagonal(): Float64Array {
      return diagonalOf(a, size);
    },
  };
}

/**
 * Coerces what a solver was given into a LinearOperator, naming the solver (`fn`) in any error.
 * Operators pass through unchanged (their `size` is validated); dense arrays and tensors are
 * wrapped with `denseOperator`.
 *
 * @example
 * const op = toOperator(new Float64Array([4, 0, 0, 9]), 'mySolver'); // a 2×2 operator
 * op.size; // 2
 */
export function toOperator(op: OperatorLike, fn: string, n?: number): LinearOperator {
  if (isLinearOperator(op)) {
    if (!Number.isInteger(op.size) || op.size <= 0) {
      throw new InvalidArgumentError(fn, `operator size must be a positive integer, got ${op.size}`);
    }
    if (n !== undefined && n !== op.size) {
      throw new ShapeError(fn, `expected an operator of size ${n}, got size ${op.size}`);
    }
    return op;
  }
  return makeDense(fn, op, n);
}

/**
 * The damped operator H + λI, the standard fix for a Hessian that is singular or slightly
 * indefinite. `damping` must be finite and ≥ 0. Keeps `diagonal` (shifted by λ) when H has one.
 *
 * @example
 * const op = dampedOperator(new Float64Array([1, 0, 0, 1]), 0.5);
 * op.apply(new Float64Array([2, 4])); // Float64Array [3, 6]
 */
export function dampedOperator(op: OperatorLike, damping: number): LinearOperator {
  const base = toOperator(op, 'dampedOperator');
  if (!Number.isFinite(damping) || damping < 0) {
    throw new InvalidArgumentError('dampedOperator', `damping must be a finite number ≥ 0, got ${damping}`);
  }
  if (damping === 0) return base;
  const baseDiagonal = base.diagonal;
  return {
    size: base.size,
    // (H + λI)v = Hv + λv
    apply(v: Float64Array): Float64Array {
      const hv = base.apply(v);
      const out = new Float64Array(hv.length);
      for (let i = 0; i < hv.length; i++) out[i] = hv[i]! + damping * v[i]!;
      return out;
    },
    ...(baseDiagonal === undefined
      ? {}
      : {
          diagonal(): Float64Array {
            return baseDiagonal().map((d) => d + damping);
          },
        }),
  };
}

/**
 * The scaled operator s·H (s finite and non-zero). Keeps `diagonal` when H has one.
 *
 * @example
 * const op = scaledOperator(new Float64Array([2, 0, 0, 4]), 0.5);
 * op.apply(new Float64Array([1, 1])); // Float64Array [1, 2]
 */
export function scaledOperator(op: OperatorLike, s: number): LinearOperator {
  const base = toOperator(op, 'scaledOperator');
  if (!Number.isFinite(s) || s === 0) {
    throw new InvalidArgumentError('scaledOperator', `scale must be a finite non-zero number, got ${s}`);
  }
  const baseDiagonal = base.diagonal;
  return {
    size: base.size,
    apply(v: Float64Array): Float64Array {
      return base.apply(v).map((x) => s * x);
    },
    ...(baseDiagonal === undefined ? {} : { diagonal: () => baseDiagonal().map((d) => s * d) }),
  };
}

/**
 * Wraps an operator so that `applications` counts calls to `apply` — the number of Hessian-vector
 * products a solver spent, which is its real cost. `diagonal` calls are not counted.
 *
 * @example
 * const op = countingOperator(new Float64Array([1, 0, 0, 1]));
 * op.apply(new Float64Array([1, 2]));
 * op.applications; // 1
 */
export function countingOperator(op: OperatorLike): CountingOperator {
  const base = toOperator(op, 'countingOperator');
  let applications = 0;
  const baseDiagonal = base.diagonal;
  return {
    size: base.size,
    get applications() {
      return applications;
    },
    apply(v: Float64Array): Float64Array {
      applications++;
      return base.apply(v);
    },
    ...(baseDiagonal === undefined ? {} : { diagonal: () => baseDiagonal() }),
  };
}

/**
 * The dense row-major matrix of an operator, built column by column from n applications to the
 * unit vectors eⱼ (column j = H·eⱼ). Throws NonFiniteError if an application returns NaN/±∞ and
 * ShapeError if it returns the wrong length.
 *
 * @example
 * operatorToMatrix(denseOperator(new Float64Array([1, 2, 3, 4]))); // Float64Array [1, 2, 3, 4]
 */
export function operatorToMatrix(op: OperatorLike): Float64Array {
  const base = toOperator(op, 'operatorToMatrix');
  const n = base.size;
  // Column j = H·eⱼ is contiguous as row j of Hᵀ, so store Hᵀ row by row and transpose once.
  const out = new Float64Array(n * n);
  const unit = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    unit[j] = 1;
    const column = base.apply(unit);
    unit[j] = 0;
    if (column.length !== n) {
      throw new ShapeError('operatorToMatrix', `operator of size ${n} returned a vector of length ${column.length}`);
    }
    const i = indexOfNonFinite(column);
    if (i !== -1) {
      throw new NonFiniteError('operatorToMatrix', `the operator returned ${column[i]} in column ${j}, row ${i}`);
    }
    out.set(column, j * n);
  }
  return transpose(out, n, n, out);
}
