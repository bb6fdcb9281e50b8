/**
 * The generic op checker: every catalogue entry × shape gets
 *
 * 1. its value compared with the entry's plain-loop reference, and
 * 2. `checkGrads` at order 3 in both modes — which checks order 1 (f itself), order 2 (its jvp
 *    and vjp maps) and order 3 (theirs): 7 functions × 2 modes = 14 comparisons against central
 *    differences. Piecewise-constant ops must also give exactly zero derivatives, and
 *    stopGradient (whose value moves but whose derivative is zero by definition) is checked for
 *    exact zeros instead of against differences.
 *
 * A coverage test fails if an op exported from `src/autodiff/ops/index.ts` has no catalogue entry.
 *
 * Value tolerance: references sum in a different order and evaluate compositions (softmax,
 * logSumExp) along a different but equivalent path. Sums of n ≤ 24 terms differ by at most
 * 2γₙ·Σ|terms| ≈ 48ε·Σ|terms|; a composition whose argument carries absolute error ε·|x|
 * differs by about ε·|x| relative. So we allow 64ε·max(1, max|reference|, max|input|) — tight
 * enough that any wrong index, axis or broadcast shows (those are O(1) errors).
 */
import { describe, expect, it } from 'vitest';
import { checkGrads } from '../../src/autodiff/check-grads.js';
import * as ops from '../../src/autodiff/ops/index.js';
import { ShapeError, InvalidArgumentError } from '../../src/errors.js';
import { type Tensor, grad, jacobian, jvp, ravel, reshape, tensor, vjp, zeros } from '../../src/autodiff/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { catalogue, sampleInputs, type CatalogueEntry, type Naive, type Shape } from './op-catalogue.js';

const EPS = Number.EPSILON;

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function inputsFor(entry: CatalogueEntry, shapes: readonly Shape[]): Tensor[] {
  const rng = createRandom(seedOf(`${entry.name} ${JSON.stringify(shapes)}`));
  return sampleInputs(entry, shapes, rng).map((data, i) => tensor(data, shapes[i]!));
}

const describeShapes = (shapes: readonly Shape[]): string => shapes.map((s) => `[${s.join(',')}]`).join(' ');

describe('op catalogue coverage', () => {
  it('lists every op exported from src/autodiff/ops/index.ts', () => {
    const exported = Object.entries(ops)
      .filter(([, v]) => typeof v === 'function')
      .map(([k]) => k)
      .sort();
    const enrolled = new Set(catalogue.map((e) => e.op));
    expect(exported.filter((name) => !enrolled.has(name))).toEqual([]);
    // …and every entry names a real op, so a typo cannot fake coverage.
    expect([...enrolled].filter((name) => !exported.includes(name))).toEqual([]);
  });

  it('has unique entry names', () => {
    const names = catalogue.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
  });
});

for (const entry of catalogue) {
  describe(entry.name, () => {
    for (const shapes of entry.shapes) {
      const label = describeShapes(shapes);

      it(`value matches the loop reference for ${label}`, () => {
        const xs = inputsFor(entry, shapes);
        const got = entry.fn(...xs);
        const want = entry.reference(...xs.map((x): Naive => ({ shape: x.shape, data: Array.from(x.data) })));
        expect(got.shape).toEqual(want.shape);
        let magnitude = 1;
        for (const v of want.data) magnitude = Math.max(magnitude, Math.abs(v));
        for (const x of xs) for (const v of x.data) magnitude = Math.max(magnitude, Math.abs(v));
        const tolerance = 64 * EPS * magnitude;
        want.data.forEach((w, k) => {
          const g = got.data[k]!;
          if (!(Math.abs(g - w) <= tolerance))
            throw new Error(`${entry.name} ${label}: entry ${k} is ${g}, reference ${w}`);
        });
      });

      if (entry.derivative === 'stop') {
        it(`has exactly zero derivatives at orders 1 and 2 for ${label}`, () => {
          const xs = inputsFor(entry, shapes);
          const f = (args: Tensor[]) => entry.fn(...args);
          const v = xs.map((x) => ops.mul(x, 0.5));
          expectZero(jvp(f, xs, v).tangent);
          const { value, pullback } = vjp(f, xs);
          pullback(ops.add(value, 1)).forEach(expectZero);
          // Second order: the jvp map x ↦ jvp(f, x, v).tangent is identically zero, so are its derivatives.
          const { pullback: second } = vjp((args: Tensor[]) => jvp(f, args, v).tangent, xs);
          second(ops.add(value, 1)).forEach(expectZero);
        });
        continue;
      }

      it(`derivatives of orders 1–3 (fwd and rev) match central differences for ${label}`, () => {
        const xs = inputsFor(entry, shapes);
        const summary = checkGrads((args: Tensor[]) => entry.fn(...args), xs, { order: 3, ...(entry.check ?? {}) });
        expect(summary.checks).toBe(14);
        expect(summary.maxRelativeError).toBeLessThanOrEqual(1e-6);
      });

      if (entry.derivative === 'piecewise-constant') {
        it(`has exactly zero derivatives for ${label}`, () => {
          const xs = inputsFor(entry, shapes);
          const f = (args: Tensor[]) => entry.fn(...args);
          expectZero(jvp(f, xs, xs).tangent);
          const { value, pullback } = vjp(f, xs);
          pullback(ops.add(value, 1)).forEach(expectZero);
        });
      }
    }
  });
}

