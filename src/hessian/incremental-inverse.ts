/**
 * An inverse kept up to date under rank-one changes: (λI + Σᵢ wᵢvᵢvᵢᵀ)⁻¹ by Sherman–Morrison.
 *
 * The empirical Fisher / Gauss–Newton approximations of a Hessian are sums of outer products
 * (1/N)Σ gᵢgᵢᵀ; leave-one-out, OBS pruning and online preconditioners need the inverse of such a
 * sum as terms come and go. Re-inverting costs O(n³) each time; Sherman–Morrison costs O(n²):
 *
 *     (M + w·vvᵀ)⁻¹ = M⁻¹ − w·uuᵀ/(1 + w·vᵀu),   u = M⁻¹v,
 *
 * and Woodbury does k terms at once with a k×k solve:
 *
 *     (M + VᵀWV)⁻¹ = M⁻¹ − Uᵀ(W⁻¹ + UVᵀ)⁻¹U,   U = VM⁻¹ (k×n, rows uᵢ = M⁻¹vᵢ).
 *
 * The recursion starts from M₀ = λI, M₀⁻¹ = λ⁻¹I, so λ > 0 is required: the bare sum of k outer
 * products has rank ≤ k and is singular until it has at least n (independent) terms.
 *
 * Provides `IncrementalInverse` (add, remove = downdate with a singularity guard, addMany via
 * Woodbury, apply, the inverse as a preconditioner operator, drift checks and a refresh from the
 * kept sum matrix) and `IncrementalInverse.fromGradients` (damped empirical Fisher). Leaves out
 * low-rank storage: both M and M⁻¹ are kept dense (2n² doubles), which is what makes the drift
 * check and the exact refresh cheap.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError, SingularMatrixError } from '../errors.js';
import {
  cholesky,
  choleskyInverse,
  diagonalOf,
  dot,
  gemm,
  gemv,
  identity,
  indexOfNonFinite,
  norm2,
  rank1Update,
  scale,
  solveLowerTriangular,
  subVectors,
  symmetrize,
  transpose,
} from '../linalg/index.js';
import { createRandom } from '../linalg/random.js';
import type { LinearOperator } from './linear-operator.js';

/** Options of `new IncrementalInverse(n, options)`. */
export interface IncrementalInverseOptions {
  /** λ > 0: the matrix starts as λI. */
  damping: number;
  /** Default weight w of `add`/`remove` (default 1). */
  weight?: number;
  /** Re-symmetrise the stored inverse every this many rank-one updates (default 32). */
  resymmetriseEvery?: number;
}

/**
 * A downdate is refused when 1 − w·vᵀM⁻¹v ≤ √ε ≈ 1.5e-8. That number is det(M − wvvᵀ)/det(M):
 * at ≤ 0 the matrix would be singular or indefinite, and just above 0 the update divides the
 * rounding error already in M⁻¹ by it — below √ε more than half of the 16 digits would be lost.
 */
export const DOWNDATE_THRESHOLD = Math.sqrt(Number.EPSILON);

/**
 * Keeps (λI + Σ wᵢvᵢvᵢᵀ)⁻¹ under rank-one updates and downdates, each O(n²).
 *
 * @example
 * const inv = new IncrementalInverse(2, { damping: 0.1 });
 * inv.add(new Float64Array([1, 0]));          // M = diag(1.1, 0.1)
 * inv.apply(new Float64Array([1.1, 0.1]));     // ≈ [1, 1]
 * inv.remove(new Float64Array([1, 0]));        // back to 0.1·I
 */
export class IncrementalInverse {
  /** n, the order of the matrix. */
  readonly size: number;
  /** λ, the starting diagonal. */
  readonly damping: number;
  /** Default weight of `add` and `remove`. */
  readonly weight: number;
  private readonly resymmetriseEvery: number;
  /** M⁻¹, row-major n×n. */
  private inverse: Float64Array;
  /** M = λI + Σ wᵢvᵢvᵢᵀ, kept for the drift check and `refresh`. */
  private sum: Float64Array;
  private netCount = 0;
  private updatesSinceSymmetrise = 0;
  private checks = 0;

