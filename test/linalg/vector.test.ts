/**
 * Level-1 kernels against naive references.
 *
 * Tolerances come from the standard floating-point bound for a sum of n terms:
 * |fl(Σ xᵢyᵢ) − Σ xᵢyᵢ| ≤ γₙ·Σ|xᵢyᵢ| with γₙ = nε/(1 − nε) (Higham, Accuracy and Stability,
 * §3.1), whatever the summation order. Kernel and reference each carry at most that error, so
 * they may differ by 2γₙ·Σ|xᵢyᵢ|. Elementwise ops (axpy, scale, add) are exactly the IEEE result
 * of the same expression, so they are compared exactly.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import {
  addVectors,
  axpy,
  copy,
  createRandom,
  divideByScalar,
  dot,
  indexOfNonFinite,
  multiplyVectors,
  norm1,
  norm2,
  normInf,
  scale,
  subVectors,
} from '../../src/linalg/index.js';

const EPS = Number.EPSILON;
const gamma = (n: number): number => (n * EPS) / (1 - n * EPS);
const SIZES = [0, 1, 2, 3, 4, 5, 7, 31, 64, 65, 97, 130, 1001];

describe('dot', () => {
  it('matches a naive sum within 2γₙ·Σ|xy| for many sizes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const rng = createRandom(seed);
        const x = rng.normals(n);
        const y = rng.normals(n);
        let reference = 0;
        let magnitude = 0;
        for (let i = 0; i < n; i++) {
          reference += x[i]! * y[i]!;
          magnitude += Math.abs(x[i]! * y[i]!);
        }
        expect(Math.abs(dot(x, y) - reference)).toBeLessThanOrEqual(2 * gamma(n) * magnitude);
      }),
      { numRuns: 60 },
    );
  });

  it('is exact on small integers', () => {
    expect(dot(new Float64Array([1, 2, 3, 4, 5]), new Float64Array([6, 7, 8, 9, 10]))).toBe(130);
    expect(dot(new Float64Array(0), new Float64Array(0))).toBe(0);
  });

  it('names itself and both lengths on a mismatch', () => {
    expect(() => dot(new Float64Array(3), new Float64Array(4))).toThrow(ShapeError);
    expect(() => dot(new Float64Array(3), new Float64Array(4))).toThrow(/^dot: x has length 3 but y has length 4/);
  });
});

describe('axpy, scale, addVectors, subVectors, copy', () => {
  it('compute the elementwise expressions exactly, into new arrays', () => {
    const rng = createRandom(7);
    for (const n of SIZES) {
      const x = rng.normals(n);
      const y = rng.normals(n);
      const xBefore = x.slice();
      const yBefore = y.slice();
      const r1 = axpy(1.5, x, y);
      const r2 = scale(-0.25, x);
      const r3 = addVectors(x, y);
      const r4 = subVectors(x, y);
      for (let i = 0; i < n; i++) {
        expect(r1[i]).toBe(1.5 * x[i]! + y[i]!);
        expect(r2[i]).toBe(-0.25 * x[i]!);
        expect(r3[i]).toBe(x[i]! + y[i]!);
        expect(r4[i]).toBe(x[i]! - y[i]!);
      }
      expect(x).toEqual(xBefore);
      expect(y).toEqual(yBefore);
    }
  });

  it('write into out, which may alias either input', () => {
    const x = new Float64Array([1, 2, 3]);
    const y = new Float64Array([10, 20, 30]);
    const out = new Float64Array(3);
    expect(axpy(2, x, y, out)).toBe(out);
    expect([...out]).toEqual([12, 24, 36]);
    const y2 = y.slice();
    axpy(2, x, y2, y2);
    expect([...y2]).toEqual([12, 24, 36]);
    const x2 = x.slice();
    axpy(2, x2, y, x2);
    expect([...x2]).toEqual([12, 24, 36]);
    const x3 = x.slice();
    scale(3, x3, x3);
    expect([...x3]).toEqual([3, 6, 9]);
    const x4 = x.slice();
    addVectors(x4, x4, x4);
    expect([...x4]).toEqual([2, 4, 6]);
    const x5 = x.slice();
    subVectors(y, x5, x5);
    expect([...x5]).toEqual([9, 18, 27]);
  });

  it('copy never shares storage', () => {
    const x = new Float64Array([1, 2]);
    const y = copy(x);
    y[0] = 5;
    expect(x[0]).toBe(1);
    expect(y.buffer).not.toBe(x.buffer);
  });

  it('reject mismatched lengths and wrong out lengths, naming the function', () => {
    const a = new Float64Array(2);
    const b = new Float64Array(3);
    expect(() => axpy(1, a, b)).toThrow(/^axpy: x has length 2 but y has length 3/);
    expect(() => addVectors(a, b)).toThrow(/^addVectors: /);
    expect(() => subVectors(a, b)).toThrow(/^subVectors: /);
    expect(() => axpy(1, a, a, b)).toThrow(/^axpy: out has length 3 but the result has length 2/);
    expect(() => scale(1, a, b)).toThrow(ShapeError);
    expect(() => addVectors(a, a, b)).toThrow(ShapeError);
    expect(() => subVectors(a, a, b)).toThrow(ShapeError);
  });
});

describe('multiplyVectors, divideByScalar', () => {
  it('compute x·y and x/divisor exactly as the naive loop does, into new arrays', () => {
    const rng = createRandom(11);
    for (const n of SIZES) {
      const x = rng.normals(n);
      const y = rng.normals(n);
      const xBefore = x.slice();
      const yBefore = y.slice();
      const product = multiplyVectors(x, y);
      const quotient = divideByScalar(x, 3);
      for (let i = 0; i < n; i++) {
        expect(product[i]).toBe(x[i]! * y[i]!);
        expect(quotient[i]).toBe(x[i]! / 3); // one rounding, not x·(1/3)
      }
      expect(x).toEqual(xBefore);
      expect(y).toEqual(yBefore);
    }
  });

  it('write into out, which may alias an input', () => {
    const x = new Float64Array([1, 2, 3]);
    const y = new Float64Array([4, 5, 6]);
    const out = new Float64Array(3);
    expect(multiplyVectors(x, y, out)).toBe(out);
    expect([...out]).toEqual([4, 10, 18]);
    const y2 = y.slice();
    multiplyVectors(x, y2, y2);
    expect([...y2]).toEqual([4, 10, 18]);
    const x2 = new Float64Array([2, 4, 6]);
    expect(divideByScalar(x2, 2, x2)).toBe(x2);
    expect([...x2]).toEqual([1, 2, 3]);
  });

  it('reject mismatched lengths and wrong out lengths, naming the function', () => {
    const a = new Float64Array(2);
    const b = new Float64Array(3);
    expect(() => multiplyVectors(a, b)).toThrow(/^multiplyVectors: x has length 2 but y has length 3/);
    expect(() => multiplyVectors(a, a, b)).toThrow(/^multiplyVectors: out has length 3 but the result has length 2/);
    expect(() => divideByScalar(a, 2, b)).toThrow(/^divideByScalar: out has length 3 but the result has length 2/);
  });
});

describe('indexOfNonFinite', () => {
  it('matches a naive search for the first NaN or ±Infinity', () => {
    const rng = createRandom(5);
    for (const n of SIZES) {
      const x = rng.normals(n);
      const bad = [NaN, Infinity, -Infinity];
      if (n > 0) {
        x[Math.floor(n / 2)] = bad[n % 3]!;
        if (n > 2) x[n - 1] = bad[(n + 1) % 3]!;
      }
      let reference = -1;
      for (let i = 0; i < n; i++) {
        if (!Number.isFinite(x[i]!)) {
          reference = i;
          break;
        }
      }
      expect(indexOfNonFinite(x)).toBe(reference);
    }
  });

  it('is −1 for finite (and empty) vectors', () => {
    expect(indexOfNonFinite(new Float64Array([1, -1e308, Number.MIN_VALUE]))).toBe(-1);
    expect(indexOfNonFinite(new Float64Array(0))).toBe(-1);
    expect(indexOfNonFinite(new Float64Array([0, -Infinity]))).toBe(1);
  });
});

describe('norms', () => {
  it('norm2 matches sqrt(Σx²) within the sum bound, norm1 and normInf exactly', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const x = createRandom(seed).normals(n);
        let squares = 0;
        let absolute = 0;
        let largest = 0;
        for (let i = 0; i < n; i++) {
          squares += x[i]! * x[i]!;
          absolute += Math.abs(x[i]!);
          largest = Math.max(largest, Math.abs(x[i]!));
        }
        // Relative error of sqrt(s) is half that of s, plus one rounding of the sqrt.
        expect(Math.abs(norm2(x) - Math.sqrt(squares))).toBeLessThanOrEqual((gamma(n) + 2 * EPS) * Math.sqrt(squares));
        expect(Math.abs(norm1(x) - absolute)).toBeLessThanOrEqual(2 * gamma(n) * absolute);
        expect(normInf(x)).toBe(largest);
      }),
      { numRuns: 40 },
    );
  });

  it('norm2 survives overflow and underflow of the sum of squares', () => {
    expect(Math.abs(norm2(new Float64Array([3e200, 4e200])) / 5e200 - 1)).toBeLessThan(4 * EPS);
    expect(Math.abs(norm2(new Float64Array([3e-200, 4e-200])) / 5e-200 - 1)).toBeLessThan(4 * EPS);
    expect(norm2(new Float64Array([0, 0]))).toBe(0);
    expect(norm2(new Float64Array(0))).toBe(0);
    expect(norm2(new Float64Array([1, Infinity]))).toBe(Infinity);
    expect(norm2(new Float64Array([1, NaN]))).toBeNaN();
    expect(norm2(new Float64Array([Number.MIN_VALUE]))).toBe(Number.MIN_VALUE);
  });

  it('normInf propagates NaN instead of skipping it', () => {
    expect(normInf(new Float64Array([1, NaN, 0]))).toBeNaN();
    expect(normInf(new Float64Array(0))).toBe(0);
  });
});
