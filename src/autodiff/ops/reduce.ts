/**
 * Reductions: sum, mean, max, min, prod, logSumExp, and the softmax family.
 *
 * `sum` is a linear primitive whose VJP broadcasts the cotangent back over the summed axes. `max`
 * and `min` are primitives whose derivative flows to the extreme entries (split evenly between
 * ties). The numerically stable forms shift by the maximum, taken as a constant:
 * logSumExp(x) = m + log Σ exp(x − m) holds for any m, so treating m as constant changes no
 * derivative of any order.
 *
 * `prod` is not a primitive: it multiplies halves of the axis together, level by level, as a
 * balanced tree of `mul`s. Its derivatives of every order are therefore those of `mul` — exact
 * when entries are zero, with no division by x anywhere (see `productAlong`).
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { maxAxes, minAxes, sumAxes } from '../../linalg/tensor-kernels.js';
import { checkArity, checkBoolean, describeValue } from '../../validate.js';
import { bind, type Primitive } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { add, bindConstant, div, equal, mul, sub } from './arithmetic.js';
import { exp, finiteOrZero, log } from './elementwise.js';
import { broadcastTo, concat, normalizeAxis, reshape, slice, sumTo } from './shape.js';

/** An axis or list of axes; undefined means all of them. */
export type Axes = number | readonly number[] | undefined;

/** The sorted, non-negative axes of a reduction; `undefined` (or `null`) means all of them. */
function resolveAxes(fn: string, axes: Axes | null, rank: number): number[] {
  if (axes === undefined || axes === null) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axes !== 'number' && !Array.isArray(axes)) {
    throw new InvalidArgumentError(
      fn,
      `axis must be an integer, a list of integers or undefined (all axes), got ${describeValue(axes)}`,
    );
  }
  const list = typeof axes === 'number' ? [axes] : axes;
  const resolved = list.map((a) => normalizeAxis(fn, a, rank));
  if (new Set(resolved).size !== resolved.length) {
    throw new InvalidArgumentError(fn, `axis lists the same axis twice (${JSON.stringify(list)} for rank ${rank})`);
  }
  return resolved.sort((a, b) => a - b);
}

/**
 * @internal The common entry of the reductions: the tensor, its reduced axes and keepDims, all
 * checked; `most` is how many arguments `fn` takes.
 */
export function reduction(
  fn: string,
  count: number,
  x: TensorLike,
  axis: Axes | null,
  keepDims: unknown,
  most = 3,
): { t: Tensor; axes: number[]; keepDims: boolean } {
  checkArity(fn, count, most);
  const t = toTensor(x, fn, 'x');
  return { t, axes: resolveAxes(fn, axis, t.rank), keepDims: checkBoolean(fn, 'keepDims', keepDims) };
}

/** @internal Refuses a reduction with no identity (max, mean) over empty slices, as NumPy does for max. */
export function refuseEmpty(fn: string, t: Tensor, axes: readonly number[]): void {
  const reduced = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const slices = t.size === 0 ? t.shape.reduce((n, d, i) => (axes.includes(i) ? n : n * d), 1) : 1;
  if (reduced === 0 && slices > 0) {
    throw new ShapeError(
      fn,
      `cannot take the ${fn} of an empty slice: shape ${formatShape(t.shape)} has length 0 along reduced axis ${axes.find((a) => t.shape[a] === 0)}; ${fn} has no identity (use sum, whose empty result is 0)`,
    );
  }
}

