/**
 * Arithmetic with NumPy broadcasting: add, sub, mul, div, neg, square, pow, where, maximum,
 * minimum, and the comparisons that build masks.
 *
 * Broadcasting enters the rules in one place: a cotangent has the *output's* shape and is summed
 * back to each input's shape with `sumTo` (which is itself linear and differentiable).
 */
import { ShapeError, formatShape } from '../../errors.js';
import { checkArity } from '../../validate.js';
import {
  binaryBroadcast,
  broadcastShapes,
  selectBroadcast,
  unaryKernels,
  type BinaryOp,
} from '../../linalg/tensor-kernels.js';
import { bind, memoised, type Primitive } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, scalar, type TensorLike } from '../tensor.js';
// elementwise.ts imports this file too; the cycle is safe because both only call each other
// inside rules, never while the modules load.
import { log } from './elementwise.js';
import { sameShape, sumTo } from './shape.js';

function outputShape(fn: string, a: Tensor, b: Tensor): number[] {
  const shape = broadcastShapes(a.shape, b.shape);
  if (shape === undefined) {
    throw new ShapeError(
      fn,
      `shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} do not broadcast (trailing axes must match or be 1)`,
    );
  }
  return shape;
}

/** @internal The value of a broadcasting binary primitive: its kernel on the broadcast shape. */
export function binaryValue(op: BinaryOp): Binary['value'] {
  return ([a, b]) => {
    const shape = sameShape(a.shape, b.shape) ? a.shape : broadcastShapes(a.shape, b.shape)!;
    return fromData(binaryBroadcast(op, dataOf(a), a.shape, dataOf(b), b.shape, shape), shape);
  };
}

/** @internal A primitive of two broadcasting operands. */
export type Binary<P = undefined> = Primitive<P, readonly [Tensor, Tensor]>;
/** @internal A primitive of one operand. */
export type Unary<P = undefined> = Primitive<P, readonly [Tensor]>;

/**
 * @internal Runs a broadcasting binary primitive for the public function `fn`: both operands
 * checked (and named `names` in errors), their shapes checked to broadcast.
 */
export function binary(
  fn: string,
  primitive: Binary,
  a: TensorLike,
  b: TensorLike,
  names: readonly [string, string] = ['a', 'b'],
): Tensor {
  const x = toTensor(a, fn, names[0]);
  const y = toTensor(b, fn, names[1]);
  if (!sameShape(x.shape, y.shape)) outputShape(fn, x, y); // validates broadcasting, with the op's name
  return bind(primitive, [x, y], undefined);
}

// d(a + b) = da + db
const addPrimitive: Binary = {
  name: 'add',
  linear: true,
  value: binaryValue('add'),
  vjps: [(g, { inputs: [a] }) => sumTo(g, a.shape), (g, { inputs: [, b] }) => sumTo(g, b.shape)],
};

// d(a − b) = da − db
const subPrimitive: Binary = {
  name: 'sub',
  linear: true,
  value: binaryValue('sub'),
  vjps: [(g, { inputs: [a] }) => sumTo(g, a.shape), (g, { inputs: [, b] }) => sumTo(neg(g), b.shape)],
};

// d(a·b) = da·b + a·db
const mulPrimitive: Binary = {
  name: 'mul',
  value: binaryValue('mul'),
  vjps: [(g, { inputs: [a, b] }) => sumTo(mul(g, b), a.shape), (g, { inputs: [a, b] }) => sumTo(mul(g, a), b.shape)],
  jvp: bilinearJvp<undefined>((a, b) => mul(a, b)),
};

// d(a/b) = da/b − db·(a/b)/b
const divPrimitive: Binary = {
  name: 'div',
  value: binaryValue('div'),
  vjps: [
    (g, { inputs: [a, b] }) => sumTo(div(g, b), a.shape),
    (g, { inputs: [, b], output }) => sumTo(neg(div(mul(g, output), b)), b.shape),
  ],
  jvp: ([ta, tb], [, b], out) => addTangents(ta && div(ta, b), tb && neg(div(mul(tb, out), b))),
};

// d(aᵇ) = b·aᵇ⁻¹·da + aᵇ·log(a)·db  (the db term is only formed when b is traced)
const powPrimitive: Binary = {
  name: 'pow',
  value: binaryValue('pow'),
  vjps: [
    (g, { inputs: [a, b] }) => sumTo(mul(g, mul(b, pow(a, sub(b, 1)))), a.shape),
    (g, { inputs: [a, b], output }) => sumTo(mul(g, mul(output, log(a))), b.shape),
  ],
  jvp: ([ta, tb], [a, b], out) =>
    addTangents(ta && mul(ta, mul(b, pow(a, sub(b, 1)))), tb && mul(tb, mul(out, log(a)))),
};

/** Adds two optional tangents (undefined is zero); at least one is defined when called. */
export function addTangents(x: Tensor | undefined, y: Tensor | undefined): Tensor {
  if (x === undefined) return y!;
  if (y === undefined) return x;
  return add(x, y);
}

