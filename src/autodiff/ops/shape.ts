/**
 * Structural ops: reshape, broadcast, sum-to-shape, transpose, slice, pad, concat, take.
 *
 * Every op here is linear, so each declares `linear: true` and gets its JVP for free (the op
 * applied to the tangent). Their VJPs come in adjoint pairs, each the other's transpose:
 *
 *   reshape ↔ reshape      broadcastTo ↔ sumTo      transpose(p) ↔ transpose(p⁻¹)
 *   slice ↔ pad            take ↔ scatterAdd        concat ↔ slices
 *
 * Because each adjoint is again a primitive here, the pairs close under differentiation and the
 * backward pass of a backward pass stays on the tape.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../../errors.js';
import {
  broadcastShapes,
  broadcastTo as broadcastKernel,
  padBox,
  placeBox,
  permuteAxes,
  scatterAddAlong,
  shapeSize,
  sliceBox,
  sumToShape,
  takeAlong,
} from '../../linalg/tensor-kernels.js';
import { bind, type Primitive } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { checkArity, checkIndexList, checkShape, describeValue } from '../../validate.js';

// ---------------------------------------------------------------------------------------------
// reshape: same values, new shape. y = reshape(x) ⇒ x̄ = reshape(ȳ, shape(x)).

const reshapePrimitive: Primitive<{ shape: readonly number[] }, readonly [Tensor]> = {
  name: 'reshape',
  linear: true,
  value: ([x], { shape }) => fromData(dataOf(x), shape), // immutable data can be shared
  vjps: [(g, { inputs: [x] }) => reshape(g, x.shape)],
};

/**
 * Gives `x` a new shape with the same number of elements; one axis may be -1 (inferred).
 * @example reshape(tensor([1, 2, 3, 4]), [2, 2]).shape; // → [2, 2]
 */
export function reshape(x: TensorLike, shape: readonly number[]): Tensor {
  checkArity('reshape', arguments.length, 2);
  const t = toTensor(x, 'reshape', 'x');
  const resolved = resolveShape(integerList('reshape', 'shape', shape, `[${t.size}]`), t.size, t.shape);
  if (sameShape(resolved, t.shape)) return t;
  return bind(reshapePrimitive, [t], { shape: Object.freeze(resolved) });
}

function resolveShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  const inferred = shape.indexOf(-1);
  const out = shape.slice();
  if (inferred >= 0) {
    const known = shapeSize(shape.filter((_, i) => i !== inferred));
    if (shape.lastIndexOf(-1) !== inferred || known <= 0 || size % known !== 0) {
      throw new ShapeError(
        'reshape',
        `cannot infer the -1 in ${formatShape(shape)} for ${size} elements (from shape ${formatShape(from)})`,
      );
    }
    out[inferred] = size / known;
  }
  if (out.some((d) => d < 0))
    throw new ShapeError(
      'reshape',
      `shape ${formatShape(shape)} has a negative length; only one -1 (inferred) is allowed`,
    );
  checkShape('reshape', 'shape', out);
  if (shapeSize(out) !== size) {
    throw new ShapeError(
      'reshape',
      `cannot reshape ${formatShape(from)} (${size} elements) to ${formatShape(shape)} (${shapeSize(out)} elements)`,
    );
  }
  return out;
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

// ---------------------------------------------------------------------------------------------
// broadcastTo and sumTo: the adjoint pair behind every broadcasting op.

const broadcastPrimitive: Primitive<{ shape: readonly number[] }, readonly [Tensor]> = {
  name: 'broadcastTo',
  linear: true,
  value: ([x], { shape }) => fromData(broadcastKernel(dataOf(x), x.shape, shape), shape),
  vjps: [(g, { inputs: [x] }) => sumTo(g, x.shape)],
};

const sumToPrimitive: Primitive<{ shape: readonly number[] }, readonly [Tensor]> = {
  name: 'sumTo',
  linear: true,
  value: ([x], { shape }) => fromData(sumToShape(dataOf(x), x.shape, shape), shape),
  vjps: [(g, { inputs: [x] }) => broadcastTo(g, x.shape)],
};

