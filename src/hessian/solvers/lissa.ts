/**
 * LiSSA — the stochastic Neumann solver (Agarwal, Bullins & Hazan 2017; used for influence
 * functions by Koh & Liang 2017).
 *
 * Each step of the Neumann iteration uses the Hessian of a random minibatch instead of the full
 * Hessian: with Aⱼ = (Hⱼ + λI)/s,
 *
 *     IHV₀ = b,   IHVⱼ = b + (I − Aⱼ)·IHVⱼ₋₁,   estimate = IHV_depth/s,
 *
 * and because E[Hⱼ] = H the fixed point is, in expectation, s·(H + λI)⁻¹b. The estimate's noise is
 * reduced by averaging `repeats` independent runs: x = mean over repeats of IHV/s.
 *
 * Provides `lissa` with the same divergence guard as `neumannSolve`, per-repeat estimates and
 * their per-coordinate standard error. Leaves out the minibatch sampler (the caller's
 * `sampleOperator` decides what a minibatch is) and any exact residual: the recorded residuals
 * b − Aⱼ·IHVⱼ₋₁ are minibatch residuals, exact only when the sampler returns the full Hessian.
 */
import { DivergenceError, InvalidArgumentError, NonFiniteError } from '../../errors.js';
import { addVectors, divideByScalar, dot, indexOfNonFinite, norm2, subVectors } from '../../linalg/index.js';
import { createRandom, type RandomSource } from '../../linalg/random.js';
import { toOperator, type OperatorLike } from '../linear-operator.js';
import { growthRatio } from './neumann.js';
import {
  applyDamped,
  checkDamping,
  checkPositiveInteger,
  checkRightHandSide,
  checkTolerance,
  zeroRightHandSide,
  type AbortFlag,
  type SolveResult,
} from './result.js';

/** Options of `lissa`. */
export interface LissaOptions {
  /** Neumann steps per repeat, one minibatch each (default 1000). */
  depth?: number;
  /** Independent runs averaged (default 1). */
  repeats?: number;
  /**
   * The scale s (default 1). Every minibatch Hessian Hⱼ + λI should have its eigenvalues in
   * (0, 2s); Koh & Liang use s of the order of 10–25 for neural networks. `'auto'` runs 50 power
   * steps, each on a fresh minibatch, and uses 1.1 × the largest Rayleigh quotient seen.
   */
  scale?: number | 'auto';
  /** λ ≥ 0 (default 0). */
  damping?: number;
  /** Seed of the random source handed to `sampleOperator` (default 0). */
  seed?: number;
  /**
   * Stop a repeat once the minibatch relative residual ‖b − Aⱼ·IHVⱼ₋₁·s‖/‖b‖ ≤ tolerance. With real
   * minibatches that residual plateaus at the sampling noise, so this is mostly useful with the
   * full-batch operator; otherwise rely on `depth`.
   */
  tolerance?: number;
  /** Test the tolerance and poll `signal` every this many steps (default 1); the divergence guard runs every step. */
  checkEvery?: number;
  /** Polled between steps; when aborted the current (partial) average is returned. */
  signal?: AbortFlag;
}

/** The result of `lissa`. */
export interface LissaResult extends SolveResult {
  /**
   * Minibatch relative residuals ‖b − (Hⱼ + λI)·IHVⱼ₋₁/s‖/‖b‖, averaged over repeats, one per
   * step. Exact residuals of x only when `sampleOperator` returns the full Hessian.
   */
  residualNorms: number[];
  /** Each repeat's estimate IHV_depth/s. */
  estimates: Float64Array[];
  /** Per-coordinate standard error of the mean over repeats (undefined when repeats = 1). */
  standardError: Float64Array | undefined;
  /** The scale s used. */
  scale: number;
}

/** Minibatch relative residual above which LiSSA is declared divergent. Larger than Neumann's
 * 1e4 because minibatch residuals (H − Hⱼ)(H + λI)⁻¹b carry sampling noise even at the solution. */
const DIVERGENCE_THRESHOLD = 1e6;

