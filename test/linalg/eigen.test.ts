/**
 * symmetricEigen by its defining identities.
 *
 * Tolerance: Householder tridiagonalisation followed by implicit QL is normwise backward
 * stable — the computed V̂Λ̂V̂ᵀ is the exact decomposition of A + E with ‖E‖ ≤ p(n)·ε·‖A‖ and
 * ‖V̂ᵀV̂ − I‖ ≤ p(n)·ε, where p(n) is a modest low-degree polynomial (Wilkinson; Golub & Van
 * Loan §8.3). We take p(n) = n with ‖·‖_F, and add the γₙ rounding of forming AV̂ and V̂ᵀV̂ in
 * the check itself. By Weyl's theorem each eigenvalue then moves by at most ‖E‖₂ ≤ ‖E‖_F.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeError, TapegradError } from '../../src/errors.js';
import { createRandom, gemm, matrixFromRows, symmetricEigen, symmetrize } from '../../src/linalg/index.js';

const EPS = Number.EPSILON;
const gamma = (n: number): number => (n * EPS) / (1 - n * EPS);
const SIZES = [1, 2, 3, 7, 31, 64, 65, 97];

const frobenius = (m: Float64Array): number => Math.sqrt(m.reduce((s, v) => s + v * v, 0));
const abs = (a: Float64Array): Float64Array => a.map(Math.abs);

function randomSymmetric(n: number, seed: number): Float64Array {
  return symmetrize(createRandom(seed).normals(n * n), n);
}

/** Checks AV = VΛ, VᵀV = I and ascending order within the backward-stability bounds above. */
function expectEigendecomposition(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const { values, vectors } = symmetricEigen(a, n);
  expect(values.length).toBe(n);
  expect(vectors.length).toBe(n * n);
  for (let j = 1; j < n; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
  const av = gemm(a, vectors, n, n, n);
  const residual = av.map((v, idx) => v - vectors[idx]! * values[idx % n]!);
  const productRounding = frobenius(gemm(abs(a), abs(vectors), n, n, n));
  expect(frobenius(residual)).toBeLessThanOrEqual(n * EPS * frobenius(a) + gamma(n + 1) * productRounding);
  const vtv = gemm(vectors, vectors, n, n, n, { transposeA: true });
  for (let i = 0; i < n; i++) vtv[i * n + i] = vtv[i * n + i]! - 1;
  expect(frobenius(vtv)).toBeLessThanOrEqual(n * EPS + gamma(n) * n);
  return { values, vectors };
}

describe('symmetricEigen', () => {
  it('AV = VΛ with VᵀV = I and ascending values for random symmetric A (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const a = randomSymmetric(n, seed);
        const before = a.slice();
        expectEigendecomposition(a, n);
        expect(a).toEqual(before);
      }),
      { numRuns: 30 },
    );
  });

  it('recovers known eigenvalues of QΛQᵀ within Weyl’s bound', () => {
    fc.assert(
      fc.property(fc.constantFrom(...SIZES), fc.integer(), (n, seed) => {
        const rng = createRandom(seed);
        // Q = I − 2vvᵀ/vᵀv is orthogonal; Λ has a repeated value and a wide spread.
        const v = rng.normals(n);
        const vv = v.reduce((s, x) => s + x * x, 0);
        const q = new Float64Array(n * n);
        for (let i = 0; i < n; i++)
          for (let j = 0; j < n; j++) q[i * n + j] = (i === j ? 1 : 0) - (2 * v[i]! * v[j]!) / vv;
        const lambda = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 2 : (i - n / 2) * 10));
        const ql = q.map((x, idx) => x * lambda[idx % n]!);
        const a = symmetrize(gemm(ql, q, n, n, n, { transposeB: true }), n);
        const { values } = expectEigendecomposition(a, n);
        const sorted = lambda.slice().sort();
        // Building A rounds too: γₙ₊₂·‖|Q||Λ||Qᵀ|‖_F (products, sums, the symmetrising average).
        const construction = gamma(n + 2) * frobenius(gemm(abs(ql), abs(q), n, n, n, { transposeB: true }));
        const bound = n * EPS * frobenius(a) + construction;
        for (let i = 0; i < n; i++) expect(Math.abs(values[i]! - sorted[i]!)).toBeLessThanOrEqual(bound);
      }),
      { numRuns: 20 },
    );
  });

  it('handles the exact small cases: 2×2, diagonal, identity, zero, empty', () => {
    const { values, vectors } = symmetricEigen(
      matrixFromRows([
        [2, 1],
        [1, 2],
      ]),
      2,
    );
    expect(values[0]).toBeCloseTo(1, 14);
    expect(values[1]).toBeCloseTo(3, 14);
    // Column 1 (eigenvalue 3) ∝ [1, 1]; column 0 ∝ [1, −1]; signs are arbitrary.
    expect(Math.abs(vectors[1]! - vectors[3]!)).toBeLessThan(1e-15);
    expect(Math.abs(vectors[0]! + vectors[2]!)).toBeLessThan(1e-15);
    expect([
      ...symmetricEigen(
        matrixFromRows([
          [3, 0, 0],
          [0, -1, 0],
          [0, 0, 2],
        ]),
        3,
      ).values,
    ]).toEqual([-1, 2, 3]);
    expectEigendecomposition(
      matrixFromRows([
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ]),
      3,
    );
    expect([...symmetricEigen(new Float64Array(16), 4).values]).toEqual([0, 0, 0, 0]);
    expect([...symmetricEigen(matrixFromRows([[5]]), 1).vectors]).toEqual([1]);
    const empty = symmetricEigen(new Float64Array(0), 0);
    expect(empty.values.length).toBe(0);
  });

  it('converges on hard spectra without hanging: Wilkinson W₂₁⁺, graded and tiny matrices', () => {
    const n = 21;
    const wilkinson = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      wilkinson[i * n + i] = Math.abs(10 - i);
      if (i + 1 < n) wilkinson[i * n + i + 1] = wilkinson[(i + 1) * n + i] = 1;
    }
    const { values } = expectEigendecomposition(wilkinson, n);
    // The two largest eigenvalues of W₂₁⁺ agree to about 14 digits (10.746194182903...).
    expect(values[n - 1]! - values[n - 2]!).toBeLessThan(1e-12);
    expect(values[n - 1]).toBeCloseTo(10.746194182903393, 12);
    const graded = new Float64Array(9 * 9);
    for (let i = 0; i < 9; i++) for (let j = 0; j < 9; j++) graded[i * 9 + j] = 10 ** (-(i + j) * 4);
    expectEigendecomposition(graded, 9);
    // Extreme scales (1e160·A overflowed to NaN and 1e-200·A lost every digit before the input was
    // rescaled by a power of two): eigenvalues of c·A must be c times those of A,
    // each side within the backward-error bound n·ε·‖A‖_F.
    const base = randomSymmetric(10, 1);
    const reference = symmetricEigen(base, 10).values;
    for (const c of [1e-300, 1e-200, 1e160, 1e300]) {
      const scaled = symmetricEigen(
        base.map((x) => x * c),
        10,
      ).values;
      for (let i = 0; i < 10; i++)
        expect(Math.abs(scaled[i]! / c - reference[i]!)).toBeLessThanOrEqual(2 * 10 * EPS * frobenius(base));
    }
  });

  it('accepts round-off asymmetry (and averages it away) but rejects real asymmetry, suggesting symmetrize', () => {
    const a = randomSymmetric(5, 3);
    a[1] = a[1]! * (1 + 1e-14);
    expect(() => symmetricEigen(a, 5)).not.toThrow();
    const b = matrixFromRows([
      [1, 2],
      [3, 1],
    ]);
    expect(() => symmetricEigen(b, 2)).toThrow(InvalidArgumentError);
    expect(() => symmetricEigen(b, 2)).toThrow(
      /^symmetricEigen: A is not symmetric: A\[1, 0\] = 3 but A\[0, 1\] = 2.*symmetrize\(a, n\)/,
    );
    expect(() => symmetricEigen(b, 2, { symmetryTolerance: 1 })).not.toThrow();
    expect(() => symmetricEigen(b, 2, { symmetryTolerance: -1 })).toThrow(
      /symmetryTolerance must be a non-negative number/,
    );
  });

  it('rejects non-finite entries and non-square input', () => {
    expect(() =>
      symmetricEigen(
        matrixFromRows([
          [1, NaN],
          [NaN, 1],
        ]),
        2,
      ),
    ).toThrow(NonFiniteError);
    expect(() =>
      symmetricEigen(
        matrixFromRows([
          [1, 0],
          [0, -Infinity],
        ]),
        2,
      ),
    ).toThrow(/^symmetricEigen: A\[1, 1\] is -Infinity/);
    expect(() => symmetricEigen(new Float64Array(6), 2)).toThrow(ShapeError);
    expect(() => symmetricEigen(new Float64Array(6), 2)).toThrow(/A has 6 entries but n·n = 2·2 = 4/);
    expect(() => symmetricEigen(new Float64Array(4), -2)).toThrow(InvalidArgumentError);
  });

  it('stops with a typed error when QL exceeds its iteration cap', () => {
    const a = randomSymmetric(10, 4);
    try {
      symmetricEigen(a, 10, { maxIterations: 1 });
      expect.fail('expected a no-convergence error');
    } catch (error) {
      expect(error).toBeInstanceOf(TapegradError);
      expect((error as TapegradError).code).toBe('no-convergence');
      expect((error as TapegradError).message).toMatch(
        /^symmetricEigen: the QL iteration did not converge within 1 iterations/,
      );
    }
    expect(() => symmetricEigen(a, 10, { maxIterations: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
