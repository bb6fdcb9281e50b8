/**
 * The Neumann-series solver for (H + λI)x = b — the inverse-Hessian-vector product of influence functions.
 *
 * With A = (H + λI)/s, the inverse is the Neumann series A⁻¹ = Σₖ (I − A)ᵏ, which converges iff
 * the spectral radius ρ(I − A) = maxᵢ |1 − μᵢ/s| < 1, i.e. iff every eigenvalue μᵢ of H + λI lies
 * in (0, 2s). Truncating it gives the iteration
 *
 *     IHV₀ = b,   IHVₙ = b + (I − A)·IHVₙ₋₁   (= Σₖ₌₀ⁿ (I − A)ᵏ b),   x = IHVₙ/s,
 *
 * whose residual is b − (H + λI)x = b − A·IHVₙ = (I − A)ⁿ⁺¹ b: it shrinks by ρ per step. Since the
 * iteration computes A·IHVₙ₋₁ anyway, the residual of every iterate is free.
 *
 * Provides `neumannSolve` (defaults s = 1, λ = 0, all iterations run: the plain
 * iteration), `scale: 'auto'` (power-iteration estimate of λ_max), and a divergence guard that
 * throws DivergenceError with an estimate of ρ(I − A) and a scale that would converge. Leaves out
 * the stochastic variant (lissa.ts) and any acceleration (use cgSolve: it needs √κ iterations
 * where Neumann needs κ).
 */
import { DivergenceError } from '../../../errors.js';
import { addVectors, divideByScalar, norm2, subVectors } from '../../../linalg/index.js';
import { checkArity, checkPositiveInteger, checkSeed, readOptions } from '../../../validate.js';
import { dampedProducts, type DampedProducts, readOperator, type OperatorLike } from '../linear-operator.js';
import { dominantEigenvalue } from './power-estimate.js';
import { zeroRightHandSide, type SolveResult } from './result.js';
import {
  SYMMETRY_ADVICE,
  readDamping,
  readRightHandSide,
  readScale,
  readSignal,
  readTolerance,
  type AbortFlag,
} from './inputs.js';

/** Options of `neumannSolve`. */
export interface NeumannOptions {
  /** Number of Neumann steps n (default 100). All run unless `tolerance` is given. */
  iterations?: number;
  /**
   * Stop as soon as the relative residual ‖b − (H + λI)x‖/‖b‖ ≤ tolerance. Without it every
   * step runs and `converged` is false: convergence was not tested.
   */
  tolerance?: number;
  /**
   * The scale s (default 1, the plain iteration). Must exceed λ_max(H + λI)/2 for the
   * series to converge. `'auto'` estimates λ_max by power iteration and uses s = 1.1·λ_max.
   */
  scale?: number | 'auto';
  /** λ ≥ 0 in (H + λI)x = b (default 0). */
  damping?: number;
  /** Test the tolerance and poll `signal` every this many steps (default 1). The residual is recorded and the divergence guard runs every step: both are free. */
  checkEvery?: number;
  /** Polled between steps; when it is aborted the solver returns its best iterate with reason 'aborted'. */
  signal?: AbortFlag;
  /** Seed of the random start vector of the 'auto' power iteration (default 0). */
  seed?: number;
}

/** The result of `neumannSolve`: a SolveResult plus the scale s actually used. */
export interface NeumannResult extends SolveResult {
  scale: number;
}

/**
 * Relative residual above which the iteration is declared divergent. For a symmetric H with
 * ρ(I − A) < 1 the residual (I − A)ⁿ⁺¹b never exceeds ‖b‖, so any relative residual above 1 is
 * already growth; 1e4 leaves room for an operator that is symmetric only up to rounding.
 */
const DIVERGENCE_THRESHOLD = 1e4;

/** Safety margin over the power-iteration estimate: eigenvalues of A end up in (0, 1/1.1]. */
const AUTO_SCALE_MARGIN = 1.1;

