/**
 * Property tests of the n-dimensional kernels in `src/linalg/tensor-kernels.ts` — the loops every
 * autodiff primitive calls for its value — against the naive multi-index references of the op
 * catalogue, and the adjoint identities the VJP rules rely on:
 *
 *   ⟨broadcast(x), y⟩ = ⟨x, sumTo(y)⟩     ⟨slice(x), y⟩ = ⟨x, pad(y)⟩     ⟨take(x), y⟩ = ⟨x, scatterAdd(y)⟩
 *
 * Tolerances: elementwise kernels apply the same IEEE operation to the same operands as the
 * reference, so they must agree exactly, as must pure data movement (broadcast, permute, slice,
 * pad, take). Sums are only reordered: two evaluations of a sum of n products differ by at most
 * 2γₙ·Σ|terms| with γₙ = nε/(1 − nε) (Higham §3.1), which is the bound used for the reductions
 * and the adjoint identities.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocate,
  binaryBroadcast,
  broadcastShapes,
  broadcastTo,
  cumsumAxis,
  erf,
  hypot,
  logAddExp,
  maxAxes,
  minAxes,
  norm2Axes,
  padBox,
  permuteAxes,
  scatterAddAlong,
  selectBroadcast,
  shapeSize,
  sliceBox,
  stridesOf,
  sumAxes,
  sumToShape,
  takeAlong,
  unaryKernels,
  type BinaryOp,
} from '../../src/linalg/tensor-kernels.js';
import { createRandom } from '../../src/linalg/random.js';
import {
  broadcastGet,
  broadcastShape,
  build,
  map2,
  naiveSlice,
  naiveTake,
  naiveTranspose,
  reduce,
  sizeOf,
  type Naive,
} from './op-catalogue.js';

const EPS = Number.EPSILON;
const gamma = (n: number): number => (n * EPS) / (1 - n * EPS);
const RUNS = { numRuns: 150 };

const shapeArb = fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 0, maxLength: 4 });

/** A shape and another that broadcasts to it: some axes set to 1, some leading axes dropped. */
const broadcastPairArb = fc
  .tuple(shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.nat({ max: 4 }))
  .map(([full, ones, drop]) => {
    const small = full.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, full.length));
    return { full, small };
  });

function values(shape: readonly number[], seed: number): Float64Array {
  return createRandom(seed).normals(shapeSize(shape));
}

const naive = (data: Float64Array, shape: readonly number[]): Naive => ({ shape, data: Array.from(data) });

function inner(x: Float64Array, y: Float64Array): { value: number; magnitude: number } {
  let value = 0;
  let magnitude = 0;
  for (let i = 0; i < x.length; i++) {
    value += x[i]! * y[i]!;
    magnitude += Math.abs(x[i]! * y[i]!);
  }
  return { value, magnitude };
}

describe('shapes', () => {
  it('shapeSize and stridesOf agree with the row-major layout', () => {
    fc.assert(
      fc.property(shapeArb, (shape) => {
        expect(shapeSize(shape)).toBe(sizeOf(shape));
        const strides = stridesOf(shape);
        // Moving one step along axis i moves strides[i] positions in the flat array.
        shape.forEach((_, i) => expect(strides[i]).toBe(sizeOf(shape.slice(i + 1))));
      }),
      RUNS,
    );
  });

  it('broadcastShapes follows NumPy: commutative, and the full shape absorbs any broadcastable one', () => {
    fc.assert(
      fc.property(broadcastPairArb, ({ full, small }) => {
        expect(broadcastShapes(full, small)).toEqual(full);
        expect(broadcastShapes(small, full)).toEqual(full);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(shapeArb, shapeArb, (a, b) => {
        let expected: number[] | undefined;
        try {
          expected = broadcastShape(a, b);
        } catch {
          expected = undefined;
        }
        expect(broadcastShapes(a, b)).toEqual(expected);
      }),
      RUNS,
    );
  });

  it('rejects incompatible shapes', () => {
    expect(broadcastShapes([2, 3], [4])).toBeUndefined();
    expect(broadcastShapes([3, 2], [3])).toBeUndefined();
  });
});

describe('allocate', () => {
  it('returns zero-filled arrays of the asked length that never overlap, small (slab views) or large', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 200 }), (lengths) => {
        const arrays = lengths.map((n) => allocate(n));
        arrays.forEach((a, k) => {
          expect(a.length).toBe(lengths[k]);
          expect(a.every((v) => v === 0)).toBe(true);
          a.fill(k + 1);
        });
        // Had two views shared memory, a later fill would have overwritten an earlier one.
        arrays.forEach((a, k) => expect(a.every((v) => v === k + 1)).toBe(true));
      }),
      { numRuns: 50 },
    );
  });
});

