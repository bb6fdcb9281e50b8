/**
 * Level-2/3 kernels against naive triple-loop references.
 *
 * Tolerance: each entry of a product is a k-term dot product, so the kernel and the naive
 * reference each differ from the exact value by at most γₖ·(|A|·|B|)ᵢⱼ (Higham §3.5), and from
 * each other by 2γₖ·(|A|·|B|)ᵢⱼ. alpha and beta add a multiplication and an addition per entry,
 * covered by using γₖ₊₂ and adding |beta·C| to the magnitude. Transpose, rank-1 update and
 * symmetrize do one rounding per entry at most and are compared exactly against the same
 * expression.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, ShapeError } from '../../src/errors.js';
import {
  createRandom,
  diagonalOf,
  gemm,
  gemv,
  gemvT,
  identity,
  matrixFromRows,
  rank1Update,
  symmetrize,
  transpose,
} from '../../src/linalg/index.js';

const EPS = Number.EPSILON;
const gamma = (n: number): number => (n * EPS) / (1 - n * EPS);
// 1, small primes, and sizes around the gemm blocks (KC = 128) and the transpose tile (32).
const SIZES = [1, 2, 3, 7, 31, 32, 33, 64, 65, 97, 130];

/** op(A)·op(B) and |op(A)|·|op(B)| by the textbook triple loop. */
function naiveProduct(
  a: Float64Array,
  b: Float64Array,
  m: number,
  k: number,
  n: number,
  transposeA: boolean,
  transposeB: boolean,
): { value: Float64Array; magnitude: Float64Array } {
  const value = new Float64Array(m * n);
  const magnitude = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let t = 0;
      for (let p = 0; p < k; p++) {
        const aip = transposeA ? a[p * m + i]! : a[i * k + p]!;
        const bpj = transposeB ? b[j * k + p]! : b[p * n + j]!;
        s += aip * bpj;
        t += Math.abs(aip * bpj);
      }
      value[i * n + j] = s;
      magnitude[i * n + j] = t;
    }
  }
  return { value, magnitude };
}

/** Fails with the first index where |actual − expected| exceeds its bound. */
function expectWithin(actual: Float64Array, expected: Float64Array, bound: (i: number) => number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    if (!(error <= bound(i))) {
      expect.fail(`entry ${i}: got ${actual[i]}, expected ${expected[i]} (error ${error} > bound ${bound(i)})`);
    }
  }
}

