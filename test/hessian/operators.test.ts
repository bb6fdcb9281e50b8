/**
 * The dense Hessian, its diagonal, the record-once Hessian operator and the Gauss–Newton
 * operator, against closed forms and independent references.
 *
 * Tolerances.
 * - AD results vs closed forms: 1e-12 relative (a few dozen flops per entry from exact formulas,
 *   ε = 2.2e-16, condition-ish factors ≲ 10: ≈ 1e-13; see hvp.test.ts).
 * - Replay vs fresh hvp: the same rules evaluated over the same tape or a fresh one; different
 *   association of the same sums at most, so 1e-13 relative.
 * - Difference modes vs closed forms: the documented steps give ≈ √ε·(1+‖x‖)·|∇³f|/|H| ≈ 1e-7 for
 *   the one-sided and ≈ ε^(2/3)·(…) ≈ 1e-10 for the central difference on these O(1) problems (the
 *   sharp, entrywise bounds are derived and tested in hvp.test.ts); checked at 1e-5 and 1e-8.
 * - References built from central differences of a model with step h = 1e-5: error
 *   (h²/6)|∂³model| + ε|model|/h ≈ 2e-11 per entry of J, so ≈ 1e-9 relative on G: checked at 1e-7.
 */
import { describe, expect, it } from 'vitest';
import {
  HVP_MODES,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  Tensor,
  add,
  exp,
  gaussNewtonOperator,
  hessian,
  hessianDiagonal,
  hessianOperator,
  hvp,
  logSoftmax,
  matmul,
  mean,
  mul,
  pow,
  ravel,
  reshape,
  square,
  sub,
  sum,
  tanh,
  tensor,
  type HvpMode,
} from '../../src/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { AD_MODES, EPS, denseOf, norm, relErr } from '../support/numeric.js';
import { l2Logistic } from '../../scripts/models.js';

const REPLAYED = ['fwd-over-rev', 'rev-over-rev'] as const;

function tolFor(mode: HvpMode): number {
  return mode === 'finite-difference' ? 1e-5 : mode === 'central-difference' ? 1e-8 : 1e-12;
}

/** max |M − Mᵀ| / max |M|. */
function asymmetry(M: ArrayLike<number>, n: number): number {
  let worst = 0;
  let scaleBy = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      worst = Math.max(worst, Math.abs(M[i * n + j]! - M[j * n + i]!));
      scaleBy = Math.max(scaleBy, Math.abs(M[i * n + j]!));
    }
  }
  return worst / scaleBy;
}

// L2-regularised logistic regression: H = Xᵀdiag(σ(1−σ))X/N + λI, ∇f = Xᵀ(σ − y)/N + λw.
function logistic(seed: number, N = 25, d = 5, lambda = 0.03) {
  const rng = createRandom(seed);
  const X = rng.normals(N * d);
  const y = new Float64Array(N).map(() => (rng.uniform() < 0.5 ? 1 : 0));
  const w = rng.normals(d).map((t) => 0.6 * t);
  const f = l2Logistic(tensor(X, [N, d]), tensor(y), lambda);
  const H = new Float64Array(d * d);
  const g = new Float64Array(d);
  let value = 0;
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += X[i * d + k]! * w[k]!;
    const s = 1 / (1 + Math.exp(-z));
    value += (Math.log1p(Math.exp(z)) - y[i]! * z) / N;
    for (let j = 0; j < d; j++) {
      g[j]! += ((s - y[i]!) * X[i * d + j]!) / N;
      for (let k = 0; k < d; k++) H[j * d + k]! += (s * (1 - s) * X[i * d + j]! * X[i * d + k]!) / N;
    }
  }
  for (let j = 0; j < d; j++) {
    H[j * d + j]! += lambda;
    g[j]! += lambda * w[j]!;
    value += (lambda / 2) * w[j]! * w[j]!;
  }
  return { f, w, H, g, value, d, rng };
}

