/**
 * The transforms against closed forms and against each other: jacobian (both modes), hessian
 * (all three modes), linearize (one recording, many replays), vjp (one recording, many
 * pullbacks) — and `checkGrads` itself: that it passes correct rules and catches wrong ones at
 * the order where they are wrong.
 *
 * Tolerances: the closed forms here are products and sums of ≤ 6 terms of O(1) values, so
 * autodiff and the formula differ by a few ε; we allow 1e-14 absolute (≈ 45ε) unless exact
 * equality is expected (linear maps of exactly representable data, where every product is the
 * same single rounding).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, TapegradError } from '../../src/errors.js';
import {
  type Primitive,
  type Tensor,
  add,
  apply,
  checkGrads,
  exp,
  grad,
  jacobian,
  jvp,
  linearize,
  matmul,
  mul,
  randn,
  reshape,
  sin,
  square,
  stopGradient,
  sum,
  tanh,
  tensor,
  valueAndGrad,
  vjp,
} from '../../src/autodiff/index.js';
import { hessian } from '../../src/hessian/index.js';

function maxAbsDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

describe('jacobian', () => {
  const M = tensor([
    [1, 2, 0, -1, 3, 0.5],
    [0, -2, 1, 4, 0, 1],
    [2, 0, 0, 1, -1, 0],
    [0.25, 1, -3, 0, 2, 2],
  ]);
  const linear = (x: Tensor): Tensor => add(matmul(M, reshape(x, [6])), tensor([1, 2, 3, 4]));

  it('of a linear map is its matrix, in both modes, with shape [...out, ...in]', () => {
    const x = randn([2, 3], 1);
    for (const mode of ['fwd', 'rev'] as const) {
      const J = jacobian(linear, { mode })(x);
      expect(J.shape).toEqual([4, 2, 3]);
      // Each entry is 1·Mᵢⱼ (a basis vector times M) summed with exact zeros: exact.
      expect(Array.from(J.data)).toEqual(Array.from(M.data));
    }
  });

  it('fwd = rev = closed form for tanh(A x): J = diag(1 − tanh²(A x))·A', () => {
    const A = randn([3, 4], 2);
    const x = randn([4], 3);
    const f = (y: Tensor): Tensor => tanh(matmul(A, y));
    const forward = jacobian(f, { mode: 'fwd' })(x);
    const reverse = jacobian(f)(x);
    const z = matmul(A, x).data;
    const closed = tensor(
      Array.from({ length: 3 }, (_, i) =>
        Array.from({ length: 4 }, (_, j) => (1 - Math.tanh(z[i]!) ** 2) * A.data[i * 4 + j]!),
      ),
    );
    expect(maxAbsDiff(forward, closed)).toBeLessThan(1e-14);
    expect(maxAbsDiff(reverse, closed)).toBeLessThan(1e-14);
  });

  it('of a scalar function is the gradient; of a function of a scalar is a column', () => {
    const x = tensor([0.5, -1, 2]);
    const f = (y: Tensor): Tensor => sum(mul(y, y));
    expect(Array.from(jacobian(f)(x).data)).toEqual([1, -2, 4]);
    expect(jacobian(f, { mode: 'fwd' })(x).shape).toEqual([3]);
    const g = (t: Tensor): Tensor => mul(t, tensor([1, 2, 3]));
    expect(jacobian(g)(tensor(2)).shape).toEqual([3]);
    expect(Array.from(jacobian(g, { mode: 'fwd' })(tensor(2)).data)).toEqual([1, 2, 3]);
  });
});

describe('hessian', () => {
  it('of ½xᵀAx is ½(A + Aᵀ) in every mode, for a non-symmetric A', () => {
    const A = randn([4, 4], 7);
    const f = (x: Tensor): Tensor => mul(0.5, matmul(x, matmul(A, x)));
    const x = randn([4], 8);
    const symmetric = tensor(
      Array.from({ length: 4 }, (_, i) =>
        Array.from({ length: 4 }, (_, j) => 0.5 * (A.data[i * 4 + j]! + A.data[j * 4 + i]!)),
      ),
    );
    for (const mode of ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd'] as const) {
      const H = hessian(f, { mode })(x);
      expect(H.shape).toEqual([4, 4]);
      // Each entry is ½(Aᵢⱼ + Aⱼᵢ) formed by 2–3 roundings: within 4ε·max|A|.
      expect(maxAbsDiff(H, symmetric)).toBeLessThanOrEqual(4 * Number.EPSILON * 3);
    }
  });

  it('modes agree on a non-quadratic function of a matrix input', () => {
    const f = (x: Tensor): Tensor => sum(mul(sin(x), exp(mul(x, 0.3))));
    const x = randn([2, 3], 9);
    const H = hessian(f)(x);
    expect(H.shape).toEqual([2, 3, 2, 3]);
    for (const mode of ['rev-over-rev', 'rev-over-fwd'] as const)
      expect(maxAbsDiff(hessian(f, { mode })(x), H)).toBeLessThan(1e-14);
    // Closed form: f is a sum of g(xᵢ) = sin(xᵢ)e^(0.3xᵢ), so H is diagonal with g″(xᵢ).
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        const v = x.data[i]!;
        const gpp = Math.exp(0.3 * v) * ((0.09 - 1) * Math.sin(v) + 0.6 * Math.cos(v));
        expect(Math.abs(H.data[i * 6 + j]! - (i === j ? gpp : 0))).toBeLessThan(1e-14);
      }
    }
  });
});

describe('linearize', () => {
  it('matches jvp for several tangents and never re-runs f', () => {
    let calls = 0;
    const f = (x: Tensor): Tensor => {
      calls++;
      return mul(tanh(x), sum(square(x)));
    };
    const x = randn([5], 10);
    const { value, jvp: push } = linearize(f, x);
    expect(calls).toBe(1);
    for (let seed = 0; seed < 4; seed++) {
      const v = randn([5], 20 + seed);
      const replayed = push(v);
      const direct = jvp(f, x, v).tangent; // this one does run f (and is not counted below)
      calls--;
      // Same JVP rules on the same primals in the same order: identical numbers.
      expect(Array.from(replayed.data)).toEqual(Array.from(direct.data));
    }
    expect(calls).toBe(1);
    expect(Array.from((value as Tensor).data)).toEqual(Array.from(f(x).data));
  });

  it('is linear in v', () => {
    const f = (x: Tensor): Tensor => exp(mul(x, x));
    const x = randn([3], 11);
    const { jvp: push } = linearize(f, x);
    const u = randn([3], 12);
    const w = randn([3], 13);
    const combined = push(add(mul(u, 2), w));
    const separate = add(mul(push(u), 2), push(w));
    expect(maxAbsDiff(combined, separate)).toBeLessThan(1e-14 * 10);
  });
});

describe('vjp and valueAndGrad', () => {
  it('the pullback can be called many times on one recording', () => {
    let calls = 0;
    const f = (x: Tensor): Tensor => {
      calls++;
      return mul(sin(x), x);
    };
    const x = tensor([0.5, 1.5, -2]);
    const { value, pullback } = vjp(f, x);
    // ∂/∂x (x sin x) = sin x + x cos x, diagonal.
    const derivative = Array.from(x.data, (v) => Math.sin(v) + v * Math.cos(v));
    for (const u of [tensor([1, 0, 0]), tensor([0, 1, 0]), tensor([2, -1, 3]), tensor([1, 0, 0])]) {
      const got = pullback(u);
      got.data.forEach((g, i) => expect(Math.abs(g - u.data[i]! * derivative[i]!)).toBeLessThan(1e-14 * 4));
    }
    expect(calls).toBe(1);
    expect(Array.from(value.data)).toEqual(Array.from(x.data, (v) => v * Math.sin(v)));
  });

  it('valueAndGrad returns f(x) and ∇f(x) from one pass; extra arguments are passed through', () => {
    let calls = 0;
    const f = (x: Tensor, data: Tensor): Tensor => {
      calls++;
      return sum(square(mul(x, data)));
    };
    const data = tensor([1, 2, 3]);
    const x = tensor([1, 1, -1]);
    const { value, grad: g } = valueAndGrad(f)(x, data);
    expect(calls).toBe(1);
    expect(value.item()).toBe(1 + 4 + 9);
    // ∇ Σ(xᵢdᵢ)² = 2xᵢdᵢ²
    expect(Array.from(g.data)).toEqual([2, 8, -18]);
    expect(Array.from(grad(f)(x, data).data)).toEqual([2, 8, -18]);
  });

  it('stopGradient blocks every transform', () => {
    const f = (x: Tensor): Tensor => mul(x, stopGradient(x));
    expect(grad(f)(tensor(3)).item()).toBe(3);
    expect(jvp(f, tensor(3), tensor(1)).tangent.item()).toBe(3);
    expect(grad(grad(f))(tensor(3)).item()).toBe(0);
  });
});

describe('user primitives with per-input VJP rules', () => {
  // x·y³ with one rule per input: ∂/∂x = y³, ∂/∂y = 3x·y².
  const xCubedY: Primitive<undefined, readonly [Tensor, Tensor]> = {
    name: 'xCubedY',
    value: ([x, y]) => mul(x, mul(y, square(y))),
    vjps: [
      (g, { inputs: [, y] }) => mul(g, mul(y, square(y))),
      (g, { inputs: [x, y] }) => mul(g, mul(mul(3, x), square(y))),
    ],
    jvp: ([tx, ty], [x, y]) =>
      add(tx ? mul(tx, mul(y, square(y))) : mul(0, x), ty ? mul(ty, mul(mul(3, x), square(y))) : mul(0, y)),
  };
  const f = (p: Tensor[]) => sum(apply(xCubedY as Primitive<undefined>, [p[0]!, p[1]!], undefined));

  it('passes the generic checker in both modes to order 2', () => {
    const point = [tensor([0.7, -1.2]), tensor([1.3, 0.4])];
    expect(checkGrads(f, point, { order: 2 }).maxRelativeError).toBeLessThan(1e-7);
  });

  it('calls only the rule of an input that carries a derivative', () => {
    const called: number[] = [];
    const spy: Primitive<undefined, readonly [Tensor, Tensor]> = {
      ...xCubedY,
      vjps: (xCubedY.vjps as readonly ((g: Tensor, n: never, i: number) => Tensor)[]).map(
        (rule, k) => (g: Tensor, node: never) => (called.push(k), rule(g, node, k)),
      ) as never,
    };
    grad((x: Tensor) => sum(apply(spy as Primitive<undefined>, [x, tensor([2, 3])], undefined)))(tensor([1, 1]));
    expect(called).toEqual([0]);
  });

  it('refuses a primitive with both vjp and vjps, or neither, or the wrong number of rules', () => {
    const both = { ...xCubedY, vjp: () => [] } as unknown as Primitive;
    const neither = { ...xCubedY, vjps: undefined } as unknown as Primitive;
    const short = { ...xCubedY, vjps: [(xCubedY.vjps as readonly unknown[])[0]] } as unknown as Primitive;
    const x = tensor([1]);
    expect(() => apply(both, [x, x], undefined)).toThrow(
      /apply: primitive 'xCubedY' needs exactly one of vjp .* or vjps/,
    );
    expect(() => apply(neither, [x, x], undefined)).toThrow(/needs exactly one of vjp/);
    expect(() => apply(short, [x, x], undefined)).toThrow(
      /primitive.vjps of 'xCubedY' must be one function per input \(2\)/,
    );
  });
});

describe('checkGrads', () => {
  /** x³ with rules you can break one at a time. */
  const cube = (rules: { vjp?: (g: Tensor, x: Tensor) => Tensor; jvp?: (t: Tensor, x: Tensor) => Tensor }) => {
    const correct = (x: Tensor): Tensor => mul(3, square(x));
    const primitive: Primitive = {
      name: 'cube',
      value: ([x]) => mul(x!, square(x!)),
      vjp: (g, [x]) => [rules.vjp ? rules.vjp(g, x!) : mul(g, correct(x!))],
      jvp: ([t], [x]) => (rules.jvp ? rules.jvp(t!, x!) : mul(t!, correct(x!))),
    };
    return (x: Tensor): Tensor => apply(primitive, [x], undefined);
  };
  const x = tensor([0.4, -1.1, 1.7]);

  it('passes correct rules and counts its checks: 1, 3, 7 functions × modes for orders 1, 2, 3', () => {
    const f = cube({});
    expect(checkGrads(f, x, { order: 1 }).checks).toBe(2);
    expect(checkGrads(f, x, { order: 2 }).checks).toBe(6);
    expect(checkGrads(f, x, { order: 3 }).checks).toBe(14);
    expect(checkGrads(f, x, { order: 3, modes: ['fwd'] }).checks).toBe(3);
    const { maxRelativeError } = checkGrads(f, x, { order: 3 });
    // Central differences with h ≈ 6e-6: truncation h²/6·|f‴| ≈ 4e-11·6, rounding ≈ 4e-11·|f|.
    expect(maxRelativeError).toBeLessThan(1e-8);
  });

  it('catches a wrong VJP at order 1, in reverse mode only', () => {
    const f = cube({ vjp: (g, y) => mul(g, mul(2, square(y))) });
    expect(() => checkGrads(f, x, { order: 1, modes: ['fwd'] })).not.toThrow();
    expectGradCheckFailure(() => checkGrads(f, x, { order: 1 }), /reverse-mode \(vjp\) check of order 1 failed for f/);
  });

  it('catches a wrong JVP at order 1, in forward mode', () => {
    const f = cube({ jvp: (t, y) => mul(t, square(y)) });
    expect(() => checkGrads(f, x, { order: 1, modes: ['rev'] })).not.toThrow();
    expectGradCheckFailure(() => checkGrads(f, x, { order: 1 }), /forward-mode \(jvp\) check of order 1 failed for f/);
  });

  it('catches a rule that is right but not differentiable (a constant derivative) at order 2', () => {
    const frozen = (y: Tensor): Tensor => stopGradient(mul(3, square(y)));
    const f = cube({ vjp: (g, y) => mul(g, frozen(y)), jvp: (t, y) => mul(t, frozen(y)) });
    expect(checkGrads(f, x, { order: 1 }).checks).toBe(2);
    expectGradCheckFailure(() => checkGrads(f, x, { order: 2 }), /check of order 2 failed for x ↦ (jvp|vjp)\(f, x/);
  });

  it('names the numbers and the relative error in its message', () => {
    const f = cube({ jvp: (t, y) => mul(t, square(y)) });
    try {
      checkGrads(f, x, { order: 1, modes: ['fwd'] });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TapegradError);
      const message = (e as Error).message;
      expect(message).toMatch(/^checkGrads: forward-mode/);
      expect(message).toMatch(/autodiff gives -?\d\.\d+.* but central differences give -?\d\.\d+/);
      expect(message).toMatch(/relative error \d\.\d+e[-+]\d+ exceeds rtol/);
    }
  });

  it('checks tree inputs with respect to every leaf', () => {
    const xs = tensor([1, -2, 0.5]);
    const f = ({ w, b }: { w: Tensor; b: Tensor }): Tensor => tanh(add(matmul(w, xs), b));
    expect(checkGrads(f, { w: randn([2, 3], 1), b: randn([2], 2) }, { order: 3 }).checks).toBe(14);
    // A broken rule in one leaf's path is still found: here the bias enters through a bad cube.
    const broken = cube({ vjp: (g) => g });
    expectGradCheckFailure(
      () =>
        checkGrads(({ w, b }: { w: Tensor; b: Tensor }) => add(matmul(w, xs), broken(b)), {
          w: randn([2, 3], 1),
          b: randn([2], 2),
        }),
      /reverse-mode/,
    );
  });

  it('rejects bad arguments with InvalidArgumentError', () => {
    const f = cube({});
    expect(() => checkGrads(f, x, { order: 0 })).toThrow(InvalidArgumentError);
    expect(() => checkGrads(f, x, { order: 1.5 })).toThrow(/order must be an integer/);
    expect(() => checkGrads(f, x, { modes: [] })).toThrow(/modes/);
    expect(() => checkGrads(f, x, { eps: 0 })).toThrow(/eps must be/);
    expect(() => checkGrads(f, x, { rtol: -1 })).toThrow(/rtol must be/);
    expect(() => checkGrads(f, tensor([NaN]))).toThrow(/checkGrads: x \(flattened\)\[0\] is NaN; it must be finite/);
    expect(() => checkGrads(3 as never, x)).toThrow(/checkGrads: f must be a function, got 3/);
    expect(() => checkGrads((() => [x]) as never, x)).toThrow(/f must return a Tensor/);
  });
});

