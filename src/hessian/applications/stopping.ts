/**
 * When a second-order optimiser should stop, shared by `newtonCg` and `trustRegion`, and how
 * accurately each Newton system should be solved (the CG forcing term).
 *
 * Why relative rules. A loss multiplied by 10⁶ has the same minimiser, but a gradient 10⁶ times
 * larger; a rule "stop when ‖g‖ ≤ 10⁻¹⁰" then stops far too late on one and far too early on the
 * other. The default rules compare quantities that scale together:
 *
 *   gradient   ‖g‖ ≤ gradientTolerance·‖g₀‖          (g₀: the gradient at the start)
 *   value      a Newton step predicted to lower L by at most valueTolerance·|L| was taken
 *   step       a Newton step with |Δθᵢ| ≤ stepTolerance·|θᵢ| for every i was taken
 *
 * The value and step rules look at a Newton step (one the model was not truncated on): only
 * then does its predicted decrease ½gᵀH⁻¹g ≈ L − L* say how far from the minimum L is, and its
 * length how far θ is from the minimiser. Both are taken before stopping, so the point returned
 * is the better one. An absolute gradient tolerance is used only when the caller gives one.
 *
 * The forcing term η asks CG for ‖Hp + g‖ ≤ η‖g‖. A fixed η gives linear convergence; η → 0 as
 * the gradient shrinks gives superlinear (η ∝ √‖g‖) or quadratic (η ∝ ‖g‖) convergence while
 * keeping the early, far-from-optimal solves cheap. Measured against ‖g₀‖ it does not depend on
 * the scale of L either.
 *
 * Provides the options readers, the rules and the forcing sequence. Leaves out the iteration
 * itself (newton.ts, trust-region.ts).
 */
import { InvalidArgumentError } from '../../errors.js';
import {
  checkCount,
  checkFunction,
  checkNumber,
  checkOneOf,
  checkPositive,
  checkPositiveInteger,
  describeValue,
} from '../../validate.js';
import { HVP_MODES, type HvpMode } from '../hvp.js';

/** Why an optimiser stopped. */
export type StopReason =
  /** ‖g‖ met the gradient tolerance (relative to ‖g₀‖, or the absolute `tolerance`). */
  | 'gradient'
  /** A Newton step predicted a decrease of L below `valueTolerance`·|L|; it was taken. */
  | 'value'
  /** A Newton step changed every θᵢ by at most `stepTolerance`·|θᵢ|; it was taken. */
  | 'step'
  /** `maxIterations` were spent. */
  | 'iteration limit'
  /** No step changes L or θ any more at float64 precision (the rounding floor), before a tolerance was met. */
  | 'rounding';

/** How accurately CG solves each Newton system: a named sequence or a constant η ∈ (0, 1). */
export type Forcing = 'superlinear' | 'quadratic' | 'eisenstat-walker' | number;

/** The stopping options both optimisers take. */
export interface StoppingOptions {
  /**
   * An absolute gradient tolerance: converged when ‖∇L(θ)‖₂ ≤ tolerance. Not used unless given;
   * when it is given, the relative rules below are off unless they are given too.
   */
  tolerance?: number;
  /** Converged when ‖∇L(θ)‖ ≤ gradientTolerance·‖∇L(θ₀)‖ (default 1e-15). */
  gradientTolerance?: number;
  /** Converged after a Newton step predicted to lower L by at most valueTolerance·|L| (default 1e-14). */
  valueTolerance?: number;
  /** Converged after a Newton step with |Δθᵢ| ≤ stepTolerance·|θᵢ| for every i (default 1e-12). */
  stepTolerance?: number;
  /** The CG forcing term (default 'superlinear': η = min(½, √(‖g‖/‖g₀‖))). */
  forcing?: Forcing;
}

/** The stopping options, checked; a tolerance of 0 is a rule switched off. */
export interface StoppingSettings {
  readonly tolerance: number;
  readonly gradientTolerance: number;
  readonly valueTolerance: number;
  readonly stepTolerance: number;
  readonly maxIterations: number;
  readonly forcing: Forcing;
}

export const STOPPING_KEYS = ['tolerance', 'gradientTolerance', 'valueTolerance', 'stepTolerance', 'forcing'] as const;
const FORCING_NAMES = ['superlinear', 'quadratic', 'eisenstat-walker'] as const;
const DEFAULTS = { gradientTolerance: 1e-15, valueTolerance: 1e-14, stepTolerance: 1e-12 };

/**
 * @internal Reads the stopping options of `fn` from already key-checked `given` options.
 * `absoluteDefault` is the absolute tolerance used when none is given (only the functions built
 * on `newtonCg` that document one pass it).
 * @example readStopping('trustRegion', { gradientTolerance: 1e-9 }, 1000).gradientTolerance; // → 1e-9
 */
