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
 * which `influence` in influence.ts computes for all i at once from a single solve.
 */
import { InvalidArgumentError, ShapeError } from '../../errors.js';
import { ravel, tensor, type Tensor, type Tree, type TensorTree } from '../../autodiff/index.js';
import { addVectors, divideByScalar, gemv } from '../../linalg/index.js';
import { hessianOperator, type PerSampleGradients } from '../operators.js';
import { cgSolve, type CgOptions, type SolveResult } from '../solvers/index.js';
import type { InverseHessian } from './influence.js';
import { newtonCg, type NewtonCgOptions, type NewtonCgResult } from './newton.js';

/** A training objective with per-example weights: Σᵢ wᵢℓᵢ(θ) + R(θ). */
export type WeightedObjective<P> = (params: TensorTree<P>, weights: Float64Array) => Tensor | number;

/**
 * The weights of the leave-out objective: 1/n everywhere, 0 at the removed indices.
 * @example leaveOutWeights(4, [2]); // [0.25, 0.25, 0, 0.25]
 */
export function leaveOutWeights(count: number, removed: ArrayLike<number>): Float64Array {
  if (!Number.isInteger(count) || count <= 0) throw new InvalidArgumentError('leaveOutWeights', `count must be a positive integer, got ${count}`);
  const w = new Float64Array(count).fill(1 / count);
  for (let k = 0; k < removed.length; k++) {
    const i = removed[k]!;
    if (!Number.isInteger(i) || i < 0 || i >= count) throw new InvalidArgumentError('leaveOutWeights', `removed index ${i} is out of range [0, ${count})`);
    w[i] = 0;
  }
  return w;
}

/**
 * Predicted parameter change Δθ = θ₋ᵢ − θ̂ ≈ (1/n)·H⁻¹∇ℓᵢ for each listed training point
 * (default all), as a k×d row-major matrix, with the solves. One solve per point — with
 * `exactInverse` that is two triangular solves each.
 *
 * @example
 * const { deltas } = predictLeaveOneOut(exactInverse(H), G, [3, 17]); // 2×d
 */
export function predictLeaveOneOut(inverse: InverseHessian, trainGradients: PerSampleGradients, indices?: ArrayLike<number>): { deltas: Float64Array; solves: SolveResult[] } {
  checkSizes('predictLeaveOneOut', inverse, trainGradients);
  const n = trainGradients.count;
  const d = trainGradients.size;
  const which = indices ?? Int32Array.from({ length: n }, (_, i) => i);
  const deltas = new Float64Array(which.length * d);
  const solves: SolveResult[] = [];
  for (let k = 0; k < which.length; k++) {
    const i = checkIndex('predictLeaveOneOut', which[k]!, n);
    const solve = inverse.solve(trainGradients.gradients.slice(i * d, (i + 1) * d));
    solves.push(solve);
    divideByScalar(solve.x, n, deltas.subarray(k * d, (k + 1) * d)); // row k: (1/n)·H⁻¹∇ℓᵢ
  }
  return { deltas, solves };
}

/**
 * Predicted parameter change when the whole group S is left out: (1/n)·H⁻¹·Σ_{i∈S}∇ℓᵢ (one solve).
 * First order: the error grows like |S|²/n², so it is reliable for groups small against n.
 *
 * @example
 * const { delta } = predictGroupRemoval(exactInverse(H), G, [4, 8, 15, 16, 23, 42]);
 */
export function predictGroupRemoval(inverse: InverseHessian, trainGradients: PerSampleGradients, group: ArrayLike<number>): { delta: Float64Array; solve: SolveResult } {
  checkSizes('predictGroupRemoval', inverse, trainGradients);
  const n = trainGradients.count;
  const d = trainGradients.size;
  const sum = new Float64Array(d);
  for (let k = 0; k < group.length; k++) {
    const i = checkIndex('predictGroupRemoval', group[k]!, n);
    addVectors(sum, trainGradients.gradients.subarray(i * d, (i + 1) * d), sum);
  }
  const solve = inverse.solve(sum);
  return { delta: divideByScalar(solve.x, n), solve };
}

/**
 * The predicted change of a quantity with gradient `gradient` (e.g. a test loss) for each row of
 * a k×d matrix of parameter changes: ∇qᵀΔθ per row.
 */
export function predictedChange(gradient: Float64Array, deltas: Float64Array): Float64Array {
  const d = gradient.length;
  if (deltas.length % d !== 0) throw new ShapeError('predictedChange', `deltas has ${deltas.length} entries, not a multiple of d = ${d}`);
  return gemv(deltas, deltas.length / d, d, gradient);
}

/**
 * The ground truth: retrains on the objective without `removed` (weights 0 there, 1/n elsewhere)
 * by Newton–CG warm-started at `params` (the trained θ̂), to ‖∇L₋S‖ ≤ 1e-10 unless
 * `options.tolerance` says otherwise.
 *
 * @example
 * const { vector } = retrainWithout((p, w) => objective(p, train, 0.01, w), trained, 400, [17]);
 */
export function retrainWithout<P extends Tree>(objective: WeightedObjective<P>, params: P, count: number, removed: ArrayLike<number>, options: NewtonCgOptions = {}): NewtonCgResult<P> {
  const weights = leaveOutWeights(count, removed);
  return newtonCg<P>((p) => objective(p, weights), params, options);
}

/**
 * One exact Newton step on the leave-out objective from θ̂: solves H₋S·Δθ = −∇L₋S(θ̂) by CG on
 * the recorded Hessian of the leave-out objective (default tolerance 1e-12). Returns Δθ (flat).
 * More accurate than the influence prediction, but it needs a new operator per set S.
 *
 * @example
 * const { delta } = newtonStepWithout((p, w) => objective(p, train, 0.01, w), trained, 400, [17]);
 */
export function newtonStepWithout<P extends Tree>(objective: WeightedObjective<P>, params: P, count: number, removed: ArrayLike<number>, options: CgOptions = {}): { delta: Float64Array; solve: SolveResult } {
  const weights = leaveOutWeights(count, removed);
  const { vector, unravel } = ravel(params);
  const H = hessianOperator((z: Tensor) => objective(unravel(z) as TensorTree<P>, weights), tensor(vector.toArray()));
  const solve = cgSolve(H, H.gradient.map((v) => -v), { tolerance: 1e-12, ...options });
  return { delta: solve.x, solve };
}

function checkSizes(fn: string, inverse: InverseHessian, g: PerSampleGradients): void {
  if (g.size !== inverse.size || g.gradients.length !== g.count * g.size) {
    throw new ShapeError(fn, `the per-example gradients are ${g.count}×${g.size} but the inverse Hessian acts on ${inverse.size} parameters`);
  }
}

function checkIndex(fn: string, i: number, n: number): number {
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new InvalidArgumentError(fn, `training index ${i} is out of range [0, ${n})`);
  return i;
}