describe('gemm', () => {
  it('matches the naive product for every transpose combination over awkward sizes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIZES),
        fc.constantFrom(...SIZES),
        fc.constantFrom(...SIZES),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (m, k, n, transposeA, transposeB, seed) => {
          const rng = createRandom(seed);
          const a = rng.normals(m * k);
          const b = rng.normals(k * n);
          const aBefore = a.slice();
          const bBefore = b.slice();
          const c = gemm(a, b, m, k, n, { transposeA, transposeB });
          const { value, magnitude } = naiveProduct(a, b, m, k, n, transposeA, transposeB);
          expectWithin(c, value, (i) => 2 * gamma(k) * magnitude[i]!);
          expect(a).toEqual(aBefore);
          expect(b).toEqual(bBefore);
        },
      ),
      { numRuns: 120 },
    );
  });

  it('crosses the column block (n > 512) and the depth block (k > 128)', () => {
    const rng = createRandom(3);
    for (const [m, k, n] of [
      [3, 130, 520],
      [5, 257, 513],
      [2, 1, 1030],
    ] as const) {
      const a = rng.normals(m * k);
      const b = rng.normals(k * n);
      const { value, magnitude } = naiveProduct(a, b, m, k, n, false, false);
      expectWithin(gemm(a, b, m, k, n), value, (i) => 2 * gamma(k) * magnitude[i]!);
    }
  });

  it('applies alpha and beta: C ← alpha·op(A)·op(B) + beta·C', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 7, 65),
        fc.constantFrom(1, 3, 33, 130),
        fc.constantFrom(1, 5, 31),
        fc.boolean(),
        fc.boolean(),
        fc.constantFrom(0, 1, -2.5, 0.3),
        fc.constantFrom(0, 1, 0.5, -1),
        fc.integer(),
        (m, k, n, transposeA, transposeB, alpha, beta, seed) => {
          const rng = createRandom(seed);
          const a = rng.normals(m * k);
          const b = rng.normals(k * n);
          const c0 = rng.normals(m * n);
          const out = c0.slice();
          const result = gemm(a, b, m, k, n, { transposeA, transposeB, alpha, beta, out });
          expect(result).toBe(out);
          const { value, magnitude } = naiveProduct(a, b, m, k, n, transposeA, transposeB);
          const expected = value.map((v, i) => alpha * v + beta * c0[i]!);
          expectWithin(
            out,
            expected,
            (i) => 2 * gamma(k + 2) * (Math.abs(alpha) * magnitude[i]! + Math.abs(beta * c0[i]!)),
          );
        },
      ),
      { numRuns: 80 },
    );
  });

  it('ignores NaN in out when beta = 0 (BLAS convention) and beta without out', () => {
    const a = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    const out = new Float64Array([NaN, NaN, NaN, NaN]);
    expect([...gemm(a, a, 2, 2, 2, { out })]).toEqual([7, 10, 15, 22]);
    expect([...gemm(a, a, 2, 2, 2, { beta: 5 })]).toEqual([7, 10, 15, 22]);
    expect([...gemm(a, a, 2, 2, 2, { alpha: 0, beta: 1, out: new Float64Array([1, 2, 3, 4]) })]).toEqual([1, 2, 3, 4]);
  });

  it('gives the right answer when out aliases A or B', () => {
    const rng = createRandom(11);
    const n = 37;
    const a = rng.normals(n * n);
    const b = rng.normals(n * n);
    const expected = gemm(a, b, n, n, n, { alpha: 2 });
    const expectedWithBeta = gemm(a, b, n, n, n, { alpha: 2, beta: 0.5, out: a.slice() });
    const aliasA = a.slice();
    gemm(aliasA, b, n, n, n, { alpha: 2, out: aliasA });
    expect(aliasA).toEqual(expected);
    const aliasB = b.slice();
    gemm(a, aliasB, n, n, n, { alpha: 2, out: aliasB });
    expect(aliasB).toEqual(expected);
    const aliasBeta = a.slice();
    gemm(aliasBeta, b, n, n, n, { alpha: 2, beta: 0.5, out: aliasBeta });
    expect(aliasBeta).toEqual(expectedWithBeta);
    const square = a.slice();
    gemm(square, square, n, n, n, { out: square });
    expect(square).toEqual(gemm(a, a, n, n, n));
  });

  it('(AB)ᵀ = BᵀAᵀ (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIZES),
        fc.constantFrom(...SIZES),
        fc.constantFrom(...SIZES),
        fc.integer(),
        (m, k, n, seed) => {
          const rng = createRandom(seed);
          const a = rng.normals(m * k);
          const b = rng.normals(k * n);
          const left = transpose(gemm(a, b, m, k, n), m, n);
          const right = gemm(b, a, n, k, m, { transposeA: true, transposeB: true });
          const { magnitude } = naiveProduct(b, a, n, k, m, true, true);
          expectWithin(left, right, (i) => 2 * gamma(k) * magnitude[i]!);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('handles empty sizes', () => {
    expect(gemm(new Float64Array(0), new Float64Array(0), 0, 3, 0).length).toBe(0);
    expect([...gemm(new Float64Array(0), new Float64Array(0), 2, 0, 2)]).toEqual([0, 0, 0, 0]);
  });

  it('reports size mismatches with the sizes received and what was expected', () => {
    expect(() => gemm(new Float64Array(6), new Float64Array(8), 2, 4, 2)).toThrow(
      'gemm: A has 6 entries but m·k = 2·4 = 8; pass A as a row-major m×k Float64Array',
    );
    expect(() => gemm(new Float64Array(8), new Float64Array(7), 2, 4, 2)).toThrow(
      /^gemm: B has 7 entries but k·n = 4·2 = 8/,
    );
    expect(() =>
      gemm(new Float64Array(8), new Float64Array(8), 2, 4, 2, { transposeA: true, transposeB: true }),
    ).not.toThrow();
    expect(() => gemm(new Float64Array(6), new Float64Array(8), 2, 4, 2, { transposeA: true })).toThrow(
      /A has 6 entries but k·m = 4·2 = 8/,
    );
    expect(() => gemm(new Float64Array(8), new Float64Array(6), 2, 4, 2, { transposeB: true })).toThrow(
      /B has 6 entries but n·k = 2·4 = 8/,
    );
    expect(() => gemm(new Float64Array(4), new Float64Array(4), 2, 2, 2, { out: new Float64Array(3) })).toThrow(
      /^gemm: out has length 3 but the result is m·n = 4 entries/,
    );
    expect(() => gemm(new Float64Array(4), new Float64Array(4), 2, 2.5, 2)).toThrow(InvalidArgumentError);
    expect(() => gemm(new Float64Array(4), new Float64Array(4), -2, 2, 2)).toThrow(
      /^gemm: m must be a non-negative integer, got -2/,
    );
  });
});

