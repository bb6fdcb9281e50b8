/**
 * Elementwise maths of two tensors, broadcasting by NumPy's rules: atan2, hypot, logAddExp; and
 * clip, which bounds a tensor between two others.
 *
 * Each binary op is a primitive whose value comes from a stable kernel (no overflow in hypot or
 * logAddExp) and whose rules multiply by the two partial derivatives ∂f/∂a and ∂f/∂b, which
 * depend only on the primals and are memoised:
 *
 *   ā = sumTo(ȳ·∂f/∂a, shape(a))     ḃ-side likewise     ẏ = ȧ·∂f/∂a + ḃ·∂f/∂b
 *
 * The partials are written with differentiable ops, so every order of derivative comes free.
 *
 * Where a derivative does not exist we choose, and say so: at the origin, atan2 and hypot get the
 * subgradient 0 (hypot is the 2-norm of (a, b), and abs′(0) = 0 and norm′(0) = 0 too). The
 * partials divide by where(h > 0, h, ∞) instead of h, so 0/0 becomes 0/∞ = 0 at every order.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import { binaryBroadcast, broadcastShapes, broadcastTo as broadcastKernel } from '../../linalg/tensor-kernels.js';
import { checkArity, describeValue } from '../../validate.js';
import { memoised, type Memo } from '../primitive.js';
import { Tensor, toTensor, dataOf, type TensorLike } from '../tensor.js';
import {
  addTangents,
  binary,
  binaryValue,
  type Binary,
  div,
  greater,
  less,
  mul,
  neg,
  sub,
  where,
} from './arithmetic.js';
import { sigmoid } from './elementwise.js';
import { sumTo } from './shape.js';

/**
 * @internal h where h > 0, ∞ where h = 0: a denominator that turns the 0/0 of a norm's derivative
 * at the origin into 0 (the subgradient of least norm). The mask is data, so this is h itself to
 * every transform wherever h > 0.
 */
export function positiveOrInfinity(h: Tensor): Tensor {
  return where(greater(h, 0), h, Infinity);
}

/** A broadcasting binary primitive given its kernel and its two partial derivatives ∂f/∂a, ∂f/∂b. */
function binaryPrimitive(
  name: 'atan2' | 'hypot' | 'logAddExp',
  partials: (a: Tensor, b: Tensor, y: Tensor, memo: Memo | undefined) => [() => Tensor, () => Tensor],
): Binary {
  return {
    name,
    value: binaryValue(name),
    vjps: [
      (g, { inputs: [a, b], output, memo }) => sumTo(mul(g, partials(a, b, output, memo)[0]()), a.shape),
      (g, { inputs: [a, b], output, memo }) => sumTo(mul(g, partials(a, b, output, memo)[1]()), b.shape),
    ],
    jvp: ([ta, tb], [a, b], y, _p, memo) => {
      const [da, db] = partials(a, b, y, memo);
      return addTangents(ta && mul(ta, da()), tb && mul(tb, db()));
    },
  };
}

// atan2(y, x): d = (x·dy − y·dx)/(x² + y²). The denominator is formed as h·h, h = hypot(y, x),
// dividing twice, so no square overflows; at the origin h is replaced by ∞ (subgradient 0).
const atan2Primitive = binaryPrimitive('atan2', (y, x, _out, memo) => {
  const h = () => memoised(memo, 'h̃', () => positiveOrInfinity(hypot(y, x)));
  return [
    () => memoised(memo, '∂y', () => div(div(x, h()), h())),
    () => memoised(memo, '∂x', () => neg(div(div(y, h()), h()))),
  ];
});

// hypot(a, b) = h: d h = (a·da + b·db)/h, with the subgradient 0 at a = b = 0.
const hypotPrimitive = binaryPrimitive('hypot', (a, b, h, memo) => {
  const safe = () => memoised(memo, 'h̃', () => positiveOrInfinity(h));
  return [() => memoised(memo, '∂a', () => div(a, safe())), () => memoised(memo, '∂b', () => div(b, safe()))];
});

// logAddExp(a, b) = log(eᵃ + eᵇ): d = σ(a − b)·da + σ(b − a)·db (the two weights sum to 1).
const logAddExpPrimitive = binaryPrimitive('logAddExp', (a, b, _out, memo) => [
  () => memoised(memo, '∂a', () => sigmoid(sub(a, b))),
  () => memoised(memo, '∂b', () => sigmoid(sub(b, a))),
]);

/**
 * The angle of the point (x, y) in (−π, π], elementwise with broadcasting (NumPy's
 * `arctan2(y, x)`, y first); d atan2 = (x·dy − y·dx)/(x² + y²). At the origin, where no
 * derivative exists, the gradient is 0 (the value there is atan2(±0, ±0) = ±0 or ±π by IEEE's rules).
 * @example atan2(tensor([1]), tensor([-1])).item(); // → 2.356194490192345   (3π/4)
 */
