/**
 * Factorisations and solves, checked by their defining identities with backward-error bounds
 * from Higham, Accuracy and Stability of Numerical Algorithms (γₙ = nε/(1 − nε)):
 *
 * - Cholesky (Thm 10.3): L̂L̂ᵀ = A + ΔA, |ΔA| ≤ γₙ₊₁|L̂||L̂ᵀ|. Forming L̂L̂ᵀ adds γₙ|L̂||L̂ᵀ|.
 * - LU with pivoting (Thm 9.3): L̂Û = PA + ΔA, |ΔA| ≤ γₙ|L̂||Û|. Forming L̂Û adds γₙ|L̂||Û|.
 * - Triangular solve (Thm 8.5): (T + ΔT)x̂ = b, |ΔT| ≤ γₙ|T|.
 * - LU solve (Thm 9.4): (A + ΔA)x̂ = b, |ΔA| ≤ γ₃ₙ|L̂||Û| (rows permuted by Pᵀ).
 * - Residuals r = b − Ax̂ computed in float64 carry γₙ₊₁(|A||x̂| + |b|) of their own.
 *
 * These bounds are componentwise and independent of cond(A), so they hold for any random
 * matrix; they are used as is, never loosened.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
} from '../../src/errors.js';
import {
  cholesky,
  choleskyLogDeterminant,
  choleskySolveFactor,
  createRandom,
  determinant,
  gemm,
  gemv,
  inverse,
  logDeterminant,
  luFactor,
  luSolve,
  matrixFromRows,
  solve,
  solveLowerTriangular,
  solveUpperTriangular,
  type LuFactorization,
} from '../../src/linalg/index.js';

const EPS = Number.EPSILON;
const gamma = (n: number): number => (n * EPS) / (1 - n * EPS);
const SIZES = [1, 2, 3, 7, 31, 64, 65, 97];

const abs = (a: Float64Array): Float64Array => a.map(Math.abs);

/** M·Mᵀ + nI: symmetric, with every eigenvalue ≥ n, so ‖A⁻¹‖₂ ≤ 1/n. */
function randomSpd(n: number, seed: number): Float64Array {
  const m = createRandom(seed).normals(n * n);
  const a = gemm(m, m, n, n, n, { transposeB: true });
  for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + n;
  return a;
}

function expectWithin(actual: Float64Array, expected: Float64Array, bound: (i: number) => number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const error = Math.abs(actual[i]! - expected[i]!);
    if (!(error <= bound(i))) {
      expect.fail(`entry ${i}: got ${actual[i]}, expected ${expected[i]} (error ${error} > bound ${bound(i)})`);
    }
  }
}

/** The unit lower L and upper U packed in an LU factorisation, as separate matrices. */
function unpackLu(lu: Float64Array, n: number): { l: Float64Array; u: Float64Array } {
  const l = new Float64Array(n * n);
  const u = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j < i) l[i * n + j] = lu[i * n + j]!;
      else u[i * n + j] = lu[i * n + j]!;
    }
    l[i * n + i] = 1;
  }
  return { l, u };
}

/** P·A: the row interchanges of the factorisation applied to A, in order. */
function permute(factor: LuFactorization, a: Float64Array, n: number, r: number): Float64Array {
  const out = a.slice();
  for (let k = 0; k < n; k++) {
    const p = factor.pivots[k]!;
    for (let c = 0; c < r; c++) {
      const t = out[k * r + c]!;
      out[k * r + c] = out[p * r + c]!;
      out[p * r + c] = t;
    }
  }
  return out;
}

const maxAbs = (a: Float64Array): number => a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/** ‖b − A·x‖∞ and the bound γ₃ₙ‖|L||U||x|‖∞ + γₙ₊₁‖|A||x| + |b|‖∞ for an LU-based solve. */
function luResidualCheck(
  a: Float64Array,
  n: number,
  x: Float64Array,
  b: Float64Array,
): { residual: number; bound: number } {
  const factor = luFactor(a, n);
  const { l, u } = unpackLu(factor.lu, n);
  const ax = gemv(a, n, n, x);
  const residual = maxAbs(b.map((bi, i) => bi - ax[i]!));
  const luX = gemv(gemm(abs(l), abs(u), n, n, n), n, n, abs(x));
  const aX = gemv(abs(a), n, n, abs(x));
  const bound = gamma(3 * n) * maxAbs(luX) + gamma(n + 1) * maxAbs(aX.map((v, i) => v + Math.abs(b[i]!)));
  return { residual, bound };
}

