/**
 * A Hessian-free Newton–CG minimiser: the showcase of the hessian layer as an optimiser.
 *
 * Each iteration records the loss once (which hands back the value and the gradient g with the
 * recording), solves the Newton system (H + λI)p = −g by truncated conjugate gradients —
 * replaying the recorded tape once per Hessian-vector product, the Hessian is never formed —
 * and moves along p with a backtracking (Armijo) line search:
 *
 *     θ ← θ + t·p,   t from 1 down, the first with L(θ + tp) ≤ L(θ) + c·t·gᵀp (c = 10⁻⁴).
 *
 * CG solves only as accurately as the gradient deserves: ‖(H + λI)p + g‖ ≤ η‖g‖ with the forcing
 * term η = min(½, √(‖g‖/‖g₀‖)) by default — cheap early steps, superlinear convergence late, and
 * the same steps for the loss multiplied by any constant (`forcing` chooses other sequences).
 * When CG meets a direction of negative curvature it stops and returns its iterate so far, a
 * descent direction (Nocedal & Wright, Algorithm 7.1); at the very first direction, that is
 * steepest descent.
 *
 * Near a minimum, L(θ + tp) − L(θ) is below the rounding of L, and Armijo's test would judge
 * noise. When the decrease a step can bring is below 10⁻⁹·|L|, the step is judged by the change
 * the gradients predict, ½t(g + g₊)ᵀp (exact on a quadratic, free of cancellation), using the
 * gradient at the trial point — which is the next iteration's. A step that no longer changes θ
 * ends the run with reason 'rounding', never a silent stall.
 *
 * The stopping rules (relative to ‖g₀‖ and |L| unless an absolute `tolerance` is given) are
 * shared with `trustRegion`; see stopping.ts.
 *
 * Provides `newtonCg`. Leaves out stochastic (minibatch) Newton; trust regions are `trustRegion`.
 */
import { type Tensor, type Tree, type TensorTree } from '../../autodiff/index.js';
import { axpy, dot, norm2, scale } from '../../linalg/index.js';
import { checkArity, checkBoolean, checkFunction, checkNonNegative, readOptions } from '../../validate.js';
import { readTree, type HvpMode } from '../hvp.js';
import {
  GRADIENT_FLOOR,
  ROUNDING_REGIME,
  STEP_KEYS,
  STOPPING_KEYS,
  describeStop,
  forcingSequence,
  gradientRule,
  isConverged,
  newtonStepRule,
  readStepOptions,
  readStopping,
  roundingWatch,
  unchanged,
  type Stop,
  type StopReason,
  type StepSettings,
  type StoppingOptions,
  type StoppingSettings,
} from './stopping.js';
import {
  flatObjective,
  recordTrial,
  truncatedCg,
  type CgPath,
  type FlatObjective,
  type PathStep,
  type Recorded,
} from './trust-region.js';

/** Options of `newtonCg`: the shared stopping rules and the Newton–CG settings. */
export interface NewtonCgOptions extends StoppingOptions {
  /** Newton iterations at most (default 1000). Reaching the limit returns converged: false. */
  maxIterations?: number;
  /** λ ≥ 0: each step solves (H + λI)p = −g (default 0). */
  damping?: number;
  /** Backtracking Armijo line search (default true); false takes full steps. */
  lineSearch?: boolean;
  /** CG iterations per Newton step at most (default 2·d + 2). */
  cgMaxIterations?: number;
  /** The HVP mode of the recorded operator (default 'fwd-over-rev'). */
  mode?: HvpMode;
  /** Called after each iteration with its record. */
  onIteration?: (record: NewtonIteration) => void;
}

/** One Newton iteration, for convergence plots. */
export interface NewtonIteration {
  iteration: number;
  /** L(θ) and ‖∇L(θ)‖ at the start of the iteration. */
  value: number;
  gradientNorm: number;
  cgIterations: number;
  /** The step length t the line search accepted (0: no step changed θ). */
  step: number;
  /** The damping the step was solved with. */
  damping: number;
}