/**
 * Solves (H + λI)x = b by the Neumann series of A = (H + λI)/s (see the module comment).
 * Converges iff all eigenvalues of H + λI lie in (0, 2s); if the smallest is ≤ 0 no scale helps:
 * add damping or use `minresSolve`. Throws DivergenceError (never returns NaN) when the residual
 * grows past 1e4·‖b‖, becomes non-finite, or ends above ‖b‖ and still growing.
 *
 * Every iterate's residual is measured for free, so the iterate returned is the one with the
 * lowest residual (the last one whenever the series converges). Without `tolerance`, all
 * iterations run and converged is false, reason 'no tolerance given…'. A dense H must be
 * symmetric; b = 0 returns x = 0 (converged: true: it is exact).
 *
 * @example
 * const H = new Float64Array([0.5, 0.1, 0.1, 0.3]);
 * const { x, residualNorms } = neumannSolve(H, new Float64Array([1, 1]), { iterations: 200 });
 * // x ≈ H⁻¹b; residualNorms shrink by ρ(I − H) ≈ 0.74 per step
 * neumannSolve(new Float64Array([30, 0, 0, 1]), new Float64Array([1, 1]), { scale: 'auto', tolerance: 1e-10 });
 */
export function neumannSolve(H: OperatorLike, b: Float64Array, options?: NeumannOptions): NeumannResult {
  const fn = 'neumannSolve';
  checkArity(fn, arguments.length, 3);
  const op = readOperator(fn, 'H', H, { symmetric: SYMMETRY_ADVICE });
  const rhs = readRightHandSide(fn, b, op.size);
  const settings = readNeumannOptions(fn, options);
  const damped = dampedProducts(op, settings.damping);
  const s = settings.scale === 'auto' ? autoScale(fn, damped, op.size, settings.seed) : settings.scale;
  const bNorm = norm2(rhs);
  if (bNorm === 0) return { ...zeroRightHandSide(op.size), operatorApplications: damped.count, scale: s };
  // A·v = (H + λI)v/s
  const applyA = (v: Float64Array, where: string): Float64Array => {
    const out = damped.apply(v, where); // fresh, so divided in place
    return divideByScalar(out, s, out);
  };
  const { iterations, tolerance, checkEvery, signal } = settings;
  const run: NeumannRun = {
    s,
    damped,
    residualNorms: [],
    step: 0,
    best: { ihv: rhs, residual: Number.POSITIVE_INFINITY, step: 0 },
  };
  let ihv: Float64Array = Float64Array.from(rhs); // IHV₀ = b
  while (true) {
    // r = b − A·IHV, the residual of x = IHV/s (A·IHV is computed anyway, so it is free)
    const r = applyA(ihv, `at step ${run.step}`);
    subVectors(rhs, r, r);
    const relative = norm2(r) / bNorm;
    run.residualNorms.push(relative);
    const diverged = () => diagnoseDivergence(fn, applyA, op.size, s, settings.damping, run.step, r, run.residualNorms);
    if (!Number.isFinite(relative) || relative > DIVERGENCE_THRESHOLD) throw diverged();
    // IHV arrays are never written once made (each step writes the next IHV into a fresh array), so keeping a reference is enough.
    if (relative < run.best.residual) run.best = { ihv, residual: relative, step: run.step };
    const checkNow = run.step % checkEvery === 0 || run.step === iterations;
    if (checkNow && tolerance !== undefined && relative <= tolerance)
      return finishNeumann(run, true, 'tolerance reached');
    if (run.step === iterations) {
      // The residual ended worse than x = 0 (relative residual 1) and is still growing.
      const previous = run.residualNorms[run.residualNorms.length - 2];
      if (relative > 1 && previous !== undefined && relative > previous) throw diverged();
      return finishNeumann(run, false, limitReason(settings, run.best.residual));
    }
    if (checkNow && signal?.aborted === true) return finishNeumann(run, false, 'aborted');
    // IHVₙ = b + (I − A)·IHVₙ₋₁ = IHVₙ₋₁ + (b − A·IHVₙ₋₁) = IHVₙ₋₁ + r
    ihv = addVectors(ihv, r, r); // r is this step's own array, so it can hold the new IHV
    run.step++;
  }
}

