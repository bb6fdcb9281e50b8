/**
 * Nested differentiation: perturbation confusion, derivatives of high order, every composition
 * order of the Hessian-vector product, and trees.
 *
 * References are closed forms or, for HVPs of arbitrary functions, central differences of the
 * gradient. Tolerances, from float64 arithmetic:
 * - closed forms computed by a handful of correctly rounded operations on O(1) values: a few ε
 *   each, so 1e-14 absolute (≈ 45ε);
 * - high-order derivatives: each order multiplies the graph's size and sums more rounded terms;
 *   the bound is stated in ε units of the magnitude of the terms (Σ|cᵢ||t|ⁱ) next to each test;
 * - HVPs computed four ways: the same mathematical sums in different orders, n ≤ 12 terms with
 *   O(1) condition, so they agree to ~nε·κ; we ask 1e-12 relative to ‖Hv‖∞;
 * - central differences of the gradient with step h = 1e-5 carry truncation error
 *   h²/6·‖∇⁴f‖ ≈ 2e-11·‖∇⁴f‖ and rounding error ε‖∇f‖/h ≈ 2e-11·‖∇f‖: we ask 1e-8 relative.
 */
import { describe, expect, it } from 'vitest';
import {
  type Tensor,
  add,
  dot,
  exp,
  grad,
  jacobian,
  jvp,
  linearize,
  log,
  logSoftmax,
  matmul,
  mul,
  randn,
  ravel,
  reshape,
  scalar,
  sin,
  sqrt,
  square,
  sub,
  sum,
  take,
  tanh,
  tensor,
  valueAndGrad,
} from '../../src/autodiff/index.js';

type ScalarFn = (x: Tensor) => Tensor;
/** A derivative operator on scalar functions of a scalar. */
type Derivative = (f: ScalarFn) => ScalarFn;

/** D built from forward mode: the tangent along 1. */
const fromJvp: Derivative = (f) => (x) => jvp(f, x, scalar(1)).tangent;
/** D built from reverse mode: the gradient. */
const fromGrad: Derivative = (f) => grad(f);
const derivatives: ReadonlyArray<readonly [string, Derivative]> = [
  ['jvp', fromJvp],
  ['grad', fromGrad],
];
const pairs = derivatives.flatMap(([a, da]) =>
  derivatives.map(([b, db]) => [`outer ${a}, inner ${b}`, da, db] as const),
);

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

function normInf(a: Tensor): number {
  let m = 0;
  for (const v of a.data) m = Math.max(m, Math.abs(v));
  return m;
}

describe('perturbation confusion (Siskind & Pearlmutter)', () => {
  for (const [label, outer, inner] of pairs) {
    it(`D(x ↦ x·D(y ↦ x + y)(1))(1) = 1 (${label})`, () => {
      const value = outer((x) => mul(x, inner((y) => add(x, y))(scalar(1))))(scalar(1));
      // Exactly 1: the inner derivative is exactly 1 and the outer one of x·1 exactly 1.
      expect(value.item()).toBe(1);
    });

    it(`D(x ↦ x·D(y ↦ x·y)(1))(4) = 8 (${label})`, () => {
      const value = outer((x) => mul(x, inner((y) => mul(x, y))(scalar(1))))(scalar(4));
      expect(value.item()).toBe(8);
    });
  }

  const norm = (v: Tensor): Tensor => sqrt(sum(square(v)));
  const gradients: ReadonlyArray<readonly [string, (f: ScalarFn) => ScalarFn]> = [
    ['grad', (f) => grad(f)],
    ['forward-mode jacobian', (f) => jacobian(f, { mode: 'fwd' })],
  ];
  for (const [outerName, outerGradient] of gradients) {
    for (const [innerName, inner] of derivatives) {
      it(`∇(v ↦ sum(v)·D(y ↦ y·‖v‖)(1)) = ∇(v ↦ sum(v)·‖v‖) (∇ by ${outerName}, D by ${innerName})`, () => {
        const v = tensor([0.3, -1.2, 2.0, 0.7]);
        const confused = outerGradient((w) => mul(sum(w), inner((y) => mul(y, norm(w)))(scalar(1))))(v);
        const direct = outerGradient((w) => mul(sum(w), norm(w)))(v);
        // Closed form: ∇(s·r) = r·1 + s·v/r with s = Σv, r = ‖v‖.
        const s = 0.3 - 1.2 + 2.0 + 0.7;
        const r = Math.hypot(0.3, -1.2, 2.0, 0.7);
        const closed = tensor([0.3, -1.2, 2.0, 0.7].map((vi) => r + (s * vi) / r));
        expect(maxAbsDiff(confused, closed)).toBeLessThan(1e-14);
        expect(maxAbsDiff(direct, closed)).toBeLessThan(1e-14);
      });
    }
  }
});

