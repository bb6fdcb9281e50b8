/**
 * Elementwise maths: exp, log, log1p, expm1, sqrt, sin, cos, tanh, sigmoid, softplus, relu, abs,
 * atan, asin, acos, sinh, cosh, erf, and the piecewise-constant sign.
 *
 * Each op is f applied to every entry, so its VJP and its JVP are the same multiplication by
 * f′(x): `x̄ = ȳ·f′(x)` and `ẏ = ẋ·f′(x)`. Each op below therefore gives only f′, written with
 * differentiable ops (often through the output y = f(x), which is already computed).
 *
 * Where a derivative does not exist we choose, and say so: relu′(0) = 0 and abs′(0) = 0 (the
 * subgradient closest to zero, as PyTorch and JAX do). Their second derivatives are 0 everywhere.
 */
import { TWO_OVER_SQRT_PI, unaryKernels, type UnaryOp } from '../../linalg/tensor-kernels.js';
import { checkArity } from '../../validate.js';
import { bind, memoised, type Primitive } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { add, bindConstant, div, mul, neg, sub, square } from './arithmetic.js';

/** Builds a unary primitive from its kernel and its derivative f′(x) given x and y = f(x). */
function unary(name: UnaryOp, derivative: (x: Tensor, y: Tensor) => Tensor): (x: TensorLike) => Tensor {
  const primitive: Primitive<undefined, readonly [Tensor]> = {
    name,
    value: ([x]) => fromData(unaryKernels[name](dataOf(x)), x.shape),
    // f′(x) depends only on the primals: a replayed tape computes it once per node.
    vjps: [
      (g, { inputs: [x], output, memo }) =>
        mul(
          g,
          memoised(memo, 'f′', () => derivative(x, output)),
        ),
    ],
    jvp: ([t], [x], y, _p, memo) =>
      mul(
        t!,
        memoised(memo, 'f′', () => derivative(x, y)),
      ),
  };
  return function (x: TensorLike): Tensor {
    checkArity(name, arguments.length, 1);
    return bind(primitive, [toTensor(x, name, 'x')], undefined);
  };
}

/** Piecewise-constant maps of x's values (derivatives of relu and abs, and `sign`), as primitives. */
const piecewise: Record<'sign' | 'step', Primitive<undefined, readonly [Tensor]>> = {
  sign: { name: 'sign', value: ([x]) => fromData(unaryKernels.sign(dataOf(x)), x.shape) },
  step: { name: 'step', value: ([x]) => fromData(unaryKernels.step(dataOf(x)), x.shape) },
};

/** A constant built from x's values: derivatives of piecewise-constant functions are 0. */
function constantMap(kernel: 'sign' | 'step', x: Tensor): Tensor {
  return bindConstant(piecewise[kernel], [x], undefined);
}

/** @internal 1 where x > 0, else 0 (a constant: relu′, with relu′(0) = 0). @example step(tensor([-1, 0, 2])) // → [0, 0, 1] */
export function step(x: Tensor): Tensor {
  return constantMap('step', x);
}

/**
 * @internal x where it is finite, else 0 (a constant: logSumExp's shift of an all −∞ slice).
 * @example finiteOrZero(tensor([2, -Infinity])) // → [2, 0]
 */
export function finiteOrZero(x: Tensor): Tensor {
  return bindConstant(finiteOrZeroPrimitive, [x], undefined);
}
const finiteOrZeroPrimitive: Primitive<undefined, readonly [Tensor]> = {
  name: 'finiteOrZero',
  value: ([x]) =>
    fromData(
      dataOf(x).map((v) => (Number.isFinite(v) ? v : 0)),
      x.shape,
    ),
};

