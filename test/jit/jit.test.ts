/**
 * jit: compiled results equal interpreted ones bit for bit — over the whole op catalogue at
 * orders 1–3, every HVP mode on the benchmark workloads (trees included), broadcasting — at the
 * arguments it was compiled for and at new values of the same shapes (a constant baked in from
 * the first values would show there). Plus what it specialises on, its cache, its errors, its
 * composition with the transforms, and the interpreter used where `new Function` is forbidden.
 *
 * "Bit for bit" is meant literally (Object.is per entry, so −0 and NaN count): the plan fuses
 * elementwise chains but evaluates the same floating-point operations in the same order, and a
 * fused full sum adds in the kernel's order.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ConcretizationError,
  abs,
  atan2,
  clip,
  hypot,
  logSoftmax,
  logSumExp,
  max,
  maximum,
  min,
  minimum,
  norm,
  sign,
  softmax,
  std,
  TapegradError,
  HVP_MODES,
  countOps,
  add,
  div,
  dot,
  exp,
  grad,
  greater,
  hvp,
  jit,
  jvp,
  matmul,
  mul,
  neg,
  relu,
  scalar,
  sin,
  square,
  sub,
  sum,
  tanh,
  tensor,
  valueAndGrad,
  where,
  type Tensor,
  type Tree,
} from '../../src/index.js';
import { setFunctionConstructor } from '../../src/autodiff/jit/codegen.js';
import { resetJitWarning } from '../../src/autodiff/jit/jit.js';
import { ravel } from '../../src/autodiff/tree.js';
import { createRandom } from '../../src/linalg/random.js';
import { catalogue, sampleInputs, type CatalogueEntry, type Shape } from '../autodiff/op-catalogue.js';
import { smallWorkloads, quadratic } from '../../bench/workloads.js';

/** Every leaf of two trees equal bit for bit (Object.is per entry), with the same shapes. */
function expectIdentical(got: unknown, want: unknown, label: string): void {
  const a = ravelTree(got);
  const b = ravelTree(want);
  expect(a.shapes, `${label}: shapes`).toEqual(b.shapes);
  expect(a.values.length, `${label}: sizes`).toBe(b.values.length);
  for (let i = 0; i < a.values.length; i++) {
    if (!Object.is(a.values[i], b.values[i]))
      throw new Error(`${label}: entry ${i} is ${a.values[i]} compiled, ${b.values[i]} interpreted`);
  }
}

function ravelTree(tree: unknown): { values: Float64Array; shapes: number[][] } {
  const leaves: Tensor[] = [];
  const walk = (t: unknown): void => {
    if (Array.isArray(t)) t.forEach(walk);
    else if (t !== null && typeof t === 'object' && !('shape' in t)) Object.values(t).forEach(walk);
    else leaves.push(t as Tensor);
  };
  walk(tree);
  const total = leaves.reduce((n, l) => n + l.size, 0);
  const values = new Float64Array(total);
  let at = 0;
  for (const leaf of leaves) {
    values.set(leaf.toArray(), at);
    at += leaf.size;
  }
  return { values, shapes: leaves.map((l) => [...l.shape]) };
}

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h;
}

function inputsFor(entry: CatalogueEntry, shapes: readonly Shape[], salt: string): Tensor[] {
  const rng = createRandom(seedOf(`${entry.name} ${JSON.stringify(shapes)} ${salt}`));
  return sampleInputs(entry, shapes, rng).map((data, i) => tensor(data, shapes[i]!));
}

/** A fixed weighting of an output, so any op becomes a scalar function to differentiate. */
function weightsFor(shape: readonly number[]): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(
    Float64Array.from({ length: n }, (_, i) => 1 + ((i * 7) % 5) / 4),
    [...shape],
  );
}