describe('high-order derivatives', () => {
  const points = [-1.3, -0.4, 0.2, 0.9, 1.7];

  /** Applies a list of derivative operators, innermost first. */
  const nest = (f: ScalarFn, ds: readonly Derivative[]): ScalarFn => ds.reduce((g, d) => d(g), f);

  const fourth: ReadonlyArray<readonly [string, Derivative[]]> = [
    ['grad∘grad∘grad∘grad', [fromGrad, fromGrad, fromGrad, fromGrad]],
    ['jvp∘jvp∘jvp∘jvp', [fromJvp, fromJvp, fromJvp, fromJvp]],
    ['grad∘jvp∘grad∘jvp', [fromJvp, fromGrad, fromJvp, fromGrad]],
    ['jvp∘jvp∘grad∘grad', [fromGrad, fromGrad, fromJvp, fromJvp]],
  ];
  for (const [label, ds] of fourth) {
    it(`4th derivative of sin is sin (${label})`, () => {
      const d4 = nest(sin, ds);
      // Each order multiplies by cos/sin and ±1 of O(1) values: a few roundings, far below 1e-14.
      for (const x of points) expect(Math.abs(d4(scalar(x)).item() - Math.sin(x))).toBeLessThan(1e-14);
    });
  }

  // dⁿ/dxⁿ tanh x = Pₙ(tanh x) with P₀(t) = t and Pₙ₊₁(t) = Pₙ′(t)·(1 − t²), since dt/dx = 1 − t².
  const derivePolynomial = (c: readonly number[]): number[] => c.slice(1).map((ci, i) => (i + 1) * ci);
  const timesOneMinusTSquared = (c: readonly number[]): number[] =>
    Array.from({ length: c.length + 2 }, (_, i) => (c[i] ?? 0) - (c[i - 2] ?? 0));
  const tanhPolynomial = (order: number): number[] => {
    let p = [0, 1];
    for (let k = 0; k < order; k++) p = timesOneMinusTSquared(derivePolynomial(p));
    return p;
  };

  it('the tanh derivative polynomials start as the textbook ones', () => {
    // A sanity check of the recurrence itself: tanh′ = 1 − t², tanh″ = −2t + 2t³.
    expect(tanhPolynomial(1)).toEqual([1, 0, -1]);
    expect(tanhPolynomial(2).slice(0, 4)).toEqual([0, -2, 0, 2]);
  });

  const sixth: ReadonlyArray<readonly [string, Derivative[]]> = [
    ['grad⁶', Array<Derivative>(6).fill(fromGrad)],
    ['jvp⁶', Array<Derivative>(6).fill(fromJvp)],
    ['grad and jvp alternating', [fromGrad, fromJvp, fromGrad, fromJvp, fromGrad, fromJvp]],
    ['jvp³ over grad³', [fromGrad, fromGrad, fromGrad, fromJvp, fromJvp, fromJvp]],
  ];
  for (const [label, ds] of sixth) {
    it(`6th derivative of tanh equals P₆(tanh x) (${label})`, () => {
      const p = tanhPolynomial(6);
      const d6 = nest(tanh, ds);
      for (const x of points) {
        const t = Math.tanh(x);
        let value = 0;
        let terms = 0;
        p.forEach((c, i) => {
          value += c * t ** i;
          terms += Math.abs(c * t ** i);
        });
        // Both sides sum terms of total size Σ|cᵢ||t|ⁱ (up to ~3·10³ here) with heavy cancellation
        // (the value is ~10); the AD side through a graph of a few hundred nodes. The error is an
        // accumulation of roundings of that scale: we allow 1e-14·Σ|cᵢ||t|ⁱ ≈ 45ε (seen: ≤ 1ε).
        expect(Math.abs(d6(scalar(x)).item() - value)).toBeLessThan(1e-14 * terms);
      }
    });
  }

  // f(x) = eˣ sin x: f′ = eˣ(sin x + cos x), f″ = 2eˣ cos x, f‴ = 2eˣ(cos x − sin x).
  const f = (x: Tensor): Tensor => mul(exp(x), sin(x));
  const orders2: ReadonlyArray<readonly [string, Derivative[]]> = [
    ['grad∘grad', [fromGrad, fromGrad]],
    ['jvp∘grad (forward over reverse)', [fromGrad, fromJvp]],
    ['grad∘jvp (reverse over forward)', [fromJvp, fromGrad]],
    ['jvp∘jvp', [fromJvp, fromJvp]],
  ];
  for (const [label, ds] of orders2) {
    it(`second derivative of eˣ sin x (${label})`, () => {
      for (const x of points)
        expect(Math.abs(nest(f, ds)(scalar(x)).item() - 2 * Math.exp(x) * Math.cos(x))).toBeLessThan(
          1e-14 * Math.exp(Math.abs(x)) * 4,
        );
    });
  }
  const combos3 = [fromGrad, fromJvp].flatMap((a) =>
    [fromGrad, fromJvp].flatMap((b) => [fromGrad, fromJvp].map((c) => [a, b, c])),
  );
  combos3.forEach((ds) => {
    const label = ds
      .map((d) => (d === fromGrad ? 'grad' : 'jvp'))
      .reverse()
      .join('∘');
    it(`third derivative of eˣ sin x (${label})`, () => {
      // Values up to 2e^1.7·√2 ≈ 15; terms of that size with a few dozen roundings: 1e-14·8e^|x|.
      for (const x of points) {
        const want = 2 * Math.exp(x) * (Math.cos(x) - Math.sin(x));
        expect(Math.abs(nest(f, ds)(scalar(x)).item() - want)).toBeLessThan(1e-14 * 8 * Math.exp(Math.abs(x)));
      }
    });
  });
});