/** eˣ; d eˣ = eˣ·dx. @example exp(tensor([0])).toArray(); // [1] */
export const exp = unary('exp', (_x, y) => y);
/** Natural log; d log x = dx/x. Domain x > 0. @example log(tensor([1])).toArray(); // [0] */
export const log = unary('log', (x) => div(1, x));
/** log(1 + x), accurate for small x; d = dx/(1 + x). Domain x > −1. @example log1p(tensor([1e-20])).item(); // → 1e-20   (log(1 + 1e-20) would give 0) */
export const log1p = unary('log1p', (x) => div(1, add(1, x)));
/** eˣ − 1, accurate for small x; d = eˣ·dx = (y + 1)·dx. @example expm1(tensor([1e-20])).item(); // 1e-20 */
export const expm1 = unary('expm1', (_x, y) => add(y, 1));
/** √x; d √x = dx/(2√x). Domain x > 0 (the derivative is infinite at 0). @example sqrt(tensor([4, 9])).toArray(); // [2, 3] */
export const sqrt = unary('sqrt', (_x, y) => div(0.5, y));
/** sin x; d sin = cos x·dx. @example grad((x) => sum(sin(x)))(tensor([0])).toArray(); // → [1]   = cos 0 */
export const sin = unary('sin', (x) => cos(x));
/** cos x; d cos = −sin x·dx. @example cos(tensor([0])).toArray(); // [1] */
export const cos = unary('cos', (x) => neg(sin(x)));
/** tanh x; d tanh = (1 − tanh²)·dx. @example grad((x) => sum(tanh(x)))(tensor([0])).toArray(); // [1] */
export const tanh = unary('tanh', (_x, y) => sub(1, square(y)));
/** σ(x) = 1/(1 + e⁻ˣ), overflow-free; d σ = σ(1 − σ)·dx. @example sigmoid(tensor([0, -1000])).toArray(); // → [0.5, 0]   (no overflow) */
export const sigmoid = unary('sigmoid', (_x, y) => mul(y, sub(1, y)));
/** log(1 + eˣ), overflow-free; d softplus = σ(x)·dx. @example softplus(tensor([1000])).item(); // → 1000   (log(1 + e¹⁰⁰⁰) without overflow) */
export const softplus = unary('softplus', (x) => sigmoid(x));
/** max(x, 0); d relu = [x > 0]·dx, with relu′(0) = 0. @example relu(tensor([-1, 2])).toArray(); // [0, 2] */
export const relu = unary('relu', (x) => step(x));
/** |x|; d|x| = sign(x)·dx, with abs′(0) = 0. @example grad((x) => sum(abs(x)))(tensor([-2, 0, 3])).toArray(); // [-1, 0, 1] */
export const abs = unary('abs', (x) => constantMap('sign', x));
/** arctan x, in (−π/2, π/2); d atan = dx/(1 + x²). @example atan(tensor([1])).item(); // → 0.7853981633974483   (π/4) */
export const atan = unary('atan', (x) => div(1, add(1, square(x))));
/**
 * arcsin x, in [−π/2, π/2]; d asin = dx/√(1 − x²). Domain |x| ≤ 1, and |x| < 1 for derivatives
 * (infinite at ±1). 1 − x² is formed as (1 − x)(1 + x), which keeps its digits near ±1.
 * @example asin(tensor([1])).item(); // → 1.5707963267948966   (π/2)
 */
export const asin = unary('asin', (x) => div(1, sqrt(mul(sub(1, x), add(1, x)))));
/**
 * arccos x, in [0, π]; d acos = −dx/√(1 − x²). Domain |x| ≤ 1, and |x| < 1 for derivatives.
 * @example acos(tensor([0])).item(); // → 1.5707963267948966   (π/2)
 */
export const acos = unary('acos', (x) => div(-1, sqrt(mul(sub(1, x), add(1, x)))));
/** sinh x = (eˣ − e⁻ˣ)/2; d sinh = cosh x·dx. @example sinh(tensor([0])).item(); // 0 */
export const sinh = unary('sinh', (x) => cosh(x));
/** cosh x = (eˣ + e⁻ˣ)/2; d cosh = sinh x·dx. @example cosh(tensor([0])).item(); // 1 */
export const cosh = unary('cosh', (x) => sinh(x));
/**
 * The error function erf x = (2/√π)∫₀ˣ e^(−t²) dt; d erf = (2/√π)·e^(−x²)·dx. The value is within
 * 1 ulp of the correctly rounded one (relative error ≤ 2.6e-16; see the kernel in tensor-kernels.ts).
 * @example erf(tensor([0, 1])).toArray(); // → [0, 0.8427007929497149]
 */
export const erf = unary('erf', (x) => mul(TWO_OVER_SQRT_PI, exp(neg(square(x)))));

/**
 * The sign of each entry: −1, 0 or +1 (sign(±0) = 0; NaN stays NaN). Piecewise constant, so the
 * result is a constant: every derivative is 0 (at 0 too, where none exists), as for the comparisons.
 * @example sign(tensor([-2, 0, 3])).toArray(); // → [-1, 0, 1]
 */
export function sign(x: TensorLike): Tensor {
  checkArity('sign', arguments.length, 1);
  return constantMap('sign', toTensor(x, 'sign', 'x'));
}
