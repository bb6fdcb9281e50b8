/**
 * hvp in its five modes against closed forms and independent references (never the engine
 * against itself only).
 *
 * Tolerances.
 * - AD modes: 1e-12 relative (‖Hv − ref‖₂/‖ref‖₂). Each entry of Hv is a few dozen flops (plus a
 *   sum over N ≤ 40 examples), so the forward error is ≲ k·ε·c with k ≈ 50 flops, ε = 2.2e-16 and
 *   c the ratio Σ|terms|/|result| (≲ 10 on these well-scaled random problems): ≈ 1e-13. 1e-12
 *   leaves a factor 10, and a wrong rule (a missing term, a transposed A) is off by O(1).
 * - Difference modes: with the documented step r = √ε(1+‖x‖)/‖v‖ (one-sided) or ∛ε(1+‖x‖)/‖v‖
 *   (central), Taylor's theorem with the mean-value form of the remainder gives, entry by entry,
 *     one-sided:  |Hv_fd − Hv| ≤ (r/2)·sup|∇³f[v,v]| + 2δ/r
 *     central:    |Hv_cd − Hv| ≤ (r²/6)·sup|∇⁴f[v,v,v]| + δ/r
 *   where δ bounds the absolute rounding error of one gradient evaluation. For the logistic loss
 *   the suprema have closed forms (|softplus‴| ≤ 1/(6√3), |softplus⁗| ≤ 1/8) and δ is the
 *   first-order worst-case bound ε·(N + d + 4)·S_j with S_j the sum of the absolute values that
 *   enter gradient entry j (a dot product of length d, a sum of N terms and ~4 elementwise ops).
 *   This bound is rigorous to first order, so it is applied with no extra slack.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  HVP_MODES,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  Tensor,
  add,
  defaultStep,
  dot,
  hvp,
  matmul,
  mean,
  mul,
  grad,
  ravel,
  reshape,
  slice,
  softplus,
  sqrt,
  hessianOperator,
  square,
  sub,
  sum,
  tanh,
  tensor,
  treeDot,
  type HvpMode,
} from '../../src/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { AD_MODES, EPS, diffNorm, norm, relErr } from '../support/numeric.js';
import { l2Logistic } from '../../scripts/models.js';

/** y = M·x for a row-major n×m matrix, by hand. */
function matVec(M: Float64Array, n: number, m: number, x: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += M[i * m + k]! * x[k]!;
    y[i] = s;
  }
  return y;
}

// ---------------------------------------------------------------------------------------------
// L2-regularised logistic regression, with every derivative written out by hand.
//   f(w) = (1/N) Σᵢ [softplus(zᵢ) − yᵢ zᵢ] + (λ/2)‖w‖²,  z = Xw
//   ∇f = Xᵀ(σ − y)/N + λw,  H = Xᵀ diag(σ(1−σ)) X / N + λI
//   ∇³f[v,v] = Xᵀ(s₃ ⊙ (Xv)²)/N,  ∇⁴f[v,v,v] = Xᵀ(s₄ ⊙ (Xv)³)/N
// with softplus' = σ, s₂ = σ(1−σ), s₃ = s₂(1−2σ), s₄ = s₂(1 − 6σ + 6σ²).
// ---------------------------------------------------------------------------------------------
interface Logistic {
  N: number;
  d: number;
  lambda: number;
  X: Float64Array;
  y: Float64Array;
  f: (w: Tensor) => Tensor;
}

function logisticProblem(seed: number, N = 40, d = 5, lambda = 1e-2): Logistic {
  const rng = createRandom(seed);
  const X = rng.normals(N * d);
  const y = new Float64Array(N).map(() => (rng.uniform() < 0.5 ? 1 : 0));
  return { N, d, lambda, X, y, f: l2Logistic(tensor(X, [N, d]), tensor(y), lambda) };
}

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

/** Xᵀ(c ⊙ (Xv)^p)/N (+ λ·v when p = 1 and withRidge). */
function logisticTensor(
  P: Logistic,
  w: ArrayLike<number>,
  v: ArrayLike<number>,
  coef: (s: number) => number,
  p: number,
): Float64Array {
  const z = matVec(P.X, P.N, P.d, w);
  const Xv = matVec(P.X, P.N, P.d, v);
  const out = new Float64Array(P.d);
  for (let i = 0; i < P.N; i++) {
    const c = (coef(sigma(z[i]!)) * Xv[i]! ** p) / P.N;
    for (let j = 0; j < P.d; j++) out[j]! += c * P.X[i * P.d + j]!;
  }
  return out;
}

