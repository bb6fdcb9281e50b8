/**
 * Factorisations and the solves built on them: Cholesky (A = LLᵀ for symmetric positive
 * definite A), LU with partial pivoting (PA = LU for any square A), triangular solves, solve,
 * inverse and (log-)determinants.
 *
 * Matrices are row-major n×n Float64Arrays. Every routine copies before it factors, so inputs
 * are never changed. Failures are typed: a matrix that is not positive definite raises
 * NotPositiveDefiniteError with the column where it showed, a singular one raises
 * SingularMatrixError with the pivot index — both say what to try (usually damping, A + λI).
 *
 * The loops are arranged so that the innermost one walks a row (contiguous memory): Cholesky is
 * computed row by row as dot products of rows of L, LU eliminates whole rows, and the
 * transposed triangular solves work column-oriented so they too read rows.
 */
import {
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
} from '../errors.js';

const EPSILON = Number.EPSILON;

function checkSquare(fn: string, name: string, a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0) {
    throw new InvalidArgumentError(fn, `n must be a non-negative integer, got ${n}`);
  }
  if (a.length !== n * n) {
    throw new ShapeError(
      fn,
      `${name} has ${a.length} entries but n·n = ${n}·${n} = ${n * n}; pass ${name} as a square row-major n×n Float64Array`,
    );
  }
}

function checkRightHandSide(fn: string, b: Float64Array, n: number): void {
  if (b.length !== n) {
    throw new ShapeError(fn, `b has length ${b.length} but the matrix is ${n}×${n}; b must have length n = ${n}`);
  }
}

function checkFinite(fn: string, name: string, a: Float64Array, n: number): void {
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) {
      // v − v is 0 for every finite v and NaN for NaN and ±Infinity: one test covers both.
      const row = Math.floor(i / n);
      throw new NonFiniteError(
        fn,
        `${name}[${row}, ${i - row * n}] is ${v}; the matrix must contain only finite numbers`,
      );
    }
  }
}

/**
 * Cholesky factor of a symmetric positive definite matrix: the lower-triangular L (row-major,
 * zeros above the diagonal) with A = L·Lᵀ. Only the lower triangle of `a` is read, so the
 * caller is trusted to pass a symmetric matrix.
 *
 * Throws NotPositiveDefiniteError at the first column whose pivot Aⱼⱼ − Σₖ Lⱼₖ² is not positive;
 * NonFiniteError for NaN/Infinity entries; ShapeError when a.length ≠ n².
 *
 * @example
 * cholesky(new Float64Array([4, 2, 2, 2]), 2); // → [2, 0, 1, 1]
 */
export function cholesky(a: Float64Array, n: number): Float64Array {
  checkSquare('cholesky', 'A', a, n);
  checkFinite('cholesky', 'A', a, n);
  const l = new Float64Array(n * n);
  // Cholesky–Banachiewicz: row i of L needs only rows 0..i of L, and each entry is a dot
  // product of two row prefixes, which are contiguous in row-major storage.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s0 = 0;
      let s1 = 0;
      let p = 0;
      for (; p + 1 < j; p += 2) {
        s0 += l[ri + p]! * l[rj + p]!;
        s1 += l[ri + p + 1]! * l[rj + p + 1]!;
      }
      if (p < j) s0 += l[ri + p]! * l[rj + p]!;
      const s = a[ri + j]! - (s0 + s1);
      if (j < i) {
        l[ri + j] = s / l[rj + j]!;
      } else {
        if (!(s > 0)) {
          throw new NotPositiveDefiniteError(
            'cholesky',
            i,
            `the matrix is not positive definite: the pivot at column ${i} is ${s} (it must be > 0). ` +
              `If A should be positive definite (a Hessian near a minimum, a Gram or covariance matrix), ` +
              `it is probably only semi-definite or indefinite by round-off: add damping λI (for example ` +
              `λ = 1e-6·trace(A)/n) and factor A + λI instead`,
          );
        }
        l[ri + i] = Math.sqrt(s);
      }
    }
  }
  return l;
}

/**
 * (LLᵀ)⁻¹ from a Cholesky factor L, symmetric and row-major: first X = L⁻¹ by forward
 * substitution on whole rows (n³/6 multiply-adds, each inner loop a contiguous row), then
 * A⁻¹ = XᵀX using the triangular shape (another n³/6). Solving for the n columns of the
 * identity one at a time costs 2n³ and reads L by columns; at n = 1210 this took 1.2 s against
 * 3.0 s for the column solves.
 *
 * @example
 * choleskyInverse(cholesky(new Float64Array([4, 2, 2, 3]), 2), 2); // ≈ [0.375, -0.25, -0.25, 0.5]
 */
