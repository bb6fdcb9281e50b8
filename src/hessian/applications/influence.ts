/**
 * Influence functions (Koh & Liang 2017): how much each training point moved a test prediction.
 *
 * Train θ̂ = argmin L(θ) = (1/n)Σᵢ ℓᵢ(θ) + R(θ). Up-weighting training point z by ε moves the
 * optimum by dθ̂/dε = −H⁻¹∇ℓ(z, θ̂) (H = ∇²L(θ̂), regulariser included), so the test loss moves by
 *
 *     I(z, z_test) = dℓ(z_test, θ̂_ε)/dε = −∇ℓ(z_test)ᵀ H⁻¹ ∇ℓ(z).
 *
 * Removing z is ε = −1/n, so the predicted change of the test loss when z is left out is
 * −I(z, z_test)/n = (1/n)·∇ℓ(z_test)ᵀH⁻¹∇ℓ(z). A positive I means up-weighting z RAISES the test
 * loss: z is harmful to that prediction; the most negative I are the most helpful points.
 *
 * The whole row of influences costs ONE inverse-Hessian solve, s_test = H⁻¹∇ℓ(z_test), and then
 * n dot products with the per-example gradients — never n solves. The solve is delegated to an
 * `InverseHessian`, built here from any solver of the layer:
 *
 *   exactInverse       forms H + λI once (d products or a dense matrix), factors it by Cholesky,
 *                      and back-substitutes per right-hand side — the reference.
 *   cgInverse          conjugate gradients on the operator (√κ iterations).
 *   neumannInverse     the Neumann series (κ iterations).
 *   lissaInverse       LiSSA: Neumann on random minibatch Hessians, averaged over repeats.
 *   fisherInverse      the Sherman–Morrison/Woodbury inverse of the damped empirical Fisher
 *                      λI + (1/n)Σ gᵢgᵢᵀ (IncrementalInverse.fromGradients): no HVPs at all,
 *                      exact only as far as the Fisher approximates the Hessian; with row
 *                      weights, the expected Fisher, which IS the Hessian for a GLM.
 *
 * Also here: self-influence ∇ℓᵢᵀH⁻¹∇ℓᵢ (how much a point pulls on its own loss — large for
 * outliers and mislabelled points) and the most helpful / harmful training points.
 * Leaves out the model: callers hand in per-example gradients (`perSampleGradients`).
 */
import { InvalidArgumentError, ShapeError } from '../../errors.js';
import { addToDiagonal, cholesky, choleskySolveFactor, dot, gemv, norm2, scale, symmetrize } from '../../linalg/index.js';
import type { PerSampleGradients } from '../operators.js';
import {
  IncrementalInverse,
  cgSolve,
  lissa,
  neumannSolve,
  operatorToMatrix,
  toOperator,
  type CgOptions,
  type LinearOperator,
  type LissaOptions,
  type NeumannOptions,
  type OperatorLike,
  type SolveResult,
} from '../solvers/index.js';
import type { RandomSource } from '../../linalg/index.js';

/**
 * An (approximate) inverse Hessian: `solve(b)` returns x ≈ (H + λI)⁻¹b with the solver's
 * diagnostics (iterations, relative-residual history, converged).
 */
export interface InverseHessian {
  /** A short label for tables and plots, e.g. 'exact (Cholesky)' or 'CG'. */
  readonly name: string;
  readonly size: number;
  solve(b: Float64Array): SolveResult;
}

/**
 * The exact reference: H + λI formed densely once (d operator applications, or the given matrix),
 * symmetrised, factored by Cholesky; each `solve` is two triangular solves (O(d²)).
 * Throws NotPositiveDefiniteError if H + λI is not positive definite.
 *
 * @example
 * const H = hessianOperator(objective, params);
 * const inverse = exactInverse(H);
 * inverse.solve(testGradient).x; // H⁻¹∇ℓ_test
 */
export function exactInverse(H: OperatorLike, options: { damping?: number; name?: string } = {}): InverseHessian & { readonly matrix: Float64Array } {
  const op = toOperator(H, 'exactInverse');
  const n = op.size;
  const damping = options.damping ?? 0;
  const matrix = H instanceof Float64Array ? Float64Array.from(H) : operatorToMatrix(op);
  addToDiagonal(symmetrize(matrix, n, matrix), n, damping, matrix);
  const factor = cholesky(matrix, n);
  return {
    name: options.name ?? 'exact (Cholesky)',
    size: n,
    matrix,
    solve(b) {
      checkLength('exactInverse', b, n);
      const x = choleskySolveFactor(factor, n, b);
      const bNorm = norm2(b);
      const r = gemv(matrix, n, n, x).map((v, i) => b[i]! - v);
      return { x, iterations: 0, residualNorms: [bNorm === 0 ? 0 : norm2(r) / bNorm], converged: true, reason: 'direct factorisation', operatorApplications: 0 };
    },
  };
}

