/**
 * Spread and size: var (also exported as `variance`), std, and vector norms.
 *
 * One primitive lives here, the Euclidean norm `norm2` over axes, because its value needs a
 * scaled kernel (√Σx² would overflow for entries near 1e155 and underflow near 1e-155) and its
 * derivative needs a choice at x = 0. The rest are compositions of differentiable ops, so every
 * order of derivative comes free:
 *
 *   var = Σ(x − mean)²/(N − ddof)     std = ‖x − mean‖₂/√(N − ddof)
 *   ‖x‖₁ = Σ|x|                        ‖x‖∞ = max |x|
 *
 * Where a derivative does not exist we choose, and say so: ‖x‖₂ at x = 0 (and std where every
 * entry equals the mean) gets the subgradient 0, the same choice as abs′(0) = 0 (abs is the
 * 2-norm of a single number); PyTorch does the same, JAX returns NaN. Higher derivatives there
 * are 0 too, although the true Hessian (I − uuᵀ)/‖x‖ is unbounded near 0.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { norm2Axes } from '../../linalg/tensor-kernels.js';
import { checkArity, checkNumber, describeValue } from '../../validate.js';
import { bind, memoised, type Primitive } from '../primitive.js';
import { Tensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { div, mul, square, sub } from './arithmetic.js';
import { positiveOrInfinity } from './binary-maths.js';
import { abs } from './elementwise.js';
import { keptShape, max, mean, reducedShape, reduction, sum, type Axes } from './reduce.js';
import { reshape, sumTo } from './shape.js';

// ‖x‖₂ over axes (keepdims layout): x̄ = ȳ·u, ẏ = Σ ẋ·u with u = x/‖x‖, and u = 0 where ‖x‖ = 0.
const norm2Primitive: Primitive<{ axes: readonly number[] }, readonly [Tensor]> = {
  name: 'norm2',
  value: ([x], { axes }) => fromData(norm2Axes(dataOf(x), x.shape, axes), keptShape(x.shape, axes)),
  vjps: [
    (g, { inputs: [x], output, memo }) =>
      mul(
        g,
        memoised(memo, 'u', () => div(x, positiveOrInfinity(output))),
      ),
  ],
  jvp: ([t], [x], y, _p, memo) =>
    sumTo(
      mul(
        t!,
        memoised(memo, 'u', () => div(x, positiveOrInfinity(y))),
      ),
      y.shape,
    ),
};

/** ‖t‖₂ over sorted axes, without overflow. */
function norm2Over(t: Tensor, axes: readonly number[], keepDims: boolean): Tensor {
  return reshape(bind(norm2Primitive, [t], { axes }), reducedShape(t.shape, axes, keepDims));
}

/** The number of entries in each slice, checked against ddof; empty slices are refused. */
function sampleCount(fn: string, t: Tensor, axes: readonly number[], ddof: unknown): { count: number; ddof: number } {
  const d = checkNumber(fn, 'ddof', ddof, { integer: true, min: 0 });
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  const slices = t.shape.reduce((n, size, i) => (axes.includes(i) ? n : n * size), 1);
  if (slices === 0) return { count, ddof: d }; // nothing to compute: the result is empty
  if (count === 0) {
    throw new ShapeError(
      fn,
      `cannot take the ${fn} of an empty slice: shape ${formatShape(t.shape)} has length 0 along reduced axis ${axes.find((a) => t.shape[a] === 0)}`,
    );
  }
  if (d >= count) {
    throw new InvalidArgumentError(
      fn,
      `ddof must be less than the number of entries in each slice (${count}), got ${d}: the divisor N − ddof would be ${count - d}`,
    );
  }
  return { count, ddof: d };
}

function varianceOf(fn: string, t: Tensor, axes: readonly number[], keepDims: boolean, ddof: unknown): Tensor {
  const { count, ddof: d } = sampleCount(fn, t, axes, ddof);
  const centred = sub(t, mean(t, axes, true));
  return div(sum(square(centred), axes, keepDims), Math.max(count - d, 1));
}

/**
 * The variance over `axis` (all axes when omitted): Σ(x − mean)²/(N − ddof), NumPy's `var`
 * (ddof = 1 gives the unbiased sample variance). d var = 2(x − mean)·dx/(N − ddof). An empty slice,
 * or ddof ≥ N, is refused. Import it as `variance` (or `{ var as variance }`): `var` is a
 * reserved word in JavaScript.
 * @example variance(tensor([1, 2, 3, 4])).item(); // → 1.25
 */
