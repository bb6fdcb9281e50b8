/**
 * hvp is differentiable: third- (and fourth-) order quantities through it, against closed forms
 * and central differences.
 *
 * For a scalar f, the third derivative T = ∇³f is symmetric, and
 *   ∇ₓ(vᵀH(x)v) = T[v, v, ·],   ∇ₓ(uᵀH(x)v) = T[u, v, ·] = ∇ₓ(vᵀH(x)u),   ∂/∂ε H(x+εu)v = T[u, v, ·].
 *
 * Tolerances: the AD results are a few dozen flops per entry from exact closed forms, so 1e-12
 * relative (see hvp.test.ts for the ε-count). Central differences of the scalar x ↦ vᵀH(x)v with
 * step h err by (h²/6)·|∂⁵f| + ε·|vᵀHv|/h per entry; with h = 1e-4 and O(1) derivatives that is
 * ≈ 2e-9 + 2e-12, so they are checked at 1e-7 relative.
 */
import { describe, expect, it } from 'vitest';
import {
  HVP_MODES,
  add,
  dot,
  grad,
  hessian,
  hvp,
  jvp,
  matmul,
  mul,
  pow,
  ravel,
  sum,
  tanh,
  tensor,
  treeDot,
  Tensor,
} from '../../src/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { AD_MODES, EPS, norm, relErr } from '../support/numeric.js';
import { l2Logistic } from '../../scripts/models.js';

