import { describe, expect, it } from 'vitest';
import {
  add,
  matmul,
  mean,
  mul,
  softplus,
  square,
  sub,
  sum,
  tensor,
  hessianOperator,
  perSampleGradients,
  operatorToMatrix,
  choleskySolve,
  type Tensor,
} from '../../src/index.js';
import { cgInverse, exactInverse, fisherInverse, inverseFromOperator } from '../../src/hessian/linear/index.js';
import {
  influence,
  leaveOutWeights,
  mostInfluential,
  newtonCg,
  newtonStepWithout,
  pearson,
  predictGroupRemoval,
  predictLeaveOneOut,
  retrainWithout,
  selfInfluence,
} from '../../src/hessian/applications/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';

// A small synthetic L2 logistic regression: N = 60, d = 4 (+ bias), λ = 0.05 on every parameter.
const rng = createRandom(11);
const N = 60;
const D = 4;
const X = tensor(rng.normals(N * D), [N, D]);
const y = tensor(
  Float64Array.from({ length: N }, (_, i) => (X.data[i * D]! - X.data[i * D + 1]! + 0.7 * rng.normal() > 0 ? 1 : 0)),
);
const lambda = 0.05;
type P = { w: Tensor; b: Tensor };
const losses = (p: P, x: Tensor = X, labels: Tensor = y) => {
  const z = add(matmul(x, p.w), p.b);
  return sub(softplus(z), mul(labels, z));
};
const objective = (p: P, weights?: Float64Array) =>
  add(
    weights === undefined ? mean(losses(p)) : sum(mul(tensor(weights), losses(p))),
    mul(lambda / 2, add(sum(square(p.w)), square(p.b))),
  );
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
    const expected = fisherInverse(
      { gradients: rows, count: 2 * N, size: d },
      { damping: lambda, rowWeights: weights },
    );
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
    const f = (values: number[]) => Float64Array.from(values);
    expect(pearson(f([1, 2, 3]), f([3, 5, 7]))).toBeCloseTo(1, 14);
    expect(pearson(f([1, 2, 3]), f([3, 2, 1]))).toBeCloseTo(-1, 14);
    expect(() => pearson(f([1, 2]), f([1]))).toThrow(ShapeError);
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