export function variance(x: TensorLike, axis?: Axes, keepDims = false, ddof = 0): Tensor {
  const { t, axes } = reduction('variance', arguments.length, x, axis, keepDims, 4);
  return varianceOf('variance', t, axes, keepDims, ddof);
}

/**
 * NumPy's name for `variance` (the same function; errors name `var`). Reach it as `tg.var(x)`
 * after `import * as tg`, or import it renamed: `import { var as variance }`.
 * @example tg.var(tensor([1, 2, 3, 4]), undefined, false, 1).item(); // → 1.6666666666666667
 */
function varAlias(x: TensorLike, axis?: Axes, keepDims = false, ddof = 0): Tensor {
  const { t, axes } = reduction('var', arguments.length, x, axis, keepDims, 4);
  return varianceOf('var', t, axes, keepDims, ddof);
}
export { varAlias as var };

/**
 * The standard deviation over `axis` (all axes when omitted): √var = ‖x − mean‖₂/√(N − ddof),
 * computed as a scaled norm so it neither overflows nor underflows. d std = d var/(2·std), whose
 * coefficient is infinite at var = 0: std is not differentiable where every entry of a slice
 * equals its mean (it grows like |h|·std(v) along any direction v). There the gradient is the
 * subgradient 0, as for `norm` at 0 — when x − mean is exactly 0; a mean that rounds leaves a
 * residue of order 1e-17·|x| whose direction the gradient then follows.
 * @example std(tensor([1, 2, 3, 4])).item(); // → 1.118033988749895   (√1.25)
 */
export function std(x: TensorLike, axis?: Axes, keepDims = false, ddof = 0): Tensor {
  const { t, axes } = reduction('std', arguments.length, x, axis, keepDims, 4);
  const { count, ddof: d } = sampleCount('std', t, axes, ddof);
  const centred = sub(t, mean(t, axes, true));
  return div(norm2Over(centred, axes, keepDims), Math.sqrt(Math.max(count - d, 1)));
}

/** The orders `norm` accepts. */
const ORDERS = [1, 2, Infinity] as const;

/**
 * The vector norm of each slice over `axis` (all axes when omitted, a list of axes flattened
 * together — PyTorch's `vector_norm`; two axes do NOT give a matrix norm as in NumPy):
 * `ord` 2 (default) ‖x‖₂ = √Σx², computed without overflow or underflow by scaling with max |x|;
 * `ord` 1 ‖x‖₁ = Σ|x|; `ord` Infinity ‖x‖∞ = max |x|. The norm of an empty slice is 0.
 *
 * d‖x‖₂ = ⟨x/‖x‖₂, dx⟩. At x = 0, where no derivative exists, the gradient is the subgradient 0
 * (as abs′(0) = 0; PyTorch agrees, JAX gives NaN), and so are the higher derivatives.
 * d‖x‖₁ = Σ sign(x)·dx (sign(0) = 0); d‖x‖∞ goes to the largest |x|, split between ties.
 * @example norm(tensor([[3, 4], [1e300, 0]]), 2, 1).toArray(); // → [5, 1e300]   (Σx² would overflow)
 */
export function norm(x: TensorLike, ord: number | null = 2, axis?: Axes, keepDims = false): Tensor {
  const fn = 'norm';
  const { t, axes } = reduction(fn, arguments.length, x, axis, keepDims, 4);
  const order = ord === null ? 2 : ord;
  if (!(ORDERS as readonly unknown[]).includes(order)) {
    const hint =
      typeof order === 'string' && /^[+-]?inf/i.test(order) ? '; pass the number Infinity, not a string' : '';
    throw new InvalidArgumentError(fn, `ord must be 1, 2 or Infinity, got ${describeValue(order)}${hint}`);
  }
  if (order === 2) return norm2Over(t, axes, keepDims);
  if (order === 1) return sum(abs(t), axes, keepDims);
  const count = axes.reduce((n, a) => n * t.shape[a]!, 1);
  if (count === 0) return mul(sum(t, axes, keepDims), 0); // the ∞-norm of nothing is 0 (max has no identity)
  return max(abs(t), axes, keepDims);
}
