/**
 * The direct and Krylov solvers (choleskySolve, cgSolve, minresSolve) against dense linear
 * algebra, on SPD matrices with prescribed spectra H = Q·diag(λ)·Qᵀ.
 *
 * Tolerances: the solvers stop on the relative residual ρ = ‖b − Hx‖/‖b‖, and the forward error
 * obeys ‖x − x*‖/‖x*‖ ≤ κ(H)·ρ. The reference x* from Cholesky is itself only accurate to about
 * n·κ·ε (backward stable), so every error bound below is κ·tolerance + n·κ·ε, with no slack.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  NegativeCurvatureError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
} from '../../src/errors.js';
import { SYMMETRY_TOLERANCE } from '../../src/validate.js';
import { axpy, dot, gemv, norm2, symmetricEigen, symmetrize } from '../../src/linalg/index.js';
import { createRandom } from '../../src/linalg/random.js';
import {
  cgSolve,
  choleskySolve,
  countingOperator,
  denseOperator,
  minresSolve,
  neumannSolve,
  type LinearOperator,
} from '../../src/hessian/linear/index.js';
import { EPS, withSpectrum, withSpectrumAndVectors } from '../support/numeric.js';

/** n eigenvalues log-spaced from 1 down to 1/cond. */
function logSpectrum(n: number, cond: number): number[] {
  return Array.from({ length: n }, (_, k) => cond ** (-k / (n - 1)));
}

function relativeError(x: Float64Array, reference: Float64Array): number {
  return norm2(x.map((v, i) => v - reference[i]!)) / norm2(reference);
}

function trueRelativeResidual(h: Float64Array, n: number, x: Float64Array, b: Float64Array, damping = 0): number {
  const hx = gemv(h, n, n, x);
  return norm2(b.map((bi, i) => bi - hx[i]! - damping * x[i]!)) / norm2(b);
}

