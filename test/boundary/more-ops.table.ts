/**
 * Boundary entries (see harness.ts) for the ops added after the first table: inverse and
 * hyperbolic trigonometry, erf and sign; atan2, hypot, logAddExp and clip; the reductions min,
 * prod, var/variance, std and norm; and cumsum.
 */
import { InvalidArgumentError, ShapeError } from '../../src/errors.js';
import {
  acos,
  asin,
  atan,
  atan2,
  clip,
  cosh,
  cumsum,
  erf,
  hypot,
  logAddExp,
  min,
  norm,
  prod,
  sign,
  sinh,
  std,
  tensor,
  var as varOp,
  variance,
  zeros,
  type Tensor,
} from '../../src/index.js';
import { opt, p, type Entry } from './harness.js';

const call =
  <A extends unknown[]>(f: (...args: A) => unknown) =>
  (...args: unknown[]) =>
    f(...(args as A));

const v = () => tensor([0.25, -0.5]);
const m = () =>
  tensor([
    [1, 2],
    [3, 4],
  ]);
const extra = (count: number) => ({ label: 'an extra argument', args: () => Array.from({ length: count }, v) });

const unaryOps: [string, (x: Tensor) => Tensor][] = [
  ['atan', atan],
  ['asin', asin],
  ['acos', acos],
  ['sinh', sinh],
  ['cosh', cosh],
  ['erf', erf],
  ['sign', sign],
];

const binaryOps: [string, (a: Tensor, b: Tensor) => Tensor, [string, string]][] = [
  ['atan2', atan2, ['y', 'x']],
  ['hypot', hypot, ['a', 'b']],
  ['logAddExp', logAddExp, ['a', 'b']],
];

const reductions: [string, (x: Tensor, axis?: number | number[], keepDims?: boolean) => Tensor][] = [
  ['min', min],
  ['prod', prod],
];

const spreads: [string, (x: Tensor, axis?: number | number[], keepDims?: boolean, ddof?: number) => Tensor][] = [
  ['var', varOp],
  ['variance', variance],
  ['std', std],
];

const everyAxis = { 'axis = null': "null means every axis, as NumPy's None" };

export const moreOpEntries: Entry[] = [
  ...unaryOps.map(([name, f]): Entry => ({
    name,
    valid: () => [v()],
    call: call(f),
    params: [p('x', 'tensor')],
    cases: [extra(2)],
  })),
  ...binaryOps.map(([name, f, [a, b]]): Entry => ({
    name,
    valid: () => [v(), tensor([2, 3])],
    call: call(f),
    params: [p(a, 'tensor'), p(b, 'tensor')],
    cases: [
      extra(3),
      { label: 'shapes that do not broadcast', args: () => [tensor([1, 2, 3]), tensor([1, 2])], error: ShapeError },
    ],
  })),
  {
    name: 'clip',
    valid: () => [v(), tensor([0, -1]), 1],
    call: call(clip),
    params: [p('x', 'tensor'), opt('lo', 'tensor'), opt('hi', 'tensor')],
    accepts: {
      'lo = null': "null means no lower bound, as NumPy's None",
      'hi = null': "null means no upper bound, as NumPy's None",
    },
    cases: [
      extra(4),
      { label: 'lo > hi', args: () => [v(), 1, 0], error: InvalidArgumentError, message: 'lo must be ≤ hi' },
      {
        label: 'lo > hi at one broadcast position',
        args: () => [v(), tensor([0, 2]), tensor([1, 1])],
        error: InvalidArgumentError,
        message: 'flat position 1',
      },
      { label: 'a NaN bound', args: () => [v(), NaN, 1], error: InvalidArgumentError, message: 'NaN' },
      { label: 'bounds that do not broadcast with x', args: () => [v(), tensor([0, 0, 0]), 1], error: ShapeError },
    ],
  },
  ...reductions.map(([name, f]): Entry => ({
    name,
    valid: () => [m(), 0, true],
    call: call(f),
    params: [p('x', 'tensor'), opt('axis', 'axes'), opt('keepDims', 'boolean')],
    accepts: everyAxis,
    cases: [
      extra(4),
      { label: 'a repeated axis', args: () => [m(), [0, 0]] },
      ...(name === 'min' ? [{ label: 'an empty slice', args: () => [zeros([2, 0]), 1], error: ShapeError }] : []),
    ],
  })),
  ...spreads.map(([name, f]): Entry => ({
    name,
    valid: () => [m(), 0, true, 1],
    call: call(f),
    params: [p('x', 'tensor'), opt('axis', 'axes'), opt('keepDims', 'boolean'), opt('ddof', 'count')],
    accepts: everyAxis,
    cases: [
      extra(5),
      { label: 'a repeated axis', args: () => [m(), [1, -1]] },
      {
        label: 'ddof equal to the slice length',
        args: () => [m(), 1, false, 2],
        error: InvalidArgumentError,
        message: 'ddof',
      },
      { label: 'an empty slice', args: () => [zeros([2, 0]), 1], error: ShapeError },
    ],
  })),
  {
    name: 'norm',
    valid: () => [m(), 1, 0, true],
    call: call(norm),
    params: [p('x', 'tensor'), opt('ord', 'any'), opt('axis', 'axes'), opt('keepDims', 'boolean')],
    accepts: everyAxis,
    cases: [
      extra(5),
      { label: 'ord = 3', args: () => [m(), 3], error: InvalidArgumentError, message: '1, 2 or Infinity' },
      { label: "ord = '2' (a string)", args: () => [m(), '2'], message: "'2'" },
      { label: "ord = 'inf' (a string)", args: () => [m(), 'inf'], message: 'Infinity, not a string' },
      { label: "ord = 'fro' (a matrix norm)", args: () => [m(), 'fro'], message: "'fro'" },
      { label: 'ord = NaN', args: () => [m(), NaN] },
      { label: 'ord = -Infinity', args: () => [m(), -Infinity] },
      { label: 'ord = [2]', args: () => [m(), [2]] },
    ],
  },
  {
    name: 'cumsum',
    valid: () => [m(), 1],
    call: call(cumsum),
    params: [p('x', 'tensor'), opt('axis', 'axis')],
    accepts: { 'axis = null': "null flattens x first, as NumPy's None" },
    cases: [
      extra(3),
      { label: 'an axis on a scalar', args: () => [3, 0], error: ShapeError },
      { label: 'a list of axes', args: () => [m(), [0, 1]] },
    ],
  },
];