function expectZero(t: Tensor): void {
  expect(Array.from(ravel(t).vector.data).every((v) => v === 0)).toBe(true);
}

describe('documented choices where the derivative does not exist', () => {
  const gradientOf = (f: (x: Tensor) => Tensor, x: number[]): number[] =>
    Array.from(grad((y: Tensor) => ops.sum(f(y)))(tensor(x)).data);

  it('relu′(0) = 0 and abs′(0) = 0 (the subgradient closest to zero), second derivatives 0', () => {
    expect(gradientOf(ops.relu, [0, 1, -1])).toEqual([0, 1, 0]);
    expect(gradientOf(ops.abs, [0, 1, -1])).toEqual([0, 1, -1]);
    expect(Array.from(grad(grad((y: Tensor) => ops.sum(ops.relu(y))))(tensor([0.5])).data)).toEqual([0]);
  });

  it('max splits the gradient evenly between tied maxima', () => {
    expect(gradientOf((y) => ops.max(y), [1, 3, 3])).toEqual([0, 0.5, 0.5]);
    const rows = grad((y: Tensor) => ops.sum(ops.max(y, 1)))(
      tensor([
        [3, 3, 1],
        [2, 5, 5],
      ]),
    );
    expect(rows.toNested()).toEqual([
      [0.5, 0.5, 0],
      [0, 0.5, 0.5],
    ]);
  });

  it('maximum and minimum give a tie to their first argument', () => {
    for (const op of [ops.maximum, ops.minimum]) {
      const [ga, gb] = grad((p: Tensor[]) => ops.sum(op(p[0]!, p[1]!)))([tensor([2, 1]), tensor([2, 5])]);
      expect(Array.from(ga!.data)).toEqual([1, op === ops.maximum ? 0 : 1]);
      expect(Array.from(gb!.data)).toEqual([0, op === ops.maximum ? 1 : 0]);
    }
  });

  it('logSumExp of an all −∞ slice is −∞ (not NaN), and −∞ entries get zero gradient', () => {
    expect(ops.logSumExp(tensor([-Infinity, -Infinity])).item()).toBe(-Infinity);
    expect(gradientOf((y) => ops.logSumExp(y), [-Infinity, 0])).toEqual([0, 1]);
  });
});

