/** Boundary entries (see harness.ts): tensors, their constructors and methods, errors. */
import {
  DivergenceError,
  InvalidArgumentError,
  NegativeCurvatureError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
  TapegradError,
  Tensor,
  asTensor,
  eye,
  formatShape,
  full,
  isTensor,
  ones,
  onesLike,
  rand,
  randn,
  randomTensors,
  scalar,
  tensor,
  zeros,
  zerosLike,
} from '../../src/index.js';
import { options, opt, p, type Entry } from './harness.js';

const call =
  <A extends unknown[]>(f: (...args: A) => unknown) =>
  (...args: unknown[]) =>
    f(...(args as A));

const method = (name: string, make: () => Tensor, invoke: (t: Tensor, ...args: unknown[]) => unknown): Entry => ({
  name: `Tensor.${name}`,
  valid: () => [],
  call: (...args) => invoke(make(), ...args),
  params: [],
  cases: [{ label: 'an extra argument', args: () => [1] }],
});

/** Constructing an error with malformed fields yields an error reporting that mistake; the shim throws it. */
const errorClass = (
  name: string,
  make: (...args: unknown[]) => unknown,
  valid: unknown[],
  params: Entry['params'],
): Entry => ({
  name,
  valid: () => valid,
  call: (...args) => {
    const error = make(...args) as TapegradError;
    if (error.fn === name && error.code === 'invalid-argument') throw error;
    return error.message;
  },
  params,
});