describe('the op catalogue, compiled', () => {
  let compiled = 0;
  let uncompiled = 0;
  for (const entry of catalogue) {
    entry.shapes.forEach((shapes, caseIndex) => {
      it(`${entry.name} ${shapes.map((s) => `[${s.join(',')}]`).join(' ')}: value${caseIndex === 0 ? ' and orders 1–3' : ''}`, () => {
        const first = inputsFor(entry, shapes, 'a');
        const second = inputsFor(entry, shapes, 'b');
        const value = (xs: Tensor[]) => entry.fn(...xs);
        const jitted = jit(value);
        expectIdentical(jitted(first), value(first), 'value at the traced arguments');
        expectIdentical(jitted(second), value(second), 'value at new arguments');
        if (jitted.lower(first).valueDependent === undefined) compiled++;
        else uncompiled++;
        if (caseIndex !== 0) return;
        const w = weightsFor(entry.fn(...first).shape);
        const f0 = (xs: Tensor[]) => sum(mul(entry.fn(...xs), w));
        // Orders 1–3: the gradient, and gradients of directional derivatives of it.
        const directions = first.map((x) => weightsFor(x.shape));
        const along = (g: (xs: Tensor[]) => Tensor[]) => (xs: Tensor[]) =>
          g(xs).reduce<Tensor>((s, gi, k) => add(s, sum(mul(gi, directions[k]!))), scalar(0));
        const order1 = grad(f0) as (xs: Tensor[]) => Tensor[];
        const order2 = grad(along(order1)) as (xs: Tensor[]) => Tensor[];
        const order3 = grad(along(order2)) as (xs: Tensor[]) => Tensor[];
        for (const [order, g] of [
          [1, order1],
          [2, order2],
          [3, order3],
        ] as const) {
          const jg = jit(g);
          expectIdentical(jg(first), g(first), `order ${order} at the traced arguments`);
          expectIdentical(jg(second), g(second), `order ${order} at new arguments`);
        }
      });
    });
  }
  it('compiles most entries (the rest compute constants from values and run uncompiled)', () => {
    expect(compiled).toBeGreaterThan(uncompiled);
  });
});

describe.each(smallWorkloads().map((w) => [w.name, w] as const))('%s, compiled', (_name, w) => {
  const f = (x: Tree): Tensor => w.f(x);
  const shifted = (x: Tree, by: number): Tree => {
    const { vector, unravel } = ravel(x);
    return unravel(add(vector, by)) as Tree;
  };
  it('value and gradient equal the interpreted ones bit for bit', () => {
    const value = jit(f);
    const gradient = jit(grad(f));
    for (const x of [w.x, shifted(w.x, 0.25)]) {
      expectIdentical(value(x), f(x), 'value');
      expectIdentical(gradient(x), grad(f)(x), 'gradient');
    }
  });
  it.each(HVP_MODES.map((m) => [m]))('hvp %s equals the interpreted one bit for bit', (mode) => {
    const product = jit((x: Tree, v: Tree) => hvp(f, x, v, { mode }));
    for (const x of [w.x, shifted(w.x, 0.25)]) expectIdentical(product(x, w.v), hvp(f, x, w.v, { mode }), mode);
  });
});

describe('broadcasting and trees', () => {
  it('broadcasts scalars, rows and columns inside one fused loop', () => {
    const f = (t: { a: Tensor; b: Tensor; c: Tensor }) => tanh(add(mul(t.a, t.b), div(t.c, add(t.b, 3))));
    const jf = jit(f);
    const rng = createRandom(5);
    const make = () => ({ a: tensor(rng.normals(3), [3, 1]), b: tensor(rng.normals(4), [4]), c: scalar(rng.normal()) });
    for (let k = 0; k < 3; k++) {
      const x = make();
      expectIdentical(jf(x), f(x), 'broadcast');
    }
    expect(jf.lower(make()).plan).toMatch(/loop i < 12/);
  });

  it('keeps the structure of tree arguments and results', () => {
    const f = (p: { w: Tensor; b: Tensor[] }) => ({ out: add(matmul(p.w, p.b[0]!), p.b[1]!), norm: sum(square(p.w)) });
    const jf = jit(f);
    const p = {
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: [tensor([1, -1]), tensor([0.5, 0.25])],
    };
    const got = jf(p);
    expect(Object.keys(got)).toEqual(['out', 'norm']);
    expectIdentical(got, f(p), 'tree');
  });
});

