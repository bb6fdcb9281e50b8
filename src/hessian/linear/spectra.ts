/**
 * Spectral information about a symmetric operator from matrix-vector products only: the top
 * eigenpairs, the trace and the diagonal.
 *
 * Provides
 * - `topEigenpairs(H, k, { method })`: the k eigenvalues of largest MAGNITUDE (sorted by
 *   decreasing |λ|; for a positive semi-definite H these are simply the largest) with unit
 *   eigenvectors, by power iteration with deflation or by Lanczos with full reorthogonalisation;
 * - `hutchinsonTrace(H)`: tr(H) = E[zᵀHz] for Rademacher z (Hutchinson 1989), with its standard
 *   error, which shrinks like 1/√samples;
 * - `diagonalEstimate(H)`: diag(H) = E[z ⊙ Hz] for Rademacher z (Bekas, Kokiopoulou & Saad 2007).
 * Leaves out the bottom of the spectrum (run topEigenpairs on σI − H), spectral densities
 * (stochastic Lanczos quadrature) and anything needing the dense matrix (see symmetricEigen).
 */
import { InvalidArgumentError, NonFiniteError, TapegradError } from '../../errors.js';
import { axpy, divideByScalar, dot, norm2, symmetricEigen } from '../../linalg/index.js';
import { createRandom, type RandomSource } from '../../linalg/random.js';
import { checkArity, checkCount, checkOneOf, checkPositiveInteger, checkSeed, readOptions } from '../../validate.js';
import { readOperator, type CheckedOperator, type OperatorLike } from './linear-operator.js';
import { readTolerance } from './solvers/inputs.js';

/** Options of `topEigenpairs`. */
export interface TopEigenpairsOptions {
  /** 'lanczos' (default: far fewer products for clustered spectra) or 'power' (with deflation). */
  method?: 'power' | 'lanczos';
  /**
   * Power: the iteration limit per eigenpair (default 1000). Lanczos: the largest Krylov
   * dimension (default min(n, max(2k + 40, 60)) — after n steps Lanczos is exact).
   */
  iterations?: number;
  /** Stop when every wanted pair has ‖Hv − λv‖ ≤ tolerance·|λ₁| (default 1e-8). */
  tolerance?: number;
  /** Seed of the random start vectors (default 0). */
  seed?: number;
}

/** The result of `topEigenpairs` (every array fresh). */
export interface Eigenpairs {
  /** The k eigenvalues of largest magnitude, sorted by decreasing |λ|. */
  values: Float64Array;
  /** Unit eigenvectors; vectors[i] belongs to values[i]. */
  vectors: Float64Array[];
  /** Whether every measured residual ‖Hvᵢ − λᵢvᵢ‖ met the tolerance·|λ₁|. */
  converged: boolean;
  /** Operator applications spent (including the k that measure the final residuals). */
  iterations: number;
  /** ‖Hvᵢ − λᵢvᵢ‖ of each returned pair, measured from products with H. */
  residuals: Float64Array;
}

/** What topEigenpairs tells the user when a dense H is not symmetric. */
const EIGEN_SYMMETRY_ADVICE =
  'topEigenpairs needs a symmetric H (a non-symmetric matrix has complex eigenvalues in general); if the asymmetry is noise (a finite-difference Hessian), pass (H + Hᵀ)/2';

/**
 * The k eigenpairs of largest magnitude of a symmetric operator. Both methods end with a
 * Rayleigh–Ritz step on the k vectors found (k more products), so the values are the best the
 * vectors allow and the residuals are measured, not estimated. A dense H must be symmetric;
 * k = 0 returns empty arrays; k ≤ n.
 *
 * @example
 * const { values } = topEigenpairs(new Float64Array([3, 0, 0, 0, -5, 0, 0, 0, 1]), 2);
 * // values = [-5, 3] (by magnitude)
 * topEigenpairs(hessianOperator(loss, params), 2, { method: 'power', tolerance: 1e-6 });
 */