export function readStopping(
  fn: string,
  given: StoppingOptions & { maxIterations?: number },
  defaultMaxIterations: number,
  absoluteDefault?: number,
): StoppingSettings {
  const tolerance =
    given.tolerance === undefined ? absoluteDefault : checkPositive(fn, 'options.tolerance', given.tolerance);
  // An absolute tolerance replaces the relative rules unless they are asked for as well.
  const relative = (key: 'gradientTolerance' | 'valueTolerance' | 'stepTolerance'): number => {
    const value = given[key];
    if (value === undefined) return tolerance === undefined ? DEFAULTS[key] : 0;
    return checkNumber(fn, `options.${key}`, value, { min: 0, below: 1 });
  };
  return {
    tolerance: tolerance ?? 0,
    gradientTolerance: relative('gradientTolerance'),
    valueTolerance: relative('valueTolerance'),
    stepTolerance: relative('stepTolerance'),
    maxIterations:
      given.maxIterations === undefined
        ? defaultMaxIterations
        : checkCount(fn, 'options.maxIterations', given.maxIterations),
    forcing: readForcing(fn, given.forcing),
  };
}

/** The options both optimisers take besides the stopping rules: how each step's CG runs and who hears of each step. */
export interface StepOptions<R> {
  /** CG iterations per step at most (default 2·d + 2). */
  cgMaxIterations?: number;
  /** The HVP mode of the recorded operator (default 'fwd-over-rev'). */
  mode?: HvpMode;
  /** Called after each step with its record. */
  onIteration?: (record: R) => void;
}

/** The step options, checked, with their defaults (`cgMaxIterations` stays undefined: it defaults to 2·d + 2 once d is known). */
export interface StepSettings<R> {
  readonly cgMaxIterations: number | undefined;
  readonly mode: HvpMode;
  readonly onIteration: ((record: R) => void) | undefined;
}

export const STEP_KEYS = ['cgMaxIterations', 'mode', 'onIteration'] as const;

/**
 * @internal Reads the step options of `fn` from already key-checked `given` options.
 * @example readStepOptions('trustRegion', { mode: 'rev-over-rev' }).mode; // → 'rev-over-rev'
 */
export function readStepOptions<R>(fn: string, given: StepOptions<R>): StepSettings<R> {
  return {
    cgMaxIterations:
      given.cgMaxIterations === undefined
        ? undefined
        : checkPositiveInteger(fn, 'options.cgMaxIterations', given.cgMaxIterations),
    mode: given.mode === undefined ? 'fwd-over-rev' : checkOneOf(fn, 'options.mode', given.mode, HVP_MODES),
    onIteration:
      given.onIteration === undefined ? undefined : checkFunction(fn, 'options.onIteration', given.onIteration),
  };
}

function readForcing(fn: string, value: unknown): Forcing {
  if (value === undefined) return 'superlinear';
  if (typeof value === 'number') return checkNumber(fn, 'options.forcing', value, { above: 0, below: 1 });
  if (typeof value === 'string' && (FORCING_NAMES as readonly string[]).includes(value)) return value as Forcing;
  throw new InvalidArgumentError(
    fn,
    `options.forcing must be 'superlinear', 'quadratic', 'eisenstat-walker' or a number η in (0, 1), got ${describeValue(value)}`,
  );
}

/** Why a run stopped, and the words its message adds to the reason's sentence. */
export interface Stop {
  readonly reason: StopReason;
  readonly detail: string;
}

/** @internal True for the reasons that mean a tolerance was met. @example isConverged('step'); // → true */
export function isConverged(reason: StopReason): boolean {
  return reason === 'gradient' || reason === 'value' || reason === 'step';
}

/**
 * @internal The gradient rule: 'gradient' if ‖g‖ meets the absolute or the relative tolerance
 * (or is exactly 0), else undefined.
 * @example gradientRule(settings, 1e-15, 10); // 'gradient' with the defaults
 */
export function gradientRule(
  settings: StoppingSettings,
  gradientNorm: number,
  initialGradientNorm: number,
): StopReason | undefined {
  if (
    gradientNorm === 0 ||
    gradientNorm <= settings.tolerance ||
    gradientNorm <= settings.gradientTolerance * initialGradientNorm
  )
    return 'gradient';
  return undefined;
}

/**
 * @internal The rules on a Newton step that was taken: 'value' if it was predicted to lower L by
 * at most valueTolerance·|L|, 'step' if it moved every θᵢ by at most stepTolerance·|θᵢ|.
 * @example newtonStepRule(settings, 1e-20, 3, p, theta); // → 'value'
 */
export function newtonStepRule(
  settings: StoppingSettings,
  predictedDecrease: number,
  value: number,
  step: Float64Array,
  theta: Float64Array,
): StopReason | undefined {
  if (predictedDecrease <= settings.valueTolerance * Math.abs(value)) return 'value';
  if (settings.stepTolerance > 0 && step.every((s, i) => Math.abs(s) <= settings.stepTolerance * Math.abs(theta[i]!)))
    return 'step';
  return undefined;
}