export function choleskyInverse(l: Float64Array, n: number): Float64Array {
  checkSquare('choleskyInverse', 'L', l, n);
  const x = new Float64Array(n * n);
  // Row i of X = L⁻¹: X[i,:] = (e_i − Σ_{k<i} L[i,k]·X[k,:]) / L[i,i], rows k < i already known.
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const pivot = l[ri + i]!;
    if (!(pivot !== 0) || !Number.isFinite(pivot)) throw singularTriangular('choleskyInverse', i, pivot);
    x[ri + i] = 1;
    for (let k = 0; k < i; k++) {
      const lik = l[ri + k]!;
      if (lik === 0) continue;
      const rk = k * n;
      for (let j = 0; j <= k; j++) x[ri + j]! -= lik * x[rk + j]!;
    }
    const inv = 1 / pivot;
    for (let j = 0; j <= i; j++) x[ri + j]! *= inv;
  }
  // A⁻¹ = XᵀX: (A⁻¹)[i,j] = Σ_{k ≥ max(i,j)} X[k,i]·X[k,j]. Accumulate row by row of X, lower
  // triangle only (j ≤ i), then mirror.
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const xki = x[rk + i]!;
      if (xki === 0) continue;
      const ri = i * n;
      for (let j = 0; j <= i; j++) out[ri + j]! += xki * x[rk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
  return out;
}

/** Options of {@link solveLowerTriangular} and {@link solveUpperTriangular}. */
export interface TriangularSolveOptions {
  /** Treat the diagonal as all ones without reading it (the L of an LU factorisation). */
  unitDiagonal?: boolean;
  /** Solve with the transpose of the stored matrix (Lᵀx = b or Uᵀx = b). */
  transpose?: boolean;
}

function singularTriangular(fn: string, index: number, value: number): SingularMatrixError {
  return new SingularMatrixError(
    fn,
    index,
    `the diagonal entry at row/column ${index} is ${value}, so the triangular matrix is singular; ` +
      `check the factorisation that produced it, or add damping λI before factoring`,
  );
}

/** Solves T·x = b in place for lower-triangular T, reading rows (forward substitution). */
function forwardRows(fn: string, t: Float64Array, n: number, x: Float64Array, unit: boolean): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    let s = x[i]!;
    for (let j = 0; j < i; j++) s -= t[ri + j]! * x[j]!;
    if (unit) x[i] = s;
    else {
      const d = t[ri + i]!;
      if (d === 0) throw singularTriangular(fn, i, d);
      x[i] = s / d;
    }
  }
}

/** Solves T·x = b in place for upper-triangular T, reading rows (back substitution). */
function backwardRows(fn: string, t: Float64Array, n: number, x: Float64Array, unit: boolean): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    let s = x[i]!;
    for (let j = i + 1; j < n; j++) s -= t[ri + j]! * x[j]!;
    if (unit) x[i] = s;
    else {
      const d = t[ri + i]!;
      if (d === 0) throw singularTriangular(fn, i, d);
      x[i] = s / d;
    }
  }
}

/**
 * Solves Lᵀ·x = b in place for lower-triangular L. Lᵀ is upper triangular, but its rows are
 * L's columns; eliminating column-wise ("once x[i] is known, subtract its contribution from all
 * earlier equations") reads row i of L instead, which is contiguous.
 */
function backwardTransposed(fn: string, t: Float64Array, n: number, x: Float64Array, unit: boolean): void {
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    if (!unit) {
      const d = t[ri + i]!;
      if (d === 0) throw singularTriangular(fn, i, d);
      x[i] = x[i]! / d;
    }
    const xi = x[i]!;
    for (let j = 0; j < i; j++) x[j] = x[j]! - t[ri + j]! * xi;
  }
}

/** Solves Uᵀ·x = b in place for upper-triangular U, column-oriented for the same reason. */
function forwardTransposed(fn: string, t: Float64Array, n: number, x: Float64Array, unit: boolean): void {
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    if (!unit) {
      const d = t[ri + i]!;
      if (d === 0) throw singularTriangular(fn, i, d);
      x[i] = x[i]! / d;
    }
    const xi = x[i]!;
    for (let j = i + 1; j < n; j++) x[j] = x[j]! - t[ri + j]! * xi;
  }
}

