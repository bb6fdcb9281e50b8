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
 * b − Aⱼ·IHVⱼ are minibatch residuals, exact only when the sampler returns the full Hessian, so
 * `converged` can at most say that the minibatch residual of x met the tolerance.
 */
import { DivergenceError } from '../../../errors.js';
import { addVectors, axpy, divideByScalar, dot, norm2, subVectors } from '../../../linalg/index.js';
import { createRandom, type RandomSource } from '../../../linalg/random.js';
import {
  checkArity,
  checkFunction,
  checkPositiveInteger,
  checkSeed,
  checkVector,
  readOptions,
} from '../../../validate.js';
import { readOperator, type OperatorLike } from '../linear-operator.js';
import { growthRatio } from './neumann.js';
import { zeroRightHandSide, type SolveResult } from './result.js';
import { SYMMETRY_ADVICE, readDamping, readScale, readSignal, readTolerance, type AbortFlag } from './inputs.js';

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
   * Stop a repeat once its minibatch relative residual ‖b − (Hⱼ + λI)·IHV/s‖/‖b‖ ≤ tolerance, and
   * report converged: true when the returned x meets it on a fresh minibatch. With real
   * minibatches that residual plateaus at the sampling noise, so this is mostly useful with the
   * full-batch operator; otherwise rely on `depth`. Without it converged is false.
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
   * MINIBATCH relative residuals, not residuals of the full system: entry j is
   * ‖b − (Hⱼ + λI)·IHVⱼ/s‖/‖b‖ averaged over the repeats that reached step j, and the last entry
   * is the minibatch residual of the returned x on one fresh minibatch. They are exact residuals
   * only when `sampleOperator` returns the full Hessian.
   */
  residualNorms: number[];
  /** Each repeat's estimate IHV/s (fresh arrays). */
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
 * a random minibatch (a LinearOperator, or a dense symmetric matrix); `step` counts the samples
 * drawn from 0. Throws DivergenceError when the iterate blows up (scale too small or an indefinite
 * minibatch Hessian) with the growth per step and a suggested scale.
 *
 * Each repeat runs `depth` steps (fewer if it meets `tolerance`); x is the average of the
 * repeats' final iterates — not a "best" one, since picking the smallest of noisy minibatch
 * residuals would pick noise. One more minibatch then measures x's own minibatch residual: the
 * last entry of `residualNorms`. converged is true only when a tolerance was given and that
 * residual met it; the reason always says the residuals are minibatch residuals. b = 0 returns
 * x = 0.
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
  options?: LissaOptions,
): LissaResult {
  const fn = 'lissa';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'sampleOperator', sampleOperator);
  const rhs = checkVector(fn, 'b', b, { empty: false });
  const settings = readLissaOptions(fn, options);
  const sampler = minibatchSampler(fn, sampleOperator, rhs.length, settings);
  const s = settings.scale === 'auto' ? autoScale(fn, sampler.sample, rhs.length) : settings.scale;
  const bNorm = norm2(rhs);
  if (bNorm === 0) {
    return {
      ...zeroRightHandSide(rhs.length),
      operatorApplications: sampler.applications,
      estimates: [],
      standardError: undefined,
      scale: s,
    };
  }
  const run: LissaRun = {
    fn,
    rhs,
    bNorm,
    s,
    settings,
    sample: sampler.sample,
    residualSums: [],
    residualCounts: [],
    iterations: 0,
    aborted: false,
  };
  const estimates: Float64Array[] = [];
  for (let repeat = 0; repeat < settings.repeats && !run.aborted; repeat++) estimates.push(runRepeat(run, repeat));
  const { x, standardError } = meanAndStandardError(estimates, rhs.length);
  // The minibatch residual of the returned x itself, on a fresh minibatch.
  const finalResidual = sampler.sample('measuring the residual of the returned x')(x);
  const final = norm2(subVectors(rhs, finalResidual, finalResidual)) / bNorm;
  const converged = !run.aborted && settings.tolerance !== undefined && final <= settings.tolerance;
  return {
    x,
    iterations: run.iterations,
    residualNorms: [...run.residualSums.map((sum, j) => sum / run.residualCounts[j]!), final],
    converged,
    reason: lissaReason(settings, final, run.aborted, converged),
    operatorApplications: sampler.applications,
    estimates,
    standardError,
    scale: s,
  };
}