describe('gemv and gemvT', () => {
  it('match naive products over awkward sizes', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES, 0), fc.constantFrom(...SIZES, 0), fc.integer(), (rows, cols, seed) => {
        const rng = createRandom(seed);
        const a = rng.normals(rows * cols);
        const x = rng.normals(cols);
        const xt = rng.normals(rows);
        // A·x is the product of A (rows×cols) and x (cols×1); Aᵀ·x that of Aᵀ and x.
        const direct = naiveProduct(a, x, rows, cols, 1, false, false);
        expectWithin(gemv(a, rows, cols, x), direct.value, (i) => 2 * gamma(cols) * direct.magnitude[i]!);
        const transposed = naiveProduct(a, xt, cols, rows, 1, true, false);
        expectWithin(gemvT(a, rows, cols, xt), transposed.value, (i) => 2 * gamma(rows) * transposed.magnitude[i]!);
      }),
      { numRuns: 80 },
    );
  });

  it('write into out, which may alias x', () => {
    const a = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    const x = new Float64Array([1, 1]);
    gemv(a, 2, 2, x, x);
    expect([...x]).toEqual([3, 7]);
    const y = new Float64Array([1, 1]);
    gemvT(a, 2, 2, y, y);
    expect([...y]).toEqual([4, 6]);
    const out = new Float64Array(2);
    expect(gemv(a, 2, 2, new Float64Array([1, 0]), out)).toBe(out);
    expect([...out]).toEqual([1, 3]);
  });

  it('report size mismatches', () => {
    expect(() => gemv(new Float64Array(5), 2, 3, new Float64Array(3))).toThrow(
      /^gemv: A has 5 entries but rows·cols = 2·3 = 6/,
    );
    expect(() => gemv(new Float64Array(6), 2, 3, new Float64Array(2))).toThrow(/^gemv: x has length 2 but cols = 3/);
    expect(() => gemvT(new Float64Array(6), 2, 3, new Float64Array(3))).toThrow(/^gemvT: x has length 3 but rows = 2/);
    expect(() => gemv(new Float64Array(6), 2, 3, new Float64Array(3), new Float64Array(3))).toThrow(ShapeError);
    expect(() => gemvT(new Float64Array(6), 2, 3, new Float64Array(2), new Float64Array(2))).toThrow(ShapeError);
  });
});

describe('transpose', () => {
  it('moves every entry exactly, across tile boundaries', () => {
    const rng = createRandom(5);
    for (const rows of [1, 3, 31, 33, 65, 130]) {
      for (const cols of [1, 2, 32, 97]) {
        const a = rng.normals(rows * cols);
        const t = transpose(a, rows, cols);
        for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) expect(t[j * rows + i]).toBe(a[i * cols + j]);
      }
    }
  });

  it('supports out, including out === a', () => {
    const a = new Float64Array([1, 2, 3, 4, 5, 6]);
    transpose(a, 2, 3, a);
    expect([...a]).toEqual([1, 4, 2, 5, 3, 6]);
    expect(() => transpose(a, 2, 2)).toThrow(/^transpose: A has 6 entries but rows·cols = 2·2 = 4/);
    expect(() => transpose(a, 2, 3, new Float64Array(5))).toThrow(ShapeError);
  });
});

