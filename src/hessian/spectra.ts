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
import { InvalidArgumentError } from '../errors.js';
import { axpy, divideByScalar, dot, norm2, symmetricEigen } from '../linalg/index.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import { toOperator, type LinearOperator, type OperatorLike } from './linear-operator.js';
import { checkFiniteVector, checkPositiveInteger, checkTolerance } from './solvers/result.js';

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

/** The result of `topEigenpairs`. */
export interface Eigenpairs {
  /** The k eigenvalues of largest magnitude, sorted by decreasing |λ|. */
  values: Float64Array;
  /** Unit eigenvectors; vectors[i] belongs to values[i]. */
  vectors: Float64Array[];
  /** Whether every residual ‖Hvᵢ − λᵢvᵢ‖ met the tolerance. */
  converged: boolean;
  /** Operator applications spent. */
  iterations: number;
  /** ‖Hvᵢ − λᵢvᵢ‖ for each pair (estimates for Lanczos, exact for power). */
  residuals: Float64Array;
}

/**
 * The k eigenpairs of largest magnitude of a symmetric operator.
 *
 * @example
 * const { values } = topEigenpairs(new Float64Array([3, 0, 0, 0, -5, 0, 0, 0, 1]), 2);
 * // values = [-5, 3] (by magnitude)
 * topEigenpairs(hessianOperator, 5, { method: 'power', tolerance: 1e-6 });
 */
export function topEigenpairs(H: OperatorLike, k: number, options: TopEigenpairsOptions = {}): Eigenpairs {
  const fn = 'topEigenpairs';
  const op = toOperator(H, fn);
  const n = op.size;
  checkPositiveInteger(fn, 'k', k);
  if (k > n) throw new InvalidArgumentError(fn, `k = ${k} exceeds the operator size n = ${n}; ask for at most n eigenpairs`);
  const { method = 'lanczos', tolerance = 1e-8, seed = 0 } = options;
  checkTolerance(fn, tolerance);
  if (method !== 'power' && method !== 'lanczos') {
    throw new InvalidArgumentError(fn, `method must be 'power' or 'lanczos', got ${String(method)}`);
  }
  const iterations = options.iterations ?? (method === 'power' ? 1000 : Math.min(n, Math.max(2 * k + 40, 60)));
  checkPositiveInteger(fn, 'iterations', iterations);
  const rng = createRandom(seed);
  const apply = (v: Float64Array): Float64Array => {
    const out = op.apply(v);
    checkFiniteVector(fn, 'H·v', out, 'the operator returned non-finite values');
    return out;
  };
  return method === 'power' ? powerDeflation(apply, n, k, iterations, tolerance, rng) : lanczos(apply, n, k, Math.max(iterations, k), tolerance, rng);
}

/**
 * Power iteration for one eigenpair at a time. The found pairs are deflated by projecting them
 * out of the iterate (v ← v − Σ (uᵢᵀv)uᵢ before and after each product), which is Hotelling's
 * deflation H − Σ λᵢuᵢuᵢᵀ applied without forming it. Converges like (|λⱼ₊₁|/|λⱼ|)ᵗ.
 */
function powerDeflation(
  apply: (v: Float64Array) => Float64Array,
  n: number,
  k: number,
  iterations: number,
  tolerance: number,
  rng: RandomSource,
): Eigenpairs {
  const values: number[] = [];
  const vectors: Float64Array[] = [];
  const residuals: number[] = [];
  let applications = 0;
  let converged = true;
  let scale = 0; // |λ₁|, the yardstick of the relative tolerance
  for (let j = 0; j < k; j++) {
    let v = normalize(orthogonalize(rng.normals(n), vectors));
    let lambda = 0;
    let residual = Number.POSITIVE_INFINITY;
    const eigenResidual = new Float64Array(n); // Hv − λv, reused across iterations
    for (let t = 0; t < iterations; t++) {
      const w = orthogonalize(apply(v), vectors);
      applications++;
      lambda = dot(v, w); // Rayleigh quotient vᵀHv
      // ‖Hv − λv‖ of the current v: a free convergence test
      residual = norm2(axpy(-lambda, v, w, eigenResidual));
      const yardstick = Math.max(scale, Math.abs(lambda));
      if (residual <= tolerance * yardstick) break;
      const wNorm = norm2(w);
      if (wNorm === 0) break; // v lies in the deflated null space: λ = 0 exactly
      v = normalize(orthogonalize(w, vectors));
    }
    if (j === 0) scale = Math.abs(lambda);
    if (!(residual <= tolerance * Math.max(scale, Math.abs(lambda)))) converged = false;
    values.push(lambda);
    vectors.push(v);
    residuals.push(residual);
  }
  return sortByMagnitude(values, vectors, residuals, converged, applications);
}

/**
 * Lanczos: with q₁ random and βⱼ₊₁qⱼ₊₁ = Hqⱼ − αⱼqⱼ − βⱼqⱼ₋₁, QᵀHQ = T is tridiagonal and its
 * eigenvalues (Ritz values) approach the extreme eigenvalues of H first. In floating point the qⱼ
 * lose orthogonality once a Ritz value converges (ghost copies appear), so every new vector is
 * re-orthogonalised against all previous ones (twice: "twice is enough", Kahan–Parlett).
 * The residual of a Ritz pair (θ, Qs) is |βₘ₊₁·sₘ|, free from T's eigenvectors.
 */
