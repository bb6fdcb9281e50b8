/**
 * Newton trust-region minimisation with Steihaug–Toint truncated CG on the recorded Hessian.
 *
 * Each iteration minimises the quadratic model of the loss around θ,
 *
 *     m(p) = L(θ) + gᵀp + ½pᵀHp   subject to ‖p‖ ≤ Δ,
 *
 * by conjugate gradients started at p = 0 (Steihaug 1983, Toint 1981): CG runs until the
 * forcing tolerance ‖Hp + g‖ ≤ η‖g‖ is met (a Newton step, inside the region), until its iterate
 * would leave the region (the step is cut at the boundary), or until a direction d has
 * dᵀHd ≤ 0 — negative curvature, along which the model decreases without bound, so the step
 * follows d to the boundary. Every product is a replay of one recorded tape (`hessianOperator`);
 * H is never formed.
 *
 * The step is then judged by ρ = (actual decrease)/(predicted decrease) and the radius updated
 * as in Nocedal & Wright, Numerical Optimization (2006), Algorithm 4.1: ρ < ¼ shrinks Δ to
 * ¼·min(Δ, ‖p‖); ρ > ¾ with p on the boundary doubles it; the step is taken when ρ > 0.1.
 * Two details make the method cheap and safe:
 *
 * - The CG iterates of one solve lie on a path whose length grows monotonically (Steihaug's
 *   theorem), so the step for a smaller radius is a point on the same path: a rejected step
 *   costs one evaluation of L, no Hessian-vector products.
 * - Near a minimum the decrease a step can bring is below the rounding of L; there the actual
 *   decrease is measured by the gradients, ½(g + g₊)ᵀp, instead of L(θ) − L(θ + p).
 *
 * Stopping rules (shared with `newtonCg`, see stopping.ts) are relative to ‖g₀‖ and to |L|, so
 * minimising c·L takes the same steps for any c > 0. The first radius is the length of the first
 * Newton step when the model is convex along the CG path, so no radius guess is needed.
 *
 * Provides `trustRegion`, and the truncated CG and the flat view of the loss that `newtonCg`
 * shares. Leaves out exact (Moré–Sorensen) and Lanczos (GLTR) subproblem solvers, and bounds.
 */
import { NonFiniteError } from '../../errors.js';
import type { Tensor, Tree, TensorTree } from '../../autodiff/index.js';
import { axpy, dot, norm2 } from '../../linalg/index.js';
import { checkArity, checkFunction, checkNumber, readOptions } from '../../validate.js';
import { flatView, recordHessian } from '../hessian-operator.js';
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

// ---------------------------------------------------------------------------------------------
// The loss on a flat parameter vector, with counts

/** The loss, its gradient and its Hessian operator at one point. */
export interface Recorded {
  readonly value: number;
  readonly gradient: Float64Array;
  readonly gradientNorm: number;
  /** H·v (plus damping, if the objective was built with some), replaying the recording. */
  readonly product: (v: Float64Array) => Float64Array;
}

/** @internal The loss as a function of the flat vector θ = ravel(params), counting its evaluations. */
export interface FlatObjective<P extends Tree> {
  readonly start: Float64Array;
  /** L(θ) (one evaluation of the loss). */
  valueAt(theta: Float64Array): number;
  /** L, ∇L and the Hessian operator at θ (one gradient); throws NonFiniteError if L or ∇L is not finite. */
  record(theta: Float64Array, where: string): Recorded;
  toParams(theta: Float64Array): TensorTree<P>;
  readonly counts: { functionEvaluations: number; gradientEvaluations: number; hessianVectorProducts: number };
}