describe('inverse Hessians validate their arguments and claim only what they measured', () => {
  // A = [[2, 1], [0, 2]] is not symmetric; (A + Aᵀ)/2 = [[2, ½], [½, 2]] is a different matrix.
  const A = () => new Float64Array([2, 1, 0, 2]);
  const b = new Float64Array([1, 1]);

  it('exactInverse refuses a non-symmetric H instead of silently factoring (H + Hᵀ)/2', () => {
    expect(() => exactInverse(A())).toThrow(InvalidArgumentError);
    expect(() => exactInverse(A())).toThrow(
      /^exactInverse: H must be symmetric, but H\[0, 1\] = 1 and H\[1, 0\] = 0 .*symmetrize: true/,
    );
  });

  it('with symmetrize: true the residual is measured against H as given, and converged says it is not solved', () => {
    const inverse = exactInverse(A(), { symmetrize: true });
    const { x, residualNorms, converged, reason } = inverse.solve(b);
    // x solves the symmetrised system exactly: [[2, ½], [½, 2]]x = [1, 1] → x = [0.4, 0.4]
    expect(x[0]).toBeCloseTo(0.4, 15);
    expect(x[1]).toBeCloseTo(0.4, 15);
    // against A: b − Ax = [1 − 1.2, 1 − 0.8] = [−0.2, 0.2], ‖·‖/‖b‖ = 0.2 (a few roundings: 1e-14)
    expect(Math.abs(residualNorms[0]! - 0.2)).toBeLessThan(1e-14);
    expect(converged).toBe(false);
    expect(reason).toMatch(/symmetrize: true.*backward error/);
  });

  it("options are checked: damping '1' is no longer concatenated onto the diagonal, a misspelt key is named", () => {
    const S = () => new Float64Array([2, 1, 1, 2]);
    expect(() => exactInverse(S(), { damping: '1' as unknown as number })).toThrow(
      /^exactInverse: options\.damping must be .*'1' \(a string\); pass the number 1/,
    );
    expect(() => exactInverse(S(), { dampng: 1 } as unknown as { damping: number })).toThrow(
      /did you mean 'damping'\?/,
    );
    expect(() => cgInverse(S(), { tolerence: 1e-8 } as unknown as { tolerance: number })).toThrow(
      /^cgInverse: unknown option 'tolerence'; did you mean 'tolerance'\?/,
    );
    expect(() => cgInverse(S(), { nme: 'x' } as unknown as { name: string })).toThrow(
      /^cgInverse: unknown option 'nme'; did you mean 'name'\?/,
    );
    expect(() => cgInverse(S(), { name: 3 } as unknown as { name: string })).toThrow(
      /^cgInverse: options\.name must be a string, got 3/,
    );
    expect(() => (exactInverse as (...a: unknown[]) => unknown)(S(), {}, 1)).toThrow(
      /^exactInverse: takes at most 2 arguments/,
    );
    expect(() => fisherInverse(G, { damping: 0 })).toThrow(
      /^fisherInverse: options\.damping must be a finite number > 0/,
    );
  });

  it('matrix, toMatrix() and every solution are fresh copies; a dense H changed later does not reach the inverse', () => {
    const S = new Float64Array([2, 1, 1, 2]);
    const exact = exactInverse(S);
    const cg = cgInverse(S, { tolerance: 1e-14 });
    const first = exact.solve(b).x;
    const viaCg = cg.solve(b).x;
    exact.matrix.fill(NaN); // the internal matrix used to be handed out
    S.fill(7);
    first.fill(NaN);
    expect(Array.from(exact.matrix)).toEqual([2, 1, 1, 2]);
    expect(Array.from(exact.solve(b).x)).toEqual(Array.from(exactInverse(new Float64Array([2, 1, 1, 2])).solve(b).x));
    expect(Array.from(cg.solve(b).x)).toEqual(Array.from(viaCg));
    const fisher = fisherInverse(G, { damping: lambda });
    fisher.toMatrix().fill(NaN);
    expect(fisher.toMatrix().every(Number.isFinite)).toBe(true);
  });

  it('solver errors during a solve name the function the user called, with the solver at the end', () => {
    const indefinite = { size: 2, apply: (v: Float64Array) => new Float64Array([v[0]!, -v[1]!]) };
    expect(() => cgInverse(indefinite).solve(new Float64Array([1, 1]))).toThrow(
      /^cgInverse\(\)\.solve: .*\(reported by cgSolve\)$/,
    );
    expect(() =>
      influence(cgInverse(indefinite), new Float64Array([1, 1]), { gradients: new Float64Array(2), count: 1, size: 2 }),
    ).toThrow(/^influence: /);
  });

  it('inverseFromOperator measures nothing, so it claims no convergence', () => {
    const solve = inverseFromOperator({ size: 2, apply: (v: Float64Array) => v.map((x) => x / 2) }, 'half').solve(b);
    expect(Array.from(solve.x)).toEqual([0.5, 0.5]);
    expect(solve.converged).toBe(false);
    expect(solve.residualNorms).toEqual([]);
  });
});