describe('prod is exact where entries are zero, at every order (no division by x)', () => {
  // Closed forms for p(x) = Πₖ xₖ: ∂p/∂xᵢ = Π_{k≠i} xₖ, ∂²p/∂xᵢ∂xⱼ = Π_{k≠i,j} xₖ (i ≠ j) and 0 on
  // the diagonal, ∂³p/∂xᵢ∂xⱼ∂xₗ = Π_{k≠i,j,l} xₖ for distinct i, j, l and 0 otherwise. The entries
  // are small dyadic numbers, so every product is exact and the comparison is equality.
  const productExcept = (x: readonly number[], skip: readonly number[]): number =>
    new Set(skip).size < skip.length ? 0 : x.reduce((p, v, k) => (skip.includes(k) ? p : p * v), 1);
  /** The values of a tensor, flat, with −0 read as 0 (a product with a zero factor may carry either sign). */
  const flat = (t: Tensor): number[] => Array.from(t.toArray(), (v) => v + 0);
  const unsigned = (vs: readonly number[]): number[] => vs.map((v) => v + 0);
  const p = (x: Tensor) => ops.prod(x);
  const hessianOf = (x: Tensor, mode: 'fwd' | 'rev') => jacobian(grad(p), { mode })(x);
  const thirdOf = (x: Tensor) => jacobian((y: Tensor) => reshape(jacobian(grad(p))(y), [-1]), { mode: 'fwd' })(x);

  for (const [label, x] of [
    ['one zero', [0, 2, 3, -1.5, 0.5]],
    ['two zeros', [0, 2, 0, 3, 1.5, -0.5]],
    ['a zero in the unpaired last place', [2, -1.5, 3, 0.5, 4, 0.25, 0]],
  ] as const) {
    const n = x.length;
    const at = tensor([...x]);

    it(`gradient with ${label}`, () => {
      expect(flat(grad(p)(at))).toEqual(unsigned(x.map((_, i) => productExcept(x, [i]))));
    });

    it(`Hessian with ${label}, forward-over-reverse and reverse-over-reverse`, () => {
      const want: number[] = [];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) want.push(productExcept(x, [i, j]));
      expect(flat(hessianOf(at, 'fwd'))).toEqual(unsigned(want));
      expect(flat(hessianOf(at, 'rev'))).toEqual(unsigned(want));
    });

    it(`third derivative with ${label}`, () => {
      const want: number[] = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) for (let l = 0; l < n; l++) want.push(productExcept(x, [i, j, l]));
      expect(flat(thirdOf(at))).toEqual(unsigned(want));
    });
  }

  it('along an axis: each row’s gradient is its own closed form', () => {
    const rows = [
      [0, 2, 3],
      [1.5, 0, 0],
      [2, -1, 4],
    ];
    const g = grad((y: Tensor) => ops.sum(ops.prod(y, 1)))(tensor(rows));
    expect(flat(g)).toEqual(unsigned(rows.flatMap((r) => r.map((_, i) => productExcept(r, [i])))));
  });

  it('the product of an empty slice is 1 (the identity), with zero gradient', () => {
    expect(ops.prod(zeros([2, 0]), 1).toNested()).toEqual([1, 1]);
    expect(ops.prod(zeros([0])).item()).toBe(1);
    expect(ops.prod(zeros([0, 3]), 0, true).shape).toEqual([1, 3]);
    expect(grad((y: Tensor) => ops.sum(ops.prod(y, 1)))(zeros([2, 0])).shape).toEqual([2, 0]);
  });
});

