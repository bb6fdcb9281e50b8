/**
 * Fast leave-one-out (and leave-group-out) retraining, and the real retraining that checks it.
 *
 * The training objective is written with per-example weights,
 *
 *     L(θ; w) = Σᵢ wᵢ·ℓᵢ(θ) + R(θ),   wᵢ = 1/n for the model that was trained,
 *
 * and leaving the set S out means wᵢ = 0 for i ∈ S (Koh & Liang's ε = −1/n per point; the
 * regulariser keeps its weight). At the trained θ̂ the gradient vanishes, so the leave-out
 * objective's gradient there is −(1/n)Σ_{i∈S}∇ℓᵢ(θ̂), and one Newton step predicts
 *
 *     θ₋S ≈ θ̂ + (1/n)·H⁻¹·Σ_{i∈S}∇ℓᵢ(θ̂)                        (the influence prediction)
 *
 * with H = ∇²L(θ̂) of the FULL objective (so one factorisation, or one operator, serves every i).
 * The error is second order in the step, O(1/n²) for one point. `newtonStepWithout` takes the
 * same step with the leave-out objective's own Hessian H₋S = H − (1/n)Σ_{i∈S}∇²ℓᵢ — slightly
 * more accurate (the exact first Newton iterate) and one solve per set instead of one for all.
 * `retrainWithout` is the ground truth: Newton–CG on the leave-out objective, warm-started at θ̂,
 * to ‖∇L₋S‖ ≤ 1e-10 by default.
 *
 * The predicted change of any differentiable quantity q (a test loss) is then ∇qᵀ(θ₋S − θ̂),
 * which `influence` computes for all i at once from a single solve.
 */
import { ShapeError } from '../../errors.js';
import type { Tensor, Tree, TensorTree } from '../../autodiff/index.js';
import { addVectors, divideByScalar, gemv } from '../../linalg/index.js';
import { checkArity, checkFunction, checkIndexList, checkPositiveInteger, checkVector } from '../../validate.js';
import { flatView, recordHessian } from '../hessian-operator.js';
import { readTree } from '../hvp.js';
import { cgSolve, type CgOptions, type SolveResult } from '../linear/index.js';
import type { InverseHessian } from '../linear/index.js';
import { minimise, readNewtonOptions, type NewtonCgOptions, type NewtonCgResult } from './newton.js';
import { readGradients, readInverse, reportedAs, solveWith, splitOptions } from '../linear/arguments.js';

/** A training objective with per-example weights: Σᵢ wᵢℓᵢ(θ) + R(θ). */
export type WeightedObjective<P> = (params: TensorTree<P>, weights: Float64Array) => Tensor | number;

/** Per-example gradients as `perSampleGradients` returns them. */
type Gradients = { readonly gradients: Float64Array; readonly count: number; readonly size: number };

/**
 * The weights of the leave-out objective: 1/n everywhere, 0 at the removed indices. `removed` is
 * a list of distinct indices in [0, count); an empty list removes nothing (all 1/n), and removing
 * every point leaves only the regulariser.
 * @example leaveOutWeights(4, [2]); // → [0.25, 0.25, 0, 0.25]
 */
export function leaveOutWeights(count: number, removed: ArrayLike<number>): Float64Array {
  const fn = 'leaveOutWeights';
  checkArity(fn, arguments.length, 2);
  return weightsWithout(fn, count, removed);
}

function weightsWithout(fn: string, count: number, removed: unknown): Float64Array {
  const n = checkPositiveInteger(fn, 'count', count);
  const indices = checkIndexList(fn, 'removed', removed, { size: n, unique: true });
  const w = new Float64Array(n).fill(1 / n);
  for (const i of indices) w[i] = 0;
  return w;
}

/**
 * Predicted parameter change Δθ = θ₋ᵢ − θ̂ ≈ (1/n)·H⁻¹∇ℓᵢ for each listed training point
 * (default all; an empty list gives an empty result; repeats are allowed), as a k×d row-major
 * matrix, with the solves. One solve per point — with `exactInverse` that is two triangular
 * solves each.
 *
 * @example
 * const { deltas } = predictLeaveOneOut(exactInverse(H), G, [3, 17]); // 2×d
 */
export function predictLeaveOneOut(
  inverse: InverseHessian,
  trainGradients: Gradients,
  indices?: ArrayLike<number>,
): { deltas: Float64Array; solves: SolveResult[] } {
  const fn = 'predictLeaveOneOut';
  checkArity(fn, arguments.length, 3);
  const inv = readInverse(fn, 'inverse', inverse);
  const G = readGradients(fn, 'trainGradients', trainGradients, inv.size);
  const { count: n, size: d } = G;
  const which =
    indices === undefined
      ? Int32Array.from({ length: n }, (_, i) => i)
      : checkIndexList(fn, 'indices', indices, { size: n });
  const deltas = new Float64Array(which.length * d);
  const solves: SolveResult[] = [];
  for (let k = 0; k < which.length; k++) {
    const i = which[k]!;
    const solve = solveWith(fn, inv, G.gradients.slice(i * d, (i + 1) * d), `row ${i}`);
    solves.push(solve);
    divideByScalar(solve.x, n, deltas.subarray(k * d, (k + 1) * d)); // row k: (1/n)·H⁻¹∇ℓᵢ
  }
  return { deltas, solves };
}