export function topEigenpairs(H: OperatorLike, k: number, options?: TopEigenpairsOptions): Eigenpairs {
  const fn = 'topEigenpairs';
  checkArity(fn, arguments.length, 3);
  const op = readOperator(fn, 'H', H, { symmetric: EIGEN_SYMMETRY_ADVICE });
  const n = op.size;
  checkCount(fn, 'k', k);
  if (k > n)
    throw new InvalidArgumentError(fn, `k = ${k} exceeds the operator size n = ${n}; ask for at most n eigenpairs`);
  const given = readOptions(fn, options, ['method', 'iterations', 'tolerance', 'seed']);
  const method = given.method === undefined ? 'lanczos' : checkOneOf(fn, 'method', given.method, ['power', 'lanczos']);
  const tolerance = given.tolerance === undefined ? 1e-8 : readTolerance(fn, given.tolerance);
  const seed = given.seed === undefined ? 0 : checkSeed(fn, given.seed);
  const iterations =
    given.iterations === undefined
      ? method === 'power'
        ? 1000
        : Math.min(n, Math.max(2 * k + 40, 60))
      : checkPositiveInteger(fn, 'iterations', given.iterations);
  if (k === 0)
    return { values: new Float64Array(0), vectors: [], converged: true, iterations: 0, residuals: new Float64Array(0) };
  const rng = createRandom(seed);
  let applications = 0;
  const apply = (v: Float64Array, where: string): Float64Array => {
    applications++;
    return op.product(v, where);
  };
  let pairs: Pick<Eigenpairs, 'values' | 'vectors' | 'residuals'>;
  try {
    const found =
      method === 'power'
        ? powerDeflation(apply, n, k, iterations, tolerance, rng)
        : lanczos(apply, n, k, Math.max(iterations, k), tolerance, rng);
    pairs = rayleighRitz(apply, found, n, rng);
  } catch (error) {
    // The products are checked finite; what is left to fail is the small eigenproblem, when
    // inner products of huge products overflow.
    if (error instanceof TapegradError && error.fn !== fn) {
      throw new NonFiniteError(fn, `the operator's values are too large for float64 (${error.message}); rescale H`);
    }
    throw error;
  }
  const scale = Math.abs(pairs.values[0]!);
  const converged = pairs.residuals.every((r) => r <= tolerance * scale);
  return { ...pairs, converged, iterations: applications };
}

/** A product with H that counts itself and names when it was taken (for error messages). */
type Apply = (v: Float64Array, where: string) => Float64Array;

/**
 * Power iteration for one eigenpair at a time. The found pairs are deflated by projecting them
 * out of the iterate (v ← v − Σ (uᵢᵀv)uᵢ before and after each product), which is Hotelling's
 * deflation H − Σ λᵢuᵢuᵢᵀ applied without forming it. Converges like (|λⱼ₊₁|/|λⱼ|)ᵗ. Returns the
 * k vectors; `rayleighRitz` turns them into measured pairs.
 */
function powerDeflation(
  apply: Apply,
  n: number,
  k: number,
  iterations: number,
  tolerance: number,
  rng: RandomSource,
): Float64Array[] {
  const vectors: Float64Array[] = [];
  let scale = 0; // |λ₁|, the yardstick of the relative tolerance
  for (let j = 0; j < k; j++) {
    let v = normalize(orthogonalize(rng.normals(n), vectors));
    let lambda = 0;
    for (let t = 0; t < iterations; t++) {
      const w = orthogonalize(apply(v, `in power step ${t} for eigenpair ${j}`), vectors);
      lambda = dot(v, w); // Rayleigh quotient vᵀHv
      // ‖Hv − λv‖ of the current v (deflated): a free convergence test
      const residual = norm2(axpy(-lambda, v, w));
      if (residual <= tolerance * Math.max(scale, Math.abs(lambda))) break;
      if (norm2(w) === 0) break; // v lies in the deflated null space: λ = 0 exactly
      v = normalize(orthogonalize(w, vectors));
    }
    if (j === 0) scale = Math.abs(lambda);
    vectors.push(v);
  }
  return vectors;
}