/**
 * Stretches `x` to `shape` by NumPy's broadcasting rules.
 * @example broadcastTo(tensor([1, 2]), [3, 2]).shape; // → [3, 2]
 */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  checkArity('broadcastTo', arguments.length, 2);
  const t = toTensor(x, 'broadcastTo', 'x');
  shape = checkShape('broadcastTo', 'shape', shape);
  if (sameShape(t.shape, shape)) return t;
  const target = broadcastShapes(t.shape, shape);
  if (target === undefined || !sameShape(target, shape)) {
    throw new ShapeError('broadcastTo', `cannot broadcast shape ${formatShape(t.shape)} to ${formatShape(shape)}`);
  }
  return bind(broadcastPrimitive, [t], { shape: Object.freeze(shape.slice()) });
}

/**
 * Sums `x` down to `shape`, undoing a broadcast (the adjoint of `broadcastTo`): leading axes are
 * summed away, axes where `shape` has 1 are summed and kept.
 * @example sumTo(ones([3, 2]), [2]).toArray(); // → [3, 3]
 */
export function sumTo(x: TensorLike, shape: readonly number[]): Tensor {
  checkArity('sumTo', arguments.length, 2);
  const t = toTensor(x, 'sumTo', 'x');
  shape = checkShape('sumTo', 'shape', shape);
  if (sameShape(t.shape, shape)) return t;
  const target = broadcastShapes(shape, t.shape);
  if (target === undefined || !sameShape(target, t.shape)) {
    throw new ShapeError(
      'sumTo',
      `cannot sum shape ${formatShape(t.shape)} down to ${formatShape(shape)}: ${formatShape(shape)} must broadcast to ${formatShape(t.shape)}`,
    );
  }
  return bind(sumToPrimitive, [t], { shape: Object.freeze(shape.slice()) });
}

// ---------------------------------------------------------------------------------------------
// transpose: y = xᵀ (any axis permutation) ⇒ x̄ = transpose(ȳ, p⁻¹).

const transposePrimitive: Primitive<{ perm: readonly number[] }, readonly [Tensor]> = {
  name: 'transpose',
  linear: true,
  value: ([x], { perm }) =>
    fromData(
      permuteAxes(dataOf(x), x.shape, perm),
      perm.map((p) => x.shape[p]!),
    ),
  vjps: [
    (g, { params: { perm } }) => {
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => (inverse[p] = i));
      return transpose(g, inverse);
    },
  ],
};

/**
 * Permutes axes; without `perm`, reverses them (the matrix transpose for rank 2).
 * @example transpose(tensor([[1, 2, 3]])).shape; // → [3, 1]
 */
export function transpose(x: TensorLike, perm?: readonly number[]): Tensor {
  checkArity('transpose', arguments.length, 2);
  const t = toTensor(x, 'transpose', 'x');
  const p =
    perm === undefined
      ? t.shape.map((_, i) => t.rank - 1 - i)
      : integerList('transpose', 'perm', perm, '[1, 0]').map((a) => (a < 0 ? a + t.rank : a));
  if (p.length !== t.rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    throw new ShapeError(
      'transpose',
      `perm ${JSON.stringify(p)} is not a permutation of the ${t.rank} axes of shape ${formatShape(t.shape)}`,
    );
  }
  if (p.every((v, i) => v === i)) return t;
  return bind(transposePrimitive, [t], { perm: Object.freeze(p.slice()) });
}

// ---------------------------------------------------------------------------------------------
// slice and pad: y = x[start : start + size] ⇒ x̄ = pad(ȳ) with zeros around.

interface BoxParams {
  start: readonly number[];
  size: readonly number[];
  full: readonly number[];
}

const slicePrimitive: Primitive<BoxParams, readonly [Tensor]> = {
  name: 'slice',
  linear: true,
  value: ([x], { start, size }) => fromData(sliceBox(dataOf(x), x.shape, start, size), size),
  vjps: [(g, { params }) => bind(padPrimitive, [g], params)],
};