/**
 * Stochastic Neumann estimate of (H + λI)⁻¹b. `sampleOperator(rng, step)` returns the operator of
 * a random minibatch (a LinearOperator or a dense matrix); `step` counts from 0 across all
 * repeats. Throws DivergenceError when the iterate blows up (scale too small or an indefinite
 * minibatch Hessian) with the growth per step and a suggested scale.
 *
 * @example
 * // full-batch operator: LiSSA reduces to neumannSolve
 * const H = new Float64Array([2, 0.5, 0.5, 1]);
 * const { x } = lissa(() => H, new Float64Array([1, 1]), { depth: 300, scale: 3 });
 * // minibatches of a sum H = (1/N) Σ Hᵢ:
 * // lissa((rng) => minibatchHessian(rng.sampleWithoutReplacement(N, 32)), b, { depth: 2000, repeats: 4, scale: 10, damping: 0.01 })
 */
export function lissa(
  sampleOperator: (rng: RandomSource, step: number) => OperatorLike,
  b: Float64Array,
  options: LissaOptions = {},
): LissaResult {
  const fn = 'lissa';
  if (typeof sampleOperator !== 'function') {
    throw new InvalidArgumentError(fn, 'sampleOperator must be a function (rng, step) => operator of a random minibatch');
  }
  if (!(b instanceof Float64Array)) throw new InvalidArgumentError(fn, 'the right-hand side b must be a Float64Array');
  const n = b.length;
  const { depth = 1000, repeats = 1, damping = 0, seed = 0, checkEvery = 1, tolerance, signal } = options;
  const requestedScale = options.scale ?? 1;
  checkRightHandSide(fn, b, n);
  checkPositiveInteger(fn, 'depth', depth);
  checkPositiveInteger(fn, 'repeats', repeats);
  checkPositiveInteger(fn, 'checkEvery', checkEvery);
  checkDamping(fn, damping);
  if (tolerance !== undefined) checkTolerance(fn, tolerance);
  if (requestedScale !== 'auto' && (typeof requestedScale !== 'number' || !Number.isFinite(requestedScale) || requestedScale <= 0)) {
    throw new InvalidArgumentError(fn, `scale must be a finite number > 0 or 'auto', got ${String(requestedScale)}`);
  }

  const rng = createRandom(seed);
  let applications = 0;
  let step = 0;
  const sampleDamped = (): ((v: Float64Array) => Float64Array) => {
    const op = toOperator(sampleOperator(rng, step), fn, n);
    step++;
    return (v) => {
      applications++;
      return applyDamped(fn, op, damping, v);
    };
  };

  const s = requestedScale === 'auto' ? autoScale(fn, sampleDamped, n) : requestedScale;
  const bNorm = norm2(b);
  if (bNorm === 0) {
    return { ...zeroRightHandSide(n), operatorApplications: applications, estimates: [], standardError: undefined, scale: s };
  }

  const estimates: Float64Array[] = [];
  const residualSums: number[] = [];
  const residualCounts: number[] = [];
  let iterations = 0;
  let allConverged = true;
  let aborted = false;

  for (let repeat = 0; repeat < repeats && !aborted; repeat++) {
    let ihv: Float64Array = Float64Array.from(b); // IHV₀ = b
    const history: number[] = [];
    let converged = false;
    for (let j = 1; j <= depth; j++) {
      const applyStep = sampleDamped();
      const hv = applyStep(ihv);
      // r = b − Aⱼ·IHVⱼ₋₁ with Aⱼ = (Hⱼ + λI)/s;  IHVⱼ = b + (I − Aⱼ)·IHVⱼ₋₁ = IHVⱼ₋₁ + r
      // (hv itself stays undivided: the finiteness diagnosis below inspects it.)
      const r = divideByScalar(hv, s);
      subVectors(b, r, r);
      const relative = norm2(r) / bNorm;
      history.push(relative);
      residualSums[j - 1] = (residualSums[j - 1] ?? 0) + relative;
      residualCounts[j - 1] = (residualCounts[j - 1] ?? 0) + 1;
      iterations++;
      if (!Number.isFinite(relative) || relative > DIVERGENCE_THRESHOLD) {
        if (!Number.isFinite(relative) && isFiniteVector(ihv) && !isFiniteVector(hv)) {
          throw new NonFiniteError(fn, `the minibatch operator returned a non-finite value at step ${step - 1} for a finite input`);
        }
        const growth = growthRatio(history);
        const rho = Math.max(growth, 1);
        // If the growth comes from a minibatch eigenvalue μ > 2s, then ρ ≈ μ/s − 1, so μ ≈ s(1 + ρ).
        const suggestedScale = 1.1 * s * (1 + rho);
        throw new DivergenceError(
          fn,
          `diverging in repeat ${repeat} at step ${j}: the minibatch relative residual reached ${relative.toPrecision(3)}, growing by ≈ ` +
            `${growth.toPrecision(4)} per step, so some Aⱼ = (Hⱼ + λI)/s has eigenvalues outside (0, 2); try scale ≥ ` +
            `${suggestedScale.toPrecision(4)} (or 'auto'), or more damping if the minibatch Hessians are indefinite`,
          { iteration: j, spectralRadius: rho, suggestedScale },
        );
      }
      ihv = addVectors(ihv, r, r); // r is this step's own array, so it can hold the new IHV
      if (j % checkEvery === 0) {
        if (tolerance !== undefined && relative <= tolerance) {
          converged = true;
          break;
        }
        if (signal?.aborted === true) {
          aborted = true;
          break;
        }
      }
    }
    if (tolerance !== undefined && !converged) allConverged = false;
    estimates.push(divideByScalar(ihv, s)); // x = IHV/s
  }

  // x = mean over repeats; standard error = sample std / √repeats, per coordinate.
  const k = estimates.length;
  const x = new Float64Array(n);
  const share = new Float64Array(n);
  for (const estimate of estimates) addVectors(x, divideByScalar(estimate, k, share), x); // x += estimate/k
  let standardError: Float64Array | undefined;
  if (k >= 2) {
    standardError = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (const estimate of estimates) sum += (estimate[i]! - x[i]!) ** 2;
      standardError[i] = Math.sqrt(sum / (k - 1) / k);
    }
  }
  const residualNorms = residualSums.map((sum, j) => sum / residualCounts[j]!);
  const reason = aborted ? 'aborted' : tolerance === undefined ? 'ran all steps' : allConverged ? 'tolerance reached' : 'iteration limit';
  return {
    x,
    iterations,
    residualNorms,
    converged: !aborted && (tolerance === undefined || allConverged),
    reason,
    operatorApplications: applications,
    estimates,
    standardError,
    scale: s,
  };
}

