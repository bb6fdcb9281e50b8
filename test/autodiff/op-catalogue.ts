/**
 * The op catalogue: one entry per way of calling each differentiable op, with the input shapes
 * to try, each input's domain, and a naive reference for the value written with plain loops.
 * `ops.test.ts` runs every entry through the value check and `checkGrads` (orders 1–3, forward
 * and reverse), and fails if an op exported from `src/autodiff/ops/index.ts` has no entry here.
 *
 * Listing an op enrols it. To add one: write its entry below (name, the op it exercises, a
 * function of tensors, input shapes including broadcasting pairs and scalars, input domains
 * away from kinks and singularities, and a loop reference).
 *
 * The references share no code with the engine: shapes, broadcasting, reductions and indexing
 * are re-implemented here on nested multi-indices, the slow and obvious way.
 */
import {
  type Tensor,
  abs,
  acos,
  add,
  asin,
  atan,
  atan2,
  broadcastTo,
  clip,
  concat,
  cos,
  cosh,
  cumsum,
  div,
  dot,
  equal,
  erf,
  exp,
  expandDims,
  expm1,
  greater,
  greaterEqual,
  hypot,
  index,
  less,
  lessEqual,
  log,
  log1p,
  logAddExp,
  logSoftmax,
  logSumExp,
  matmul,
  max,
  maximum,
  mean,
  min,
  minimum,
  mul,
  neg,
  norm,
  outer,
  pow,
  prod,
  relu,
  reshape,
  sigmoid,
  sign,
  sin,
  sinh,
  slice,
  softmax,
  softplus,
  sqrt,
  square,
  squeeze,
  stack,
  std,
  stopGradient,
  sub,
  sum,
  sumTo,
  take,
  takeAlongRows,
  tanh,
  tensor,
  transpose,
  var as varOp,
  variance,
  where,
} from '../../src/autodiff/index.js';
import type { RandomSource } from '../../src/linalg/random.js';

export type Shape = readonly number[];

// ---------------------------------------------------------------------------------------------
// Naive arrays: shape + values, indexed by multi-index. Deliberately slow and obvious.

export interface Naive {
  readonly shape: readonly number[];
  readonly data: readonly number[];
}

export function sizeOf(shape: Shape): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** The multi-index of flat position `flat` in a row-major array of `shape`. */
export function unravelIndex(flat: number, shape: Shape): number[] {
  const idx = new Array<number>(shape.length).fill(0);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const d = shape[axis]!;
    idx[axis] = flat % d;
    flat = Math.floor(flat / d);
  }
  return idx;
}

/** The flat position of multi-index `idx` in a row-major array of `shape`. */
export function ravelIndex(idx: readonly number[], shape: Shape): number {
  let flat = 0;
  for (let axis = 0; axis < shape.length; axis++) flat = flat * shape[axis]! + idx[axis]!;
  return flat;
}

export function build(shape: Shape, value: (idx: number[]) => number): Naive {
  const data: number[] = [];
  for (let k = 0; k < sizeOf(shape); k++) data.push(value(unravelIndex(k, shape)));
  return { shape: shape.slice(), data };
}

export function get(a: Naive, idx: readonly number[]): number {
  return a.data[ravelIndex(idx, a.shape)]!;
}

/** NumPy's broadcast shape of several shapes (throws if they do not broadcast). */
export function broadcastShape(...shapes: Shape[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let j = 0; j < rank; j++) {
    let d = 1;
    for (const s of shapes) {
      const k = s.length - rank + j;
      const e = k >= 0 ? s[k]! : 1;
      if (e !== 1) {
        if (d !== 1 && d !== e) throw new Error(`reference: ${JSON.stringify(shapes)} do not broadcast`);
        d = e;
      }
    }
    out.push(d);
  }
  return out;
}

/** Reads `a` at an index of a larger broadcast shape: trailing axes align, length-1 axes repeat. */
export function broadcastGet(a: Naive, idx: readonly number[]): number {
  const offset = idx.length - a.shape.length;
  return get(
    a,
    a.shape.map((d, j) => (d === 1 ? 0 : idx[offset + j]!)),
  );
}

export function map1(a: Naive, f: (x: number) => number): Naive {
  return { shape: a.shape.slice(), data: a.data.map(f) };
}

export function map2(a: Naive, b: Naive, f: (x: number, y: number) => number): Naive {
  return build(broadcastShape(a.shape, b.shape), (idx) => f(broadcastGet(a, idx), broadcastGet(b, idx)));
}

function normalizeAxes(axes: number | readonly number[] | undefined, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  return (typeof axes === 'number' ? [axes] : axes).map((a) => (a < 0 ? a + rank : a));
}

/** Applies `f` to the list of values of each slice reduced over `axes`. */
export function reduce(
  a: Naive,
  axes: number | readonly number[] | undefined,
  keepDims: boolean,
  f: (values: number[]) => number,
): Naive {
  const reduced = normalizeAxes(axes, a.shape.length);
  const kept = a.shape.map((d, i) => (reduced.includes(i) ? 1 : d));
  const buckets: number[][] = Array.from({ length: sizeOf(kept) }, () => []);
  for (let k = 0; k < a.data.length; k++) {
    const idx = unravelIndex(k, a.shape).map((v, i) => (reduced.includes(i) ? 0 : v));
    buckets[ravelIndex(idx, kept)]!.push(a.data[k]!);
  }
  const shape = keepDims ? kept : a.shape.filter((_, i) => !reduced.includes(i));
  return { shape, data: buckets.map(f) };
}

const total = (vs: number[]): number => vs.reduce((s, v) => s + v, 0);
const largest = (vs: number[]): number => vs.reduce((m, v) => Math.max(m, v), -Infinity);
/** log Σ exp(v), shifted by the maximum (the identity log Σ eᵛ = m + log Σ e^(v−m)) so 1000 + x does not overflow. */
const logSumExpOf = (vs: number[]): number => {
  const m = largest(vs);
  return m + Math.log(total(vs.map((v) => Math.exp(v - m))));
};