describe('cholesky', () => {
  it('LLᵀ = A for SPD A = MMᵀ + nI, L lower triangular with positive diagonal (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = randomSpd(n, seed);
        const before = a.slice();
        const l = cholesky(a, n);
        expect(a).toEqual(before);
        for (let i = 0; i < n; i++) {
          expect(l[i * n + i]).toBeGreaterThan(0);
          for (let j = i + 1; j < n; j++) expect(l[i * n + j]).toBe(0);
        }
        const llt = gemm(l, l, n, n, n, { transposeB: true });
        const magnitude = gemm(abs(l), abs(l), n, n, n, { transposeB: true });
        expectWithin(llt, a, (i) => (gamma(n + 1) + gamma(n)) * magnitude[i]!);
      }),
      { numRuns: 40 },
    );
  });

  it('reads only the lower triangle', () => {
    const a = matrixFromRows([
      [4, NaN],
      [2, 2],
    ]);
    // NaN is rejected up front (entries must be finite), so use a wrong-but-finite upper entry.
    a[1] = 1e9;
    expect([...cholesky(a, 2)]).toEqual([2, 0, 1, 1]);
  });

  it('names the column and pivot of a non-positive-definite matrix and suggests damping', () => {
    const indefinite = matrixFromRows([
      [1, 2],
      [2, 1],
    ]);
    try {
      cholesky(indefinite, 2);
      expect.fail('expected NotPositiveDefiniteError');
    } catch (error) {
      expect(error).toBeInstanceOf(NotPositiveDefiniteError);
      const e = error as NotPositiveDefiniteError;
      expect(e.column).toBe(1);
      expect(e.fn).toBe('cholesky');
      expect(e.message).toMatch(/column 1 is -3/);
      expect(e.message).toMatch(/λI/);
    }
    const diagonal = matrixFromRows([
      [1, 0, 0, 0],
      [0, 2, 0, 0],
      [0, 0, -1, 0],
      [0, 0, 0, 1],
    ]);
    expect(() => cholesky(diagonal, 4)).toThrow(expect.objectContaining({ column: 2 }));
    expect(() => cholesky(new Float64Array(9), 3)).toThrow(
      expect.objectContaining({ column: 0, code: 'not-positive-definite' }),
    );
    // Semi-definite (rank 1): the second pivot is 0 in exact arithmetic and not accepted.
    expect(() =>
      cholesky(
        matrixFromRows([
          [1, 1],
          [1, 1],
        ]),
        2,
      ),
    ).toThrow(NotPositiveDefiniteError);
  });

  it('rejects non-finite entries and non-square input', () => {
    expect(() =>
      cholesky(
        matrixFromRows([
          [1, 0],
          [NaN, 1],
        ]),
        2,
      ),
    ).toThrow(NonFiniteError);
    expect(() =>
      cholesky(
        matrixFromRows([
          [1, 0],
          [NaN, 1],
        ]),
        2,
      ),
    ).toThrow(/^cholesky: A\[1, 0\] is NaN/);
    expect(() =>
      cholesky(
        matrixFromRows([
          [Infinity, 0],
          [0, 1],
        ]),
        2,
      ),
    ).toThrow(NonFiniteError);
    expect(() => cholesky(new Float64Array(6), 2)).toThrow(ShapeError);
    expect(() => cholesky(new Float64Array(6), 2)).toThrow(/^cholesky: A has 6 entries but n·n = 2·2 = 4/);
    expect(() => cholesky(new Float64Array(4), 1.5)).toThrow(InvalidArgumentError);
  });
});

