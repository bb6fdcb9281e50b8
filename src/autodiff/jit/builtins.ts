/**
 * What the compiler knows about tapegrad's own primitives: which ones are elementwise (and the
 * scalar formula of each, identical to its kernel's, so that a fused loop gives the same bits),
 * which are views (reshape, slice, broadcastTo, transpose: read through an index map instead of
 * copied), which are reductions it can fuse, and which it leaves to their own `value`.
 *
 * The primitives are private to their op files, so they are found the honest way: by running
 * each op once on tiny constants with an evaluator installed and keeping the primitive object
 * that reached `bind`. A user's primitive that happens to be called `'mul'` is a different
 * object, and is run through its own `value`.
 *
 * What this file leaves out: tracing (trace.ts), planning (plan.ts) and code (codegen.ts).
 */
import {
  allocate,
  erf as erfKernel,
  hypot as hypotKernel,
  logAddExp as logAddExpKernel,
} from '../../linalg/tensor-kernels.js';
import {
  add,
  div,
  equal,
  greater,
  greaterEqual,
  less,
  lessEqual,
  mul,
  neg,
  pow,
  square,
  sub,
  where,
} from '../ops/arithmetic.js';
import { atan2, hypot, logAddExp } from '../ops/binary-maths.js';
import {
  abs,
  acos,
  asin,
  atan,
  cos,
  cosh,
  erf,
  exp,
  expm1,
  finiteOrZero,
  log,
  log1p,
  relu,
  sigmoid,
  sign,
  sin,
  sinh,
  softplus,
  sqrt,
  step,
  tanh,
} from '../ops/elementwise.js';
import { matmul } from '../ops/linear-algebra.js';
import { sum } from '../ops/reduce.js';
import { broadcastTo, reshape, slice, sumTo, transpose } from '../ops/shape.js';
import { setEvaluator, setValueHook, type Primitive } from '../primitive.js';
import { tensor, type Tensor } from '../tensor.js';
import { vjp } from '../transforms.js';

/** An elementwise primitive as a scalar formula: JavaScript source and the same as a function. */
export interface ScalarRule {
  readonly name: string;
  /** The expression for one element, given its arguments' expressions. */
  source(args: readonly string[]): string;
  /** The same computation on numbers (the interpreter's version; identical floating-point ops). */
  readonly evaluate: (...xs: number[]) => number;
}

