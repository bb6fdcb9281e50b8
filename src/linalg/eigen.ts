/**
 * The symmetric eigendecomposition A = V·Λ·Vᵀ, the workhorse behind Hessian spectra, exact
 * Newton steps on small problems and the dense references the iterative eigen-solvers are
 * tested against.
 *
 * Method: Householder reduction to tridiagonal form, then the implicit QL algorithm with
 * Wilkinson-style shifts — EISPACK's tred2 and tql2 as translated in JAMA (public domain).
 * It is backward stable: computed eigenpairs are exact for a matrix within O(n·ε·‖A‖) of A.
 * Cost ≈ 9n³ flops with vectors.
 *
 * One liberty with JAMA: it keeps V row-major and its inner loops walk columns of V; here the
 * working array holds Vᵀ, so every inner loop (Householder updates, Givens rotations, the final
 * sort) walks a contiguous row. Index `w[c·n + r]` below is JAMA's `V[r][c]`.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError, TapegradError } from '../errors.js';

/** The result of {@link symmetricEigen}. */
export interface SymmetricEigenDecomposition {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Row-major n×n; column j (entries j, n + j, 2n + j, …) is the unit eigenvector of values[j]. */
  vectors: Float64Array;
}

/** Options of {@link symmetricEigen}. */
export interface SymmetricEigenOptions {
  /**
   * Largest |Aᵢⱼ − Aⱼᵢ| accepted, relative to max|A| (default 1e-10: far above round-off in a
   * matrix that is symmetric by construction, far below a genuinely non-symmetric one). Within
   * it the input is averaged with its transpose before use.
   */
  symmetryTolerance?: number;
  /** Cap on QL iterations over all eigenvalues (default 30·n; typical use is under 2 per eigenvalue). */
  maxIterations?: number;
}

/**
 * Eigenvalues (ascending) and orthonormal eigenvectors of a real symmetric n×n matrix.
 *
 * Throws InvalidArgumentError when A is not symmetric within tolerance (pass it through
 * `symmetrize` if the asymmetry is round-off), NonFiniteError for NaN/Infinity entries,
 * ShapeError when a.length ≠ n², and a TapegradError with code 'no-convergence' if QL has not
 * converged after `maxIterations` (default 30·n) iterations (it always does in practice; the
 * cap is there so it can never hang).
 *
 * @example
 * const { values, vectors } = symmetricEigen(new Float64Array([2, 1, 1, 2]), 2);
 * // values = [1, 3]; column 0 of vectors ∝ [1, −1], column 1 ∝ [1, 1]
 */