function logisticHv(P: Logistic, w: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  const out = logisticTensor(P, w, v, (s) => s * (1 - s), 1);
  for (let j = 0; j < P.d; j++) out[j]! += P.lambda * v[j]!;
  return out;
}

/** Entrywise sup over any z of |∇³f[v,v]| (|s₃| ≤ 1/(6√3)) and of |∇⁴f[v,v,v]| (|s₄| ≤ 1/8). */
function logisticRemainderBounds(P: Logistic, v: ArrayLike<number>): { third: Float64Array; fourth: Float64Array } {
  const Xv = matVec(P.X, P.N, P.d, v);
  const third = new Float64Array(P.d);
  const fourth = new Float64Array(P.d);
  for (let i = 0; i < P.N; i++) {
    for (let j = 0; j < P.d; j++) {
      const x = Math.abs(P.X[i * P.d + j]!);
      third[j]! += ((1 / (6 * Math.sqrt(3))) * Xv[i]! ** 2 * x) / P.N;
      fourth[j]! += ((1 / 8) * Math.abs(Xv[i]!) ** 3 * x) / P.N;
    }
  }
  return { third, fourth };
}

/** δ_j: first-order worst-case rounding error of ∇f_j (see the module comment), at any point near w. */
function logisticGradientRounding(P: Logistic, w: ArrayLike<number>): Float64Array {
  const delta = new Float64Array(P.d);
  for (let i = 0; i < P.N; i++) {
    let zAbs = 0;
    for (let k = 0; k < P.d; k++) zAbs += Math.abs(P.X[i * P.d + k]! * w[k]!);
    // σ(z) − y is at most 1 in size; its error is ≈ ε·(|z|·σ' + few) ≤ ε·(1 + |z|).
    for (let j = 0; j < P.d; j++) delta[j]! += (Math.abs(P.X[i * P.d + j]!) * (1 + zAbs)) / P.N;
  }
  for (let j = 0; j < P.d; j++) delta[j] = EPS * (P.N + P.d + 4) * (delta[j]! + P.lambda * Math.abs(w[j]!));
  return delta;
}

// ---------------------------------------------------------------------------------------------
// Quadratic ½xᵀAx with A NOT symmetric: H = ½(A + Aᵀ), exactly, everywhere.
// ---------------------------------------------------------------------------------------------
describe('hvp on the quadratic ½xᵀAx (A not symmetric)', () => {
  it('every AD mode gives ½(A + Aᵀ)v to 1e-12 relative, on random inputs', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 1, max: 12 }), (seed, n) => {
        const rng = createRandom(seed);
        const A = rng.normals(n * n);
        const x = rng.normals(n);
        const v = rng.normals(n);
        const At = tensor(A, [n, n]);
        const f = (z: Tensor) => mul(0.5, dot(z, matmul(At, z)));
        const expected = new Float64Array(n);
        for (let i = 0; i < n; i++)
          for (let k = 0; k < n; k++) expected[i]! += 0.5 * (A[i * n + k]! + A[k * n + i]!) * v[k]!;
        for (const mode of AD_MODES) {
          const hv = hvp(f, tensor(x), tensor(v), { mode });
          expect(hv.shape).toEqual([n]);
          expect(relErr(hv.data, expected)).toBeLessThanOrEqual(1e-12);
        }
      }),
      { numRuns: 15 },
    );
  });

  it('a symmetric-only reading of A would fail: the test distinguishes A from ½(A + Aᵀ)', () => {
    // Guard that the test above can fail: Av differs from ½(A + Aᵀ)v by O(1) here.
    const A = new Float64Array([2, 1, 0, 3]);
    const At = tensor(A, [2, 2]);
    const f = (z: Tensor) => mul(0.5, dot(z, matmul(At, z)));
    const hv = hvp(f, tensor([1, 1]), tensor([1, 0]));
    expect(Array.from(hv.data)).toEqual([2, 0.5]); // ½(A + Aᵀ)e₁ = [2, ½], while Ae₁ = [2, 0]
  });

  it('the difference modes: no truncation error (∇³f = 0), so only the rounding term δ/r remains', () => {
    const n = 8;
    const rng = createRandom(11);
    const A = rng.normals(n * n);
    const x = rng.normals(n);
    const v = rng.normals(n);
    const At = tensor(A, [n, n]);
    const f = (z: Tensor) => mul(0.5, dot(z, matmul(At, z)));
    const expected = new Float64Array(n);
    for (let i = 0; i < n; i++)
      for (let k = 0; k < n; k++) expected[i]! += 0.5 * (A[i * n + k]! + A[k * n + i]!) * v[k]!;
    // ∇f_j = ½Σ_k (A_jk + A_kj) x_k: δ_j = ε·(n + 4)·Σ_k |A_jk + A_kj|/2·(|x_k| + r|v_k|), taken with
    // |x_k| + |v_k| since r·‖v‖ ≪ 1 + ‖x‖.
    const delta = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++)
        delta[j]! += 0.5 * Math.abs(A[j * n + k]! + A[k * n + j]!) * (Math.abs(x[k]!) + Math.abs(v[k]!));
      delta[j]! *= EPS * (n + 4);
    }
    for (const mode of ['finite-difference', 'central-difference'] as const) {
      const r = defaultStep(mode, tensor(x), tensor(v));
      const hv = hvp(f, tensor(x), tensor(v), { mode });
      const factor = mode === 'finite-difference' ? 2 : 1;
      for (let j = 0; j < n; j++)
        expect(Math.abs(hv.data[j]! - expected[j]!)).toBeLessThanOrEqual((factor * delta[j]!) / r);
    }
  });
});

