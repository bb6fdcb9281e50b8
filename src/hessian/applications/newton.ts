/**
 * A Hessian-free Newton–CG trainer: the showcase of the hessian layer as an optimiser.
 *
 * Each iteration records the loss once with `hessianOperator` (which hands back the value and
 * the gradient g with the recording), solves the Newton system (H + λI)p = −g by `cgSolve`
 * — replaying the recorded tape once per Hessian-vector product, the Hessian is never formed —
 * and moves along p with a backtracking (Armijo) line search:
 *
 *     θ ← θ + t·p,   the largest t ∈ {1, ½, ¼, …} with L(θ + tp) ≤ L(θ) + c·t·gᵀp (c = 10⁻⁴).
 *
 * The CG tolerance follows the Eisenstat–Walker "forcing" idea: solve only as accurately as the
 * gradient deserves, η = min(½, ‖g‖), which keeps early steps cheap and gives quadratic local
 * convergence — enough to drive a strictly convex loss to ‖g‖ ≤ 1e-10 in a handful of steps.
 *
 * Two safeguards make it usable on non-convex losses (an MLP): when CG meets negative curvature
 * the step is retried with the damping raised (Levenberg–Marquardt style, ×10 each time), and
 * near the optimum, where L(θ + tp) − L(θ) is below the rounding level of L, a step is accepted
 * if it does not increase L by more than a few ulps — otherwise Armijo would reject every step
 * once ‖g‖ ≈ 1e-8 and the last digits of convergence would be lost to rounding.
 *
 * Provides `newtonCg`. Leaves out trust regions (Steihaug CG) and stochastic (minibatch) Newton.
 */
import { NegativeCurvatureError, NonFiniteError } from '../../errors.js';
import { ravel, tensor, type Tensor, type Tree, type TensorTree } from '../../autodiff/index.js';
import { axpy, dot, norm2 } from '../../linalg/index.js';
import { checkArity, checkBoolean, checkFunction, checkNonNegative, checkCount, checkOneOf, checkPositive, checkPositiveInteger, readOptions } from '../../validate.js';
import { flatView, recordHessian } from '../hessian-operator.js';
import { HVP_MODES, readTree, type HvpMode } from '../hvp.js';
import { cgSolve } from '../linear/index.js';
import { reportedAs } from '../linear/arguments.js';

/** Options of `newtonCg`. */
export interface NewtonCgOptions {
  /** Stop when ‖∇L(θ)‖₂ ≤ tolerance (default 1e-10). */
  tolerance?: number;
  /** Newton iterations at most (default 50). Reaching the limit returns converged: false. */
  maxIterations?: number;
  /** λ ≥ 0: each step solves (H + λI)p = −g (default 0). */
  damping?: number;
  /** Backtracking Armijo line search (default true); false takes full steps. */
  lineSearch?: boolean;
  /** CG iterations per Newton step at most (default 10·d, CG's own default). */
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
  /** The step length t the line search accepted. */
  step: number;
  /** The damping the step was solved with (raised above the option after negative curvature). */
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
  converged: boolean;
  reason: string;
  history: NewtonIteration[];
  /** Hessian-vector products spent by CG, over all iterations. */
  hessianVectorProducts: number;
}

const ARMIJO = 1e-4;
const MAX_HALVINGS = 40;
const MAX_DAMPING_RAISES = 12;

/** The options of `newtonCg`, checked, with their defaults. */
export interface NewtonSettings {
  readonly tolerance: number;
  readonly maxIterations: number;
  readonly damping: number;
  readonly lineSearch: boolean;
  readonly cgMaxIterations: number | undefined;
  readonly mode: HvpMode;
  readonly onIteration: ((record: NewtonIteration) => void) | undefined;
}

/** @internal Reads the options of `newtonCg` for the public function `fn` (unknown keys refused). @example readNewtonOptions('retrainWithout', { tolerance: 1e-9 }).maxIterations; // 50 */
export function readNewtonOptions(fn: string, options: unknown): NewtonSettings {
  const given = readOptions(fn, options as NewtonCgOptions | undefined, ['tolerance', 'maxIterations', 'damping', 'lineSearch', 'cgMaxIterations', 'mode', 'onIteration']);
  return {
    tolerance: given.tolerance === undefined ? 1e-10 : checkPositive(fn, 'options.tolerance', given.tolerance),
    maxIterations: given.maxIterations === undefined ? 50 : checkCount(fn, 'options.maxIterations', given.maxIterations),
    damping: given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping),
    lineSearch: given.lineSearch === undefined ? true : checkBoolean(fn, 'options.lineSearch', given.lineSearch),
    cgMaxIterations: given.cgMaxIterations === undefined ? undefined : checkPositiveInteger(fn, 'options.cgMaxIterations', given.cgMaxIterations),
    mode: given.mode === undefined ? 'fwd-over-rev' : checkOneOf(fn, 'options.mode', given.mode, HVP_MODES),
    onIteration: given.onIteration === undefined ? undefined : checkFunction(fn, 'options.onIteration', given.onIteration),
  };
}

