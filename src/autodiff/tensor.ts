/**
 * Tensor: an immutable, row-major n-dimensional array of float64 — and, while a transform is
 * running, a *traced* value that remembers how it was made.
 *
 * Every Tensor carries its value in `data`. A constant (level 0) carries nothing else. A traced
 * tensor belongs to one transform call (its `level`) and wraps the same value one level down in
 * `primal`, plus what that transform needs: a tape `node` (reverse mode) or a `tangent`
 * (forward mode). Nesting `grad(grad(f))` gives a tensor at level 2 whose primal is a tensor at
 * level 1 whose primal is a constant — the "boxes within boxes" of HIPS autograd. See
 * `primitive.ts` for how an op unwraps exactly one level at a time.
 *
 * What this file leaves out: the ops (see `ops/`) and the transforms (see `transforms.ts`).
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import { allocate, shapeSize } from '../linalg/tensor-kernels.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import type { TapeNode } from './tape.js';
import type { Trace } from './primitive.js';

/** Anything an op accepts where a tensor is expected: plain numbers become rank-0 constants. */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers, as accepted by `tensor`. */
export type NestedArray = number | readonly NestedArray[];

/**
 * An immutable n-dimensional float64 array; see the module comment for traced tensors.
 * @example
 * const t = tensor([[1, 2], [3, 4]]);
 * t.shape; // [2, 2]
 * t.toArray(); // Float64Array [1, 2, 3, 4], a copy
 */
export class Tensor {
  /**
   * The value, row-major. Shared between a traced tensor and its primal, so treat it as
   * read-only: tapegrad never writes to it, and `toArray()` gives you a copy to own.
   */
  readonly data: Float64Array;
  readonly shape: readonly number[];
  readonly size: number;
  /** 0 for a constant; otherwise the level of the transform call that traces this value. */
  readonly level: number;
  /** The transform (tape or forward trace) at `level`; undefined for constants. */
  readonly trace: Trace | undefined;
  /** The same value one level down (a constant or a tensor traced by an outer transform). */
  readonly primal: Tensor | undefined;
  /** Reverse mode: the tape node that produced this value. */
  readonly node: TapeNode | undefined;
  /** Forward mode: the tangent (directional derivative) carried with this value. */
  readonly tangent: Tensor | undefined;