describe('hvp on L2-regularised logistic regression: H = Xᵀdiag(σ(1−σ))X/N + λI', () => {
  it('every AD mode matches the closed form to 1e-12 relative, on random data, weights and directions', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        const P = logisticProblem(seed);
        const rng = createRandom(seed + 1);
        const w = rng.normals(P.d).map((t) => 0.7 * t);
        const v = rng.normals(P.d);
        const expected = logisticHv(P, w, v);
        const results = AD_MODES.map((mode) => hvp(P.f, tensor(w), tensor(v), { mode }).data);
        for (const hv of results) expect(relErr(hv, expected)).toBeLessThanOrEqual(1e-12);
        // and with each other (they compose different transforms, so this is not a tautology)
        expect(relErr(results[1]!, results[0]!)).toBeLessThanOrEqual(1e-12);
        expect(relErr(results[2]!, results[0]!)).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 10 },
    );
  });

  it("'finite-difference' is within (r/2)·sup|∇³f[v,v]| + 2δ/r entrywise, with the documented step", () => {
    for (const seed of [1, 2, 3, 4]) {
      const P = logisticProblem(seed);
      const rng = createRandom(100 + seed);
      const w = rng.normals(P.d).map((t) => 0.7 * t);
      const v = rng.normals(P.d);
      const r = (Math.sqrt(EPS) * (1 + norm(w))) / norm(v);
      expect(defaultStep('finite-difference', tensor(w), tensor(v))).toBe(r);
      const hv = hvp(P.f, tensor(w), tensor(v), { mode: 'finite-difference' });
      // The documented default step is what is used: identical to passing it explicitly.
      expect(Array.from(hv.data)).toEqual(
        Array.from(hvp(P.f, tensor(w), tensor(v), { mode: 'finite-difference', step: r }).data),
      );
      const expected = logisticHv(P, w, v);
      const { third } = logisticRemainderBounds(P, v);
      const delta = logisticGradientRounding(
        P,
        w.map((t, j) => Math.abs(t) + r * Math.abs(v[j]!)),
      );
      for (let j = 0; j < P.d; j++) {
        expect(Math.abs(hv.data[j]! - expected[j]!)).toBeLessThanOrEqual((r / 2) * third[j]! + (2 * delta[j]!) / r);
      }
      // The bound is small: roughly √ε relative, as the step was chosen for.
      expect(relErr(hv.data, expected)).toBeLessThan(1e-5);
    }
  });

  it("'central-difference' is within (r²/6)·sup|∇⁴f[v,v,v]| + δ/r entrywise, with the documented step", () => {
    for (const seed of [5, 6, 7, 8]) {
      const P = logisticProblem(seed);
      const rng = createRandom(100 + seed);
      const w = rng.normals(P.d).map((t) => 0.7 * t);
      const v = rng.normals(P.d);
      const r = (Math.cbrt(EPS) * (1 + norm(w))) / norm(v);
      expect(defaultStep('central-difference', tensor(w), tensor(v))).toBe(r);
      const hv = hvp(P.f, tensor(w), tensor(v), { mode: 'central-difference' });
      expect(Array.from(hv.data)).toEqual(
        Array.from(hvp(P.f, tensor(w), tensor(v), { mode: 'central-difference', step: r }).data),
      );
      const expected = logisticHv(P, w, v);
      const { fourth } = logisticRemainderBounds(P, v);
      const delta = logisticGradientRounding(
        P,
        w.map((t, j) => Math.abs(t) + r * Math.abs(v[j]!)),
      );
      for (let j = 0; j < P.d; j++) {
        expect(Math.abs(hv.data[j]! - expected[j]!)).toBeLessThanOrEqual(((r * r) / 6) * fourth[j]! + delta[j]! / r);
      }
      expect(relErr(hv.data, expected)).toBeLessThan(1e-8);
    }
  });

  it('a user-given step is used: the error is the predicted leading Taylor term', () => {
    // With a large step the truncation term dominates and is known in closed form:
    //   one-sided: Hv_fd − Hv = (r/2)∇³f[v,v] + O(r²);  central: Hv_cd − Hv = (r²/6)∇⁴f[v,v,v] + O(r⁴).
    // The relative error of that prediction is O(r) (resp. O(r²)) times ratios of derivatives of
    // order 1 here, i.e. ≈ 1e-3 (resp. 1e-4) for r = 1e-3 (resp. 1e-2): checked with 5e-2 slack.
    const P = logisticProblem(21);
    const rng = createRandom(22);
    const w = rng.normals(P.d).map((t) => 0.5 * t);
    const v = rng.normals(P.d).map((t) => t / 3);
    const exact = logisticHv(P, w, v);
    const third = logisticTensor(P, w, v, (s) => s * (1 - s) * (1 - 2 * s), 2);
    const fourth = logisticTensor(P, w, v, (s) => s * (1 - s) * (1 - 6 * s + 6 * s * s), 3);

    const r1 = 1e-3;
    const fd = hvp(P.f, tensor(w), tensor(v), { mode: 'finite-difference', step: r1 }).data;
    const fdError = fd.map((t, j) => t - exact[j]!);
    expect(
      relErr(
        fdError,
        third.map((t) => (r1 / 2) * t),
      ),
    ).toBeLessThan(5e-2);

    const r2 = 1e-2;
    const cd = hvp(P.f, tensor(w), tensor(v), { mode: 'central-difference', step: r2 }).data;
    const cdError = cd.map((t, j) => t - exact[j]!);
    expect(
      relErr(
        cdError,
        fourth.map((t) => ((r2 * r2) / 6) * t),
      ),
    ).toBeLessThan(5e-2);
  });
});