interface NeumannSettings {
  iterations: number;
  tolerance: number | undefined;
  scale: number | 'auto';
  damping: number;
  checkEvery: number;
  signal: AbortFlag | undefined;
  seed: number;
}

function readNeumannOptions(fn: string, options: NeumannOptions | undefined): NeumannSettings {
  const given = readOptions(fn, options, [
    'iterations',
    'tolerance',
    'scale',
    'damping',
    'checkEvery',
    'signal',
    'seed',
  ]);
  return {
    iterations: given.iterations === undefined ? 100 : checkPositiveInteger(fn, 'iterations', given.iterations),
    tolerance: given.tolerance === undefined ? undefined : readTolerance(fn, given.tolerance),
    scale: given.scale === undefined ? 1 : readScale(fn, given.scale),
    damping: readDamping(fn, given.damping),
    checkEvery: given.checkEvery === undefined ? 1 : checkPositiveInteger(fn, 'checkEvery', given.checkEvery),
    signal: readSignal(fn, given.signal),
    seed: given.seed === undefined ? 0 : checkSeed(fn, given.seed),
  };
}

/** A Neumann run: its history, the updates applied so far, and the iterate with the lowest residual. */
interface NeumannRun {
  readonly s: number;
  readonly damped: DampedProducts;
  readonly residualNorms: number[];
  /** Updates applied to IHV. */
  step: number;
  best: { ihv: Float64Array; residual: number; step: number };
}

function finishNeumann(run: NeumannRun, converged: boolean, reason: string): NeumannResult {
  const { best, residualNorms, step, s } = run;
  residualNorms[residualNorms.length - 1] = best.residual; // the last entry belongs to the returned x
  const which = best.step === step ? '' : `; x is iterate ${best.step}, the one with the lowest residual`;
  return {
    x: divideByScalar(best.ihv, s), // x = IHV/s
    iterations: step,
    residualNorms,
    converged,
    reason: `${reason}${which}`,
    operatorApplications: run.damped.count,
    scale: s,
  };
}

/** Why a run that used every iteration stopped. */
function limitReason({ tolerance, iterations }: NeumannSettings, best: number): string {
  if (tolerance !== undefined)
    return `iteration limit: the relative residual is ${best.toPrecision(3)} > tolerance after ${iterations} iterations`;
  return `no tolerance given: ran all ${iterations} iterations, so convergence was not tested (the final relative residual is ${best.toPrecision(3)}; pass { tolerance } to test it)`;
}

/**
 * s = 1.1·λ̂ where λ̂ is a 50-step power-iteration estimate of the dominant eigenvalue of H + λI.
 * The Rayleigh quotient approaches λ_max from below, and the series converges for any
 * s > λ_max/2, so the 1.1 margin tolerates an underestimate by a factor of up to 2.2. A dominant
 * eigenvalue ≤ 0 means H + λI is not positive definite: no scale can help.
 */
function autoScale(fn: string, damped: DampedProducts, n: number, seed: number): number {
  const { value } = dominantEigenvalue((v) => damped.apply(v, "while estimating the scale ('auto')"), n, {
    iterations: 50,
    seed,
  });
  if (!(value > 0)) {
    throw new DivergenceError(
      fn,
      `scale 'auto': the dominant eigenvalue of H + λI is ≈ ${value.toPrecision(4)} ≤ 0, so no scale s makes the ` +
        `Neumann series converge (it needs every eigenvalue in (0, 2s)); add damping larger than ${(-value).toPrecision(4)} or use minresSolve`,
      { iteration: 0, spectralRadius: Number.POSITIVE_INFINITY },
    );
  }
  return AUTO_SCALE_MARGIN * value;
}

