import { describe, expect, it } from 'vitest';
import { ShapeError, TapegradError } from '../src/errors.js';

describe('errors', () => {
  it('names the function and keeps the class', () => {
    const e = new ShapeError('matmul', 'cannot multiply [2, 3] by [4, 5]');
    expect(e).toBeInstanceOf(TapegradError);
    expect(e.message).toBe('matmul: cannot multiply [2, 3] by [4, 5]');
    expect(e.code).toBe('shape');
    expect(e.name).toBe('ShapeError');
  });
});
