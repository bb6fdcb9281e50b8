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
 * Provides `IncrementalInverse` (add, remove = downdate, addMany via Woodbury, apply, the inverse
 * as a preconditioner operator, drift checks and a refresh from the kept sum matrix) and
 * `IncrementalInverse.fromGradients` (damped empirical Fisher). Leaves out low-rank storage: M and
 * M⁻¹ are both kept dense (2n² doubles), which is what makes the drift check and the exact
 * refresh cheap.
 *
 * It also keeps every term it was given: an exact copy of each distinct vector v with its
 * accumulated weight (found again by a hash of its entries), O(k·n) doubles for k distinct
 * vectors. That is what lets `remove(v, w)` refuse — with the state unchanged — a vector that was
 * never added, or more weight than it holds: the rank-one formula itself would accept many such
 * downdates (any small v keeps λI − wvvᵀ positive definite) and silently leave the inverse of a
 * matrix nobody asked for.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError, SingularMatrixError, TapegradError } from '../../errors.js';
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
} from '../../linalg/index.js';
import { createRandom } from '../../linalg/random.js';
import {
  checkArity,
  checkBoolean,
  checkNumber,
  checkPositiveInteger,
  checkSize,
  checkVector,
  describeValue,
  readOptions,
} from '../../validate.js';
import { makeOperator, type LinearOperator } from './linear-operator.js';

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
 * A downdate whose Sherman–Morrison denominator 1 − w·vᵀM⁻¹v is ≤ √ε ≈ 1.5e-8 is not applied by
 * the rank-one formula. That number is det(M − wvvᵀ)/det(M): just above 0 the formula divides the
 * rounding error already in M⁻¹ by it, and below √ε more than half of the 16 digits would be
 * lost. Such a removal (of a term that was added, so M − wvvᵀ ⪰ λI is still positive definite)
 * recomputes M⁻¹ from the kept sum by Cholesky instead, in O(n³).
 */
export const DOWNDATE_THRESHOLD = Math.sqrt(Number.EPSILON);

/** One distinct vector in the sum, with its accumulated weight. */
interface Term {
  readonly vector: Float64Array;
  /** The weight it holds now. */
  weight: number;
  /** All weight ever added: the yardstick of the rounding slack in `weight`. */
  gross: number;
}

/**
 * Weights accumulate by floating-point additions and subtractions, so "all of it" is decided
 * with a slack of 16 ulps of the largest weight the term held: add(v, 0.3) then remove(v, 0.1)
 * and remove(v, 0.2) leaves 0.19999999999999998 − 0.2 < 0, which must count as nothing left.
 */
const WEIGHT_SLACK = 16 * Number.EPSILON;

/**
 * Keeps (λI + Σ wᵢvᵢvᵢᵀ)⁻¹ under rank-one updates and downdates, each O(n²). Memory: 2n² doubles
 * for M and M⁻¹, plus a copy of each distinct vector added (k·n doubles for k of them).
 *
 * @example
 * const inv = new IncrementalInverse(2, { damping: 0.1 });
 * inv.add(new Float64Array([1, 0]));          // M = diag(1.1, 0.1)
 * inv.apply(new Float64Array([1.1, 0.1]));     // ≈ [1, 1]
 * inv.remove(new Float64Array([1, 0]));        // back to 0.1·I
 * inv.remove(new Float64Array([0, 1]));        // → throws InvalidArgumentError: v was never added …
 */
export class IncrementalInverse {
  readonly #size: number;
  readonly #damping: number;
  readonly #weight: number;
  readonly #resymmetriseEvery: number;
  /** M⁻¹, row-major n×n. */
  #inverse: Float64Array;
  /** M = λI + Σ wᵢvᵢvᵢᵀ, kept for the drift check, `refresh` and ill-conditioned downdates. */
  #sum: Float64Array;
  /** The terms of the sum, by a hash of their entries. */
  readonly #terms = new Map<number, Term[]>();
  #distinct = 0;
  #updatesSinceSymmetrise = 0;
  #checks = 0;

