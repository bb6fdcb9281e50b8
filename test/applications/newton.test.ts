import { describe, expect, it } from 'vitest';
import { add, dot, matmul, mul, softplus, square, sub, sum, mean, tensor, slice, type Tensor } from '../../src/index.js';
import { newtonCg } from '../../src/hessian/applications/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('newtonCg', () => {
  it('solves a strictly convex quadratic in a few inexact Newton steps (CG forcing tolerance min(½, ‖g‖))', () => {
    const A = tensor([[4, 1, 0], [1, 3, 1], [0, 1, 2]]);
    const b = tensor([1, -2, 3]);
    const f = (x: Tensor) => sub(mul(0.5, dot(x, matmul(A, x))), dot(b, x));
    const result = newtonCg(f, tensor([0, 0, 0]), { tolerance: 1e-12 });
    expect(result.converged).toBe(true);
    expect(result.iterations).toBeLessThanOrEqual(3);
    expect(result.history.every((h) => h.step === 1)).toBe(true); // full steps on a quadratic
    // A x = b
    const x = result.vector;
    const Ax = matmul(A, tensor(x)).data;
    for (let i = 0; i < 3; i++) expect(Ax[i]).toBeCloseTo(b.data[i]!, 10);
  });

  it('trains an L2 logistic regression over a parameter tree to ‖∇L‖ ≤ 1e-10', () => {
    const rng = createRandom(3);
    const N = 200;
    const d = 5;
    const X = tensor(rng.normals(N * d), [N, d]);
    const y = tensor(Float64Array.from({ length: N }, (_, i) => (X.data[i * d]! + 0.5 * rng.normal() > 0 ? 1 : 0)));
    const loss = (p: { w: Tensor; b: Tensor }) => {
      const z = add(matmul(X, p.w), p.b);
      return add(mean(sub(softplus(z), mul(y, z))), mul(0.005, add(sum(square(p.w)), square(p.b))));
    };
    const result = newtonCg(loss, { w: tensor(new Float64Array(d)), b: tensor(0) }, { tolerance: 1e-10 });
    expect(result.converged).toBe(true);
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-10);
    expect(result.iterations).toBeLessThan(15);
    expect(result.params.w.shape).toEqual([d]);
    // the value decreases monotonically along the iterations
    for (let k = 1; k < result.history.length; k++) expect(result.history[k]!.value).toBeLessThanOrEqual(result.history[k - 1]!.value);
  });

  it('survives negative curvature (Rosenbrock from a saddle-ish start) by raising the damping', () => {
    const f = (x: Tensor) => {
      const a = slice(x, [0], [1]);
      const b = slice(x, [1], [1]);
      return sum(add(square(sub(1, a)), mul(100, square(sub(b, square(a))))));
    };
    const result = newtonCg(f, tensor([-1.2, 1]), { tolerance: 1e-9, maxIterations: 100 });
    expect(result.converged).toBe(true);
    expect(result.vector[0]).toBeCloseTo(1, 6);
    expect(result.vector[1]).toBeCloseTo(1, 6);
  });

  it('rejects bad options with a typed error', () => {
    expect(() => newtonCg((x: Tensor) => sum(square(x)), tensor([1]), { tolerance: 0 })).toThrow(InvalidArgumentError);
    expect(() => newtonCg((x: Tensor) => sum(square(x)), tensor([1]), { damping: -1 })).toThrow(InvalidArgumentError);
  });
});

describe('newtonCg validates its arguments at entry and names itself', () => {
  const f = (x: Tensor) => sum(square(sub(x, tensor([1, 2]))));

  it('a misspelt or ill-typed option is an error naming the nearest key, not a silent default', () => {
    expect(() => newtonCg(f, tensor([0, 0]), { tolerence: 1e-3 } as unknown as { tolerance: number })).toThrow(/^newtonCg: unknown option 'tolerence'; did you mean 'tolerance'\?/);
    expect(() => newtonCg(f, tensor([0, 0]), { mode: 'rev-over-rv' as 'rev-over-rev' })).toThrow(/did you mean 'rev-over-rev'\?/);
    expect(() => newtonCg(f, tensor([0, 0]), { cgMaxIterations: '3' as unknown as number })).toThrow(/'3' \(a string\)/);
    expect(() => newtonCg(f, tensor([0, 0]), { lineSearch: 'no' as unknown as boolean })).toThrow(/^newtonCg: options\.lineSearch must be true or false/);
    expect(() => newtonCg(f, tensor([0, 0]), null as unknown as object)).toThrow(/^newtonCg: options must be an object/);
  });

  it('a bad loss or parameter tree is reported by newtonCg, not by hessianOperator or ravel', () => {
    expect(() => newtonCg((x: Tensor) => square(x), tensor([1, 2]))).toThrow(/^newtonCg: f must return a scalar/);
    expect(() => newtonCg(f, 'x' as unknown as Tensor)).toThrow(/^newtonCg: params is 'x' \(a string\)/);
    expect(() => newtonCg(3 as unknown as typeof f, tensor([0, 0]))).toThrow(/^newtonCg: loss must be a function, got 3/);
  });

  it('onIteration gets a copy of each record: the returned history cannot be changed through it', () => {
    const result = newtonCg(f, tensor([0, 0]), {
      onIteration: (record) => {
        record.value = NaN;
      },
    });
    expect(result.history.length).toBeGreaterThan(0);
    expect(result.history.every((h) => Number.isFinite(h.value))).toBe(true);
  });

  it('an empty parameter tree is already optimal', () => {
    const result = newtonCg(() => 3, [] as Tensor[]);
    expect(result.converged).toBe(true);
    expect(result.iterations).toBe(0);
    expect(result.vector).toEqual(new Float64Array(0));
  });
});