  constructor(n: number, options: IncrementalInverseOptions) {
    const fn = 'IncrementalInverse';
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(fn, `n must be a positive integer, got ${n}`);
    const damping = options?.damping;
    if (typeof damping !== 'number' || !Number.isFinite(damping) || damping <= 0) {
      throw new InvalidArgumentError(
        fn,
        `damping must be a finite number > 0, got ${damping}: the inverse starts from λ⁻¹I, and without λ the sum of ` +
          `outer products Σ wᵢvᵢvᵢᵀ is singular until it has n = ${n} independent terms (try λ = 1e-3 or a small fraction of the typical vᵢᵀvᵢ)`,
      );
    }
    const weight = options.weight ?? 1;
    checkWeight(fn, weight);
    const resymmetriseEvery = options.resymmetriseEvery ?? 32;
    if (!Number.isInteger(resymmetriseEvery) || resymmetriseEvery <= 0) {
      throw new InvalidArgumentError(fn, `resymmetriseEvery must be a positive integer, got ${resymmetriseEvery}`);
    }
    this.size = n;
    this.damping = damping;
    this.weight = weight;
    this.resymmetriseEvery = resymmetriseEvery;
    this.inverse = scale(1 / damping, identity(n)); // M₀⁻¹ = λ⁻¹I
    this.sum = scale(damping, identity(n)); // M₀ = λI
  }

  /** Net number of rank-one terms currently in the sum (adds minus removes). */
  get count(): number {
    return this.netCount;
  }

  /**
   * M ← M + w·vvᵀ (w > 0, default the constructor's weight), in O(n²).
   *
   * @example
   * const inv = new IncrementalInverse(3, { damping: 1 });
   * inv.add(new Float64Array([1, 2, 3]), 0.5);
   */
  add(v: Float64Array, weight: number = this.weight): this {
    const fn = 'IncrementalInverse.add';
    this.checkVector(fn, v);
    checkWeight(fn, weight);
    this.rankOne(fn, v, weight);
    this.netCount++;
    return this;
  }

  /**
   * M ← M − w·vvᵀ, the downdate that undoes `add(v, w)`, in O(n²). Throws SingularMatrixError
   * (pivot −1: there is no single pivot) when 1 − w·vᵀM⁻¹v ≤ DOWNDATE_THRESHOLD (√ε): the result
   * would be singular, indefinite or too ill-conditioned to trust — typically a vector that was
   * never added, or removed twice. The state is unchanged when it throws.
   *
   * @example
   * const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 1]));
   * inv.remove(new Float64Array([1, 1])); // back to I
   */
  remove(v: Float64Array, weight: number = this.weight): this {
    const fn = 'IncrementalInverse.remove';
    this.checkVector(fn, v);
    checkWeight(fn, weight);
    this.rankOne(fn, v, -weight);
    this.netCount--;
    return this;
  }