/**
 * Minimises `loss` from `params` by Hessian-free Newton–CG (see the module comment). `params` may
 * be a tree; an empty one is already optimal (‖g‖ = 0). `onIteration` receives a copy of each
 * record, so the returned `history` cannot be changed through it.
 *
 * @example
 * const { params, gradientNorm } = newtonCg((p) => logisticObjective(p, train, 0.01), init, { tolerance: 1e-10 });
 * // warm start (leave-one-out retraining): newtonCg(lossWithout(i), params)
 */
export function newtonCg<P extends Tree>(loss: (params: TensorTree<P>) => Tensor | number, params: P, options?: NewtonCgOptions): NewtonCgResult<P> {
  const fn = 'newtonCg';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'loss', loss);
  readTree(fn, 'params', params);
  return minimise(fn, loss, params, readNewtonOptions(fn, options));
}

/** @internal Newton–CG with checked arguments; errors name the public function `fn`. @example minimise('retrainWithout', loss, params, readNewtonOptions('retrainWithout', options)); */
export function minimise<P extends Tree>(fn: string, loss: (params: TensorTree<P>) => Tensor | number, params: P, settings: NewtonSettings): NewtonCgResult<P> {
  const { tolerance, maxIterations, damping, lineSearch, mode, onIteration } = settings;
  const { vector, unravel } = ravel(params);
  let theta = vector.toArray();
  const lossAt = (x: Float64Array): number => {
    const out = loss(unravel(tensor(x)) as TensorTree<P>);
    return typeof out === 'number' ? out : out.item();
  };
  const flatLoss = (z: Tensor) => loss(unravel(z) as TensorTree<P>);

  const history: NewtonIteration[] = [];
  let products = 0;
  let reason = 'iteration limit';
  let converged = false;
  let value = NaN;
  let gradientNorm = NaN;
  for (let k = 0; ; k++) {
    const x = tensor(theta);
    const H = recordHessian(fn, flatLoss as (x: never) => Tensor, x, flatView(fn, 'params', x), { mode, damping: 0, step: undefined }, []);
    const g = H.gradient;
    value = H.value();
    gradientNorm = norm2(g);
    if (!Number.isFinite(value) || !Number.isFinite(gradientNorm)) {
      throw new NonFiniteError(fn, `the loss or its gradient is not finite at iteration ${k} (L = ${value}, ‖g‖ = ${gradientNorm}); check the model's inputs and the starting point`);
    }
    if (gradientNorm <= tolerance) {
      converged = true;
      reason = 'gradient tolerance reached';
      break;
    }
    if (k === maxIterations) break;

    // Newton direction: (H + λI)p = −g, solved to the forcing tolerance η = min(½, ‖g‖).
    const minusG = g.map((v) => -v);
    const cgTolerance = Math.max(Math.min(0.5, gradientNorm), 1e-15);
    const operator = { size: H.size, apply: H.product };
    let lambda = damping;
    let p: Float64Array | undefined;
    let cgIterations = 0;
    for (let raise = 0; p === undefined; raise++) {
      try {
        const solved = reportedAs(fn, () =>
          cgSolve(operator, minusG, { tolerance: cgTolerance, damping: lambda, ...(settings.cgMaxIterations === undefined ? {} : { maxIterations: settings.cgMaxIterations }) }),
        );
        products += solved.operatorApplications;
        cgIterations = solved.iterations;
        p = solved.x;
      } catch (error) {
        if (!(error instanceof NegativeCurvatureError) || raise === MAX_DAMPING_RAISES) throw error;
        // H + λI is indefinite along some direction: raise λ past the curvature CG saw.
        lambda = Math.max(10 * lambda, 2 * Math.abs(error.curvature), 1e-8);
      }
    }
    let slope = dot(g, p);
    if (!(slope < 0)) {
      // Not a descent direction (possible only from an inexact solve): fall back to −g.
      p = minusG;
      slope = -gradientNorm * gradientNorm;
    }

    let t = 1;
    let next = axpy(t, p, theta);
    if (lineSearch) {
      const slack = 8 * Number.EPSILON * Math.abs(value);
      for (let halvings = 0; ; halvings++) {
        const trial = lossAt(next);
        if (Number.isFinite(trial) && (trial <= value + ARMIJO * t * slope || trial <= value + slack)) break;
        if (halvings === MAX_HALVINGS) {
          reason = `line search failed: no decrease along the Newton direction after ${MAX_HALVINGS} halvings (‖g‖ = ${gradientNorm.toExponential(2)}, probably at the rounding floor)`;
          t = 0;
          break;
        }
        t /= 2;
        next = axpy(t, p, theta);
      }
    }
    const record: NewtonIteration = { iteration: k, value, gradientNorm, cgIterations, step: t, damping: lambda };
    history.push(record);
    onIteration?.({ ...record });
    if (t === 0) break;
    theta = next;
  }
  return {
    params: unravel(tensor(theta)) as TensorTree<P>,
    vector: theta,
    value,
    gradientNorm,
    iterations: history.length,
    converged,
    reason,
    history,
    hessianVectorProducts: products,
  };
}