/**
 * Lanczos: with q₁ random and βⱼ₊₁qⱼ₊₁ = Hqⱼ − αⱼqⱼ − βⱼqⱼ₋₁, QᵀHQ = T is tridiagonal and its
 * eigenvalues (Ritz values) approach the extreme eigenvalues of H first. In floating point the qⱼ
 * lose orthogonality once a Ritz value converges (ghost copies appear), so every new vector is
 * re-orthogonalised against all previous ones (twice: "twice is enough", Kahan–Parlett).
 * The residual of a Ritz pair (θ, Qs) is estimated by |βₘ₊₁·sₘ|, free from T's eigenvectors; it
 * decides when to stop, and `rayleighRitz` then measures the true residuals. Returns the k Ritz
 * vectors of largest |θ|.
 */
function lanczos(
  apply: Apply,
  n: number,
  k: number,
  maxDimension: number,
  tolerance: number,
  rng: RandomSource,
): Float64Array[] {
  const m = Math.min(maxDimension, n);
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = []; // beta[j] couples q_j and q_{j+1}
  let q = normalize(rng.normals(n));
  let best:
    | { theta: Float64Array; s: Float64Array; dimension: number; residuals: Float64Array; converged: boolean }
    | undefined;

  for (let j = 0; j < m; j++) {
    Q.push(q);
    const w = apply(q, `at Lanczos step ${j}`);
    const a = dot(q, w);
    alpha.push(a);
    // w ← w − αⱼqⱼ − βⱼ₋₁qⱼ₋₁, then full re-orthogonalisation against all of Q, twice
    axpy(-a, q, w, w);
    if (j > 0) axpy(-beta[j - 1]!, Q[j - 1]!, w, w);
    orthogonalizeInPlace(w, Q);
    orthogonalizeInPlace(w, Q);
    const b = norm2(w);

    const dimension = j + 1;
    if (dimension >= k) {
      best = ritz(alpha, beta, dimension, k, b, tolerance);
      if (best.converged) break;
    }
    if (dimension === m) break;
    const yardstick = Math.max(...alpha.map(Math.abs), ...beta.map(Math.abs), 1e-300);
    if (b <= 1e-12 * yardstick) {
      // Invariant subspace found (exact for this start vector). Continue from a fresh random
      // direction orthogonal to Q, with βⱼ = 0: T stays block diagonal and still equals QᵀHQ.
      beta.push(0);
      const fresh = rng.normals(n);
      orthogonalizeInPlace(fresh, Q);
      orthogonalizeInPlace(fresh, Q);
      q = normalize(fresh);
    } else {
      beta.push(b);
      q = divideByScalar(w, b);
    }
  }
  if (best === undefined) best = ritz(alpha, beta, alpha.length, k, 0, tolerance);
  // Ritz vectors Q·sᵢ
  const vectors: Float64Array[] = [];
  for (let p = 0; p < k; p++) {
    const x = new Float64Array(n);
    for (let j = 0; j < best.dimension; j++) axpy(best.s[p * best.dimension + j]!, Q[j]!, x, x); // x += sⱼ·qⱼ
    vectors.push(normalize(x));
  }
  return vectors;
}

/**
 * Rayleigh–Ritz on the span of k approximate eigenvectors: orthonormalise them (a vector that
 * collapses is replaced by a fresh random direction), take their k products, and diagonalise the
 * k×k matrix T = VᵀHV. Its eigenpairs (θ, s) give the best pairs (θ, Vs) the span allows, with
 * H·(Vs) = (HV)s known without further products — so every residual ‖H·v − θv‖ is measured.
 */