/**
 * Builds the DivergenceError. The residual after n steps is (I − A)ⁿ⁺¹b, so it is already close
 * to the eigenvector of I − A with the largest |eigenvalue| θ; 30 power steps from it give θ with
 * its sign. θ < −1 means an eigenvalue μ = s(1 − θ) > 2s of H + λI (scale too small: suggest
 * 1.1·μ); θ > 1 means μ < 0 (nothing but damping or an indefinite solver helps).
 */
function diagnoseDivergence(
  fn: string,
  applyA: (v: Float64Array, where: string) => Float64Array,
  n: number,
  s: number,
  damping: number,
  iteration: number,
  residual: Float64Array,
  history: readonly number[],
): DivergenceError {
  const growth = growthRatio(history);
  const iMinusA = (v: Float64Array): Float64Array => {
    const av = applyA(v, 'while estimating the spectral radius'); // fresh, so it can take the result
    return subVectors(v, av, av);
  };
  const { value: theta } = dominantEigenvalue(iMinusA, n, { iterations: 30, relativeChange: 0, start: residual });
  const last = history[history.length - 1]!;
  const where = `at step ${iteration} the relative residual reached ${last.toPrecision(3)}`;
  if (theta < -1) {
    const mu = s * (1 - theta); // θ = 1 − μ/s
    const suggestedScale = AUTO_SCALE_MARGIN * mu;
    return new DivergenceError(
      fn,
      `diverging: ${where}; the spectral radius of I − (H + λI)/s is ≈ ${(-theta).toPrecision(4)} ≥ 1 because H + λI has an ` +
        `eigenvalue ≈ ${mu.toPrecision(4)} > 2s = ${(2 * s).toPrecision(4)}; use scale ≥ ${suggestedScale.toPrecision(4)} (or scale: 'auto')`,
      { iteration, spectralRadius: -theta, suggestedScale },
    );
  }
  if (theta > 1) {
    const mu = s * (1 - theta);
    return new DivergenceError(
      fn,
      `diverging: ${where}; the spectral radius of I − (H + λI)/s is ≈ ${theta.toPrecision(4)} ≥ 1 because H + λI has a ` +
        `negative eigenvalue ≈ ${mu.toPrecision(4)} (λ = ${damping}); no scale helps: add damping larger than ${(-mu).toPrecision(4)} or use minresSolve`,
      { iteration, spectralRadius: theta },
    );
  }
  // Inconclusive estimate (non-symmetric operator?): fall back on the observed growth per step,
  // assuming the growth comes from an eigenvalue μ = s(1 + ρ) above 2s.
  const rho = Math.max(growth, 1);
  const suggestedScale = AUTO_SCALE_MARGIN * s * (1 + rho);
  return new DivergenceError(
    fn,
    `diverging: ${where}; the residual grows by ≈ ${growth.toPrecision(4)} per step, so the spectral radius of I − (H + λI)/s is ≥ 1; ` +
      `try scale ≥ ${suggestedScale.toPrecision(4)} (or scale: 'auto'), more damping, or cgSolve/minresSolve`,
    { iteration, spectralRadius: rho, suggestedScale },
  );
}

/**
 * Geometric-mean growth of the residual over the last ≤ 10 finite steps: (rₖ/rₖ₋ₘ)^(1/m), the
 * observed per-step factor that approaches ρ(I − A) when the iteration diverges.
 *
 * @example
 * growthRatio([1, 2, 4, 8]); // → 2
 */
export function growthRatio(history: readonly number[]): number {
  const finite = history.filter((value) => Number.isFinite(value) && value > 0);
  const m = Math.min(10, finite.length - 1);
  if (m < 1) return Number.POSITIVE_INFINITY;
  return (finite[finite.length - 1]! / finite[finite.length - 1 - m]!) ** (1 / m);
}