// ---------------------------------------------------------------------------------------------
// A small tanh MLP against a dense Hessian from central differences of a HAND-WRITTEN gradient.
//   f(θ) = (1/2N) Σᵢ (w₂ᵀ tanh(W₁ᵀxᵢ + b₁) + b₂ − yᵢ)²,  W₁: [3,4], b₁: [4], w₂: [4], b₂: []
// ---------------------------------------------------------------------------------------------
const IN = 3;
const HID = 4;
const P_SIZE = IN * HID + HID + HID + 1; // 21

function mlpData(seed: number): { X: Float64Array; y: Float64Array; N: number } {
  const rng = createRandom(seed);
  const N = 6;
  return { X: rng.normals(N * IN), y: rng.normals(N), N };
}

function mlpEngine(X: Float64Array, y: Float64Array, N: number): (theta: Tensor) => Tensor {
  const Xt = tensor(X, [N, IN]);
  const yt = tensor(y);
  return (theta: Tensor) => {
    const W1 = reshapeSlice(theta, 0, [IN, HID]);
    const b1 = reshapeSlice(theta, IN * HID, [HID]);
    const w2 = reshapeSlice(theta, IN * HID + HID, [HID]);
    const b2 = reshapeSlice(theta, IN * HID + 2 * HID, []);
    const h = tanh(add(matmul(Xt, W1), b1));
    const out = add(matmul(h, w2), b2);
    return mul(0.5, mean(square(sub(out, yt))));
  };
}

