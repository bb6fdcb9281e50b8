/** Boundary entries (see harness.ts) for jit and its error class. */
import { ConcretizationError, isTensor, jit, mul, scalar, sum, tensor, type Tensor } from '../../src/index.js';
import { opt, options, oneOf, p, type Entry } from './harness.js';

const v = () => tensor([0.5, 1.5]);
const square2 = (x: Tensor): Tensor => sum(mul(x, x));
/** A function that also accepts the non-tensor leaves jit passes through unchanged. */
const tolerant = (x: unknown): Tensor => (isTensor(x) ? square2(x) : scalar(0));
const passedThrough = 'strings, booleans and null are passed through to fn unchanged and compiled in as constants';

export const jitEntries: Entry[] = [
  {
    name: 'jit',
    valid: () => [square2],
    call: (...args) => (jit as (...a: unknown[]) => (x: Tensor) => Tensor)(...args)(v()),
    params: [p('fn', 'function'), options({ fallback: oneOf('interpret', 'error'), cacheSize: 'positiveInteger' })],
    cases: [{ label: 'jit(fn, x) (x given to jit itself)', args: () => [square2, v(), v()], message: 'jit(fn)(x)' }],
  },
  {
    name: 'jit(fn)',
    fn: 'jit',
    valid: () => [v()],
    call: (...args) => (jit(tolerant) as (...a: unknown[]) => unknown)(...args),
    params: [opt('x', 'tree')],
    accepts: { "x = 'x' (a string)": passedThrough, 'x = null': passedThrough, 'x = true': passedThrough },
  },
  {
    name: 'jit(fn).lower',
    fn: 'jit().lower',
    valid: () => [v()],
    call: (...args) => (jit(tolerant).lower as (...a: unknown[]) => unknown)(...args),
    params: [opt('x', 'tree')],
    accepts: { "x = 'x' (a string)": passedThrough, 'x = null': passedThrough, 'x = true': passedThrough },
    varies: 'compileMilliseconds is the measured compile time',
  },
  {
    name: 'ConcretizationError',
    valid: () => ['Tensor.item', 'message'],
    call: (...args) => {
      const error = new ConcretizationError(...(args as [string, string]));
      if (error.fn === 'ConcretizationError' && error.code === 'invalid-argument') throw error;
      return error.message;
    },
    params: [p('fn', 'string'), p('message', 'string')],
  },
];