describe('choleskySolve', () => {
  it('solves a dense SPD system to backward-stable accuracy', () => {
    const n = 12;
    const h = withSpectrum(logSpectrum(n, 1e4), 1);
    const b = createRandom(2).normals(n);
    const result = choleskySolve(h, b);
    expect(result.iterations).toBe(0);
    expect(result.converged).toBe(true);
    expect(result.residualNorms).toHaveLength(1);
    expect(result.operatorApplications).toBe(0);
    // Backward stable: ‖b − Hx‖ ≤ c·n·ε·‖H‖·‖x‖ with a small c (‖H‖₂ = 1 here), so the
    // relative residual is bounded by c·n·ε·‖x‖/‖b‖ — not by n·ε alone when ‖x‖ ≫ ‖b‖.
    const bound = 10 * n * EPS * (norm2(result.x) / norm2(b));
    expect(result.residualNorms[0]!).toBeLessThan(bound);
    expect(trueRelativeResidual(h, n, result.x, b)).toBeLessThan(bound);
  });

  it('forms an operator with n applications, adds damping, and leaves b alone', () => {
    const n = 6;
    const h = withSpectrum([1, 2, 3, 4, 5, 6], 3);
    const op = countingOperator(denseOperator(h));
    const b = createRandom(4).normals(n);
    const bCopy = Float64Array.from(b);
    const result = choleskySolve(op, b, { damping: 0.5 });
    expect(result.operatorApplications).toBe(n);
    expect(op.applications).toBe(n);
    expect(trueRelativeResidual(h, n, result.x, b, 0.5)).toBeLessThan(10 * n * EPS);
    expect(b).toEqual(bCopy);
  });

  it('accepts a duck-typed [n, n] tensor', () => {
    const tensor = { shape: [2, 2] as const, toArray: () => new Float64Array([4, 2, 2, 3]) };
    const { x } = choleskySolve(tensor, new Float64Array([2, 1]));
    expect(x[0]).toBeCloseTo(0.5, 14);
    expect(x[1]).toBeCloseTo(0, 14);
  });

  it('rethrows NotPositiveDefiniteError suggesting damping; damping fixes it', () => {
    const h = withSpectrum([2, 1, -0.5], 5);
    const b = new Float64Array([1, 2, 3]);
    expect(() => choleskySolve(h, b)).toThrow(NotPositiveDefiniteError);
    expect(() => choleskySolve(h, b)).toThrow(/choleskySolve: .*damping/);
    expect(choleskySolve(h, b, { damping: 1 }).converged).toBe(true);
  });

  it('returns x = 0 for b = 0', () => {
    const result = choleskySolve(new Float64Array([2, 0, 0, 2]), new Float64Array(2));
    expect(Array.from(result.x)).toEqual([0, 0]);
    expect(result.reason).toBe('zero right-hand side');
    expect(result.converged).toBe(true);
  });

  it('solves n = 1 exactly', () => {
    const result = choleskySolve(new Float64Array([4]), new Float64Array([2]), { damping: 1 });
    expect(result.x[0]).toBeCloseTo(0.4, 15);
    expect(result.converged).toBe(true);
  });

  it('refuses a non-symmetric matrix instead of silently solving with (H + Hᵀ)/2', () => {
    // Reading one triangle would solve [[2, 0.5], [0.5, 2]] (x = [0.4, 0.4]) with a residual of 1e-16
    // against a matrix the user never gave.
    const h = new Float64Array([2, 1, 0, 2]);
    const b = new Float64Array([1, 1]);
    expect(() => choleskySolve(h, b)).toThrow(InvalidArgumentError);
    expect(() => choleskySolve(h, b)).toThrow(
      /^choleskySolve: H must be symmetric, but H\[0, 1\] = 1 and H\[1, 0\] = 0 .*symmetrize: true/,
    );
    // the same for the matrix formed from an operator's n products
    expect(() => choleskySolve(denseOperator(h), b)).toThrow(/must be symmetric.*finite differences/);
  });

  it('symmetrize: true solves with (H + Hᵀ)/2, says so, and measures the residual against H as given', () => {
    const h = new Float64Array([2, 1, 0, 2]);
    const b = new Float64Array([1, 1]);
    const result = choleskySolve(h, b, { symmetrize: true });
    // x solves [[2, 0.5], [0.5, 2]]x = b exactly: x = [0.4, 0.4]
    expect(result.x[0]).toBeCloseTo(0.4, 15);
    expect(result.x[1]).toBeCloseTo(0.4, 15);
    // …and against the H the user gave, b − Hx = [1 − 1.2, 1 − 0.8]: relative residual 0.2
    expect(result.residualNorms[0]).toBeCloseTo(trueRelativeResidual(h, 2, result.x, b), 15);
    expect(result.residualNorms[0]).toBeCloseTo(0.2, 14);
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^direct factorisation of \(H \+ Hᵀ\)\/2 \+ λI \(symmetrize: true\).*backward error/);
    // a finite-difference-like operator, symmetric to 1e-12: converged, since the backward error is far below √ε
    const n = 6;
    const spd = withSpectrum([1, 2, 3, 4, 5, 6], 7);
    const noisy = spd.map((v, i) => (i % n > Math.floor(i / n) ? v * (1 + 1e-12) : v));
    const op = countingOperator(denseOperator(noisy));
    const rhs = createRandom(8).normals(n);
    const solved = choleskySolve(op, rhs, { symmetrize: true });
    expect(solved.converged).toBe(true);
    expect(solved.operatorApplications).toBe(n);
    expect(solved.residualNorms[0]).toBeCloseTo(trueRelativeResidual(noisy, n, solved.x, rhs), 15);
    // and within √ε the check itself lets it through (the symmetric part is what is factored)
    expect(choleskySolve(noisy, rhs).converged).toBe(true);
    expect(1e-12).toBeLessThan(SYMMETRY_TOLERANCE);
  });

  it('checks its options', () => {
    const h = new Float64Array([2, 0, 0, 2]);
    const b = new Float64Array([1, 1]);
    expect(() => choleskySolve(h, b, { symmetrise: true } as never)).toThrow(
      /^choleskySolve: unknown option 'symmetrise'; did you mean 'symmetrize'\?/,
    );
    expect(() => choleskySolve(h, b, { symmetrize: 'yes' } as never)).toThrow(
      /symmetrize must be true or false, got 'yes' \(a string\)/,
    );
    expect(() => choleskySolve(h, b, null as never)).toThrow(/^choleskySolve: options must be an object/);
  });

  it('a huge damping that overflows H + λI is reported under its own name', () => {
    const h = new Float64Array([Number.MAX_VALUE, 0, 0, 1]);
    expect(() => choleskySolve(h, new Float64Array([1, 1]), { damping: Number.MAX_VALUE })).toThrow(
      /^choleskySolve: H \+ λI overflowed/,
    );
  });
});