/**
 * @internal The JVP of a bilinear op f (mul, matmul): d f(a, b) = f(da, b) + f(a, db), each term
 * formed only when its input carries a tangent; `params` are the op's own (matmul's transposes).
 * @example jvp: bilinearJvp((a, b) => mul(a, b))
 */
export function bilinearJvp<P>(f: (a: Tensor, b: Tensor, params: P) => Tensor): NonNullable<Binary<P>['jvp']> {
  return ([ta, tb], [a, b], _output, params) => addTangents(ta && f(ta, b, params), tb && f(a, tb, params));
}

/** a + b, broadcasting. @example add(tensor([1, 2]), 10).toArray(); // [11, 12] */
export function add(a: TensorLike, b: TensorLike): Tensor {
  checkArity('add', arguments.length, 2);
  return binary('add', addPrimitive, a, b);
}
/** a − b, broadcasting. @example sub(tensor([3, 4]), 1).toArray(); // [2, 3] */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  checkArity('sub', arguments.length, 2);
  return binary('sub', subPrimitive, a, b);
}
/** a·b elementwise, broadcasting. @example mul(tensor([1, 2]), tensor([3, 4])).toArray(); // [3, 8] */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  checkArity('mul', arguments.length, 2);
  return binary('mul', mulPrimitive, a, b);
}
/** a / b elementwise, broadcasting. @example div(tensor([1, 2]), 2).toArray(); // [0.5, 1] */
export function div(a: TensorLike, b: TensorLike): Tensor {
  checkArity('div', arguments.length, 2);
  return binary('div', divPrimitive, a, b);
}
/**
 * aᵇ elementwise, broadcasting. The derivative in b uses log(a), so differentiate with respect
 * to the exponent only where a > 0.
 * @example pow(tensor([2, 3]), 2).toArray(); // → [4, 9]
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  checkArity('pow', arguments.length, 2);
  return binary('pow', powPrimitive, a, b);
}

// d(−x) = −dx
const negPrimitive: Unary = {
  name: 'neg',
  linear: true,
  value: ([x]) => fromData(unaryKernels.neg(dataOf(x)), x.shape),
  vjps: [(g) => neg(g)],
};

// d(x²) = 2x·dx
const squarePrimitive: Unary = {
  name: 'square',
  value: ([x]) => fromData(unaryKernels.square(dataOf(x)), x.shape),
  vjps: [
    (g, { inputs: [x], memo }) =>
      mul(
        g,
        memoised(memo, '2x', () => mul(2, x)),
      ),
  ],
  jvp: ([t], [x], _out, _p, memo) =>
    mul(
      t!,
      memoised(memo, '2x', () => mul(2, x)),
    ),
};

/** −x. @example neg(tensor([1, -2])).toArray(); // [-1, 2] */
export function neg(x: TensorLike): Tensor {
  checkArity('neg', arguments.length, 1);
  return bind(negPrimitive, [toTensor(x, 'neg', 'x')], undefined);
}
/** x² elementwise. @example square(tensor([3])).toArray(); // [9] */
export function square(x: TensorLike): Tensor {
  checkArity('square', arguments.length, 1);
  return bind(squarePrimitive, [toTensor(x, 'square', 'x')], undefined);
}

// where(c, a, b): d = where(c, da, db). The condition is data, not differentiated.
interface WhereParams {
  condition: Tensor;
}
const wherePrimitive: Binary<WhereParams> = {
  name: 'where',
  linear: true,
  value: ([a, b], { condition: c }) => {
    const shape = broadcastShapes(broadcastShapes(c.shape, a.shape)!, b.shape)!;
    return fromData(selectBroadcast(dataOf(c), c.shape, dataOf(a), a.shape, dataOf(b), b.shape, shape), shape);
  },
  vjps: [
    (g, { inputs: [a], params }) => sumTo(bind(wherePrimitive, [g, scalar(0)], params), a.shape),
    (g, { inputs: [, b], params }) => sumTo(bind(wherePrimitive, [scalar(0), g], params), b.shape),
  ],
};

/**
 * Elementwise `condition ? a : b`, broadcasting all three. The condition is read as data (non-zero
 * is true) and is not differentiated; gradients flow to `a` where it holds and to `b` elsewhere.
 * @example where(greater(x, 0), x, 0) // relu
 */
export function where(condition: TensorLike, a: TensorLike, b: TensorLike): Tensor {
  checkArity('where', arguments.length, 3);
  return select(
    'where',
    toTensor(condition, 'where', 'condition'),
    toTensor(a, 'where', 'a'),
    toTensor(b, 'where', 'b'),
  );
}