export const tensorEntries: Entry[] = [
  {
    name: 'Tensor',
    valid: () => [],
    noValidCall: 'the class is exported for instanceof and types; tensors are made with tensor(), zeros(), …',
    call: (...args) => new (Tensor as unknown as new (...a: unknown[]) => Tensor)(...args),
    params: [],
    cases: [
      {
        label: 'new Tensor(array)',
        args: () => [new Float64Array(2), [2]],
        error: InvalidArgumentError,
        message: 'tensor(values',
      },
      { label: 'new Tensor()', args: () => [], error: InvalidArgumentError },
    ],
  },
  method(
    'item',
    () => scalar(3),
    (t, ...a) => (t.item as (...x: unknown[]) => number)(...a),
  ),
  method(
    'toArray',
    () => tensor([1, 2]),
    (t, ...a) => (t.toArray as (...x: unknown[]) => unknown)(...a),
  ),
  method(
    'toNested',
    () => tensor([[1, 2]]),
    (t, ...a) => (t.toNested as (...x: unknown[]) => unknown)(...a),
  ),
  {
    name: 'tensor',
    valid: () => [
      [
        [1, 2],
        [3, 4],
      ],
    ],
    call: call(tensor),
    params: [p('values', 'any'), opt('shape', 'shape')],
    cases: [
      { label: "values = '12' (a string)", args: () => ['12'] },
      { label: 'values = null', args: () => [null] },
      { label: 'values = undefined', args: () => [undefined] },
      { label: 'values = an object', args: () => [{ 0: 1, length: 1 }] },
      { label: "values holding a string ['1', 2]", args: () => [['1', 2]], message: "'1' (a string)" },
      { label: 'values holding null', args: () => [[1, null]] },
      { label: 'ragged values', args: () => [[[1, 2], [3]]], error: ShapeError },
      {
        label: 'a cyclic array',
        args: () => {
          const a: unknown[] = [1];
          a.push(a);
          return [a];
        },
        message: 'cyclic',
      },
      {
        label: 'a shape that does not hold the values',
        args: () => [
          [1, 2, 3],
          [2, 2],
        ],
        error: ShapeError,
      },
      { label: 'a BigInt64Array', args: () => [new BigInt64Array(2)] },
      { label: 'a third argument', args: () => [[1], [1], 'x'] },
    ],
  },
  { name: 'scalar', valid: () => [3], call: call(scalar), params: [p('value', 'value')] },
  { name: 'zeros', valid: () => [[2, 3]], call: call(zeros), params: [p('shape', 'shape')] },
  { name: 'ones', valid: () => [[2]], call: call(ones), params: [p('shape', 'shape')] },
  { name: 'full', valid: () => [[2], 7], call: call(full), params: [p('shape', 'shape'), p('value', 'value')] },
  { name: 'eye', valid: () => [2, 3], call: call(eye), params: [p('n', 'count'), opt('m', 'count')] },
  { name: 'zerosLike', valid: () => [tensor([1, 2])], call: call(zerosLike), params: [p('x', 'tensor')] },
  { name: 'onesLike', valid: () => [tensor([1, 2])], call: call(onesLike), params: [p('x', 'tensor')] },
  { name: 'randn', valid: () => [[2, 2], 1], call: call(randn), params: [p('shape', 'shape'), opt('seed', 'seed')] },
  {
    name: 'rand',
    valid: () => [[3], 1, -1, 1],
    call: call(rand),
    params: [p('shape', 'shape'), opt('seed', 'seed'), opt('low', 'number'), opt('high', 'number')],
    cases: [{ label: 'high ≤ low', args: () => [[2], 0, 1, 1], message: 'high' }],
  },
  { name: 'randomTensors', valid: () => [4], call: call(randomTensors), params: [opt('seed', 'seed')] },
  {
    name: 'randomTensors().randn',
    valid: () => [[2]],
    call: (...args) => (randomTensors(1).randn as (...a: unknown[]) => Tensor)(...args),
    params: [p('shape', 'shape')],
  },
  {
    name: 'randomTensors().rand',
    valid: () => [[2], 0, 2],
    call: (...args) => (randomTensors(1).rand as (...a: unknown[]) => Tensor)(...args),
    params: [p('shape', 'shape'), opt('low', 'number'), opt('high', 'number')],
  },
  {
    name: 'isTensor',
    valid: () => [tensor([1])],
    call: call(isTensor),
    params: [opt('x', 'any')],
    cases: [{ label: 'two arguments', args: () => [1, 2] }],
  },
  {
    name: 'asTensor',
    valid: () => [2],
    call: call(asTensor),
    params: [p('x', 'tensor')],
    cases: [{ label: 'two arguments', args: () => [1, 'fn'] }],
  },
  {
    name: 'formatShape',
    valid: () => [[2, 3]],
    call: call(formatShape),
    params: [p('shape', 'any')],
    cases: [
      { label: "shape = '2' (a string)", args: () => ['2'] },
      { label: 'shape = 4', args: () => [4] },
      { label: 'shape = null', args: () => [null] },
      { label: "shape = ['2']", args: () => [['2']] },
    ],
  },
  errorClass(
    'TapegradError',
    (...a) => new TapegradError(...(a as ConstructorParameters<typeof TapegradError>)),
    ['f', 'code', 'message'],
    [p('fn', 'string'), p('code', 'string'), p('message', 'string')],
  ),
  errorClass(
    'ShapeError',
    (...a) => new ShapeError(...(a as [string, string])),
    ['f', 'message'],
    [p('fn', 'string'), p('message', 'string')],
  ),
  errorClass(
    'InvalidArgumentError',
    (...a) => new InvalidArgumentError(...(a as [string, string])),
    ['f', 'message'],
    [p('fn', 'string'), p('message', 'string')],
  ),
  errorClass(
    'NonFiniteError',
    (...a) => new NonFiniteError(...(a as [string, string])),
    ['f', 'message'],
    [p('fn', 'string'), p('message', 'string')],
  ),
  errorClass(
    'SingularMatrixError',
    (...a) => new SingularMatrixError(...(a as [string, number, string])),
    ['f', 0, 'message'],
    [p('fn', 'string'), p('pivot', 'integer'), p('message', 'string')],
  ),
  errorClass(
    'NotPositiveDefiniteError',
    (...a) => new NotPositiveDefiniteError(...(a as [string, number, string])),
    ['f', 0, 'message'],
    [p('fn', 'string'), p('column', 'integer'), p('message', 'string')],
  ),
  errorClass(
    'NegativeCurvatureError',
    (...a) => new NegativeCurvatureError(...(a as [string, number, number, string])),
    ['f', 0, -1, 'message'],
    [p('fn', 'string'), p('iteration', 'integer'), p('curvature', 'number'), p('message', 'string')],
  ),
  errorClass(
    'DivergenceError',
    (...a) => new DivergenceError(...(a as [string, string, { iteration: number }])),
    ['f', 'message', { iteration: 0 }],
    [p('fn', 'string'), p('message', 'string'), p('details', 'any')],
  ),
];

void options;