function expectGradCheckFailure(run: () => unknown, message: RegExp): void {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(TapegradError);
    expect((e as TapegradError).code).toBe('grad-check');
    expect((e as TapegradError).fn).toBe('checkGrads');
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error('expected checkGrads to fail');
}

describe('unravel', () => {
  it('splits a vector into the structure of a template, differentiably', async () => {
    const { unravel, ravel, tensor, zeros, grad, sum, mul } = await import('../../src/index.js');
    const template = { w: zeros([2, 2]), b: zeros([3]) };
    const tree = unravel(tensor([1, 2, 3, 4, 5, 6, 7]), template);
    expect(tree.w.toNested()).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(Array.from(tree.b.data)).toEqual([5, 6, 7]);
    expect(Array.from(ravel(tree).vector.data)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // d/dv Σ (w ⊙ w) + Σ b = [2w, 1, 1, 1]
    const g = grad((v: Tensor) => {
      const t = unravel(v, template);
      return add(sum(mul(t.w, t.w)), sum(t.b));
    })(tensor([1, 2, 3, 4, 5, 6, 7]));
    expect(Array.from(g.data)).toEqual([2, 4, 6, 8, 1, 1, 1]);
    expect(() => unravel(tensor([1, 2]), template)).toThrow(/unravel: vector must be a Tensor of shape \[7\]/);
  });
});

describe('valueAndGrad with hasAux', () => {
  it('differentiates the loss only and returns aux one level down, as JAX has_aux does', async () => {
    const m = await import('../../src/index.js');
    const f = (x: Tensor) => [m.sum(m.square(x)), { doubled: m.mul(x, 2), note: m.sum(x) }] as const;
    const { value, grad: g, aux } = m.valueAndGrad(f, { hasAux: true })(m.tensor([1, 3]));
    expect(value.item()).toBe(10);
    expect(Array.from(g.data)).toEqual([2, 6]);
    expect(Array.from(aux.doubled.data)).toEqual([2, 6]);
    expect(aux.doubled.level).toBe(0); // not a traced value leaking out of the transform
    expect(aux.note.item()).toBe(4);
    // Nested: an outer grad sees aux as a value it can differentiate (d/dx of the aux's sum).
    const outer = m.grad((x: Tensor) => {
      const inner = m.valueAndGrad((y: Tensor) => [m.sum(m.square(y)), m.mul(y, x)] as const, { hasAux: true })(x);
      return m.sum(inner.aux); // Σ x·x, so the gradient is 2x
    })(m.tensor([1, 3]));
    expect(Array.from(outer.data)).toEqual([2, 6]);
  });

  it('says what it expected when f does not return a pair', async () => {
    const m = await import('../../src/index.js');
    expect(() => m.valueAndGrad((x: Tensor) => m.sum(x) as never, { hasAux: true })(m.tensor([1]))).toThrow(
      /valueAndGrad: with hasAux, f must return a pair \[loss, aux\]/,
    );
  });
});