/** @internal The flat objective of `loss` at `params` for the public function `fn` (arguments already checked). @example flatObjective('trustRegion', loss, params, 'fwd-over-rev', 0).record(theta, 'at the start').value; */
export function flatObjective<P extends Tree>(
  fn: string,
  loss: (params: TensorTree<P>) => Tensor | number,
  params: P,
  mode: HvpMode,
  damping: number,
): FlatObjective<P> {
  // The tape is recorded on the tree itself; θ ↔ tree goes through one flat view, outside it.
  const view = flatView(fn, 'params', params);
  const at = (theta: Float64Array) => view.toTree(theta) as TensorTree<P>;
  const counts = { functionEvaluations: 0, gradientEvaluations: 0, hessianVectorProducts: 0 };
  return {
    start: view.toFlat(params),
    counts,
    valueAt(theta) {
      counts.functionEvaluations++;
      const out = loss(at(theta));
      return typeof out === 'number' ? out : out.item();
    },
    record(theta, where) {
      counts.gradientEvaluations++;
      const H = recordHessian(
        fn,
        loss as (x: never) => Tensor,
        at(theta),
        view,
        { mode, damping, step: undefined },
        [],
      );
      const value = H.value();
      const gradient = H.gradient;
      const gradientNorm = norm2(gradient);
      if (!Number.isFinite(value) || !Number.isFinite(gradientNorm)) {
        throw new NonFiniteError(
          fn,
          `the loss or its gradient is not finite ${where} (L = ${value}, ‖g‖ = ${gradientNorm}); check the model's inputs and the starting point`,
        );
      }
      const product = (v: Float64Array) => {
        counts.hessianVectorProducts++;
        return H.product(v);
      };
      return { value, gradient, gradientNorm, product };
    },
    toParams: at,
  };
}

// ---------------------------------------------------------------------------------------------
// Steihaug–Toint truncated CG, kept as a path

/** A step on the CG path: p, H·p, the model decrease −(gᵀp + ½pᵀHp) and where it lies. */
export interface PathStep {
  readonly p: Float64Array;
  readonly predicted: number;
  readonly norm: number;
  /**
   * 'newton': CG met its tolerance (or its iteration limit) inside the radius; 'boundary': the
   * path was cut at the radius; 'negative curvature': a direction with dᵀHd ≤ 0 followed to it.
   */
  readonly kind: 'newton' | 'boundary' | 'negative curvature';
}

/** @internal The CG iterates of one solve, from which the step for any radius up to the one solved with is read off. */
export interface CgPath {
  /** CG iterations run. */
  readonly iterations: number;
  /** A direction of non-positive curvature ended the path (it extends without bound). */
  readonly negativeCurvature: boolean;
  /** dᵀHd/dᵀd along that direction (NaN if there was none). */
  readonly curvature: number;
  /** The length of the last CG iterate. */
  readonly endNorm: number;
  /** The step for radius Δ, no longer than the radius the path was computed for. */
  stepWithin(radius: number): PathStep;
  /** The last CG iterate ('negative curvature' if a direction of negative curvature stopped CG there). */
  end(): PathStep;
}

interface Segment {
  readonly z: Float64Array;
  readonly hz: Float64Array;
  readonly d: Float64Array;
  readonly hd: Float64Array;
  /** The CG step along d (Infinity on a direction of negative curvature). */
  readonly alpha: number;
}

/** The τ ≥ 0 with ‖z + τd‖ = Δ (‖z‖ ≤ Δ), by the cancellation-free root of the quadratic. */
function toBoundary(z: Float64Array, d: Float64Array, radius: number): number {
  const dd = dot(d, d);
  const zd = dot(z, d);
  const gap = Math.max(0, radius * radius - dot(z, z));
  const root = Math.sqrt(zd * zd + dd * gap);
  return zd > 0 ? gap / (zd + root) : (root - zd) / dd;
}

/**
 * @internal Truncated CG on Hp = −g, from p = 0, stopping at ‖Hp + g‖ ≤ η‖g‖, at `maxIterations`,
 * when an iterate reaches `radius`, or at a direction d with dᵀHd ≤ 0. With radius = Infinity
 * the path's end is the truncated-Newton step of Nocedal & Wright Algorithm 7.1.
 * @example truncatedCg((v) => H.apply(v), g, 0.1, 20, Infinity).stepWithin(Infinity).p;
 */