describe('elementwise kernels', () => {
  const ops: ReadonlyArray<readonly [BinaryOp, (a: number, b: number) => number]> = [
    ['add', (a, b) => a + b],
    ['sub', (a, b) => a - b],
    ['mul', (a, b) => a * b],
    ['div', (a, b) => a / b],
    ['pow', (a, b) => Math.pow(Math.abs(a), b)],
    ['max', Math.max],
    ['min', Math.min],
    ['atan2', Math.atan2],
    // hypot and logAddExp: the loops must apply the scalar kernels (tested for accuracy below).
    ['hypot', hypot],
    ['logAddExp', logAddExp],
    ['greater', (a, b) => (a > b ? 1 : 0)],
    ['greaterEqual', (a, b) => (a >= b ? 1 : 0)],
    ['less', (a, b) => (a < b ? 1 : 0)],
    ['lessEqual', (a, b) => (a <= b ? 1 : 0)],
    ['equal', (a, b) => (a === b ? 1 : 0)],
  ];

  for (const [op, f] of ops) {
    it(`binaryBroadcast('${op}') equals the naive broadcast map exactly, operands in either order`, () => {
      fc.assert(
        fc.property(broadcastPairArb, fc.boolean(), fc.integer(), ({ full, small }, swap, seed) => {
          const [aShape, bShape] = swap ? [small, full] : [full, small];
          let a = values(aShape, seed);
          const b = values(bShape, seed + 1).map((v) => Math.round(v * 2) / 2); // some exact ties for the comparisons
          if (op === 'pow') a = a.map(Math.abs);
          const out = broadcastShapes(aShape, bShape)!;
          const got = binaryBroadcast(op, a, aShape, b, bShape, out);
          const want = map2(naive(a, aShape), naive(b, bShape), f);
          expect(Array.from(got)).toEqual(want.data);
        }),
        RUNS,
      );
    });
  }

  it('selectBroadcast picks a where the condition is non-zero, b elsewhere, all three broadcast', () => {
    fc.assert(
      fc.property(
        broadcastPairArb,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.nat({ max: 4 }),
        fc.integer(),
        ({ full, small }, ones, drop, seed) => {
          const bShape = full.map((d, i) => (ones[i] ? 1 : d)).slice(Math.min(drop, full.length));
          const c = values(small, seed).map((v) => (v > 0 ? 1 : 0));
          const a = values(full, seed + 1);
          const b = values(bShape, seed + 2);
          const got = selectBroadcast(c, small, a, full, b, bShape, full);
          const want = build(full, (idx) =>
            broadcastGet(naive(c, small), idx)
              ? broadcastGet(naive(a, full), idx)
              : broadcastGet(naive(b, bShape), idx),
          );
          expect(Array.from(got)).toEqual(want.data);
        },
      ),
      RUNS,
    );
  });

  it('unary kernels are the pointwise maths, and sigmoid/softplus neither overflow nor lose precision', () => {
    const x = new Float64Array([-800, -30, -1.5, -1e-300, 0, 1e-300, 0.5, 30, 800]);
    expect(Array.from(unaryKernels.exp(x))).toEqual(Array.from(x, Math.exp));
    expect(Array.from(unaryKernels.tanh(x))).toEqual(Array.from(x, Math.tanh));
    expect(Array.from(unaryKernels.abs(x))).toEqual(Array.from(x, Math.abs));
    expect(Array.from(unaryKernels.relu(x))).toEqual(Array.from(x, (v) => (v > 0 ? v : 0)));
    expect(Array.from(unaryKernels.sign(x))).toEqual(Array.from(x, (v) => (v > 0 ? 1 : v < 0 ? -1 : 0)));
    expect(Array.from(unaryKernels.sign(Float64Array.of(NaN, -0, -Infinity)))).toEqual([NaN, 0, -1]);
    for (const name of ['atan', 'sinh', 'cosh'] as const)
      expect(Array.from(unaryKernels[name](x)), name).toEqual(Array.from(x, Math[name]));
    const unit = Float64Array.of(-1, -0.5, -1e-300, 0, 0.25, 1, 1.5);
    expect(Array.from(unaryKernels.asin(unit))).toEqual(Array.from(unit, Math.asin));
    expect(Array.from(unaryKernels.acos(unit))).toEqual(Array.from(unit, Math.acos));
    expect(Array.from(unaryKernels.erf(x))).toEqual(Array.from(x, erf));
    const sigmoid = unaryKernels.sigmoid(x);
    const softplus = unaryKernels.softplus(x);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      expect(Number.isFinite(sigmoid[i]!) && Number.isFinite(softplus[i]!)).toBe(true);
      // σ(v) = e^v/(1 + e^v): for v = −800 that is e^−800 ≈ 0 (underflow), not NaN; σ(800) = 1.
      if (Math.abs(v) < 40) expect(Math.abs(sigmoid[i]! - 1 / (1 + Math.exp(-v)))).toBeLessThanOrEqual(2 * EPS);
      // softplus(v) = v + log1p(e^−v) for v > 0: exactly v at 800; log1p(e^v) ≈ e^v for v ≪ 0.
      if (Math.abs(v) < 30)
        expect(Math.abs(softplus[i]! - Math.log1p(Math.exp(v)))).toBeLessThanOrEqual(
          4 * EPS * Math.max(1, Math.abs(softplus[i]!)),
        );
    }
    expect(softplus[x.length - 1]).toBe(800);
    expect(softplus[0]).toBe(0); // log1p(e^−800): e^−800 underflows to 0
    expect(sigmoid[x.length - 1]).toBe(1);
  });
});