export function symmetricEigen(
  a: Float64Array,
  n: number,
  options: SymmetricEigenOptions = {},
): SymmetricEigenDecomposition {
  const fn = 'symmetricEigen';
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(fn, `n must be a non-negative integer, got ${n}`);
  if (a.length !== n * n) {
    throw new ShapeError(
      fn,
      `A has ${a.length} entries but n·n = ${n}·${n} = ${n * n}; pass A as a square row-major n×n Float64Array`,
    );
  }
  let largest = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (v - v !== 0) {
      const row = Math.floor(i / n);
      throw new NonFiniteError(fn, `A[${row}, ${i - row * n}] is ${v}; the matrix must contain only finite numbers`);
    }
    largest = Math.max(largest, Math.abs(v));
  }
  const relativeTolerance = options.symmetryTolerance ?? 1e-10;
  if (!(relativeTolerance >= 0)) {
    throw new InvalidArgumentError(fn, `symmetryTolerance must be a non-negative number, got ${relativeTolerance}`);
  }
  const tolerance = relativeTolerance * largest;
  // tred2/tql2 form squares and products of entries, which overflow above ~1e154 and lose
  // digits to underflow below ~1e-154 (measured: eigenvalues of 1e160·A came out NaN, of
  // 1e-200·A wrong in the first digit). As LAPACK's dsyev does, bring max|A| into [1, 2) by a
  // power of two — exact, so it changes nothing else — and scale the eigenvalues back.
  // The factor is split in two so that 2^k cannot itself overflow for subnormal input.
  let scaleFirst = 1;
  let scaleSecond = 1;
  if (largest > 0 && (largest < 1e-140 || largest > 1e140)) {
    const k = -Math.floor(Math.log2(largest));
    const half = Math.trunc(k / 2);
    scaleFirst = 2 ** half;
    scaleSecond = 2 ** (k - half);
  }
  // Symmetric input means Aᵀ = A, so the symmetrised copy is already the Vᵀ layout we work in.
  const w = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    w[i * n + i] = a[i * n + i]! * scaleFirst * scaleSecond;
    for (let j = 0; j < i; j++) {
      const upper = a[j * n + i]!;
      const lower = a[i * n + j]!;
      if (Math.abs(upper - lower) > tolerance) {
        throw new InvalidArgumentError(
          fn,
          `A is not symmetric: A[${i}, ${j}] = ${lower} but A[${j}, ${i}] = ${upper} (difference ${Math.abs(upper - lower)} ` +
            `exceeds ${tolerance}). If the asymmetry is round-off, pass symmetrize(a, n) instead; ` +
            `for a genuinely non-symmetric matrix this routine does not apply`,
        );
      }
      const v = (0.5 * upper + 0.5 * lower) * scaleFirst * scaleSecond; // halves first: upper + lower may overflow
      w[i * n + j] = v;
      w[j * n + i] = v;
    }
  }
  const maxIterations = options.maxIterations ?? 30 * n;
  if (!(maxIterations >= 0)) {
    throw new InvalidArgumentError(fn, `maxIterations must be a non-negative number, got ${maxIterations}`);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  if (n > 0) {
    householderTridiagonalize(w, n, d, e);
    implicitQl(w, n, d, e, maxIterations);
  }
  if (scaleFirst !== 1 || scaleSecond !== 1) {
    for (let i = 0; i < n; i++) d[i] = d[i]! / scaleFirst / scaleSecond;
  }
  // w holds Vᵀ: transpose so that eigenvectors are the columns, as documented.
  const vectors = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) vectors[j * n + i] = w[i * n + j]!;
  return { values: d, vectors };
}

/**
 * tred2: orthogonal similarity reduction to tridiagonal form, accumulating the transformations.
 * On return d is the diagonal, e[1..n−1] the sub-diagonal, w the orthogonal matrix (as Vᵀ).
 */