/**
 * When the decrease a step can bring is below this fraction of |L|, L(θ + p) − L(θ) may be mostly
 * rounding (L is often computed with cancellation, as a sum of squared residuals of large data
 * is). The optimisers then judge the step by the change of L the gradients predict,
 * ½(g + g₊)ᵀp — exact for a quadratic and free of cancellation — at the price of one gradient
 * at the trial point, which is the next iteration's gradient if the step is taken.
 */
export const ROUNDING_REGIME = 1e-9;

/** The detail of a 'rounding' stop when the gradient stopped shrinking below the rounding of L. */
export const GRADIENT_FLOOR = ' (steps below the rounding of L stopped lowering ‖g‖: its rounding floor)';

/**
 * @internal Watches the steps judged below the rounding of L (see ROUNDING_REGIME): there f can
 * no longer tell progress, so progress means halving the smallest ‖g‖ seen. `step(‖g₊‖)` returns
 * true once `limit` such steps in a row have not — the iteration has reached the rounding floor
 * of the gradient and would only wander. `seen(‖g‖)` records a gradient from outside the regime.
 * @example const watch = roundingWatch(); watch.seen(1e-9); watch.step(2e-9); // false (1 of 5)
 */
export function roundingWatch(limit = 5): { seen(gradientNorm: number): void; step(gradientNorm: number): boolean } {
  let best = Infinity;
  let count = 0;
  const progress = (gradientNorm: number): boolean => {
    if (!(gradientNorm < 0.5 * best)) return false;
    best = gradientNorm;
    count = 0;
    return true;
  };
  return {
    seen(gradientNorm) {
      if (!progress(gradientNorm)) best = Math.min(best, gradientNorm);
    },
    step(gradientNorm) {
      if (progress(gradientNorm)) return false;
      best = Math.min(best, gradientNorm);
      return ++count >= limit;
    },
  };
}

/** @internal True if θ + p rounds to θ in every entry: the step changes nothing. @example unchanged(theta, next); */
export function unchanged(theta: Float64Array, next: Float64Array): boolean {
  for (let i = 0; i < theta.length; i++) if (theta[i] !== next[i]) return false;
  return true;
}

/**
 * @internal The forcing sequence: `next(‖g‖)` returns η for the system at a point with gradient
 * norm ‖g‖ (the first call's ‖g‖ is ‖g₀‖).
 * - 'superlinear': η = min(½, √(‖g‖/‖g₀‖));
 * - 'quadratic': η = min(½, ‖g‖/‖g₀‖);
 * - 'eisenstat-walker' (their choice 2, γ = 0.9, α = 2): η = γ(‖g‖/‖g_prev‖)², kept at least
 *   γη_prev² when that exceeds 0.1, at most ½, starting from ½;
 * - a number: that η throughout.
 * η never goes below 1e-14, where CG's own rounding takes over.
 * @example const eta = forcingSequence('quadratic'); eta.next(10); eta.next(1); // 0.5, 0.1
 */
export function forcingSequence(forcing: Forcing): { next(gradientNorm: number): number } {
  let initial: number | undefined;
  let previousNorm = NaN;
  let previousEta = 0.5;
  return {
    next(gradientNorm: number): number {
      initial ??= gradientNorm;
      const ratio = initial > 0 ? gradientNorm / initial : 0;
      let eta: number;
      if (typeof forcing === 'number') eta = forcing;
      else if (forcing === 'quadratic') eta = Math.min(0.5, ratio);
      else if (forcing === 'superlinear') eta = Math.min(0.5, Math.sqrt(ratio));
      else if (Number.isNaN(previousNorm)) eta = 0.5;
      else {
        eta = 0.9 * (gradientNorm / previousNorm) ** 2;
        const safeguard = 0.9 * previousEta * previousEta;
        if (safeguard > 0.1) eta = Math.max(eta, safeguard);
        eta = Math.min(0.5, eta);
      }
      previousNorm = gradientNorm;
      previousEta = eta;
      return Math.max(eta, 1e-14);
    },
  };
}

/** @internal The sentence that goes with a stop reason. @example describeStop('gradient', { gradientNorm: 1e-13, initialGradientNorm: 4 }); */
export function describeStop(
  reason: StopReason,
  at: { gradientNorm: number; initialGradientNorm: number; detail?: string },
): string {
  const g = `‖g‖ = ${at.gradientNorm.toExponential(2)} (‖g₀‖ = ${at.initialGradientNorm.toExponential(2)})`;
  switch (reason) {
    case 'gradient':
      return `converged: the gradient tolerance was met, ${g}`;
    case 'value':
      return `converged: the last Newton step was predicted to lower L by less than valueTolerance·|L|${at.detail ?? ''}; ${g}`;
    case 'step':
      return `converged: the last Newton step changed every parameter by less than stepTolerance relative to it; ${g}`;
    case 'iteration limit':
      return `iteration limit reached before a tolerance was met; ${g}`;
    case 'rounding':
      return `no progress possible at float64 rounding level${at.detail ?? ''}; ${g}`;
  }
}
