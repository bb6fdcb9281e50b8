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
 * `InverseHessian` (exactInverse, cgInverse, neumannInverse, lissaInverse, fisherInverse: see
 * `linear/inverse-hessian.ts`).
 *
 * Also here: self-influence ∇ℓᵢᵀH⁻¹∇ℓᵢ (how much a point pulls on its own loss — large for
 * outliers and mislabelled points), the most helpful / harmful training points, and Pearson's
 * correlation, to compare predicted with actual changes. Leaves out the model: callers hand in
 * per-example gradients (`perSampleGradients`).
 */
import { InvalidArgumentError, ShapeError } from '../../errors.js';
import { dot, gemv } from '../../linalg/index.js';
import { checkArity, checkCount, checkIndexList, checkVector } from '../../validate.js';
import type { InverseHessian, SolveResult } from '../linear/index.js';
import { readGradients, readInverse, solveWith } from '../linear/arguments.js';

/** The result of `influence`. */
export interface InfluenceResult {
  /** I(zᵢ, z_test) = −∇ℓ_testᵀH⁻¹∇ℓᵢ for every training point i. */
  influences: Float64Array;
  /** Predicted change of the test loss when point i is left out: −I(zᵢ, z_test)/n. */
  predictedLossChange: Float64Array;
  /** s_test = H⁻¹∇ℓ_test (its own copy) and the solve that produced it. */
  sTest: Float64Array;
  solve: SolveResult;
}

/**
 * Influence of every training point on one test loss, from ONE inverse-Hessian solve:
 * s_test = H⁻¹∇ℓ_test, I(zᵢ, z_test) = −s_testᵀ∇ℓᵢ. `trainGradients` is the n×d matrix of
 * per-example training-loss gradients (row i = ∇ℓᵢ at θ̂, e.g. from `perSampleGradients`); every
 * input must be finite. With no training rows the results are empty.
 *
 * @example
 * const G = perSampleGradients((p) => losses(p, train), params);
 * const gTest = perSampleGradients((p) => losses(p, testPoint), params).gradients; // 1×d
 * const { influences, predictedLossChange } = influence(exactInverse(H), gTest, G);
 */
export function influence(
  inverse: InverseHessian,
  testGradient: Float64Array,
  trainGradients: { readonly gradients: Float64Array; readonly count: number; readonly size: number },
): InfluenceResult {
  const fn = 'influence';
  checkArity(fn, arguments.length, 3);
  const inv = readInverse(fn, 'inverse', inverse);
  checkVector(fn, 'testGradient', testGradient, { length: inv.size });
  const G = readGradients(fn, 'trainGradients', trainGradients, inv.size);
  const solve = solveWith(fn, inv, testGradient, 'testGradient');
  const sTest = solve.x.slice();
  const n = G.count;
  // I = −G·s_test (n dot products in one gemv)
  const influences = gemv(G.gradients, n, G.size, sTest).map((v) => -v);
  const predictedLossChange = influences.map((v) => -v / n);
  return { influences, predictedLossChange, sTest, solve };
}

/**
 * Self-influence ∇ℓᵢᵀH⁻¹∇ℓᵢ of each listed training point (default all; an empty list gives an
 * empty result; repeats are allowed): one solve per point. Large values flag outliers and
 * mislabelled points — a point the model bends towards.
 *
 * @example
 * const scores = selfInfluence(exactInverse(H), G); // sort descending to inspect suspects first
 */
export function selfInfluence(
  inverse: InverseHessian,
  trainGradients: { readonly gradients: Float64Array; readonly count: number; readonly size: number },
  indices?: ArrayLike<number>,
): Float64Array {
  const fn = 'selfInfluence';
  checkArity(fn, arguments.length, 3);
  const inv = readInverse(fn, 'inverse', inverse);
  const G = readGradients(fn, 'trainGradients', trainGradients, inv.size);
  const d = G.size;
  const which =
    indices === undefined
      ? Int32Array.from({ length: G.count }, (_, i) => i)
      : checkIndexList(fn, 'indices', indices, { size: G.count });
  const out = new Float64Array(which.length);
  for (let k = 0; k < which.length; k++) {
    const i = which[k]!;
    const g = G.gradients.slice(i * d, (i + 1) * d);
    out[k] = dot(g, solveWith(fn, inv, g, `row ${i}`).x);
  }
  return out;
}

/**
 * The k most helpful (most negative influence: up-weighting them lowers the test loss) and most
 * harmful (most positive) training points, as indices with their influences. Each list holds
 * min(k, n) points; k = 0 gives two empty lists. Influences must be finite.
 *
 * @example
 * const { helpful, harmful } = mostInfluential(influence(inv, gTest, G).influences, 5);
 */
export function mostInfluential(
  influences: Float64Array,
  k: number,
): { helpful: { index: number; influence: number }[]; harmful: { index: number; influence: number }[] } {
  const fn = 'mostInfluential';
  checkArity(fn, arguments.length, 2);
  const values = checkVector(fn, 'influences', influences);
  const count = Math.min(checkCount(fn, 'k', k), values.length);
  const order = Array.from(values.keys()).sort((a, b) => values[a]! - values[b]!);
  const pick = (i: number) => ({ index: i, influence: values[i]! });
  return {
    helpful: order.slice(0, count).map(pick),
    harmful: count === 0 ? [] : order.slice(-count).reverse().map(pick),
  };
}

/**
 * Pearson's correlation coefficient of two finite samples of the same length ≥ 2. A sample with
 * zero variance has no correlation: that is an error, not NaN.
 * @example pearson(new Float64Array([1, 2, 3]), new Float64Array([2, 4, 7])); // ≈ 0.99
 */
export function pearson(a: Float64Array, b: Float64Array): number {
  const fn = 'pearson';
  checkArity(fn, arguments.length, 2);
  checkVector(fn, 'a', a);
  checkVector(fn, 'b', b);
  if (a.length !== b.length || a.length < 2)
    throw new ShapeError(fn, `needs two samples of the same length ≥ 2, got lengths ${a.length} and ${b.length}`);
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
  if (saa === 0 || sbb === 0)
    throw new InvalidArgumentError(
      fn,
      `${saa === 0 ? 'a' : 'b'} is constant (zero variance), so the correlation is undefined`,
    );
  return sab / Math.sqrt(saa * sbb);
}