/** The result of `newtonCg`. */
export interface NewtonCgResult<P> {
  /** θ at the end, in the structure of the input parameters. */
  params: TensorTree<P>;
  /** θ flattened (`ravel` order). */
  vector: Float64Array;
  value: number;
  gradientNorm: number;
  /** Newton iterations taken (0 if the start already met the tolerance). */
  iterations: number;
  /** True when a tolerance was met (reason 'gradient', 'value' or 'step'). */
  converged: boolean;
  reason: StopReason;
  /** `reason` as a sentence, with the numbers. */
  message: string;
  history: NewtonIteration[];
  /** Hessian-vector products spent by CG, over all iterations. */
  hessianVectorProducts: number;
  /** Gradient evaluations (each also records the Hessian operator). */
  gradientEvaluations: number;
  /** Evaluations of the loss alone, in the line search. */
  functionEvaluations: number;
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 60;
const MAX_DAMPING_RAISES = 12;

/** The options of `newtonCg`, checked, with their defaults. */
export interface NewtonSettings extends StoppingSettings, StepSettings<NewtonIteration> {
  readonly damping: number;
  readonly lineSearch: boolean;
}

/**
 * @internal Reads the options of `newtonCg` for the public function `fn` (unknown keys refused).
 * Functions built on it other than `newtonCg` itself (`retrainWithout`) keep their documented
 * absolute default, ‖∇L‖ ≤ 1e-10.
 * @example readNewtonOptions('retrainWithout', { tolerance: 1e-9 }).maxIterations; // → 1000
 */
export function readNewtonOptions(fn: string, options: unknown): NewtonSettings {
  const given = readOptions(fn, options as NewtonCgOptions | undefined, [
    ...STOPPING_KEYS,
    'maxIterations',
    'damping',
    'lineSearch',
    ...STEP_KEYS,
  ]);
  return {
    ...readStopping(fn, given, 1000, fn === 'newtonCg' ? undefined : 1e-10),
    damping: given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping),
    lineSearch: given.lineSearch === undefined ? true : checkBoolean(fn, 'options.lineSearch', given.lineSearch),
    ...readStepOptions(fn, given),
  };
}

/**
 * Minimises `loss` from `params` by Hessian-free Newton–CG with a line search (see the module
 * comment). `params` may be a Tensor or a tree; an empty one is already optimal (‖g‖ = 0). Stops
 * on the first rule met — the gradient, value and step tolerances (relative by default; an
 * absolute `tolerance` if given), the iteration limit, or the rounding floor — and says which in
 * `reason` (`converged` is true for the first three). `onIteration` receives a copy of each
 * record, so the returned `history` cannot be changed through it.
 *
 * @example
 * import { newtonCg, tensor, dot, matmul, mul, sub, type Tensor } from 'tapegrad';
 * const A = tensor([[4, 1], [1, 3]]);
 * const b = tensor([1, 2]);
 * const quadratic = (x: Tensor) => sub(mul(0.5, dot(x, matmul(A, x))), dot(b, x));
 * const result = newtonCg(quadratic, tensor([0, 0]));
 * result.reason;     // → 'gradient'
 * result.vector;     // → [0.0909091, 0.636364]   A⁻¹b = [1/11, 7/11]
 * result.converged;  // → true
 */
export function newtonCg<P extends Tree>(
  loss: (params: TensorTree<P>) => Tensor | number,
  params: P,
  options?: NewtonCgOptions,
): NewtonCgResult<P> {
  const fn = 'newtonCg';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'loss', loss);
  readTree(fn, 'params', params);
  return minimise(fn, loss, params, readNewtonOptions(fn, options));
}

/** Where a Newton run is: θ, the recording there, the length of the last step taken, and the records so far. */
interface NewtonRun {
  theta: Float64Array;
  here: Recorded;
  lastStepNorm: number | undefined;
  readonly history: NewtonIteration[];
  /** Watches the steps judged by the gradients (below the rounding of L). */
  readonly watch: ReturnType<typeof roundingWatch>;
}

