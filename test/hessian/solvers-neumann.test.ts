/**
 * neumannSolve and lissa against dense linear algebra.
 *
 * The maths being checked: with A = (H + λI)/s, the Neumann error after n steps is
 * s·x* − IHVₙ = (I − A)ⁿ⁺¹·A⁻¹b, so for a symmetric H every step shrinks it by at most
 * ρ = maxᵢ|1 − μᵢ/s| and, once the dominant eigencomponent takes over, by exactly ρ.
 */
import { describe, expect, it } from 'vitest';
import { DivergenceError, InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import { gemv, norm2 } from '../../src/linalg/index.js';
import { createRandom } from '../../src/linalg/random.js';
import {
  choleskySolve,
  countingOperator,
  denseOperator,
  lissa,
  neumannSolve,
  type LinearOperator,
} from '../../src/hessian/linear/index.js';
import { EPS, withSpectrum } from '../support/numeric.js';

/** n eigenvalues evenly spaced in [low, high]. */
function evenly(n: number, low: number, high: number): number[] {
  return Array.from({ length: n }, (_, k) => low + ((high - low) * k) / (n - 1));
}

function relativeError(x: Float64Array, reference: Float64Array): number {
  return norm2(x.map((v, i) => v - reference[i]!)) / norm2(reference);
}

function trueRelativeResidual(h: Float64Array, n: number, x: Float64Array, b: Float64Array, damping = 0): number {
  const hx = gemv(h, n, n, x);
  return norm2(b.map((bi, i) => bi - hx[i]! - damping * x[i]!)) / norm2(b);
}

describe('neumannSolve', () => {
  it('is the seed iteration by default: s = 1, no damping, every iteration run', () => {
    const n = 6;
    const h = withSpectrum(evenly(n, 0.3, 1.2), 1);
    const b = createRandom(2).normals(n);
    const op = countingOperator(h);
    const result = neumannSolve(op, b, { iterations: 40 });
    expect(result.scale).toBe(1);
    expect(result.iterations).toBe(40);
    // without a tolerance nothing was tested: converged is false, and the reason says why
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^no tolerance given: ran all 40 iterations, so convergence was not tested/);
    // one product per step to form (I − A)·IHV, plus one for the residual of the last iterate
    expect(result.operatorApplications).toBe(41);
    expect(op.applications).toBe(41);
    expect(result.residualNorms).toHaveLength(41);
    expect(result.residualNorms[0]).toBeCloseTo(trueRelativeResidual(h, n, b, b), 14); // x₀ = IHV₀/s = b
    // Replay the seed's loop literally: IHV = b + IHV − H·IHV.
    let ihv = Float64Array.from(b);
    for (let k = 0; k < 40; k++) {
      const hv = gemv(h, n, n, ihv);
      ihv = ihv.map((v, i) => b[i]! + v - hv[i]!);
    }
    expect(relativeError(result.x, ihv)).toBeLessThan(100 * EPS);
    expect(result.residualNorms.at(-1)!).toBeCloseTo(trueRelativeResidual(h, n, result.x, b), 12);
  });

  it('never claims convergence it did not test, however small the residual', () => {
    // A final residual that happens to be tiny is not a test that was asked for.
    const n = 4;
    const h = withSpectrum([0.9, 1, 1.05, 1.1], 15); // ρ(I − H) = 0.1: 200 steps reach rounding
    const b = createRandom(16).normals(n);
    const result = neumannSolve(h, b, { iterations: 200 });
    expect(result.residualNorms.at(-1)!).toBeLessThan(1e-14);
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/no tolerance given.*pass \{ tolerance \}/);
    expect(neumannSolve(h, b, { iterations: 200, tolerance: 1e-12 }).converged).toBe(true);
  });

  it('returns the iterate with the lowest residual when the residual is not monotone', () => {
    // H = I − M with M = [[0, 2], [−0.3, 0]] (an operator: no symmetry to check). M² = −0.6·I, so
    // the residuals Mᵏ⁺¹b of b = e₁ alternate: 0.3, 0.6, 0.18, 0.36. The last iterate
    // (residual 0.36) is not the best one (0.18).
    const H: LinearOperator = { size: 2, apply: (v) => new Float64Array([v[0]! - 2 * v[1]!, 0.3 * v[0]! + v[1]!]) };
    const b = new Float64Array([1, 0]);
    const result = neumannSolve(H, b, { iterations: 3 });
    expect(result.residualNorms.slice(0, 3).map((r) => Math.round(r * 1e12) / 1e12)).toEqual([0.3, 0.6, 0.18]);
    const hx = H.apply(result.x);
    const residual = Math.hypot(b[0]! - hx[0]!, b[1]! - hx[1]!);
    expect(residual).toBeCloseTo(0.18, 14);
    expect(result.residualNorms.at(-1)!).toBeCloseTo(residual, 14);
    expect(result.iterations).toBe(3);
    expect(result.reason).toMatch(/x is iterate 2, the one with the lowest residual/);
  });

  it('stops at the tolerance with the free residual, and converges when eig((H+λI)/s) ⊂ (0, 2)', () => {
    const n = 10;
    const h = withSpectrum(evenly(n, 0.2, 3), 3);
    const b = createRandom(4).normals(n);
    const tolerance = 1e-10;
    const damping = 0.1;
    const result = neumannSolve(h, b, { iterations: 10_000, tolerance, scale: 2, damping });
    expect(result.converged).toBe(true);
    expect(result.reason).toBe('tolerance reached');
    expect(result.iterations).toBeLessThan(10_000);
    // the last residual in the history is the true residual of the returned x
    expect(trueRelativeResidual(h, n, result.x, b, damping)).toBeLessThanOrEqual(tolerance * (1 + 1e-6));
    expect(result.operatorApplications).toBe(result.iterations + 1);
    const kappa = 3.1 / 0.3;
    expect(relativeError(result.x, choleskySolve(h, b, { damping }).x)).toBeLessThanOrEqual(
      kappa * tolerance + n * kappa * EPS,
    );
  });

  it('contracts the error at the rate the spectral radius predicts', () => {
    const n = 10;
    const eigenvalues = evenly(n, 0.1, 1.5);
    const s = 1;
    const rho = Math.max(...eigenvalues.map((mu) => Math.abs(1 - mu / s))); // 0.9, from λ_min
    const h = withSpectrum(eigenvalues, 5);
    const b = createRandom(6).normals(n);
    const exact = choleskySolve(h, b).x;
    const errors = [20, 21, 60, 61, 120, 121].map((iterations) =>
      relativeError(neumannSolve(h, b, { iterations, scale: s }).x, exact),
    );
    const ratios = [errors[1]! / errors[0]!, errors[3]! / errors[2]!, errors[5]! / errors[4]!];
    // ‖(I − A)y‖ ≤ ρ‖y‖ for symmetric I − A: every step multiplies the error by at most ρ.
    // The smallest error measured (≈ 0.9¹²² ≈ 3e-6) sits far above the reference's own error
    // (≤ n·κ·ε ≈ 3e-14), which perturbs a ratio by ≤ 2·3e-14/3e-6 ≈ 2e-8: allow 1e-7.
    for (const ratio of ratios) expect(ratio).toBeLessThanOrEqual(rho * (1 + 1e-7));
    // The next-largest |1 − μ/s| is 0.744, so after k steps the ratio is within about
    // (0.744/0.9)²ᵏ of ρ: by k = 120 the two agree to ~1e-10 (plus the 2e-8 above); at k = 20, to ~1%.
    expect(ratios[2]!).toBeGreaterThan(rho * (1 - 1e-7));
    expect(ratios[0]!).toBeGreaterThan(rho * 0.98);
    // the residual history contracts at the same rate
    const history = neumannSolve(h, b, { iterations: 121 }).residualNorms;
    expect(history[121]! / history[120]!).toBeCloseTo(rho, 8);
  });

  it("scale 'auto' converges where a fixed small scale diverges — and the divergence is an error, not NaN", () => {
    const n = 12;
    const h = withSpectrum(evenly(n, 0.5, 5), 7); // λ_max = 5 > 2·1: s = 1 diverges with ρ = 4
    const b = createRandom(8).normals(n);
    let caught: unknown;
    try {
      neumannSolve(h, b, { iterations: 1000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    const error = caught as DivergenceError;
    expect(error.message).toMatch(/^neumannSolve: diverging/);
    // ρ(I − H) = 5 − 1 = 4, the next |1 − μ| is 3.59: after the ~7 diverging steps and 30
    // power steps the Rayleigh quotient is off by about (3.59/4)^(2·37) ≈ 4e-4 relative.
    expect(error.spectralRadius!).toBeGreaterThanOrEqual(1);
    expect(Math.abs(error.spectralRadius! - 4)).toBeLessThan(4 * 4e-3);
    expect(error.iteration).toBeLessThan(20); // 4ⁿ passes 1e4 after ~7 steps: no long hang
    expect(error.suggestedScale!).toBeGreaterThan(2.5); // any s > λ_max/2 converges

    const tolerance = 1e-10;
    const reference = choleskySolve(h, b).x;
    const suggested = neumannSolve(h, b, { iterations: 5000, tolerance, scale: error.suggestedScale! });
    expect(suggested.converged).toBe(true);
    const auto = neumannSolve(h, b, { iterations: 5000, tolerance, scale: 'auto' });
    expect(auto.converged).toBe(true);
    // s = 1.1·λ̂_max, and the power estimate λ̂ is within a few % of λ_max = 5
    expect(auto.scale).toBeGreaterThan(1.1 * 5 * 0.95);
    expect(auto.scale).toBeLessThanOrEqual(1.1 * 5 * (1 + 1e-12));
    const kappa = 10;
    expect(relativeError(auto.x, reference)).toBeLessThanOrEqual(kappa * tolerance + n * kappa * EPS);
    // the auto-scale power iteration is counted
    expect(auto.operatorApplications).toBeGreaterThan(auto.iterations + 1);
  });

  it('a negative eigenvalue: DivergenceError says no scale helps; damping does', () => {
    const n = 8;
    const h = withSpectrum([...evenly(n - 1, 0.5, 1.5), -0.3], 9);
    const b = createRandom(10).normals(n);
    let caught: unknown;
    try {
      neumannSolve(h, b, { iterations: 2000 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    const error = caught as DivergenceError;
    expect(error.spectralRadius!).toBeCloseTo(1.3, 6); // |1 − (−0.3)/1|
    expect(error.suggestedScale).toBeUndefined();
    expect(error.message).toMatch(/negative eigenvalue.*damping.*minresSolve/);
    expect(() => neumannSolve(h, b, { scale: 'auto' })).toThrow(DivergenceError);
    // H + 0.5I has eigenvalues in [0.2, 2]: s = 1.5 puts them in (0, 2s) with ρ = 1 − 0.2/1.5.
    expect(neumannSolve(h, b, { iterations: 3000, damping: 0.5, scale: 1.5, tolerance: 1e-8 }).converged).toBe(true);
  });

  it('slow divergence that ends worse than x = 0 still throws at the last iteration', () => {
    const n = 4;
    const h = withSpectrum([0.5, 1, 1.5, 2.02], 11); // ρ = 1.02 from μ = 2.02
    const b = createRandom(12).normals(n);
    expect(() => neumannSolve(h, b, { iterations: 300 })).toThrow(DivergenceError);
  });

  it('returns converged: false at the iteration limit with a tolerance; aborts on the signal', () => {
    const n = 6;
    const h = withSpectrum(evenly(n, 0.01, 1), 13);
    const b = createRandom(14).normals(n);
    const result = neumannSolve(h, b, { iterations: 10, tolerance: 1e-10 });
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^iteration limit/);
    const aborted = neumannSolve(h, b, { iterations: 10, signal: { aborted: true } });
    expect(aborted.reason).toBe('aborted');
    expect(aborted.iterations).toBe(0);
  });

  it('returns x = 0 for b = 0 and never mutates b', () => {
    const h = new Float64Array([1, 0, 0, 1]);
    expect(neumannSolve(h, new Float64Array(2)).reason).toBe('zero right-hand side');
    expect(neumannSolve(h, new Float64Array(2)).converged).toBe(true); // exact, so nothing to test
    const b = new Float64Array([1, 2]);
    neumannSolve(h, b);
    expect(Array.from(b)).toEqual([1, 2]);
  });

  it('input errors name the function and the option', () => {
    const h = new Float64Array([1, 0, 0, 1]);
    const b = new Float64Array([1, 1]);
    expect(() => neumannSolve(new Float64Array(3), b)).toThrow(ShapeError);
    expect(() => neumannSolve(h, new Float64Array(3))).toThrow(ShapeError);
    expect(() => neumannSolve(h, new Float64Array([Number.NaN, 0]))).toThrow(NonFiniteError);
    expect(() => neumannSolve(h, b, { iterations: 0 })).toThrow(
      /^neumannSolve: iterations must be an integer ≥ 1, got 0/,
    );
    expect(() => neumannSolve(h, b, { iterations: -3 })).toThrow(InvalidArgumentError);
    expect(() => neumannSolve(h, b, { damping: -0.1 })).toThrow(/neumannSolve: damping/);
    expect(() => neumannSolve(h, b, { scale: 0 })).toThrow(/neumannSolve: scale/);
    expect(() => neumannSolve(h, b, { scale: 'aut' as never })).toThrow(
      /^neumannSolve: scale must be a finite number > 0 or 'auto', got 'aut' \(a string\); did you mean 'auto'\?/,
    );
    expect(() => neumannSolve(h, b, { iteration: 5 } as never)).toThrow(
      /unknown option 'iteration'; did you mean 'iterations'\?/,
    );
    expect(() => neumannSolve(h, b, { seed: Number.NaN })).toThrow(InvalidArgumentError);
    expect(() => neumannSolve(h, b, { tolerance: -1 })).toThrow(InvalidArgumentError);
    expect(() => neumannSolve(h, b, { checkEvery: 0 })).toThrow(InvalidArgumentError);
    const nan: LinearOperator = { size: 2, apply: () => new Float64Array([Number.NaN, 1]) };
    expect(() => neumannSolve(nan, b)).toThrow(NonFiniteError);
  });
});

describe('lissa', () => {
  // H = (1/N)·Σᵢ xᵢxᵢᵀ + 0.5·I: a sum over "examples", so minibatches are sub-sums.
  const n = 5;
  const N = 200;
  const rows = createRandom(20).normals(N * n);
  const rowHessian = (indices: ArrayLike<number>): Float64Array => {
    const h = new Float64Array(n * n);
    for (let t = 0; t < indices.length; t++) {
      const r = indices[t]!;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) h[i * n + j]! += (rows[r * n + i]! * rows[r * n + j]!) / indices.length;
    }
    for (let i = 0; i < n; i++) h[i * n + i]! += 0.5;
    return h;
  };
  const full = rowHessian(Array.from({ length: N }, (_, i) => i));
  const b = createRandom(21).normals(n);
  const exact = choleskySolve(full, b).x;

  it('with the full-batch operator it is neumannSolve', () => {
    const viaLissa = lissa(() => full, b, { depth: 200, scale: 3 });
    const viaNeumann = neumannSolve(full, b, { iterations: 200, scale: 3 });
    expect(relativeError(viaLissa.x, viaNeumann.x)).toBeLessThan(100 * EPS);
    // one residual per iterate IHV₀ … IHV₂₀₀, the last measured on one more (here: the full) batch
    expect(viaLissa.residualNorms).toHaveLength(201);
    for (let j = 0; j <= 200; j++) expect(viaLissa.residualNorms[j]!).toBeCloseTo(viaNeumann.residualNorms[j]!, 12);
    expect(viaLissa.operatorApplications).toBe(201);
    expect(viaLissa.standardError).toBeUndefined();
    const stopped = lissa(() => full, b, { depth: 5000, scale: 3, tolerance: 1e-10 });
    expect(stopped.converged).toBe(true);
    expect(stopped.iterations).toBeLessThan(5000);
    expect(stopped.reason).toMatch(/^tolerance reached by the minibatch residual/);
    // the iterate returned is the one whose residual met the tolerance
    expect(trueRelativeResidual(full, n, stopped.x, b)).toBeLessThanOrEqual(1e-10);
  });

  it('without a tolerance it never claims convergence, and says its residuals are minibatch residuals', () => {
    // Every residual stays at 0.707 (s = 1 puts the eigenvalue 2 on the edge of convergence:
    // |1 − 2/1| = 1): nothing converged, and no tolerance was given to say otherwise.
    const h = new Float64Array([2, 0, 0, 1]);
    const rhs = new Float64Array([1, 1]);
    const result = lissa(() => h, rhs, { depth: 3 });
    expect(result.residualNorms.every((r) => Math.abs(r - Math.SQRT1_2) < 1e-15)).toBe(true);
    expect(result.converged).toBe(false);
    expect(result.reason).toMatch(/^no tolerance given: .*not tested.*minibatch residuals/);
    // the last entry belongs to the returned x (full batch here, so it is its true residual)
    expect(result.residualNorms.at(-1)!).toBeCloseTo(trueRelativeResidual(h, 2, result.x, rhs), 15);
  });

  it('minibatch estimates average towards (H + λI)⁻¹b, and the spread is reported', () => {
    const sample = (rng: { sampleWithoutReplacement(n: number, k: number): Int32Array }) =>
      denseOperator(rowHessian(rng.sampleWithoutReplacement(N, 20)));
    const one = lissa(sample, b, { depth: 300, repeats: 1, scale: 4, damping: 0.01, seed: 1 });
    const many = lissa(sample, b, { depth: 300, repeats: 16, scale: 4, damping: 0.01, seed: 1 });
    const reference = choleskySolve(full, b, { damping: 0.01 }).x;
    expect(many.estimates).toHaveLength(16);
    expect(many.standardError).toBeDefined();
    // Averaging 16 repeats cuts the noise by about 4: the error must shrink, and each coordinate
    // must sit within 4 standard errors (plus 1e-3 for the bias left by the finite depth: 300
    // steps at ρ ≈ 1 − 0.51/4 leave (0.87)³⁰⁰ ≈ 1e-18 — the slack is for the noisy SE itself).
    expect(relativeError(many.x, reference)).toBeLessThan(relativeError(one.x, reference));
    for (let i = 0; i < n; i++)
      expect(Math.abs(many.x[i]! - reference[i]!)).toBeLessThan(4 * many.standardError![i]! + 1e-3);
    expect(relativeError(many.x, reference)).toBeLessThan(0.1);
    // 300 minibatches per repeat, and one more for the residual of the average
    expect(many.operatorApplications).toBe(16 * 300 + 1);
    expect(many.converged).toBe(false);
    expect(many.reason).toMatch(/minibatch/);
  });

  it('is reproducible from its seed, and passes the step counter', () => {
    const steps: number[] = [];
    const sample = (rng: { integer(n: number): number }, step: number) => {
      steps.push(step);
      return rowHessian([rng.integer(N), rng.integer(N)]);
    };
    const a = lissa(sample, b, { depth: 50, repeats: 2, scale: 10, seed: 7 });
    expect(steps).toEqual(Array.from({ length: 101 }, (_, i) => i)); // 2 × 50 steps and the final residual
    const again = lissa(sample, b, { depth: 50, repeats: 2, scale: 10, seed: 7 });
    expect(Array.from(again.x)).toEqual(Array.from(a.x));
  });

  it("diverges loudly with too small a scale; 'auto' picks one that works", () => {
    const sample = (rng: { sampleWithoutReplacement(n: number, k: number): Int32Array }) =>
      rowHessian(rng.sampleWithoutReplacement(N, 20));
    let caught: unknown;
    try {
      lissa(sample, b, { depth: 500, scale: 0.5 });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DivergenceError);
    const error = caught as DivergenceError;
    expect(error.spectralRadius!).toBeGreaterThanOrEqual(1);
    expect(error.message).toMatch(/^lissa: diverging/);
    const withSuggested = lissa(sample, b, { depth: 500, scale: error.suggestedScale!, repeats: 4 });
    expect(relativeError(withSuggested.x, exact)).toBeLessThan(0.2);
    const auto = lissa(sample, b, { depth: 500, scale: 'auto', repeats: 4 });
    expect(relativeError(auto.x, exact)).toBeLessThan(0.2);
  });

  it('input errors', () => {
    expect(() => lissa(() => full, b, { depth: 0 })).toThrow(/lissa: depth/);
    expect(() => lissa(() => full, b, { repeats: 0 })).toThrow(/lissa: repeats/);
    expect(() => lissa(() => full, b, { damping: -1 })).toThrow(/lissa: damping/);
    expect(() => lissa(() => full, b, { scale: -2 })).toThrow(/lissa: scale/);
    expect(() => lissa(() => new Float64Array(9), b)).toThrow(ShapeError);
    expect(() => lissa(() => full, new Float64Array([1, 2, 3, 4, Number.POSITIVE_INFINITY]))).toThrow(NonFiniteError);
    expect(() => lissa('nope' as never, b)).toThrow(InvalidArgumentError);
    expect(() => lissa(() => full, b, { repeat: 2 } as never)).toThrow(
      /^lissa: unknown option 'repeat'; did you mean 'repeats'\?/,
    );
    expect(() => lissa(() => full, new Float64Array(0))).toThrow(/^lissa: b must not be empty/);
  });

  it('checks every sampled operator: symmetric, the right size, finite products', () => {
    const asymmetric = Float64Array.from(full);
    asymmetric[1]! += 1e-3;
    expect(() => lissa(() => asymmetric, b, { depth: 5 })).toThrow(
      /^lissa: sampleOperator\(rng, 0\) must be symmetric/,
    );
    expect(() => lissa(() => undefined as never, b, { depth: 5 })).toThrow(
      /^lissa: sampleOperator\(rng, 0\) must be a LinearOperator.*got undefined/,
    );
    let calls = 0;
    const failing = (): LinearOperator => ({
      size: n,
      apply: (v) => (calls++ < 7 ? gemv(full, n, n, v) : new Float64Array(n).fill(Number.NaN)),
    });
    expect(() => lissa(failing, b, { depth: 5, repeats: 3, scale: 3 })).toThrow(
      /^lissa: sampleOperator\(rng, 7\).apply returned NaN at index 0 at step 2 of repeat 1/,
    );
  });
});