/** Each slice along `axis` mapped as a whole: `f(slice)` returns the new slice. */
function alongAxis(a: Naive, axis: number, f: (values: number[]) => number[]): Naive {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const out = a.data.slice();
  for (let k = 0; k < a.data.length; k++) {
    const idx = unravelIndex(k, a.shape);
    if (idx[ax] !== 0) continue;
    const positions = Array.from({ length: a.shape[ax]! }, (_, i) =>
      ravelIndex(
        idx.map((v, j) => (j === ax ? i : v)),
        a.shape,
      ),
    );
    const mapped = f(positions.map((p) => a.data[p]!));
    positions.forEach((p, i) => (out[p] = mapped[i]!));
  }
  return { shape: a.shape.slice(), data: out };
}

/** Matrix product with NumPy's 1-D promotion and optional transposes, by the triple loop. */
export function naiveMatmul(a: Naive, b: Naive, ta = false, tb = false): Naive {
  const A = a.shape.length === 1 ? { shape: [1, a.shape[0]!], data: a.data } : ta ? naiveTranspose(a, [1, 0]) : a;
  const B = b.shape.length === 1 ? { shape: [b.shape[0]!, 1], data: b.data } : tb ? naiveTranspose(b, [1, 0]) : b;
  const [m, k] = A.shape as [number, number];
  const n = B.shape[1]!;
  const c = build([m, n], ([i, j]) => {
    let s = 0;
    for (let p = 0; p < k; p++) s += get(A, [i!, p]) * get(B, [p, j!]);
    return s;
  });
  const shape = [...(a.shape.length === 2 ? [m] : []), ...(b.shape.length === 2 ? [n] : [])];
  return { shape, data: c.data };
}

export function naiveTranspose(a: Naive, perm?: readonly number[]): Naive {
  const p = perm ?? a.shape.map((_, i) => a.shape.length - 1 - i);
  return build(
    p.map((q) => a.shape[q]!),
    (idx) => {
      const source = new Array<number>(p.length);
      p.forEach((q, i) => (source[q] = idx[i]!));
      return get(a, source);
    },
  );
}

export function naiveSlice(a: Naive, start: readonly number[], size: readonly number[]): Naive {
  return build(size, (idx) =>
    get(
      a,
      idx.map((v, i) => v + start[i]!),
    ),
  );
}

export function naiveTake(a: Naive, indices: readonly number[], axis: number): Naive {
  const ax = axis < 0 ? axis + a.shape.length : axis;
  const n = a.shape[ax]!;
  const shape = a.shape.map((d, i) => (i === ax ? indices.length : d));
  return build(shape, (idx) =>
    get(
      a,
      idx.map((v, i) => (i === ax ? (indices[v]! + n) % n : v)),
    ),
  );
}

function naiveConcat(xs: readonly Naive[], axis: number): Naive {
  const ax = axis < 0 ? axis + xs[0]!.shape.length : axis;
  const shape = xs[0]!.shape.map((d, i) => (i === ax ? xs.reduce((s, x) => s + x.shape[ax]!, 0) : d));
  return build(shape, (idx) => {
    let at = idx[ax]!;
    for (const x of xs) {
      if (at < x.shape[ax]!)
        return get(
          x,
          idx.map((v, i) => (i === ax ? at : v)),
        );
      at -= x.shape[ax]!;
    }
    throw new Error('reference: concat index out of range');
  });
}

function withShape(a: Naive, shape: Shape): Naive {
  const inferred = shape.indexOf(-1);
  const resolved = shape.slice();
  if (inferred >= 0) resolved[inferred] = a.data.length / sizeOf(shape.filter((d) => d !== -1));
  return { shape: resolved, data: a.data.slice() };
}

/** A fixed true/false pattern over a shape (entry k is true unless k ≡ 1 mod 3). */
export function patternMask(shape: Shape): Naive {
  return build(shape, (idx) => (ravelIndex(idx, shape) % 3 === 1 ? 0 : 1));
}

// ---------------------------------------------------------------------------------------------
// Domains and samplers

/** Inputs drawn uniformly from (low, high); with `signed`, |x| ∈ (low, high) with a random sign. */
export interface Domain {
  readonly low: number;
  readonly high: number;
  readonly signed?: boolean;
}

export type Sampler = (shapes: readonly Shape[], rng: RandomSource) => Float64Array[];

const standard: Domain = { low: -2, high: 2 };
const positive: Domain = { low: 0.5, high: 2 };
const awayFromZero: Domain = { low: 0.2, high: 2, signed: true };

/**
 * Every entry of every input distinct, at least 0.2 apart: no ties for max, maximum, minimum or
 * the comparisons, so a central-difference step of ~1e-5 never flips which input wins.
 */
export const separated: Sampler = (shapes, rng) => {
  const count = shapes.reduce((n, s) => n + sizeOf(s), 0);
  const order = rng.sampleWithoutReplacement(count, count);
  const values = Array.from(order, (k) => 0.3 * k - 0.15 * count + rng.uniform() * 0.1 - 0.05);
  let at = 0;
  return shapes.map((s) => Float64Array.from(values.slice(at, (at += sizeOf(s)))));
};

/** Inputs near 1000 (1000 + U(−2, 2)): exp would overflow without the max shift. */
const nearThousand: Sampler = (shapes, rng) => shapes.map((s) => rng.uniforms(sizeOf(s), 998, 1002));

/**
 * Magnitudes at least 0.2 apart (0.3k + U(−0.05, 0.05) for a random order of k), each with a
 * random sign: no ties in |x|, for the ∞-norm, whose gradient follows the largest |x|.
 */
const separatedMagnitudes: Sampler = (shapes, rng) => {
  const count = shapes.reduce((n, s) => n + sizeOf(s), 0);
  const order = rng.sampleWithoutReplacement(count, count);
  const values = Array.from(
    order,
    (k) => (0.3 * k + 0.3 + rng.uniform() * 0.1 - 0.05) * (rng.uniform() < 0.5 ? -1 : 1),
  );
  let at = 0;
  return shapes.map((s) => Float64Array.from(values.slice(at, (at += sizeOf(s)))));
};