/** σ(v) exactly as the sigmoid kernel computes it (no overflow in either branch). */
export function sigmoidScalar(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** softplus(v) exactly as its kernel computes it. */
export function softplusScalar(v: number): number {
  return (v > 0 ? v : 0) + Math.log1p(Math.exp(-Math.abs(v)));
}

/** The helpers generated code calls by name (`H.sigmoid(x)`), passed in when it is built. */
export const HELPERS = {
  sigmoid: sigmoidScalar,
  softplus: softplusScalar,
  erf: erfKernel,
  hypot: hypotKernel,
  logAddExp: logAddExpKernel,
  allocate,
} as const;

const math = (fn: string): Omit<ScalarRule, 'name'> => ({
  source: ([x]) => `Math.${fn}(${x})`,
  evaluate: (Math as unknown as Record<string, (x: number) => number>)[fn]!,
});
const helper = (fn: keyof typeof HELPERS): Omit<ScalarRule, 'name'> => ({
  source: (args) => `H.${fn}(${args.join(', ')})`,
  evaluate: HELPERS[fn] as (...xs: number[]) => number,
});

/** The scalar formula of each elementwise primitive, by name (each mirrors its kernel's loop). */
const RULES: Record<string, Omit<ScalarRule, 'name'>> = {
  add: { source: ([a, b]) => `${a} + ${b}`, evaluate: (a, b) => a! + b! },
  sub: { source: ([a, b]) => `${a} - ${b}`, evaluate: (a, b) => a! - b! },
  mul: { source: ([a, b]) => `${a} * ${b}`, evaluate: (a, b) => a! * b! },
  div: { source: ([a, b]) => `${a} / ${b}`, evaluate: (a, b) => a! / b! },
  pow: { source: ([a, b]) => `Math.pow(${a}, ${b})`, evaluate: (a, b) => Math.pow(a!, b!) },
  atan2: { source: ([a, b]) => `Math.atan2(${a}, ${b})`, evaluate: (a, b) => Math.atan2(a!, b!) },
  hypot: helper('hypot'),
  logAddExp: helper('logAddExp'),
  neg: { source: ([x]) => `-${x}`, evaluate: (x) => -x! },
  square: { source: ([x]) => `${x} * ${x}`, evaluate: (x) => x! * x! },
  exp: math('exp'),
  log: math('log'),
  log1p: math('log1p'),
  expm1: math('expm1'),
  sqrt: math('sqrt'),
  sin: math('sin'),
  cos: math('cos'),
  tanh: math('tanh'),
  abs: math('abs'),
  atan: math('atan'),
  asin: math('asin'),
  acos: math('acos'),
  sinh: math('sinh'),
  cosh: math('cosh'),
  relu: { source: ([x]) => `(${x} > 0 ? ${x} : 0)`, evaluate: (x) => (x! > 0 ? x! : 0) },
  sigmoid: helper('sigmoid'),
  softplus: helper('softplus'),
  erf: helper('erf'),
  // The piecewise-constant primitives (masks, sign, relu′, logSumExp's shift), as their kernels compute them.
  greater: { source: ([a, b]) => `(${a} > ${b} ? 1 : 0)`, evaluate: (a, b) => (a! > b! ? 1 : 0) },
  greaterEqual: { source: ([a, b]) => `(${a} >= ${b} ? 1 : 0)`, evaluate: (a, b) => (a! >= b! ? 1 : 0) },
  less: { source: ([a, b]) => `(${a} < ${b} ? 1 : 0)`, evaluate: (a, b) => (a! < b! ? 1 : 0) },
  lessEqual: { source: ([a, b]) => `(${a} <= ${b} ? 1 : 0)`, evaluate: (a, b) => (a! <= b! ? 1 : 0) },
  equal: { source: ([a, b]) => `(${a} === ${b} ? 1 : 0)`, evaluate: (a, b) => (a === b ? 1 : 0) },
  sign: {
    source: ([x]) => `(${x} > 0 ? 1 : ${x} < 0 ? -1 : ${x} === 0 ? 0 : NaN)`,
    evaluate: (x) => (x! > 0 ? 1 : x! < 0 ? -1 : x === 0 ? 0 : NaN),
  },
  step: { source: ([x]) => `(${x} > 0 ? 1 : 0)`, evaluate: (x) => (x! > 0 ? 1 : 0) },
  finiteOrZero: { source: ([x]) => `(${x} - ${x} === 0 ? ${x} : 0)`, evaluate: (x) => (x! - x! === 0 ? x! : 0) },
  // where(c, a, b), the condition first (non-zero is true), as selectBroadcast does.
  where: { source: ([c, a, b]) => `(${c} !== 0 ? ${a} : ${b})`, evaluate: (c, a, b) => (c !== 0 ? a! : b!) },
  // A materialised view: the value read through its index map.
  copy: { source: ([x]) => `${x}`, evaluate: (x) => x! },
};

/** The scalar rule of the named elementwise primitive. */
export function scalarRule(name: string): ScalarRule {
  let rule = ruleCache.get(name);
  if (rule === undefined) ruleCache.set(name, (rule = { name, ...RULES[name]! }));
  return rule;
}
const ruleCache = new Map<string, ScalarRule>();

/** How the planner treats a built-in primitive. */
export type BuiltinKind =
  'unary' | 'binary' | 'where' | 'reshape' | 'slice' | 'pad' | 'broadcastTo' | 'transpose' | 'sum' | 'sumTo' | 'matmul';

let builtins: Map<Primitive<unknown>, BuiltinKind> | undefined;

/** The built-in primitives the planner specialises, found once by running each op on tiny constants. */
export function builtinKinds(): Map<Primitive<unknown>, BuiltinKind> {
  if (builtins !== undefined) return builtins;
  const found = new Map<Primitive<unknown>, BuiltinKind>();
  let kind: BuiltinKind = 'unary';
  const hook = setValueHook(undefined); // this is jit's own work: evaluation hooks do not see it
  const previous = setEvaluator((primitive, inputs, params) => {
    if (!found.has(primitive as Primitive<unknown>)) found.set(primitive as Primitive<unknown>, kind);
    return primitive.value(inputs, params);
  });
  try {
    runProbes((next) => (kind = next));
  } finally {
    setEvaluator(previous);
    setValueHook(hook);
  }
  builtins = found;
  return found;
}

/** Runs each built-in op once on tiny constants, saying which kind its primitives are before it runs. */
function runProbes(as: (kind: BuiltinKind) => void): void {
  const a = tensor([0.5, 0.25]);
  const b = tensor([0.75, 0.125]);
  const m = tensor([
    [1, 2],
    [3, 4],
  ]);
  as('unary');
  for (const op of unaryOps()) op(a);
  as('binary');
  for (const op of binaryOps()) op(a, b);
  as('where');
  where(tensor([1, 0]), a, b);
  as('reshape');
  reshape(a, [2, 1]);
  as('slice');
  slice(a, [1], [1]);
  as('pad'); // slice's VJP
  vjp((x: Tensor) => slice(x, [1], [1]), a).pullback(tensor([1]));
  as('broadcastTo');
  broadcastTo(a, [2, 2]);
  as('transpose');
  transpose(m);
  as('sum');
  sum(a);
  as('sumTo');
  sumTo(m, [2]);
  as('matmul');
  matmul(m, a);
}

/** The elementwise ops of one argument the compiler fuses. */
function unaryOps(): ((x: Tensor) => Tensor)[] {
  return [
    neg,
    square,
    exp,
    log,
    log1p,
    expm1,
    sqrt,
    sin,
    cos,
    tanh,
    abs,
    atan,
    asin,
    acos,
    sinh,
    cosh,
    relu,
    sigmoid,
    softplus,
    erf,
    sign,
    step,
    finiteOrZero,
  ];
}

/** The elementwise ops of two arguments the compiler fuses. */
function binaryOps(): ((x: Tensor, y: Tensor) => Tensor)[] {
  return [add, sub, mul, div, pow, atan2, hypot, logAddExp, greater, greaterEqual, less, lessEqual, equal];
}