describe('influence and leave-one-out validate every argument at entry', () => {
  const exact = exactInverse(H);
  const gTest = G.gradients.slice(0, d);

  it('index lists passed as a number are errors (they used to select nothing)', () => {
    expect(() => leaveOutWeights(4, 2 as unknown as number[])).toThrow(
      /^leaveOutWeights: removed must be an array of integer indices, got 2; for one index write \[2\]/,
    );
    expect(() => selfInfluence(exact, G, 3 as unknown as number[])).toThrow(/^selfInfluence: indices .*write \[3\]/);
    expect(() => predictLeaveOneOut(exact, G, 3 as unknown as number[])).toThrow(
      /^predictLeaveOneOut: indices .*write \[3\]/,
    );
    expect(() => predictGroupRemoval(exact, G, 3 as unknown as number[])).toThrow(
      /^predictGroupRemoval: group .*write \[3\]/,
    );
    expect(() => retrainWithout((p: P, w) => objective(p, w), theta, N, 3 as unknown as number[])).toThrow(
      /^retrainWithout: removed /,
    );
  });

  it('NaN or Infinity in gradients, indices, weights or influences is a NonFiniteError naming where', () => {
    expect(() =>
      influence(
        exact,
        gTest.map((v, j) => (j === 2 ? NaN : v)),
        G,
      ),
    ).toThrow(/^influence: testGradient\[2\] is NaN/);
    const bad = { gradients: G.gradients.map((v, k) => (k === 7 ? Infinity : v)), count: G.count, size: G.size };
    expect(() => influence(exact, gTest, bad)).toThrow(/^influence: trainGradients\.gradients\[7\] is Infinity/);
    expect(() => leaveOutWeights(4, [NaN])).toThrow(NonFiniteError);
    expect(() => mostInfluential(new Float64Array([1, NaN]), 1)).toThrow(NonFiniteError);
    expect(() => fisherInverse(G, { damping: 1, rowWeights: new Float64Array(N).fill(NaN) })).toThrow(NonFiniteError);
  });

  it('counts and vectors of the wrong kind are errors with a hint', () => {
    expect(() => mostInfluential(new Float64Array(3), 2.5)).toThrow(
      /^mostInfluential: k must be an integer ≥ 0, got 2\.5/,
    );
    expect(() => influence(exact, Array.from(gTest) as unknown as Float64Array, G)).toThrow(
      /wrap it: new Float64Array\(testGradient\)/,
    );
    expect(() => influence(exact, gTest, G.gradients as unknown as typeof G)).toThrow(
      /^influence: trainGradients must be per-example gradients/,
    );
    expect(() => predictLeaveOneOut(exact, G, [0, N])).toThrow(
      /^predictLeaveOneOut: indices\[1\] is 60; it must be an integer in \[0, 59\]/,
    );
    expect(() => predictGroupRemoval(exact, G, [4, 4])).toThrow(/lists index 4 twice/);
  });

  it('defined edge cases: empty lists, k = 0 and k > n, removing nothing', () => {
    expect(selfInfluence(exact, G, [])).toEqual(new Float64Array(0));
    expect(predictLeaveOneOut(exact, G, []).deltas).toEqual(new Float64Array(0));
    expect(Array.from(predictGroupRemoval(exact, G, []).delta)).toEqual(new Array(d).fill(0));
    expect(Array.from(leaveOutWeights(4, []))).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(mostInfluential(new Float64Array([3, 1, 2]), 0)).toEqual({ helpful: [], harmful: [] });
    const all = mostInfluential(new Float64Array([3, 1, 2]), 10);
    expect(all.helpful.map((h) => h.index)).toEqual([1, 2, 0]);
    expect(all.harmful.map((h) => h.index)).toEqual([0, 2, 1]);
    expect(() => pearson(new Float64Array([1, 1, 1]), new Float64Array([1, 2, 3]))).toThrow(/a is constant/);
  });

  it('sTest is its own copy, not the solve result’s x', () => {
    const result = influence(exact, gTest, G);
    expect(result.sTest).not.toBe(result.solve.x);
    expect(Array.from(result.sTest)).toEqual(Array.from(result.solve.x));
  });

  it('options reach the Newton solver under the caller’s name', () => {
    expect(() =>
      retrainWithout((p: P, w) => objective(p, w), theta, N, [1], { tolerence: 1e-9 } as unknown as {
        tolerance: number;
      }),
    ).toThrow(/^retrainWithout: unknown option 'tolerence'; did you mean 'tolerance'\?/);
    expect(() =>
      newtonStepWithout((p: P, w) => objective(p, w), theta, N, [1], { tolerence: 1e-9 } as unknown as {
        tolerance: number;
      }),
    ).toThrow(/^newtonStepWithout: unknown option 'tolerence'.*\(reported by cgSolve\)/);
  });
});