/** The distance from `got` to `want` in units in the last place of `want` (the spacing of doubles there). */
function ulpsBetween(got: number, want: number): number {
  if (got === want) return 0;
  const magnitude = Math.abs(want);
  const spacing = magnitude < 2 ** -1021 ? 2 ** -1074 : 2 ** (Math.floor(Math.log2(magnitude)) - 52);
  return Math.abs(got - want) / spacing;
}

describe('erf', () => {
  /**
   * erf(x) rounded to the nearest double, computed with mpmath 1.3.0 (`mp.dps = 40`,
   * `float(mpmath.erf(mpf(x)))`) — independent of the kernel's Taylor/Hermite method. The points
   * cover the subnormal range, every table interval of the kernel (edges included), the region
   * where erf rounds to 1 and beyond, and negative x.
   */
  const REFERENCE: readonly (readonly [number, number])[] = [
    [0, 0],
    [5e-324, 5e-324],
    [1e-300, 1.1283791670955126e-300],
    [1e-20, 1.1283791670955125e-20],
    [1e-8, 1.1283791670955126e-8],
    [0.001, 0.0011283787909692365],
    [0.0625, 0.07043197772238707],
    [0.1, 0.1124629160182849],
    [0.124999, 0.14031509391592537],
    [0.125, 0.1403162048013338],
    [0.2, 0.22270258921047847],
    [0.25, 0.27632639016823696],
    [0.3, 0.3286267594591274],
    [0.375, 0.4041169094348223],
    [0.4, 0.42839235504666845],
    [0.5, 0.5204998778130465],
    [0.6, 0.6038560908479259],
    [0.7, 0.6778011938374184],
    [0.75, 0.7111556336535151],
    [0.8, 0.7421009647076605],
    [0.84375, 0.7672256612323416],
    [0.9, 0.7969082124228322],
    [1, 0.8427007929497149],
    [1.1, 0.8802050695740817],
    [1.25, 0.9229001282564583],
    [1.3, 0.9340079449406524],
    [1.5, 0.9661051464753108],
    [1.625, 0.9784437332399837],
    [1.75, 0.9866716712191824],
    [2, 0.9953222650189527],
    [2.25, 0.9985372834133188],
    [2.5, 0.999593047982555],
    [2.857142857142857, 0.9999466876886117],
    [3, 0.9999779095030014],
    [3.3, 0.9999969422902035],
    [3.5, 0.9999992569016276],
    [4, 0.9999999845827421],
    [4.5, 0.9999999998033839],
    [5, 0.9999999999984626],
    [5.5, 0.9999999999999927],
    [5.8, 0.9999999999999998],
    [5.875, 0.9999999999999999],
    [5.9, 0.9999999999999999],
    [5.99, 1],
    [6, 1],
    [6.5, 1],
    [10, 1],
    [-0.3, -0.3286267594591274],
    [-1.7, -0.9837904585907745],
    [-4.2, -0.9999999971445058],
  ];

  it('is within 1 ulp of mpmath’s correctly rounded erf everywhere in the table (relative error ≤ 1e-15)', () => {
    for (const [x, want] of REFERENCE) {
      const got = erf(x);
      expect(ulpsBetween(got, want), `erf(${x}) = ${got}, mpmath ${want}`).toBeLessThanOrEqual(1);
      if (want !== 0) expect(Math.abs(got - want) / Math.abs(want)).toBeLessThanOrEqual(1e-15);
    }
    // A classical check of the table itself: erf(1) = 0.842700792949714869341220… (OEIS A099286).
    expect(erf(1)).toBe(0.8427007929497149);
  });

  it('is odd, monotone, bounded by ±1, and keeps NaN and the infinities', () => {
    for (const [x] of REFERENCE) expect(erf(-x)).toBe(-erf(x));
    expect(erf(NaN)).toBeNaN();
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    let previous = -1;
    for (let x = -6.5; x <= 6.5; x += 1 / 1024) {
      const v = erf(x);
      expect(v >= previous && Math.abs(v) <= 1, `at ${x}`).toBe(true);
      previous = v;
    }
  });

  it('agrees with its own derivative: (erf(x + h) − erf(x − h))/2h ≈ (2/√π)e^(−x²)', () => {
    const h = 1e-5;
    for (let x = -4; x <= 4; x += 0.37) {
      const slope = (erf(x + h) - erf(x - h)) / (2 * h);
      expect(Math.abs(slope - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x))).toBeLessThanOrEqual(1e-9);
    }
  });
});

