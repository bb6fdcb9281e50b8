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
import { type Tensor, grad, jvp, ravel, tensor, vjp } from '../../src/autodiff/index.js';
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
          if (!(Math.abs(g - w) <= tolerance)) throw new Error(`${entry.name} ${label}: entry ${k} is ${g}, reference ${w}`);
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
  const gradientOf = (f: (x: Tensor) => Tensor, x: number[]): number[] => Array.from(grad((y: Tensor) => ops.sum(f(y)))(tensor(x)).data);

  it('relu′(0) = 0 and abs′(0) = 0 (the subgradient closest to zero), second derivatives 0', () => {
    expect(gradientOf(ops.relu, [0, 1, -1])).toEqual([0, 1, 0]);
    expect(gradientOf(ops.abs, [0, 1, -1])).toEqual([0, 1, -1]);
    expect(Array.from(grad(grad((y: Tensor) => ops.sum(ops.relu(y))))(tensor([0.5])).data)).toEqual([0]);
  });

  it('max splits the gradient evenly between tied maxima', () => {
    expect(gradientOf((y) => ops.max(y), [1, 3, 3])).toEqual([0, 0.5, 0.5]);
    const rows = grad((y: Tensor) => ops.sum(ops.max(y, 1)))(tensor([[3, 3, 1], [2, 5, 5]]));
    expect(rows.toNested()).toEqual([[0.5, 0.5, 0], [0, 0.5, 0.5]]);
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