/** @internal Newton–CG with checked arguments; errors name the public function `fn`. @example minimise('retrainWithout', loss, params, readNewtonOptions('retrainWithout', options)); */
export function minimise<P extends Tree>(
  fn: string,
  loss: (params: TensorTree<P>) => Tensor | number,
  params: P,
  settings: NewtonSettings,
): NewtonCgResult<P> {
  const objective = flatObjective(fn, loss, params, settings.mode, settings.damping);
  const start = objective.record(objective.start, 'at the start');
  const run: NewtonRun = {
    theta: objective.start,
    here: start,
    lastStepNorm: undefined,
    history: [],
    watch: roundingWatch(),
  };
  const stop = iterate(objective, settings, run);
  return {
    params: objective.toParams(run.theta),
    vector: run.theta.slice(),
    value: run.here.value,
    gradientNorm: run.here.gradientNorm,
    iterations: run.history.length,
    converged: isConverged(stop.reason),
    reason: stop.reason,
    message: describeStop(stop.reason, {
      gradientNorm: run.here.gradientNorm,
      initialGradientNorm: start.gradientNorm,
      detail: stop.detail,
    }),
    history: run.history,
    hessianVectorProducts: objective.counts.hessianVectorProducts,
    gradientEvaluations: objective.counts.gradientEvaluations,
    functionEvaluations: objective.counts.functionEvaluations,
  };
}

/** Newton iterations from `run` until a rule stops them: the gradient rule and the iteration limit here, the rest in `takeStep`. */
function iterate<P extends Tree>(objective: FlatObjective<P>, settings: NewtonSettings, run: NewtonRun): Stop {
  const cgMaxIterations = settings.cgMaxIterations ?? 2 * objective.start.length + 2;
  const forcing = forcingSequence(settings.forcing);
  const initialGradientNorm = run.here.gradientNorm;
  for (let k = 0; ; k++) {
    const met = gradientRule(settings, run.here.gradientNorm, initialGradientNorm);
    if (met !== undefined) return { reason: met, detail: '' };
    if (k === settings.maxIterations) return { reason: 'iteration limit', detail: '' };
    const direction = newtonDirection(run, settings.damping, forcing.next(run.here.gradientNorm), cgMaxIterations);
    const stop = takeStep(objective, settings, run, direction, k);
    if (stop !== undefined) return stop;
  }
}

/** The direction of one iteration: the step along it, gᵀp, the damping it was solved with and the CG iterations spent. */
interface NewtonDirection {
  readonly step: PathStep;
  readonly slope: number;
  readonly damping: number;
  readonly cgIterations: number;
}

/**
 * The Newton direction by truncated CG on H + λI (see `dampedPath`), or steepest descent where CG
 * gives no descent direction. A damped step is not a Newton step, so the stopping rules on Newton
 * steps do not judge it.
 */
function newtonDirection(run: NewtonRun, damping: number, eta: number, cgMaxIterations: number): NewtonDirection {
  const { path, lambda, cgIterations } = dampedPath(run.here, damping, eta, cgMaxIterations);
  let step: PathStep = path.end();
  let slope = dot(run.here.gradient, step.p);
  if (!(step.norm > 0) || !(slope < 0)) ({ step, slope } = steepestDescent(run));
  if (lambda !== damping && step.kind === 'newton') step = { ...step, kind: 'boundary' };
  return { step, slope, damping: lambda, cgIterations };
}

/**
 * Truncated CG on H + λI. Where CG meets negative curvature, the damping is raised past the
 * curvature it saw (Levenberg–Marquardt style) and the system solved again; λ is measured in H's
 * own units, so it scales with L.
 */
function dampedPath(
  here: Recorded,
  damping: number,
  eta: number,
  cgMaxIterations: number,
): { path: CgPath; lambda: number; cgIterations: number } {
  let lambda = damping;
  let path = truncatedCg(here.product, here.gradient, eta, cgMaxIterations, Infinity);
  let cgIterations = path.iterations;
  for (let raise = 0; path.negativeCurvature && raise < MAX_DAMPING_RAISES; raise++) {
    const extra = Math.max(10 * (lambda - damping), 2 * Math.abs(path.curvature));
    lambda = damping + extra;
    const product = here.product;
    path = truncatedCg((v) => axpy(extra, v, product(v)), here.gradient, eta, cgMaxIterations, Infinity);
    cgIterations += path.iterations;
  }
  return { path, lambda, cgIterations };
}

/**
 * No descent direction from CG (only possible at the rounding floor): steepest descent, with the
 * length of the last step or of θ — never the scale of L.
 */
function steepestDescent(run: NewtonRun): { step: PathStep; slope: number } {
  const { here } = run;
  const length = run.lastStepNorm ?? Math.max(1, norm2(run.theta));
  const p = scale(-length / here.gradientNorm, here.gradient);
  return { step: { p, predicted: NaN, norm: length, kind: 'negative curvature' }, slope: -length * here.gradientNorm };
}