  /**
   * @internal Use `tensor`, `zeros`, … to make constants; traces make traced tensors by passing
   * the trace, the primal and the node (reverse) or tangent (forward). Positional arguments keep
   * this constructor, which runs once per op per level, free of temporary objects.
   */
  constructor(data: Float64Array, shape: readonly number[], trace?: Trace, primal?: Tensor, node?: TapeNode, tangent?: Tensor) {
    this.data = data;
    // Shapes are frozen once and then shared (an op's output usually reuses its input's shape).
    // Callers hand over ownership of `shape`; the public constructors copy user arrays first.
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape as number[]);
    this.size = data.length;
    this.level = trace === undefined ? 0 : trace.level;
    this.trace = trace;
    this.primal = primal;
    this.node = node;
    this.tangent = tangent;
  }

  /** Number of axes (0 for a scalar). */
  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1) {
      throw new ShapeError('Tensor.item', `item() needs a tensor with one element, got shape ${formatShape(this.shape)}; use toArray() or sum() first`);
    }
    return this.data[0]!;
  }

  /** A fresh Float64Array copy of the values, row-major. */
  toArray(): Float64Array {
    return this.data.slice();
  }

  /** The values as nested JavaScript arrays (a number for a scalar). */
  toNested(): NestedArray {
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return this.data[offset]!;
      const stride = shapeSize(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  toString(): string {
    const tag = this.level === 0 ? '' : `, level=${this.level} (${this.trace!.kind})`;
    return `Tensor(${JSON.stringify(this.toNested())}, shape=${formatShape(this.shape)}${tag})`;
  }
}

/** True for tapegrad tensors. @example isTensor(tensor([1])); // true */
export function isTensor(x: unknown): x is Tensor {
  return x instanceof Tensor;
}

/** Makes a constant from trusted data and shape (no copy, no checks): for ops and kernels. */
export function fromData(data: Float64Array, shape: readonly number[]): Tensor {
  return new Tensor(data, shape);
}

/**
 * Creates a tensor from a number, nested arrays (shape inferred) or a flat array with a shape.
 * The values are copied, so later changes to your array do not reach the tensor.
 *
 * @example
 * tensor([[1, 2], [3, 4]]).shape; // [2, 2]
 * tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]).shape; // [2, 3]
 */
export function tensor(values: NestedArray | Float64Array | readonly number[], shape?: readonly number[]): Tensor {
  let data: Float64Array;
  let inferred: number[];
  if (typeof values === 'number') {
    data = new Float64Array([values]);
    inferred = [];
  } else if (values instanceof Float64Array) {
    data = values.slice();
    inferred = [values.length];
  } else {
    inferred = inferShape(values);
    data = new Float64Array(shapeSize(inferred));
    let at = 0;
    const fill = (v: NestedArray): void => {
      if (typeof v === 'number') data[at++] = v;
      else for (const item of v) fill(item);
    };
    fill(values);
  }
  if (shape !== undefined) {
    checkShape('tensor', shape);
    if (shapeSize(shape) !== data.length) {
      throw new ShapeError('tensor', `${data.length} values cannot take shape ${formatShape(shape)} (which holds ${shapeSize(shape)})`);
    }
    return new Tensor(data, shape.slice());
  }
  return new Tensor(data, inferred);
}

function inferShape(values: NestedArray): number[] {
  if (typeof values === 'number') return [];
  if (!Array.isArray(values)) {
    throw new InvalidArgumentError('tensor', `expected a number, nested arrays of numbers or a Float64Array, got ${typeof values}`);
  }
  const list = values as readonly NestedArray[];
  if (list.length === 0) return [0];
  const inner = inferShape(list[0]!);
  for (let i = 1; i < list.length; i++) {
    const other = inferShape(list[i]!);
    if (other.length !== inner.length || other.some((d, k) => d !== inner[k])) {
      throw new ShapeError('tensor', `ragged nested array: element 0 has shape ${formatShape(inner)} but element ${i} has shape ${formatShape(other)}`);
    }
  }
  return [list.length, ...inner];
}

/** Validates a user-given shape: non-negative integers. */
export function checkShape(fn: string, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new ShapeError(fn, `a shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  }
}

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/** A rank-0 tensor. @example scalar(3).shape; // [] */
export function scalar(value: number): Tensor {
  const data = allocate(1);
  data[0] = value;
  return new Tensor(data, SCALAR_SHAPE);
}

/** A tensor of the given shape filled with `value`. @example full([2, 2], 7) */
export function full(shape: readonly number[], value: number): Tensor {
  checkShape('full', shape);
  return new Tensor(allocate(shapeSize(shape)).fill(value), shape.slice());
}

/** Zeros of the given shape. @example zeros([3]).toArray(); // [0, 0, 0] */
export function zeros(shape: readonly number[]): Tensor {
  checkShape('zeros', shape);
  return new Tensor(allocate(shapeSize(shape)), shape.slice());
}

/** Ones of the given shape. @example ones([2]).toArray(); // [1, 1] */
export function ones(shape: readonly number[]): Tensor {
  return full(shape, 1);
}

/** The n×n identity (or n×m with ones on the main diagonal). @example eye(2).toNested(); // [[1,0],[0,1]] */
export function eye(n: number, m = n): Tensor {
  checkShape('eye', [n, m]);
  const data = new Float64Array(n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return new Tensor(data, [n, m]);
}

/** A constant of zeros with the shape of `x`. @example zerosLike(tensor([[1, 2]])).shape; // [1, 2] */
export function zerosLike(x: Tensor): Tensor {
  return new Tensor(allocate(x.size), x.shape);
}

/** A constant of ones with the shape of `x`. @example onesLike(tensor([5, 6])).toArray(); // [1, 1] */
export function onesLike(x: Tensor): Tensor {
  return new Tensor(allocate(x.size).fill(1), x.shape);
}

/** Wraps numbers as rank-0 constants; tensors pass through. */
export function asTensor(x: TensorLike, fn = 'asTensor'): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return constantScalar(x);
  throw new InvalidArgumentError(fn, `expected a Tensor or a number, got ${describe(x)}`);
}

/**
 * The rank-0 constant for a number literal in an op (`mul(2, x)`, `sub(1, y)`): rules use the same
 * few literals over and over, and tensors are immutable, so a small cache can share them.
 */
function constantScalar(value: number): Tensor {
  let t = constants.get(value);
  if (t === undefined) {
    t = scalar(value);
    if (constants.size >= 256) constants.clear();
    if (!Object.is(value, -0)) constants.set(value, t); // SameValueZero would merge −0 with 0
  }
  return t;
}

const constants = new Map<number, Tensor>();

/** A short description of an unexpected value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'an array (wrap it with tensor(...))';
  if (x instanceof Float64Array) return 'a Float64Array (wrap it with tensor(...))';
  return typeof x === 'object' ? `an object (${(x as object).constructor?.name ?? 'Object'})` : `${typeof x} ${String(x)}`;
}

/**
 * A seeded source of random tensors: `randn` (standard normal) and `rand` (uniform [0, 1)).
 * Seeding makes every example and test reproducible.
 *
 * @example
 * const rng = randomTensors(0);
 * const x = rng.randn([3, 2]);
 */
export function randomTensors(seed = 0): { randn(shape: readonly number[]): Tensor; rand(shape: readonly number[], low?: number, high?: number): Tensor; source: RandomSource } {
  const source = createRandom(seed);
  return {
    source,
    randn(shape) {
      checkShape('randn', shape);
      return new Tensor(source.normals(shapeSize(shape)), shape.slice());
    },
    rand(shape, low = 0, high = 1) {
      checkShape('rand', shape);
      return new Tensor(source.uniforms(shapeSize(shape), low, high), shape.slice());
    },
  };
}

/** Standard normal tensor from a seed. @example randn([2, 3], 42) */
export function randn(shape: readonly number[], seed = 0): Tensor {
  return randomTensors(seed).randn(shape);
}

/** Uniform [low, high) tensor from a seed. @example rand([4], 1) */
export function rand(shape: readonly number[], seed = 0, low = 0, high = 1): Tensor {
  return randomTensors(seed).rand(shape, low, high);
}