/**
 * For clip(x, lo, hi): lo ∈ (−0.6, −0.4), hi ∈ (0.4, 0.6), and x at least 0.15 away from every
 * bound — below, inside or above in turn — so a difference step never crosses a kink.
 */
const clipInputs: Sampler = (shapes, rng) =>
  shapes.map((s, i) => {
    if (i === 1) return rng.uniforms(sizeOf(s), -0.6, -0.4);
    if (i === 2) return rng.uniforms(sizeOf(s), 0.4, 0.6);
    return Float64Array.from(
      { length: sizeOf(s) },
      (_, k) => [rng.uniform() * 1.25 - 2, rng.uniform() * 0.5 - 0.25, rng.uniform() * 1.25 + 0.75][k % 3]!,
    );
  });

/** Bounds `v` to [lo, hi], the obvious way. */
const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

/**
 * erf by its Maclaurin series, (2/√π)·Σ (−1)ⁿx²ⁿ⁺¹/(n!(2n+1)), summed until the terms vanish: for
 * |x| ≤ 2 the largest term is below 3, so cancellation costs at most a few ulp.
 */
function erfBySeries(x: number): number {
  let term = x; // (−1)ⁿx²ⁿ⁺¹/n!
  let total = x;
  for (let n = 1; Math.abs(term) > 1e-18 * Math.abs(total) || n < 3; n++) {
    term *= (-x * x) / n;
    total += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * total;
}

/** Σ(v − mean)²/(N − ddof), two passes. */
const varianceOf =
  (ddof: number) =>
  (vs: number[]): number => {
    const m = total(vs) / vs.length;
    return total(vs.map((v) => (v - m) * (v - m))) / (vs.length - ddof);
  };
const product = (vs: number[]): number => vs.reduce((p, v) => p * v, 1);
const smallest = (vs: number[]): number => vs.reduce((m, v) => Math.min(m, v), Infinity);
const euclidean = (vs: number[]): number => Math.sqrt(total(vs.map((v) => v * v)));

/** Running sums along `axis`. */
function naiveCumsum(a: Naive, axis: number): Naive {
  return alongAxis(a, axis, (vs) => {
    let s = 0;
    return vs.map((v) => (s += v));
  });
}

// ---------------------------------------------------------------------------------------------
// The catalogue

export interface CatalogueEntry {
  /** A unique label: the call it makes, e.g. `sum(x, -1, keepDims)`. */
  readonly name: string;
  /** The exported op this entry enrols (coverage is checked against the op index). */
  readonly op: string;
  readonly fn: (...xs: Tensor[]) => Tensor;
  /** The value by plain loops on naive arrays. */
  readonly reference: (...xs: Naive[]) => Naive;
  /** Input shapes to try: one tuple per case, one shape per input. */
  readonly shapes: readonly (readonly Shape[])[];
  /** Each input's domain (the last repeats; default (−2, 2)). Ignored when `sample` is given. */
  readonly domains?: readonly Domain[];
  readonly sample?: Sampler;
  /**
   * `'piecewise-constant'`: the output is a constant mask, so every derivative is exactly zero
   * (and central differences agree). `'stop'`: the derivative is zero by definition although the
   * value moves with x (stopGradient), so central differences do not apply.
   */
  readonly derivative?: 'piecewise-constant' | 'stop';
  /** checkGrads overrides, each with its reason next to it. */
  readonly check?: { readonly eps?: number };
}

const binaryShapes: readonly (readonly Shape[])[] = [
  [
    [3, 4],
    [3, 4],
  ],
  [[3, 1], [4]],
  [[], [2, 3]],
  [[2, 3], []],
  [
    [2, 1, 4],
    [3, 1],
  ],
];
const unaryShapes: readonly (readonly Shape[])[] = [[[3, 4]], [[]], [[2, 1, 3]]];

function binary(
  op: string,
  fn: (a: Tensor, b: Tensor) => Tensor,
  f: (a: number, b: number) => number,
  domains?: readonly Domain[],
  shapes = binaryShapes,
): CatalogueEntry {
  return { name: op, op, fn, reference: (a, b) => map2(a!, b!, f), shapes, ...(domains ? { domains } : {}) };
}

function unary(
  op: string,
  fn: (x: Tensor) => Tensor,
  f: (x: number) => number,
  domain: Domain = standard,
): CatalogueEntry {
  return { name: op, op, fn, reference: (a) => map1(a!, f), shapes: unaryShapes, domains: [domain] };
}

function comparison(
  op: string,
  fn: (a: Tensor, b: Tensor) => Tensor,
  f: (a: number, b: number) => boolean,
): CatalogueEntry {
  return {
    name: op,
    op,
    fn,
    reference: (a, b) => map2(a!, b!, (x, y) => (f(x, y) ? 1 : 0)),
    shapes: binaryShapes,
    sample: separated,
    derivative: 'piecewise-constant',
  };
}

const sigmoidOf = (x: number): number => 1 / (1 + Math.exp(-x));

export const catalogue: readonly CatalogueEntry[] = [
  // --- arithmetic ------------------------------------------------------------------------------
  binary('add', add, (a, b) => a + b),
  binary('sub', sub, (a, b) => a - b),
  binary('mul', mul, (a, b) => a * b),
  binary('div', div, (a, b) => a / b, [standard, awayFromZero]),
  unary('neg', neg, (x) => -x),
  unary('square', square, (x) => x * x),
  // d/db aᵇ = aᵇ log a needs a > 0; b ∈ (−2, 2) keeps aᵇ and its derivatives moderate.
  binary(
    'pow',
    pow,
    (a, b) => Math.pow(a, b),
    [positive, standard],
    [
      [
        [2, 3],
        [2, 3],
      ],
      [[3, 1], [4]],
      [[2, 3], []],
      [[], [3]],
    ],
  ),
  {
    name: 'pow(x, 3) (constant exponent)',
    op: 'pow',
    fn: (x) => pow(x, 3),
    reference: (a) => map1(a!, (x) => x * x * x),
    shapes: unaryShapes,
  },
  {
    name: 'where(mask, a, b)',
    op: 'where',
    fn: (a, b) =>
      where(tensor(patternMask(broadcastShape(a.shape, b.shape)).data.slice(), broadcastShape(a.shape, b.shape)), a, b),
    reference: (a, b) => {
      const mask = patternMask(broadcastShape(a!.shape, b!.shape));
      return build(mask.shape, (idx) => (get(mask, idx) ? broadcastGet(a!, idx) : broadcastGet(b!, idx)));
    },
    shapes: binaryShapes,
  },
  {
    name: 'where(mask[3,1], x, 0)',
    op: 'where',
    fn: (x) => where(tensor([[1], [0], [1]]), x, 0),
    reference: (a) => build(a!.shape, (idx) => (idx[0] === 1 ? 0 : get(a!, idx))),
    shapes: [[[3, 4]], [[3, 1]]],
  },
  { ...binary('maximum', maximum, Math.max), sample: separated },
  { ...binary('minimum', minimum, Math.min), sample: separated },
  comparison('greater', greater, (a, b) => a > b),
  comparison('greaterEqual', greaterEqual, (a, b) => a >= b),
  comparison('less', less, (a, b) => a < b),
  comparison('lessEqual', lessEqual, (a, b) => a <= b),
  comparison('equal', equal, (a, b) => a === b),
  {
    name: 'equal(x, x) (all true)',
    op: 'equal',
    fn: (x) => equal(x, x),
    reference: (a) => map1(a!, () => 1),
    shapes: unaryShapes,
    derivative: 'piecewise-constant',
  },
  {
    name: 'stopGradient',
    op: 'stopGradient',
    fn: (x) => stopGradient(x),
    reference: (a) => a!,
    shapes: unaryShapes,
    derivative: 'stop',
  },

  // --- elementwise -----------------------------------------------------------------------------
  unary('exp', exp, Math.exp),
  unary('log', log, Math.log, positive),
  unary('log1p', log1p, Math.log1p, { low: -0.5, high: 2 }),
  unary('expm1', expm1, Math.expm1),
  unary('sqrt', sqrt, Math.sqrt, positive),
  unary('sin', sin, Math.sin, { low: -3, high: 3 }),
  unary('cos', cos, Math.cos, { low: -3, high: 3 }),
  unary('tanh', tanh, Math.tanh),
  unary('sigmoid', sigmoid, sigmoidOf, { low: -4, high: 4 }),
  unary('softplus', softplus, (x) => Math.log(1 + Math.exp(x)), { low: -4, high: 4 }),
  unary('relu', relu, (x) => (x > 0 ? x : 0), awayFromZero),
  unary('abs', abs, Math.abs, awayFromZero),
  unary('atan', atan, Math.atan, { low: -3, high: 3 }),
  // asin and acos: |x| < 1, kept 0.1 from ±1 where the derivatives are infinite.
  unary('asin', asin, Math.asin, { low: -0.9, high: 0.9 }),
  unary('acos', acos, Math.acos, { low: -0.9, high: 0.9 }),
  unary('sinh', sinh, Math.sinh),
  unary('cosh', cosh, Math.cosh),
  unary('erf', erf, erfBySeries),
  { ...unary('sign', sign, Math.sign, awayFromZero), derivative: 'piecewise-constant' },

  // --- binary maths ----------------------------------------------------------------------------
  // atan2(y, x): |y| ≥ 0.2 keeps away from the origin and from the branch cut on the negative x-axis.
  binary('atan2', atan2, Math.atan2, [awayFromZero, standard]),
  binary('hypot', hypot, (a, b) => Math.sqrt(a * a + b * b), [awayFromZero, standard]),
  binary('logAddExp', logAddExp, (a, b) => Math.log(Math.exp(a) + Math.exp(b))),
  {
    ...binary(
      'logAddExp',
      logAddExp,
      (a, b) => Math.max(a, b) + Math.log(Math.exp(a - Math.max(a, b)) + Math.exp(b - Math.max(a, b))),
    ),
    name: 'logAddExp(a ≈ 1000, b ≈ 1000)',
    sample: nearThousand,
    check: { eps: 6e-6 }, // shift-invariant, as for logSumExp(x ≈ 1000): an unscaled step
  },
  {
    name: 'clip(x, lo, hi)',
    op: 'clip',
    fn: (x, lo, hi) => clip(x, lo, hi),
    reference: (x, lo, hi) =>
      build(broadcastShape(x!.shape, lo!.shape, hi!.shape), (idx) =>
        clamp(broadcastGet(x!, idx), broadcastGet(lo!, idx), broadcastGet(hi!, idx)),
      ),
    shapes: [
      [
        [3, 4],
        [3, 4],
        [3, 4],
      ],
      [[3, 4], [4], []],
      [[], [2, 3], [2, 1]],
      [[2, 1, 4], [3, 1], [4]],
    ],
    sample: clipInputs,
  },
  {
    name: 'clip(x, -0.5, 0.5)',
    op: 'clip',
    fn: (x) => clip(x, -0.5, 0.5),
    reference: (x) => map1(x!, (v) => clamp(v, -0.5, 0.5)),
    shapes: unaryShapes,
    sample: clipInputs,
  },
  {
    name: 'clip(x, null, 0.5)',
    op: 'clip',
    fn: (x) => clip(x, null, 0.5),
    reference: (x) => map1(x!, (v) => Math.min(v, 0.5)),
    shapes: unaryShapes,
    sample: clipInputs,
  },
  {
    name: 'clip(x, lo)',
    op: 'clip',
    fn: (x, lo) => clip(x, lo),
    reference: (x, lo) => map2(x!, lo!, (v, l) => Math.max(v, l)),
    shapes: [
      [[3, 4], [4]],
      [[2], [3, 1]],
    ],
    sample: clipInputs,
  },

  // --- reductions ------------------------------------------------------------------------------
  {
    name: 'sum(x)',
    op: 'sum',
    fn: (x) => sum(x),
    reference: (a) => reduce(a!, undefined, false, total),
    shapes: [[[3, 4]], [[]], [[2, 3, 4]]],
  },
  {
    name: 'sum(x, 1)',
    op: 'sum',
    fn: (x) => sum(x, 1),
    reference: (a) => reduce(a!, 1, false, total),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'sum(x, -1, keepDims)',
    op: 'sum',
    fn: (x) => sum(x, -1, true),
    reference: (a) => reduce(a!, -1, true, total),
    shapes: [[[3, 4]], [[4]], [[2, 3, 4]]],
  },
  {
    name: 'sum(x, [0, 2])',
    op: 'sum',
    fn: (x) => sum(x, [0, 2]),
    reference: (a) => reduce(a!, [0, 2], false, total),
    shapes: [[[2, 3, 4]]],
  },
  {
    name: 'mean(x)',
    op: 'mean',
    fn: (x) => mean(x),
    reference: (a) => reduce(a!, undefined, false, (v) => total(v) / v.length),
    shapes: [[[3, 4]], [[]]],
  },
  {
    name: 'mean(x, 0)',
    op: 'mean',
    fn: (x) => mean(x, 0),
    reference: (a) => reduce(a!, 0, false, (v) => total(v) / v.length),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'mean(x, -1, keepDims)',
    op: 'mean',
    fn: (x) => mean(x, -1, true),
    reference: (a) => reduce(a!, -1, true, (v) => total(v) / v.length),
    shapes: [[[3, 4]]],
  },
  {
    name: 'max(x)',
    op: 'max',
    fn: (x) => max(x),
    reference: (a) => reduce(a!, undefined, false, largest),
    shapes: [[[3, 4]], [[]]],
    sample: separated,
  },
  {
    name: 'max(x, 0)',
    op: 'max',
    fn: (x) => max(x, 0),
    reference: (a) => reduce(a!, 0, false, largest),
    shapes: [[[3, 4]], [[2, 3, 4]]],
    sample: separated,
  },
  {
    name: 'max(x, -1, keepDims)',
    op: 'max',
    fn: (x) => max(x, -1, true),
    reference: (a) => reduce(a!, -1, true, largest),
    shapes: [[[3, 4]]],
    sample: separated,
  },
  {
    name: 'max(x, [0, 2])',
    op: 'max',
    fn: (x) => max(x, [0, 2]),
    reference: (a) => reduce(a!, [0, 2], false, largest),
    shapes: [[[2, 3, 4]]],
    sample: separated,
  },
  {
    name: 'min(x)',
    op: 'min',
    fn: (x) => min(x),
    reference: (a) => reduce(a!, undefined, false, smallest),
    shapes: [[[3, 4]], [[]]],
    sample: separated,
  },
  {
    name: 'min(x, 0)',
    op: 'min',
    fn: (x) => min(x, 0),
    reference: (a) => reduce(a!, 0, false, smallest),
    shapes: [[[3, 4]], [[2, 3, 4]]],
    sample: separated,
  },
  {
    name: 'min(x, -1, keepDims)',
    op: 'min',
    fn: (x) => min(x, -1, true),
    reference: (a) => reduce(a!, -1, true, smallest),
    shapes: [[[3, 4]]],
    sample: separated,
  },
  {
    name: 'min(x, [0, 2])',
    op: 'min',
    fn: (x) => min(x, [0, 2]),
    reference: (a) => reduce(a!, [0, 2], false, smallest),
    shapes: [[[2, 3, 4]]],
    sample: separated,
  },
  // prod: lengths 1 to 7 (odd lengths exercise the unpaired entry of the halving tree); |x| ∈ (0.5, 1.5)
  // keeps products of up to 24 entries moderate. Zeros get their own exact test in ops.test.ts.
  {
    name: 'prod(x)',
    op: 'prod',
    fn: (x) => prod(x),
    reference: (a) => reduce(a!, undefined, false, product),
    shapes: [[[3, 4]], [[]], [[7]], [[1]]],
    domains: [{ low: 0.5, high: 1.5, signed: true }],
  },
  {
    name: 'prod(x, 1)',
    op: 'prod',
    fn: (x) => prod(x, 1),
    reference: (a) => reduce(a!, 1, false, product),
    shapes: [[[3, 5]], [[2, 3, 4]]],
    domains: [{ low: 0.5, high: 1.5, signed: true }],
  },
  {
    name: 'prod(x, -1, keepDims)',
    op: 'prod',
    fn: (x) => prod(x, -1, true),
    reference: (a) => reduce(a!, -1, true, product),
    shapes: [[[3, 6]], [[2, 1]]],
    domains: [{ low: 0.5, high: 1.5, signed: true }],
  },
  {
    name: 'prod(x, [0, 2])',
    op: 'prod',
    fn: (x) => prod(x, [0, 2]),
    reference: (a) => reduce(a!, [0, 2], false, product),
    shapes: [[[2, 3, 4]], [[3, 1, 3]]],
    domains: [{ low: 0.5, high: 1.5, signed: true }],
  },
  {
    name: 'var(x)',
    op: 'var',
    fn: (x) => varOp(x),
    reference: (a) => reduce(a!, undefined, false, varianceOf(0)),
    shapes: [[[3, 4]], [[]], [[5]]],
  },
  {
    name: 'variance(x, 0)',
    op: 'variance',
    fn: (x) => variance(x, 0),
    reference: (a) => reduce(a!, 0, false, varianceOf(0)),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'var(x, -1, keepDims)',
    op: 'var',
    fn: (x) => varOp(x, -1, true),
    reference: (a) => reduce(a!, -1, true, varianceOf(0)),
    shapes: [[[3, 4]]],
  },
  {
    name: 'var(x, [0, 2], false, 1)',
    op: 'var',
    fn: (x) => varOp(x, [0, 2], false, 1),
    reference: (a) => reduce(a!, [0, 2], false, varianceOf(1)),
    shapes: [[[2, 3, 4]]],
  },
  {
    name: 'std(x)',
    op: 'std',
    fn: (x) => std(x),
    reference: (a) => reduce(a!, undefined, false, (vs) => Math.sqrt(varianceOf(0)(vs))),
    shapes: [[[3, 4]], [[5]]],
  },
  {
    name: 'std(x, 1)',
    op: 'std',
    fn: (x) => std(x, 1),
    reference: (a) => reduce(a!, 1, false, (vs) => Math.sqrt(varianceOf(0)(vs))),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'std(x, -1, keepDims, 1)',
    op: 'std',
    fn: (x) => std(x, -1, true, 1),
    reference: (a) => reduce(a!, -1, true, (vs) => Math.sqrt(varianceOf(1)(vs))),
    shapes: [[[3, 4]], [[2]]],
  },
  {
    name: 'norm(x)',
    op: 'norm',
    fn: (x) => norm(x),
    reference: (a) => reduce(a!, undefined, false, euclidean),
    shapes: [[[3, 4]], [[5]]],
  },
  {
    name: 'norm(x, 2, -1)',
    op: 'norm',
    fn: (x) => norm(x, 2, -1),
    reference: (a) => reduce(a!, -1, false, euclidean),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'norm(x, 2, [0, 2], keepDims)',
    op: 'norm',
    fn: (x) => norm(x, 2, [0, 2], true),
    reference: (a) => reduce(a!, [0, 2], true, euclidean),
    shapes: [[[2, 3, 4]]],
  },
  // A scalar's 2-norm is |x|, so away from 0 as for abs.
  {
    name: 'norm(x) of a scalar',
    op: 'norm',
    fn: (x) => norm(x),
    reference: (a) => map1(a!, Math.abs),
    shapes: [[[]]],
    domains: [awayFromZero],
  },
  {
    name: 'norm(x, 1, 1)',
    op: 'norm',
    fn: (x) => norm(x, 1, 1),
    reference: (a) => reduce(a!, 1, false, (vs) => total(vs.map(Math.abs))),
    shapes: [[[3, 4]], [[2, 3, 4]]],
    domains: [awayFromZero],
  },
  {
    name: 'norm(x, Infinity, -1)',
    op: 'norm',
    fn: (x) => norm(x, Infinity, -1),
    reference: (a) => reduce(a!, -1, false, (vs) => largest(vs.map(Math.abs))),
    shapes: [[[3, 4]], [[4]]],
    sample: separatedMagnitudes,
  },
  {
    name: 'norm(x, Infinity)',
    op: 'norm',
    fn: (x) => norm(x, Infinity),
    reference: (a) => reduce(a!, undefined, false, (vs) => largest(vs.map(Math.abs))),
    shapes: [[[2, 3, 4]]],
    sample: separatedMagnitudes,
  },
  {
    name: 'logSumExp(x)',
    op: 'logSumExp',
    fn: (x) => logSumExp(x),
    reference: (a) => reduce(a!, undefined, false, logSumExpOf),
    shapes: [[[3, 4]], [[]]],
  },
  {
    name: 'logSumExp(x, 1)',
    op: 'logSumExp',
    fn: (x) => logSumExp(x, 1),
    reference: (a) => reduce(a!, 1, false, logSumExpOf),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'logSumExp(x, -1, keepDims)',
    op: 'logSumExp',
    fn: (x) => logSumExp(x, -1, true),
    reference: (a) => reduce(a!, -1, true, logSumExpOf),
    shapes: [[[3, 4]]],
  },
  {
    // The default step, ε^(1/3)·max|x| ≈ 6e-3 here, is scaled for functions whose curvature
    // grows with |x|; logSumExp's does not (it is shift-invariant), so its O(h²·f‴) truncation
    // would reach 1e-5. An unscaled step is right: checkGrads differences along the step
    // actually taken, so the rounding of 1000 + h·v costs nothing, and f's own rounding
    // (1000·ε per value) is inside its noise floor.
    name: 'logSumExp(x ≈ 1000, -1)',
    op: 'logSumExp',
    fn: (x) => logSumExp(x, -1),
    reference: (a) => reduce(a!, -1, false, logSumExpOf),
    shapes: [[[3, 4]], [[4]]],
    sample: nearThousand,
    check: { eps: 6e-6 },
  },
  {
    name: 'logSoftmax(x)',
    op: 'logSoftmax',
    fn: (x) => logSoftmax(x),
    reference: (a) => alongAxis(a!, -1, (v) => v.map((e) => e - logSumExpOf(v))),
    shapes: [[[4]], [[3, 4]]],
  },
  {
    name: 'logSoftmax(x, 0)',
    op: 'logSoftmax',
    fn: (x) => logSoftmax(x, 0),
    reference: (a) => alongAxis(a!, 0, (v) => v.map((e) => e - logSumExpOf(v))),
    shapes: [[[3, 4]]],
  },
  {
    name: 'logSoftmax(x ≈ 1000)',
    op: 'logSoftmax',
    fn: (x) => logSoftmax(x),
    reference: (a) => alongAxis(a!, -1, (v) => v.map((e) => e - logSumExpOf(v))),
    shapes: [[[3, 4]]],
    sample: nearThousand,
    check: { eps: 6e-6 }, // as for logSumExp(x ≈ 1000): shift-invariant, so an unscaled step
  },
  {
    name: 'softmax(x)',
    op: 'softmax',
    fn: (x) => softmax(x),
    reference: (a) => alongAxis(a!, -1, (v) => v.map((e) => Math.exp(e - logSumExpOf(v)))),
    shapes: [[[4]], [[3, 4]]],
  },
  {
    name: 'softmax(x, 0)',
    op: 'softmax',
    fn: (x) => softmax(x, 0),
    reference: (a) => alongAxis(a!, 0, (v) => v.map((e) => Math.exp(e - logSumExpOf(v)))),
    shapes: [[[3, 4]]],
  },
  {
    name: 'softmax(x ≈ 1000)',
    op: 'softmax',
    fn: (x) => softmax(x),
    reference: (a) => alongAxis(a!, -1, (v) => v.map((e) => Math.exp(e - logSumExpOf(v)))),
    shapes: [[[3, 4]]],
    sample: nearThousand,
    check: { eps: 6e-6 }, // shift-invariant, as above
  },

  // --- scans -----------------------------------------------------------------------------------
  // Without an axis, cumsum runs over x flattened (NumPy and JAX), so the result is 1-D.
  {
    name: 'cumsum(x)',
    op: 'cumsum',
    fn: (x) => cumsum(x),
    reference: (a) => naiveCumsum(withShape(a!, [-1]), 0),
    shapes: [[[3, 4]], [[]], [[5]]],
  },
  {
    name: 'cumsum(x, 0)',
    op: 'cumsum',
    fn: (x) => cumsum(x, 0),
    reference: (a) => naiveCumsum(a!, 0),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'cumsum(x, -1)',
    op: 'cumsum',
    fn: (x) => cumsum(x, -1),
    reference: (a) => naiveCumsum(a!, -1),
    shapes: [[[3, 4]], [[1]]],
  },
  {
    name: 'cumsum(x, 1)',
    op: 'cumsum',
    fn: (x) => cumsum(x, 1),
    reference: (a) => naiveCumsum(a!, 1),
    shapes: [[[2, 3, 4]]],
  },

  // --- linear algebra --------------------------------------------------------------------------
  {
    name: 'matmul(a, b)',
    op: 'matmul',
    fn: (a, b) => matmul(a, b),
    reference: (a, b) => naiveMatmul(a!, b!),
    shapes: [
      [
        [3, 4],
        [4, 2],
      ],
      [[3, 4], [4]],
      [[4], [4, 2]],
      [[4], [4]],
      [
        [1, 3],
        [3, 1],
      ],
    ],
  },
  {
    name: 'matmul(a, b, { transposeA })',
    op: 'matmul',
    fn: (a, b) => matmul(a, b, { transposeA: true }),
    reference: (a, b) => naiveMatmul(a!, b!, true, false),
    shapes: [
      [
        [4, 3],
        [4, 2],
      ],
      [[4, 3], [4]],
    ],
  },
  {
    name: 'matmul(a, b, { transposeB })',
    op: 'matmul',
    fn: (a, b) => matmul(a, b, { transposeB: true }),
    reference: (a, b) => naiveMatmul(a!, b!, false, true),
    shapes: [
      [
        [3, 4],
        [2, 4],
      ],
      [[4], [2, 4]],
    ],
  },
  {
    name: 'matmul(a, b, { transposeA, transposeB })',
    op: 'matmul',
    fn: (a, b) => matmul(a, b, { transposeA: true, transposeB: true }),
    reference: (a, b) => naiveMatmul(a!, b!, true, true),
    shapes: [
      [
        [4, 3],
        [2, 4],
      ],
    ],
  },
  {
    name: 'dot',
    op: 'dot',
    fn: (a, b) => dot(a, b),
    reference: (a, b) => naiveMatmul(a!, b!),
    shapes: [
      [[4], [4]],
      [
        [2, 3],
        [3, 2],
      ],
    ],
  },
  {
    name: 'outer',
    op: 'outer',
    fn: (a, b) => outer(a, b),
    reference: (a, b) => build([a!.shape[0]!, b!.shape[0]!], ([i, j]) => a!.data[i!]! * b!.data[j!]!),
    shapes: [
      [[3], [4]],
      [[1], [2]],
    ],
  },

  // --- shape -----------------------------------------------------------------------------------
  {
    name: 'reshape(x, [2, 6])',
    op: 'reshape',
    fn: (x) => reshape(x, [2, 6]),
    reference: (a) => withShape(a!, [2, 6]),
    shapes: [[[3, 4]], [[12]]],
  },
  {
    name: 'reshape(x, [-1])',
    op: 'reshape',
    fn: (x) => reshape(x, [-1]),
    reference: (a) => withShape(a!, [-1]),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'reshape(x, [1, 1])',
    op: 'reshape',
    fn: (x) => reshape(x, [1, 1]),
    reference: (a) => withShape(a!, [1, 1]),
    shapes: [[[]]],
  },
  {
    name: 'reshape(x, [4, -1])',
    op: 'reshape',
    fn: (x) => reshape(x, [4, -1]),
    reference: (a) => withShape(a!, [4, -1]),
    shapes: [[[2, 3, 4]]],
  },
  {
    name: 'broadcastTo(x, [2, 3, 4])',
    op: 'broadcastTo',
    fn: (x) => broadcastTo(x, [2, 3, 4]),
    reference: (a) => build([2, 3, 4], (idx) => broadcastGet(a!, idx)),
    shapes: [[[3, 1]], [[]], [[4]], [[2, 1, 4]]],
  },
  {
    name: 'sumTo(x, [3, 1])',
    op: 'sumTo',
    fn: (x) => sumTo(x, [3, 1]),
    reference: (a) =>
      a!.shape.length === 3 ? withShape(reduce(a!, [0, 2], false, total), [3, 1]) : reduce(a!, 1, true, total),
    shapes: [[[2, 3, 4]], [[3, 4]]],
  },
  {
    name: 'sumTo(x, [])',
    op: 'sumTo',
    fn: (x) => sumTo(x, []),
    reference: (a) => reduce(a!, undefined, false, total),
    shapes: [[[3, 4]]],
  },
  {
    name: 'sumTo(x, [4])',
    op: 'sumTo',
    fn: (x) => sumTo(x, [4]),
    reference: (a) => reduce(a!, a!.shape.length === 3 ? [0, 1] : [0], false, total),
    shapes: [[[3, 4]], [[2, 3, 4]]],
  },
  {
    name: 'sumTo(x, [1, 4])',
    op: 'sumTo',
    fn: (x) => sumTo(x, [1, 4]),
    reference: (a) => reduce(a!, 0, true, total),
    shapes: [[[3, 4]]],
  },
  {
    name: 'transpose(x)',
    op: 'transpose',
    fn: (x) => transpose(x),
    reference: (a) => naiveTranspose(a!),
    shapes: [[[3, 4]], [[2, 3, 4]], [[4]]],
  },
  {
    name: 'transpose(x, [2, 0, 1])',
    op: 'transpose',
    fn: (x) => transpose(x, [2, 0, 1]),
    reference: (a) => naiveTranspose(a!, [2, 0, 1]),
    shapes: [[[2, 3, 4]]],
  },
  {
    name: 'transpose(x, [0, 2, 1])',
    op: 'transpose',
    fn: (x) => transpose(x, [0, 2, 1]),
    reference: (a) => naiveTranspose(a!, [0, 2, 1]),
    shapes: [[[2, 3, 4]]],
  },
  {
    name: 'slice(x, [1, 0], [2, -1])',
    op: 'slice',
    fn: (x) => slice(x, [1, 0], [2, -1]),
    reference: (a) => naiveSlice(a!, [1, 0], [2, a!.shape[1]!]),
    shapes: [[[4, 4]], [[3, 2]]],
  },
  {
    name: 'slice(x, [2])',
    op: 'slice',
    fn: (x) => slice(x, [2]),
    reference: (a) => naiveSlice(a!, [2], [a!.shape[0]! - 2]),
    shapes: [[[5]]],
  },
  {
    name: 'slice(x, [0, 1, 1], [2, 2, 2])',
    op: 'slice',
    fn: (x) => slice(x, [0, 1, 1], [2, 2, 2]),
    reference: (a) => naiveSlice(a!, [0, 1, 1], [2, 2, 2]),
    shapes: [[[2, 3, 4]]],
  },
  {
    name: 'index(x, 1)',
    op: 'index',
    fn: (x) => index(x, 1),
    reference: (a) =>
      withShape(naiveSlice(a!, [1, ...a!.shape.slice(1).map(() => 0)], [1, ...a!.shape.slice(1)]), a!.shape.slice(1)),
    shapes: [[[3, 4]], [[2, 3, 4]], [[3]]],
  },
  {
    name: 'index(x, -1)',
    op: 'index',
    fn: (x) => index(x, -1),
    reference: (a) => withShape(naiveSlice(a!, [a!.shape[0]! - 1, 0], [1, a!.shape[1]!]), a!.shape.slice(1)),
    shapes: [[[3, 4]]],
  },
  {
    name: 'concat(xs)',
    op: 'concat',
    fn: (...xs) => concat(xs),
    reference: (...xs) => naiveConcat(xs, 0),
    shapes: [
      [
        [2, 3],
        [1, 3],
      ],
      [[2], [3], [1]],
    ],
  },
  {
    name: 'concat(xs, -1)',
    op: 'concat',
    fn: (...xs) => concat(xs, -1),
    reference: (...xs) => naiveConcat(xs, -1),
    shapes: [
      [
        [2, 3],
        [2, 2],
      ],
      [
        [2, 1, 2],
        [2, 1, 3],
      ],
    ],
  },
  {
    name: 'stack(xs)',
    op: 'stack',
    fn: (...xs) => stack(xs),
    reference: (...xs) =>
      naiveConcat(
        xs.map((x) => withShape(x, [1, ...x.shape])),
        0,
      ),
    shapes: [
      [[3], [3]],
      [
        [2, 3],
        [2, 3],
        [2, 3],
      ],
      [[], []],
    ],
  },
  {
    name: 'stack(xs, -1)',
    op: 'stack',
    fn: (...xs) => stack(xs, -1),
    reference: (...xs) =>
      naiveConcat(
        xs.map((x) => withShape(x, [...x.shape, 1])),
        -1,
      ),
    shapes: [
      [
        [2, 3],
        [2, 3],
      ],
    ],
  },
  {
    name: 'expandDims(x, 0)',
    op: 'expandDims',
    fn: (x) => expandDims(x, 0),
    reference: (a) => withShape(a!, [1, ...a!.shape]),
    shapes: [[[3, 4]], [[]]],
  },
  {
    name: 'expandDims(x, -1)',
    op: 'expandDims',
    fn: (x) => expandDims(x, -1),
    reference: (a) => withShape(a!, [...a!.shape, 1]),
    shapes: [[[3, 4]]],
  },
  {
    name: 'squeeze(x)',
    op: 'squeeze',
    fn: (x) => squeeze(x),
    reference: (a) =>
      withShape(
        a!,
        a!.shape.filter((d) => d !== 1),
      ),
    shapes: [[[1, 3, 1]], [[1, 1]]],
  },
  {
    name: 'squeeze(x, 2)',
    op: 'squeeze',
    fn: (x) => squeeze(x, 2),
    reference: (a) => withShape(a!, a!.shape.slice(0, 2)),
    shapes: [[[1, 3, 1]]],
  },
  // Repeated indices: the VJP must scatter-add both contributions.
  {
    name: 'take(x, [2, 0, 2])',
    op: 'take',
    fn: (x) => take(x, [2, 0, 2]),
    reference: (a) => naiveTake(a!, [2, 0, 2], 0),
    shapes: [[[4]], [[3, 2]]],
  },
  {
    name: 'take(x, [3, 0], 1)',
    op: 'take',
    fn: (x) => take(x, [3, 0], 1),
    reference: (a) => naiveTake(a!, [3, 0], 1),
    shapes: [[[3, 4]], [[2, 4, 2]]],
  },
  {
    name: 'take(x, [-1, 1, -1], -1)',
    op: 'take',
    fn: (x) => take(x, [-1, 1, -1], -1),
    reference: (a) => naiveTake(a!, [-1, 1, -1], -1),
    shapes: [[[3, 4]]],
  },
  {
    name: 'takeAlongRows(x, [1, 0, 3])',
    op: 'takeAlongRows',
    fn: (x) => takeAlongRows(x, [1, 0, 3]),
    reference: (a) => build([3], ([i]) => get(a!, [i!, [1, 0, 3][i!]!])),
    shapes: [[[3, 4]]],
  },
];

/** Draws an entry's inputs for one shape case. */
export function sampleInputs(entry: CatalogueEntry, shapes: readonly Shape[], rng: RandomSource): Float64Array[] {
  if (entry.sample) return entry.sample(shapes, rng);
  return shapes.map((shape, i) => {
    const domain = entry.domains?.[Math.min(i, entry.domains.length - 1)] ?? standard;
    const magnitudes = rng.uniforms(sizeOf(shape), domain.low, domain.high);
    if (domain.signed)
      for (let k = 0; k < magnitudes.length; k++)
        magnitudes[k] = rng.uniform() < 0.5 ? -magnitudes[k]! : magnitudes[k]!;
    return magnitudes;
  });
}