/** Conjugate gradients on the operator, each solve from zero with `options` (tolerance, damping, preconditioner). */
export function cgInverse(H: OperatorLike, options: CgOptions & { name?: string } = {}): InverseHessian {
  const op = toOperator(H, 'cgInverse');
  const { name = 'CG', ...cg } = options;
  return { name, size: op.size, solve: (b) => cgSolve(op, b, cg) };
}

/** The Neumann series on the operator with `options` (iterations, scale, damping, tolerance). */
export function neumannInverse(H: OperatorLike, options: NeumannOptions & { name?: string } = {}): InverseHessian {
  const op = toOperator(H, 'neumannInverse');
  const { name = 'Neumann', ...neumann } = options;
  return { name, size: op.size, solve: (b) => neumannSolve(op, b, neumann) };
}

/**
 * LiSSA with minibatch Hessians from `sampleOperator(rng, step)`; every solve restarts the seeded
 * random source, so solves are reproducible.
 */
export function lissaInverse(size: number, sampleOperator: (rng: RandomSource, step: number) => OperatorLike, options: LissaOptions & { name?: string } = {}): InverseHessian {
  const { name = 'LiSSA', ...settings } = options;
  return { name, size, solve: (b) => lissa(sampleOperator, b, settings) };
}

/**
 * The inverse of a damped Fisher F = λI + Σᵢ wᵢgᵢgᵢᵀ from per-example gradients (rows of G),
 * kept by `IncrementalInverse` (formed once by Cholesky; `add`/`remove` keep it current).
 *
 * - Default weights wᵢ = 1/N: the damped EMPIRICAL Fisher λI + (1/N)Σgᵢgᵢᵀ, the outer-product
 *   approximation of the Hessian of L = mean ℓᵢ + (λ/2)‖θ‖², with the regulariser's λI exact.
 *   Costs no Hessian-vector products — and is only as good as gᵢgᵢᵀ ≈ ∇²ℓᵢ, which fails for the
 *   points a model fits worst (their (σ − y)² is large where σ(1 − σ) is small).
 * - `rowWeights`: any non-negative weights, e.g. the EXPECTED Fisher Σᵢ Σ_y p(y|xᵢ)/N · g_{i,y}g_{i,y}ᵀ
 *   with one row per (example, label) — which for a generalised linear model (logistic or
 *   softmax regression) equals the Hessian of the data term exactly.
 *
 * @example
 * const inverse = fisherInverse(perSampleGradients(losses, params), { damping: 0.01 });
 */
export function fisherInverse(
  gradients: PerSampleGradients,
  options: { damping: number; rowWeights?: ArrayLike<number>; name?: string },
): InverseHessian & { readonly inverse: IncrementalInverse } {
  const { count: N, size: d } = gradients;
  let rows = gradients.gradients;
  let average = true;
  if (options.rowWeights !== undefined) {
    const weights = options.rowWeights;
    if (weights.length !== N) throw new ShapeError('fisherInverse', `rowWeights has ${weights.length} entries but G has ${N} rows`);
    // λI + Σ wᵢgᵢgᵢᵀ = λI + Σ (√wᵢgᵢ)(√wᵢgᵢ)ᵀ
    rows = new Float64Array(N * d);
    for (let i = 0; i < N; i++) {
      const wi = weights[i]!;
      if (!(wi >= 0) || !Number.isFinite(wi)) throw new InvalidArgumentError('fisherInverse', `rowWeights[${i}] is ${wi}; weights must be finite and ≥ 0`);
      const row = [i * d, (i + 1) * d] as const;
      scale(Math.sqrt(wi), gradients.gradients.subarray(...row), rows.subarray(...row)); // √wᵢ·gᵢ
    }
    average = false;
  }
  // Fewer examples than parameters: Woodbury (addMany) inverts an N×N system on top of λ⁻¹I,
  // O(Nd² + N²d + N³); otherwise form λI + GᵀG/N and invert it once by Cholesky, O(Nd² + d³).
  const inverse =
    N < d
      ? new IncrementalInverse(d, { damping: options.damping, weight: average ? 1 / N : 1 }).addMany(rows)
      : IncrementalInverse.fromGradients(rows, N, d, { damping: options.damping, average });
  return {
    name: options.name ?? (options.rowWeights === undefined ? 'Sherman–Morrison (empirical Fisher)' : 'Sherman–Morrison (weighted Fisher)'),
    size: d,
    inverse,
    solve(b) {
      checkLength('fisherInverse', b, d);
      return { x: inverse.apply(b), iterations: 0, residualNorms: [inverse.residual(b)], converged: true, reason: 'stored inverse', operatorApplications: 0 };
    },
  };
}

/** Wraps any operator that applies an approximate inverse (e.g. `IncrementalInverse.asOperator()`). */
export function inverseFromOperator(inverseOperator: LinearOperator, name: string): InverseHessian {
  return {
    name,
    size: inverseOperator.size,
    solve(b) {
      return { x: inverseOperator.apply(b), iterations: 0, residualNorms: [], converged: true, reason: 'applied operator', operatorApplications: 1 };
    },
  };
}