/**
 * Power iteration where each step uses a fresh minibatch operator; s = 1.1 × the largest Rayleigh
 * quotient seen (the largest, not the last, because every minibatch Hessian must fit in (0, 2s)).
 */
function autoScale(fn: string, sampleDamped: () => (v: Float64Array) => Float64Array, n: number): number {
  let v = createRandom(0x5eed).normals(n);
  let largest = Number.NEGATIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let vNorm = norm2(v);
  v = divideByScalar(v, vNorm);
  for (let k = 0; k < 50; k++) {
    const w = sampleDamped()(v);
    const rayleigh = dot(v, w); // vᵀAv with ‖v‖ = 1
    last = rayleigh;
    // Skip the first 10 steps: from a random start the Rayleigh quotient is still far below λ_max.
    if (k >= 10) largest = Math.max(largest, rayleigh);
    vNorm = norm2(w);
    if (!Number.isFinite(vNorm) || vNorm === 0) break;
    v = divideByScalar(w, vNorm);
  }
  if (largest === Number.NEGATIVE_INFINITY) largest = last;
  if (!(largest > 0)) {
    throw new DivergenceError(
      fn,
      `scale 'auto': the minibatch operators' dominant eigenvalue is ≈ ${largest.toPrecision(4)} ≤ 0; no scale makes the series converge. Add damping`,
      { iteration: 0, spectralRadius: Number.POSITIVE_INFINITY },
    );
  }
  return 1.1 * largest;
}

function isFiniteVector(v: Float64Array): boolean {
  return indexOfNonFinite(v) === -1;
}