/** `where` on tensors, with errors naming `fn`. */
function select(fn: string, c: Tensor, x: Tensor, y: Tensor): Tensor {
  const ab = broadcastShapes(x.shape, y.shape);
  if (ab === undefined || broadcastShapes(c.shape, ab) === undefined) {
    throw new ShapeError(
      fn,
      `condition ${formatShape(c.shape)}, a ${formatShape(x.shape)} and b ${formatShape(y.shape)} do not broadcast together`,
    );
  }
  return bind(wherePrimitive, [x, y], { condition: fromData(dataOf(c), c.shape) });
}

/**
 * Elementwise maximum. At ties the gradient goes to `a` (a documented choice, as in JAX's
 * `where(a >= b, a, b)`).
 * @example maximum(tensor([1, 5]), 3).toArray(); // → [3, 5]
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  checkArity('maximum', arguments.length, 2);
  const x = toTensor(a, 'maximum', 'a');
  const y = toTensor(b, 'maximum', 'b');
  return select('maximum', compare('maximum', 'greaterEqual', x, y), x, y);
}
/** Elementwise minimum; at ties the gradient goes to `a`. @example minimum(tensor([1, 5]), 3).toArray(); // [1, 3] */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  checkArity('minimum', arguments.length, 2);
  const x = toTensor(a, 'minimum', 'a');
  const y = toTensor(b, 'minimum', 'b');
  return select('minimum', compare('minimum', 'lessEqual', x, y), x, y);
}

/**
 * @internal Runs a piecewise-constant primitive (a mask, sign, a step, the shift of logSumExp) on
 * the level-0 values of its inputs. Its value is data to every transform (its derivatives are 0
 * wherever they exist), so no trace records it; but it is a primitive evaluation, not JavaScript
 * reading the data, so `jit` records it and the compiled code computes it afresh for each call.
 * Such a primitive gives only `value`.
 */
export function bindConstant<P>(primitive: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  return bind(primitive, inputs.map(untraced), params);
}

/** The level-0 value of `t`: the same storage, seen by no transform. */
function untraced(t: Tensor): Tensor {
  return t.level === 0 ? t : fromData(dataOf(t), t.shape);
}

type Comparison = 'greater' | 'greaterEqual' | 'less' | 'lessEqual' | 'equal';
/** The comparisons as primitives (1 where the relation holds, else 0), bound by `bindConstant`. */
const comparisons: Record<Comparison, Binary> = {
  greater: { name: 'greater', value: binaryValue('greater') },
  greaterEqual: { name: 'greaterEqual', value: binaryValue('greaterEqual') },
  less: { name: 'less', value: binaryValue('less') },
  lessEqual: { name: 'lessEqual', value: binaryValue('lessEqual') },
  equal: { name: 'equal', value: binaryValue('equal') },
};

function compare(fn: string, op: Comparison, a: TensorLike, b: TensorLike): Tensor {
  const x = toTensor(a, fn, 'a');
  const y = toTensor(b, fn, 'b');
  outputShape(fn, x, y); // validates broadcasting, with the op's name
  // Comparisons are piecewise constant: their output is a constant mask at every level.
  return bindConstant(comparisons[op], [x, y], undefined);
}

/** 1 where a > b, else 0 (a constant mask). @example greater(tensor([1, 3]), 2).toArray(); // [0, 1] */
export function greater(a: TensorLike, b: TensorLike): Tensor {
  checkArity('greater', arguments.length, 2);
  return compare('greater', 'greater', a, b);
}
/** 1 where a ≥ b, else 0 (a constant mask). @example greaterEqual(tensor([1, 2]), 2).toArray(); // [0, 1] */
export function greaterEqual(a: TensorLike, b: TensorLike): Tensor {
  checkArity('greaterEqual', arguments.length, 2);
  return compare('greaterEqual', 'greaterEqual', a, b);
}
/** 1 where a < b, else 0 (a constant mask). @example less(tensor([1, 3]), 2).toArray(); // [1, 0] */
export function less(a: TensorLike, b: TensorLike): Tensor {
  checkArity('less', arguments.length, 2);
  return compare('less', 'less', a, b);
}
/** 1 where a ≤ b, else 0 (a constant mask). @example lessEqual(tensor([2, 3]), 2).toArray(); // [1, 0] */
export function lessEqual(a: TensorLike, b: TensorLike): Tensor {
  checkArity('lessEqual', arguments.length, 2);
  return compare('lessEqual', 'lessEqual', a, b);
}
/** 1 where a = b, else 0 (a constant mask). @example equal(tensor([1, 2]), 2).toArray(); // [0, 1] */
export function equal(a: TensorLike, b: TensorLike): Tensor {
  checkArity('equal', arguments.length, 2);
  return compare('equal', 'equal', a, b);
}

/**
 * The value of `x` as a constant: no transform sees through it (JAX's `stop_gradient`,
 * PyTorch's `detach`).
 * @example grad((x) => mul(x, stopGradient(x)))(scalar(3)).item(); // 3, not 6
 */
export function stopGradient(x: TensorLike): Tensor {
  checkArity('stopGradient', arguments.length, 1);
  return untraced(toTensor(x, 'stopGradient', 'x'));
}