describe('Hessian-vector products: every composition order agrees', () => {
  const W = randn([4, 5], 11);
  const smooth = (x: Tensor): Tensor => mul(sum(tanh(matmul(W, x))), log(add(1, sum(square(x)))));
  const features = randn([4], 12);
  const crossEntropy = (x: Tensor): Tensor => {
    const logits = add(matmul(reshape(x, [3, 4]), features), tensor([0.1, -0.2, 0.3]));
    return sub(0, sum(take(logSoftmax(logits), [2])));
  };
  const cases: ReadonlyArray<readonly [string, ScalarFn, number]> = [
    ['sum(tanh(W x))·log(1 + ‖x‖²)', smooth, 5],
    ['softmax cross-entropy of an affine map', crossEntropy, 12],
  ];

  for (const [name, f, n] of cases) {
    it(`fwd-over-rev = rev-over-rev = rev-over-fwd = linearize(grad) = grad(linearize) = central differences for ${name}`, () => {
      for (const seed of [1, 2, 3]) {
        const x = randn([n], 100 + seed);
        const v = randn([n], 200 + seed);
        const g = grad(f);
        const fwdOverRev = jvp(g, x, v).tangent;
        const revOverRev = grad((y: Tensor) => dot(g(y), v))(x);
        const revOverFwd = grad((y: Tensor) => jvp(f, y, v).tangent)(x);
        const linearized = linearize(g, x).jvp(v);
        // Reverse over a linearization: the forward sweep's rules are differentiable too.
        const revOverLinearize = grad((y: Tensor) => linearize(f, y).jvp(v))(x);
        const scale = normInf(fwdOverRev);
        for (const other of [revOverRev, revOverFwd, linearized, revOverLinearize])
          expect(maxAbsDiff(other, fwdOverRev)).toBeLessThan(1e-12 * scale);

        // Forward over forward gives the bilinear form: wᵀHv = ⟨w, Hv⟩.
        const w = randn([n], 300 + seed);
        const bilinear = jvp((y: Tensor) => jvp(f, y, v).tangent, x, w).tangent.item();
        expect(Math.abs(bilinear - dot(w, fwdOverRev).item())).toBeLessThan(1e-12 * scale * n * normInf(w));

        // Independent reference: central differences of the gradient.
        const h = 1e-5;
        const central = mul(sub(g(add(x, mul(v, h))), g(sub(x, mul(v, h)))), 1 / (2 * h));
        expect(maxAbsDiff(central, fwdOverRev)).toBeLessThan(1e-8 * Math.max(scale, 1));
      }
    });
  }
});