describe('hessian (dense)', () => {
  const P = logistic(1);

  it('hessian(f, x, { mode }) equals the closed form in all five modes, and is symmetric', () => {
    for (const mode of HVP_MODES) {
      const H = hessian(P.f, tensor(P.w), { mode });
      expect(H.shape).toEqual([P.d, P.d]);
      expect(relErr(H.data, P.H)).toBeLessThanOrEqual(tolFor(mode));
      // AD modes: each Hᵢⱼ and Hⱼᵢ come from different sweeps, so symmetry holds to rounding:
      // 1e-14 relative to max|H| (a handful of ulps). Difference modes: within their own error.
      expect(asymmetry(H.data, P.d)).toBeLessThanOrEqual(mode.endsWith('difference') ? tolFor(mode) : 1e-14);
    }
  });

  it('hessian(f, { mode }) returns the function x ↦ H(x), equal to the direct form', () => {
    for (const mode of HVP_MODES) {
      const Hfn = hessian(P.f, { mode });
      expect(typeof Hfn).toBe('function');
      const H = Hfn(tensor(P.w));
      expect(relErr(H.data, P.H)).toBeLessThanOrEqual(tolFor(mode));
      expect(relErr(H.data, hessian(P.f, tensor(P.w), { mode }).data)).toBeLessThanOrEqual(1e-13);
    }
  });

  it('equals n Hessian-vector products with the unit vectors', () => {
    for (const mode of HVP_MODES) {
      const H = hessian(P.f, tensor(P.w), { mode });
      for (let j = 0; j < P.d; j++) {
        const e = new Float64Array(P.d);
        e[j] = 1;
        const col = hvp(P.f, tensor(P.w), tensor(e), { mode }).data;
        const Hcol = Array.from({ length: P.d }, (_, i) => H.data[i * P.d + j]!);
        expect(relErr(Hcol, col)).toBeLessThanOrEqual(1e-13);
      }
    }
  });

  it('for a matrix-shaped x the Hessian has shape [...x.shape, ...x.shape]', () => {
    // f(W) = Σ W⁴ + Σ_{ij} W_ij·W_{i,(j+1) mod 3}: H = diag(12W²) + the cyclic coupling.
    const W = tensor([0.5, -1, 2, 1.5, 0.25, -0.75], [2, 3]);
    const shifted = (M: Tensor) => reshape(matmul(M, tensor([0, 0, 1, 1, 0, 0, 0, 1, 0], [3, 3])), [2, 3]);
    const f = (M: Tensor) => add(sum(pow(M, 4)), sum(mul(M, shifted(M))));
    const expected = new Float64Array(36);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        const a = i * 3 + j;
        expected[a * 6 + a]! += 12 * W.data[a]! ** 2;
        const b = i * 3 + ((j + 1) % 3);
        expected[a * 6 + b]! += 1;
        expected[b * 6 + a]! += 1;
      }
    }
    for (const mode of HVP_MODES) {
      const H = hessian(f, W, { mode });
      expect(H.shape).toEqual([2, 3, 2, 3]);
      expect(relErr(H.data, expected)).toBeLessThanOrEqual(tolFor(mode));
    }
  });
});