/** The result of `influence`. */
export interface InfluenceResult {
  /** I(zᵢ, z_test) = −∇ℓ_testᵀH⁻¹∇ℓᵢ for every training point i. */
  influences: Float64Array;
  /** Predicted change of the test loss when point i is left out: −I(zᵢ, z_test)/n. */
  predictedLossChange: Float64Array;
  /** s_test = H⁻¹∇ℓ_test and the solve that produced it. */
  sTest: Float64Array;
  solve: SolveResult;
}

/**
 * Influence of every training point on one test loss, from ONE inverse-Hessian solve:
 * s_test = H⁻¹∇ℓ_test, I(zᵢ, z_test) = −s_testᵀ∇ℓᵢ. `trainGradients` is the n×d matrix of
 * per-example training-loss gradients (row i = ∇ℓᵢ at θ̂, e.g. from `perSampleGradients`).
 *
 * @example
 * const G = perSampleGradients((p) => losses(p, train), params);
 * const gTest = perSampleGradients((p) => losses(p, testPoint), params).gradients; // 1×d
 * const { influences, predictedLossChange } = influence(exactInverse(H), gTest, G);
 */
export function influence(inverse: InverseHessian, testGradient: Float64Array, trainGradients: PerSampleGradients): InfluenceResult {
  checkGradients('influence', inverse, trainGradients);
  checkLength('influence', testGradient, inverse.size);
  const solve = inverse.solve(testGradient);
  const sTest = solve.x;
  const n = trainGradients.count;
  // I = −G·s_test (n dot products in one gemv)
  const influences = gemv(trainGradients.gradients, n, trainGradients.size, sTest).map((v) => -v);
  const predictedLossChange = influences.map((v) => -v / n);
  return { influences, predictedLossChange, sTest, solve };
}

/**
 * Self-influence ∇ℓᵢᵀH⁻¹∇ℓᵢ of each listed training point (default all): one solve per point.
 * Large values flag outliers and mislabelled points — a point the model bends towards.
 *
 * @example
 * const scores = selfInfluence(exactInverse(H), G); // sort descending to inspect suspects first
 */
export function selfInfluence(inverse: InverseHessian, trainGradients: PerSampleGradients, indices?: ArrayLike<number>): Float64Array {
  checkGradients('selfInfluence', inverse, trainGradients);
  const d = trainGradients.size;
  const which = indices ?? Int32Array.from({ length: trainGradients.count }, (_, i) => i);
  const out = new Float64Array(which.length);
  for (let k = 0; k < which.length; k++) {
    const i = which[k]!;
    checkIndex('selfInfluence', i, trainGradients.count);
    const g = trainGradients.gradients.subarray(i * d, (i + 1) * d);
    out[k] = dot(g, inverse.solve(Float64Array.from(g)).x);
  }
  return out;
}

/**
 * The k most helpful (most negative influence: up-weighting them lowers the test loss) and most
 * harmful (most positive) training points, as indices with their influences.
 *
 * @example
 * const { helpful, harmful } = mostInfluential(influence(inv, gTest, G).influences, 5);
 */
export function mostInfluential(influences: Float64Array, k: number): { helpful: { index: number; influence: number }[]; harmful: { index: number; influence: number }[] } {
  if (!Number.isInteger(k) || k < 0) throw new InvalidArgumentError('mostInfluential', `k must be an integer ≥ 0, got ${k}`);
  const order = Array.from(influences.keys()).sort((a, b) => influences[a]! - influences[b]!);
  const pick = (i: number) => ({ index: i, influence: influences[i]! });
  return { helpful: order.slice(0, k).map(pick), harmful: k === 0 ? [] : order.slice(-k).reverse().map(pick) };
}

/** Pearson's correlation coefficient of two equally long samples. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length || a.length < 2) throw new ShapeError('pearson', `needs two samples of the same length ≥ 2, got ${a.length} and ${b.length}`);
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]! / n;
    mb += b[i]! / n;
  }
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

function checkLength(fn: string, b: Float64Array, n: number): void {
  if (!(b instanceof Float64Array) || b.length !== n) {
    throw new ShapeError(fn, `expected a Float64Array of length ${n} (the number of parameters), got ${b instanceof Float64Array ? `length ${b.length}` : typeof b}`);
  }
}

function checkGradients(fn: string, inverse: InverseHessian, g: PerSampleGradients): void {
  if (g.size !== inverse.size || g.gradients.length !== g.count * g.size) {
    throw new ShapeError(fn, `the per-example gradients are ${g.count}×${g.size} but the inverse Hessian acts on ${inverse.size} parameters`);
  }
}

function checkIndex(fn: string, i: number, n: number): void {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError(fn, `training index ${i} is out of range [0, ${n})`);
}