interface LissaSettings {
  depth: number;
  repeats: number;
  scale: number | 'auto';
  damping: number;
  seed: number;
  tolerance: number | undefined;
  checkEvery: number;
  signal: AbortFlag | undefined;
}

function readLissaOptions(fn: string, options: LissaOptions | undefined): LissaSettings {
  const given = readOptions(fn, options, [
    'depth',
    'repeats',
    'scale',
    'damping',
    'seed',
    'tolerance',
    'checkEvery',
    'signal',
  ]);
  return {
    depth: given.depth === undefined ? 1000 : checkPositiveInteger(fn, 'depth', given.depth),
    repeats: given.repeats === undefined ? 1 : checkPositiveInteger(fn, 'repeats', given.repeats),
    scale: given.scale === undefined ? 1 : readScale(fn, given.scale),
    damping: readDamping(fn, given.damping),
    seed: given.seed === undefined ? 0 : checkSeed(fn, given.seed),
    tolerance: given.tolerance === undefined ? undefined : readTolerance(fn, given.tolerance),
    checkEvery: given.checkEvery === undefined ? 1 : checkPositiveInteger(fn, 'checkEvery', given.checkEvery),
    signal: readSignal(fn, given.signal),
  };
}

/** Draws minibatch operators from one seeded source, counting the products taken with them. */
function minibatchSampler(
  fn: string,
  sampleOperator: (rng: RandomSource, step: number) => OperatorLike,
  n: number,
  { seed, damping }: LissaSettings,
) {
  const rng = createRandom(seed);
  let applications = 0;
  let step = 0;
  return {
    /** Draws the next minibatch operator (checked like any H) and returns v ↦ (Hⱼ + λI)v. */
    sample(where: string): (v: Float64Array) => Float64Array {
      const op = readOperator(fn, `sampleOperator(rng, ${step})`, sampleOperator(rng, step), {
        size: n,
        symmetric: SYMMETRY_ADVICE,
      });
      step++;
      return (v) => {
        applications++;
        const out = op.product(v, where); // fresh, so λv is added in place
        return damping === 0 ? out : axpy(damping, v, out, out);
      };
    },
    get applications() {
      return applications;
    },
  };
}

/** What the repeats share: the problem, the minibatch sampler, and the running residual history. */
interface LissaRun {
  readonly fn: string;
  readonly rhs: Float64Array;
  readonly bNorm: number;
  readonly s: number;
  readonly settings: LissaSettings;
  readonly sample: (where: string) => (v: Float64Array) => Float64Array;
  readonly residualSums: number[];
  readonly residualCounts: number[];
  iterations: number;
  aborted: boolean;
}

/** One repeat: IHVⱼ₊₁ = b + (I − Aⱼ)·IHVⱼ on fresh minibatches, up to `depth` steps; returns IHV/s. */
function runRepeat(run: LissaRun, repeat: number): Float64Array {
  const { rhs, bNorm, s, settings } = run;
  let ihv: Float64Array = Float64Array.from(rhs); // IHV₀ = b
  const history: number[] = [];
  for (let j = 0; j < settings.depth; j++) {
    // r = b − Aⱼ·IHVⱼ with Aⱼ = (Hⱼ + λI)/s: the minibatch residual of IHVⱼ/s
    const r = run.sample(`at step ${j} of repeat ${repeat}`)(ihv);
    divideByScalar(r, s, r);
    subVectors(rhs, r, r);
    const relative = norm2(r) / bNorm;
    history.push(relative);
    run.residualSums[j] = (run.residualSums[j] ?? 0) + relative;
    run.residualCounts[j] = (run.residualCounts[j] ?? 0) + 1;
    if (!Number.isFinite(relative) || relative > DIVERGENCE_THRESHOLD) throw divergence(run.fn, history, s, repeat, j);
    // Met: keep IHVⱼ, the iterate this residual belongs to.
    if (settings.tolerance !== undefined && j % settings.checkEvery === 0 && relative <= settings.tolerance) break;
    // IHVⱼ₊₁ = b + (I − Aⱼ)·IHVⱼ = IHVⱼ + r
    ihv = addVectors(ihv, r, r); // r is this step's own array, so it can hold the new IHV
    run.iterations++;
    if ((j + 1) % settings.checkEvery === 0 && settings.signal?.aborted === true) {
      run.aborted = true;
      break;
    }
  }
  return divideByScalar(ihv, s); // x = IHV/s
}