const padPrimitive: Primitive<BoxParams, readonly [Tensor]> = {
  name: 'pad',
  linear: true,
  value: ([x], { start, full }) => fromData(padBox(dataOf(x), x.shape, start, full), full),
  vjps: [(g, { params }) => bind(slicePrimitive, [g], params)],
};

/**
 * The sub-box of `x` starting at `start` with extent `size` along each axis (`size` -1 means
 * "to the end"). Missing trailing axes are taken whole.
 * @example slice(tensor([1, 2, 3, 4]), [1], [2]).toArray(); // → [2, 3]
 */
export function slice(x: TensorLike, start: readonly number[], size?: readonly number[]): Tensor {
  checkArity('slice', arguments.length, 3);
  const t = toTensor(x, 'slice', 'x');
  start = integerList('slice', 'start', start, '[1] (one entry per axis)');
  if (size !== undefined) size = integerList('slice', 'size', size, '[2] (one entry per axis, -1 for "to the end")');
  if (start.length > t.rank || (size !== undefined && size.length > t.rank)) {
    throw new ShapeError(
      'slice',
      `start ${JSON.stringify(start)} / size ${JSON.stringify(size)} have more axes than shape ${formatShape(t.shape)}`,
    );
  }
  const s = t.shape.map((_, i) => start[i] ?? 0);
  const z = t.shape.map((d, i) => {
    const want = size?.[i] ?? -1;
    return want === -1 ? d - s[i]! : want;
  });
  for (let i = 0; i < t.rank; i++) {
    if (!Number.isInteger(s[i]) || !Number.isInteger(z[i]) || s[i]! < 0 || z[i]! < 0 || s[i]! + z[i]! > t.shape[i]!) {
      throw new ShapeError(
        'slice',
        `axis ${i}: start ${s[i]} with size ${z[i]} does not fit in length ${t.shape[i]} of shape ${formatShape(t.shape)}`,
      );
    }
  }
  if (sameShape(z, t.shape)) return t;
  return bind(slicePrimitive, [t], { start: Object.freeze(s), size: Object.freeze(z), full: t.shape });
}

/**
 * Row `i` of `x` along axis 0 (negative counts from the end), dropping that axis.
 * @example index(tensor([[1, 2], [3, 4]]), 1).toArray(); // → [3, 4]
 */
export function index(x: TensorLike, i: number): Tensor {
  checkArity('index', arguments.length, 2);
  const t = toTensor(x, 'index', 'x');
  if (typeof i !== 'number' || !Number.isInteger(i))
    throw new InvalidArgumentError('index', `i must be an integer, got ${describeValue(i)}`);
  if (t.rank === 0) throw new ShapeError('index', 'cannot index a scalar (shape [])');
  const n = t.shape[0]!;
  const at = i < 0 ? n + i : i;
  if (at < 0 || at >= n) {
    throw new ShapeError('index', `index ${i} is out of range for axis 0 of length ${n}`);
  }
  return reshape(slice(t, [at], [1]), t.shape.slice(1));
}

// ---------------------------------------------------------------------------------------------
// concat: y = [x₀; x₁; …] along an axis ⇒ x̄ᵢ = the matching slice of ȳ.

const concatPrimitive: Primitive<{ axis: number }> = {
  name: 'concat',
  linear: true,
  value: (xs, { axis }) => {
    const shape = xs[0]!.shape.slice();
    shape[axis] = xs.reduce((s, x) => s + x.shape[axis]!, 0);
    const out = new Float64Array(shapeSize(shape));
    let offset = 0;
    for (const x of xs) {
      placeBox(
        dataOf(x),
        x.shape,
        shape.map((_, i) => (i === axis ? offset : 0)),
        out,
        shape,
      );
      offset += x.shape[axis]!;
    }
    return fromData(out, shape);
  },
  // Input k's cotangent is its own slice of g: the k-th block along the axis.
  vjps: (g, { inputs, params: { axis } }, k) => {
    let offset = 0;
    for (let j = 0; j < k; j++) offset += inputs[j]!.shape[axis]!;
    const x = inputs[k]!;
    return slice(
      g,
      x.shape.map((_, i) => (i === axis ? offset : 0)),
      x.shape,
    );
  },
};