describe('hypot and logAddExp', () => {
  it('hypot is √(a² + b²) to 2 ulp where the squares are safe, and neither overflows nor underflows', () => {
    const rng = createRandom(7);
    for (let k = 0; k < 2000; k++) {
      const a = rng.normal() * 10 ** Math.round(rng.uniform() * 20 - 10);
      const b = rng.normal() * 10 ** Math.round(rng.uniform() * 20 - 10);
      expect(ulpsBetween(hypot(a, b), Math.sqrt(a * a + b * b))).toBeLessThanOrEqual(2);
    }
    expect(hypot(3, 4)).toBe(5);
    expect(hypot(-3, 4)).toBe(5);
    expect(hypot(1e300, 1e300) / 1e300).toBeCloseTo(Math.SQRT2, 15); // a² = 1e600 would overflow
    expect(hypot(3e-320, 4e-320)).toBe(5e-320); // a² would underflow to 0
    expect(hypot(0, 0)).toBe(0);
    expect(hypot(Number.MAX_VALUE, 0)).toBe(Number.MAX_VALUE);
    expect(hypot(Infinity, NaN)).toBe(Infinity); // IEEE: an infinite leg wins
    expect(hypot(NaN, 1)).toBeNaN();
  });

  it('logAddExp is log(eᵃ + eᵇ) without overflow, with the infinities handled', () => {
    const rng = createRandom(8);
    for (let k = 0; k < 500; k++) {
      const a = rng.uniform() * 40 - 20;
      const b = rng.uniform() * 40 - 20;
      const want = Math.log(Math.exp(a) + Math.exp(b));
      expect(Math.abs(logAddExp(a, b) - want)).toBeLessThanOrEqual(4 * EPS * Math.max(1, Math.abs(want)));
      expect(logAddExp(a, b)).toBe(logAddExp(b, a));
    }
    expect(logAddExp(1000, 1000)).toBe(1000 + Math.LN2);
    expect(logAddExp(-1000, -1000)).toBe(-1000 + Math.LN2);
    expect(logAddExp(-Infinity, -Infinity)).toBe(-Infinity);
    expect(logAddExp(-Infinity, 2)).toBe(2);
    expect(logAddExp(Infinity, Infinity)).toBe(Infinity);
    expect(logAddExp(NaN, -Infinity)).toBeNaN();
  });
});