export function truncatedCg(
  product: (v: Float64Array) => Float64Array,
  g: Float64Array,
  eta: number,
  maxIterations: number,
  radius: number,
): CgPath {
  const n = g.length;
  const segments: Segment[] = [];
  let z: Float64Array = new Float64Array(n);
  let hz: Float64Array = new Float64Array(n);
  let r: Float64Array = Float64Array.from(g); // r = Hz + g
  let d: Float64Array = g.map((v) => -v);
  let rr = dot(r, r);
  const target = eta * Math.sqrt(rr);
  let negativeCurvature = false;
  let rayleigh = NaN;
  let interior = true;
  let iterations = 0;
  while (iterations < maxIterations && Math.sqrt(rr) > target) {
    iterations++;
    const hd = product(d);
    const curvature = dot(d, hd);
    if (!Number.isFinite(curvature)) break; // overflow: keep the last finite iterate
    if (curvature <= 0) {
      segments.push({ z, hz, d, hd, alpha: Infinity });
      negativeCurvature = true;
      rayleigh = curvature / dot(d, d);
      interior = false;
      break;
    }
    const alpha = rr / curvature;
    segments.push({ z, hz, d, hd, alpha });
    const zNext = axpy(alpha, d, z);
    if (norm2(zNext) >= radius) {
      interior = false;
      break;
    }
    z = zNext;
    hz = axpy(alpha, hd, hz);
    r = axpy(alpha, hd, r);
    const rrNext = dot(r, r);
    d = axpy(
      rrNext / rr,
      d,
      r.map((v) => -v),
    );
    rr = rrNext;
  }
  return cgPath(g, segments, { z, hz }, { iterations, negativeCurvature, curvature: rayleigh, interior });
}

/**
 * The path of one CG solve on Hp = −g: its segments, its last iterate `end` (with H·end) and how
 * the solve ended.
 */