describe('triangular solves', () => {
  /** A random lower-triangular matrix with |diagonal| ≥ 1; NaN above the diagonal proves it is never read. */
  function randomLower(n: number, seed: number, unit: boolean): { stored: Float64Array; actual: Float64Array } {
    const rng = createRandom(seed);
    const stored = new Float64Array(n * n).fill(NaN);
    const actual = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < i; j++) stored[i * n + j] = actual[i * n + j] = rng.normal();
      const d = (rng.uniform() < 0.5 ? -1 : 1) * (1 + Math.abs(rng.normal()));
      stored[i * n + i] = unit ? 7 : d; // a unit-diagonal solve must ignore the stored 7
      actual[i * n + i] = unit ? 1 : d;
    }
    return { stored, actual };
  }

  function transposed(a: Float64Array, n: number): Float64Array {
    const t = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j]!;
    return t;
  }

  it('all four (lower/upper × plain/transposed) satisfy |Tx − b| ≤ γₙ|T||x| + residual rounding', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SIZES),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (n, upper, transpose, unitDiagonal, seed) => {
          const { stored: lowerStored, actual: lowerActual } = randomLower(n, seed, unitDiagonal);
          const stored = upper ? transposed(lowerStored, n) : lowerStored;
          const actual = upper ? transposed(lowerActual, n) : lowerActual;
          const b = createRandom(seed + 1).normals(n);
          const bBefore = b.slice();
          const options = { transpose, unitDiagonal };
          const x = upper ? solveUpperTriangular(stored, n, b, options) : solveLowerTriangular(stored, n, b, options);
          expect(b).toEqual(bBefore);
          const system = transpose ? transposed(actual, n) : actual;
          const tx = gemv(system, n, n, x);
          const magnitude = gemv(abs(system), n, n, abs(x));
          expectWithin(tx, b, (i) => gamma(n) * magnitude[i]! + gamma(n + 1) * (magnitude[i]! + Math.abs(b[i]!)));
        },
      ),
      { numRuns: 80 },
    );
  });

  it('a zero on the diagonal raises SingularMatrixError with its index', () => {
    const l = matrixFromRows([
      [1, 0, 0],
      [1, 0, 0],
      [1, 1, 1],
    ]);
    const u = matrixFromRows([
      [1, 1, 1],
      [0, 0, 1],
      [0, 0, 1],
    ]);
    const b = new Float64Array(3).fill(1);
    expect(() => solveLowerTriangular(l, 3, b)).toThrow(
      expect.objectContaining({ pivot: 1, fn: 'solveLowerTriangular' }),
    );
    expect(() => solveLowerTriangular(l, 3, b, { transpose: true })).toThrow(SingularMatrixError);
    expect(() => solveUpperTriangular(u, 3, b)).toThrow(
      expect.objectContaining({ pivot: 1, fn: 'solveUpperTriangular' }),
    );
    expect(() => solveUpperTriangular(u, 3, b, { transpose: true })).toThrow(/row\/column 1 is 0/);
    expect(() => solveLowerTriangular(l, 3, b, { unitDiagonal: true })).not.toThrow();
  });

  it('rejects mismatched sizes', () => {
    expect(() => solveLowerTriangular(new Float64Array(4), 2, new Float64Array(3))).toThrow(
      /^solveLowerTriangular: b has length 3 but the matrix is 2×2/,
    );
    expect(() => solveUpperTriangular(new Float64Array(5), 2, new Float64Array(2))).toThrow(
      /^solveUpperTriangular: U has 5 entries/,
    );
    expect(() => choleskySolveFactor(new Float64Array(4), 2, new Float64Array(1))).toThrow(ShapeError);
  });
});

describe('choleskySolveFactor', () => {
  it('solves LLᵀx = b with a small residual (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = randomSpd(n, seed);
        const l = cholesky(a, n);
        const b = createRandom(seed + 1).normals(n);
        const x = choleskySolveFactor(l, n, b);
        // Factor error γₙ₊₁ plus two triangular solves γₙ each (first order), on |L||Lᵀ||x|.
        const llx = gemv(gemm(abs(l), abs(l), n, n, n, { transposeB: true }), n, n, abs(x));
        const ax = gemv(a, n, n, x);
        const aX = gemv(abs(a), n, n, abs(x));
        expectWithin(ax, b, (i) => gamma(3 * n + 1) * llx[i]! + gamma(n + 1) * (aX[i]! + Math.abs(b[i]!)));
      }),
      { numRuns: 30 },
    );
  });
});

