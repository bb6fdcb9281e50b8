import { describe, expect, it } from 'vitest';
import {
  countOps,
  div,
  exp,
  grad,
  log,
  mul,
  NonFiniteError,
  sqrt,
  sub,
  sum,
  tensor,
  withFiniteChecks,
  type Tensor,
} from '../../src/index.js';

describe('withFiniteChecks', () => {
  it('returns the result when everything stays finite', () => {
    const g = withFiniteChecks(() => grad((x: Tensor) => sum(log(x)))(tensor([1, 2])));
    expect(Array.from(g.data)).toEqual([1, 0.5]);
  });

  it('names the op that created a NaN, where, and why', () => {
    expect(() => withFiniteChecks(() => log(tensor([1, -1])))).toThrow(NonFiniteError);
    expect(() => withFiniteChecks(() => log(tensor([1, -1])))).toThrow(
      /^log: produced NaN at flat index 1 of its \[2\] output from finite inputs \(\[2\]\); log needs x > 0/,
    );
  });

  it('catches a non-finite value born in a derivative rule, not in the forward pass', () => {
    // √x is finite at 0 but its derivative 0.5/√x is not: the rule's div is to blame.
    const run = () => withFiniteChecks(() => grad((x: Tensor) => sum(sqrt(x)))(tensor([0, 1])));
    expect(run).toThrow(/^div: produced \+Infinity at flat index 0/);
  });

  it('blames the creator, not the ops that pass a NaN along', () => {
    const nan = tensor([Number.NaN, 1]);
    // exp and sub only propagate the NaN they were given: no error.
    expect(() => withFiniteChecks(() => sub(exp(nan), 1))).not.toThrow();
    expect(() => withFiniteChecks(() => exp(tensor([800])))).toThrow(/^exp: produced \+Infinity.*work in log space/);
  });

  it('is off outside the call, even after a throw, and nests with countOps', () => {
    expect(() => withFiniteChecks(() => div(tensor([1]), tensor([0])))).toThrow(NonFiniteError);
    expect(Array.from(div(tensor([1]), tensor([0])).data)).toEqual([Infinity]); // checks are off again
    const counted = countOps(() => withFiniteChecks(() => mul(tensor([2]), tensor([3]))));
    expect(counted.ops).toBe(1);
    expect(Array.from(counted.result.data)).toEqual([6]);
  });
});