describe('rank1Update', () => {
  it('adds alpha·x·yᵀ in place and returns the same buffer', () => {
    const rng = createRandom(9);
    for (const [rows, cols] of [
      [1, 1],
      [3, 7],
      [65, 2],
    ] as const) {
      const a = rng.normals(rows * cols);
      const before = a.slice();
      const x = rng.normals(rows);
      const y = rng.normals(cols);
      expect(rank1Update(a, rows, cols, -0.7, x, y)).toBe(a);
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) expect(a[i * cols + j]).toBe(before[i * cols + j]! + -0.7 * x[i]! * y[j]!);
      }
    }
  });

  it('uses the original x and y when they are views into A', () => {
    const a = matrixFromRows([
      [1, 2],
      [3, 4],
    ]);
    const expected = matrixFromRows([
      [1 + 1 * 1, 2 + 1 * 2],
      [3 + 3 * 1, 4 + 3 * 2],
    ]);
    // x = first column is not a contiguous view, but y = row 0 is: updating row 0 must not change y for row 1.
    rank1Update(a, 2, 2, 1, new Float64Array([1, 3]), a.subarray(0, 2));
    expect(a).toEqual(expected);
  });

  it('reports size mismatches', () => {
    expect(() => rank1Update(new Float64Array(4), 2, 2, 1, new Float64Array(3), new Float64Array(2))).toThrow(
      /^rank1Update: x has length 3 but rows = 2/,
    );
    expect(() => rank1Update(new Float64Array(4), 2, 2, 1, new Float64Array(2), new Float64Array(1))).toThrow(
      /y has length 1 but cols = 2/,
    );
    expect(() => rank1Update(new Float64Array(3), 2, 2, 1, new Float64Array(2), new Float64Array(2))).toThrow(
      ShapeError,
    );
  });
});

describe('symmetrize, identity, matrixFromRows', () => {
  it('symmetrize returns (A + Aᵀ)/2, also in place', () => {
    const a = matrixFromRows([
      [1, 2, 3],
      [4, 5, 6],
      [7, 8, 9],
    ]);
    const expected = [1, 3, 5, 3, 5, 7, 5, 7, 9];
    expect([...symmetrize(a, 3)]).toEqual(expected);
    expect([...a]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    symmetrize(a, 3, a);
    expect([...a]).toEqual(expected);
    expect(() => symmetrize(new Float64Array(6), 3)).toThrow(/^symmetrize: A has 6 entries but n·n = 3·3 = 9/);
  });

  it('identity and matrixFromRows build row-major arrays', () => {
    expect([...identity(3)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect(identity(0).length).toBe(0);
    expect(() => identity(-1)).toThrow(InvalidArgumentError);
    expect([
      ...matrixFromRows([
        [1, 2, 3],
        [4, 5, 6],
      ]),
    ]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(matrixFromRows([]).length).toBe(0);
    expect(() => matrixFromRows([[1, 2], [3]])).toThrow(/^matrixFromRows: row 1 has 1 entries but row 0 has 2/);
  });
});

describe('addToDiagonal', () => {
  it('adds λ to the diagonal only, in a copy or in place', async () => {
    const { addToDiagonal } = await import('../../src/linalg/index.js');
    const a = new Float64Array([1, 2, 3, 4]);
    expect(Array.from(addToDiagonal(a, 2, 10))).toEqual([11, 2, 3, 14]);
    expect(Array.from(a)).toEqual([1, 2, 3, 4]); // the input is untouched
    addToDiagonal(a, 2, 1, a);
    expect(Array.from(a)).toEqual([2, 2, 3, 5]);
    expect(() => addToDiagonal(new Float64Array(3), 2, 1)).toThrow(/addToDiagonal/);
  });
});

describe('diagonalOf', () => {
  it('matches the naive a[i·n + i] for many sizes, into a new array or out', () => {
    const rng = createRandom(3);
    for (const n of [0, ...SIZES]) {
      const a = rng.normals(n * n);
      const before = a.slice();
      const d = diagonalOf(a, n);
      expect(d.length).toBe(n);
      for (let i = 0; i < n; i++) expect(d[i]).toBe(a[i * n + i]);
      expect(a).toEqual(before);
      const out = new Float64Array(n);
      expect(diagonalOf(a, n, out)).toBe(out);
      expect(out).toEqual(d);
    }
  });

  it('names itself and both sizes on a mismatch', () => {
    expect(() => diagonalOf(new Float64Array(5), 2)).toThrow(ShapeError);
    expect(() => diagonalOf(new Float64Array(5), 2)).toThrow(/^diagonalOf: A has 5 entries but n·n = 2·2 = 4/);
    expect(() => diagonalOf(new Float64Array(4), 2, new Float64Array(3))).toThrow(
      /^diagonalOf: out has length 3 but the result is n = 2 entries/,
    );
    expect(() => diagonalOf(new Float64Array(4), -1)).toThrow(InvalidArgumentError);
  });
});
