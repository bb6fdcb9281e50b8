import { describe, expect, it } from 'vitest';
import {
  add,
  dot,
  matmul,
  mul,
  softplus,
  square,
  sub,
  sum,
  mean,
  tensor,
  slice,
  type Tensor,
} from '../../src/index.js';
import { newtonCg, trustRegion } from '../../src/hessian/applications/index.js';
import { PROBLEMS } from './literature-problems.js';
import { createRandom } from '../../src/linalg/random.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('newtonCg', () => {
  it('solves a strictly convex quadratic in a few inexact Newton steps (CG forcing tolerance min(½, ‖g‖))', () => {
    const A = tensor([
      [4, 1, 0],
      [1, 3, 1],
      [0, 1, 2],
    ]);
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
    for (let k = 1; k < result.history.length; k++)
      expect(result.history[k]!.value).toBeLessThanOrEqual(result.history[k - 1]!.value);
  });

  it('survives negative curvature (Rosenbrock from the standard start) by raising the damping where CG meets it', () => {
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
    expect(() => newtonCg(f, tensor([0, 0]), { tolerence: 1e-3 } as unknown as { tolerance: number })).toThrow(
      /^newtonCg: unknown option 'tolerence'; did you mean 'tolerance'\?/,
    );
    expect(() => newtonCg(f, tensor([0, 0]), { mode: 'rev-over-rv' as 'rev-over-rev' })).toThrow(
      /did you mean 'rev-over-rev'\?/,
    );
    expect(() => newtonCg(f, tensor([0, 0]), { cgMaxIterations: '3' as unknown as number })).toThrow(
      /'3' \(a string\)/,
    );
    expect(() => newtonCg(f, tensor([0, 0]), { lineSearch: 'no' as unknown as boolean })).toThrow(
      /^newtonCg: options\.lineSearch must be true or false/,
    );
    expect(() => newtonCg(f, tensor([0, 0]), null as unknown as object)).toThrow(
      /^newtonCg: options must be an object/,
    );
  });

  it('a bad loss or parameter tree is reported by newtonCg, not by hessianOperator or ravel', () => {
    expect(() => newtonCg((x: Tensor) => square(x), tensor([1, 2]))).toThrow(/^newtonCg: f must return a scalar/);
    expect(() => newtonCg(f, 'x' as unknown as Tensor)).toThrow(/^newtonCg: params is 'x' \(a string\)/);
    expect(() => newtonCg(3 as unknown as typeof f, tensor([0, 0]))).toThrow(
      /^newtonCg: loss must be a function, got 3/,
    );
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

const rosenbrock = (x: Tensor) => {
  const a = slice(x, [0], [1]);
  const b = slice(x, [1], [1]);
  return sum(add(square(sub(1, a)), mul(100, square(sub(b, square(a))))));
};
const problem = (name: string) => PROBLEMS.find((q) => q.name.startsWith(name))!;
const OPTIMISERS = { newtonCg, trustRegion } as const;

describe('the shared stopping rules', () => {
  for (const [name, optimise] of Object.entries(OPTIMISERS)) {
    it(`${name}: the loss multiplied by 1e-6 or 1e6 stops for the same reason at the same minimiser`, () => {
      const runs = [1, 1e-6, 1e6].map((c) => optimise((x: Tensor) => mul(c, rosenbrock(x)), tensor([-1.2, 1])));
      for (const run of runs) {
        expect(run.converged, run.message).toBe(true);
        expect(run.reason).toBe(runs[0]!.reason);
        // Rosenbrock's minimiser (1, 1), to the accuracy f ≤ 1e-20 allows (|θ − θ*| ≲ 1e-10)
        for (const v of run.vector) expect(Math.abs(v - 1)).toBeLessThan(1e-9);
        expect(Math.abs(run.iterations - runs[0]!.iterations)).toBeLessThanOrEqual(2);
      }
    });

    it(`${name}: an absolute tolerance that rounding cannot meet ends with reason 'rounding' within a few steps, not a silent stall`, () => {
      // Gaussian (MGH 9): f* ≈ 1.13e-8 is computed with cancellation; ‖g‖ cannot reach 1e-300.
      const gaussian = problem('Gaussian');
      const plain = optimise(gaussian.f, tensor([...gaussian.start]));
      const strict = optimise(gaussian.f, tensor([...gaussian.start]), { tolerance: 1e-300 });
      expect(strict.reason).toBe('rounding');
      expect(strict.converged).toBe(false);
      expect(strict.message).toMatch(/rounding/);
      expect(strict.iterations).toBeLessThan(plain.iterations + 10);
      expect(Math.abs(strict.value - plain.value)).toBeLessThanOrEqual(1e-12 * plain.value);
    });

    it(`${name}: an absolute tolerance alone decides convergence (the relative rules are off unless asked for)`, () => {
      const result = optimise(rosenbrock, tensor([-1.2, 1]), { tolerance: 1e-6 });
      expect(result.reason).toBe('gradient');
      expect(result.gradientNorm).toBeLessThanOrEqual(1e-6);
      expect(result.history.length).toBe(result.iterations);
    });

    it(`${name}: every forcing sequence converges; the counts add up`, () => {
      for (const forcing of ['superlinear', 'quadratic', 'eisenstat-walker', 0.1] as const) {
        const result = optimise(rosenbrock, tensor([-1.2, 1]), { forcing });
        expect(result.converged, `${forcing}: ${result.message}`).toBe(true);
        expect(result.value).toBeLessThan(1e-20);
        expect(result.hessianVectorProducts).toBe(result.history.reduce((n, h) => n + h.cgIterations, 0));
        expect(result.gradientEvaluations).toBeGreaterThan(0);
      }
    });

    it(`${name}: an empty parameter tree is already optimal`, () => {
      const result = optimise(() => 3, [] as Tensor[]);
      expect(result.converged).toBe(true);
      expect(result.reason).toBe('gradient');
      expect(result.iterations).toBe(0);
    });
  }

  it('a valueTolerance or stepTolerance set to 0 switches that rule off', () => {
    const result = trustRegion(rosenbrock, tensor([-1.2, 1]), {
      valueTolerance: 0,
      stepTolerance: 0,
      gradientTolerance: 1e-12,
    });
    expect(result.reason).toBe('gradient');
  });
});

describe('trustRegion', () => {
  it('follows negative curvature to the boundary and reaches the minimum beyond the saddle', () => {
    // f = x² − y² + y⁴/4: a saddle at the origin, minima f = −1 at (0, ±√2); at (1, 0.1) H = diag(2, −1.97).
    const f = (p: Tensor) => {
      const x = slice(p, [0], [1]);
      const y = slice(p, [1], [1]);
      return sum(add(sub(square(x), square(y)), mul(0.25, square(square(y)))));
    };
    const result = trustRegion(f, tensor([1, 0.1]));
    expect(result.converged, result.message).toBe(true);
    expect(result.history.some((h) => h.kind === 'negative curvature')).toBe(true);
    expect(Math.abs(result.value + 1)).toBeLessThan(1e-14);
    expect(Math.abs(result.vector[1]! - Math.SQRT2)).toBeLessThan(1e-7);
  });

  it('a rejected step is read off the same CG path: it costs one evaluation of L and no Hessian-vector product', () => {
    const result = trustRegion(rosenbrock, tensor([-1.2, 1]), { initialRadius: 100 });
    expect(result.converged).toBe(true);
    const rejected = result.history.findIndex((h) => !h.accepted);
    expect(rejected).toBeGreaterThanOrEqual(0);
    expect(result.history[rejected + 1]!.cgIterations).toBe(0);
    expect(result.history[rejected + 1]!.radius).toBeLessThan(result.history[rejected]!.radius);
    expect(result.functionEvaluations).toBe(result.iterations);
  });

  it('minimises over a parameter tree, to the minimiser newtonCg finds', () => {
    const rng = createRandom(5);
    const X = tensor(rng.normals(60 * 3), [60, 3]);
    const y = tensor(Float64Array.from({ length: 60 }, (_, i) => (X.data[i * 3]! > 0 ? 1 : 0)));
    const loss = (p: { w: Tensor; b: Tensor }) => {
      const z = add(matmul(X, p.w), p.b);
      return add(mean(sub(softplus(z), mul(y, z))), mul(0.01, add(sum(square(p.w)), square(p.b))));
    };
    const start = { w: tensor([0, 0, 0]), b: tensor(0) };
    const tr = trustRegion(loss, start);
    const nc = newtonCg(loss, start);
    expect(tr.converged, tr.message).toBe(true);
    expect(tr.params.w.shape).toEqual([3]);
    for (let i = 0; i < 4; i++) expect(Math.abs(tr.vector[i]! - nc.vector[i]!)).toBeLessThan(1e-8);
  });

  it('onIteration gets a copy of each record; bad options are typed errors naming trustRegion', () => {
    const result = trustRegion(rosenbrock, tensor([-1.2, 1]), {
      onIteration: (record) => {
        record.radius = NaN;
      },
    });
    expect(result.history.every((h) => Number.isFinite(h.radius))).toBe(true);
    expect(() => trustRegion(rosenbrock, tensor([0, 0]), { radius: 1 } as unknown as object)).toThrow(
      /^trustRegion: unknown option 'radius'/,
    );
    expect(() => trustRegion(rosenbrock, tensor([0, 0]), { forcing: 'fast' as 'quadratic' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => trustRegion(rosenbrock, tensor([0, 0]), { initialRadius: 0 })).toThrow(
      /^trustRegion: options\.initialRadius/,
    );
  });
});