describe('hessianDiagonal', () => {
  it('equals the closed-form diagonal σ(1−σ)·X²/N + λ of logistic regression, in every mode', () => {
    const P = logistic(2);
    const expected = Array.from({ length: P.d }, (_, j) => P.H[j * P.d + j]!);
    for (const mode of HVP_MODES) {
      const diag = hessianDiagonal(P.f, tensor(P.w), { mode });
      expect(diag.shape).toEqual([P.d]);
      expect(relErr(diag.data, expected)).toBeLessThanOrEqual(tolFor(mode));
    }
  });

  it('on a tree { w: [3,2], b: [2] } returns the tree of diagonals (12w², eᵇ), ignoring cross terms', () => {
    type P = { w: Tensor; b: Tensor };
    const p: P = { w: tensor([0.5, -1, 2, 1.5, 0.25, -0.75], [3, 2]), b: tensor([0.3, -0.2]) };
    // The coupling Σw·Σb has zero diagonal; it must not leak into the result.
    const f = (q: P) => add(add(sum(pow(q.w, 4)), sum(exp(q.b))), mul(sum(q.w), sum(q.b)));
    for (const mode of AD_MODES) {
      const diag = hessianDiagonal(f, p, { mode });
      expect(Object.keys(diag)).toEqual(['w', 'b']);
      expect(diag.w.shape).toEqual([3, 2]);
      expect(
        relErr(
          diag.w.data,
          p.w.data.map((t) => 12 * t * t),
        ),
      ).toBeLessThanOrEqual(1e-12);
      expect(relErr(diag.b.data, p.b.data.map(Math.exp))).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('hessianOperator', () => {
  it('replays (fwd-over-rev, rev-over-rev) equal fresh hvp calls for 25 random v', () => {
    const P = logistic(3, 30, 8);
    for (const mode of REPLAYED) {
      const op = hessianOperator(P.f, tensor(P.w), { mode });
      expect(op.size).toBe(P.d);
      expect(op.mode).toBe(mode);
      for (let k = 0; k < 25; k++) {
        const v = P.rng.normals(P.d);
        const replayed = op.apply(v);
        const fresh = hvp(P.f, tensor(P.w), tensor(v), { mode }).data;
        expect(relErr(replayed, fresh)).toBeLessThanOrEqual(1e-13);
        const closed = new Float64Array(P.d);
        for (let i = 0; i < P.d; i++) for (let j = 0; j < P.d; j++) closed[i]! += P.H[i * P.d + j]! * v[j]!;
        expect(relErr(replayed, closed)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('the other modes equal hvp in the same mode too', () => {
    const P = logistic(4);
    for (const mode of ['rev-over-fwd', 'finite-difference', 'central-difference'] as const) {
      const op = hessianOperator(P.f, tensor(P.w), { mode });
      for (let k = 0; k < 5; k++) {
        const v = P.rng.normals(P.d);
        // Same step (defaultStep of the same x and v), same gradients: to rounding of the division.
        expect(relErr(op.apply(v), hvp(P.f, tensor(P.w), tensor(v), { mode }).data)).toBeLessThanOrEqual(1e-13);
      }
    }
  });

  it('works on a tree of parameters, as an operator on ravel(params)', () => {
    type P = { w: Tensor; b: Tensor };
    const rng = createRandom(5);
    const Xt = tensor(rng.normals(6 * 3), [6, 3]);
    const f = (p: P) => mean(square(tanh(add(matmul(Xt, p.w), p.b))));
    const p: P = { w: tensor(rng.normals(6), [3, 2]), b: tensor(rng.normals(2)) };
    const { vector, unravel } = ravel(p);
    for (const mode of REPLAYED) {
      const op = hessianOperator(f, p, { mode });
      expect(op.size).toBe(8);
      for (let k = 0; k < 5; k++) {
        const v = rng.normals(8);
        const tree = hvp(f, p, unravel(tensor(v)) as P, { mode });
        expect(relErr(op.apply(v), ravel(tree).vector.data)).toBeLessThanOrEqual(1e-13);
        const flat = hvp((z: Tensor) => f(unravel(z) as P), vector, tensor(v), { mode });
        expect(relErr(op.apply(v), flat.data)).toBeLessThanOrEqual(1e-13);
      }
    }
  });

  it('damping λ adds exactly λv (to one rounding per entry), and `damping` is reported', () => {
    const P = logistic(6);
    const lambda = 0.37;
    for (const mode of HVP_MODES) {
      const plain = hessianOperator(P.f, tensor(P.w), { mode });
      const damped = hessianOperator(P.f, tensor(P.w), { mode, damping: lambda });
      expect(damped.damping).toBe(lambda);
      expect(plain.damping).toBe(0);
      const v = P.rng.normals(P.d);
      const a = plain.apply(v);
      const b = damped.apply(v);
      for (let i = 0; i < P.d; i++) {
        // b = fl(Hv + λv): |b − (a + λv)| ≤ 2ε(|a| + |λv|)
        expect(Math.abs(b[i]! - (a[i]! + lambda * v[i]!))).toBeLessThanOrEqual(
          2 * EPS * (Math.abs(a[i]!) + Math.abs(lambda * v[i]!)),
        );
      }
    }
  });

  it('value and gradient are f(x) and ∇f(x), in every mode', () => {
    const P = logistic(7);
    for (const mode of HVP_MODES) {
      const op = hessianOperator(P.f, tensor(P.w), { mode });
      expect(Math.abs(op.value - P.value)).toBeLessThanOrEqual(1e-13 * Math.abs(P.value));
      expect(op.gradient).toBeInstanceOf(Float64Array);
      expect(relErr(op.gradient, P.g)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('records f once in the replayed modes: no call to f per product', () => {
    const P = logistic(8);
    for (const mode of REPLAYED) {
      let calls = 0;
      const counted = (z: Tensor) => {
        calls++;
        return P.f(z);
      };
      const op = hessianOperator(counted, tensor(P.w), { mode });
      expect(calls).toBe(1);
      for (let k = 0; k < 20; k++) op.apply(P.rng.normals(P.d));
      op.diagonal();
      expect(calls).toBe(1);
    }
    // The other modes cannot record once, and say so: one fresh trace per product
    // (rev-over-fwd, finite-difference) or two (central-difference).
    const perProduct: Record<string, number> = { 'rev-over-fwd': 1, 'finite-difference': 1, 'central-difference': 2 };
    for (const mode of ['rev-over-fwd', 'finite-difference', 'central-difference'] as const) {
      let calls = 0;
      const op = hessianOperator((z: Tensor) => (calls++, P.f(z)), tensor(P.w), { mode });
      expect(calls).toBe(1);
      for (let k = 0; k < 3; k++) op.apply(P.rng.normals(P.d));
      expect(calls).toBe(1 + 3 * perProduct[mode]!);
    }
  });

  it('apply leaves v untouched and returns a fresh array every time', () => {
    const P = logistic(9);
    for (const mode of HVP_MODES) {
      for (const damping of [0, 0.5]) {
        const op = hessianOperator(P.f, tensor(P.w), { mode, damping });
        const v = P.rng.normals(P.d);
        const copy = v.slice();
        const a = op.apply(v);
        expect(Array.from(v)).toEqual(Array.from(copy));
        expect(a).not.toBe(v);
        const b = op.apply(v);
        expect(b).not.toBe(a);
        expect(Array.from(b)).toEqual(Array.from(a));
        a.fill(1e300); // scribbling on a result must not reach the next one
        expect(Array.from(op.apply(v))).toEqual(Array.from(b));
      }
    }
  });

  it('.diagonal() equals the dense diagonal of H + λI', () => {
    const P = logistic(10);
    for (const mode of HVP_MODES) {
      const op = hessianOperator(P.f, tensor(P.w), { mode, damping: 0.2 });
      const dense = denseOf(op);
      const diag = op.diagonal();
      expect(Array.from(diag)).toEqual(Array.from({ length: P.d }, (_, j) => dense[j * P.d + j]!));
      const expected = Array.from({ length: P.d }, (_, j) => P.H[j * P.d + j]! + 0.2);
      expect(relErr(diag, expected)).toBeLessThanOrEqual(tolFor(mode));
      diag.fill(0); // a copy: the cache is not exposed
      expect(relErr(op.diagonal(), expected)).toBeLessThanOrEqual(tolFor(mode));
    }
  });

  it('rejects a v of the wrong length (ShapeError) or type (InvalidArgumentError with a hint)', () => {
    const P = logistic(11);
    for (const mode of HVP_MODES) {
      const op = hessianOperator(P.f, tensor(P.w), { mode });
      expect(() => op.apply(new Float64Array(P.d + 1))).toThrow(ShapeError);
      expect(() => op.apply(new Float64Array(P.d - 1))).toThrow(/^hessianOperator\(\)\.apply: /);
      expect(() => op.apply(Array.from({ length: P.d }, () => 1) as unknown as Float64Array)).toThrow(
        InvalidArgumentError,
      );
      expect(() => op.apply(Array.from({ length: P.d }, () => 1) as unknown as Float64Array)).toThrow(
        /new Float64Array\(v\)/,
      );
    }
  });

  it('rejects a bad mode, negative or non-finite damping and a bad step with InvalidArgumentError', () => {
    const P = logistic(12);
    const x = tensor(P.w);
    expect(() => hessianOperator(P.f, x, { mode: 'reverse' as HvpMode })).toThrow(InvalidArgumentError);
    expect(() => hessianOperator(P.f, x, { mode: 'reverse' as HvpMode })).toThrow(/hessianOperator/);
    for (const damping of [-1e-3, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => hessianOperator(P.f, x, { damping })).toThrow(InvalidArgumentError);
    }
    // A zero / negative / non-finite step would make every product NaN or nonsense: refused up front.
    for (const step of [0, -1e-4, Number.NaN]) {
      for (const mode of ['finite-difference', 'central-difference'] as const) {
        expect(() => hessianOperator(P.f, x, { mode, step }).apply(new Float64Array(P.d).fill(1))).toThrow(
          InvalidArgumentError,
        );
        expect(() => hessian(P.f, x, { mode, step })).toThrow(InvalidArgumentError);
      }
    }
  });

  it('a user step reaches the difference modes', () => {
    // f = Σx⁴: (∇f(x+rv) − ∇f(x))/r = Hv + (r/2)∇³f[v,v] + (r²/6)∇⁴f[v,v,v] = 12x²v + 12r·x·v² + 4r²v³.
    const f = (z: Tensor) => sum(pow(z, 4));
    const x = new Float64Array([0.5, -1, 1.5]);
    const v = new Float64Array([1, 2, -1]);
    const r = 1e-2;
    const op = hessianOperator(f, tensor(x), { mode: 'finite-difference', step: r });
    const expected = x.map((xi, i) => 12 * xi * xi * v[i]! + 12 * r * xi * v[i]! ** 2 + 4 * r * r * v[i]! ** 3);
    // exact up to rounding ε·|∇f|/r ≈ 1e-13 relative
    expect(relErr(op.apply(v), expected)).toBeLessThan(1e-11);
  });
});

// ---------------------------------------------------------------------------------------------
// Gauss–Newton: G = Jᵀ H_L J, with J from central differences of the model (independent of AD).
// ---------------------------------------------------------------------------------------------

/** J (m × n) of a model θ ↦ z(θ) ∈ ℝᵐ by central differences, step h. */
function jacobianFD(
  model: (theta: Float64Array) => Float64Array,
  theta: Float64Array,
  h: number,
): { J: Float64Array; m: number } {
  const n = theta.length;
  const m = model(theta).length;
  const J = new Float64Array(m * n);
  for (let j = 0; j < n; j++) {
    const plus = theta.slice();
    const minus = theta.slice();
    plus[j]! += h;
    minus[j]! -= h;
    const zp = model(plus);
    const zm = model(minus);
    for (let i = 0; i < m; i++) J[i * n + j] = (zp[i]! - zm[i]!) / (2 * h);
  }
  return { J, m };
}

/** Jᵀ·H_L·J for an m×n J and an m×m H_L. */
function sandwich(J: Float64Array, m: number, n: number, HL: Float64Array): Float64Array {
  const HJ = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let k = 0; k < m; k++) {
      const h = HL[i * m + k]!;
      if (h !== 0) for (let j = 0; j < n; j++) HJ[i * n + j]! += h * J[k * n + j]!;
    }
  const G = new Float64Array(n * n);
  for (let i = 0; i < m; i++)
    for (let a = 0; a < n; a++) {
      const ja = J[i * n + a]!;
      for (let b = 0; b < n; b++) G[a * n + b]! += ja * HJ[i * n + b]!;
    }
  return G;
}

describe('gaussNewtonOperator', () => {
  const rng = createRandom(21);
  const N = 7;
  const IN = 3;
  const HID = 3;
  const X = rng.normals(N * IN);
  const Xt = tensor(X, [N, IN]);

  it('squared error through a tanh model: G = Jᵀ(2/N·I)J', () => {
    // model(θ) = tanh(X·W₁)·w₂ ∈ ℝᴺ, θ = { W1: [3,3], w2: [3] }; loss = mean((z − y)²) ⇒ H_L = (2/N)·I.
    type P = { W1: Tensor; w2: Tensor };
    const y = tensor(rng.normals(N));
    const model = (p: P) => matmul(tanh(matmul(Xt, p.W1)), p.w2);
    const loss = (z: Tensor) => mean(square(sub(z, y)));
    const p: P = {
      W1: tensor(
        rng.normals(IN * HID).map((t) => 0.7 * t),
        [IN, HID],
      ),
      w2: tensor(rng.normals(HID)),
    };
    const { vector, unravel } = ravel(p);
    const n = vector.size;
    const modelFlat = (theta: Float64Array) => model(unravel(tensor(theta)) as P).data;
    const { J, m } = jacobianFD(modelFlat, vector.data, 1e-5);
    const HL = new Float64Array(m * m);
    for (let i = 0; i < m; i++) HL[i * m + i] = 2 / N;
    const expected = sandwich(J, m, n, HL);
    const G = gaussNewtonOperator(model, loss, p);
    expect(G.size).toBe(n);
    expect(relErr(denseOf(G), expected)).toBeLessThan(1e-7);
    expect(Array.from(G.output.data)).toEqual(Array.from(model(p).data));
    // PSD (a sandwich of a PSD H_L): vᵀGv ≥ 0 for random v
    for (let k = 0; k < 10; k++) {
      const v = rng.normals(n);
      const Gv = G.apply(v);
      expect(Gv.reduce((s, t, i) => s + t * v[i]!, 0)).toBeGreaterThanOrEqual(0);
    }
  });

  it('softmax cross-entropy: G = Jᵀ·blockdiag((diag(p) − ppᵀ)/N)·J', () => {
    // logits z = tanh(X·W₁)·W₂ ∈ ℝ^{N×C}; loss = −(1/N)Σᵢ log softmax(zᵢ)[yᵢ].
    const C = 3;
    type P = { W1: Tensor; W2: Tensor };
    const labels = Array.from({ length: N }, () => rng.integer(C));
    const Y = new Float64Array(N * C);
    labels.forEach((c, i) => (Y[i * C + c] = 1));
    const Yt = tensor(Y, [N, C]);
    const model = (p: P) => matmul(tanh(matmul(Xt, p.W1)), p.W2);
    const loss = (z: Tensor) => mul(-1 / N, sum(mul(Yt, logSoftmax(z))));
    const p: P = {
      W1: tensor(
        rng.normals(IN * HID).map((t) => 0.7 * t),
        [IN, HID],
      ),
      W2: tensor(rng.normals(HID * C), [HID, C]),
    };
    const { vector, unravel } = ravel(p);
    const n = vector.size;
    const modelFlat = (theta: Float64Array) => model(unravel(tensor(theta)) as P).data;
    const { J, m } = jacobianFD(modelFlat, vector.data, 1e-5);
    const z = modelFlat(vector.data);
    const HL = new Float64Array(m * m);
    for (let i = 0; i < N; i++) {
      let mx = -Infinity;
      for (let c = 0; c < C; c++) mx = Math.max(mx, z[i * C + c]!);
      const e = Array.from({ length: C }, (_, c) => Math.exp(z[i * C + c]! - mx));
      const total = e.reduce((a, b) => a + b, 0);
      const prob = e.map((t) => t / total);
      for (let a = 0; a < C; a++)
        for (let b = 0; b < C; b++) {
          HL[(i * C + a) * m + i * C + b] = ((a === b ? prob[a]! : 0) - prob[a]! * prob[b]!) / N;
        }
    }
    const expected = sandwich(J, m, n, HL);
    const G = gaussNewtonOperator(model, loss, p, { damping: 0.1 });
    const dense = denseOf(G);
    for (let j = 0; j < n; j++) dense[j * n + j]! -= 0.1;
    expect(relErr(dense, expected)).toBeLessThan(1e-7);
    expect(G.damping).toBe(0.1);
  });

  it('a linear model with squared loss: G is the true Hessian (2/N)·XᵀX', () => {
    // The GGN drops Σ (∂L/∂zᵢ)·∇²zᵢ, which is zero for a linear model: G = H exactly.
    const y = tensor(rng.normals(N));
    const model = (w: Tensor) => matmul(Xt, w);
    const loss = (z: Tensor) => mean(square(sub(z, y)));
    const w = tensor(rng.normals(IN));
    const G = denseOf(gaussNewtonOperator(model, loss, w));
    const closed = new Float64Array(IN * IN);
    for (let i = 0; i < N; i++)
      for (let a = 0; a < IN; a++)
        for (let b = 0; b < IN; b++) closed[a * IN + b]! += (2 / N) * X[i * IN + a]! * X[i * IN + b]!;
    expect(relErr(G, closed)).toBeLessThanOrEqual(1e-12);
    const H = hessian((z: Tensor) => loss(model(z)), w);
    expect(relErr(G, H.data)).toBeLessThanOrEqual(1e-12);
  });

  it('rejects a wrong-length v (ShapeError) and negative damping (InvalidArgumentError)', () => {
    const model = (w: Tensor) => matmul(Xt, w);
    const loss = (z: Tensor) => mean(square(z));
    const w = tensor([1, 2, 3]);
    expect(() => gaussNewtonOperator(model, loss, w).apply(new Float64Array(2))).toThrow(ShapeError);
    expect(() => gaussNewtonOperator(model, loss, w, { damping: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('hessian(f, { mode }) in the difference modes', () => {
  it('passes step and extra arguments through, as the direct form does', async () => {
    const { hessian: h, mul: times, sum: total, pow: power, tensor: t } = await import('../../src/index.js');
    // f(x; c) = c·Σxᵢ³ has H = diag(6c·xᵢ); the central difference of a cubic's gradient is exact
    // up to rounding for any step, so a huge step changes nothing but a wrong c would.
    const f = (x: Tensor, c: number) => times(c, total(power(x, 3)));
    const x = t([1, 2]);
    const H = h(f as (x: Tensor) => Tensor, { mode: 'central-difference', step: 0.5 })(x, 2);
    const flat = Array.from(H.data);
    [12, 0, 0, 24].forEach((value, i) => expect(flat[i]).toBeCloseTo(value, 10));
    // The one-sided difference with step r has error 3c·r·vᵢ² on the diagonal: visible with r = 0.5.
    const one = h(f as (x: Tensor) => Tensor, { mode: 'finite-difference', step: 0.5 })(x, 2);
    expect(one.data[0]).toBeCloseTo(12 + 3 * 2 * 0.5, 10);
  });
});

describe('hessianOperator hands out copies', () => {
  it('returns a fresh gradient on every read, and knows f(x) when f returns a plain number', async () => {
    const { hessianOperator: op, sum: total, square: sq, tensor: t } = await import('../../src/index.js');
    const H = op((x: Tensor) => total(sq(x)), t([1, 2]));
    const g = H.gradient;
    g[0] = 99;
    expect(Array.from(H.gradient)).toEqual([2, 4]);
    const constant = op(() => 7, t([1, 2]));
    expect(constant.value).toBe(7);
    expect(Array.from(constant.apply(new Float64Array([1, 1])))).toEqual([0, 0]);
  });
});

describe('the operators validate every argument at entry', () => {
  const f = (x: Tensor) => sum(pow(x, 3));
  const x = () => tensor([1, 2]);

  it('hessian(f, [1, 2, 3]) is an error with a hint, not an array read as options', () => {
    // the array used to be read as an options object, returning x ↦ H(x) silently
    expect(() => hessian(f, [1, 2, 3] as unknown as Tensor)).toThrow(InvalidArgumentError);
    expect(() => hessian(f, [1, 2, 3] as unknown as Tensor)).toThrow(
      /^hessian: the second argument must be the point x .*got an array of length 3; wrap the point: tensor\(\[\.\.\.\]\)/,
    );
    expect(() => hessian(f, 2 as unknown as Tensor)).toThrow(/scalar\(2\)/);
    expect(() =>
      (hessian as (...a: unknown[]) => unknown)(f, { mode: 'rev-over-rev' }, { mode: 'rev-over-rev' }),
    ).toThrow(/^hessian: hessian\(f, options\) takes no third argument/);
    expect(() => hessian(f, { mode: 'fwd-over-rev' })([1, 2] as unknown as Tensor)).toThrow(
      /^hessian: x must be a Tensor/,
    );
    expect(() => hessian(f, { mod: 'rev-over-rev' } as unknown as { mode: HvpMode })).toThrow(/did you mean 'mode'\?/);
  });

  it('misspelt or ill-typed options are errors naming the function, strings quoted', () => {
    expect(() => hessianOperator(f, x(), { dampng: 1 } as unknown as { damping: number })).toThrow(
      /^hessianOperator: unknown option 'dampng'; did you mean 'damping'\?/,
    );
    expect(() => hessianOperator(f, x(), { damping: '1' as unknown as number })).toThrow(
      /^hessianOperator: options\.damping must be .*'1' \(a string\)/,
    );
    expect(() => hessianOperator(f, x(), { step: 1e-3 })).toThrow(/^hessianOperator: options\.step/);
    expect(() => hessianDiagonal(f, x(), { damping: 1 } as unknown as { mode: HvpMode })).toThrow(
      /^hessianDiagonal: unknown option 'damping'/,
    );
    expect(() =>
      gaussNewtonOperator(
        (p: Tensor) => p,
        (z: Tensor) => sum(z),
        x(),
        { dampin: 1 } as unknown as { damping: number },
      ),
    ).toThrow(/^gaussNewtonOperator: unknown option 'dampin'/);
  });

  it('errors name the function the user called, never an internal helper', () => {
    // a bad tree used to be reported by 'flatView'; the diagonal's errors by 'hessianOperator'
    expect(() => hessianOperator(f, 'x' as unknown as Tensor)).toThrow(/^hessianOperator: x is 'x' \(a string\)/);
    expect(() => hessianDiagonal((y: Tensor) => mul(y, 2), x())).toThrow(/^hessianDiagonal: f must return a scalar/);
    expect(() => hessianOperator(3 as unknown as typeof f, x())).toThrow(
      /^hessianOperator: f must be a function, got 3/,
    );
    expect(() =>
      gaussNewtonOperator((() => 3) as unknown as (p: Tensor) => Tensor, (z: Tensor) => sum(z), x()),
    ).toThrow(/^gaussNewtonOperator: model must return a single Tensor, got 3/);
    expect(() =>
      (gaussNewtonOperator as (...a: unknown[]) => unknown)(
        (p: Tensor) => p,
        (z: Tensor) => sum(z),
        x(),
        {},
        1,
      ),
    ).toThrow(/^gaussNewtonOperator: takes at most 4 arguments/);
  });

  it('apply refuses a plain array (with a hint), a wrong length, NaN, and a second argument', () => {
    const H = hessianOperator(f, x());
    expect(() => H.apply([1, 0] as unknown as Float64Array)).toThrow(
      /^hessianOperator\(\)\.apply: v must be a Float64Array, got an array of length 2; wrap it: new Float64Array\(v\)/,
    );
    expect(() => H.apply(new Float64Array([NaN, 0]))).toThrow(NonFiniteError);
    expect(() => (H.apply as (...a: unknown[]) => unknown)(new Float64Array(2), 1)).toThrow(/takes at most 1 argument/);
    expect(() => (H.diagonal as (...a: unknown[]) => unknown)(1)).toThrow(
      /^hessianOperator\(\)\.diagonal: takes at most 0 arguments/,
    );
  });

  it('a zero-length x gives a size-0 operator, an empty diagonal and a Hessian of shape [0, 0], in every mode', () => {
    const empty = tensor(new Float64Array(0));
    const g = (y: Tensor) => sum(square(y));
    for (const mode of HVP_MODES) {
      const H = hessianOperator(g, empty, { mode });
      expect(H.size).toBe(0);
      expect(H.apply(new Float64Array(0))).toEqual(new Float64Array(0));
      expect(H.value).toBe(0);
      expect(hessian(g, empty, { mode }).shape).toEqual([0, 0]);
      expect(hessian(g, { mode })(empty).shape).toEqual([0, 0]);
      expect(hessianDiagonal(g, empty, { mode }).shape).toEqual([0]);
      expect(hessianOperator(() => 1, [] as Tensor[], { mode }).size).toBe(0);
    }
  });

  it('the operator object cannot be changed, and its diagonal is a fresh copy', () => {
    const H = hessianOperator(f, x(), { damping: 1 });
    expect(Object.isFrozen(H)).toBe(true);
    const d = H.diagonal();
    d.fill(NaN);
    expect(Array.from(H.diagonal())).toEqual([7, 13]); // 6x + λ at x = (1, 2), λ = 1
  });
});