/** The error for a repeat whose minibatch residual blew up, with the scale that would have fit. */
function divergence(fn: string, history: readonly number[], s: number, repeat: number, j: number): DivergenceError {
  const growth = growthRatio(history);
  const rho = Math.max(growth, 1);
  // If the growth comes from a minibatch eigenvalue μ > 2s, then ρ ≈ μ/s − 1, so μ ≈ s(1 + ρ).
  const suggestedScale = 1.1 * s * (1 + rho);
  return new DivergenceError(
    fn,
    `diverging in repeat ${repeat} at step ${j}: the minibatch relative residual reached ${history.at(-1)!.toPrecision(3)}, growing by ≈ ` +
      `${growth.toPrecision(4)} per step, so some Aⱼ = (Hⱼ + λI)/s has eigenvalues outside (0, 2); try scale ≥ ` +
      `${suggestedScale.toPrecision(4)} (or 'auto'), or more damping if the minibatch Hessians are indefinite`,
    { iteration: j, spectralRadius: rho, suggestedScale },
  );
}

/** x = the mean over repeats; the standard error = sample std / √repeats, per coordinate (with ≥ 2 repeats). */
function meanAndStandardError(
  estimates: readonly Float64Array[],
  n: number,
): { x: Float64Array; standardError: Float64Array | undefined } {
  const k = estimates.length;
  const x = new Float64Array(n);
  const share = new Float64Array(n);
  for (const estimate of estimates) addVectors(x, divideByScalar(estimate, k, share), x); // x += estimate/k
  if (k < 2) return { x, standardError: undefined };
  const standardError = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const estimate of estimates) sum += (estimate[i]! - x[i]!) ** 2;
    standardError[i] = Math.sqrt(sum / (k - 1) / k);
  }
  return { x, standardError };
}

function lissaReason(
  { tolerance, depth, repeats }: LissaSettings,
  final: number,
  aborted: boolean,
  converged: boolean,
): string {
  const measured = `the minibatch relative residual of x on a fresh minibatch is ${final.toPrecision(3)}`;
  const caveat = 'recorded residuals are minibatch residuals, exact only when sampleOperator returns the full Hessian';
  if (aborted) return `aborted: ${measured} (${caveat})`;
  if (tolerance === undefined) {
    return `no tolerance given: ran ${depth} steps in each of ${repeats} repeat${repeats === 1 ? '' : 's'}, so convergence was not tested; ${measured} (${caveat})`;
  }
  return converged
    ? `tolerance reached by the minibatch residual: ${measured} (${caveat})`
    : `iteration limit: ${measured} > tolerance (${caveat})`;
}

/**
 * Power iteration where each step uses a fresh minibatch operator; s = 1.1 × the largest Rayleigh
 * quotient seen (the largest, not the last, because every minibatch Hessian must fit in (0, 2s)).
 */
function autoScale(fn: string, sampleDamped: (where: string) => (v: Float64Array) => Float64Array, n: number): number {
  let v = createRandom(0x5eed).normals(n);
  let largest = Number.NEGATIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let vNorm = norm2(v);
  v = divideByScalar(v, vNorm);
  for (let k = 0; k < 50; k++) {
    const w = sampleDamped(`while estimating the scale ('auto'), power step ${k}`)(v);
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