/**
 * Iteration `k` along `direction`: the line search, the record, and the move to the new point.
 * A Newton step within the tolerances ends the run: taken if L accepts it at t = 1, else it is
 * below what L can resolve and θ stays. Returns why the run stops, or undefined to go on.
 */
function takeStep<P extends Tree>(
  objective: FlatObjective<P>,
  settings: NewtonSettings,
  run: NewtonRun,
  direction: NewtonDirection,
  k: number,
): Stop | undefined {
  const { theta, here } = run;
  const { p, kind, predicted, norm } = direction.step;
  const done = kind === 'newton' ? newtonStepRule(settings, predicted, here.value, p, theta) : undefined;
  const searched = settings.lineSearch
    ? backtrack(objective, theta, here, p, direction.slope, done === undefined ? MAX_BACKTRACKS : 1)
    : ({ t: 1, next: axpy(1, p, theta), trial: undefined } as Searched);
  const record: NewtonIteration = {
    iteration: k,
    value: here.value,
    gradientNorm: here.gradientNorm,
    cgIterations: direction.cgIterations,
    step: searched.t,
    damping: direction.damping,
  };
  run.history.push(record);
  settings.onIteration?.({ ...record });
  if (searched.t === 0) {
    return {
      reason: done ?? 'rounding',
      detail: done === undefined ? (searched.why ?? '') : ' (that step, below what L can resolve, was not taken)',
    };
  }
  run.theta = searched.next;
  run.here = searched.trial ?? objective.record(run.theta, `at iteration ${k + 1}`);
  run.lastStepNorm = searched.t * norm;
  if (done !== undefined) return { reason: done, detail: '' };
  // A step judged by the gradients (below the rounding of L) must keep shrinking ‖g‖.
  if (searched.trial === undefined) run.watch.seen(run.here.gradientNorm);
  else if (run.watch.step(run.here.gradientNorm)) return { reason: 'rounding', detail: GRADIENT_FLOOR };
  return undefined;
}

/** What the line search found: t (0 if no step changes θ, with `why`), θ + tp and, in the rounding regime, the recording there. */
interface Searched {
  readonly t: number;
  readonly next: Float64Array;
  readonly trial: Recorded | undefined;
  readonly why?: string;
}

/**
 * Backtracking from t = 1 along p (slope = gᵀp < 0) to the first t meeting Armijo's condition,
 * by safeguarded quadratic interpolation (the next t in [t/10, t/2]). Where the decrease a step
 * can bring is below 10⁻⁹·|L|, the condition is judged on ½t(g + g₊)ᵀp instead of the rounded
 * difference of L. Returns t = 0 with the reason when θ + tp no longer differs from θ, or after
 * `maxTries` trial points.
 */
function backtrack<P extends Tree>(
  objective: FlatObjective<P>,
  theta: Float64Array,
  here: Recorded,
  p: Float64Array,
  slope: number,
  maxTries: number,
): Searched {
  const value = here.value;
  let t = 1;
  for (let tries = 0; tries < maxTries; tries++) {
    const next = axpy(t, p, theta);
    if (unchanged(theta, next))
      return {
        t: 0,
        next: theta,
        trial: undefined,
        why: ` (the line search reached a step t = ${t.toExponential(2)} that no longer changes θ)`,
      };
    const trialValue = objective.valueAt(next);
    if (Number.isFinite(trialValue)) {
      if (-t * slope <= ROUNDING_REGIME * Math.abs(value)) {
        const trial = recordTrial(objective, next);
        if (
          trial !== undefined &&
          0.5 * t * (slope + dot(trial.gradient, p)) <= ARMIJO * t * slope &&
          trialValue <= value + ROUNDING_REGIME * Math.abs(value)
        ) {
          return { t, next, trial };
        }
      } else if (trialValue <= value + ARMIJO * t * slope) {
        return { t, next, trial: undefined };
      }
    }
    // Minimiser of the quadratic through L(θ), the slope and L(θ + tp), kept in [t/10, t/2].
    const curvature = 2 * (trialValue - value - t * slope);
    const interpolated = Number.isFinite(curvature) && curvature > 0 ? (-slope * t * t) / curvature : 0.5 * t;
    t = Math.min(0.5 * t, Math.max(0.1 * t, interpolated));
  }
  return {
    t: 0,
    next: theta,
    trial: undefined,
    why: ` (no decrease along the Newton direction after ${maxTries} backtracking steps)`,
  };
}