describe('trees', () => {
  const a = tensor([1, -2, 0.5]);
  const model = ({ w, b }: { w: Tensor; b: Tensor }): Tensor => sum(square(add(matmul(w, a), b)));

  it('grad of f({ w, b }) keeps the structure and equals the closed form', () => {
    const w = tensor([
      [0.2, 0.1, -0.3],
      [1.0, 0.4, 0.0],
    ]);
    const b = tensor([0.5, -1]);
    const g = grad(model)({ w, b });
    expect(Object.keys(g)).toEqual(['w', 'b']);
    // r = w a + b; ∇_b = 2r, ∇_w = 2 r aᵀ.
    const r = [0.2 * 1 + 0.1 * -2 + -0.3 * 0.5 + 0.5, 1.0 * 1 + 0.4 * -2 + 0 + -1];
    expect(g.b.shape).toEqual([2]);
    expect(g.w.shape).toEqual([2, 3]);
    expect(Array.from(g.b.data)).toEqual(r.map((ri) => 2 * ri));
    r.forEach((ri, i) => [1, -2, 0.5].forEach((aj, j) => expect(g.w.data[i * 3 + j]).toBeCloseTo(2 * ri * aj, 14)));
  });

  it('nested arrays and objects round-trip through grad and valueAndGrad', () => {
    const params = { layers: [{ w: tensor([1, 2]) }, { w: tensor([3]) }], scale: tensor(2) };
    const f = (p: typeof params): Tensor => mul(p.scale, add(sum(square(p.layers[0]!.w)), sum(square(p.layers[1]!.w))));
    const { value, grad: g } = valueAndGrad(f)(params);
    expect(value.item()).toBe(2 * (1 + 4 + 9));
    expect(Array.isArray(g.layers)).toBe(true);
    expect(Array.from(g.layers[0]!.w.data)).toEqual([4, 8]);
    expect(Array.from(g.layers[1]!.w.data)).toEqual([12]);
    expect(g.scale.item()).toBe(14);
  });

  it('ravel and unravel round-trip, and are differentiable', () => {
    const tree = { w: randn([2, 3], 5), b: randn([2], 6), extra: [randn([], 7)] };
    const { vector, unravel } = ravel(tree);
    expect(vector.shape).toEqual([9]);
    expect(Array.from(vector.data)).toEqual([...tree.w.data, ...tree.b.data, ...tree.extra[0]!.data]);
    const back = unravel(vector);
    expect(Array.from(back.w.data)).toEqual(Array.from(tree.w.data));
    expect(back.w.shape).toEqual([2, 3]);
    expect(back.extra[0]!.shape).toEqual([]);

    // The gradient through unravel is the raveled gradient of the tree function.
    const f = (p: typeof back): Tensor => add(sum(mul(p.w, p.w)), mul(sum(p.b), p.extra[0]!));
    const viaVector = grad((v: Tensor) => f(unravel(v)))(vector);
    const viaTree = ravel(grad(f)(tree)).vector;
    expect(Array.from(viaVector.data)).toEqual(Array.from(viaTree.data));
    // And through ravel (forward mode): d ravel(tree)·t = ravel(t).
    const t = { w: randn([2, 3], 8), b: randn([2], 9), extra: [randn([], 10)] };
    expect(Array.from(jvp((p: typeof tree) => ravel(p).vector, tree, t).tangent.data)).toEqual(
      Array.from(ravel(t).vector.data),
    );
  });

  it('gives zero gradients to inputs the output does not depend on', () => {
    const g = grad(({ used }: { used: Tensor; unused: Tensor }) => sum(square(used)))({
      used: tensor([1, 2]),
      unused: tensor([[5, 6, 7]]),
    });
    expect(g.unused.shape).toEqual([1, 3]);
    expect(Array.from(g.unused.data)).toEqual([0, 0, 0]);
    expect(Array.from(g.used.data)).toEqual([2, 4]);
    // A constant function, in both modes.
    expect(grad((_x: Tensor) => scalar(3))(tensor([1, 2])).toArray()).toEqual(new Float64Array(2));
    expect(jvp((_x: Tensor) => scalar(3), tensor([1, 2]), tensor([1, 1])).tangent.item()).toBe(0);
  });

  it('accumulates fan-out: x used many times', () => {
    // f(x) = x + Σ₁¹⁰ x² = x + 10x²: f′ = 1 + 20x, f″ = 20.
    const f = (x: Tensor): Tensor => {
      let y = x;
      for (let k = 0; k < 10; k++) y = add(y, mul(x, x));
      return y;
    };
    for (const x of [-0.5, 0.25, 3]) {
      expect(grad(f)(scalar(x)).item()).toBe(1 + 20 * x);
      expect(grad(grad(f))(scalar(x)).item()).toBe(20);
      expect(jvp(grad(f), scalar(x), scalar(1)).tangent.item()).toBe(20);
    }
    // A vector used in several branches: ∇(sum(x)·sum(x) + dot(x, x)) = 2 sum(x)·1 + 2x.
    const x = tensor([1, 2, 3]);
    expect(Array.from(grad((y: Tensor) => add(mul(sum(y), sum(y)), dot(y, y)))(x).data)).toEqual([14, 16, 18]);
  });
});