function lanczos(
  apply: (v: Float64Array) => Float64Array,
  n: number,
  k: number,
  maxDimension: number,
  tolerance: number,
  rng: RandomSource,
): Eigenpairs {
  const m = Math.min(maxDimension, n);
  const Q: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = []; // beta[j] couples q_j and q_{j+1}
  let q = normalize(rng.normals(n));
  let applications = 0;
  let best: { theta: Float64Array; s: Float64Array; dimension: number; residuals: Float64Array; converged: boolean } | undefined;

  for (let j = 0; j < m; j++) {
    Q.push(q);
    const w = apply(q);
    applications++;
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
      let fresh = rng.normals(n);
      orthogonalizeInPlace(fresh, Q);
      orthogonalizeInPlace(fresh, Q);
      fresh = normalize(fresh);
      q = fresh;
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
  return {
    values: Float64Array.from(best.theta),
    vectors,
    converged: best.converged,
    iterations: applications,
    residuals: best.residuals,
  };
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

/**
 * Hutchinson's estimate of tr(H): the mean of zᵀHz over Rademacher z (E[zzᵀ] = I, so
 * E[zᵀHz] = tr(H)). Its variance per sample is 2·Σᵢ≠ⱼ Hᵢⱼ² — zero for a diagonal H — and
 * `standardError` is the sample standard deviation / √samples (Infinity for one sample).
 *
 * @example
 * hutchinsonTrace(new Float64Array([2, 1, 1, 3]), { samples: 1000 });
 * // { estimate ≈ 5, standardError ≈ 0.045, samples: 1000 }
 */
export function hutchinsonTrace(
  H: OperatorLike,
  options: StochasticEstimateOptions = {},
): { estimate: number; standardError: number; samples: number } {
  const fn = 'hutchinsonTrace';
  const op = toOperator(H, fn);
  const { samples = 100, seed = 0 } = options;
  checkPositiveInteger(fn, 'samples', samples);
  const rng = createRandom(seed);
  // Welford's running mean and variance of the samples zᵀHz
  let mean = 0;
  let m2 = 0;
  for (let t = 1; t <= samples; t++) {
    const z = rng.rademachers(op.size);
    const hz = applyChecked(fn, op, z);
    const value = dot(z, hz);
    const delta = value - mean;
    mean += delta / t;
    m2 += delta * (value - mean);
  }
  const standardError = samples > 1 ? Math.sqrt(m2 / (samples - 1) / samples) : Number.POSITIVE_INFINITY;
  return { estimate: mean, standardError, samples };
}

/**
 * Stochastic estimate of diag(H) (Bekas et al. 2007): the mean of z ⊙ Hz over Rademacher z,
 * since E[zᵢ(Hz)ᵢ] = Σⱼ HᵢⱼE[zᵢzⱼ] = Hᵢᵢ. Entry i has variance Σⱼ≠ᵢ Hᵢⱼ² per sample;
 * `standardError` is its per-entry sample estimate / √samples.
 *
 * @example
 * const { estimate } = diagonalEstimate(new Float64Array([2, 1, 1, 3]), { samples: 2000 });
 * // estimate ≈ [2, 3]
 */
export function diagonalEstimate(
  H: OperatorLike,
  options: StochasticEstimateOptions = {},
): { estimate: Float64Array; standardError: Float64Array; samples: number } {
  const fn = 'diagonalEstimate';
  const op = toOperator(H, fn);
  const n = op.size;
  const { samples = 100, seed = 0 } = options;
  checkPositiveInteger(fn, 'samples', samples);
  const rng = createRandom(seed);
  const mean = new Float64Array(n);
  const m2 = new Float64Array(n);
  for (let t = 1; t <= samples; t++) {
    const z = rng.rademachers(n);
    const hz = applyChecked(fn, op, z);
    for (let i = 0; i < n; i++) {
      const value = z[i]! * hz[i]!; // zᵢ(Hz)ᵢ
      const delta = value - mean[i]!;
      mean[i]! += delta / t;
      m2[i]! += delta * (value - mean[i]!);
    }
  }
  const standardError = m2.map((v) => (samples > 1 ? Math.sqrt(v / (samples - 1) / samples) : Number.POSITIVE_INFINITY));
  return { estimate: mean, standardError, samples };
}

function applyChecked(fn: string, op: LinearOperator, z: Float64Array): Float64Array {
  const out = op.apply(z);
  if (out.length !== op.size) throw new InvalidArgumentError(fn, `the operator returned length ${out.length}, expected ${op.size}`);
  checkFiniteVector(fn, 'H·z', out, 'the operator returned non-finite values');
  return out;
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

function sortByMagnitude(values: number[], vectors: Float64Array[], residuals: number[], converged: boolean, iterations: number): Eigenpairs {
  const order = values.map((_, i) => i).sort((a, b) => Math.abs(values[b]!) - Math.abs(values[a]!));
  return {
    values: Float64Array.from(order.map((i) => values[i]!)),
    vectors: order.map((i) => vectors[i]!),
    converged,
    iterations,
    residuals: Float64Array.from(order.map((i) => residuals[i]!)),
  };
}