describe('luFactor', () => {
  it('PA = LU with |L| ≤ 1 and a consistent sign (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = createRandom(seed).normals(n * n);
        const before = a.slice();
        const factor = luFactor(a, n);
        expect(a).toEqual(before);
        const { l, u } = unpackLu(factor.lu, n);
        let swaps = 0;
        for (let k = 0; k < n; k++) {
          expect(factor.pivots[k]).toBeGreaterThanOrEqual(k);
          if (factor.pivots[k] !== k) swaps++;
        }
        expect(factor.sign).toBe(swaps % 2 === 0 ? 1 : -1);
        expect(maxAbs(l)).toBeLessThanOrEqual(1);
        const product = gemm(l, u, n, n, n);
        const magnitude = gemm(abs(l), abs(u), n, n, n);
        expectWithin(product, permute(factor, a, n, n), (i) => 2 * gamma(n) * magnitude[i]!);
      }),
      { numRuns: 40 },
    );
  });

  it('pivots on the largest entry of the column', () => {
    const f = luFactor(
      matrixFromRows([
        [0, 1],
        [1, 0],
      ]),
      2,
    );
    expect([...f.pivots]).toEqual([1, 1]);
    expect(f.sign).toBe(-1);
    expect([...f.lu]).toEqual([1, 0, 0, 1]);
  });

  it('raises SingularMatrixError naming the pivot column', () => {
    const dependent = matrixFromRows([
      [1, 2],
      [2, 4],
    ]);
    try {
      luFactor(dependent, 2);
      expect.fail('expected SingularMatrixError');
    } catch (error) {
      expect(error).toBeInstanceOf(SingularMatrixError);
      const e = error as SingularMatrixError;
      expect(e.pivot).toBe(1);
      expect(e.message).toMatch(/^luFactor: .*column 1/);
    }
    // Singular only to working precision: the last pivot is round-off (~1e-16), below 3·ε·9.
    expect(() =>
      luFactor(
        matrixFromRows([
          [1, 2, 3],
          [4, 5, 6],
          [7, 8, 9],
        ]),
        3,
      ),
    ).toThrow(expect.objectContaining({ pivot: 2 }));
    expect(() => luFactor(new Float64Array(4), 2)).toThrow(expect.objectContaining({ pivot: 0, code: 'singular' }));
  });

  it('rejects non-finite and non-square input', () => {
    expect(() =>
      luFactor(
        matrixFromRows([
          [1, NaN],
          [0, 1],
        ]),
        2,
      ),
    ).toThrow(/^luFactor: A\[0, 1\] is NaN/);
    expect(() => luFactor(new Float64Array(3), 2)).toThrow(/^luFactor: A has 3 entries but n·n = 2·2 = 4/);
  });
});

describe('solve, luSolve, inverse', () => {
  it('‖b − Ax‖ is within the LU backward-error bound (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const rng = createRandom(seed);
        const a = rng.normals(n * n);
        const b = rng.normals(n);
        const before = b.slice();
        const x = solve(a, n, b);
        expect(b).toEqual(before);
        const { residual, bound } = luResidualCheck(a, n, x, b);
        expect(residual).toBeLessThanOrEqual(bound);
        // luSolve on the same factorisation performs the same operations in the same order.
        expect(luSolve(luFactor(a, n), n, b)).toEqual(x);
      }),
      { numRuns: 40 },
    );
  });

  it('inverse·A ≈ I: ‖AX − I‖∞ ≤ γ₃ₙ‖|L||U||X|‖∞ + γₙ‖|A||X|‖∞ (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = createRandom(seed).normals(n * n);
        const x = inverse(a, n);
        const residual = gemm(a, x, n, n, n);
        for (let i = 0; i < n; i++) residual[i * n + i] = residual[i * n + i]! - 1;
        const { l, u } = unpackLu(luFactor(a, n).lu, n);
        const rowSums = (m: Float64Array): number => {
          let largest = 0;
          for (let i = 0; i < n; i++) {
            let s = 0;
            for (let j = 0; j < n; j++) s += Math.abs(m[i * n + j]!);
            largest = Math.max(largest, s);
          }
          return largest;
        };
        const luX = gemm(gemm(abs(l), abs(u), n, n, n), abs(x), n, n, n);
        const aX = gemm(abs(a), abs(x), n, n, n);
        expect(rowSums(residual)).toBeLessThanOrEqual(gamma(3 * n) * rowSums(luX) + gamma(n + 1) * (rowSums(aX) + 1));
      }),
      { numRuns: 30 },
    );
  });

  it('exact on simple matrices', () => {
    expect([
      ...solve(
        matrixFromRows([
          [2, 0],
          [0, 4],
        ]),
        2,
        new Float64Array([2, 2]),
      ),
    ]).toEqual([1, 0.5]);
    expect([
      ...inverse(
        matrixFromRows([
          [2, 0],
          [0, 4],
        ]),
        2,
      ),
    ]).toEqual([0.5, 0, 0, 0.25]);
    expect([
      ...inverse(
        matrixFromRows([
          [0, 1],
          [1, 0],
        ]),
        2,
      ),
    ]).toEqual([0, 1, 1, 0]);
    expect(inverse(new Float64Array(0), 0).length).toBe(0);
  });

  it('errors name the calling function', () => {
    const singular = matrixFromRows([
      [1, 2],
      [2, 4],
    ]);
    expect(() => solve(singular, 2, new Float64Array(2))).toThrow(expect.objectContaining({ fn: 'solve', pivot: 1 }));
    expect(() => inverse(singular, 2)).toThrow(expect.objectContaining({ fn: 'inverse', pivot: 1 }));
    expect(() => solve(new Float64Array(4), 2, new Float64Array(3))).toThrow(
      /^solve: b has length 3 but the matrix is 2×2/,
    );
    expect(() =>
      solve(
        matrixFromRows([
          [1, 0],
          [0, Infinity],
        ]),
        2,
        new Float64Array(2),
      ),
    ).toThrow(NonFiniteError);
    const factor = luFactor(
      matrixFromRows([
        [1, 0],
        [0, 1],
      ]),
      2,
    );
    expect(() => luSolve(factor, 3, new Float64Array(3))).toThrow(
      /^luSolve: factor.lu has 4 entries but n·n = 3·3 = 9/,
    );
    expect(() => luSolve({ ...factor, pivots: new Int32Array(1) }, 2, new Float64Array(2))).toThrow(
      /^luSolve: factor.pivots has length 1/,
    );
    expect(() => luSolve(factor, 2, new Float64Array(1))).toThrow(ShapeError);
    expect(() => inverse(new Float64Array(3), 2)).toThrow(ShapeError);
  });
});