/**
 * Predicted parameter change when the whole group S is left out: (1/n)·H⁻¹·Σ_{i∈S}∇ℓᵢ (one solve).
 * `group` lists distinct indices (a repeat would count a point twice); an empty group predicts
 * no change. First order: the error grows like |S|²/n², so it is reliable for groups small
 * against n.
 *
 * @example
 * const { delta } = predictGroupRemoval(exactInverse(H), G, [4, 8, 15, 16, 23, 42]);
 */
export function predictGroupRemoval(
  inverse: InverseHessian,
  trainGradients: Gradients,
  group: ArrayLike<number>,
): { delta: Float64Array; solve: SolveResult } {
  const fn = 'predictGroupRemoval';
  checkArity(fn, arguments.length, 3);
  const inv = readInverse(fn, 'inverse', inverse);
  const G = readGradients(fn, 'trainGradients', trainGradients, inv.size);
  const { count: n, size: d } = G;
  const members = checkIndexList(fn, 'group', group, { size: n, unique: true });
  const sum = new Float64Array(d);
  for (const i of members) addVectors(sum, G.gradients.subarray(i * d, (i + 1) * d), sum);
  const solve = solveWith(fn, inv, sum, 'the summed gradients of the group');
  return { delta: divideByScalar(solve.x, n), solve };
}

/**
 * The predicted change of a quantity with gradient `gradient` (e.g. a test loss) for each row of
 * a k×d matrix of parameter changes: ∇qᵀΔθ per row. Both must be finite; `gradient` must not be
 * empty (it fixes d, and so the number of rows).
 * @example predictedChange(testGradient, predictLeaveOneOut(inverse, G).deltas); // one change per training point
 */
export function predictedChange(gradient: Float64Array, deltas: Float64Array): Float64Array {
  const fn = 'predictedChange';
  checkArity(fn, arguments.length, 2);
  const d = checkVector(fn, 'gradient', gradient, { empty: false }).length;
  checkVector(fn, 'deltas', deltas);
  if (deltas.length % d !== 0)
    throw new ShapeError(
      fn,
      `deltas has ${deltas.length} entries, not a multiple of d = ${d} (the length of gradient)`,
    );
  return gemv(deltas, deltas.length / d, d, gradient);
}

/**
 * The ground truth: retrains on the objective without `removed` (weights 0 there, 1/n elsewhere;
 * see `leaveOutWeights`) by Newton–CG warm-started at `params` (the trained θ̂), to
 * ‖∇L₋S‖ ≤ 1e-10 unless `options.tolerance` says otherwise (options are those of `newtonCg`).
 *
 * @example
 * const { vector } = retrainWithout((p, w) => objective(p, train, 0.01, w), trained, N, [17]);
 */
export function retrainWithout<P extends Tree>(
  objective: WeightedObjective<P>,
  params: P,
  count: number,
  removed: ArrayLike<number>,
  options?: NewtonCgOptions,
): NewtonCgResult<P> {
  const fn = 'retrainWithout';
  checkArity(fn, arguments.length, 5);
  checkFunction(fn, 'objective', objective);
  readTree(fn, 'params', params);
  const weights = weightsWithout(fn, count, removed);
  return minimise<P>(fn, (p) => objective(p, weights), params, readNewtonOptions(fn, options));
}

/**
 * One exact Newton step on the leave-out objective from θ̂: solves H₋S·Δθ = −∇L₋S(θ̂) by CG on
 * the recorded Hessian of the leave-out objective (options those of `cgSolve`; default tolerance
 * 1e-12). Returns Δθ (flat). More accurate than the influence prediction, but it needs a new
 * operator per set S.
 *
 * @example
 * const { delta } = newtonStepWithout((p, w) => objective(p, train, 0.01, w), trained, N, [17]);
 */
export function newtonStepWithout<P extends Tree>(
  objective: WeightedObjective<P>,
  params: P,
  count: number,
  removed: ArrayLike<number>,
  options?: CgOptions,
): { delta: Float64Array; solve: SolveResult } {
  const fn = 'newtonStepWithout';
  checkArity(fn, arguments.length, 5);
  checkFunction(fn, 'objective', objective);
  readTree(fn, 'params', params);
  const weights = weightsWithout(fn, count, removed);
  const { rest: cgOptions } = splitOptions(fn, options, []);
  // Recorded on the tree itself; v ↔ tree goes through the flat view, outside the tape.
  const loss = (p: TensorTree<P>) => objective(p, weights);
  const H = recordHessian(
    fn,
    loss as (x: never) => Tensor,
    params,
    flatView(fn, 'params', params),
    { mode: 'fwd-over-rev', damping: 0, step: undefined },
    [],
  );
  const solve = reportedAs(fn, () =>
    cgSolve(
      { size: H.size, apply: H.product },
      H.gradient.map((v) => -v),
      { tolerance: 1e-12, ...cgOptions },
    ),
  );
  return { delta: solve.x, solve };
}