function rayleighRitz(
  apply: Apply,
  approximate: readonly Float64Array[],
  n: number,
  rng: RandomSource,
): Pick<Eigenpairs, 'values' | 'vectors' | 'residuals'> {
  const basis: Float64Array[] = [];
  for (const v of approximate) {
    let u = orthogonalize(v, basis);
    orthogonalizeInPlace(u, basis);
    for (let attempt = 0; !(norm2(u) > 1e-8) && attempt < 10; attempt++) {
      u = orthogonalize(rng.normals(n), basis);
      orthogonalizeInPlace(u, basis);
    }
    basis.push(normalize(u));
  }
  const k = basis.length;
  const products = basis.map((u, i) => apply(u, `measuring the residual of eigenpair ${i}`));
  // T = VᵀHV, symmetrised (H is symmetric; the products carry rounding)
  const T = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j <= i; j++) {
      const t = 0.5 * (dot(basis[i]!, products[j]!) + dot(basis[j]!, products[i]!));
      T[i * k + j] = t;
      T[j * k + i] = t;
    }
  }
  const { values, vectors: S } = symmetricEigen(T, k);
  const order = Array.from({ length: k }, (_, i) => i).sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!));
  const outValues = new Float64Array(k);
  const outVectors: Float64Array[] = [];
  const residuals = new Float64Array(k);
  order.forEach((c, p) => {
    const v = new Float64Array(n);
    const hv = new Float64Array(n);
    for (let j = 0; j < k; j++) {
      const sj = S[j * k + c]!;
      axpy(sj, basis[j]!, v, v);
      axpy(sj, products[j]!, hv, hv);
    }
    const length = norm2(v); // 1 up to rounding: s is a unit vector and the basis orthonormal
    divideByScalar(v, length, v);
    divideByScalar(hv, length, hv);
    const theta = values[c]!;
    outValues[p] = theta;
    outVectors.push(v);
    residuals[p] = norm2(axpy(-theta, v, hv)); // ‖Hv − θv‖
  });
  return { values: outValues, vectors: outVectors, residuals };
}

/**
 * Ritz pairs of the leading m×m block of T: the k of largest |θ|, with their coefficient vectors
 * s (stored row p = pair p) and residual estimates |βₘ·sₘ|.
 */
function ritz(
  alpha: readonly number[],
  beta: readonly number[],
  m: number,
  k: number,
  nextBeta: number,
  tolerance: number,
): { theta: Float64Array; s: Float64Array; dimension: number; residuals: Float64Array; converged: boolean } {
  const T = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    T[i * m + i] = alpha[i]!;
    if (i + 1 < m) {
      T[i * m + i + 1] = beta[i]!;
      T[(i + 1) * m + i] = beta[i]!;
    }
  }
  const { values, vectors } = symmetricEigen(T, m);
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!));
  const theta = new Float64Array(k);
  const s = new Float64Array(k * m);
  const residuals = new Float64Array(k);
  const scale = Math.abs(values[order[0]!]!);
  let converged = true;
  for (let p = 0; p < k; p++) {
    const c = order[p]!;
    theta[p] = values[c]!;
    for (let j = 0; j < m; j++) s[p * m + j] = vectors[j * m + c]!;
    residuals[p] = Math.abs(nextBeta * vectors[(m - 1) * m + c]!); // ‖H·Qs − θ·Qs‖ = |βₘ₊₁·sₘ|
    if (!(residuals[p]! <= tolerance * scale)) converged = false;
  }
  return { theta, s, dimension: m, residuals, converged };
}

/** Options of `hutchinsonTrace` and `diagonalEstimate`. */
export interface StochasticEstimateOptions {
  /** Number of Rademacher probes z (default 100); each costs one operator application. */
  samples?: number;
  /** Seed of the probes (default 0). */
  seed?: number;
}

/** Reads the options of the two stochastic estimators. */
function readEstimateOptions(
  fn: string,
  options: StochasticEstimateOptions | undefined,
): { samples: number; seed: number } {
  const given = readOptions(fn, options, ['samples', 'seed']);
  return {
    samples: given.samples === undefined ? 100 : checkPositiveInteger(fn, 'samples', given.samples),
    seed: given.seed === undefined ? 0 : checkSeed(fn, given.seed),
  };
}