  /**
   * An inverse of order n starting from M = λI.
   * @example new IncrementalInverse(3, { damping: 1e-3, weight: 1 / 100 });
   */
  constructor(n: number, options: IncrementalInverseOptions) {
    const fn = 'IncrementalInverse';
    checkArity(fn, arguments.length, 2);
    checkPositiveInteger(fn, 'n', n);
    checkSize(fn, n * n, `an ${n}×${n} matrix`);
    if (options === undefined) {
      throw new InvalidArgumentError(
        fn,
        'options { damping } is required: the inverse starts from λ⁻¹I (try { damping: 1e-3 })',
      );
    }
    const given = readOptions(fn, options, ['damping', 'weight', 'resymmetriseEvery']);
    const damping = readDamping(fn, given.damping, n);
    const weight = given.weight === undefined ? 1 : readWeight(fn, given.weight);
    const resymmetriseEvery =
      given.resymmetriseEvery === undefined
        ? 32
        : checkPositiveInteger(fn, 'resymmetriseEvery', given.resymmetriseEvery);
    this.#size = n;
    this.#damping = damping;
    this.#weight = weight;
    this.#resymmetriseEvery = resymmetriseEvery;
    this.#inverse = scale(1 / damping, identity(n)); // M₀⁻¹ = λ⁻¹I
    this.#sum = scale(damping, identity(n)); // M₀ = λI
  }

  /**
   * Throws unless `self` is an IncrementalInverse: a method called detached (`const f = inv.apply;
   * f(b)`) has no state to read, and would otherwise fail with an internal TypeError.
   */
  static #own(fn: string, self: unknown): void {
    if (typeof self !== 'object' || self === null || !(#size in self)) {
      const method = fn.slice(fn.indexOf('.') + 1);
      throw new InvalidArgumentError(
        fn,
        `was called on ${describeValue(self)}, not on an IncrementalInverse; call it as inv.${method}(…), or pass inv.${method}.bind(inv)`,
      );
    }
  }

  /** n, the order of the matrix. */
  get size(): number {
    return this.#size;
  }

  /** λ, the starting diagonal. */
  get damping(): number {
    return this.#damping;
  }

  /** Default weight of `add` and `remove`. */
  get weight(): number {
    return this.#weight;
  }

  /**
   * The number of distinct vectors in the sum (a vector added twice counts once, holding both
   * weights; a vector whose weight is all removed no longer counts). Never negative.
   */
  get count(): number {
    return this.#distinct;
  }