function reshapeSlice(theta: Tensor, start: number, shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return reshape(slice(theta, [start], [size]), shape);
}

/** The gradient of the MLP loss, by hand (backpropagation written out). */
function mlpGradient(theta: Float64Array, X: Float64Array, y: Float64Array, N: number): Float64Array {
  const g = new Float64Array(P_SIZE);
  const b1o = IN * HID;
  const w2o = b1o + HID;
  const b2o = w2o + HID;
  for (let i = 0; i < N; i++) {
    const h = new Float64Array(HID);
    let out = theta[b2o]!;
    for (let j = 0; j < HID; j++) {
      let a = theta[b1o + j]!;
      for (let k = 0; k < IN; k++) a += X[i * IN + k]! * theta[k * HID + j]!;
      h[j] = Math.tanh(a);
      out += theta[w2o + j]! * h[j]!;
    }
    const dOut = (out - y[i]!) / N;
    g[b2o]! += dOut;
    for (let j = 0; j < HID; j++) {
      g[w2o + j]! += dOut * h[j]!;
      const da = dOut * theta[w2o + j]! * (1 - h[j]! * h[j]!);
      g[b1o + j]! += da;
      for (let k = 0; k < IN; k++) g[k * HID + j]! += da * X[i * IN + k]!;
    }
  }
  return g;
}

/** Dense Hessian by central differences of the hand-written gradient, step h per column. */
function mlpHessianFD(theta: Float64Array, X: Float64Array, y: Float64Array, N: number, h: number): Float64Array {
  const H = new Float64Array(P_SIZE * P_SIZE);
  for (let j = 0; j < P_SIZE; j++) {
    const plus = theta.slice();
    const minus = theta.slice();
    plus[j]! += h;
    minus[j]! -= h;
    const gp = mlpGradient(plus, X, y, N);
    const gm = mlpGradient(minus, X, y, N);
    for (let i = 0; i < P_SIZE; i++) H[i * P_SIZE + j] = (gp[i]! - gm[i]!) / (2 * h);
  }
  return H;
}