function cgPath(
  g: Float64Array,
  segments: readonly Segment[],
  end: { z: Float64Array; hz: Float64Array },
  how: { iterations: number; negativeCurvature: boolean; curvature: number; interior: boolean },
): CgPath {
  const { iterations, negativeCurvature, curvature, interior } = how;
  const endNorm = norm2(end.z);
  const model = (p: Float64Array, hp: Float64Array) => -(dot(g, p) + 0.5 * dot(p, hp));
  return {
    iterations,
    negativeCurvature,
    curvature,
    endNorm,
    end: () => ({
      p: end.z.slice(),
      predicted: model(end.z, end.hz),
      norm: endNorm,
      kind: negativeCurvature ? 'negative curvature' : interior ? 'newton' : 'boundary',
    }),
    stepWithin(limit: number): PathStep {
      if (interior && endNorm <= limit)
        return { p: end.z.slice(), predicted: model(end.z, end.hz), norm: endNorm, kind: 'newton' };
      // The first segment that reaches the radius (the path's length only grows along it).
      for (const s of segments) {
        const reach = s.alpha === Infinity ? Infinity : norm2(axpy(s.alpha, s.d, s.z));
        if (reach < limit) continue;
        const tau = toBoundary(s.z, s.d, limit);
        const p = axpy(tau, s.d, s.z);
        return {
          p,
          predicted: model(p, axpy(tau, s.hd, s.hz)),
          norm: norm2(p),
          kind: s.alpha === Infinity ? 'negative curvature' : 'boundary',
        };
      }
      // Only after an overflow: the last finite iterate.
      return {
        p: end.z.slice(),
        predicted: model(end.z, end.hz),
        norm: endNorm,
        kind: interior ? 'newton' : 'boundary',
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------
// trustRegion

/** Options of `trustRegion`. */
export interface TrustRegionOptions extends StoppingOptions {
  /** Steps (trial points) at most (default 1000). Reaching the limit returns converged: false. */
  maxIterations?: number;
  /** Δ₀ > 0 (default: the length of the first Newton step, or max(1, ‖θ₀‖) if the model has negative curvature there). */
  initialRadius?: number;
  /** The radius never grows beyond this (default Infinity). */
  maxRadius?: number;
  /** CG iterations per step at most (default 2·d + 2). */
  cgMaxIterations?: number;
  /** The HVP mode of the recorded operator (default 'fwd-over-rev'). */
  mode?: HvpMode;
  /** Called after each step with its record. */
  onIteration?: (record: TrustRegionIteration) => void;
}

/** One trust-region step (taken or not), for convergence plots. */
export interface TrustRegionIteration {
  iteration: number;
  /** L(θ) and ‖∇L(θ)‖ at the point the step starts from. */
  value: number;
  gradientNorm: number;
  /** The radius the step was computed for. */
  radius: number;
  stepNorm: number;
  /** Actual over predicted decrease. */
  ratio: number;
  accepted: boolean;
  /** CG iterations of this step (0 when it was read off the previous step's path). */
  cgIterations: number;
  /** Where the step lies: 'newton' (inside the region), 'boundary', or 'negative curvature' (followed to the boundary). */
  kind: 'newton' | 'boundary' | 'negative curvature';
}

/** The result of `trustRegion`. */
export interface TrustRegionResult<P> {
  /** θ at the end, in the structure of the input parameters. */
  params: TensorTree<P>;
  /** θ flattened (`ravel` order). */
  vector: Float64Array;
  value: number;
  gradientNorm: number;
  /** True when a tolerance was met ('gradient', 'value' or 'step'). */
  converged: boolean;
  reason: StopReason;
  /** `reason` as a sentence, with the numbers. */
  message: string;
  /** Steps tried (taken or not). */
  iterations: number;
  hessianVectorProducts: number;
  /** Gradient evaluations (each also records the Hessian operator). */
  gradientEvaluations: number;
  /** Evaluations of the loss alone, at trial points. */
  functionEvaluations: number;
  /** The final radius. */
  radius: number;
  history: TrustRegionIteration[];
}

const SHRINK_BELOW = 0.25;
const GROW_ABOVE = 0.75;
const ACCEPT_ABOVE = 0.1;

interface TrustRegionSettings extends StoppingSettings, StepSettings<TrustRegionIteration> {
  readonly initialRadius: number | undefined;
  readonly maxRadius: number;
}

function readTrustRegionOptions(fn: string, options: unknown): TrustRegionSettings {
  const given = readOptions(fn, options as TrustRegionOptions | undefined, [
    ...STOPPING_KEYS,
    'maxIterations',
    'initialRadius',
    'maxRadius',
    ...STEP_KEYS,
  ]);
  return {
    ...readStopping(fn, given, 1000),
    initialRadius:
      given.initialRadius === undefined
        ? undefined
        : checkNumber(fn, 'options.initialRadius', given.initialRadius, { above: 0 }),
    maxRadius:
      given.maxRadius === undefined
        ? Infinity
        : checkNumber(fn, 'options.maxRadius', given.maxRadius, { above: 0, infinite: true }),
    ...readStepOptions(fn, given),
  };
}

/**
 * Minimises `loss` from `params` by a Newton trust-region method whose subproblem is solved by
 * Steihaug–Toint truncated CG on the recorded Hessian (see the module comment). `params` may be
 * a Tensor or a tree; an empty one is already optimal. Stops on the first rule met — the
 * gradient, value and step tolerances (relative by default), the iteration limit, or the
 * rounding floor — and says which in `reason` (`converged` is true for the first three).
 * `onIteration` receives a copy of each record.
 *
 * @example
 * import { trustRegion, tensor, slice, add, square, sub, mul, sum, type Tensor } from 'tapegrad';
 * const rosenbrock = (x: Tensor) => {
 *   const a = slice(x, [0], [1]);
 *   const b = slice(x, [1], [1]);
 *   return sum(add(square(sub(1, a)), mul(100, square(sub(b, square(a))))));
 * };
 * const result = trustRegion(rosenbrock, tensor([-1.2, 1]));
 * result.reason;   // → 'gradient'
 * result.vector;   // → [1, 1]
 * result.converged; // → true
 */
export function trustRegion<P extends Tree>(
  loss: (params: TensorTree<P>) => Tensor | number,
  params: P,
  options?: TrustRegionOptions,
): TrustRegionResult<P> {
  const fn = 'trustRegion';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'loss', loss);
  readTree(fn, 'params', params);
  const settings = readTrustRegionOptions(fn, options);
  const objective = flatObjective(fn, loss, params, settings.mode, 0);
  const start = objective.record(objective.start, 'at the start');
  const run: TrustRegionRun = {
    theta: objective.start,
    here: start,
    radius: settings.initialRadius ?? Infinity,
    path: undefined,
    pathIterations: 0,
    history: [],
    watch: roundingWatch(),
  };
  const stop = iterate(objective, settings, run);
  return {
    params: objective.toParams(run.theta),
    vector: run.theta.slice(),
    value: run.here.value,
    gradientNorm: run.here.gradientNorm,
    converged: isConverged(stop.reason),
    reason: stop.reason,
    message: describeStop(stop.reason, {
      gradientNorm: run.here.gradientNorm,
      initialGradientNorm: start.gradientNorm,
      detail: stop.detail,
    }),
    iterations: run.history.length,
    hessianVectorProducts: objective.counts.hessianVectorProducts,
    gradientEvaluations: objective.counts.gradientEvaluations,
    functionEvaluations: objective.counts.functionEvaluations,
    radius: run.radius,
    history: run.history,
  };
}

/**
 * Where a trust-region run is: θ and the recording there, the radius, the CG path of the
 * current point (undefined until solved; kept while steps are rejected) with the CG iterations
 * it cost not yet reported, and the records so far.
 */
interface TrustRegionRun {
  theta: Float64Array;
  here: Recorded;
  radius: number;
  path: CgPath | undefined;
  pathIterations: number;
  readonly history: TrustRegionIteration[];
  /** Watches the steps judged by the gradients (below the rounding of L). */
  readonly watch: ReturnType<typeof roundingWatch>;
}

/** Trust-region steps from `run` until a rule stops them: the gradient rule and the step limit here, the rest in `tryStep`. */
function iterate<P extends Tree>(
  objective: FlatObjective<P>,
  settings: TrustRegionSettings,
  run: TrustRegionRun,
): Stop {
  const cgMaxIterations = settings.cgMaxIterations ?? 2 * objective.start.length + 2;
  const forcing = forcingSequence(settings.forcing);
  const initialGradientNorm = run.here.gradientNorm;
  for (;;) {
    run.watch.seen(run.here.gradientNorm);
    const met = gradientRule(settings, run.here.gradientNorm, initialGradientNorm);
    if (met !== undefined) return { reason: met, detail: '' };
    if (run.history.length === settings.maxIterations) return { reason: 'iteration limit', detail: '' };
    run.path ??= solvePath(run, settings.maxRadius, forcing.next(run.here.gradientNorm), cgMaxIterations);
    const stop = tryStep(objective, settings, run, run.path.stepWithin(run.radius));
    if (stop !== undefined) return stop;
  }
}

/**
 * The CG path at the current point, solved for the current radius. With no radius yet, the first
 * Newton step sets it (or the size of θ, if the model is not convex along the path).
 */
function solvePath(run: TrustRegionRun, maxRadius: number, eta: number, cgMaxIterations: number): CgPath {
  const path = truncatedCg(run.here.product, run.here.gradient, eta, cgMaxIterations, run.radius);
  run.pathIterations = path.iterations;
  if (run.radius === Infinity) {
    run.radius = Math.min(
      maxRadius,
      path.negativeCurvature ? Math.max(path.endNorm, norm2(run.theta), 1) : path.endNorm,
    );
  }
  return path;
}

/**
 * Tries `step` from the current point: judges it by ρ = actual/predicted decrease, records it,
 * updates the radius, and moves when ρ > 0.1. A Newton step within the tolerances ends the run:
 * taken if it passed, else too small to judge. Returns why the run stops, or undefined to go on.
 */
function tryStep<P extends Tree>(
  objective: FlatObjective<P>,
  settings: TrustRegionSettings,
  run: TrustRegionRun,
  step: PathStep,
): Stop | undefined {
  const { theta, here, radius } = run;
  const next = axpy(1, step.p, theta);
  if (!(step.predicted > 0) || unchanged(theta, next)) {
    return {
      reason: 'rounding',
      detail:
        step.predicted > 0
          ? ` (the step ${step.norm.toExponential(2)} no longer changes θ)`
          : ' (the model predicts no decrease)',
    };
  }
  const measured = actualDecrease(objective, here, step, next, run.watch);
  if (measured === undefined) return { reason: 'rounding', detail: GRADIENT_FLOOR };
  const ratio = measured.actual / step.predicted;
  const accepted = ratio > ACCEPT_ABOVE;
  const record: TrustRegionIteration = {
    iteration: run.history.length,
    value: here.value,
    gradientNorm: here.gradientNorm,
    radius,
    stepNorm: step.norm,
    ratio,
    accepted,
    cgIterations: run.pathIterations,
    kind: step.kind,
  };
  run.history.push(record);
  settings.onIteration?.({ ...record });
  run.pathIterations = 0;
  run.radius = updatedRadius(radius, ratio, step, settings.maxRadius);
  const done = step.kind === 'newton' ? newtonStepRule(settings, step.predicted, here.value, step.p, theta) : undefined;
  if (!accepted)
    return done === undefined
      ? undefined
      : { reason: done, detail: ' (that step, below what L can resolve, was not taken)' };
  run.theta = next;
  run.here = measured.trial ?? objective.record(next, `at step ${run.history.length}`);
  run.path = undefined;
  return done === undefined ? undefined : { reason: done, detail: '' };
}

/**
 * The decrease of L the step to `next` brought: L(θ) − L(θ + p), or, below the rounding of L, the
 * decrease the gradients predict, −½(g + g₊)ᵀp, from the recording at θ + p (returned as `trial`).
 * −Infinity where L or ∇L is not finite at θ + p. Undefined when the steps judged by the gradients
 * have stopped shrinking ‖g‖ (the gradient's rounding floor).
 */
function actualDecrease<P extends Tree>(
  objective: FlatObjective<P>,
  here: Recorded,
  step: PathStep,
  next: Float64Array,
  watch: TrustRegionRun['watch'],
): { actual: number; trial: Recorded | undefined } | undefined {
  const trialValue = objective.valueAt(next);
  if (!Number.isFinite(trialValue)) return { actual: -Infinity, trial: undefined };
  if (!(step.predicted <= ROUNDING_REGIME * Math.abs(here.value)))
    return { actual: here.value - trialValue, trial: undefined };
  const trial = recordTrial(objective, next);
  if (watch.step(trial === undefined ? Infinity : trial.gradientNorm)) return undefined;
  return {
    actual: trial === undefined ? -Infinity : -0.5 * (dot(here.gradient, step.p) + dot(trial.gradient, step.p)),
    trial,
  };
}

/** Nocedal & Wright's radius update: ρ < ¼ shrinks Δ to ¼·min(Δ, ‖p‖); ρ > ¾ with p on the boundary doubles it (up to `maxRadius`). */
function updatedRadius(radius: number, ratio: number, step: PathStep, maxRadius: number): number {
  if (ratio < SHRINK_BELOW) return SHRINK_BELOW * Math.min(radius, step.norm);
  if (ratio > GROW_ABOVE && step.kind !== 'newton') return Math.min(2 * radius, maxRadius);
  return radius;
}

/** @internal The recording at a trial point, or undefined where L or ∇L is not finite there (the step is then refused). @example recordTrial(flatObjective('trustRegion', loss, params, 'fwd-over-rev', 0), theta)?.gradient; */
export function recordTrial<P extends Tree>(objective: FlatObjective<P>, theta: Float64Array): Recorded | undefined {
  try {
    return objective.record(theta, 'at a trial point');
  } catch (error) {
    if (error instanceof NonFiniteError) return undefined;
    throw error;
  }
}