describe('determinants', () => {
  it('determinant is exact on small integer and triangular matrices, 0 for singular', () => {
    expect(
      determinant(
        matrixFromRows([
          [1, 2],
          [3, 4],
        ]),
        2,
      ),
    ).toBeCloseTo(-2, 14);
    expect(
      determinant(
        matrixFromRows([
          [2, 1, 7],
          [0, 3, 5],
          [0, 0, -4],
        ]),
        3,
      ),
    ).toBe(-24);
    expect(
      determinant(
        matrixFromRows([
          [0, 1],
          [1, 0],
        ]),
        2,
      ),
    ).toBe(-1);
    expect(
      determinant(
        matrixFromRows([
          [1, 2],
          [2, 4],
        ]),
        2,
      ),
    ).toBe(0);
    expect(determinant(new Float64Array(0), 0)).toBe(1);
    // Nearly singular is not an error for determinants: the answer is a tiny number.
    expect(
      determinant(
        matrixFromRows([
          [1, 0],
          [0, 1e-20],
        ]),
        2,
      ),
    ).toBe(1e-20);
  });

  it('logDeterminant equals Σ log|Uᵢᵢ| from luFactor, with the matching sign (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = createRandom(seed).normals(n * n);
        const factor = luFactor(a, n);
        let sign: number = factor.sign;
        let sum = 0;
        let magnitude = 0;
        for (let i = 0; i < n; i++) {
          const d = factor.lu[i * n + i]!;
          if (d < 0) sign = -sign;
          sum += Math.log(Math.abs(d));
          magnitude += Math.abs(Math.log(Math.abs(d)));
        }
        const result = logDeterminant(a, n);
        expect(result.sign).toBe(sign);
        // Same factorisation and same logs; only the summation order may differ.
        expect(Math.abs(result.logAbsDet - sum)).toBeLessThanOrEqual(2 * gamma(n) * magnitude);
        if (n <= 31) {
          // Small enough that the plain product neither overflows nor underflows: each of the
          // n multiplications rounds once (relative γₙ), which is ≈ γₙ in log space.
          const det = determinant(a, n);
          expect(Math.sign(det)).toBe(result.sign);
          expect(Math.abs(Math.log(Math.abs(det)) - result.logAbsDet)).toBeLessThanOrEqual(
            gamma(n) + 2 * gamma(n) * magnitude,
          );
        }
      }),
      { numRuns: 40 },
    );
  });

  it('logDeterminant agrees with choleskyLogDeterminant on SPD matrices (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = randomSpd(n, seed);
        const l = cholesky(a, n);
        const viaCholesky = choleskyLogDeterminant(l, n);
        const viaLu = logDeterminant(a, n);
        expect(viaLu.sign).toBe(1);
        // Both are exact log-determinants of A + ΔA with the backward errors in the header;
        // to first order |Δ log det| = |tr(A⁻¹ΔA)| ≤ n·‖A⁻¹‖₂·‖ΔA‖₂ ≤ ‖ΔA‖_F since λmin(A) ≥ n.
        // Plus the rounding of n logs and their sum, 2γₙ·Σ|log dᵢ|.
        const frobenius = (m: Float64Array): number => Math.sqrt(m.reduce((s, v) => s + v * v, 0));
        const { l: lowerLu, u: upperLu } = unpackLu(luFactor(a, n).lu, n);
        const choleskyError = gamma(n + 1) * frobenius(gemm(abs(l), abs(l), n, n, n, { transposeB: true }));
        const luError = gamma(n) * frobenius(gemm(abs(lowerLu), abs(upperLu), n, n, n));
        let logMagnitude = 0;
        for (let i = 0; i < n; i++)
          logMagnitude += 2 * Math.abs(Math.log(l[i * n + i]!)) + Math.abs(Math.log(Math.abs(upperLu[i * n + i]!)));
        expect(Math.abs(viaLu.logAbsDet - viaCholesky)).toBeLessThanOrEqual(
          choleskyError + luError + 2 * gamma(n) * logMagnitude,
        );
      }),
      { numRuns: 30 },
    );
  });

  it('singular matrices give { sign: 0, logAbsDet: -Infinity } instead of throwing', () => {
    expect(
      logDeterminant(
        matrixFromRows([
          [1, 2],
          [2, 4],
        ]),
        2,
      ),
    ).toEqual({ sign: 0, logAbsDet: -Infinity });
    expect(logDeterminant(new Float64Array(9), 3)).toEqual({ sign: 0, logAbsDet: -Infinity });
    const r = logDeterminant(
      matrixFromRows([
        [0, 2],
        [3, 0],
      ]),
      2,
    );
    expect(r.sign).toBe(-1);
    expect(r.logAbsDet).toBeCloseTo(Math.log(6), 14);
  });

  it('errors: shapes, non-finite input, a non-Cholesky diagonal', () => {
    expect(() => determinant(new Float64Array(3), 2)).toThrow(/^determinant: A has 3 entries/);
    expect(() => logDeterminant(new Float64Array(3), 2)).toThrow(/^logDeterminant: A has 3 entries/);
    expect(() => determinant(matrixFromRows([[NaN]]), 1)).toThrow(NonFiniteError);
    expect(() =>
      choleskyLogDeterminant(
        matrixFromRows([
          [1, 0],
          [0, -1],
        ]),
        2,
      ),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      choleskyLogDeterminant(
        matrixFromRows([
          [1, 0],
          [0, -1],
        ]),
        2,
      ),
    ).toThrow(/L\[1, 1\] is -1/);
    expect(() => choleskyLogDeterminant(new Float64Array(3), 2)).toThrow(ShapeError);
  });
});

