/** The README's "A first look" example, run as written, so the front page cannot drift from the code. */
import { describe, expect, it } from 'vitest';
import { add, cgSolve, dot, grad, hessianOperator, hvp, jvp, matmul, mul, randn, sum, square, tensor, type Tensor } from '../src/index.js';

describe('README first look', () => {
  const A = tensor([[2, 1], [0, 3]]);
  const f = (x: Tensor) => mul(0.5, dot(x, matmul(A, x)));
  const x = tensor([1, 1]);
  const v = tensor([1, 0]);

  it('gives the numbers the README prints', () => {
    // Exact in float64: every value is a small dyadic rational.
    expect(Array.from(grad(f)(x).toArray())).toEqual([2.5, 3.5]);
    expect(jvp(f, x, v).tangent.item()).toBe(2.5);
    expect(Array.from(hvp(f, x, v).toArray())).toEqual([2, 0.5]);
    expect(Array.from(hvp(f, x, v, { mode: 'rev-over-rev' }).toArray())).toEqual([2, 0.5]);
  });

  it('solves the damped Newton step it shows', () => {
    const H = hessianOperator(f, x, { damping: 1e-3 });
    const step = cgSolve(H, H.gradient);
    expect(step.converged).toBe(true);
    // (½(A + Aᵀ) + λI)·step = ∇f: check the residual directly.
    const back = H.apply(step.x);
    back.forEach((value, i) => expect(value).toBeCloseTo(H.gradient[i]!, 12));
  });

  it('keeps the structure of a parameter tree', () => {
    const X = randn([4, 3], 1);
    const loss = (p: { w: Tensor; b: Tensor }) => sum(square(add(matmul(X, p.w), p.b)));
    const g = grad(loss)({ w: randn([3], 2), b: tensor(0.5) });
    expect(g.w.shape).toEqual([3]);
    expect(g.b.shape).toEqual([]);
  });
});