/**
 * Hutchinson's estimate of tr(H): the mean of zᵀHz over Rademacher z (E[zzᵀ] = I, so
 * E[zᵀHz] = tr(H) for every square H — symmetry is not needed, so a dense H is not checked for
 * it). Its variance per sample is 2·Σᵢ≠ⱼ Sᵢⱼ² with S = (H + Hᵀ)/2 — zero for a diagonal H — and
 * `standardError` is the sample standard deviation / √samples (Infinity for one sample).
 *
 * @example
 * hutchinsonTrace(new Float64Array([2, 1, 1, 3]), { samples: 1000 });
 * // { estimate ≈ 5, standardError ≈ 0.045, samples: 1000 }
 */
export function hutchinsonTrace(
  H: OperatorLike,
  options?: StochasticEstimateOptions,
): { estimate: number; standardError: number; samples: number } {
  const fn = 'hutchinsonTrace';
  checkArity(fn, arguments.length, 2);
  const op = readOperator(fn, 'H', H);
  const { samples, seed } = readEstimateOptions(fn, options);
  const rng = createRandom(seed);
  // Welford's running mean and variance of the samples zᵀHz
  let mean = 0;
  let m2 = 0;
  for (let t = 1; t <= samples; t++) {
    const z = rng.rademachers(op.size);
    const value = dot(z, probe(op, z, t));
    const delta = value - mean;
    mean += delta / t;
    m2 += delta * (value - mean);
  }
  const standardError = samples > 1 ? Math.sqrt(m2 / (samples - 1) / samples) : Number.POSITIVE_INFINITY;
  return { estimate: mean, standardError, samples };
}

/**
 * Stochastic estimate of diag(H) (Bekas et al. 2007): the mean of z ⊙ Hz over Rademacher z,
 * since E[zᵢ(Hz)ᵢ] = Σⱼ HᵢⱼE[zᵢzⱼ] = Hᵢᵢ — for every square H, so a dense H is not checked for
 * symmetry. Entry i has variance Σⱼ≠ᵢ Hᵢⱼ² per sample; `standardError` is its per-entry sample
 * estimate / √samples (Infinity for one sample). Both arrays are fresh.
 *
 * @example
 * const { estimate } = diagonalEstimate(new Float64Array([2, 1, 1, 3]), { samples: 2000 });
 * // estimate ≈ [2, 3]
 */
export function diagonalEstimate(
  H: OperatorLike,
  options?: StochasticEstimateOptions,
): { estimate: Float64Array; standardError: Float64Array; samples: number } {
  const fn = 'diagonalEstimate';
  checkArity(fn, arguments.length, 2);
  const op = readOperator(fn, 'H', H);
  const n = op.size;
  const { samples, seed } = readEstimateOptions(fn, options);
  const rng = createRandom(seed);
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  for (let t = 1; t <= samples; t++) {
    const z = rng.rademachers(n);
    const hz = probe(op, z, t);
    for (let i = 0; i < n; i++) {
      const value = z[i]! * hz[i]!; // zᵢ(Hz)ᵢ
      const delta = value - mean[i]!;
      mean[i]! += delta / t;
      m2[i]! += delta * (value - mean[i]!);
    }
  }
  const standardError = m2.map((v) =>
    samples > 1 ? Math.sqrt(v / (samples - 1) / samples) : Number.POSITIVE_INFINITY,
  );
  return { estimate: mean, standardError, samples };
}

function probe(op: CheckedOperator, z: Float64Array, t: number): Float64Array {
  return op.product(z, `for probe ${t}`);
}

function normalize(v: Float64Array): Float64Array {
  const s = norm2(v);
  return s === 0 ? v : divideByScalar(v, s);
}

/** v − Σ (uᵢᵀv)uᵢ for orthonormal uᵢ (classical Gram–Schmidt, a fresh array). */
function orthogonalize(v: Float64Array, basis: readonly Float64Array[]): Float64Array {
  const out = Float64Array.from(v);
  orthogonalizeInPlace(out, basis);
  return out;
}

function orthogonalizeInPlace(v: Float64Array, basis: readonly Float64Array[]): void {
  for (const u of basis) {
    const c = dot(u, v);
    axpy(-c, u, v, v); // v ← v − (uᵀv)u
  }
}