export function atan2(y: TensorLike, x: TensorLike): Tensor {
  checkArity('atan2', arguments.length, 2);
  return binary('atan2', atan2Primitive, y, x, ['y', 'x']);
}

/**
 * √(a² + b²) elementwise with broadcasting, without overflow or underflow (the larger leg is
 * factored out); d hypot = (a·da + b·db)/hypot. At a = b = 0, where no derivative exists, the
 * gradient is 0, as for `norm`.
 * @example hypot(tensor([3, 1e300]), 4).toArray(); // → [5, 1e300]   (1e300² alone would overflow)
 */
export function hypot(a: TensorLike, b: TensorLike): Tensor {
  checkArity('hypot', arguments.length, 2);
  return binary('hypot', hypotPrimitive, a, b);
}

/**
 * log(eᵃ + eᵇ) elementwise with broadcasting, without overflow: max(a, b) + log1p(e^−|a−b|);
 * d logAddExp = σ(a − b)·da + σ(b − a)·db. logAddExp(−∞, −∞) = −∞.
 * @example logAddExp(1000, 1000).item(); // → 1000.6931471805599   (1000 + log 2, no overflow)
 */
export function logAddExp(a: TensorLike, b: TensorLike): Tensor {
  checkArity('logAddExp', arguments.length, 2);
  return binary('logAddExp', logAddExpPrimitive, a, b);
}

/**
 * Bounds `x` to [lo, hi] elementwise, broadcasting all three (NumPy's `clip`): lo where x < lo,
 * hi where x > hi, x elsewhere. `lo` or `hi` may be left out (`undefined` or `null`: no bound on
 * that side). lo ≤ hi must hold everywhere (NaN bounds are refused).
 *
 * d clip = dx where lo ≤ x ≤ hi, dlo where x < lo, dhi where x > hi. At the boundaries
 * (x = lo or x = hi) the interval is closed: the gradient goes to x, none to the bound (as
 * PyTorch's `clamp`). NaN in x stays NaN.
 * @example clip(tensor([-2, 0.5, 3]), 0, 1).toArray(); // → [0, 0.5, 1]
 */
export function clip(x: TensorLike, lo?: TensorLike | null, hi?: TensorLike | null): Tensor {
  const fn = 'clip';
  checkArity(fn, arguments.length, 3);
  const t = toTensor(x, fn, 'x');
  const low = lo === undefined || lo === null ? undefined : toTensor(lo, fn, 'lo');
  const high = hi === undefined || hi === null ? undefined : toTensor(hi, fn, 'hi');
  const bounds = [low, high].filter((b): b is Tensor => b !== undefined);
  if (
    bounds.reduce<number[] | undefined>((shape, b) => shape && broadcastShapes(shape, b.shape), t.shape.slice()) ===
    undefined
  ) {
    const shapes = [
      `x ${formatShape(t.shape)}`,
      ...(low ? [`lo ${formatShape(low.shape)}`] : []),
      ...(high ? [`hi ${formatShape(high.shape)}`] : []),
    ];
    throw new ShapeError(
      fn,
      `shapes ${shapes.join(', ')} do not broadcast together (trailing axes must match or be 1)`,
    );
  }
  checkOrderedBounds(fn, low, high);
  let out = t;
  // Both masks read x, not the running result: with lo ≤ hi they never overlap.
  if (low !== undefined) out = where(less(t, low), low, out);
  if (high !== undefined) out = where(greater(t, high), high, out);
  return out;
}

/** Refuses lo > hi (or a NaN bound) at any broadcast position, naming the first one. */
function checkOrderedBounds(fn: string, low: Tensor | undefined, high: Tensor | undefined): void {
  for (const [name, bound] of [
    ['lo', low],
    ['hi', high],
  ] as const) {
    if (bound !== undefined && dataOf(bound).some(Number.isNaN)) {
      throw new InvalidArgumentError(
        fn,
        `${name} holds NaN at flat position ${dataOf(bound).findIndex(Number.isNaN)}; bounds must be numbers (leave ${name} out for no bound)`,
      );
    }
  }
  if (low === undefined || high === undefined) return;
  const shape = broadcastShapes(low.shape, high.shape)!;
  const ordered = binaryBroadcast('lessEqual', dataOf(low), low.shape, dataOf(high), high.shape, shape);
  const at = ordered.indexOf(0);
  if (at >= 0) {
    const lowAt = broadcastKernel(dataOf(low), low.shape, shape)[at]!;
    const highAt = broadcastKernel(dataOf(high), high.shape, shape)[at]!;
    const position =
      low.size === 1 && high.size === 1 ? '' : ` at flat position ${at} of their broadcast shape ${formatShape(shape)}`;
    throw new InvalidArgumentError(
      fn,
      `lo must be ≤ hi everywhere, got lo = ${describeValue(lowAt)} > hi = ${describeValue(highAt)}${position}; swap them if they are reversed`,
    );
  }
}