describe('hvp on a small tanh MLP against an independent dense Hessian', () => {
  it('the engine gradient matches the hand-written one (so the reference is of the same function)', () => {
    const { X, y, N } = mlpData(3);
    const theta = createRandom(4)
      .normals(P_SIZE)
      .map((t) => 0.6 * t);
    const g = grad(mlpEngine(X, y, N))(tensor(theta));
    expect(relErr(g.data, mlpGradient(theta, X, y, N))).toBeLessThan(1e-13);
  });

  it('every mode matches H·v from central differences of the hand gradient; AD modes agree to 1e-12', () => {
    // Reference error: with h = 1e-5 the central difference errs by (h²/6)·|∇⁴f| + ε·S/h; the
    // fourth derivatives here are O(1) (tanh's are ≤ 4, weights O(1), inputs N(0,1)) and S (the
    // magnitude of the gradient's terms) is O(1), so ≈ 2e-11 + 2e-11 per entry. Against
    // ‖Hv‖ = O(1) the reference is good to ~1e-9 relative: 1e-8 is the tolerance for the AD modes,
    // and the difference modes add their own error (≲ 1e-6 one-sided, 1e-9 central), so 1e-5.
    const { X, y, N } = mlpData(5);
    const rng = createRandom(6);
    const theta = rng.normals(P_SIZE).map((t) => 0.6 * t);
    const H = mlpHessianFD(theta, X, y, N, 1e-5);
    const f = mlpEngine(X, y, N);
    for (let trial = 0; trial < 4; trial++) {
      const v = rng.normals(P_SIZE);
      const expected = matVec(H, P_SIZE, P_SIZE, v);
      const results = new Map<HvpMode, Float64Array>();
      for (const mode of HVP_MODES) {
        const hv = hvp(f, tensor(theta), tensor(v), { mode }).data;
        results.set(mode, hv);
        expect(relErr(hv, expected)).toBeLessThan(mode.endsWith('difference') ? 1e-5 : 1e-8);
      }
      const ref = results.get('fwd-over-rev')!;
      expect(relErr(results.get('rev-over-rev')!, ref)).toBeLessThanOrEqual(1e-12);
      expect(relErr(results.get('rev-over-fwd')!, ref)).toBeLessThanOrEqual(1e-12);
      expect(relErr(results.get('central-difference')!, ref)).toBeLessThan(1e-8);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Trees.
// ---------------------------------------------------------------------------------------------
describe('hvp on trees', () => {
  const rng = createRandom(31);
  const Xt = tensor(rng.normals(5 * 3), [5, 3]);
  const target = tensor(rng.normals(5 * 2), [5, 2]);
  type Params = { w: Tensor; b: Tensor };
  const f = (p: Params) =>
    add(mean(square(sub(tanh(add(matmul(Xt, p.w), p.b)), target))), mul(0.1, sum(mul(p.b, square(p.b)))));
  const x: Params = {
    w: tensor(
      rng.normals(6).map((t) => 0.5 * t),
      [3, 2],
    ),
    b: tensor(rng.normals(2)),
  };
  const v: Params = { w: tensor(rng.normals(6), [3, 2]), b: tensor(rng.normals(2)) };

  it('returns the structure of x and equals the flat computation through ravel, in every mode', () => {
    const { vector: xFlat, unravel } = ravel(x);
    const { vector: vFlat } = ravel(v);
    const fFlat = (z: Tensor) => f(unravel(z));
    for (const mode of HVP_MODES) {
      const tree = hvp(f, x, v, { mode });
      expect(Object.keys(tree)).toEqual(['w', 'b']);
      expect(tree.w).toBeInstanceOf(Tensor);
      expect(tree.w.shape).toEqual([3, 2]);
      expect(tree.b.shape).toEqual([2]);
      const flat = hvp(fFlat, xFlat, vFlat, { mode });
      // Same operations on the same numbers (the step's norms are equal): 1e-12 in every mode.
      expect(relErr(ravel(tree).vector.data, flat.data)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('arrays of tensors work too, and the AD modes agree on them', () => {
    const xs = [x.w, x.b];
    const vs = [v.w, v.b];
    const g = (p: Tensor[]) => f({ w: p[0]!, b: p[1]! });
    const ref = hvp(f, x, v);
    for (const mode of AD_MODES) {
      const out = hvp(g, xs, vs, { mode });
      expect(Array.isArray(out)).toBe(true);
      expect(relErr(out[0]!.data, ref.w.data)).toBeLessThanOrEqual(1e-12);
      expect(relErr(out[1]!.data, ref.b.data)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('a leaf of the wrong shape throws ShapeError naming hvp and the leaf', () => {
    const bad = { w: tensor([1, 2, 3, 4, 5, 6], [2, 3]), b: v.b };
    expect(() => hvp(f, x, bad)).toThrow(ShapeError);
    expect(() => hvp(f, x, bad)).toThrow(/^hvp: .*v\.w.*\[2, ?3\]/);
  });

  it('a missing leaf throws ShapeError naming hvp', () => {
    const bad = { w: v.w } as unknown as Params;
    expect(() => hvp(f, x, bad)).toThrow(ShapeError);
    expect(() => hvp(f, x, bad)).toThrow(/^hvp: /);
  });

  it('a flat tangent for a tree primal throws ShapeError naming hvp', () => {
    expect(() => hvp(f, x, ravel(v).vector as unknown as Params)).toThrow(ShapeError);
    expect(() => hvp(f, x, ravel(v).vector as unknown as Params)).toThrow(/^hvp: /);
  });

  it('different keys with the same leaf shapes throw ShapeError (never a silent positional pairing)', () => {
    // x = { a, b } with equal shapes: v = { c, d } or v = { b, a } must not be paired by position,
    // which would give H·(v.b, v.a) — a wrong answer with no error.
    const y = { a: tensor([1, 2]), b: tensor([3, 4]) };
    const g = (p: { a: Tensor; b: Tensor }) => add(sum(square(p.a)), mul(10, sum(square(p.b))));
    const renamed = { c: tensor([1, 0]), d: tensor([0, 0]) } as unknown as typeof y;
    const reordered = { b: tensor([0, 0]), a: tensor([1, 0]) };
    expect(() => hvp(g, y, renamed)).toThrow(ShapeError);
    expect(() => hvp(g, y, renamed)).toThrow(/^hvp: /);
    expect(() => hvp(g, y, reordered)).toThrow(ShapeError);
    // and an array against an object of one leaf each
    expect(() =>
      hvp((p: Tensor[]) => sum(square(p[0]!)), [tensor([1, 2])], { a: tensor([1, 0]) } as unknown as Tensor[]),
    ).toThrow(ShapeError);
  });
});

describe('hvp: arguments', () => {
  const f = (x: Tensor) => sum(mul(x, mul(x, x)));
  const x = tensor([1, 2, 3]);
  const v = tensor([1, -1, 2]);

  it('leaves x and v untouched', () => {
    for (const mode of HVP_MODES) {
      hvp(f, x, v, { mode });
      expect(Array.from(x.data)).toEqual([1, 2, 3]);
      expect(Array.from(v.data)).toEqual([1, -1, 2]);
    }
  });

  it('passes extra arguments after the options to f', () => {
    const g = (z: Tensor, scaleBy: number) => mul(scaleBy, sum(square(z)));
    for (const mode of AD_MODES) expect(Array.from(hvp(g, x, v, { mode }, 3).data)).toEqual([6, -6, 12]);
  });

  it('an unknown mode or a bad step throws InvalidArgumentError naming hvp', () => {
    expect(() => hvp(f, x, v, { mode: 'forward' as HvpMode })).toThrow(InvalidArgumentError);
    expect(() => hvp(f, x, v, { mode: 'forward' as HvpMode })).toThrow(/^hvp: .*forward/);
    for (const step of [0, -1e-3, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => hvp(f, x, v, { mode: 'finite-difference', step })).toThrow(InvalidArgumentError);
      expect(() => hvp(f, x, v, { mode: 'central-difference', step })).toThrow(InvalidArgumentError);
    }
    expect(() => hvp(42 as unknown as typeof f, x, v)).toThrow(InvalidArgumentError);
  });

  it('a tangent of the wrong shape throws ShapeError naming hvp, in every mode', () => {
    for (const mode of HVP_MODES) {
      expect(() => hvp(f, x, tensor([1, 2]), { mode })).toThrow(ShapeError);
      expect(() => hvp(f, x, tensor([1, 2]), { mode })).toThrow(/^hvp: /);
    }
  });

  it('v = 0 gives 0 in every mode (the default step stays finite)', () => {
    for (const mode of HVP_MODES) expect(Array.from(hvp(f, x, tensor([0, 0, 0]), { mode }).data)).toEqual([0, 0, 0]);
  });
});

describe('errors name the second-order function the user called', () => {
  it('says hvp / hessianOperator, not grad, for a non-scalar f', async () => {
    const { hessianOperator: op, hvp: product, mul: times, tensor: t } = await import('../../src/index.js');
    const twice = (x: Tensor) => times(x, 2);
    expect(() => product(twice, t([1, 2]), t([1, 0]))).toThrow(/^hvp: f must return a scalar/);
    expect(() => op(twice, t([1, 2]))).toThrow(/^hessianOperator: f must return a scalar/);
  });
});

describe('hvp validates every argument at entry', () => {
  const f = (x: Tensor) => sum(mul(x, mul(x, x)));
  const x = tensor([1, 2, 3]);
  const v = tensor([1, -1, 2]);

  it('a misspelt option is an error naming the nearest key, not a silent default', () => {
    // { mod } used to run the default mode without a word
    expect(() => hvp(f, x, v, { mod: 'rev-over-rev' } as unknown as { mode: HvpMode })).toThrow(InvalidArgumentError);
    expect(() => hvp(f, x, v, { mod: 'rev-over-rev' } as unknown as { mode: HvpMode })).toThrow(
      /^hvp: unknown option 'mod'; did you mean 'mode'\?/,
    );
    for (const bad of [null, 'fast', [], 42]) {
      expect(() => hvp(f, x, v, bad as unknown as { mode: HvpMode })).toThrow(/^hvp: options must be an object/);
    }
  });

  it('a misspelt mode names the nearest mode, with the string quoted', () => {
    expect(() => hvp(f, x, v, { mode: 'rev-over-fwdd' as HvpMode })).toThrow(
      /'rev-over-fwdd' \(a string\).*did you mean 'rev-over-fwd'\?/,
    );
  });

  it('a step is refused with an exact mode (it would be silently unused) and taken by the difference modes', () => {
    for (const mode of AD_MODES)
      expect(() => hvp(f, x, v, { mode, step: 1e-4 })).toThrow(/^hvp: options\.step .*leave step out/);
    expect(() => hvp(f, x, v, { mode: 'finite-difference', step: '1e-4' as unknown as number })).toThrow(
      /'1e-4' \(a string\); pass the number 0\.0001/,
    );
  });

  it('f, x and v of the wrong kind are errors naming hvp', () => {
    expect(() => hvp(3 as unknown as typeof f, x, v)).toThrow(/^hvp: f must be a function, got 3/);
    expect(() => hvp(f, 'x' as unknown as Tensor, v)).toThrow(/^hvp: x is 'x' \(a string\)/);
    expect(() => hvp(f, x, null as unknown as Tensor)).toThrow(/^hvp: v is null/);
    const cyclic: unknown[] = [tensor([1])];
    cyclic.push(cyclic);
    expect(() => hvp(f, cyclic as unknown as Tensor, cyclic as unknown as Tensor)).toThrow(
      /^hvp: x\[1\] contains itself/,
    );
  });

  it('a non-finite x cannot choose a finite-difference step: NonFiniteError, not a NaN result', () => {
    for (const mode of ['finite-difference', 'central-difference'] as const) {
      expect(() => hvp(f, tensor([NaN, 1, 1]), v, { mode })).toThrow(NonFiniteError);
      expect(() => defaultStep(mode, tensor([Infinity]), tensor([1]))).toThrow(/^defaultStep: .*‖x‖ = Infinity/);
    }
    expect(() => defaultStep('fwd-over-rev' as 'finite-difference', x, v)).toThrow(/^defaultStep: mode must be one of/);
  });

  it('a zero-length x gives the empty result of the same structure in every mode', () => {
    const empty = tensor(new Float64Array(0));
    for (const mode of HVP_MODES) {
      const result = hvp((y: Tensor) => sum(square(y)), empty, empty, { mode });
      expect(result.shape).toEqual([0]);
      expect(hvp(() => 0, [] as Tensor[], [] as Tensor[], { mode })).toEqual([]);
      expect(hvp(() => 0, {} as Record<string, Tensor>, {}, { mode })).toEqual({});
    }
  });

  it('treeDot of two empty trees is 0, and treeDot refuses extra arguments', () => {
    expect(treeDot([], []).item()).toBe(0);
    expect(() => (treeDot as (...a: unknown[]) => unknown)(x, x, x)).toThrow(
      /^treeDot: takes at most 2 arguments, got 3/,
    );
  });

  it('HVP_MODES cannot be changed', () => {
    expect(Object.isFrozen(HVP_MODES)).toBe(true);
    expect(() => (HVP_MODES as HvpMode[]).push('fwd-over-rev')).toThrow(TypeError);
  });
});

describe('the default finite-difference step at a large but finite x', () => {
  it('is defined: ‖x‖ is computed without squaring entries (x = 1e160 would overflow x²)', () => {
    // f = Σ√xᵢ: g = ½x^(−½), Hv = −¼x^(−3/2)·v. With r = √ε(1 + ‖x‖)/‖v‖ ≈ 1.5e152 the one-sided
    // error is (r/2)|∇³f[v,v]|/|Hv| = (3/4)(r/x) ≈ 1.1e-8 relative, plus rounding
    // 2ε|g|/(r|Hv|) ≈ 6e-8 relative; 1e-6 leaves a factor of 10.
    const f = (x: Tensor) => sum(sqrt(x));
    const x = tensor([1e160, 4e160]);
    const v = tensor([1, -0.5]);
    // Hv ≈ 1e-241: scaled by 1e240 before relErr, whose squares would underflow.
    const up = (a: ArrayLike<number>) => Array.from(a, (t) => t * 1e240);
    const exact = up([1e160, 4e160].map((xi, i) => -0.25 * xi ** -1.5 * [1, -0.5][i]!));
    for (const mode of ['finite-difference', 'central-difference'] as const) {
      expect(relErr(up(hvp(f, x, v, { mode }).data), exact), mode).toBeLessThan(1e-6);
      expect(relErr(up(hessianOperator(f, x, { mode }).apply(new Float64Array([1, -0.5]))), exact), mode).toBeLessThan(
        1e-6,
      );
    }
    // A non-finite x is still refused: its norm is not finite.
    expect(() => hvp(f, tensor([NaN, 1]), v, { mode: 'finite-difference' })).toThrow(NonFiniteError);
  });
});