/** @internal The shape with the reduced axes set to 1 (NumPy's keepdims layout). */
export function keptShape(shape: readonly number[], axes: readonly number[]): number[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/** @internal The shape of a reduction's result. */
export function reducedShape(shape: readonly number[], axes: readonly number[], keepDims: boolean): number[] {
  return keepDims ? keptShape(shape, axes) : shape.filter((_, i) => !axes.includes(i));
}

// sum over axes: ȳ is broadcast back over the summed axes, x̄ = broadcastTo(ȳ with those axes as 1s).
const sumPrimitive: Primitive<{ axes: readonly number[]; keepDims: boolean }, readonly [Tensor]> = {
  name: 'sum',
  linear: true,
  value: ([x], { axes, keepDims }) =>
    fromData(sumAxes(dataOf(x), x.shape, axes), reducedShape(x.shape, axes, keepDims)),
  vjps: [(g, { inputs: [x], params: { axes } }) => broadcastTo(reshape(g, keptShape(x.shape, axes)), x.shape)],
};

/**
 * Sum over `axis` (a number, a list, or all axes when omitted → a rank-0 tensor).
 * @example sum(tensor([[1, 2], [3, 4]]), 0).toArray(); // → [4, 6]
 */
export function sum(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const { t, axes } = reduction('sum', arguments.length, x, axis, keepDims);
  if (axes.length === 0) return t;
  return bind(sumPrimitive, [t], { axes, keepDims });
}

/** Mean over `axis` (all axes when omitted). @example mean(tensor([1, 2, 3])).item(); // 2 */
export function mean(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const { t, axes } = reduction('mean', arguments.length, x, axis, keepDims);
  refuseEmpty('mean', t, axes);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  return div(sum(t, axes, keepDims), count);
}

// max and min over axes (keepdims layout): x̄ = ȳ·[x = y]/(number of ties), ẏ = Σ ẋ·[x = y]/(ties)
function extremumPrimitive(
  name: 'max' | 'min',
  kernel: typeof maxAxes,
): Primitive<{ axes: readonly number[] }, readonly [Tensor]> {
  return {
    name,
    value: ([x], { axes }) => fromData(kernel(dataOf(x), x.shape, axes), keptShape(x.shape, axes)),
    vjps: [(g, { inputs: [x], output }) => mul(broadcastTo(g, x.shape), extremeWeights(x, output))],
    jvp: ([t], [x], y) => sumTo(mul(t!, extremeWeights(x, y)), y.shape),
  };
}
const maxPrimitive = extremumPrimitive('max', maxAxes);
const minPrimitive = extremumPrimitive('min', minAxes);

/** A constant: 1/k on the k entries of each reduced slice equal to its extreme y, 0 elsewhere. */
function extremeWeights(x: Tensor, y: Tensor): Tensor {
  const mask = equal(x, y); // y keeps the reduced axes with length 1, so it broadcasts along them
  return div(mask, sumTo(mask, y.shape));
}

/**
 * Maximum over `axis` (all axes when omitted); the gradient goes to the maximal entries.
 * @example max(tensor([1, 5, 2])).item(); // → 5
 */
export function max(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const { t, axes } = reduction('max', arguments.length, x, axis, keepDims);
  refuseEmpty('max', t, axes);
  return reshape(bind(maxPrimitive, [t], { axes }), reducedShape(t.shape, axes, keepDims));
}

/**
 * Minimum over `axis` (all axes when omitted), the mirror of `max`: d min = ẋ at the minimal
 * entries, split evenly between ties. NaN propagates; an empty slice is refused (no identity).
 * @example min(tensor([[1, 5], [4, 2]]), 1).toArray(); // → [1, 2]
 */
export function min(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const { t, axes } = reduction('min', arguments.length, x, axis, keepDims);
  refuseEmpty('min', t, axes);
  return reshape(bind(minPrimitive, [t], { axes }), reducedShape(t.shape, axes, keepDims));
}

/**
 * Product over `axis` (all axes when omitted); the product of an empty slice is 1.
 * d prod = Σᵢ (Πⱼ≠ᵢ xⱼ)·dxᵢ, computed without dividing by x, so it is exact where entries are
 * zero, and so are the derivatives of every order (the gradient of x₁x₂x₃ at x₁ = 0 is (x₂x₃, 0, 0)).
 * @example prod(tensor([[1, 2], [3, 4]]), 1).toArray(); // → [2, 12]
 */
export function prod(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const { t, axes } = reduction('prod', arguments.length, x, axis, keepDims);
  if (axes.length === 0) return t;
  let out = t;
  for (const a of axes) out = productAlong(out, a);
  return reshape(out, reducedShape(t.shape, axes, keepDims));
}

/**
 * The product along one axis, keeping it with length 1, by a balanced tree of products of
 * halves: [x₀ … xₙ₋₁] becomes [x₀xₕ, x₁xₕ₊₁, …] (h = ⌊n/2⌋), plus the unpaired last entry when n is
 * odd (the same as padding the odd half with a 1), until one entry is left. O(n) work in O(log n)
 * ops, each a slice, `mul` or concat, so the derivatives are those of `mul`: no division (JAX's
 * reduce-prod JVP uses the same tree). An empty axis gives ones, still wired to x so that
 * transforms see an op of x (with zero derivative).
 */
function productAlong(t: Tensor, axis: number): Tensor {
  if (t.shape[axis] === 0) return add(mul(sum(t, axis, true), 0), 1);
  let level = t;
  // The entries [start, start + length) of the current level along the axis.
  const run = (start: number, length: number) =>
    slice(
      level,
      level.shape.map((_, i) => (i === axis ? start : 0)),
      level.shape.map((d, i) => (i === axis ? length : d)),
    );
  for (let n = t.shape[axis]!; n > 1; n = level.shape[axis]!) {
    const half = Math.floor(n / 2);
    const paired = mul(run(0, half), run(half, half));
    level = n % 2 === 0 ? paired : concat([paired, run(2 * half, 1)], axis);
  }
  return level;
}

/**
 * log Σ exp(x) over `axis`, without overflow: shifted by the (constant) maximum.
 * @example logSumExp(tensor([1000, 1000])).item(); // 1000 + log 2
 */
export function logSumExp(x: TensorLike, axis?: Axes, keepDims = false): Tensor {
  const { t, axes } = reduction('logSumExp', arguments.length, x, axis, keepDims);
  return logSumExpOver(t, axes, keepDims);
}

function logSumExpOver(t: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  const kept = keptShape(t.shape, axes);
  // The shift m is data (no transform sees it); an all −∞ slice shifts by 0 so its result is −∞, not NaN.
  const shift = finiteOrZero(bindConstant(maxPrimitive, [t], { axes }));
  const total = add(shift, log(sumTo(exp(sub(t, shift)), kept)));
  return reshape(total, reducedShape(t.shape, axes, keepDims));
}

/**
 * log softmax along `axis` (default the last): x − logSumExp(x). Stable for large inputs.
 * @example logSoftmax(tensor([0, 0])).toArray(); // → [-0.6931471805599453, -0.6931471805599453]   (−log 2 each)
 */
export function logSoftmax(x: TensorLike, axis = -1): Tensor {
  checkArity('logSoftmax', arguments.length, 2);
  return logSoftmaxOf('logSoftmax', x, axis);
}

/** softmax along `axis` (default the last). @example softmax(tensor([0, 0])).toArray(); // [0.5, 0.5] */
export function softmax(x: TensorLike, axis = -1): Tensor {
  checkArity('softmax', arguments.length, 2);
  return exp(logSoftmaxOf('softmax', x, axis));
}

function logSoftmaxOf(fn: string, x: TensorLike, axis: number): Tensor {
  const t = toTensor(x, fn, 'x');
  return sub(t, logSumExpOver(t, [normalizeAxis(fn, axis, t.rank)], true));
}