describe('memoised rule coefficients under nesting', () => {
  // linearize marks its tape as replayed, so elementwise rules memoise f′(x) per node. When the
  // linearisation itself runs inside an outer grad, those memoised coefficients are traced by the
  // outer level and must still carry their derivative: ∇ₓ(vᵀH(x)v) for f = Σ tanh(xᵢ)·xᵢ³ …
  it('differentiates through a replayed linearize, twice in a row, to the closed form', async () => {
    const m = await import('../../src/index.js');
    const f = (x: Tensor) => m.sum(m.mul(m.tanh(x), m.pow(x, 3)));
    const x0 = m.tensor([0.3, -0.7, 1.1]);
    const v = m.tensor([1, 2, -1]);
    // vᵀH(x)v = Σ vᵢ² g″(xᵢ) with g(t) = tanh(t)·t³; its gradient is vᵢ² g‴(xᵢ), from the
    // closed forms of tanh's derivatives (s = sech² = 1 − tanh²).
    const g3 = (t: number): number => {
      const th = Math.tanh(t);
      const s = 1 - th * th;
      const d1 = s;
      const d2 = -2 * th * s;
      const d3 = -2 * s * s + 4 * th * th * s;
      return d3 * t ** 3 + 3 * d2 * 3 * t ** 2 + 3 * d1 * 6 * t + th * 6;
    };
    const expected = Array.from(x0.data, (t, i) => v.data[i]! ** 2 * g3(t));
    const quadraticForm = (x: Tensor) => {
      const { jvp: Hv } = m.linearize(m.grad(f), x);
      Hv(v); // a first sweep fills the memo …
      return m.dot(Hv(v), v); // … and the second reuses it
    };
    const got = m.grad(quadraticForm)(x0);
    got.data.forEach((value, i) => expect(value).toBeCloseTo(expected[i]!, 12));
  });
});