/**
 * Joins tensors along an existing axis (default 0).
 * @example concat([tensor([1, 2]), tensor([3])]).toArray(); // → [1, 2, 3]
 */
export function concat(xs: readonly TensorLike[], axis = 0): Tensor {
  checkArity('concat', arguments.length, 2);
  const ts = tensorList('concat', xs);
  return join('concat', ts, normalizeAxis('concat', axis, ts[0]!.rank));
}

/** The tensors of a non-empty list, each checked, with errors naming `fn` and the position. */
function tensorList(fn: string, xs: unknown): Tensor[] {
  if (!Array.isArray(xs))
    throw new InvalidArgumentError(fn, `xs must be an array of tensors, got ${describeValue(xs)}`);
  if (xs.length === 0) throw new InvalidArgumentError(fn, 'xs must hold at least one tensor, got an empty array');
  return xs.map((x: TensorLike, i) => toTensor(x, fn, `xs[${i}]`));
}

/** concat on checked tensors and a normalised axis, errors naming `fn`. */
function join(fn: string, ts: readonly Tensor[], ax: number): Tensor {
  const first = ts[0]!;
  for (const t of ts) {
    if (t.rank !== first.rank || t.shape.some((d, i) => i !== ax && d !== first.shape[i])) {
      throw new ShapeError(fn, `shapes ${ts.map((u) => formatShape(u.shape)).join(', ')} differ outside axis ${ax}`);
    }
  }
  if (ts.length === 1) return first;
  return bind(concatPrimitive, ts, { axis: ax });
}

/**
 * Stacks same-shape tensors along a new axis (default 0).
 * @example stack([tensor([1, 2]), tensor([3, 4])]).shape; // → [2, 2]
 */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  checkArity('stack', arguments.length, 2);
  const ts = tensorList('stack', xs);
  const first = ts[0]!;
  const ax = normalizeAxis('stack', axis, first.rank + 1);
  if (ts.some((t) => !sameShape(t.shape, first.shape))) {
    throw new ShapeError(
      'stack',
      `every tensor must have the same shape, got ${ts.map((u) => formatShape(u.shape)).join(', ')}`,
    );
  }
  const expanded = first.shape.slice();
  expanded.splice(ax, 0, 1);
  return join(
    'stack',
    ts.map((t) => reshape(t, expanded)),
    ax,
  );
}

/** Inserts an axis of length 1 at `axis`. @example expandDims(tensor([1, 2]), 0).shape; // [1, 2] */
export function expandDims(x: TensorLike, axis: number): Tensor {
  checkArity('expandDims', arguments.length, 2);
  const t = toTensor(x, 'expandDims', 'x');
  const ax = normalizeAxis('expandDims', axis, t.rank + 1);
  const shape = t.shape.slice();
  shape.splice(ax, 0, 1);
  return reshape(t, shape);
}

/** Removes axes of length 1 (all of them, or the one given). @example squeeze(zeros([1, 3])).shape; // [3] */
export function squeeze(x: TensorLike, axis?: number): Tensor {
  checkArity('squeeze', arguments.length, 2);
  const t = toTensor(x, 'squeeze', 'x');
  if (axis === undefined)
    return reshape(
      t,
      t.shape.filter((d) => d !== 1),
    );
  const ax = normalizeAxis('squeeze', axis, t.rank);
  if (t.shape[ax] !== 1)
    throw new ShapeError('squeeze', `axis ${axis} has length ${t.shape[ax]}, not 1, in shape ${formatShape(t.shape)}`);
  return reshape(
    t,
    t.shape.filter((_, i) => i !== ax),
  );
}