describe('minAxes, norm2Axes and cumsumAxis', () => {
  const axesArb = fc
    .tuple(shapeArb, fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), fc.integer())
    .map(([shape, pick, seed]) => ({
      shape,
      axes: shape.map((_, i) => i).filter((i) => pick[i]),
      seed,
    }));

  it('minAxes matches the naive minimum exactly and propagates NaN', () => {
    fc.assert(
      fc.property(axesArb, ({ shape, axes, seed }) => {
        const x = values(shape, seed);
        expect(Array.from(minAxes(x, shape, axes))).toEqual(
          reduce(naive(x, shape), axes, true, (vs) => Math.min(...vs)).data,
        );
      }),
      RUNS,
    );
    expect(Array.from(minAxes(Float64Array.of(1, NaN, 5, 2), [2, 2], [1]))).toEqual([NaN, 2]);
  });

  it('norm2Axes matches √Σx² to a few ulp, and scales away overflow and underflow', () => {
    fc.assert(
      fc.property(axesArb, ({ shape, axes, seed }) => {
        const x = values(shape, seed);
        const want = reduce(naive(x, shape), axes, true, (vs) => Math.sqrt(vs.reduce((s, v) => s + v * v, 0)));
        const got = norm2Axes(x, shape, axes);
        // Σx² of n terms carries γₙ relative error, halved by the square root, plus two roundings.
        want.data.forEach((w, k) => expect(Math.abs(got[k]! - w)).toBeLessThanOrEqual((gamma(x.length) + 2 * EPS) * w));
        // Scaling every entry by 2^±600 scales the norm exactly, where Σx² would overflow or vanish.
        for (const factor of [2 ** 600, 2 ** -600]) {
          expect(
            Array.from(
              norm2Axes(
                x.map((v) => v * factor),
                shape,
                axes,
              ),
            ),
          ).toEqual(Array.from(got, (v) => v * factor));
        }
      }),
      RUNS,
    );
    expect(
      Array.from(norm2Axes(Float64Array.of(3e-200, 4e-200, 0, 0, Infinity, 1, NaN, Infinity), [4, 2], [1])),
    ).toEqual([5e-200, 0, Infinity, NaN]);
    expect(Array.from(norm2Axes(new Float64Array(0), [2, 0], [1]))).toEqual([0, 0]); // empty slices
  });

  const axisArb = fc
    .array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 })
    .chain((shape) => fc.tuple(fc.constant(shape), fc.integer({ min: 0, max: shape.length - 1 }), fc.integer()));

  it('cumsumAxis matches the naive running sum in both directions, and the two are each other’s transpose', () => {
    fc.assert(
      fc.property(axisArb, ([shape, axis, seed]) => {
        const x = values(shape, seed);
        const forward = build(shape, (idx) => {
          let s = 0;
          for (let j = 0; j <= idx[axis]!; j++)
            s += broadcastGet(
              naive(x, shape),
              idx.map((v, i) => (i === axis ? j : v)),
            );
          return s;
        });
        const backward = build(shape, (idx) => {
          let s = 0;
          for (let j = shape[axis]! - 1; j >= idx[axis]!; j--)
            s += broadcastGet(
              naive(x, shape),
              idx.map((v, i) => (i === axis ? j : v)),
            );
          return s;
        });
        // The same additions in the same order: exactly equal.
        expect(Array.from(cumsumAxis(x, shape, axis, false))).toEqual(forward.data);
        expect(Array.from(cumsumAxis(x, shape, axis, true))).toEqual(backward.data);
        // ⟨cumsum(x), y⟩ = ⟨x, reversed cumsum(y)⟩: the adjoint pair behind cumsum's VJP.
        const y = values(shape, seed + 1);
        const left = inner(cumsumAxis(x, shape, axis, false), y);
        const right = inner(x, cumsumAxis(y, shape, axis, true));
        const n = Math.max(shape[axis]!, 1);
        const bound = inner(cumsumAxis(x.map(Math.abs), shape, axis, false), y.map(Math.abs)).value;
        expect(Math.abs(left.value - right.value)).toBeLessThanOrEqual(4 * gamma(n + x.length) * bound);
      }),
      RUNS,
    );
  });
});

