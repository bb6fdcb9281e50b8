/** LinearOperator helpers: dense wrapping, coercion, damping, scaling, counting, densifying. */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../../src/errors.js';
import {
  countingOperator,
  dampedOperator,
  denseOperator,
  operatorToMatrix,
  scaledOperator,
  toOperator,
  type LinearOperator,
} from '../../src/hessian/solvers/index.js';

const m = new Float64Array([2, 1, 0, 1, 3, 1, 0, 1, 4]);

describe('denseOperator', () => {
  it('infers n, applies the row-major matrix, returns fresh arrays, and copies its input', () => {
    const source = Float64Array.from(m);
    const op = denseOperator(source);
    expect(op.size).toBe(3);
    const v = new Float64Array([1, 2, 3]);
    const out = op.apply(v);
    expect(Array.from(out)).toEqual([4, 10, 14]);
    expect(Array.from(v)).toEqual([1, 2, 3]);
    expect(op.apply(v)).not.toBe(out);
    source[0] = 100;
    expect(op.apply(v)[0]).toBe(4);
    expect(Array.from(op.diagonal!())).toEqual([2, 3, 4]);
  });

  it('accepts a duck-typed [n, n] tensor and an explicit n', () => {
    const tensor = { shape: [3, 3], toArray: () => Float64Array.from(m) };
    expect(operatorToMatrix(denseOperator(tensor))).toEqual(m);
    expect(denseOperator(m, 3).size).toBe(3);
  });

  it('rejects non-square input with a ShapeError naming the function', () => {
    expect(() => denseOperator(new Float64Array(6))).toThrow(/^denseOperator: .*square/);
    expect(() => denseOperator(new Float64Array(0))).toThrow(ShapeError);
    expect(() => denseOperator(m, 2)).toThrow(ShapeError);
    expect(() => denseOperator({ shape: [2, 3], toArray: () => new Float64Array(6) })).toThrow(/shape \[2, 3\]/);
    expect(() => denseOperator({ shape: [3, 3], toArray: () => m }, 2)).toThrow(ShapeError);
    expect(() => denseOperator(m).apply(new Float64Array(2))).toThrow(ShapeError);
    expect(() => denseOperator([1, 2, 3, 4] as never)).toThrow(InvalidArgumentError);
  });
});

describe('toOperator', () => {
  it('passes operators through and wraps matrices, naming the caller in errors', () => {
    const op: LinearOperator = { size: 2, apply: (v) => Float64Array.from(v) };
    expect(toOperator(op, 'mySolver')).toBe(op);
    expect(toOperator(m, 'mySolver').size).toBe(3);
    expect(() => toOperator(new Float64Array(5), 'mySolver')).toThrow(/^mySolver: /);
    expect(() => toOperator(op, 'mySolver', 3)).toThrow(/^mySolver: expected an operator of size 3/);
    expect(() => toOperator({ size: 0, apply: (v: Float64Array) => v }, 'mySolver')).toThrow(InvalidArgumentError);
  });
});

describe('combinators', () => {
  it('dampedOperator adds λv and shifts the diagonal; damping must be ≥ 0', () => {
    const op = dampedOperator(m, 0.5);
    expect(Array.from(op.apply(new Float64Array([1, 0, 0])))).toEqual([2.5, 1, 0]);
    expect(Array.from(op.diagonal!())).toEqual([2.5, 3.5, 4.5]);
    expect(() => dampedOperator(m, -1)).toThrow(/dampedOperator: damping/);
    expect(() => dampedOperator(m, Number.NaN)).toThrow(InvalidArgumentError);
    const bare: LinearOperator = { size: 1, apply: (v) => v.map((x) => 2 * x) };
    expect(dampedOperator(bare, 1).diagonal).toBeUndefined();
  });

  it('scaledOperator multiplies by s ≠ 0', () => {
    const op = scaledOperator(m, -2);
    expect(Array.from(op.apply(new Float64Array([0, 0, 1])))).toEqual([-0, -2, -8]);
    expect(Array.from(op.diagonal!())).toEqual([-4, -6, -8]);
    expect(() => scaledOperator(m, 0)).toThrow(/scaledOperator: scale/);
  });

  it('countingOperator counts applications (not diagonal calls)', () => {
    const op = countingOperator(m);
    expect(op.applications).toBe(0);
    op.apply(new Float64Array(3));
    op.apply(new Float64Array(3));
    op.diagonal!();
    expect(op.applications).toBe(2);
    operatorToMatrix(op);
    expect(op.applications).toBe(5);
  });

  it('operatorToMatrix builds columns Heⱼ and rejects garbage', () => {
    const op: LinearOperator = { size: 2, apply: (v) => new Float64Array([v[0]! + 2 * v[1]!, 3 * v[0]! + 4 * v[1]!]) };
    expect(Array.from(operatorToMatrix(op))).toEqual([1, 2, 3, 4]);
    expect(() => operatorToMatrix({ size: 2, apply: () => new Float64Array([Number.NaN, 0]) })).toThrow(NonFiniteError);
    expect(() => operatorToMatrix({ size: 2, apply: () => new Float64Array(3) })).toThrow(ShapeError);
  });
});
