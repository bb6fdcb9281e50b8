import { describe, expect, it } from 'vitest';
import { add, matmul, mean, mul, softplus, square, sub, sum, tensor, hessianOperator, perSampleGradients, operatorToMatrix, choleskySolve, type Tensor } from '../../src/index.js';
import {
  cgInverse,
  exactInverse,
  fisherInverse,
  influence,
  leaveOutWeights,
  mostInfluential,
  newtonCg,
  pearson,
  predictGroupRemoval,
  predictLeaveOneOut,
  retrainWithout,
  selfInfluence,
} from '../../src/hessian/applications/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { ShapeError } from '../../src/errors.js';

// A small synthetic L2 logistic regression: N = 60, d = 4 (+ bias), λ = 0.05 on every parameter.
const rng = createRandom(11);
const N = 60;
const D = 4;
const X = tensor(rng.normals(N * D), [N, D]);
const y = tensor(Float64Array.from({ length: N }, (_, i) => (X.data[i * D]! - X.data[i * D + 1]! + 0.7 * rng.normal() > 0 ? 1 : 0)));
const lambda = 0.05;
type P = { w: Tensor; b: Tensor };
const losses = (p: P, x: Tensor = X, labels: Tensor = y) => {
  const z = add(matmul(x, p.w), p.b);
  return sub(softplus(z), mul(labels, z));
};
const objective = (p: P, weights?: Float64Array) =>
  add(weights === undefined ? mean(losses(p)) : sum(mul(tensor(weights), losses(p))), mul(lambda / 2, add(sum(square(p.w)), square(p.b))));
const fit = newtonCg((p: P) => objective(p), { w: tensor(new Float64Array(D)), b: tensor(0) }, { tolerance: 1e-12 });
const theta = fit.params as P;
const H = hessianOperator((p: P) => objective(p), theta);
const G = perSampleGradients((p: P) => losses(p), theta);
const d = D + 1;

describe('influence functions', () => {
  it('I(zᵢ, z_test) = −∇ℓ_testᵀ H⁻¹ ∇ℓᵢ, checked against a dense solve per training point', () => {
    const gTest = G.gradients.slice(0, d); // use training point 0 as the "test" point
    const { influences, predictedLossChange, solve } = influence(exactInverse(H), gTest, G);
    expect(solve.residualNorms[0]).toBeLessThan(1e-12);
    for (const i of [0, 7, 31]) {
      const hinvG = choleskySolve(H, G.gradients.slice(i * d, (i + 1) * d)).x;
      let expected = 0;
      for (let j = 0; j < d; j++) expected -= gTest[j]! * hinvG[j]!;
      expect(influences[i]).toBeCloseTo(expected, 10);
      expect(predictedLossChange[i]).toBeCloseTo(-expected / N, 12);
    }
  });

  it('CG and the exact inverse agree; the expected Fisher equals H for logistic regression', () => {
    const gTest = G.gradients.slice(5 * d, 6 * d);
    const exact = influence(exactInverse(H), gTest, G).influences;
    const cg = influence(cgInverse(H, { tolerance: 1e-12 }), gTest, G).influences;
    for (let i = 0; i < N; i++) expect(cg[i]).toBeCloseTo(exact[i]!, 8);
    // Σ_y p(y|x) g_y g_yᵀ = σ(1 − σ) x̃x̃ᵀ: rows for y = 1 and y = 0, weighted p(y)/N.
    const G1 = perSampleGradients((p: P) => losses(p, X, tensor(new Float64Array(N).fill(1))), theta);
    const G0 = perSampleGradients((p: P) => losses(p, X, tensor(new Float64Array(N))), theta);
    const rows = new Float64Array(2 * N * d);
    rows.set(G1.gradients);
    rows.set(G0.gradients, N * d);
    const z = add(matmul(X, theta.w), theta.b).data;
    const weights = new Float64Array(2 * N);
    for (let i = 0; i < N; i++) {
      const s = 1 / (1 + Math.exp(-z[i]!));
      weights[i] = s / N;
      weights[N + i] = (1 - s) / N;
    }
    const expected = fisherInverse({ gradients: rows, count: 2 * N, size: d }, { damping: lambda, rowWeights: weights });
    const viaFisher = influence(expected, gTest, G).influences;
    for (let i = 0; i < N; i++) expect(viaFisher[i]).toBeCloseTo(exact[i]!, 8);
    // and the empirical Fisher is a different matrix (not asserted equal, only finite)
    const empirical = influence(fisherInverse(G, { damping: lambda }), gTest, G).influences;
    expect(empirical.every(Number.isFinite)).toBe(true);
  });

  it('self-influence is ∇ℓᵢᵀH⁻¹∇ℓᵢ ≥ 0 and mostInfluential sorts both ends', () => {
    const scores = selfInfluence(exactInverse(H), G, [0, 1, 2]);
    expect(scores.every((s) => s >= 0)).toBe(true);
    const values = Float64Array.from([0.5, -2, 3, 0, -1]);
    const { helpful, harmful } = mostInfluential(values, 2);
    expect(helpful.map((h) => h.index)).toEqual([1, 4]);
    expect(harmful.map((h) => h.index)).toEqual([2, 0]);
    expect(mostInfluential(values, 0).harmful).toEqual([]);
  });

  it('pearson is 1 for an affine relation and rejects mismatched samples', () => {
    expect(pearson([1, 2, 3], [3, 5, 7])).toBeCloseTo(1, 14);
    expect(pearson([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1, 14);
    expect(() => pearson([1, 2], [1])).toThrow(ShapeError);
  });
});

describe('leave-one-out', () => {
  it('leaveOutWeights zeroes the removed points', () => {
    expect(Array.from(leaveOutWeights(4, [2]))).toEqual([0.25, 0.25, 0, 0.25]);
  });

  it('predicts retrained parameters to second order: error ≪ change, and shrinking with the change', () => {
    const exact = exactInverse(H);
    const indices = [0, 10, 20, 30, 40, 50];
    const { deltas } = predictLeaveOneOut(exact, G, indices);
    indices.forEach((i, k) => {
      const retrained = retrainWithout((p: P, w) => objective(p, w), theta, N, [i], { tolerance: 1e-12 });
      let error = 0;
      let change = 0;
      for (let j = 0; j < d; j++) {
        const actual = retrained.vector[j]! - fit.vector[j]!;
        error += (deltas[k * d + j]! - actual) ** 2;
        change += actual ** 2;
      }
      // First-order prediction of a change of size O(1/n): the remainder is O(‖Δθ‖²).
      expect(Math.sqrt(error)).toBeLessThan(0.2 * Math.sqrt(change) + 1e-12);
    });
  });

  it('group removal: the first-order prediction matches the sum of single predictions (it is linear)', () => {
    const exact = exactInverse(H);
    const group = [3, 9, 27];
    const { delta } = predictGroupRemoval(exact, G, group);
    const { deltas } = predictLeaveOneOut(exact, G, group);
    for (let j = 0; j < d; j++) expect(delta[j]).toBeCloseTo(deltas[j]! + deltas[d + j]! + deltas[2 * d + j]!, 12);
  });

  it('the dense matrix behind exactInverse is H', () => {
    const dense = operatorToMatrix(H);
    const { matrix } = exactInverse(H);
    for (let k = 0; k < d * d; k++) expect(matrix[k]).toBeCloseTo(dense[k]!, 12);
  });
});