describe('cgSolve', () => {
  // Spectra of three shapes, each with λ_max = 1 and λ_min = 1/κ.
  const spectra = {
    uniform: (n: number, cond: number) => Array.from({ length: n }, (_, k) => 1 - ((1 - 1 / cond) * k) / (n - 1)),
    clustered: (n: number, cond: number) =>
      Array.from({ length: n }, (_, k) => (k < n / 2 ? 1 - (0.1 * k) / n : (1 + (0.1 * k) / n) / cond)),
    'log-spaced': logSpectrum,
  };
  for (const [shape, spectrum] of Object.entries(spectra)) {
    for (const cond of [1e2, 1e6]) {
      it(`reaches its tolerance (n = 30, κ = ${cond}, ${shape} spectrum)`, () => {
        const n = 30;
        const h = withSpectrum(spectrum(n, cond), 10);
        const b = createRandom(11).normals(n);
        const tolerance = 1e-10;
        const op = countingOperator(h);
        const result = cgSolve(op, b, { tolerance });
        const reference = choleskySolve(h, b).x;
        expect(result.converged).toBe(true);
        expect(result.reason).toBe('tolerance reached');
        // Exact CG ends in ≤ n steps (≤ the number of distinct eigenvalues). In float64 the
        // Krylov basis loses orthogonality once a Ritz value converges, and CG then behaves like
        // exact CG on a matrix with several eigenvalues clustered around each isolated one
        // (Greenbaum 1989). Uniform and clustered spectra barely notice (measured: 30 and ≤ 27
        // steps at both κ); a log-spaced spectrum, whose every eigenvalue is isolated, is the
        // classic worst case and the delay grows with log κ (measured: 39 steps at κ = 1e2,
        // 71 at 1e4, 137 at 1e6 for n = 30). The bounds below are those measurements rounded up.
        const bound = shape === 'log-spaced' ? (cond <= 1e2 ? 1.5 * n : 5 * n) : n + 2;
        expect(result.iterations).toBeLessThanOrEqual(bound);
        expect(result.residualNorms.at(-1)!).toBeLessThanOrEqual(tolerance);
        expect(trueRelativeResidual(h, n, result.x, b)).toBeLessThanOrEqual(tolerance);
        expect(relativeError(result.x, reference)).toBeLessThanOrEqual(cond * tolerance + n * cond * EPS);
        // one product per iteration, plus one true-residual check per claimed convergence
        expect(result.operatorApplications).toBe(op.applications);
        expect(result.operatorApplications).toBeGreaterThanOrEqual(result.iterations + 1);
        expect(result.operatorApplications).toBeLessThanOrEqual(result.iterations + 4);
      });
    }
  }

  it('records a residual history starting at 1 (x₀ = 0) and ending at the final residual', () => {
    const n = 8;
    const h = withSpectrum(logSpectrum(n, 10), 12);
    const b = createRandom(13).normals(n);
    const result = cgSolve(h, b);
    expect(result.residualNorms[0]).toBe(1);
    expect(result.residualNorms).toHaveLength(result.iterations + 1);
  });

  it('agrees with Cholesky on random SPD systems with damping (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 16 }),
        fc.integer({ min: 0, max: 1e6 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (n, seed, damping) => {
          const h = withSpectrum(logSpectrum(n, 1e3), seed);
          const b = createRandom(seed + 1).normals(n);
          const tolerance = 1e-10;
          const cg = cgSolve(h, b, { tolerance, damping });
          const direct = choleskySolve(h, b, { damping });
          const kappa = (1 + damping) / (1e-3 + damping);
          expect(cg.converged).toBe(true);
          expect(relativeError(cg.x, direct.x)).toBeLessThanOrEqual(kappa * tolerance + n * kappa * EPS);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('jacobi preconditioning cures a badly scaled diagonal', () => {
    // H = D·S·D with S well conditioned and D spanning 4 orders: κ(H) ~ 1e8, κ(D⁻¹HD⁻¹) = κ(S).
    const n = 20;
    const s = withSpectrum(logSpectrum(n, 10), 20);
    const d = Array.from({ length: n }, (_, i) => 10 ** ((2 * i) / (n - 1) - 1)); // 0.1 … 10
    const h = s.map((v, idx) => v * d[Math.floor(idx / n)]! * d[idx % n]!);
    const b = createRandom(21).normals(n);
    const plain = cgSolve(h, b, { tolerance: 1e-8 });
    const jacobi = cgSolve(h, b, { tolerance: 1e-8, preconditioner: 'jacobi' });
    const explicit = cgSolve(h, b, { tolerance: 1e-8, preconditioner: denseOperator(h).diagonal!() });
    expect(jacobi.converged).toBe(true);
    expect(jacobi.iterations).toBeLessThan(plain.iterations);
    expect(explicit.iterations).toBe(jacobi.iterations);
    expect(trueRelativeResidual(h, n, jacobi.x, b)).toBeLessThanOrEqual(1e-8);
  });

  it('uses an operator preconditioner that applies an approximate inverse', () => {
    const n = 10;
    const h = withSpectrum(logSpectrum(n, 1e4), 30);
    const exactInverse = choleskyInverse(h, n);
    const b = createRandom(31).normals(n);
    const result = cgSolve(h, b, { preconditioner: denseOperator(exactInverse) });
    // P = H⁻¹ makes P·H = I: one step (plus rounding of the inverse).
    expect(result.iterations).toBeLessThanOrEqual(2);
    expect(result.converged).toBe(true);
  });

  it('warm-starts from x0 and does not mutate it', () => {
    const n = 10;
    const h = withSpectrum(logSpectrum(n, 100), 40);
    const b = createRandom(41).normals(n);
    const exact = choleskySolve(h, b).x;
    const x0 = exact.map((v) => v * (1 + 1e-6));
    const x0Copy = Float64Array.from(x0);
    const result = cgSolve(h, b, { x0, tolerance: 1e-12 });
    expect(result.residualNorms[0]!).toBeLessThan(1e-4);
    expect(result.converged).toBe(true);
    expect(x0).toEqual(x0Copy);
  });

  it('throws NegativeCurvatureError on an indefinite matrix, naming iteration and curvature', () => {
    const n = 8;
    const h = withSpectrum([3, 2, 1.5, 1, 0.5, -0.5, -1, -2], 50);
    const b = createRandom(51).normals(n);
    let caught: unknown;
    try {
      cgSolve(h, b);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(NegativeCurvatureError);
    const error = caught as NegativeCurvatureError;
    expect(error.iteration).toBeGreaterThanOrEqual(1);
    expect(error.curvature).toBeLessThanOrEqual(0);
    expect(error.curvature).toBeGreaterThanOrEqual(-2); // a Rayleigh quotient lies in [λ_min, λ_max]
    expect(error.message).toMatch(/cgSolve: .*damping.*minresSolve/);
  });

  it('returns converged: false with a reason at maxIterations, without throwing', () => {
    const n = 30;
    const h = withSpectrum(logSpectrum(n, 1e6), 60);
    const b = createRandom(61).normals(n);
    const result = cgSolve(h, b, { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^iteration limit/);
    expect(result.iterations).toBe(3);
    expect(result.residualNorms).toHaveLength(4);
    expect(result.residualNorms.at(-1)!).toBeCloseTo(trueRelativeResidual(h, n, result.x, b), 12);
  });

  it('at the iteration limit returns the iterate with the lowest true residual, never one worse than x₀', () => {
    // CG minimises the energy norm, not the residual: on this κ = 1e6 system its third iterate
    // has a true residual above ‖b‖, so x = 0 is the best iterate.
    const n = 30;
    const h = withSpectrum(logSpectrum(n, 1e6), 60);
    const b = createRandom(61).normals(n);
    const raw = plainCgIterates(h, n, b, 3);
    const rawResiduals = raw.map((x) => trueRelativeResidual(h, n, x, b));
    expect(rawResiduals[2]!).toBeGreaterThan(1);
    const result = cgSolve(h, b, { maxIterations: 3 });
    const returned = trueRelativeResidual(h, n, result.x, b);
    expect(returned).toBeLessThanOrEqual(Math.min(1, rawResiduals[2]!));
    expect(result.reason).toMatch(/initial guess/);
    // a warm start is the initial guess too: nothing returned is worse than x0
    const x0 = raw[0]!;
    const warm = cgSolve(h, b, { maxIterations: 2, x0 });
    expect(trueRelativeResidual(h, n, warm.x, b)).toBeLessThanOrEqual(trueRelativeResidual(h, n, x0, b) * (1 + 1e-12));
  });

  it('on stagnation returns the best measured iterate, with the residual of that iterate last', () => {
    // Tolerance 1e-17 is below the attainable accuracy (≈ κ·ε), so CG restarts and stagnates.
    const n = 12;
    const h = withSpectrum(logSpectrum(n, 1e8), 64);
    const b = createRandom(65).normals(n);
    const op = countingOperator(h);
    const result = cgSolve(op, b, { tolerance: 1e-17, maxIterations: 500 });
    expect(result.converged).toBe(false);
    expect(result.residualNorms.at(-1)!).toBeCloseTo(trueRelativeResidual(h, n, result.x, b), 14);
    expect(result.operatorApplications).toBe(op.applications);
  });

  it('stops when the signal is aborted', () => {
    const n = 30;
    const h = withSpectrum(logSpectrum(n, 1e6), 62);
    const b = createRandom(63).normals(n);
    const result = cgSolve(h, b, { signal: { aborted: true } });
    expect(result.reason).toMatch(/^aborted/);
    expect(result.iterations).toBe(1);
    expect(result.residualNorms.at(-1)!).toBeCloseTo(trueRelativeResidual(h, n, result.x, b), 12);
  });

  it('solves n = 1 in one step, and b = 0 without a product', () => {
    const one = cgSolve(new Float64Array([4]), new Float64Array([2]));
    expect(Array.from(one.x)).toEqual([0.5]);
    expect(one.iterations).toBe(1);
    const op = countingOperator(new Float64Array([2, 0, 0, 2]));
    const zero = cgSolve(op, new Float64Array(2), { x0: new Float64Array([1, 1]) });
    expect(Array.from(zero.x)).toEqual([0, 0]);
    expect(zero.converged).toBe(true);
    expect(op.applications).toBe(0);
  });

  it('an operator that reuses its output buffer cannot corrupt the solve', () => {
    const n = 10;
    const h = withSpectrum(logSpectrum(n, 100), 66);
    const buffer = new Float64Array(n);
    const reusing: LinearOperator = { size: n, apply: (v) => gemv(h, n, n, v, buffer) };
    const b = createRandom(67).normals(n);
    for (const solve of [cgSolve, minresSolve]) {
      const result = solve(reusing, b, { tolerance: 1e-10 });
      expect(result.converged).toBe(true);
      expect(trueRelativeResidual(h, n, result.x, b)).toBeLessThanOrEqual(1e-10);
    }
  });
});

describe('minresSolve', () => {
  it('solves the indefinite system on which CG stops', () => {
    const n = 8;
    const h = withSpectrum([3, 2, 1.5, 1, 0.5, -0.5, -1, -2], 50);
    const b = createRandom(51).normals(n);
    const tolerance = 1e-10;
    const result = minresSolve(h, b, { tolerance });
    expect(result.converged).toBe(true);
    expect(trueRelativeResidual(h, n, result.x, b)).toBeLessThanOrEqual(tolerance);
    // MINRES minimises the residual over growing Krylov spaces: the history never increases
    // (except the final entry, replaced by the true residual, which may differ by rounding).
    const estimates = result.residualNorms.slice(0, -1);
    for (let i = 1; i < estimates.length; i++)
      expect(estimates[i]!).toBeLessThanOrEqual(estimates[i - 1]! * (1 + 1e-12));
    const kappa = 3 / 0.5;
    const reference = new Float64Array(n);
    // reference by eigen-decomposition, valid for indefinite H
    const { values, vectors } = symmetricEigen(h, n);
    for (let k = 0; k < n; k++) {
      let c = 0;
      for (let i = 0; i < n; i++) c += vectors[i * n + k]! * b[i]!;
      for (let i = 0; i < n; i++) reference[i]! += (c / values[k]!) * vectors[i * n + k]!;
    }
    expect(relativeError(result.x, reference)).toBeLessThanOrEqual(kappa * tolerance + 10 * n * kappa * EPS);
  });

  it('matches Cholesky on SPD systems, badly conditioned included', () => {
    for (const cond of [1e2, 1e6]) {
      const n = 30;
      const h = withSpectrum(logSpectrum(n, cond), 70);
      const b = createRandom(71).normals(n);
      const tolerance = 1e-9;
      const result = minresSolve(h, b, { tolerance });
      expect(result.converged).toBe(true);
      expect(relativeError(result.x, choleskySolve(h, b).x)).toBeLessThanOrEqual(cond * tolerance + n * cond * EPS);
    }
  });

  it('applies damping and reports the iteration limit', () => {
    const n = 10;
    const h = withSpectrum([...logSpectrum(n - 1, 10), 0], 80); // singular
    const b = createRandom(81).normals(n);
    const result = minresSolve(h, b, { damping: 0.1 });
    expect(result.converged).toBe(true);
    expect(trueRelativeResidual(h, n, result.x, b, 0.1)).toBeLessThanOrEqual(1e-10);
    const limited = minresSolve(h, b, { damping: 0.1, maxIterations: 2 });
    expect(limited.converged).toBe(false);
    expect(limited.reason).toMatch(/^iteration limit/);
  });

  it('on a singular inconsistent system returns a least-squares solution, never an iterate worse than x = 0', () => {
    // The textbook step through the zero pivot γₖ would give ‖x‖ ≈ 5e16 and a residual of 4e15.
    const n = 8;
    const eigenvalues = [3, 2, 1, 0.5, 0.2, 0, 0, 0];
    const { h, q } = withSpectrumAndVectors(eigenvalues, 5);
    const b = createRandom(6).normals(n);
    // The least attainable residual is b's component in the null space: ‖Σ_{λₖ=0} (qₖᵀb)qₖ‖/‖b‖.
    let nullPart = 0;
    for (let k = 5; k < n; k++) {
      let c = 0;
      for (let i = 0; i < n; i++) c += q[i * n + k]! * b[i]!;
      nullPart += c * c;
    }
    const leastResidual = Math.sqrt(nullPart) / norm2(b);
    const result = minresSolve(h, b);
    const residual = trueRelativeResidual(h, n, result.x, b);
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^stagnated.*least-squares solution/);
    expect(residual).toBeLessThanOrEqual(1);
    // The residual left is the null-space part, up to the rounding of H (‖H‖·ε-sized entries of
    // a 'zero' eigenvalue) times ‖x‖; 1e-10 is far above that and far below the gap to 1.
    expect(residual).toBeLessThanOrEqual(leastResidual + 1e-10);
    expect(result.residualNorms.at(-1)!).toBeCloseTo(residual, 14);
    // a consistent right-hand side (b in the range) converges
    const inRange = gemv(h, n, n, createRandom(7).normals(n));
    expect(minresSolve(h, inRange, { tolerance: 1e-10 }).converged).toBe(true);
  });

  it('over random singular indefinite systems, never returns an iterate worse than x = 0, and reports its own residual', () => {
    // Without reorthogonalisation Lanczos loses orthogonality here, and the iterates drift far
    // from φ̄ after the least-squares point; what is guaranteed is the best measured iterate.
    for (const n of [30, 80]) {
      for (let seed = 0; seed < 5; seed++) {
        const rng = createRandom(1000 + seed);
        const eigenvalues = Array.from({ length: n }, (_, k) =>
          k < 2 ? 0 : (rng.uniform() < 0.3 ? -1 : 1) * (0.01 + rng.uniform()),
        );
        const h = withSpectrum(eigenvalues, seed);
        const b = rng.normals(n);
        const result = minresSolve(h, b);
        const residual = trueRelativeResidual(h, n, result.x, b);
        expect(residual).toBeLessThan(1);
        expect(result.residualNorms.at(-1)!).toBeCloseTo(residual, 14);
        expect(result.converged).toBe(false);
      }
    }
  });

  it('solves n = 1, and an indefinite 1×1 system', () => {
    expect(Array.from(minresSolve(new Float64Array([-4]), new Float64Array([2])).x)).toEqual([-0.5]);
  });
});

describe('what the solvers take from their operator', () => {
  const n = 4;
  const h = withSpectrum([1, 2, 3, 4], 90);
  const b = createRandom(91).normals(n);
  /** An operator that behaves for `good` products, then returns `bad`. */
  const failingAfter = (good: number, bad: (v: Float64Array) => unknown): LinearOperator => {
    let calls = 0;
    return { size: n, apply: (v) => (calls++ < good ? gemv(h, n, n, v) : bad(v)) as Float64Array };
  };
  const withNaN = (v: Float64Array) => gemv(h, n, n, v).fill(Number.NaN, 1, 2);

  it('a NaN produced mid-solve is a NonFiniteError saying which entry and which iteration', () => {
    expect(() => cgSolve(failingAfter(2, withNaN), b)).toThrow(NonFiniteError);
    expect(() => cgSolve(failingAfter(2, withNaN), b)).toThrow(
      /^cgSolve: H.apply returned NaN at index 1 at iteration 3/,
    );
    // MINRES spends its second product on the checkpoint after iteration 1
    expect(() => minresSolve(failingAfter(2, withNaN), b)).toThrow(
      /^minresSolve: H.apply returned NaN at index 1 at iteration 2/,
    );
    expect(() => neumannSolve(failingAfter(2, withNaN), b)).toThrow(
      /^neumannSolve: H.apply returned NaN at index 1 at step 2/,
    );
    expect(() => choleskySolve(failingAfter(2, withNaN), b)).toThrow(
      /^choleskySolve: H.apply returned NaN at index 1 for column 2/,
    );
  });

  it('a wrong length or a non-Float64Array is refused, naming the solver', () => {
    const short = failingAfter(1, () => new Float64Array(n - 1));
    expect(() => cgSolve(short, b)).toThrow(ShapeError);
    expect(() =>
      cgSolve(
        failingAfter(1, () => new Float64Array(n - 1)),
        b,
      ),
    ).toThrow(/^cgSolve: H.apply returned a vector of length 3 at iteration 2/);
    expect(() =>
      minresSolve(
        failingAfter(0, (v) => Array.from(v)),
        b,
      ),
    ).toThrow(InvalidArgumentError);
    expect(() =>
      minresSolve(
        failingAfter(0, (v) => Array.from(v)),
        b,
      ),
    ).toThrow(/^minresSolve: H.apply returned an array of length 4/);
  });

  it('a dense H must be symmetric for every symmetric solver', () => {
    const asymmetric = Float64Array.from(h);
    asymmetric[1]! += 1e-6; // far above √ε relative
    for (const [name, solve] of [
      ['cgSolve', cgSolve],
      ['minresSolve', minresSolve],
      ['neumannSolve', neumannSolve],
      ['choleskySolve', choleskySolve],
    ] as const) {
      expect(() => solve(asymmetric, b)).toThrow(new RegExp(`^${name}: H must be symmetric, but H\\[0, 1\\]`));
    }
    // …and the tensor form as well
    const tensor = { shape: [n, n], toArray: () => Float64Array.from(asymmetric) };
    expect(() => cgSolve(tensor, b)).toThrow(/must be symmetric/);
    // a dense preconditioner too
    expect(() =>
      cgSolve(h, b, { preconditioner: { shape: [n, n], toArray: () => Float64Array.from(asymmetric) } }),
    ).toThrow(/preconditioner must be symmetric/);
  });

  it('options are read once, strictly: unknown keys, null, strings and arrays are refused', () => {
    expect(() => cgSolve(h, b, { tolerence: 1e-8 } as never)).toThrow(
      /^cgSolve: unknown option 'tolerence'; did you mean 'tolerance'\?/,
    );
    expect(() => minresSolve(h, b, { maxIteration: 3 } as never)).toThrow(/did you mean 'maxIterations'/);
    expect(() => cgSolve(h, b, null as never)).toThrow(/^cgSolve: options must be an object/);
    expect(() => cgSolve(h, b, 'fast' as never)).toThrow(/'fast' \(a string\)/);
    expect(() => cgSolve(h, b, [] as never)).toThrow(/an array of length 0/);
    expect(() => cgSolve(h, b, { tolerance: '1e-8' } as never)).toThrow(/pass the number 1e-8, not a string/);
    expect(() => cgSolve(h, b, { preconditioner: 'jacoby' } as never)).toThrow(/did you mean 'jacobi'\?/);
    expect(() => cgSolve(h, b, { preconditioner: [1, 1, 1, 1] } as never)).toThrow(
      /new Float64Array\(preconditioner\)/,
    );
    expect(() => cgSolve(h, b, { preconditioner: new Float64Array([1, Number.NaN, 1, 1]) })).toThrow(NonFiniteError);
    expect(() => cgSolve(h, b, { signal: true } as never)).toThrow(/^cgSolve: signal must be an AbortSignal/);
    expect(() => (cgSolve as (...a: unknown[]) => unknown)(h, b, {}, 'extra')).toThrow(
      /^cgSolve: takes at most 3 arguments, got 4/,
    );
  });

  it('a diagonal preconditioner is copied at entry', () => {
    const d = Float64Array.from({ length: n }, (_, i) => h[i * n + i]!);
    const first = cgSolve(h, b, { preconditioner: d });
    d.fill(1e300);
    expect(
      Array.from(cgSolve(h, b, { preconditioner: Float64Array.from({ length: n }, (_, i) => h[i * n + i]!) }).x),
    ).toEqual(Array.from(first.x));
  });
});

describe('solver input errors', () => {
  const h = new Float64Array([2, 0, 0, 3]);
  const b = new Float64Array([1, 1]);
  const solvers = {
    cgSolve: (H: Float64Array | LinearOperator, rhs: Float64Array, o: object = {}) => cgSolve(H, rhs, o),
    minresSolve: (H: Float64Array | LinearOperator, rhs: Float64Array, o: object = {}) => minresSolve(H, rhs, o),
    choleskySolve: (H: Float64Array | LinearOperator, rhs: Float64Array, o: object = {}) => choleskySolve(H, rhs, o),
  };
  for (const [name, solve] of Object.entries(solvers)) {
    it(`${name}: non-square matrix, size mismatch, non-finite b, negative damping`, () => {
      expect(() => solve(new Float64Array(6), new Float64Array(2))).toThrow(ShapeError);
      expect(() => solve(new Float64Array(6), new Float64Array(2))).toThrow(new RegExp(`^${name}: .*square`));
      expect(() => solve(h, new Float64Array(3))).toThrow(ShapeError);
      expect(() => solve(h, new Float64Array([1, Number.NaN]))).toThrow(NonFiniteError);
      expect(() => solve(h, b, { damping: -1 })).toThrow(InvalidArgumentError);
      expect(() => solve(h, b, { damping: Number.NaN })).toThrow(InvalidArgumentError);
    });
  }
  it('iterative options: tolerance ≤ 0, maxIterations ≤ 0, bad x0', () => {
    for (const solve of [cgSolve, minresSolve]) {
      expect(() => solve(h, b, { tolerance: 0 })).toThrow(InvalidArgumentError);
      expect(() => solve(h, b, { maxIterations: 0 })).toThrow(InvalidArgumentError);
      expect(() => solve(h, b, { maxIterations: 1.5 })).toThrow(InvalidArgumentError);
      expect(() => solve(h, b, { x0: new Float64Array(3) })).toThrow(ShapeError);
      expect(() => solve(h, b, { x0: new Float64Array([0, Number.POSITIVE_INFINITY]) })).toThrow(NonFiniteError);
    }
  });
  it('cgSolve preconditioner errors: no diagonal, wrong length, non-positive entries', () => {
    const bare: LinearOperator = { size: 2, apply: (v) => v.map((x, i) => (i + 2) * x) };
    expect(() => cgSolve(bare, b, { preconditioner: 'jacobi' })).toThrow(/cgSolve: .*diagonal.*Float64Array/);
    expect(() => cgSolve(h, b, { preconditioner: new Float64Array(3) })).toThrow(ShapeError);
    expect(() => cgSolve(h, b, { preconditioner: new Float64Array([1, -1]) })).toThrow(NotPositiveDefiniteError);
    expect(() => cgSolve(h, b, { preconditioner: denseOperator(new Float64Array([-1, 0, 0, -1])) })).toThrow(
      NotPositiveDefiniteError,
    );
  });
  it('an operator that returns NaN or the wrong length is reported, not propagated', () => {
    const nan: LinearOperator = { size: 2, apply: () => new Float64Array([Number.NaN, 0]) };
    const short: LinearOperator = { size: 2, apply: () => new Float64Array(1) };
    expect(() => cgSolve(nan, b)).toThrow(NonFiniteError);
    expect(() => minresSolve(nan, b)).toThrow(NonFiniteError);
    expect(() => choleskySolve(nan, b)).toThrow(NonFiniteError);
    expect(() => cgSolve(short, b)).toThrow(ShapeError);
  });
});

/** The first m iterates of textbook CG from x₀ = 0, written out here so the solver is not checked against itself. */
function plainCgIterates(h: Float64Array, n: number, b: Float64Array, m: number): Float64Array[] {
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  const iterates: Float64Array[] = [];
  for (let k = 0; k < m; k++) {
    const q = gemv(h, n, n, p);
    const alpha = rr / dot(p, q);
    axpy(alpha, p, x, x);
    axpy(-alpha, q, r, r);
    const next = dot(r, r);
    axpy(next / rr, p, r, p);
    rr = next;
    iterates.push(Float64Array.from(x));
  }
  return iterates;
}

function choleskyInverse(h: Float64Array, n: number): Float64Array {
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const column = choleskySolve(h, e).x;
    for (let i = 0; i < n; i++) inv[i * n + j] = column[i]!;
  }
  return symmetrize(inv, n);
}