describe('choleskyInverse', () => {
  it('inverts A = LLᵀ to within the bound of a backward-stable inverse, and is symmetric', async () => {
    const { cholesky, choleskyInverse, gemm } = await import('../../src/linalg/index.js');
    const { createRandom } = await import('../../src/linalg/random.js');
    for (const n of [1, 2, 7, 33, 64]) {
      // A = MMᵀ + nI: λ_min ≥ n, so cond(A) ≤ (‖M‖² + n)/n stays small and the residual
      // ‖A·A⁻¹ − I‖ is bounded by a modest multiple of n·ε·cond(A).
      const m = createRandom(n).normals(n * n);
      const a = gemm(m, m, n, n, n, { transposeB: true });
      for (let i = 0; i < n; i++) a[i * n + i]! += n;
      const inv = choleskyInverse(cholesky(a, n), n);
      const product = gemm(a, inv, n, n, n);
      let worst = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) worst = Math.max(worst, Math.abs(product[i * n + j]! - (i === j ? 1 : 0)));
      expect(worst).toBeLessThan(50 * n * Number.EPSILON * 10);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(inv[i * n + j]).toBe(inv[j * n + i]);
    }
  });

  it('refuses a factor with a zero pivot, naming it', async () => {
    const { choleskyInverse } = await import('../../src/linalg/index.js');
    expect(() => choleskyInverse(new Float64Array([1, 0, 2, 0]), 2)).toThrow(/choleskyInverse/);
  });
});