/**
 * Solves L·x = b (or Lᵀ·x = b with `transpose`) for a row-major lower-triangular n×n L; entries
 * above the diagonal are never read. Returns a new x. A zero diagonal entry raises
 * SingularMatrixError with its index.
 *
 * @example
 * solveLowerTriangular(new Float64Array([2, 0, 1, 1]), 2, new Float64Array([2, 3])); // → [1, 2]
 */
export function solveLowerTriangular(
  l: Float64Array,
  n: number,
  b: Float64Array,
  options: TriangularSolveOptions = {},
): Float64Array {
  checkSquare('solveLowerTriangular', 'L', l, n);
  checkRightHandSide('solveLowerTriangular', b, n);
  const x = b.slice();
  const unit = options.unitDiagonal ?? false;
  if (options.transpose ?? false) backwardTransposed('solveLowerTriangular', l, n, x, unit);
  else forwardRows('solveLowerTriangular', l, n, x, unit);
  return x;
}

/**
 * Solves U·x = b (or Uᵀ·x = b with `transpose`) for a row-major upper-triangular n×n U; entries
 * below the diagonal are never read. Returns a new x. A zero diagonal entry raises
 * SingularMatrixError with its index.
 *
 * @example
 * solveUpperTriangular(new Float64Array([2, 1, 0, 1]), 2, new Float64Array([4, 2])); // → [1, 2]
 */
export function solveUpperTriangular(
  u: Float64Array,
  n: number,
  b: Float64Array,
  options: TriangularSolveOptions = {},
): Float64Array {
  checkSquare('solveUpperTriangular', 'U', u, n);
  checkRightHandSide('solveUpperTriangular', b, n);
  const x = b.slice();
  const unit = options.unitDiagonal ?? false;
  if (options.transpose ?? false) forwardTransposed('solveUpperTriangular', u, n, x, unit);
  else backwardRows('solveUpperTriangular', u, n, x, unit);
  return x;
}

/**
 * Solves A·x = b given the Cholesky factor L of A (A = LLᵀ): two triangular solves,
 * L·y = b then Lᵀ·x = y, costing O(n²) instead of the O(n³) factorisation.
 *
 * @example
 * const l = cholesky(a, n);
 * const x = choleskySolveFactor(l, n, b); // a·x ≈ b; reuse l for more right-hand sides
 */
export function choleskySolveFactor(l: Float64Array, n: number, b: Float64Array): Float64Array {
  checkSquare('choleskySolveFactor', 'L', l, n);
  checkRightHandSide('choleskySolveFactor', b, n);
  const x = b.slice();
  forwardRows('choleskySolveFactor', l, n, x, false);
  backwardTransposed('choleskySolveFactor', l, n, x, false);
  return x;
}

/** The result of {@link luFactor}: PA = LU packed into one matrix. */
export interface LuFactorization {
  /** Row-major n×n: U on and above the diagonal, the multipliers of the unit lower L below it. */
  lu: Float64Array;
  /** LAPACK-style interchanges: at step k, row k was swapped with row pivots[k] (≥ k). */
  pivots: Int32Array;
  /** The determinant of P: +1 for an even number of actual swaps, −1 for odd. */
  sign: 1 | -1;
}

interface LuWork extends LuFactorization {
  /** First step whose pivot was at or below the singularity tolerance, or −1. */
  firstTinyPivot: number;
  tolerance: number;
}

/**
 * Gaussian elimination with partial pivoting. With `stopOnTinyPivot` it throws at the first
 * pivot |p| ≤ n·ε·max|A| (the size at which a pivot is indistinguishable from round-off in the
 * entries that produced it); otherwise it finishes and reports it, which is what determinants
 * want (a nearly singular matrix still has a well-defined, tiny determinant).
 */
