/// <reference lib="dom" />
/**
 * The library, unchanged, in a real browser page (headless Chromium; see vitest.browser.config.ts).
 * It imports the source as a bundler would and checks the headline transforms against answers
 * worked out by hand here, with no Node globals in reach.
 */
import { describe, expect, it } from 'vitest';
import {
  add,
  cgSolve,
  dot,
  grad,
  hessianOperator,
  hvp,
  jvp,
  matmul,
  mul,
  scalar,
  sub,
  tensor,
  type HvpMode,
  type Tensor,
} from '../../src/index.js';

const page = globalThis as Record<string, unknown>;

// f(x) = ½xᵀAx − bᵀx with a non-symmetric A, so ∇f = Sx − b and H = S = ½(A + Aᵀ).
const A = [
  [4, 1, 0],
  [2, 3, 1],
  [0, 1, 5],
];
const bValues = [1, -2, 0.5];
const At = tensor(A);
const b = tensor(bValues);
const f = (x: Tensor): Tensor => sub(mul(0.5, dot(x, matmul(At, x))), dot(b, x));

/** S·v with S = ½(A + Aᵀ), by hand. */
function symmetricPartTimes(v: ArrayLike<number>): number[] {
  return A.map((row, i) => row.reduce((s, _, j) => s + 0.5 * (A[i]![j]! + A[j]![i]!) * v[j]!, 0));
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

describe('tapegrad in a real browser page', () => {
  it('runs in a page with no Node globals', () => {
    expect(typeof page['window']).not.toBe('undefined');
    expect(typeof page['document']).not.toBe('undefined');
    expect((page['navigator'] as { userAgent: string }).userAgent).toMatch(/Chrome/);
    expect(typeof page['require']).toBe('undefined');
    expect(typeof page['process']).toBe('undefined');
    expect(typeof page['Buffer']).toBe('undefined');
  });

  const xValues = [0.5, -1, 2];
  const vValues = [1, 0.25, -0.5];
  const x = tensor(xValues);
  const v = tensor(vValues);

  it('grad and jvp of ½xᵀAx − bᵀx match Sx − b by hand', () => {
    const g = symmetricPartTimes(xValues).map((gi, i) => gi - bValues[i]!);
    expect(maxAbsDiff(grad(f)(x).toArray(), g)).toBeLessThan(1e-14);
    const directional = g.reduce((s, gi, i) => s + gi * vValues[i]!, 0);
    expect(Math.abs(jvp(f, x, v).tangent.item() - directional)).toBeLessThan(1e-14);
  });

  const modes: ReadonlyArray<readonly [HvpMode, number]> = [
    ['fwd-over-rev', 1e-14],
    ['rev-over-rev', 1e-14],
    ['rev-over-fwd', 1e-14],
    // f is quadratic, so the differences are exact up to rounding (≈ ε‖∇f‖/r).
    ['finite-difference', 1e-6],
    ['central-difference', 1e-6],
  ];
  for (const [mode, tolerance] of modes) {
    it(`hvp (${mode}) matches ½(A + Aᵀ)v by hand`, () => {
      const hv = hvp(f, x, v, { mode });
      expect(hv.shape).toEqual([3]);
      expect(maxAbsDiff(hv.toArray(), symmetricPartTimes(vValues))).toBeLessThan(tolerance);
    });
  }

  it('nested jvp: no perturbation confusion, D(x ↦ x·D(y ↦ x + y)(1))(1) = 1', () => {
    const D =
      (g: (t: Tensor) => Tensor) =>
      (t: Tensor): Tensor =>
        jvp(g, t, scalar(1)).tangent;
    const value = D((x0) => mul(x0, D((y) => add(x0, y))(scalar(1))))(scalar(1));
    expect(value.item()).toBe(1);
  });

  it('hessianOperator + cgSolve: one Newton step lands on the minimiser S⁻¹b', () => {
    const x0 = tensor([3, 3, 3]);
    const H = hessianOperator(f, x0);
    const step = cgSolve(H, H.gradient, { tolerance: 1e-12 });
    expect(step.converged).toBe(true);
    expect(step.iterations).toBeLessThanOrEqual(3);
    const x1 = x0.toArray().map((xi, i) => xi - step.x[i]!);
    // The minimiser: S·x* = b, checked by its residual and by the gradient there.
    expect(maxAbsDiff(symmetricPartTimes(x1), bValues)).toBeLessThan(1e-10);
    expect(maxAbsDiff(grad(f)(tensor(x1)).toArray(), [0, 0, 0])).toBeLessThan(1e-10);
  });
});

describe('tapegrad in a Web Worker', () => {
  it('computes every HVP mode off the main thread, interpreted and compiled by jit', async () => {
    const worker = new Worker(new URL('./hvp.worker.ts', import.meta.url), { type: 'module' });
    const n = 3;
    const a = Float64Array.from(A.flat());
    const x = new Float64Array([0.5, -1, 2]);
    const v = new Float64Array([1, 0, -1]);
    const reply = await new Promise<{
      products: { mode: HvpMode; values: Float64Array }[];
      compiled: { mode: HvpMode; values: Float64Array; generated: boolean }[];
      isWorker: boolean;
    }>((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data);
      worker.onerror = (event) => reject(new Error(event.message));
      worker.postMessage({ a, n, x, v });
    });
    worker.terminate();
    expect(reply.isWorker).toBe(true); // no document: really a worker scope
    expect(reply.products).toHaveLength(5);
    const expected = symmetricPartTimes(v);
    for (const { mode, values } of reply.products) {
      // AD modes exact to rounding; differences within their step's error (see hvp.ts).
      expect(maxAbsDiff(values, expected), mode).toBeLessThan(mode.endsWith('difference') ? 1e-6 : 1e-14);
    }
    // jit in the worker: generated code for the exact modes (the difference modes' step depends on
    // the values, so they run uncompiled), and the interpreted products bit for bit in every mode.
    expect(reply.compiled.map((p) => p.mode)).toEqual(reply.products.map((p) => p.mode));
    reply.compiled.forEach(({ mode, values, generated }, i) => {
      expect(Array.from(values), mode).toEqual(Array.from(reply.products[i]!.values));
      expect(generated, mode).toBe(!mode.endsWith('difference'));
    });
  });
});