describe('∇ₓ(vᵀH(x)v) for f = Σ xᵢ⁴', () => {
  // H = diag(12xᵢ²), so vᵀHv = Σ 12xᵢ²vᵢ² and ∇ₓ(vᵀHv) = 24·x⊙v⊙v.
  const f = (x: Tensor) => sum(pow(x, 4));
  const rng = createRandom(1);
  const n = 7;
  const x = rng.normals(n);
  const v = rng.normals(n);
  const closed = x.map((xi, i) => 24 * xi * v[i]! * v[i]!);
  const vtHv = (mode: (typeof HVP_MODES)[number], step?: number) => (z: Tensor) =>
    dot(hvp(f, z, tensor(v), step === undefined ? { mode } : { mode, step }), tensor(v));

  it('every AD mode of hvp, differentiated by grad, gives 24·x⊙v² to 1e-12', () => {
    for (const mode of AD_MODES) {
      const g = grad(vtHv(mode))(tensor(x));
      expect(g.shape).toEqual([n]);
      expect(relErr(g.data, closed)).toBeLessThanOrEqual(1e-12);
    }
  });

  it("'finite-difference' differentiates to (H(x+rv)v − H(x)v)/r = 24·x⊙v² + 12r·v³ exactly (∇⁵f = 0)", () => {
    // The remainder of the one-sided difference is (r/2)·∇⁴f[v,v,v] = (r/2)·24v³ with nothing
    // after it, so the prediction is exact up to rounding, ≈ ε·‖12(x+rv)²v²‖/r ≈ 1e-8 relative
    // with r ≈ 1.5e-8; checked at 1e-6. A user step of 1e-3 makes the r-term visible.
    for (const step of [undefined, 1e-3]) {
      const g = grad(vtHv('finite-difference', step))(tensor(x));
      const r = step ?? (Math.sqrt(EPS) * (1 + norm(x))) / norm(v);
      const predicted = closed.map((c, i) => c + 12 * r * v[i]! ** 3);
      expect(relErr(g.data, predicted)).toBeLessThan(1e-6);
    }
  });

  it("'central-difference' differentiates to 24·x⊙v² (its r² term involves ∇⁵f = 0)", () => {
    // Rounding only: ≈ ε·‖12(x+rv)²v²‖/r with r ≈ 6e-6·(1+‖x‖)/‖v‖: ≈ 1e-10 relative; checked at 1e-8.
    const g = grad(vtHv('central-difference'))(tensor(x));
    expect(relErr(g.data, closed)).toBeLessThan(1e-8);
  });

  it('fourth order: the Hessian of x ↦ vᵀH(x)v is diag(24·v²)', () => {
    for (const mode of AD_MODES) {
      const H4 = hessian(vtHv(mode), tensor(x));
      expect(H4.shape).toEqual([n, n]);
      const expected = new Float64Array(n * n);
      for (let i = 0; i < n; i++) expected[i * n + i] = 24 * v[i]! * v[i]!;
      expect(relErr(H4.data, expected)).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('third order on L2-regularised logistic regression (closed form)', () => {
  // vᵀH(w)v = (1/N)Σ s₂(zᵢ)(xᵢᵀv)² + λ‖v‖²  ⇒  ∇_w = (1/N) Σ s₃(zᵢ)(xᵢᵀv)² xᵢ,
  // and T[u,v,·] = (1/N) Σ s₃(zᵢ)(xᵢᵀu)(xᵢᵀv) xᵢ, with s₃ = σ(1−σ)(1−2σ).
  const N = 30;
  const d = 4;
  const lambda = 0.05;
  const rng = createRandom(7);
  const X = rng.normals(N * d);
  const y = new Float64Array(N).map(() => (rng.uniform() < 0.4 ? 1 : 0));
  const f = l2Logistic(tensor(X, [N, d]), tensor(y), lambda);
  const w = rng.normals(d);
  const u = rng.normals(d);
  const v = rng.normals(d);

  function T(a: Float64Array, b: Float64Array): Float64Array {
    const out = new Float64Array(d);
    for (let i = 0; i < N; i++) {
      let z = 0;
      let xa = 0;
      let xb = 0;
      for (let k = 0; k < d; k++) {
        z += X[i * d + k]! * w[k]!;
        xa += X[i * d + k]! * a[k]!;
        xb += X[i * d + k]! * b[k]!;
      }
      const s = 1 / (1 + Math.exp(-z));
      const c = (s * (1 - s) * (1 - 2 * s) * xa * xb) / N;
      for (let j = 0; j < d; j++) out[j]! += c * X[i * d + j]!;
    }
    return out;
  }

  it('∇ₓ(vᵀH(x)v) through every AD mode equals T[v,v,·]', () => {
    const expected = T(v, v);
    for (const mode of AD_MODES) {
      const g = grad((z: Tensor) => dot(hvp(f, z, tensor(v), { mode }), tensor(v)))(tensor(w));
      expect(relErr(g.data, expected)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('mixed directions: grad of uᵀH v, grad of vᵀH u and the JVP of H(x)v along u all equal T[u,v,·]', () => {
    const expected = T(u, v);
    for (const mode of AD_MODES) {
      const a = grad((z: Tensor) => dot(hvp(f, z, tensor(v), { mode }), tensor(u)))(tensor(w));
      const b = grad((z: Tensor) => dot(hvp(f, z, tensor(u), { mode }), tensor(v)))(tensor(w));
      const c = jvp((z: Tensor) => hvp(f, z, tensor(v), { mode }), tensor(w), tensor(u)).tangent;
      for (const r of [a, b, c]) expect(relErr(r.data, expected)).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('third order on a tanh network, against central differences of x ↦ vᵀH(x)v', () => {
  const rng = createRandom(11);
  const n = 5;
  const A = tensor(
    rng.normals(6 * n).map((t) => 0.5 * t),
    [6, n],
  );
  const c = tensor(rng.normals(6));
  const f = (x: Tensor) => add(dot(c, tanh(matmul(A, x))), mul(0.1, sum(pow(x, 4))));
  const x = rng.normals(n).map((t) => 0.5 * t);
  const v = rng.normals(n);
  const q = (z: Float64Array) => dot(hvp(f, tensor(z), tensor(v)), tensor(v)).item();

  it('every AD mode matches the central difference (h = 1e-4) to 1e-7 relative', () => {
    const h = 1e-4;
    const reference = new Float64Array(n);
    for (let j = 0; j < n; j++) {
      const plus = x.slice();
      const minus = x.slice();
      plus[j]! += h;
      minus[j]! -= h;
      reference[j] = (q(plus) - q(minus)) / (2 * h);
    }
    for (const mode of AD_MODES) {
      const g = grad((z: Tensor) => dot(hvp(f, z, tensor(v), { mode }), tensor(v)))(tensor(x));
      expect(relErr(g.data, reference)).toBeLessThan(1e-7);
    }
  });

  it('the three AD modes agree with each other to 1e-12', () => {
    const results = AD_MODES.map(
      (mode) => grad((z: Tensor) => dot(hvp(f, z, tensor(v), { mode }), tensor(v)))(tensor(x)).data,
    );
    expect(relErr(results[1]!, results[0]!)).toBeLessThanOrEqual(1e-12);
    expect(relErr(results[2]!, results[0]!)).toBeLessThanOrEqual(1e-12);
  });
});

describe('third order through hvp on trees', () => {
  it('grad of treeDot(hvp(f, p, v), v) over { w, b } equals the flat computation', () => {
    const rng = createRandom(13);
    const Xt = tensor(rng.normals(4 * 3), [4, 3]);
    type P = { w: Tensor; b: Tensor };
    const f = (p: P) => sum(pow(tanh(add(matmul(Xt, p.w), p.b)), 2));
    const p: P = {
      w: tensor(
        rng.normals(6).map((t) => 0.5 * t),
        [3, 2],
      ),
      b: tensor(rng.normals(2)),
    };
    const v: P = { w: tensor(rng.normals(6), [3, 2]), b: tensor(rng.normals(2)) };
    const { vector: pFlat, unravel } = ravel(p);
    const vFlat = ravel(v).vector;
    const fFlat = (z: Tensor) => f(unravel(z));
    for (const mode of AD_MODES) {
      const tree = grad((q: P) => treeDot(hvp(f, q, v, { mode }), v))(p);
      expect(tree.w.shape).toEqual([3, 2]);
      expect(tree.b.shape).toEqual([2]);
      const flat = grad((z: Tensor) => dot(hvp(fFlat, z, vFlat, { mode }), vFlat))(pFlat);
      expect(relErr(ravel(tree).vector.data, flat.data)).toBeLessThanOrEqual(1e-12);
    }
  });
});

describe('the dense Hessian stays differentiable after its arguments are checked', () => {
  it('∇ₓ trace H(x) through hessian(f, { mode })(x) is 24·x for f = Σ xᵢ⁴, in every AD mode, to 1e-12', () => {
    // trace H = Σ 12xᵢ², so its gradient is 24x: a few flops per entry from the closed form.
    const f = (x: Tensor) => sum(pow(x, 4));
    const x = createRandom(7).normals(5);
    const closed = x.map((xi) => 24 * xi);
    for (const mode of AD_MODES) {
      const trace = (z: Tensor) => {
        const H = hessian(f, { mode })(z);
        return sum(
          mul(
            H,
            tensor(
              Float64Array.from({ length: 25 }, (_, k) => (k % 6 === 0 ? 1 : 0)),
              [5, 5],
            ),
          ),
        );
      };
      expect(relErr(grad(trace)(tensor(x)).data, closed)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('hvp checks x and v once at entry, and still accepts the traced values of an outer transform', () => {
    // a traced x is a Tensor of a higher level: the checks must not reject it or read it as data
    const f = (x: Tensor) => sum(pow(x, 4));
    const v = tensor([1, 2]);
    const g = grad((z: Tensor) => dot(hvp(f, z, v, { mode: 'rev-over-rev' }), v))(tensor([0.5, -1]));
    expect(Array.from(g.data)).toEqual([24 * 0.5 * 1, 24 * -1 * 4]);
  });
});