describe('broadcast and sum-to-shape', () => {
  it('broadcastTo copies each entry to every position it stretches over', () => {
    fc.assert(
      fc.property(broadcastPairArb, fc.integer(), ({ full, small }, seed) => {
        const x = values(small, seed);
        const got = broadcastTo(x, small, full);
        expect(Array.from(got)).toEqual(build(full, (idx) => broadcastGet(naive(x, small), idx)).data);
        if (got.length === x.length) expect(got).not.toBe(x); // a fresh array even when nothing stretches
      }),
      RUNS,
    );
  });

  it('sumToShape is the adjoint of broadcastTo: ⟨broadcast(x), y⟩ = ⟨x, sumTo(y)⟩', () => {
    fc.assert(
      fc.property(broadcastPairArb, fc.integer(), ({ full, small }, seed) => {
        const x = values(small, seed);
        const y = values(full, seed + 1);
        const left = inner(broadcastTo(x, small, full), y);
        const right = inner(x, sumToShape(y, full, small));
        expect(Math.abs(left.value - right.value)).toBeLessThanOrEqual(2 * gamma(y.length) * left.magnitude);
      }),
      RUNS,
    );
  });

  it('sumToShape and sumAxes match naive reductions', () => {
    fc.assert(
      fc.property(broadcastPairArb, fc.integer(), ({ full, small }, seed) => {
        const y = values(full, seed);
        const got = sumToShape(y, full, small);
        // Reference: sum over every full-shape index that broadcasts onto each small-shape index.
        const want = new Array<number>(sizeOf(small)).fill(0);
        const magnitude = new Array<number>(sizeOf(small)).fill(0);
        const position = build(small, (idx) => idx.reduce((f, v, i) => f * small[i]! + v, 0));
        build(full, (idx) => {
          const k = broadcastGet(position, idx);
          const v = broadcastGet(naive(y, full), idx);
          want[k] = want[k]! + v;
          magnitude[k] = magnitude[k]! + Math.abs(v);
          return 0;
        });
        want.forEach((w, k) => expect(Math.abs(got[k]! - w)).toBeLessThanOrEqual(2 * gamma(y.length) * magnitude[k]!));
      }),
      RUNS,
    );
    fc.assert(
      fc.property(
        shapeArb,
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.integer(),
        (shape, pick, seed) => {
          const axes = shape.map((_, i) => i).filter((i) => pick[i]);
          const x = values(shape, seed);
          const got = sumAxes(x, shape, axes);
          const want = reduce(naive(x, shape), axes, true, (vs) => vs.reduce((s, v) => s + v, 0));
          const bound = reduce(naive(x, shape), axes, true, (vs) => vs.reduce((s, v) => s + Math.abs(v), 0));
          want.data.forEach((w, k) =>
            expect(Math.abs(got[k]! - w)).toBeLessThanOrEqual(2 * gamma(x.length) * bound.data[k]!),
          );
          // max is exact: no arithmetic, only comparisons.
          expect(Array.from(maxAxes(x, shape, axes))).toEqual(
            reduce(naive(x, shape), axes, true, (vs) => Math.max(...vs)).data,
          );
        },
      ),
      RUNS,
    );
  });

  it('maxAxes propagates NaN (a NaN input is never hidden by a larger neighbour)', () => {
    const x = new Float64Array([1, NaN, 5, 2]);
    expect(Array.from(maxAxes(x, [2, 2], [1]))).toEqual([NaN, 5]);
  });
});

