/**
 * Tensors: construction and shape inference, copying at the boundary, immutability under every
 * op and transform, and seeded randomness.
 */
import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import {
  Tensor,
  eye,
  full,
  grad,
  jvp,
  ones,
  rand,
  randn,
  randomTensors,
  scalar,
  sum,
  tensor,
  vjp,
  zeros,
  zerosLike,
  type Tensor as TensorType,
} from '../../src/autodiff/index.js';
import { hessian } from '../../src/hessian/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { catalogue, sampleInputs } from './op-catalogue.js';

describe('tensor()', () => {
  it('infers the shape of numbers, nested arrays and Float64Arrays', () => {
    expect(tensor(3).shape).toEqual([]);
    expect(tensor([1, 2, 3]).shape).toEqual([3]);
    expect(
      tensor([
        [1, 2, 3],
        [4, 5, 6],
      ]).shape,
    ).toEqual([2, 3]);
    expect(tensor([[[1], [2]]]).shape).toEqual([1, 2, 1]);
    expect(tensor([]).shape).toEqual([0]);
    expect(tensor(new Float64Array(5)).shape).toEqual([5]);
    expect(
      Array.from(
        tensor([
          [1, 2],
          [3, 4],
        ]).data,
      ),
    ).toEqual([1, 2, 3, 4]);
    expect(
      tensor([
        [1, 2],
        [3, 4],
      ]).toNested(),
    ).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('takes an explicit shape for flat data, and checks its size', () => {
    const t = tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]);
    expect(t.shape).toEqual([2, 3]);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(ShapeError);
    expect(() => tensor([1, 2, 3], [2, 2])).toThrow(/tensor: 3 values cannot take shape \[2, 2\]/);
    expect(() => tensor([1, 2], [-2, -1])).toThrow(/non-negative integers/);
  });

  it('rejects ragged nested arrays, naming both shapes', () => {
    expect(() => tensor([[1, 2], [3]])).toThrow(ShapeError);
    expect(() => tensor([[1, 2], [3]])).toThrow(/ragged.*\[2\].*\[1\]/);
    expect(() => tensor([[1], [[2]]] as never)).toThrow(/ragged/);
    expect(() => tensor([1, [2]] as never)).toThrow(/ragged/);
  });

  it('copies its input: later changes to the source do not reach the tensor', () => {
    const nested = [
      [1, 2],
      [3, 4],
    ];
    const a = tensor(nested);
    nested[0]![0] = 100;
    expect(a.data[0]).toBe(1);
    const flat = new Float64Array([1, 2, 3]);
    const b = tensor(flat);
    const c = tensor(flat, [3, 1]);
    flat[1] = 100;
    expect(Array.from(b.data)).toEqual([1, 2, 3]);
    expect(Array.from(c.data)).toEqual([1, 2, 3]);
  });

  it('toArray returns a copy the caller owns', () => {
    const t = tensor([1, 2, 3]);
    const copy = t.toArray();
    copy[0] = 42;
    expect(t.data[0]).toBe(1);
    expect(t.toArray()).not.toBe(t.toArray());
  });

  it('has a frozen shape', () => {
    const t = zeros([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
    const shape = [2, 3];
    const u = zeros(shape);
    shape[0] = 7;
    expect(u.shape).toEqual([2, 3]);
  });

  it('constructors: scalar, zeros, ones, full, eye, zerosLike, item, toString', () => {
    expect(scalar(2.5).item()).toBe(2.5);
    expect(Array.from(ones([2]).data)).toEqual([1, 1]);
    expect(Array.from(full([2, 2], 7).data)).toEqual([7, 7, 7, 7]);
    expect(eye(2, 3).toNested()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(zerosLike(ones([3, 1])).shape).toEqual([3, 1]);
    expect(tensor([[5]]).item()).toBe(5);
    expect(String(tensor([1, 2]))).toBe('Tensor([1, 2], shape=[2])');
    expect(tensor(1)).toBeInstanceOf(Tensor);
  });
});

describe('immutability', () => {
  it('no op, gradient, jvp, vjp or hessian writes to its inputs', () => {
    const rng = createRandom(99);
    let exercised = 0;
    for (const entry of catalogue) {
      const shapes = entry.shapes[0]!;
      const xs = sampleInputs(entry, shapes, rng).map((data, i) => tensor(data, shapes[i]!));
      const before = xs.map((x) => x.toArray());
      const f = (args: TensorType[]) => entry.fn(...args);
      const y = f(xs);
      const yBefore = y.toArray();
      grad((args: TensorType[]) => sum(f(args)))(xs);
      jvp(f, xs, xs);
      const { pullback } = vjp(f, xs);
      pullback(y);
      pullback(y);
      if (shapes.length === 1 && xs[0]!.size <= 12) hessian((x: TensorType) => sum(entry.fn(x)))(xs[0]!);
      xs.forEach((x, i) => expect(Array.from(x.data), `${entry.name}: input ${i}`).toEqual(Array.from(before[i]!)));
      // The output is a value too: the backward passes must not have written into it.
      expect(Array.from(y.data), `${entry.name}: output`).toEqual(Array.from(yBefore));
      exercised++;
    }
    expect(exercised).toBe(catalogue.length);
  });
});

describe('seeded randomness', () => {
  it('randn and rand are reproducible from a seed and differ between seeds', () => {
    expect(Array.from(randn([3, 4], 5).data)).toEqual(Array.from(randn([3, 4], 5).data));
    expect(Array.from(rand([10], 5).data)).toEqual(Array.from(rand([10], 5).data));
    expect(Array.from(randn([4], 5).data)).not.toEqual(Array.from(randn([4], 6).data));
    expect(randn([2, 3], 1).shape).toEqual([2, 3]);
    const source = randomTensors(3);
    const first = source.randn([3]);
    const second = source.randn([3]);
    expect(Array.from(first.data)).not.toEqual(Array.from(second.data));
    const again = randomTensors(3);
    expect(Array.from(again.randn([3]).data)).toEqual(Array.from(first.data));
    expect(Array.from(again.randn([3]).data)).toEqual(Array.from(second.data));
  });

  it('rand stays in [low, high) and randn has the moments of N(0, 1)', () => {
    const u = rand([10000], 7, -2, 3);
    expect(u.data.every((v) => v >= -2 && v < 3)).toBe(true);
    const z = randn([10000], 8);
    let mean = 0;
    for (const v of z.data) mean += v / z.size;
    let variance = 0;
    for (const v of z.data) variance += (v - mean) ** 2 / (z.size - 1);
    // Standard errors for n = 10⁴: 0.01 for the mean, √(2/n) ≈ 0.014 for the variance; allow 5 of them.
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.07);
  });
});

describe('printing', () => {
  it('console.log shows values and shape, not the engine fields', async () => {
    const { inspect } = await import('node:util');
    const { tensor, grad, sum, mul } = await import('../../src/index.js');
    expect(
      inspect(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
    ).toBe('Tensor([[1, 2], [3, 4]], shape=[2, 2])');
    expect(inspect({ t: tensor([1]) })).toBe('{ t: Tensor([1], shape=[1]) }');
    let seen = '';
    grad((x: import('../../src/index.js').Tensor) => {
      seen = inspect(x);
      return sum(mul(x, x));
    })(tensor([1, 2]));
    expect(seen).toMatch(/^Tensor\(\[1, 2\], shape=\[2\], traced by grad \(level \d+\)\)$/);
  });

  it('long axes are summarised', async () => {
    const { tensor } = await import('../../src/index.js');
    expect(String(tensor([1, 2, 3, 4, 5, 6, 7, 8]))).toBe('Tensor([1, 2, 3, …, 6, 7, 8], shape=[8])');
  });
});