function luDecompose(fn: string, a: Float64Array, n: number, stopOnTinyPivot: boolean): LuWork {
  checkSquare(fn, 'A', a, n);
  checkFinite(fn, 'A', a, n);
  const lu = a.slice();
  const pivots = new Int32Array(n);
  let sign: 1 | -1 = 1;
  let largest = 0;
  for (let i = 0; i < lu.length; i++) largest = Math.max(largest, Math.abs(lu[i]!));
  const tolerance = n * EPSILON * largest;
  let firstTinyPivot = -1;

  for (let k = 0; k < n; k++) {
    let p = k;
    let best = Math.abs(lu[k * n + k]!);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(lu[i * n + k]!);
      if (v > best) {
        best = v;
        p = i;
      }
    }
    pivots[k] = p;
    if (p !== k) {
      const rk = k * n;
      const rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = lu[rk + j]!;
        lu[rk + j] = lu[rp + j]!;
        lu[rp + j] = t;
      }
      sign = sign === 1 ? -1 : 1;
    }
    const pivot = lu[k * n + k]!;
    if (Math.abs(pivot) <= tolerance && firstTinyPivot < 0) {
      firstTinyPivot = k;
      if (stopOnTinyPivot) {
        throw new SingularMatrixError(
          fn,
          k,
          `the matrix is singular to working precision: the largest available pivot in column ${k} is ${pivot}, ` +
            `at or below the tolerance n·ε·max|A| = ${tolerance.toExponential(3)}. ` +
            `Check for duplicated or dependent rows/columns, or regularise with A + λI`,
        );
      }
    }
    // A zero pivot means the rest of column k is zero too (it was the largest); nothing to eliminate.
    if (pivot === 0) continue;
    const rk = k * n;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const multiplier = lu[ri + k]! / pivot;
      lu[ri + k] = multiplier;
      if (multiplier === 0) continue;
      for (let j = k + 1; j < n; j++) lu[ri + j] = lu[ri + j]! - multiplier * lu[rk + j]!;
    }
  }
  return { lu, pivots, sign, firstTinyPivot, tolerance };
}

/**
 * LU factorisation with partial pivoting, PA = LU. L is unit lower triangular (its multipliers
 * stored below the diagonal of `lu`), U is upper triangular (on and above it).
 *
 * Throws SingularMatrixError (with `pivot` = the failing column) when the best pivot of a column
 * is ≤ n·ε·max|A|, NonFiniteError for NaN/Infinity entries, ShapeError when a.length ≠ n².
 *
 * @example
 * const f = luFactor(new Float64Array([0, 1, 1, 0]), 2); // f.pivots = [1, 1], f.sign = -1
 */
export function luFactor(a: Float64Array, n: number): LuFactorization {
  const { lu, pivots, sign } = luDecompose('luFactor', a, n, true);
  return { lu, pivots, sign };
}

function checkLuFactorization(fn: string, factor: LuFactorization, n: number): void {
  checkSquare(fn, 'factor.lu', factor.lu, n);
  if (factor.pivots.length !== n) {
    throw new ShapeError(
      fn,
      `factor.pivots has length ${factor.pivots.length} but n = ${n}; pass the result of luFactor(a, ${n})`,
    );
  }
}

/** Applies the row interchanges of P to the r columns of an n×r row-major block, in place. */
function permuteRows(pivots: Int32Array, x: Float64Array, n: number, r: number): void {
  for (let k = 0; k < n; k++) {
    const p = pivots[k]!;
    if (p === k) continue;
    for (let c = 0; c < r; c++) {
      const t = x[k * r + c]!;
      x[k * r + c] = x[p * r + c]!;
      x[p * r + c] = t;
    }
  }
}

/**
 * Solves A·x = b from A's LU factorisation: permute b, then L·y = Pb, then U·x = y. O(n²), so
 * factor once and solve for many right-hand sides.
 *
 * @example
 * const f = luFactor(a, n);
 * const x = luSolve(f, n, b); // a·x ≈ b
 */
export function luSolve(factor: LuFactorization, n: number, b: Float64Array): Float64Array {
  checkLuFactorization('luSolve', factor, n);
  checkRightHandSide('luSolve', b, n);
  const x = b.slice();
  permuteRows(factor.pivots, x, n, 1);
  forwardRows('luSolve', factor.lu, n, x, true);
  backwardRows('luSolve', factor.lu, n, x, false);
  return x;
}

/**
 * Solves A·x = b for a square, non-singular A by LU with partial pivoting. For symmetric
 * positive definite A, `choleskySolveFactor(cholesky(a, n), n, b)` is about twice as fast.
 *
 * @example
 * solve(new Float64Array([2, 0, 0, 4]), 2, new Float64Array([2, 2])); // → [1, 0.5]
 */
