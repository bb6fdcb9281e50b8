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
} from '../../src/hessian/linear/index.js';

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

  it('refuses non-finite entries, an empty matrix, n that is not an integer, and an operator', () => {
    expect(() => denseOperator(new Float64Array([1, Number.NaN, 0, 1]))).toThrow(NonFiniteError);
    expect(() => denseOperator(new Float64Array([1, Number.NaN, 0, 1]))).toThrow(
      /^denseOperator: matrix\[0, 1\] is NaN/,
    );
    expect(() => denseOperator(new Float64Array(0))).toThrow(/n ≥ 1/);
    expect(() => denseOperator({ shape: [0, 0], toArray: () => new Float64Array(0) })).toThrow(ShapeError);
    expect(() => denseOperator(m, 1.5)).toThrow(/^denseOperator: n must be an integer ≥ 1, got 1.5/);
    expect(() => denseOperator(m, '3' as never)).toThrow(/'3' \(a string\)/);
    expect(() => denseOperator({ size: 2, apply: (v: Float64Array) => v } as never)).toThrow(
      /an object with size and apply is an operator, not a matrix/,
    );
  });

  it('wraps any square matrix: a linear operator need not be symmetric', () => {
    const op = denseOperator(new Float64Array([1, 2, 0, 1]));
    expect(Array.from(op.apply(new Float64Array([0, 1])))).toEqual([2, 1]);
  });

  it('its apply checks the vector and names itself', () => {
    const op = denseOperator(m);
    expect(() => op.apply(new Float64Array([1, Number.NaN, 0]))).toThrow(NonFiniteError);
    expect(() => op.apply([1, 2, 3] as never)).toThrow(
      /^denseOperator\(\)\.apply: v must be a Float64Array, got an array of length 3/,
    );
    expect(() => (op.apply as (...a: unknown[]) => unknown)(new Float64Array(3), 1)).toThrow(
      /^denseOperator\(\)\.apply: takes at most 1 argument/,
    );
  });

  it('hands out fresh diagonals: writing into one changes nothing', () => {
    const op = denseOperator(m);
    op.diagonal!().fill(Number.NaN);
    expect(Array.from(op.diagonal!())).toEqual([2, 3, 4]);
    expect(Array.from(op.apply(new Float64Array([1, 0, 0])))).toEqual([2, 1, 0]);
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
    expect(() => toOperator({ size: 1.5, apply: (v: Float64Array) => v }, 'mySolver')).toThrow(
      /^mySolver: op.size must be an integer ≥ 1 .*got 1.5/,
    );
    expect(() => toOperator({ size: 2 } as never, 'mySolver')).toThrow(/^mySolver: op.apply must be a function/);
  });

  it('its fn must be a string (errors then name toOperator)', () => {
    expect(() => toOperator(m, 3 as never)).toThrow(/^toOperator: fn must be a non-empty string/);
    expect(() => toOperator(m, undefined as never)).toThrow(InvalidArgumentError);
    expect(() => toOperator(m, 'mySolver', 0)).toThrow(/^toOperator: n must be an integer ≥ 1/);
  });
});