  /**
   * Adds k terms at once: V is k×n row-major (row i = vᵢ), `weights` (default all the
   * constructor's weight) must be > 0. Uses Woodbury with a k×k Cholesky factorisation: O(kn² + k²n + k³),
   * cheaper than k Sherman–Morrison steps when k is small against n, and the same result.
   *
   * @example
   * const inv = new IncrementalInverse(3, { damping: 1 });
   * inv.addMany(new Float64Array([1, 0, 0, 0, 1, 1]), [2, 1]); // + 2·e₁e₁ᵀ + (e₂+e₃)(e₂+e₃)ᵀ
   */
  addMany(V: Float64Array, weights?: Float64Array | readonly number[]): this {
    const fn = 'IncrementalInverse.addMany';
    const n = this.size;
    if (!(V instanceof Float64Array) || V.length % n !== 0) {
      throw new ShapeError(fn, `V must be a row-major k×n Float64Array with n = ${n}; its length ${V?.length} is not a multiple of ${n}`);
    }
    const k = V.length / n;
    if (k === 0) return this;
    checkFinite(fn, 'V', V);
    const w = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      const wi = weights === undefined ? this.weight : weights[i];
      if (wi === undefined) throw new ShapeError(fn, `weights has ${weights?.length} entries but V has k = ${k} rows`);
      checkWeight(fn, wi);
      w[i] = wi;
    }
    if (weights !== undefined && weights.length !== k) {
      throw new ShapeError(fn, `weights has ${weights.length} entries but V has k = ${k} rows`);
    }
    // U = V·M⁻¹ (k×n): row i is uᵢ = M⁻¹vᵢ because M⁻¹ is symmetric.
    const U = gemm(V, this.inverse, k, n, n);
    // C = W⁻¹ + U·Vᵀ (k×k), symmetric positive definite for w > 0.
    const C = gemm(U, V, k, n, k, { transposeB: true });
    for (let i = 0; i < k; i++) C[i * k + i]! += 1 / w[i]!;
    symmetrize(C, k, C);
    const L = cholesky(C, k);
    // Y = L⁻¹U column by column, so that UᵀC⁻¹U = YᵀY (symmetric by construction).
    // The columns of U are the rows of Uᵀ, so they are contiguous there; Yᵀ is built row by row.
    const UT = transpose(U, k, n);
    const YT = new Float64Array(n * k);
    for (let j = 0; j < n; j++) YT.set(solveLowerTriangular(L, k, UT.subarray(j * k, (j + 1) * k)), j * k);
    // M⁻¹ ← M⁻¹ − YᵀY (= Yᵀ·(Yᵀ)ᵀ);   M ← M + Vᵀ·diag(w)·V
    gemm(YT, YT, n, k, n, { transposeB: true, alpha: -1, beta: 1, out: this.inverse });
    const WV = new Float64Array(k * n);
    for (let i = 0; i < k; i++) {
      const row = [i * n, (i + 1) * n] as const;
      scale(w[i]!, V.subarray(...row), WV.subarray(...row)); // row i of diag(w)·V is wᵢ·vᵢ
    }
    gemm(WV, V, n, k, n, { transposeA: true, beta: 1, out: this.sum });
    this.netCount += k;
    this.noteUpdates(k);
    return this;
  }

  /**
   * M⁻¹b in O(n²), a fresh array.
   *
   * @example
   * new IncrementalInverse(2, { damping: 4 }).apply(new Float64Array([4, 8])); // [1, 2]
   */
  apply(b: Float64Array): Float64Array {
    this.checkVector('IncrementalInverse.apply', b);
    return gemv(this.inverse, this.size, this.size, b);
  }

  /**
   * A copy of M⁻¹ (row-major n×n).
   *
   * @example
   * new IncrementalInverse(2, { damping: 2 }).toMatrix(); // [0.5, 0, 0, 0.5]
   */
  toMatrix(): Float64Array {
    return Float64Array.from(this.inverse);
  }

  /**
   * A copy of M = λI + Σ wᵢvᵢvᵢᵀ itself (row-major n×n).
   *
   * @example
   * new IncrementalInverse(2, { damping: 2 }).add(new Float64Array([1, 0])).toSumMatrix(); // [3, 0, 0, 2]
   */
  toSumMatrix(): Float64Array {
    return Float64Array.from(this.sum);
  }

  /**
   * The drift of the stored inverse: ‖M·(M⁻¹b) − b‖/‖b‖ for `sample` b (default a fresh seeded
   * random vector), with M the exactly accumulated sum. O(n²). Exact arithmetic gives 0; expect
   * about κ(M)·ε·(a few), growing slowly with the number of updates.
   *
   * @example
   * const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 2]));
   * inv.residual(); // ~1e-16
   */
  residual(sample?: Float64Array): number {
    const b = sample ?? createRandom(0xc0ffee + this.checks++).normals(this.size);
    this.checkVector('IncrementalInverse.residual', b);
    const bNorm = norm2(b);
    if (bNorm === 0) return 0;
    const mx = gemv(this.sum, this.size, this.size, gemv(this.inverse, this.size, this.size, b));
    subVectors(mx, b, mx); // M·M⁻¹b − b
    return norm2(mx) / bNorm;
  }

  /**
   * Compares `apply` with the exact product on a random (or given) vector: `{ residual, ok }`
   * where ok = residual ≤ tolerance (default 1e-8, far above the ~κ·ε of a healthy inverse for
   * κ ≲ 10⁶). If not ok, call `refresh()`.
   *
   * @example
   * const { ok } = inv.check(); // after many updates and downdates
   * if (!ok) inv.refresh();
   */
  check(options: { sample?: Float64Array; tolerance?: number } = {}): { residual: number; ok: boolean } {
    const tolerance = options.tolerance ?? 1e-8;
    const residual = this.residual(options.sample);
    return { residual, ok: residual <= tolerance };
  }

  /**
   * Recomputes M⁻¹ from the kept sum M by Cholesky (O(n³)), discarding accumulated drift.
   *
   * @example
   * inv.refresh(); // after check() reported drift
   */
  refresh(): this {
    this.inverse = inverseOfPositiveDefinite('IncrementalInverse.refresh', this.sum, this.size);
    this.updatesSinceSymmetrise = 0;
    return this;
  }

  /**
   * A LinearOperator applying M⁻¹ (live: it follows later updates) — e.g. as the `preconditioner`
   * of `cgSolve`, where a damped empirical Fisher inverse approximates the inverse Hessian.
   *
   * @example
   * cgSolve(H, b, { preconditioner: IncrementalInverse.fromGradients(G, N, n, { damping: 1e-3 }).asOperator() });
   */
  asOperator(): LinearOperator {
    const n = this.size;
    return {
      size: n,
      apply: (b) => this.apply(b),
      diagonal: () => diagonalOf(this.inverse, n),
    };
  }

  /**
   * The inverse of the damped empirical Fisher λI + (1/N)·Σᵢ gᵢgᵢᵀ (or λI + Σ gᵢgᵢᵀ with
   * `average: false`) from G, N×n row-major (row i = the gradient of example i). Formed densely
   * (GᵀG by gemm, O(Nn²)) and inverted once by Cholesky (O(n³)) — cheaper than N rank-one
   * updates; later `add`/`remove` keep it current.
   *
   * @example
   * const fisherInverse = IncrementalInverse.fromGradients(G, 2000, 100, { damping: 1e-3 });
   * fisherInverse.remove(gradientOf(17), 1 / 2000); // leave example 17 out
   */
  static fromGradients(
    G: Float64Array,
    N: number,
    n: number,
    options: { damping: number; average?: boolean },
  ): IncrementalInverse {
    const fn = 'IncrementalInverse.fromGradients';
    if (!Number.isInteger(N) || N <= 0) throw new InvalidArgumentError(fn, `N must be a positive integer, got ${N}`);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(fn, `n must be a positive integer, got ${n}`);
    if (!(G instanceof Float64Array) || G.length !== N * n) {
      throw new ShapeError(fn, `G must be a row-major N×n = ${N}×${n} Float64Array (${N * n} entries), got ${G?.length}`);
    }
    checkFinite(fn, 'G', G);
    const average = options?.average ?? true;
    const weight = average ? 1 / N : 1;
    const result = new IncrementalInverse(n, { damping: options?.damping, weight });
    // M = λI + w·GᵀG
    gemm(G, G, n, N, n, { transposeA: true, alpha: weight, beta: 1, out: result.sum });
    symmetrize(result.sum, n, result.sum);
    result.netCount = N;
    result.refresh();
    return result;
  }

  /** M⁻¹ ← M⁻¹ − w·uuᵀ/(1 + w·vᵀu), u = M⁻¹v; M ← M + w·vvᵀ. A negative w is a downdate. */
  private rankOne(fn: string, v: Float64Array, w: number): void {
    const n = this.size;
    const u = gemv(this.inverse, n, n, v);
    const vu = dot(v, u);
    // 1 + w·vᵀM⁻¹v = det(M + wvvᵀ)/det(M): ≥ 1 for an update, ≤ 1 for a downdate.
    const denominator = 1 + w * vu;
    if (!(denominator > DOWNDATE_THRESHOLD)) {
      throw new SingularMatrixError(
        fn,
        -1,
        `removing w·vvᵀ (w = ${-w}) would leave a singular or ill-conditioned matrix: 1 − w·vᵀM⁻¹v = ${denominator.toPrecision(4)} ` +
          `≤ ${DOWNDATE_THRESHOLD.toPrecision(2)} (√ε). Was v added with this weight, and not removed already? Nothing was changed`,
      );
    }
    const c = w / denominator;
    rank1Update(this.inverse, n, n, -c, u, u); // M⁻¹ ← M⁻¹ − c·uuᵀ, c = w/(1 + w·vᵀu)
    rank1Update(this.sum, n, n, w, v, v); // M ← M + w·vvᵀ
    this.noteUpdates(1);
  }

  /** Rounding makes M⁻¹ drift from symmetry; average it with its transpose every few updates. */
  private noteUpdates(k: number): void {
    this.updatesSinceSymmetrise += k;
    if (this.updatesSinceSymmetrise >= this.resymmetriseEvery) {
      symmetrize(this.inverse, this.size, this.inverse);
      symmetrize(this.sum, this.size, this.sum);
      this.updatesSinceSymmetrise = 0;
    }
  }

  private checkVector(fn: string, v: Float64Array): void {
    if (!(v instanceof Float64Array)) throw new InvalidArgumentError(fn, 'expected a Float64Array vector');
    if (v.length !== this.size) {
      throw new ShapeError(fn, `expected a vector of length n = ${this.size}, got length ${v.length}`);
    }
    checkFinite(fn, 'v', v);
  }
}

function checkWeight(fn: string, weight: number): void {
  if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
    throw new InvalidArgumentError(fn, `weight must be a finite number > 0, got ${weight}; use remove() to subtract a term`);
  }
}

function checkFinite(fn: string, name: string, v: Float64Array): void {
  const i = indexOfNonFinite(v);
  if (i !== -1) throw new NonFiniteError(fn, `${name}[${i}] is ${v[i]}; entries must be finite`);
}

/** M⁻¹ of a symmetric positive definite M: column j solves LLᵀx = eⱼ. */
function inverseOfPositiveDefinite(fn: string, m: Float64Array, n: number): Float64Array {
  let l: Float64Array;
  try {
    l = cholesky(m, n);
  } catch (error) {
    throw new SingularMatrixError(fn, -1, `the accumulated matrix is not positive definite (${(error as Error).message})`);
  }
  return choleskyInverse(l, n);
}
