/**
 * Spectra from matrix-vector products, against matrices with known spectra.
 *
 * Tolerances come from two classical bounds for a symmetric H and a unit vector v with Rayleigh
 * quotient θ and residual r = Hv − θv: some eigenvalue lies within ‖r‖ of θ (in fact within
 * ‖r‖²/gap), and the angle to its eigenvector obeys sin∠ ≤ ‖r‖/gap (Davis–Kahan).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { dot, gemv } from '../../src/linalg/index.js';
import {
  countingOperator,
  diagonalEstimate,
  hutchinsonTrace,
  topEigenpairs,
  type LinearOperator,
} from '../../src/hessian/linear/index.js';
import { withSpectrumAndVectors } from '../support/numeric.js';

function column(q: Float64Array, n: number, k: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => q[i * n + k]!);
}

function trace(h: Float64Array, n: number): number {
  let t = 0;
  for (let i = 0; i < n; i++) t += h[i * n + i]!;
  return t;
}

describe('topEigenpairs', () => {
  const n = 40;
  // Known spectrum: a few well separated large eigenvalues, one negative among them, and a bulk.
  const top = [10, -8, 6, 4];
  const bulk = Array.from({ length: n - top.length }, (_, k) => 2 * (1 - k / (n - top.length)) - 0.5); // in (−0.5, 1.5]
  const eigenvalues = [...top, ...bulk];
  const { h, q } = withSpectrumAndVectors(eigenvalues, 1);
  const tolerance = 1e-8;

  for (const method of ['power', 'lanczos'] as const) {
    it(`${method}: finds the k of largest magnitude, sorted by |λ|, with their eigenvectors`, () => {
      const k = 3;
      const op = countingOperator(h);
      const result = topEigenpairs(op, k, { method, tolerance, seed: 2 });
      expect(result.converged).toBe(true);
      expect(result.iterations).toBe(op.applications);
      expect(result.vectors).toHaveLength(k);
      for (let p = 0; p < k; p++) {
        const expected = top[p]!;
        // ‖r‖ ≤ tolerance·|λ₁| = 1e-7, and θ lies within ‖r‖ of an eigenvalue
        expect(Math.abs(result.values[p]! - expected)).toBeLessThanOrEqual(tolerance * 10 * (1 + 1e-6));
        // sin∠(v, u) ≤ ‖r‖/gap with gap ≥ 2: |vᵀu| ≥ cos∠ ≥ 1 − (5e-8)²/2 — test 1e-12
        const v = result.vectors[p]!;
        expect(Math.abs(dot(v, column(q, n, p)))).toBeGreaterThan(1 - 1e-12);
        // the exact residual of the returned pair
        const hv = gemv(h, n, n, v);
        const residual = Math.hypot(...hv.map((x, i) => x - result.values[p]! * v[i]!));
        expect(residual).toBeLessThanOrEqual(2 * tolerance * 10);
      }
    });
  }

  it('lanczos needs far fewer products than power for the same pairs', () => {
    const power = topEigenpairs(h, 3, { method: 'power', tolerance, seed: 3 });
    const lanczos = topEigenpairs(h, 3, { method: 'lanczos', tolerance, seed: 3 });
    expect(lanczos.iterations).toBeLessThan(power.iterations / 2);
    expect(lanczos.iterations).toBeLessThanOrEqual(n);
  });

  it('lanczos recovers the whole spectrum of a small matrix, with repeated eigenvalues', () => {
    const values = [5, 3, 3, 1, -2, 0.5];
    const { h: small } = withSpectrumAndVectors(values, 4);
    const result = topEigenpairs(small, 6, { method: 'lanczos', seed: 5 });
    const sorted = [...values].sort((a, b) => Math.abs(b) - Math.abs(a));
    // a start vector sees only one direction of the double eigenvalue 3: Lanczos exhausts the
    // Krylov space after 5 steps and restarts from a fresh random direction to find the other
    for (let p = 0; p < 6; p++) expect(result.values[p]).toBeCloseTo(sorted[p]!, 10);
  });

  it('reports converged: false when the iteration budget is too small', () => {
    const result = topEigenpairs(h, 2, { method: 'power', iterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.values).toHaveLength(2);
  });

  for (const method of ['power', 'lanczos'] as const) {
    it(`${method}: the residuals reported are those of the pairs returned, measured (also at the iteration limit)`, () => {
      // The trap: at the limit, a power step measures the residual of v and then moves v on; and
      // Lanczos's |βₘ₊₁sₘ| is an estimate. What is reported must be ‖Hv − θv‖ of what is returned.
      for (const iterations of [3, 8, 200]) {
        const result = topEigenpairs(h, 3, { method, iterations, seed: 4 });
        for (let p = 0; p < 3; p++) {
          const v = result.vectors[p]!;
          const hv = gemv(h, n, n, v);
          const residual = Math.hypot(...hv.map((x, i) => x - result.values[p]! * v[i]!));
          // both are ‖Hv − θv‖ up to the rounding of n-term sums: a few ε·‖H‖ = a few 1e-15
          expect(Math.abs(residual - result.residuals[p]!)).toBeLessThan(1e-13);
        }
        const yardstick = tolerance * Math.abs(result.values[0]!);
        expect(result.converged).toBe(Array.from(result.residuals).every((r) => r <= yardstick));
      }
    });
  }

  it('k = 0 returns empty arrays; n = 1 is exact', () => {
    const none = topEigenpairs(h, 0);
    expect(none.values).toHaveLength(0);
    expect(none.vectors).toEqual([]);
    expect(none.iterations).toBe(0);
    for (const method of ['power', 'lanczos'] as const) {
      const one = topEigenpairs(new Float64Array([-3]), 1, { method });
      expect(Array.from(one.values)).toEqual([-3]);
      expect(Math.abs(one.vectors[0]![0]!)).toBe(1);
      expect(one.converged).toBe(true);
    }
  });

  it('refuses a non-symmetric dense H: its eigenvalues need not be real', () => {
    expect(() => topEigenpairs(new Float64Array([0, 1, -1, 0]), 1)).toThrow(
      /^topEigenpairs: H must be symmetric.*complex eigenvalues/,
    );
  });

  it('input errors', () => {
    expect(() => topEigenpairs(h, -1)).toThrow(/^topEigenpairs: k must be an integer ≥ 0, got -1/);
    expect(() => topEigenpairs(h, 2, { method: 'lanczo' as never })).toThrow(/did you mean 'lanczos'\?/);
    expect(() => topEigenpairs(h, 2, { tolerence: 1e-3 } as never)).toThrow(/did you mean 'tolerance'\?/);
    expect(() => topEigenpairs(h, n + 1)).toThrow(/exceeds the operator size/);
    expect(() => topEigenpairs(h, 2, { method: 'qr' as never })).toThrow(InvalidArgumentError);
    expect(() => topEigenpairs(h, 2, { iterations: 0 })).toThrow(InvalidArgumentError);
    expect(() => topEigenpairs(h, 2, { tolerance: 0 })).toThrow(InvalidArgumentError);
    expect(() => topEigenpairs(new Float64Array(5), 1)).toThrow(ShapeError);
    const nan: LinearOperator = { size: 2, apply: () => new Float64Array([Number.NaN, 0]) };
    expect(() => topEigenpairs(nan, 1)).toThrow(NonFiniteError);
  });
});

describe('hutchinsonTrace', () => {
  const n = 20;
  const { h } = withSpectrumAndVectors(
    Array.from({ length: n }, (_, k) => 1 + k),
    10,
  );
  const exact = trace(h, n); // 210
  // Var(zᵀHz) = 2·Σᵢ≠ⱼ Hᵢⱼ² for Rademacher z
  let offDiagonal = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) offDiagonal += h[i * n + j]! ** 2;
  const sigma = Math.sqrt(2 * offDiagonal);

  it('error shrinks like 1/√samples: mean |error| at 16 vs 1024 samples has ratio ≈ 8', () => {
    const seeds = 200;
    const meanAbsError = (samples: number) => {
      let sum = 0;
      for (let seed = 0; seed < seeds; seed++)
        sum += Math.abs(hutchinsonTrace(h, { samples, seed: 1000 * samples + seed }).estimate - exact);
      return sum / seeds;
    };
    const few = meanAbsError(16);
    const many = meanAbsError(1024);
    // E|error| = √(2/π)·σ/√m for a Gaussian mean, so the expected ratio is √(1024/16) = 8.
    // Each mean over 200 seeds has relative standard deviation √(π/2 − 1)/√200 ≈ 5.3%, so the
    // ratio has about 7.6%; a ±4σ band is [8·0.7, 8·1.3].
    expect(few / many).toBeGreaterThan(8 * 0.7);
    expect(few / many).toBeLessThan(8 * 1.3);
    // and the absolute level matches the theory within the same band
    expect(many / ((Math.sqrt(2 / Math.PI) * sigma) / 32)).toBeGreaterThan(0.85);
    expect(many / ((Math.sqrt(2 / Math.PI) * sigma) / 32)).toBeLessThan(1.15);
  });

  it('reports a standard error that matches σ/√samples', () => {
    const { estimate, standardError, samples } = hutchinsonTrace(h, { samples: 4000, seed: 7 });
    expect(samples).toBe(4000);
    // the sample SD over 4000 draws is within a few % of σ
    expect(standardError / (sigma / Math.sqrt(4000))).toBeGreaterThan(0.9);
    expect(standardError / (sigma / Math.sqrt(4000))).toBeLessThan(1.1);
    expect(Math.abs(estimate - exact)).toBeLessThan(4 * standardError);
  });

  it('is exact for a diagonal matrix (zᵀDz = tr D for every ±1 vector); one sample has SE ∞', () => {
    const d = new Float64Array(9);
    d[0] = 1;
    d[4] = 2;
    d[8] = -4;
    const result = hutchinsonTrace(d, { samples: 1 });
    expect(result.estimate).toBe(-1);
    expect(result.standardError).toBe(Number.POSITIVE_INFINITY);
    expect(hutchinsonTrace(d, { samples: 5 }).standardError).toBe(0);
  });

  it('needs no symmetry: a dense non-symmetric matrix is accepted, and E[zᵀAz] = tr A still holds', () => {
    // A = S + K with K skew: zᵀKz = 0 for every z, so the estimate is exactly that of S.
    const k = h.map((_, idx) => (Math.floor(idx / n) < idx % n ? 0.5 : Math.floor(idx / n) > idx % n ? -0.5 : 0));
    const a = h.map((v, idx) => v + k[idx]!);
    const skewed = hutchinsonTrace(a, { samples: 64, seed: 3 });
    const symmetric = hutchinsonTrace(h, { samples: 64, seed: 3 });
    expect(Math.abs(skewed.estimate - symmetric.estimate)).toBeLessThan(1e-12 * exact);
  });

  it('input errors', () => {
    expect(() => hutchinsonTrace(h, { samples: 0 })).toThrow(/^hutchinsonTrace: samples must be an integer ≥ 1, got 0/);
    expect(() => hutchinsonTrace(new Float64Array(3))).toThrow(ShapeError);
    expect(() => hutchinsonTrace(h, { sample: 10 } as never)).toThrow(
      /unknown option 'sample'; did you mean 'samples'\?/,
    );
    expect(() => hutchinsonTrace(h, { seed: '1' } as never)).toThrow(/'1' \(a string\)/);
    const nan: LinearOperator = { size: 2, apply: () => new Float64Array([0, Number.NaN]) };
    expect(() => hutchinsonTrace(nan)).toThrow(/^hutchinsonTrace: H.apply returned NaN at index 1 for probe 1/);
  });
});

describe('diagonalEstimate', () => {
  it('converges to diag(H) at the rate its standard error states', () => {
    const n = 15;
    const { h } = withSpectrumAndVectors(
      Array.from({ length: n }, (_, k) => (k % 3) - 0.5 + k / 5),
      20,
    );
    const exact = Float64Array.from({ length: n }, (_, i) => h[i * n + i]!);
    const errorAt = (samples: number) => {
      const { estimate, standardError } = diagonalEstimate(h, { samples, seed: samples });
      for (let i = 0; i < n; i++)
        expect(Math.abs(estimate[i]! - exact[i]!)).toBeLessThan(5 * standardError[i]! + 1e-12);
      return Math.hypot(...estimate.map((x, i) => x - exact[i]!));
    };
    const coarse = errorAt(100);
    const fine = errorAt(10_000);
    // √(10000/100) = 10× smaller in expectation; one draw each, so accept ≥ 3×
    expect(fine).toBeLessThan(coarse / 3);
  });

  it('is exact for a diagonal matrix', () => {
    const d = new Float64Array([3, 0, 0, -2]);
    const { estimate, standardError } = diagonalEstimate(d, { samples: 3 });
    expect(Array.from(estimate)).toEqual([3, -2]);
    expect(Array.from(standardError)).toEqual([0, 0]);
  });

  it('returns fresh arrays', () => {
    const result = diagonalEstimate(new Float64Array([3, 0, 0, -2]), { samples: 3 });
    expect(result.estimate.buffer).not.toBe(result.standardError.buffer);
    expect(result.estimate.byteLength).toBe(result.estimate.buffer.byteLength);
  });

  it('input errors', () => {
    expect(() => diagonalEstimate(new Float64Array([1, 0, 0, 1]), { samples: -1 })).toThrow(InvalidArgumentError);
    expect(() => diagonalEstimate(new Float64Array([1, 0, 0, 1]), null as never)).toThrow(
      /^diagonalEstimate: options must be an object/,
    );
    const short: LinearOperator = { size: 2, apply: () => new Float64Array(1) };
    expect(() => diagonalEstimate(short)).toThrow(/^diagonalEstimate: H.apply returned a vector of length 1/);
  });
});
