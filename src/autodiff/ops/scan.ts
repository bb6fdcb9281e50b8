/**
 * Scans: cumsum.
 *
 * The cumulative sum along an axis is y = Lx with L the lower-triangular matrix of ones, so it is
 * linear (its JVP is itself) and its VJP is Lᵀȳ: the cumulative sum taken from the other end.
 * One primitive with a `reverse` flag holds both, so the pair closes under differentiation the
 * way slice ↔ pad do:
 *
 *   cumsum(reverse = false) ↔ cumsum(reverse = true)
 */
import { cumsumAxis } from '../../linalg/tensor-kernels.js';
import { checkArity } from '../../validate.js';
import { bind, type Primitive } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { normalizeAxis, reshape } from './shape.js';

interface CumsumParams {
  readonly axis: number;
  /** Sum from the end of the axis: out[i] = Σ_{j ≥ i} x[j]. */
  readonly reverse: boolean;
}

// y = cumsum(x) along an axis ⇒ x̄ = cumsum(ȳ) from the other end.
const cumsumPrimitive: Primitive<CumsumParams, readonly [Tensor]> = {
  name: 'cumsum',
  linear: true,
  value: ([x], { axis, reverse }) => fromData(cumsumAxis(dataOf(x), x.shape, axis, reverse), x.shape),
  // the adjoint of a running sum is the running sum the other way
  vjps: [(g, { params: { axis, reverse } }) => bind(cumsumPrimitive, [g], { axis, reverse: !reverse })],
};

/**
 * Cumulative sums along `axis`: out[…, i, …] = Σ_{j ≤ i} x[…, j, …], same shape as x. Without an
 * axis (`undefined` or `null`), x is flattened first and the result is 1-D of length x.size, as
 * in NumPy and JAX. d cumsum = cumsum(dx) (it is linear); its VJP sums the cotangent from the end.
 * @example cumsum(tensor([[1, 2], [3, 4]]), 1).toArray(); // → [1, 3, 3, 7]
 */
export function cumsum(x: TensorLike, axis?: number | null): Tensor {
  checkArity('cumsum', arguments.length, 2);
  const t = toTensor(x, 'cumsum', 'x');
  if (axis === undefined || axis === null)
    return bind(cumsumPrimitive, [reshape(t, [t.size])], { axis: 0, reverse: false });
  return bind(cumsumPrimitive, [t], { axis: normalizeAxis('cumsum', axis, t.rank), reverse: false });
}