  /**
   * M ← M + w·vvᵀ (w > 0, default the constructor's weight), in O(n²). v is copied and kept.
   *
   * @example
   * const inv = new IncrementalInverse(3, { damping: 1 });
   * inv.add(new Float64Array([1, 2, 3]), 0.5);
   */
  add(v: Float64Array, weight?: number): this {
    const fn = 'IncrementalInverse.add';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 2);
    const vector = checkVector(fn, 'v', v, { length: this.#size });
    const w = weight === undefined ? this.#weight : readWeight(fn, weight);
    this.#rankOne(fn, vector, w);
    this.#record(vector, w);
    return this;
  }

  /**
   * M ← M − w·vvᵀ, undoing `add(v, w)` (or part of the weight v holds), in O(n²). Refused with
   * InvalidArgumentError, nothing changed, unless v — entry for entry — was added (by add,
   * addMany or fromGradients) and still holds weight ≥ w. A removal that leaves the matrix badly
   * conditioned (1 − w·vᵀM⁻¹v ≤ DOWNDATE_THRESHOLD) is done by refactoring the kept sum (O(n³));
   * SingularMatrixError if even that fails.
   *
   * @example
   * const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 1]));
   * inv.remove(new Float64Array([1, 1])); // back to I
   */
  remove(v: Float64Array, weight?: number): this {
    const fn = 'IncrementalInverse.remove';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 2);
    const vector = checkVector(fn, 'v', v, { length: this.#size });
    const w = weight === undefined ? this.#weight : readWeight(fn, weight);
    const term = this.#find(vector);
    if (term === undefined) {
      throw new InvalidArgumentError(
        fn,
        `v was never added (or all its weight was removed already): no term with exactly these ${this.#size} entries is in the sum. ` +
          'remove() takes back a vector given to add, addMany or fromGradients, entry for entry; nothing was changed',
      );
    }
    const slack = WEIGHT_SLACK * term.gross;
    if (w > term.weight + slack) {
      throw new InvalidArgumentError(
        fn,
        `v holds weight ${term.weight} in the sum, so weight ${w} cannot be removed (the sum would get a negative term and could become indefinite); nothing was changed`,
      );
    }
    const n = this.#size;
    const u = gemv(this.#inverse, n, n, vector);
    // 1 − w·vᵀM⁻¹v = det(M − wvvᵀ)/det(M)
    const denominator = 1 - w * dot(vector, u);
    if (denominator > DOWNDATE_THRESHOLD) {
      this.#applyRankOne(vector, u, -w, denominator);
    } else {
      // Too close to singular for the rank-one formula: M − wvvᵀ ⪰ λI, so refactor it.
      const sum = Float64Array.from(this.#sum);
      rank1Update(sum, n, n, -w, vector, vector);
      this.#inverse = inverseOfPositiveDefinite(fn, sum, n);
      this.#sum = sum;
      this.#updatesSinceSymmetrise = 0;
    }
    term.weight -= w;
    if (term.weight <= slack) this.#forget(term, vector);
    return this;
  }

  /**
   * Adds k terms at once: V is k×n row-major (row i = vᵢ, each copied and kept), `weights`
   * (default all the constructor's weight) must be > 0. Uses Woodbury with a k×k Cholesky
   * factorisation: O(kn² + k²n + k³), cheaper than k Sherman–Morrison steps when k is small
   * against n, and the same result. k = 0 (an empty V) changes nothing.
   *
   * @example
   * const inv = new IncrementalInverse(3, { damping: 1 });
   * inv.addMany(new Float64Array([1, 0, 0, 0, 1, 1]), [2, 1]); // + 2·e₁e₁ᵀ + (e₂+e₃)(e₂+e₃)ᵀ
   */
  addMany(V: Float64Array, weights?: Float64Array | readonly number[]): this {
    const fn = 'IncrementalInverse.addMany';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 2);
    const n = this.#size;
    const w = readRowWeights(fn, V, n, weights, this.#weight);
    const k = w.length;
    if (k === 0) return this;
    const rows = Array.from({ length: k }, (_, i) => V.slice(i * n, (i + 1) * n)); // copies, kept as terms
    const downdate = woodburyDowndate(fn, this.#inverse, V, w, n);
    if (indexOfNonFinite(downdate) !== -1)
      throw new NonFiniteError(
        fn,
        'the update overflowed: the entries of V are too large for float64; nothing was changed',
      );
    // M⁻¹ ← M⁻¹ − YᵀY;   M ← M + Vᵀ·diag(w)·V
    subVectors(this.#inverse, downdate, this.#inverse);
    const WV = new Float64Array(k * n);
    for (let i = 0; i < k; i++) {
      const row = [i * n, (i + 1) * n] as const;
      scale(w[i]!, V.subarray(...row), WV.subarray(...row)); // row i of diag(w)·V is wᵢ·vᵢ
    }
    gemm(WV, V, n, k, n, { transposeA: true, beta: 1, out: this.#sum });
    rows.forEach((row, i) => this.#record(row, w[i]!));
    this.#noteUpdates(k);
    return this;
  }

  /**
   * M⁻¹b in O(n²), a fresh array.
   *
   * @example
   * new IncrementalInverse(2, { damping: 4 }).apply(new Float64Array([4, 8])); // → [1, 2]
   */
  apply(b: Float64Array): Float64Array {
    const fn = 'IncrementalInverse.apply';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 1);
    checkVector(fn, 'b', b, { length: this.#size });
    return gemv(this.#inverse, this.#size, this.#size, b);
  }

  /**
   * A copy of M⁻¹ (row-major n×n).
   *
   * @example
   * new IncrementalInverse(2, { damping: 2 }).toMatrix(); // → [0.5, 0, 0, 0.5]
   */
  toMatrix(): Float64Array {
    IncrementalInverse.#own('IncrementalInverse.toMatrix', this);
    checkArity('IncrementalInverse.toMatrix', arguments.length, 0);
    return Float64Array.from(this.#inverse);
  }

  /**
   * A copy of M = λI + Σ wᵢvᵢvᵢᵀ itself (row-major n×n).
   *
   * @example
   * new IncrementalInverse(2, { damping: 2 }).add(new Float64Array([1, 0])).toSumMatrix(); // → [3, 0, 0, 2]
   */
  toSumMatrix(): Float64Array {
    IncrementalInverse.#own('IncrementalInverse.toSumMatrix', this);
    checkArity('IncrementalInverse.toSumMatrix', arguments.length, 0);
    return Float64Array.from(this.#sum);
  }

  /**
   * The drift of the stored inverse: ‖M·(M⁻¹b) − b‖/‖b‖ for `sample` b (default a fresh seeded
   * random vector), with M the exactly accumulated sum. O(n²). Exact arithmetic gives 0; expect
   * about κ(M)·ε·(a few), growing slowly with the number of updates. A zero sample gives 0.
   *
   * @example
   * const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 2]));
   * inv.residual(); // ~1e-16
   */
  residual(sample?: Float64Array): number {
    const fn = 'IncrementalInverse.residual';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 1);
    return this.#residual(fn, sample);
  }

  /**
   * Compares `apply` with the exact product on a random (or given) vector: `{ residual, ok }`
   * where ok = residual ≤ tolerance (default 1e-8, far above the ~κ·ε of a healthy inverse for
   * κ ≲ 10⁶). If not ok, call `refresh()`.
   *
   * @example
   * const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 2]));
   * const { ok } = inv.check(); // after many updates and downdates
   * if (!ok) inv.refresh();
   */
  check(options?: { sample?: Float64Array; tolerance?: number }): { residual: number; ok: boolean } {
    const fn = 'IncrementalInverse.check';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 1);
    const given = readOptions(fn, options, ['sample', 'tolerance']);
    const tolerance =
      given.tolerance === undefined ? 1e-8 : checkNumber(fn, 'tolerance', given.tolerance, { above: 0 });
    const residual = this.#residual(fn, given.sample);
    return { residual, ok: residual <= tolerance };
  }

  /**
   * Recomputes M⁻¹ from the kept sum M by Cholesky (O(n³)), discarding accumulated drift.
   *
   * @example
   * const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 2]));
   * inv.refresh(); // after check() reported drift
   */
  refresh(): this {
    const fn = 'IncrementalInverse.refresh';
    IncrementalInverse.#own(fn, this);
    checkArity(fn, arguments.length, 0);
    this.#inverse = inverseOfPositiveDefinite(fn, this.#sum, this.#size);
    this.#updatesSinceSymmetrise = 0;
    return this;
  }

  /**
   * A LinearOperator applying M⁻¹ — a live view: it follows later add/remove calls (wrap
   * `toMatrix()` with `denseOperator` for a snapshot). E.g. the `preconditioner` of `cgSolve`,
   * where a damped empirical Fisher inverse approximates the inverse Hessian. Its `apply` checks
   * its argument; `apply` and `diagonal` return fresh arrays.
   *
   * @example
   * cgSolve(H, b, { preconditioner: IncrementalInverse.fromGradients(G.gradients, N, d, { damping: 1e-3 }).asOperator() });
   */
  asOperator(): LinearOperator {
    IncrementalInverse.#own('IncrementalInverse.asOperator', this);
    checkArity('IncrementalInverse.asOperator', arguments.length, 0);
    const n = this.#size;
    return makeOperator(
      'IncrementalInverse.asOperator()',
      n,
      (b) => gemv(this.#inverse, n, n, b),
      () => diagonalOf(this.#inverse, n),
    );
  }

  /**
   * The inverse of the damped empirical Fisher λI + (1/N)·Σᵢ gᵢgᵢᵀ (or λI + Σ gᵢgᵢᵀ with
   * `average: false`) from G, N×n row-major (row i = the gradient of example i, each kept so it
   * can be removed). Formed densely (GᵀG by gemm, O(Nn²)) and inverted once by Cholesky (O(n³)) —
   * cheaper than N rank-one updates; later `add`/`remove` keep it current, with the default
   * weight 1/N (or 1).
   *
   * @example
   * const fisherInverse = IncrementalInverse.fromGradients(G.gradients, N, d, { damping: 1e-3 });
   * fisherInverse.remove(gradientOf(17)); // leave example 17 out (weight 1/N)
   */
  static fromGradients(
    G: Float64Array,
    N: number,
    n: number,
    options: { damping: number; average?: boolean },
  ): IncrementalInverse {
    const fn = 'IncrementalInverse.fromGradients';
    checkArity(fn, arguments.length, 4);
    checkPositiveInteger(fn, 'N', N);
    checkPositiveInteger(fn, 'n', n);
    checkSize(fn, N * n, `an ${N}×${n} G`);
    checkSize(fn, n * n, `an ${n}×${n} matrix`);
    checkVector(fn, 'G', G, { length: N * n });
    if (options === undefined) {
      throw new InvalidArgumentError(
        fn,
        'options { damping } is required: the inverse is of λI + (1/N)·GᵀG (try { damping: 1e-3 })',
      );
    }
    const given = readOptions(fn, options, ['damping', 'average']);
    const damping = readDamping(fn, given.damping, n);
    const average = given.average === undefined ? true : checkBoolean(fn, 'average', given.average);
    const weight = average ? 1 / N : 1;
    const result = new IncrementalInverse(n, { damping, weight });
    // M = λI + w·GᵀG
    gemm(G, G, n, N, n, { transposeA: true, alpha: weight, beta: 1, out: result.#sum });
    symmetrize(result.#sum, n, result.#sum);
    if (indexOfNonFinite(result.#sum) !== -1)
      throw new NonFiniteError(fn, 'GᵀG overflowed: the gradients are too large for float64; rescale them');
    result.#inverse = inverseOfPositiveDefinite(fn, result.#sum, n);
    for (let i = 0; i < N; i++) result.#record(G.slice(i * n, (i + 1) * n), weight);
    return result;
  }

  /** M⁻¹ ← M⁻¹ − w·uuᵀ/(1 + w·vᵀu), u = M⁻¹v; M ← M + w·vvᵀ, for an update (w > 0). */
  #rankOne(fn: string, v: Float64Array, w: number): void {
    const n = this.#size;
    const u = gemv(this.#inverse, n, n, v);
    // 1 + w·vᵀM⁻¹v = det(M + wvvᵀ)/det(M) ≥ 1 for an update
    const denominator = 1 + w * dot(v, u);
    if (!Number.isFinite(denominator)) {
      throw new NonFiniteError(
        fn,
        `w·vᵀM⁻¹v overflowed to ${denominator}: v (‖v‖ = ${norm2(v)}) is too large for float64 against λ = ${this.#damping}; rescale it. Nothing was changed`,
      );
    }
    this.#applyRankOne(v, u, w, denominator);
  }

  #applyRankOne(v: Float64Array, u: Float64Array, w: number, denominator: number): void {
    const n = this.#size;
    rank1Update(this.#inverse, n, n, -w / denominator, u, u); // M⁻¹ ← M⁻¹ − c·uuᵀ, c = w/(1 + w·vᵀu)
    rank1Update(this.#sum, n, n, w, v, v); // M ← M + w·vvᵀ
    this.#noteUpdates(1);
  }

  /** Rounding makes M⁻¹ drift from symmetry; average it with its transpose every few updates. */
  #noteUpdates(k: number): void {
    this.#updatesSinceSymmetrise += k;
    if (this.#updatesSinceSymmetrise >= this.#resymmetriseEvery) {
      symmetrize(this.#inverse, this.#size, this.#inverse);
      symmetrize(this.#sum, this.#size, this.#sum);
      this.#updatesSinceSymmetrise = 0;
    }
  }

  #residual(fn: string, sample: unknown): number {
    const b =
      sample === undefined
        ? createRandom(0xc0ffee + this.#checks++).normals(this.#size)
        : checkVector(fn, 'sample', sample, { length: this.#size });
    const bNorm = norm2(b);
    if (bNorm === 0) return 0;
    const n = this.#size;
    const mx = gemv(this.#sum, n, n, gemv(this.#inverse, n, n, b));
    subVectors(mx, b, mx); // M·M⁻¹b − b
    return norm2(mx) / bNorm;
  }

  /** The kept term holding exactly v, if any. */
  #find(v: Float64Array): Term | undefined {
    return this.#terms.get(hashEntries(v))?.find((term) => sameEntries(term.vector, v));
  }

  /** Adds weight w to v's term, creating it (with a copy of v) if v is new. */
  #record(v: Float64Array, w: number): void {
    const existing = this.#find(v);
    if (existing !== undefined) {
      existing.weight += w;
      existing.gross += w;
      return;
    }
    const key = hashEntries(v);
    const bucket = this.#terms.get(key) ?? [];
    bucket.push({ vector: Float64Array.from(v), weight: w, gross: w });
    this.#terms.set(key, bucket);
    this.#distinct++;
  }

  #forget(term: Term, v: Float64Array): void {
    const key = hashEntries(v);
    const bucket = this.#terms.get(key)!;
    bucket.splice(bucket.indexOf(term), 1);
    if (bucket.length === 0) this.#terms.delete(key);
    this.#distinct--;
  }
}

/** λ of the constructor and fromGradients: finite and > 0, with why. */
function readDamping(fn: string, damping: unknown, n: number): number {
  if (typeof damping !== 'number' || !Number.isFinite(damping) || damping <= 0) {
    throw new InvalidArgumentError(
      fn,
      `damping must be a finite number > 0, got ${describeValue(damping)}: the inverse starts from λ⁻¹I, and without λ the sum of ` +
        `outer products Σ wᵢvᵢvᵢᵀ is singular until it has n = ${n} independent terms (try λ = 1e-3 or a small fraction of the typical vᵢᵀvᵢ)`,
    );
  }
  return damping;
}

function readWeight(fn: string, weight: unknown, name = 'weight'): number {
  if (typeof weight === 'number' && Number.isFinite(weight) && weight <= 0) {
    throw new InvalidArgumentError(
      fn,
      `${name} must be a finite number > 0, got ${describeValue(weight)}; use remove() to subtract a term`,
    );
  }
  return checkNumber(fn, name, weight, { above: 0 });
}

/** FNV-1a over the entries' bits, with −0 read as 0 (both give the same vvᵀ). */
const hashScratch = new Float64Array(1);
const hashWords = new Uint32Array(hashScratch.buffer);
function hashEntries(v: Float64Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < v.length; i++) {
    hashScratch[0] = v[i]! + 0; // −0 + 0 = +0
    h = Math.imul(h ^ hashWords[0]!, 0x01000193) >>> 0;
    h = Math.imul(h ^ hashWords[1]!, 0x01000193) >>> 0;
  }
  return h;
}

function sameEntries(a: Float64Array, b: Float64Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Re-raises an internal kernel's error under the public method's name. */
function asOwnError(fn: string, error: unknown, what: string): TapegradError {
  const detail = error instanceof Error ? error.message : String(error);
  return new SingularMatrixError(fn, -1, `${what} (${detail})`);
}

/** M⁻¹ of a symmetric positive definite M: column j solves LLᵀx = eⱼ. */
function inverseOfPositiveDefinite(fn: string, m: Float64Array, n: number): Float64Array {
  let l: Float64Array;
  try {
    l = cholesky(m, n);
  } catch (error) {
    throw asOwnError(
      fn,
      error,
      'the accumulated matrix is not positive definite to working precision; nothing was changed',
    );
  }
  return choleskyInverse(l, n);
}

/**
 * The weights of the k = |V|/n rows of V for `fn`: `weights` checked (k numbers > 0), or all
 * `defaultWeight`. V must be a row-major k×n Float64Array.
 */
function readRowWeights(
  fn: string,
  V: Float64Array,
  n: number,
  weights: Float64Array | readonly number[] | undefined,
  defaultWeight: number,
): Float64Array {
  checkVector(fn, 'V', V);
  if (V.length % n !== 0) {
    throw new ShapeError(
      fn,
      `V must be a row-major k×n Float64Array with n = ${n}; its length ${V.length} is not a multiple of ${n}`,
    );
  }
  const k = V.length / n;
  const w = new Float64Array(k);
  if (weights === undefined) {
    w.fill(defaultWeight);
  } else {
    if (!Array.isArray(weights) && !(weights instanceof Float64Array)) {
      throw new InvalidArgumentError(
        fn,
        `weights must be an array or Float64Array of ${k} numbers > 0, got ${describeValue(weights)}`,
      );
    }
    if (weights.length !== k) throw new ShapeError(fn, `weights has ${weights.length} entries but V has k = ${k} rows`);
    for (let i = 0; i < k; i++) w[i] = readWeight(fn, weights[i], `weights[${i}]`);
  }
  return w;
}

/**
 * Woodbury's downdate of M⁻¹ for M + Vᵀ·diag(w)·V: the n×n matrix UᵀC⁻¹U with U = V·M⁻¹ and
 * C = W⁻¹ + U·Vᵀ, computed as YᵀY with Y = L⁻¹U (C = LLᵀ) so that it is symmetric by construction.
 */
function woodburyDowndate(
  fn: string,
  inverse: Float64Array,
  V: Float64Array,
  w: Float64Array,
  n: number,
): Float64Array {
  const k = w.length;
  // U = V·M⁻¹ (k×n): row i is uᵢ = M⁻¹vᵢ because M⁻¹ is symmetric.
  const U = gemm(V, inverse, k, n, n);
  // C = W⁻¹ + U·Vᵀ (k×k), symmetric positive definite for w > 0.
  const C = gemm(U, V, k, n, k, { transposeB: true });
  for (let i = 0; i < k; i++) C[i * k + i]! += 1 / w[i]!;
  symmetrize(C, k, C);
  let L: Float64Array;
  try {
    L = cholesky(C, k);
  } catch (error) {
    throw asOwnError(
      fn,
      error,
      'the Woodbury system W⁻¹ + V·M⁻¹·Vᵀ could not be factored (entries too large for float64?); nothing was changed',
    );
  }
  // Y = L⁻¹U column by column, so that UᵀC⁻¹U = YᵀY (symmetric by construction).
  // The columns of U are the rows of Uᵀ, so they are contiguous there; Yᵀ is built row by row.
  const UT = transpose(U, k, n);
  const YT = new Float64Array(n * k);
  for (let j = 0; j < n; j++) YT.set(solveLowerTriangular(L, k, UT.subarray(j * k, (j + 1) * k)), j * k);
  return gemm(YT, YT, n, k, n, { transposeB: true });
}