export function solve(a: Float64Array, n: number, b: Float64Array): Float64Array {
  checkSquare('solve', 'A', a, n);
  checkRightHandSide('solve', b, n);
  const { lu, pivots } = luDecompose('solve', a, n, true);
  const x = b.slice();
  permuteRows(pivots, x, n, 1);
  forwardRows('solve', lu, n, x, true);
  backwardRows('solve', lu, n, x, false);
  return x;
}

/**
 * A⁻¹ of a square, non-singular A (row-major n×n). Prefer `solve` when you only need A⁻¹b:
 * it is cheaper and more accurate.
 *
 * @example
 * inverse(new Float64Array([2, 0, 0, 4]), 2); // → [0.5, 0, 0, 0.25]
 */
export function inverse(a: Float64Array, n: number): Float64Array {
  const { lu, pivots } = luDecompose('inverse', a, n, true);
  // Solve A·X = I for all n columns at once. Substitution on whole rows of X (an axpy per
  // multiplier) keeps memory access contiguous; solving column by column would stride.
  const x = new Float64Array(n * n);
  for (let i = 0; i < n; i++) x[i * n + i] = 1;
  permuteRows(pivots, x, n, n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j < i; j++) {
      const l = lu[ri + j]!;
      if (l === 0) continue;
      const rj = j * n;
      for (let c = 0; c < n; c++) x[ri + c] = x[ri + c]! - l * x[rj + c]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    for (let j = i + 1; j < n; j++) {
      const u = lu[ri + j]!;
      if (u === 0) continue;
      const rj = j * n;
      for (let c = 0; c < n; c++) x[ri + c] = x[ri + c]! - u * x[rj + c]!;
    }
    const d = 1 / lu[ri + i]!;
    for (let c = 0; c < n; c++) x[ri + c] = x[ri + c]! * d;
  }
  return x;
}

/**
 * det(A) as sign(P)·Π Uᵢᵢ from LU. A singular matrix gives 0 (or a tiny number, for one that is
 * singular only to working precision) rather than an error. For large n the product can
 * overflow or underflow: use {@link logDeterminant} there.
 *
 * @example
 * determinant(new Float64Array([1, 2, 3, 4]), 2); // → -2
 */
export function determinant(a: Float64Array, n: number): number {
  const { lu, sign } = luDecompose('determinant', a, n, false);
  let det: number = sign;
  for (let i = 0; i < n; i++) det *= lu[i * n + i]!;
  return det === 0 ? 0 : det; // a singular matrix's determinant is 0, not the −0 a sign flip can leave
}

/**
 * log|det(A)| and the sign of det(A), from LU, without overflow. A singular matrix (an exactly
 * zero pivot) does not throw: it returns `{ sign: 0, logAbsDet: -Infinity }`, which is the
 * limit and composes correctly with exp.
 *
 * @example
 * logDeterminant(new Float64Array([1, 2, 3, 4]), 2); // → { sign: -1, logAbsDet: 0.6931471805599453 }   (log 2)
 */
export function logDeterminant(a: Float64Array, n: number): { sign: number; logAbsDet: number } {
  const work = luDecompose('logDeterminant', a, n, false);
  let sign: number = work.sign;
  let logAbsDet = 0;
  for (let i = 0; i < n; i++) {
    const d = work.lu[i * n + i]!;
    if (d === 0) return { sign: 0, logAbsDet: -Infinity };
    if (d < 0) sign = -sign;
    logAbsDet += Math.log(Math.abs(d));
  }
  return { sign, logAbsDet };
}

/**
 * log det(A) = 2·Σ log Lᵢᵢ from a Cholesky factor L of A (the determinant of an SPD matrix is
 * positive, so no sign is needed). A non-positive diagonal entry means `l` is not a Cholesky
 * factor: InvalidArgumentError.
 *
 * @example
 * choleskyLogDeterminant(cholesky(new Float64Array([4, 2, 2, 2]), 2), 2); // Math.log(4)
 */
export function choleskyLogDeterminant(l: Float64Array, n: number): number {
  checkSquare('choleskyLogDeterminant', 'L', l, n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = l[i * n + i]!;
    if (!(d > 0)) {
      throw new InvalidArgumentError(
        'choleskyLogDeterminant',
        `L[${i}, ${i}] is ${d}, but a Cholesky factor has a positive diagonal; pass the result of cholesky(a, ${n})`,
      );
    }
    sum += Math.log(d);
  }
  return 2 * sum;
}