describe('permute, slice, pad, take', () => {
  const permutationArb = shapeArb.chain((shape) =>
    fc
      .shuffledSubarray(
        shape.map((_, i) => i),
        { minLength: shape.length, maxLength: shape.length },
      )
      .map((perm) => ({ shape, perm })),
  );

  it('permuteAxes matches the naive transpose, and the inverse permutation undoes it exactly', () => {
    fc.assert(
      fc.property(permutationArb, fc.integer(), ({ shape, perm }, seed) => {
        const x = values(shape, seed);
        const y = permuteAxes(x, shape, perm);
        expect(Array.from(y)).toEqual(naiveTranspose(naive(x, shape), perm).data);
        const inverse = new Array<number>(perm.length);
        perm.forEach((p, i) => (inverse[p] = i));
        expect(
          permuteAxes(
            y,
            perm.map((p) => shape[p]!),
            inverse,
          ),
        ).toEqual(x);
      }),
      RUNS,
    );
  });

  it('the blocked 2-D transpose crosses tile boundaries correctly', () => {
    for (const [rows, cols] of [
      [33, 70],
      [64, 1],
      [1, 65],
      [97, 31],
    ] as const) {
      const x = values([rows, cols], rows * cols);
      expect(Array.from(permuteAxes(x, [rows, cols], [1, 0]))).toEqual(naiveTranspose(naive(x, [rows, cols])).data);
    }
  });

  /** A shape with a box inside it: start and size per axis. */
  const boxArb = shapeArb.chain((shape) =>
    fc
      .tuple(
        ...shape.map((d) =>
          fc
            .integer({ min: 0, max: d })
            .chain((start) => fc.integer({ min: 0, max: d - start }).map((size) => [start, size] as const)),
        ),
      )
      .map((axes) => ({ shape, start: axes.map(([s]) => s), size: axes.map(([, z]) => z) })),
  );

  it('sliceBox matches the naive slice; padBox places it back (slice ∘ pad = identity)', () => {
    fc.assert(
      fc.property(boxArb, fc.integer(), ({ shape, start, size }, seed) => {
        const x = values(shape, seed);
        const s = sliceBox(x, shape, start, size);
        expect(Array.from(s)).toEqual(naiveSlice(naive(x, shape), start, size).data);
        const y = values(size, seed + 1);
        const padded = padBox(y, size, start, shape);
        expect(Array.from(sliceBox(padded, shape, start, size))).toEqual(Array.from(y));
        // Outside the box, pad writes zeros.
        const inside = build(shape, (idx) => (idx.every((v, i) => v >= start[i]! && v < start[i]! + size[i]!) ? 1 : 0));
        inside.data.forEach((flag, k) => {
          if (!flag) expect(padded[k]).toBe(0);
        });
      }),
      RUNS,
    );
  });

  it('padBox is the adjoint of sliceBox: ⟨slice(x), y⟩ = ⟨x, pad(y)⟩', () => {
    fc.assert(
      fc.property(boxArb, fc.integer(), ({ shape, start, size }, seed) => {
        const x = values(shape, seed);
        const y = values(size, seed + 1);
        const left = inner(sliceBox(x, shape, start, size), y);
        const right = inner(x, padBox(y, size, start, shape));
        // The same products (the padded zeros add exact zeros), summed in the same order: equal.
        expect(right.value).toBe(left.value);
      }),
      RUNS,
    );
  });

  const takeArb = fc
    .array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 })
    .chain((shape) =>
      fc
        .integer({ min: 0, max: shape.length - 1 })
        .chain((axis) =>
          fc
            .array(fc.integer({ min: 0, max: shape[axis]! - 1 }), { minLength: 0, maxLength: 6 })
            .map((indices) => ({ shape, axis, indices })),
        ),
    );

  it('takeAlong matches the naive gather (repeated indices included)', () => {
    fc.assert(
      fc.property(takeArb, fc.integer(), ({ shape, axis, indices }, seed) => {
        const x = values(shape, seed);
        expect(Array.from(takeAlong(x, shape, Int32Array.from(indices), axis))).toEqual(
          naiveTake(naive(x, shape), indices, axis).data,
        );
      }),
      RUNS,
    );
  });

  it('scatterAddAlong is the adjoint of takeAlong: ⟨take(x), y⟩ = ⟨x, scatterAdd(y)⟩', () => {
    fc.assert(
      fc.property(takeArb, fc.integer(), ({ shape, axis, indices }, seed) => {
        const idx = Int32Array.from(indices);
        const x = values(shape, seed);
        const outShape = shape.map((d, i) => (i === axis ? indices.length : d));
        const y = values(outShape, seed + 1);
        const left = inner(takeAlong(x, shape, idx, axis), y);
        const right = inner(x, scatterAddAlong(y, shape, idx, axis));
        expect(Math.abs(left.value - right.value)).toBeLessThanOrEqual(
          2 * gamma(Math.max(y.length, 1)) * left.magnitude,
        );
        // And scatterAdd itself against the definition: out[j] = Σ over k with indices[k] = j of y[k].
        const got = scatterAddAlong(y, shape, idx, axis);
        const want = build(shape, (multi) => {
          let s = 0;
          indices.forEach((j, k) => {
            if (j === multi[axis])
              s += y[multi.map((v, i) => (i === axis ? k : v)).reduce((f, v, i) => f * outShape[i]! + v, 0)]!;
          });
          return s;
        });
        // Each output sums at most 6 terms, added in index order by both: exactly equal.
        expect(Array.from(got)).toEqual(want.data);
      }),
      RUNS,
    );
  });
});