describe('combinators', () => {
  it('dampedOperator adds λv and shifts the diagonal; damping must be ≥ 0', () => {
    const op = dampedOperator(m, 0.5);
    expect(Array.from(op.apply(new Float64Array([1, 0, 0])))).toEqual([2.5, 1, 0]);
    expect(Array.from(op.diagonal!())).toEqual([2.5, 3.5, 4.5]);
    expect(() => dampedOperator(m, -1)).toThrow(/^dampedOperator: damping must be a finite number ≥ 0, got -1/);
    expect(() => dampedOperator(m, Number.NaN)).toThrow(InvalidArgumentError);
    const bare: LinearOperator = { size: 1, apply: (v) => v.map((x) => 2 * x) };
    expect(dampedOperator(bare, 1).diagonal).toBeUndefined();
  });

  it('every combinator returns a new operator that checks its argument — even with damping 0', () => {
    const user: LinearOperator = { size: 2, apply: (v) => Float64Array.from(v) };
    const damped = dampedOperator(user, 0);
    expect(damped).not.toBe(user);
    expect(() => damped.apply(new Float64Array(3))).toThrow(/^dampedOperator\(\)\.apply: v must have length 2/);
    expect(() => scaledOperator(user, 2).apply(new Float64Array([Number.NaN, 0]))).toThrow(
      /^scaledOperator\(\)\.apply: v\[0\] is NaN/,
    );
    expect(() => countingOperator(user).apply('v' as never)).toThrow(/'v' \(a string\)/);
  });

  it('a combinator reports an inner operator that returns garbage, naming itself', () => {
    const short: LinearOperator = { size: 2, apply: () => new Float64Array(1) };
    const plain = { size: 2, apply: () => [1, 2] } as unknown as LinearOperator;
    expect(() => dampedOperator(short, 1).apply(new Float64Array(2))).toThrow(ShapeError);
    expect(() => dampedOperator(short, 1).apply(new Float64Array(2))).toThrow(
      /^dampedOperator\(\)\.apply: op.apply returned a vector of length 1/,
    );
    expect(() => countingOperator(plain).apply(new Float64Array(2))).toThrow(
      /^countingOperator\(\)\.apply: op.apply returned an array of length 2/,
    );
  });

  it('scaledOperator multiplies by s ≠ 0', () => {
    const op = scaledOperator(m, -2);
    expect(Array.from(op.apply(new Float64Array([0, 0, 1])))).toEqual([-0, -2, -8]);
    expect(Array.from(op.diagonal!())).toEqual([-4, -6, -8]);
    expect(() => scaledOperator(m, 0)).toThrow(/^scaledOperator: s must be a finite non-zero number, got 0/);
    expect(() => scaledOperator(m, Number.POSITIVE_INFINITY)).toThrow(InvalidArgumentError);
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
    expect(() => op.apply(new Float64Array(2))).toThrow(ShapeError);
    expect(op.applications).toBe(5); // a refused call is not a product
  });

  it("a user operator's diagonal is checked and copied", () => {
    const kept = new Float64Array([2, 3]);
    const user: LinearOperator = { size: 2, apply: (v) => Float64Array.from(v), diagonal: () => kept };
    const counted = countingOperator(user);
    counted.diagonal!().fill(0);
    expect(Array.from(kept)).toEqual([2, 3]);
    const broken: LinearOperator = {
      size: 2,
      apply: (v) => Float64Array.from(v),
      diagonal: () => new Float64Array([1, Number.POSITIVE_INFINITY]),
    };
    expect(() => dampedOperator(broken, 1).diagonal!()).toThrow(NonFiniteError);
  });

  it('operatorToMatrix builds columns Heⱼ and rejects garbage', () => {
    const op: LinearOperator = { size: 2, apply: (v) => new Float64Array([v[0]! + 2 * v[1]!, 3 * v[0]! + 4 * v[1]!]) };
    expect(Array.from(operatorToMatrix(op))).toEqual([1, 2, 3, 4]);
    expect(() => operatorToMatrix({ size: 2, apply: () => new Float64Array([Number.NaN, 0]) })).toThrow(NonFiniteError);
    expect(() => operatorToMatrix({ size: 2, apply: () => new Float64Array(3) })).toThrow(ShapeError);
    expect(() => operatorToMatrix({ size: 2, apply: () => new Float64Array([Number.NaN, 0]) })).toThrow(
      /^operatorToMatrix: op.apply returned NaN at index 0 for column 0/,
    );
  });

  it('operatorToMatrix copies a dense input and reads an operator whose output buffer is reused', () => {
    const source = new Float64Array([1, 2, 3, 4]);
    const copy = operatorToMatrix(source);
    copy[0] = 100;
    expect(source[0]).toBe(1);
    const buffer = new Float64Array(2);
    const reusing: LinearOperator = { size: 2, apply: (v) => buffer.fill(0).map((_, i) => (i + 1) * v[i]!) };
    expect(Array.from(operatorToMatrix(reusing))).toEqual([1, 0, 0, 2]);
  });
});