describe('documented choices of the added ops', () => {
  const gradientOf = (f: (x: Tensor) => Tensor, x: number[]): number[] =>
    Array.from(grad((y: Tensor) => ops.sum(f(y)))(tensor(x)).toArray());
  const hessianOf = (f: (x: Tensor) => Tensor, x: number[]) => jacobian(grad(f))(tensor(x)).toNested();

  it('norm: the 2-norm at 0 gets the subgradient 0, and so do its higher derivatives; elsewhere x/‖x‖', () => {
    expect(gradientOf((y) => ops.norm(y), [0, 0, 0])).toEqual([0, 0, 0]);
    expect(hessianOf((y) => ops.norm(y), [0, 0])).toEqual([
      [0, 0],
      [0, 0],
    ]);
    expect(gradientOf((y) => ops.norm(y), [3, -4])).toEqual([0.6, -0.8]);
    // Per slice: a zero row does not disturb its neighbour.
    expect(
      grad((y: Tensor) => ops.sum(ops.norm(y, 2, 1)))(
        tensor([
          [0, 0],
          [3, 4],
        ]),
      ).toNested(),
    ).toEqual([
      [0, 0],
      [0.6, 0.8],
    ]);
    // The 1-norm and ∞-norm follow abs′(0) = 0.
    expect(gradientOf((y) => ops.norm(y, 1), [0, -2, 3])).toEqual([0, -1, 1]);
    expect(gradientOf((y) => ops.norm(y, Infinity), [0, -3, 3])).toEqual([0, -0.5, 0.5]);
  });

  it('norm scales instead of squaring: no overflow near 1e300, no underflow near 1e-300; empty slices give 0', () => {
    expect(ops.norm(tensor([3e-300, 4e-300])).item() / 5e-300).toBeCloseTo(1, 15);
    expect(ops.norm(tensor([1e300, 1e300])).item() / 1e300).toBeCloseTo(Math.SQRT2, 15);
    for (const scale of [1e300, 1e-300]) {
      const [a, b] = gradientOf((y) => ops.norm(y), [3 * scale, 4 * scale]);
      expect(a).toBeCloseTo(0.6, 15);
      expect(b).toBeCloseTo(0.8, 15);
    }
    for (const ord of [1, 2, Infinity]) expect(ops.norm(zeros([2, 0]), ord, 1).toNested()).toEqual([0, 0]);
  });

  it('norm refuses an order other than 1, 2 and Infinity, naming norm', () => {
    for (const ord of [3, 0, -1, NaN, 'inf', 'fro']) {
      expect(() => ops.norm(tensor([1, 2]), ord as number)).toThrow(InvalidArgumentError);
      expect(() => ops.norm(tensor([1, 2]), ord as number)).toThrow(/^norm: ord must be 1, 2 or Infinity/);
    }
    expect(() => ops.norm(tensor([1, 2]), 'inf' as unknown as number)).toThrow(/pass the number Infinity/);
    expect(ops.norm(tensor([3, 4]), null).item()).toBe(5); // null is the default order, like NumPy's None
  });

  it('hypot and atan2 get the subgradient 0 at the origin; hypot has no overflow', () => {
    const [ga, gb] = grad((p: Tensor[]) => ops.sum(ops.hypot(p[0]!, p[1]!)))([tensor([0, 3]), tensor([0, 4])]);
    expect(Array.from(ga!.toArray())).toEqual([0, 0.6]);
    expect(Array.from(gb!.toArray())).toEqual([0, 0.8]);
    const [gy, gx] = grad((p: Tensor[]) => ops.sum(ops.atan2(p[0]!, p[1]!)))([tensor([0, 1]), tensor([0, 0])]);
    expect(Array.from(gy!.toArray(), (v) => v + 0)).toEqual([0, 0]); // ∂/∂y = x/(x² + y²)
    expect(Array.from(gx!.toArray(), (v) => v + 0)).toEqual([0, -1]); // ∂/∂x = −y/(x² + y²)
    expect(ops.hypot(tensor([3e200]), 4e200).item() / 1e200).toBeCloseTo(5, 14);
    expect(gradientOf((y) => ops.hypot(y, 4e200), [3e200])[0]).toBeCloseTo(0.6, 15);
  });

  it('atan2 takes y first, like NumPy: the four quadrants', () => {
    expect(Array.from(ops.atan2(tensor([1, 1, -1, -1]), tensor([1, -1, -1, 1])).toArray())).toEqual([
      Math.PI / 4,
      (3 * Math.PI) / 4,
      (-3 * Math.PI) / 4,
      -Math.PI / 4,
    ]);
  });

  it('logAddExp neither overflows nor loses the smaller term, and −∞ entries get zero gradient', () => {
    expect(ops.logAddExp(1000, 1000).item()).toBe(1000 + Math.LN2);
    expect(ops.logAddExp(-1000, -1000).item()).toBe(-1000 + Math.LN2);
    expect(ops.logAddExp(tensor([-Infinity]), tensor([-Infinity])).item()).toBe(-Infinity);
    expect(ops.logAddExp(0, -40).item()).toBe(Math.log1p(Math.exp(-40)));
    const [ga, gb] = grad((p: Tensor[]) => ops.sum(ops.logAddExp(p[0]!, p[1]!)))([
      tensor([-Infinity, 1000]),
      tensor([0, 1000]),
    ]);
    expect(Array.from(ga!.toArray())).toEqual([0, 0.5]);
    expect(Array.from(gb!.toArray())).toEqual([1, 0.5]);
  });

  it('clip: at the boundaries the gradient goes to x, not to the bound; outside, to the bound', () => {
    const x = tensor([-1, -0.5, 0, 0.5, 1]);
    const [gx, glo, ghi] = grad((p: Tensor[]) => ops.sum(ops.clip(p[0]!, p[1]!, p[2]!)))([
      x,
      tensor(-0.5),
      tensor(0.5),
    ]);
    expect(Array.from(gx!.toArray())).toEqual([0, 1, 1, 1, 0]);
    expect(glo!.item()).toBe(1); // only x = −1 is below lo
    expect(ghi!.item()).toBe(1); // only x = 1 is above hi
    // lo = hi: the result is that constant, and x at it still takes the gradient.
    expect(gradientOf((y) => ops.clip(y, 0.5, 0.5), [0, 0.5, 1])).toEqual([0, 1, 0]);
    expect(ops.clip(tensor([NaN, 2]), 0, 1).toArray()[0]).toBeNaN();
  });

  it('clip refuses lo > hi and NaN bounds, and shapes that do not broadcast, naming clip', () => {
    expect(() => ops.clip(tensor([1]), 1, 0)).toThrow(/^clip: lo must be ≤ hi everywhere, got lo = 1 > hi = 0/);
    expect(() => ops.clip(tensor([1, 2]), tensor([0, 3]), tensor([1, 2]))).toThrow(/at flat position 1/);
    expect(() => ops.clip(tensor([1]), NaN, 2)).toThrow(/^clip: lo holds NaN/);
    expect(() => ops.clip(tensor([1, 2, 3]), tensor([0, 1]))).toThrow(ShapeError);
  });

  it('sign is −1, 0 or +1, keeps NaN, and has zero derivative everywhere', () => {
    expect(Array.from(ops.sign(tensor([-2, -0, 0, 3, NaN, -Infinity])).toArray())).toEqual([-1, 0, 0, 1, NaN, -1]);
    expect(gradientOf((y) => ops.mul(ops.sign(y), y), [-2, 0, 3])).toEqual([-1, 0, 1]);
  });

  it('min splits the gradient evenly between tied minima, and refuses an empty slice', () => {
    expect(gradientOf((y) => ops.min(y), [3, 1, 1])).toEqual([0, 0.5, 0.5]);
    expect(() => ops.min(zeros([2, 0]), 1)).toThrow(ShapeError);
    expect(() => ops.min(zeros([2, 0]), 1)).toThrow(/^min: cannot take the min of an empty slice/);
  });

  it('var and std: NumPy’s ddof, refused when ddof ≥ N or a slice is empty', () => {
    expect(ops.var(tensor([1, 2, 3, 4]), undefined, false, 1).item()).toBeCloseTo(5 / 3, 15);
    expect(
      ops
        .variance(
          tensor([
            [1, 3],
            [2, 2],
          ]),
          1,
        )
        .toNested(),
    ).toEqual([1, 0]);
    expect(() => ops.var(tensor([1, 2]), 0, false, 2)).toThrow(
      /^var: ddof must be less than the number of entries in each slice \(2\)/,
    );
    expect(() => ops.std(tensor(5), undefined, false, 1)).toThrow(InvalidArgumentError);
    expect(() => ops.std(zeros([2, 0]), 1)).toThrow(/^std: cannot take the std of an empty slice/);
    expect(() => ops.variance(zeros([0]))).toThrow(ShapeError);
    expect(ops.var(zeros([3, 0]), 0).shape).toEqual([0]); // no slices: nothing to refuse
  });

  it('std at a constant slice (var = 0, not differentiable) gets the subgradient 0; std does not overflow', () => {
    expect(gradientOf((y) => ops.std(y), [2, 2, 2])).toEqual([0, 0, 0]);
    const rows = Array.from(
      grad((y: Tensor) => ops.sum(ops.std(y, 1)))(
        tensor([
          [2, 2],
          [1, 3],
        ]),
      ).toArray(),
    );
    expect(rows.slice(0, 2)).toEqual([0, 0]);
    expect(rows[2]).toBeCloseTo(-0.5, 15);
    expect(rows[3]).toBeCloseTo(0.5, 15);
    expect(ops.std(tensor([1e200, -1e200])).item()).toBe(1e200);
  });

  it('cumsum flattens when no axis is given, as NumPy and JAX do; its gradient is the reversed cumulative sum', () => {
    expect(
      ops
        .cumsum(
          tensor([
            [1, 2],
            [3, 4],
          ]),
        )
        .toNested(),
    ).toEqual([1, 3, 6, 10]);
    expect(
      ops.cumsum(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        null,
      ).shape,
    ).toEqual([4]);
    expect(ops.cumsum(tensor(5)).toNested()).toEqual([5]);
    expect(
      ops
        .cumsum(
          tensor([
            [1, 2],
            [3, 4],
          ]),
          0,
        )
        .toNested(),
    ).toEqual([
      [1, 2],
      [4, 6],
    ]);
    // y = cumsum(x) ⇒ ∂(Σᵢ wᵢyᵢ)/∂xⱼ = Σ_{i ≥ j} wᵢ.
    const w = tensor([1, 10, 100]);
    expect(Array.from(grad((y: Tensor) => ops.sum(ops.mul(ops.cumsum(y), w)))(tensor([5, 6, 7])).toArray())).toEqual([
      111, 110, 100,
    ]);
  });
});