// ---------------------------------------------------------------------------------------------
// take and scatterAdd: y = x[indices] along an axis ⇒ x̄ = scatter-add of ȳ at indices.

interface TakeParams {
  indices: Int32Array;
  axis: number;
  full: readonly number[];
}

const takePrimitive: Primitive<TakeParams, readonly [Tensor]> = {
  name: 'take',
  linear: true,
  value: ([x], { indices, axis }) => {
    const shape = x!.shape.slice();
    shape[axis] = indices.length;
    return fromData(takeAlong(dataOf(x!), x!.shape, indices, axis), shape);
  },
  vjps: [(g, { params }) => bind(scatterAddPrimitive, [g], params)],
};

const scatterAddPrimitive: Primitive<TakeParams, readonly [Tensor]> = {
  name: 'scatterAdd',
  linear: true,
  value: ([g], { indices, axis, full }) => fromData(scatterAddAlong(dataOf(g), full, indices, axis), full),
  vjps: [(g, { params }) => bind(takePrimitive, [g], params)],
};

/**
 * Gathers entries of `x` at integer `indices` along `axis` (NumPy's `take`): the way to pick
 * rows of a batch or the log-probability of each label.
 * @example take(tensor([10, 20, 30]), [2, 0]).toArray(); // → [30, 10]
 */
export function take(x: TensorLike, indices: ArrayLike<number>, axis = 0): Tensor {
  checkArity('take', arguments.length, 3);
  const t = toTensor(x, 'take', 'x');
  const ax = normalizeAxis('take', axis, t.rank);
  const idx = checkIndexList('take', 'indices', indices, { size: t.shape[ax]!, negative: true });
  return bind(takePrimitive, [t], { indices: idx, axis: ax, full: t.shape });
}

/**
 * Picks one entry per row: `out[i] = x[i, indices[i]]` for a matrix `x` — e.g. the
 * log-probability of each example's label.
 * @example takeAlongRows(tensor([[1, 2], [3, 4]]), [1, 0]).toArray(); // → [2, 3]
 */
export function takeAlongRows(x: TensorLike, indices: ArrayLike<number>): Tensor {
  checkArity('takeAlongRows', arguments.length, 2);
  const t = toTensor(x, 'takeAlongRows', 'x');
  if (t.rank !== 2)
    throw new ShapeError('takeAlongRows', `x must be a matrix [rows, columns], got shape ${formatShape(t.shape)}`);
  const [rows, cols] = t.shape as [number, number];
  const columns = checkIndexList('takeAlongRows', 'indices', indices, { size: cols, length: rows });
  const flat = columns.map((c, i) => i * cols + c);
  return bind(takePrimitive, [reshape(t, [rows * cols])], { indices: flat, axis: 0, full: [rows * cols] });
}

/** Resolves a possibly negative axis against a rank, with a clear error. */
export function normalizeAxis(fn: string, axis: number, rank: number, name = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis)) {
    throw new InvalidArgumentError(fn, `${name} must be an integer, got ${describeValue(axis)}`);
  }
  const ax = axis < 0 ? axis + rank : axis;
  if (ax < 0 || ax >= rank) {
    throw new ShapeError(
      fn,
      rank === 0
        ? `${name} ${axis} is out of range: a scalar (shape []) has no axes`
        : `${name} ${axis} is out of range for rank ${rank} (valid: ${-rank} … ${rank - 1})`,
    );
  }
  return ax;
}

/** Checks that `value` is an array of integers (an index box, a permutation), naming `fn` and `name`. */
function integerList(fn: string, name: string, value: unknown, example: string): number[] {
  if (!Array.isArray(value)) {
    throw new InvalidArgumentError(
      fn,
      `${name} must be an array of integers, e.g. ${example}, got ${describeValue(value)}`,
    );
  }
  value.forEach((v: unknown, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v))
      throw new InvalidArgumentError(fn, `${name}[${i}] must be an integer, got ${describeValue(v)}`);
  });
  return value.slice() as number[];
}