describe('what a compiled function is specialised on', () => {
  it('compiles once per structure and shapes, keeping a bounded cache (least recently used goes)', () => {
    let traces = 0;
    const f = (x: Tensor) => {
      traces++;
      return mul(x, 2);
    };
    const jf = jit(f, { cacheSize: 2 });
    jf(tensor([1, 2]));
    const perCompile = traces; // the trace and its probes
    expect(perCompile).toBeGreaterThan(0);
    jf(tensor([3, 4]));
    expect(traces).toBe(perCompile); // same shape: compiled code only
    jf(tensor([1, 2, 3]));
    expect(traces).toBe(2 * perCompile); // new shape: traced again
    jf(tensor([[1]]));
    expect(traces).toBe(3 * perCompile);
    jf(tensor([5, 6, 7])); // still cached (most recent two: [3], [1,1])
    expect(traces).toBe(3 * perCompile);
    jf(tensor([5, 6])); // [2] was evicted
    expect(traces).toBe(4 * perCompile);
  });

  it('passes numbers, strings and booleans through and compiles them in', () => {
    const f = (x: Tensor, k: number, name: string, flip: boolean) => (flip ? neg(mul(x, k)) : mul(x, k + name.length));
    const jf = jit(f);
    const x = tensor([1, 2]);
    expectIdentical(jf(x, 3, 'ab', false), f(x, 3, 'ab', false), 'k = 3');
    expectIdentical(jf(x, 4, 'ab', false), f(x, 4, 'ab', false), 'k = 4');
    expectIdentical(jf(x, 4, 'ab', true), f(x, 4, 'ab', true), 'flip');
  });

  it('raises ConcretizationError when the function reads a traced value', () => {
    const reads: [string, (x: Tensor) => unknown][] = [
      ['item', (x) => (sum(x).item() > 0 ? x : neg(x))],
      ['toArray', (x) => tensor(x.toArray())],
      ['data', (x) => tensor(x.data)],
    ];
    for (const [what, f] of reads) {
      let error: unknown;
      try {
        jit(f as (x: Tensor) => Tensor)(tensor([1, 2]));
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(ConcretizationError);
      expect((error as ConcretizationError).code).toBe('concretization');
      expect((error as Error).message).toMatch(/specialised to the shapes/);
    }
    // Reading a constant the function closes over is fine.
    const c = tensor([2]);
    expect(jit((x: Tensor) => mul(x, c.item()))(tensor([3])).item()).toBe(6);
  });

  it('compiles where() whose condition is an argument, reading the condition per call', () => {
    const f = (mask: Tensor, a: Tensor) => where(mask, a, 7);
    const jf = jit(f);
    const a = tensor([1, 2, 3]);
    expect(jf.lower(tensor([1, 0, 1]), a).valueDependent).toBeUndefined();
    for (const mask of [tensor([1, 0, 1]), tensor([0, 1, 0]), tensor([0, 0, 0])])
      expectIdentical(jf(mask, a), f(mask, a), 'where(mask)');
  });

  it('runs functions whose traces depend on the argument values uncompiled, and says why', () => {
    // clip checks lo ≤ hi on the bounds' values: with the bounds as arguments, tracing at other
    // values may fail that check, so the function cannot be specialised to shapes alone.
    const f = (x: Tensor, lo: Tensor, hi: Tensor) => clip(x, lo, hi);
    const jf = jit(f);
    const args = [tensor([-3, 0.5, 4]), tensor([-1, -1, -1]), tensor([1, 2, 3])] as const;
    expect(jf.lower(...args).valueDependent).toMatch(/tracing at other argument values/);
    expectIdentical(jf(...args), f(...args), 'clip with bounds as arguments');
  });
});

/** Values that are not the traced ones, with ties, zeros and both signs (what masks branch on). */
function newValues(shape: readonly number[], seed: number): Tensor[] {
  const rng = createRandom(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const signs = tensor(
    Float64Array.from({ length: n }, (_, i) => [-1.5, 0, 2, 2, -0.25][i % 5]!),
    [...shape],
  );
  return [
    tensor(rng.normals(n), [...shape]),
    neg(tensor(rng.normals(n), [...shape])),
    signs,
    tensor(new Float64Array(n), [...shape]),
  ];
}

describe('masks, signs and stabilising shifts are computed by the compiled code', () => {
  const x0 = tensor([
    [0.3, -1.2, 2, -0.5],
    [1.5, 0.25, -2, 0.75],
    [-0.1, 3, 0.2, -3],
  ]);
  const v = tensor([
    [1, -0.5, 0.25, 2],
    [-1, 0.5, 1.5, -0.75],
    [0.3, -0.2, 1, 0.4],
  ]);
  const fns: [string, (x: Tensor) => Tensor][] = [
    ['relu', (x) => relu(x)],
    ['abs', (x) => abs(x)],
    ['sign', (x) => mul(sign(x), x)],
    ['greater mask', (x) => mul(where(greater(x, 0), x, 0), 3)],
    ['maximum', (x) => maximum(x, mul(x, x))],
    ['minimum', (x) => minimum(x, 0.5)],
    ['clip', (x) => clip(x, -1, 1)],
    ['max', (x) => max(x, 1)],
    ['min', (x) => min(x)],
    ['logSumExp', (x) => logSumExp(x, 0)],
    ['logSoftmax', (x) => logSoftmax(x)],
    ['softmax', (x) => softmax(x, 0)],
    ['norm ∞', (x) => norm(x, Infinity)],
    ['norm 1', (x) => norm(x, 1)],
    ['norm 2', (x) => norm(x)],
    ['std', (x) => std(x, 1)],
    ['hypot', (x) => hypot(x, mul(x, 0.5))],
    ['atan2', (x) => atan2(x, add(x, 0.5))],
  ];
  const scalarOf = (g: (x: Tensor) => Tensor) => (x: Tensor) => sum(sin(g(x)));
  it.each(fns)('%s: value, gradient and HVP compile, and give the interpreted bits at new values', (_name, g) => {
    const f = scalarOf(g);
    const programs: [string, (x: Tensor) => unknown][] = [
      ['value', (x) => g(x)],
      ['gradient', grad(f)],
      ['hvp', (x) => hvp(f, x, v)],
      ['hvp rev-over-rev', (x) => hvp(f, x, v, { mode: 'rev-over-rev' })],
    ];
    for (const [label, p] of programs) {
      const jp = jit(p);
      expect(jp.lower(x0).valueDependent, `${label} compiles`).toBeUndefined();
      for (const x of newValues(x0.shape, 11)) expectIdentical(jp(x), p(x), `${label} at new values`);
    }
  });
  it('a mask is one fused loop with what it masks', () => {
    const jg = jit(grad((x: Tensor) => sum(relu(x))));
    expect(jg.lower(tensor([1, -2, 3])).plan).toMatch(/step\(/);
    expect(jg.lower(tensor([1, -2, 3])).plan).not.toMatch(/kernel/);
  });
  it('the MLP workload: value, gradient and every AD HVP mode compile (softmax cross-entropy)', () => {
    // (The finite-difference modes' step is scaled by the argument's size: that run stays uncompiled.)
    const w = smallWorkloads().find((s) => s.family === 'mlp')!;
    const f = (x: Tree): Tensor => w.f(x);
    const programs: [string, (x: Tree) => unknown][] = [
      ['value', f],
      ['gradient', grad(f)],
      ...HVP_MODES.filter((mode) => !mode.endsWith('difference')).map(
        (mode) => [`hvp ${mode}`, (x: Tree) => hvp(f, x, w.v, { mode })] as [string, (x: Tree) => unknown],
      ),
    ];
    const { vector, unravel } = ravel(w.x);
    const moved = unravel(add(mul(vector, -1.5), 0.125)) as Tree;
    for (const [label, p] of programs) {
      const jp = jit(p);
      expect(jp.lower(w.x).valueDependent, `${label} compiles`).toBeUndefined();
      expectIdentical(jp(moved), p(moved), `${label} at new values`);
    }
  });
});

describe('scalar programs and repeated calls', () => {
  // One rank-0 op at a time over an array of scalars: many inputs (read from the call's array),
  // many rank-0 outputs (copied out of the registers by a table), a long generated program.
  const n = 60;
  const f = (xs: Tensor[]) => {
    let total: Tensor = scalar(0);
    for (let i = 0; i < xs.length - 1; i++)
      total = add(total, add(mul(100, square(sub(xs[i + 1]!, square(xs[i]!)))), square(sub(1, xs[i]!))));
    return total;
  };
  const point = (seed: number) => Array.from(createRandom(seed).normals(n), (v) => scalar(v));
  it('the gradient of an array of scalars, compiled, gives the interpreted bits at new values', () => {
    const g = grad(f) as (xs: Tensor[]) => Tensor[];
    const jg = jit(g);
    expect(jg.lower(point(1)).valueDependent).toBeUndefined();
    for (const seed of [2, 3, 4]) expectIdentical(jg(point(seed)), g(point(seed)), `gradient at point ${seed}`);
    const v = point(9);
    const jh = jit((xs: Tensor[], vs: Tensor[]) => hvp(f, xs, vs));
    for (const seed of [5, 6]) expectIdentical(jh(point(seed), v), hvp(f, point(seed), v), `hvp at point ${seed}`);
  });
  it('a call with the structure of the last one reuses its compilation; other structures, shapes, values and transforms are told apart', () => {
    let traces = 0;
    const h = (xs: Tensor[], k: number | null) => {
      traces++;
      return mul(sum(xs[0]!), k ?? 2);
    };
    const jh = jit(h);
    const xs = [tensor([1, 2]), scalar(3)];
    expectIdentical(jh(xs, null), h(xs, null), 'null argument');
    const afterFirst = traces;
    expectIdentical(jh([tensor([4, 5]), scalar(6)], null), h([tensor([4, 5]), scalar(6)], null), 'same structure');
    expect(traces).toBe(afterFirst + 1); // the interpreted reference only
    expectIdentical(jh([tensor([4, 5, 6]), scalar(6)], null), h([tensor([4, 5, 6]), scalar(6)], null), 'new shape');
    expectIdentical(jh(xs, 3), h(xs, 3), 'new static value');
    expectIdentical(jh([...xs, scalar(1)], null), h([...xs, scalar(1)], null), 'longer array');
    // Differentiated after a compiled call with the same structure: the transform sees the ops.
    const d = grad((y: Tensor) => jh([y, scalar(3)], null) as Tensor)(tensor([1, 2]));
    expectIdentical(
      d,
      grad((y: Tensor) => h([y, scalar(3)], null))(tensor([1, 2])),
      'grad through the jitted function',
    );
  });
});

describe('composition with the transforms', () => {
  const f = (x: Tensor) => sum(mul(sin(x), exp(neg(square(x)))));
  const x = tensor([0.3, -1.2, 2]);
  const v = tensor([1, 0.5, -1]);

  it('grad, jvp and hvp of a jitted function run it uncompiled so they see its ops', () => {
    const jf = jit(f);
    expectIdentical(grad(jf)(x), grad(f)(x), 'grad(jit(f))');
    expectIdentical(jvp(jf, x, v).tangent, jvp(f, x, v).tangent, 'jvp(jit(f))');
    expectIdentical(hvp(jf, x, v), hvp(f, x, v), 'hvp(jit(f))');
  });

  it('jit of jit, jit of valueAndGrad, and jit inside grad', () => {
    expectIdentical(jit(jit(f))(x), f(x), 'jit(jit(f))');
    expectIdentical(jit(valueAndGrad(f))(x), valueAndGrad(f)(x), 'jit(valueAndGrad(f))');
    const inner = jit((y: Tensor) => mul(y, y));
    const outer = (y: Tensor) => sum(mul(inner(y), sin(y)));
    expectIdentical(
      grad(outer)(x),
      grad((y: Tensor) => sum(mul(mul(y, y), sin(y))))(x),
      'grad of a function calling a jitted one',
    );
  });

  it('a jitted function that closes over a value traced by an enclosing transform stays differentiable', () => {
    const g = grad((y: Tensor) => {
      const scaled = jit((z: Tensor) => sum(mul(z, y)));
      return scaled(tensor([1, 2, 3]));
    });
    expectIdentical(g(x), tensor([1, 2, 3]), 'd/dy Σ z·y = z');
  });
});

describe('what jit shows and what it hands out', () => {
  it('½xᵀAx: the compiled fwd-over-rev HVP drops the gradient primal (half the matrix products)', () => {
    const q = quadratic(8);
    const product = jit((x: Tensor, v: Tensor) => hvp(q.f, x, v));
    const { plan, source } = product.lower(q.x, q.v);
    const products = (plan.match(/= matmul/g) ?? []).length;
    expect(products).toBe(2);
    // Buffers are shared between values whose lifetimes do not overlap.
    const buffers = (plan.match(/→ buffer \d+/g) ?? []).length;
    expect(new Set(plan.match(/→ buffer \d+/g)).size).toBeLessThan(buffers);
    expect(source).toMatch(/return function run/);
    expectIdentical(product(q.x, q.v), hvp(q.f, q.x, q.v), 'hvp');
  });

  it('hands out fresh arrays: writing into a result changes neither later results nor the inputs', () => {
    const jf = jit((x: Tensor) => add(mul(x, 2), 1));
    const x = tensor([1, 2, 3]);
    const first = jf(x);
    const data = first.toArray();
    data[0] = 99;
    const second = jf(x);
    expect(Array.from(second.toArray())).toEqual([3, 5, 7]);
    expect(Array.from(first.toArray())).toEqual([3, 5, 7]);
    expect(first.toArray().buffer).not.toBe(second.toArray().buffer);
    expect(Array.from(x.toArray())).toEqual([1, 2, 3]);
    expect(Array.from(jit((y: Tensor) => y)(x).toArray())).toEqual([1, 2, 3]);
  });
});

describe('where new Function is forbidden', () => {
  let restore: ReturnType<typeof setFunctionConstructor> | undefined;
  afterEach(() => {
    if (restore !== undefined) setFunctionConstructor(restore);
    restore = undefined;
    resetJitWarning();
    vi.restoreAllMocks();
  });
  const forbid = () => {
    restore = setFunctionConstructor(() => {
      throw new EvalError("Refused to evaluate a string as JavaScript because 'unsafe-eval' is not an allowed source");
    });
  };

  it('interprets the same plan with the same bits, and warns once', () => {
    forbid();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const w of smallWorkloads()) {
      const f = (x: Tree): Tensor => w.f(x);
      for (const mode of ['fwd-over-rev', 'rev-over-rev'] as const) {
        const product = jit((x: Tree, v: Tree) => hvp(f, x, v, { mode }));
        expectIdentical(product(w.x, w.v), hvp(f, w.x, w.v, { mode }), `${w.name} ${mode} interpreted`);
      }
      expectIdentical(jit(grad(f))(w.x), grad(f)(w.x), `${w.name} gradient interpreted`);
    }
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/interpreter/);
  });

  it("with { fallback: 'error' } refuses instead", () => {
    forbid();
    let error: unknown;
    try {
      jit((x: Tensor) => mul(x, 2), { fallback: 'error' })(tensor([1]));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TapegradError);
    expect((error as TapegradError).code).toBe('code-generation');
    expect((error as Error).message).toMatch(/unsafe-eval/);
  });
});

describe('evaluation hooks', () => {
  it('countOps sees the traced run once (not the probes) and no ops for compiled calls', () => {
    const f = (x: Tensor) => sum(exp(mul(x, 2)));
    const jf = jit(f);
    const x = tensor([1, 2]);
    expect(countOps(() => jf(x)).opsByKind).toEqual(countOps(() => f(x)).opsByKind);
    expect(countOps(() => jf(x)).ops).toBe(0);
  });
});

describe('argument checks', () => {
  it('names jit and what was wrong', () => {
    expect(() => jit(3 as never)).toThrow(/jit/);
    expect(() => jit((x: Tensor) => x, { fallbak: 'error' } as never)).toThrow(/fallback/);
    expect(() => jit((x: Tensor) => x, { cacheSize: 0 })).toThrow(/cacheSize/);
    expect(() => jit((x: unknown) => x as Tensor)(new Float64Array(2) as never)).toThrow(/Tensors, numbers/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => jit((x: unknown) => x as Tensor)(cyclic as never)).toThrow(/contains itself/);
  });

  it('a dot product of matrices and vectors keeps its kernel', () => {
    const f = (a: Tensor, b: Tensor) => dot(matmul(a, b), b);
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([0.5, -1]);
    expectIdentical(jit(f)(a, b), f(a, b), 'dot');
  });
});

describe('the op catalogue through the plan interpreter', () => {
  let restore: ReturnType<typeof setFunctionConstructor> | undefined;
  afterEach(() => {
    if (restore !== undefined) setFunctionConstructor(restore);
    restore = undefined;
    resetJitWarning();
    vi.restoreAllMocks();
  });
  it('gives the compiled bits for every entry at orders 0–2', () => {
    restore = setFunctionConstructor(() => {
      throw new EvalError('code generation from strings disallowed for this context');
    });
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    for (const entry of catalogue) {
      const shapes = entry.shapes[0]!;
      const first = inputsFor(entry, shapes, 'a');
      const second = inputsFor(entry, shapes, 'b');
      const w = weightsFor(entry.fn(...first).shape);
      const f0 = (xs: Tensor[]) => sum(mul(entry.fn(...xs), w));
      const order1 = grad(f0) as (xs: Tensor[]) => Tensor[];
      const order2 = grad((xs: Tensor[]) => order1(xs).reduce<Tensor>((s, g) => add(s, sum(g)), scalar(0))) as (
        xs: Tensor[],
      ) => Tensor[];
      for (const g of [(xs: Tensor[]) => entry.fn(...xs), order1, order2]) {
        const jg = jit(g);
        expectIdentical(jg(first), g(first), `${entry.name} interpreted plan`);
        expectIdentical(jg(second), g(second), `${entry.name} interpreted plan at new arguments`);
      }
    }
  });
});