function householderTridiagonalize(w: Float64Array, n: number, d: Float64Array, e: Float64Array): void {
  for (let j = 0; j < n; j++) d[j] = w[j * n + n - 1]!;
  for (let i = n - 1; i > 0; i--) {
    // Scaling by the row's 1-norm keeps the sum of squares below from over- or underflowing.
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]!);
    if (scale === 0) {
      e[i] = d[i - 1]!;
      for (let j = 0; j < i; j++) {
        d[j] = w[j * n + i - 1]!;
        w[j * n + i] = 0;
        w[i * n + j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] = d[k]! / scale;
        h += d[k]! * d[k]!;
      }
      let f = d[i - 1]!;
      let g = Math.sqrt(h);
      if (f > 0) g = -g; // the sign that avoids cancellation in f − g
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        w[i * n + j] = f;
        const rj = j * n;
        g = e[j]! + w[rj + j]! * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += w[rj + k]! * d[k]!;
          e[k] = e[k]! + w[rj + k]! * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] = e[j]! / h;
        f += e[j]! * d[j]!;
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] = e[j]! - hh * d[j]!;
      for (let j = 0; j < i; j++) {
        f = d[j]!;
        g = e[j]!;
        const rj = j * n;
        for (let k = j; k <= i - 1; k++) w[rj + k] = w[rj + k]! - (f * e[k]! + g * d[k]!);
        d[j] = w[rj + i - 1]!;
        w[rj + i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the Householder reflections into the orthogonal matrix.
  for (let i = 0; i < n - 1; i++) {
    w[i * n + n - 1] = w[i * n + i]!;
    w[i * n + i] = 1;
    const h = d[i + 1]!;
    const ri1 = (i + 1) * n;
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = w[ri1 + k]! / h;
      for (let j = 0; j <= i; j++) {
        const rj = j * n;
        let g = 0;
        for (let k = 0; k <= i; k++) g += w[ri1 + k]! * w[rj + k]!;
        for (let k = 0; k <= i; k++) w[rj + k] = w[rj + k]! - g * d[k]!;
      }
    }
    for (let k = 0; k <= i; k++) w[ri1 + k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = w[j * n + n - 1]!;
    w[j * n + n - 1] = 0;
  }
  w[n * n - 1] = 1;
  e[0] = 0;
}

/**
 * tql2: eigenvalues and eigenvectors of the symmetric tridiagonal matrix (d, e) by implicit QL,
 * rotating w along; then sorts ascending. Capped at `maxIterations` sweeps in total so it cannot hang.
 */
function implicitQl(w: Float64Array, n: number, d: Float64Array, e: Float64Array, maxIterations: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i]!;
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Number.EPSILON;
  let iterations = 0;
  for (let l = 0; l < n; l++) {
    // A sub-diagonal entry below ε·(local norm) splits the matrix; d[l] is then converged.
    tst1 = Math.max(tst1, Math.abs(d[l]!) + Math.abs(e[l]!));
    let m = l;
    while (m < n - 1 && !(Math.abs(e[m]!) <= eps * tst1)) m++;
    if (m > l) {
      do {
        if (++iterations > maxIterations) {
          throw new TapegradError(
            'symmetricEigen',
            'no-convergence',
            `the QL iteration did not converge within ${maxIterations} iterations (eigenvalue ${l} of ${n} unresolved); ` +
              `with the default cap of 30·n this points to badly scaled input: rescale A (e.g. divide by max|A|) and retry`,
          );
        }
        // Shift from the leading 2×2 block's eigenvalue nearer to d[l] (Wilkinson's choice).
        let g = d[l]!;
        let p = (d[l + 1]! - g) / (2 * e[l]!);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l]! / (p + r);
        d[l + 1] = e[l]! * (p + r);
        const dl1 = d[l + 1]!;
        let h = g - d[l]!;
        for (let i = l + 2; i < n; i++) d[i] = d[i]! - h;
        f += h;
        // The implicit QL sweep: a chain of Givens rotations chasing the bulge up from m to l.
        p = d[m]!;
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1]!;
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i]!;
          h = c * p;
          r = Math.hypot(p, e[i]!);
          e[i + 1] = s * r;
          s = e[i]! / r;
          c = p / r;
          p = c * d[i]! - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]!);
          const ri = i * n;
          const ri1 = ri + n;
          for (let k = 0; k < n; k++) {
            const t = w[ri1 + k]!;
            const u = w[ri + k]!;
            w[ri1 + k] = s * u + c * t;
            w[ri + k] = c * u - s * t;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]!) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]!) > eps * tst1);
    }
    d[l] = d[l]! + f;
    e[l] = 0;
  }
  // Selection sort: n swaps at most, each moving a whole (contiguous) eigenvector row.
  for (let i = 0; i < n - 1; i++) {
    let k = i;
    let p = d[i]!;
    for (let j = i + 1; j < n; j++) {
      if (d[j]! < p) {
        k = j;
        p = d[j]!;
      }
    }
    if (k !== i) {
      d[k] = d[i]!;
      d[i] = p;
      const ri = i * n;
      const rk = k * n;
      for (let j = 0; j < n; j++) {
        const t = w[ri + j]!;
        w[ri + j] = w[rk + j]!;
        w[rk + j] = t;
      }
    }
  }
}
