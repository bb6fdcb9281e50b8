/**
 * Reductions: sum, mean, max, logSumExp, and the softmax family.
 *
 * `sum` is a linear primitive whose VJP broadcasts the cotangent back over the summed axes. `max` is a primitive
 * whose derivative flows to the arg-max (split evenly between ties). The numerically stable
 * forms shift by the maximum, taken as a constant: logSumExp(x) = m + log Σ exp(x − m) holds for
 * any m, so treating m as constant changes no derivative of any order.
 */
import { maxAxes, sumAxes } from '../../linalg/tensor-kernels.js';
import { apply, type Primitive } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { add, div, equal, mul, sub } from './arithmetic.js';
import { exp, log } from './elementwise.js';
import { broadcastTo, normalizeAxis, reshape, sumTo } from './shape.js';

/** An axis or list of axes; undefined means all of them. */
export type Axes = number | readonly number[] | undefined;

function resolveAxes(fn: string, axes: Axes, rank: number): number[] {
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axes === 'number' ? [axes] : axes;
  const resolved = [...new Set(list.map((a) => normalizeAxis(fn, a, rank)))].sort((a, b) => a - b);
  return resolved;
}

function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

// sum over axes: ȳ is broadcast back over the summed axes, x̄ = broadcastTo(ȳ with those axes as 1s).
const sumPrimitive: Primitive<{ axes: readonly number[]; keepDims: boolean }> = {
  name: 'sum',
  linear: true,
  value: ([x], { axes, keepDims }) => fromData(sumAxes(dataOf(x!), x!.shape, axes), reducedShape(x!.shape, axes, keepDims)),
  vjp: (g, [x], _out, { axes }) => [broadcastTo(reshape(g, keptShape(x!.shape, axes)), x!.shape)],
};

/**
 * Sum over `axis` (a number, a list, or all axes when omitted → a rank-0 tensor).
 * @example sum(tensor([[1, 2], [3, 4]]), 0).toArray(); // [4, 6]
 */
export function sum(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const t = toTensor(x, 'sum', 'x');
  const axes = resolveAxes('sum', axis, t.rank);
  if (axes.length === 0) return t;
  return apply(sumPrimitive, [t], { axes, keepDims });
}

/** Mean over `axis` (all axes when omitted). @example mean(tensor([1, 2, 3])).item(); // 2 */
export function mean(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const t = toTensor(x, 'mean', 'x');
  const axes = resolveAxes('mean', axis, t.rank);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  return div(sum(t, axes, keepDims), count);
}

// max over axes (keepdims layout): x̄ = ȳ·[x = max]/(number of ties)
const maxPrimitive: Primitive<{ axes: readonly number[] }> = {
  name: 'max',
  value: ([x], { axes }) => fromData(maxAxes(dataOf(x!), x!.shape, axes), keptShape(x!.shape, axes)),
  vjp: (g, [x], y) => [mul(broadcastTo(g, x!.shape), argmaxWeights(x!, y))],
  jvp: ([t], [x], y) => sumTo(mul(t!, argmaxWeights(x!, y)), y.shape),
};

/** A constant: 1/k on the k maximal entries of each reduced slice, 0 elsewhere. */
function argmaxWeights(x: Tensor, y: Tensor): Tensor {
  const mask = equal(x, broadcastTo(fromData(dataOf(y), y.shape), x.shape));
  const ties = sumTo(mask, y.shape);
  return fromData(dataOf(div(mask, ties)), x.shape);
}

/**
 * Maximum over `axis` (all axes when omitted); the gradient goes to the maximal entries.
 * @example max(tensor([1, 5, 2])).item(); // 5
 */
export function max(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const t = toTensor(x, 'max', 'x');
  const axes = resolveAxes('max', axis, t.rank);
  return reshape(apply(maxPrimitive, [t], { axes }), reducedShape(t.shape, axes, keepDims));
}

/**
 * log Σ exp(x) over `axis`, without overflow: shifted by the (constant) maximum.
 * @example logSumExp(tensor([1000, 1000])).item(); // 1000 + log 2
 */
export function logSumExp(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const t = toTensor(x, 'logSumExp', 'x');
  const axes = resolveAxes('logSumExp', axis, t.rank);
  const kept = keptShape(t.shape, axes);
  // The shift m is data (no transform sees it); an all −∞ slice shifts by 0 so its result is −∞, not NaN.
  const m = maxAxes(dataOf(t), t.shape, axes).map((v) => (Number.isFinite(v) ? v : 0));
  const shift = fromData(m, kept);
  const total = add(shift, log(sumTo(exp(sub(t, shift)), kept)));
  return reshape(total, reducedShape(t.shape, axes, keepDims));
}

/**
 * log softmax along `axis` (default the last): x − logSumExp(x). Stable for large inputs.
 * @example logSoftmax(tensor([0, 0])).toArray(); // [−log 2, −log 2]
 */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  const t = toTensor(x, 'logSoftmax', 'x');
  return sub(t, logSumExp(t, normalizeAxis('logSoftmax', axis, t.rank), true));
}

/** softmax along `axis` (default the last). @example softmax(tensor([0, 0])).toArray(); // [0.5, 0.5] */
export function softmax(x: TensorLike, axis = -1): Tensor {
  return exp(logSoftmax(x, axis));
}
