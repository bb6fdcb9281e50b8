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
import { MAX_RANK, checkArity, checkNumber, checkSeed, checkShape, checkSize, describeValue } from '../validate.js';
import type { TapeNode } from './tape.js';
import type { Trace } from './primitive.js';

/** Anything an op accepts where a tensor is expected: plain numbers become rank-0 constants. */
export type TensorLike = Tensor | number;

/** Nested arrays of numbers, as accepted by `tensor`. */
export type NestedArray = number | readonly NestedArray[];

/**
 * Only this module constructs tensors (through `fromData` and `tracedTensor`): the constructor
 * checks for this token, so `new Tensor(array)` from outside cannot wrap memory the caller
 * still holds.
 */
const CONSTRUCT = Symbol('tapegrad.Tensor');

/** Reads a tensor's own storage; assigned in the class's static block, which can see `#data`. */
let storageOf: (t: Tensor) => Float64Array;

/**
 * Set while `jit` traces a function: throws a ConcretizationError when a public read (`item`,
 * `toArray`, `data`, `toNested`) asks for the value of a traced tensor, whose value the compiled
 * function would otherwise bake in as a constant.
 */
let concreteGuard: ((t: Tensor, fn: string) => void) | undefined;

/** @internal Installs (or removes) jit's guard on public value reads; returns the previous one. */
export function setConcreteGuard(
  guard: ((t: Tensor, fn: string) => void) | undefined,
): ((t: Tensor, fn: string) => void) | undefined {
  const previous = concreteGuard;
  concreteGuard = guard;
  return previous;
}

/**
 * An immutable n-dimensional float64 array; see the module comment for traced tensors.
 *
 * Immutability is enforced, not requested: the values live in a private field that no public
 * API hands out. `toArray()` and `data` return copies, so writing into them, or transferring
 * their buffers to a worker, cannot change this tensor or any other.
 * @example
 * const t = tensor([[1, 2], [3, 4]]);
 * t.shape; // → [2, 2]
 * t.toArray(); // Float64Array [1, 2, 3, 4], a copy
 */
export class Tensor {
  /** The values, row-major. Private: shared between a traced tensor and its primal, and with slabs of small arrays. */
  readonly #data: Float64Array;
  readonly shape: readonly number[];
  readonly size: number;
  /** 0 for a constant; otherwise the level of the transform call that traces this value. */
  readonly level: number;
  /** @internal The transform (tape or forward trace) at `level`; undefined for constants. */
  readonly trace: Trace | undefined;
  /** @internal The same value one level down (a constant or a tensor traced by an outer transform). */
  readonly primal: Tensor | undefined;
  /** @internal Reverse mode: the tape node that produced this value. */
  readonly node: TapeNode | undefined;
  /** @internal Forward mode: the tangent (directional derivative) carried with this value. */
  readonly tangent: Tensor | undefined;

  static {
    storageOf = (t) => t.#data;
  }

  /**
   * @internal Not for users: make tensors with `tensor`, `zeros`, `ones`, … The engine passes a
   * private token, the data (ownership handed over), the shape, and for traced values the trace,
   * the primal and the node (reverse) or tangent (forward). Positional arguments keep this
   * constructor, which runs once per op per level, free of temporary objects.
   */
  constructor(
    token: symbol,
    data: Float64Array,
    shape: readonly number[],
    trace?: Trace,
    primal?: Tensor,
    node?: TapeNode,
    tangent?: Tensor,
  ) {
    if (token !== CONSTRUCT) {
      throw new InvalidArgumentError(
        'Tensor',
        'new Tensor(...) is internal; make tensors with tensor(values, shape?), scalar, zeros, ones, full, eye, randn or rand',
      );
    }
    this.#data = data;
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

  /**
   * A fresh copy of the values, row-major (the same as `toArray()`). Each read copies, so in a
   * loop read it once: `const values = t.data;`.
   */
  get data(): Float64Array {
    if (concreteGuard !== undefined) concreteGuard(this, 'Tensor.data');
    return this.#data.slice();
  }

  /** Number of axes (0 for a scalar). */
  get rank(): number {
    return this.shape.length;
  }

  /** The single value of a one-element tensor. @example scalar(3).item(); // 3 */
  item(): number {
    checkArity('Tensor.item', arguments.length, 0);
    if (this.size !== 1) {
      throw new ShapeError(
        'Tensor.item',
        `item() needs a tensor with one element, got shape ${formatShape(this.shape)}; use toArray(), or reduce first with sum()`,
      );
    }
    if (concreteGuard !== undefined) concreteGuard(this, 'Tensor.item');
    return this.#data[0]!;
  }

  /** A fresh Float64Array copy of the values, row-major; it owns its buffer. @example tensor([1, 2]).toArray(); // Float64Array [1, 2] */
  toArray(): Float64Array {
    checkArity('Tensor.toArray', arguments.length, 0);
    if (concreteGuard !== undefined) concreteGuard(this, 'Tensor.toArray');
    return this.#data.slice();
  }

  /** The values as nested JavaScript arrays (a number for a scalar). @example tensor([[1, 2]]).toNested(); // [[1, 2]] */
  toNested(): NestedArray {
    checkArity('Tensor.toNested', arguments.length, 0);
    if (concreteGuard !== undefined) concreteGuard(this, 'Tensor.toNested');
    const data = this.#data;
    const build = (axis: number, offset: number): NestedArray => {
      if (axis === this.shape.length) return data[offset]!;
      const stride = shapeSize(this.shape.slice(axis + 1));
      const out: NestedArray[] = [];
      for (let i = 0; i < this.shape[axis]!; i++) out.push(build(axis + 1, offset + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /**
   * The values with their shape, long axes summarised with `…` (at most 3 entries shown at each
   * end), and for a traced value the transform tracing it.
   * @example String(tensor([[1, 2], [3, 4]])); // → 'Tensor([[1, 2], [3, 4]], shape=[2, 2])'
   */
  toString(): string {
    const tag = this.level === 0 ? '' : `, traced by ${this.trace!.transform} (level ${this.level})`;
    return `Tensor(${summarise(this.#data, this.shape)}, shape=${formatShape(this.shape)}${tag})`;
  }

  /** What `console.log(t)` prints in Node: the same as `toString()`, not the engine's fields. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/** Nested-array text of `data` with each axis longer than 6 shortened to its first and last 3 entries. */
function summarise(data: Float64Array, shape: readonly number[]): string {
  const strides = shape.map((_, axis) => shapeSize(shape.slice(axis + 1)));
  const show = (axis: number, offset: number): string => {
    if (axis === shape.length) return String(data[offset]);
    const n = shape[axis]!;
    const at = (i: number) => show(axis + 1, offset + i * strides[axis]!);
    const items =
      n <= 6 ? Array.from({ length: n }, (_, i) => at(i)) : [at(0), at(1), at(2), '…', at(n - 3), at(n - 2), at(n - 1)];
    return `[${items.join(', ')}]`;
  };
  return show(0, 0);
}

/**
 * @internal The tensor's own storage, for ops and kernels inside tapegrad: read it, never write
 * it, never hand it to users (copy it first).
 */
export function dataOf(t: Tensor): Float64Array {
  return storageOf(t);
}

/** True for tapegrad tensors. @example isTensor(tensor([1])); // true */
export function isTensor(x: unknown): x is Tensor {
  checkArity('isTensor', arguments.length, 1);
  return x instanceof Tensor;
}

/** @internal Makes a constant from trusted data and shape (no copy, no checks): for ops and kernels. */
export function fromData(data: Float64Array, shape: readonly number[]): Tensor {
  return new Tensor(CONSTRUCT, data, shape);
}

/** @internal Makes a traced tensor: for the traces (tape.ts, forward.ts) only. */
export function tracedTensor(
  data: Float64Array,
  shape: readonly number[],
  trace: Trace,
  primal: Tensor,
  node: TapeNode | undefined,
  tangent: Tensor | undefined,
): Tensor {
  return new Tensor(CONSTRUCT, data, shape, trace, primal, node, tangent);
}

/**
 * Creates a tensor from a number, nested arrays (shape inferred) or a typed array (a vector, or
 * any shape given as the second argument). The values are copied, so later changes to your array
 * do not reach the tensor. Entries must be numbers; NaN and ±Infinity are kept as data.
 *
 * @example
 * tensor([[1, 2], [3, 4]]).shape; // → [2, 2]
 * tensor(new Float64Array([1, 2, 3, 4, 5, 6]), [2, 3]).shape; // → [2, 3]
 */
export function tensor(values: NestedArray | Float64Array | readonly number[], shape?: readonly number[]): Tensor {
  checkArity('tensor', arguments.length, 2);
  let data: Float64Array;
  let inferred: number[];
  if (typeof values === 'number') {
    data = Float64Array.of(values);
    inferred = [];
  } else if (
    ArrayBuffer.isView(values) &&
    !(values instanceof DataView) &&
    !(values instanceof BigInt64Array) &&
    !(values instanceof BigUint64Array)
  ) {
    data = Float64Array.from(values as unknown as ArrayLike<number>);
    inferred = [data.length];
  } else if (Array.isArray(values)) {
    inferred = inferShape(values, 'values', new Set());
    checkSize('tensor', shapeSize(inferred), `the nested array of shape ${formatShape(inferred)}`);
    data = new Float64Array(shapeSize(inferred));
    let at = 0;
    const fill = (v: NestedArray): void => {
      if (typeof v === 'number') data[at++] = v;
      else for (const item of v) fill(item);
    };
    fill(values);
  } else {
    throw new InvalidArgumentError(
      'tensor',
      `values must be a number, nested arrays of numbers or a typed array, got ${describeValue(values)}`,
    );
  }
  if (shape !== undefined) {
    const given = checkShape('tensor', 'shape', shape);
    if (shapeSize(given) !== data.length) {
      throw new ShapeError(
        'tensor',
        `${data.length} values cannot take shape ${formatShape(given)} (which holds ${shapeSize(given)})`,
      );
    }
    return fromData(data, given);
  }
  return fromData(data, inferred);
}

/** The shape of nested arrays, refusing non-numbers, ragged rows, cycles and more than 64 axes. */
function inferShape(values: unknown, path: string, open: Set<unknown>): number[] {
  if (typeof values === 'number') return [];
  if (!Array.isArray(values)) {
    throw new InvalidArgumentError(
      'tensor',
      `${path} is ${describeValue(values)}; a tensor's entries must be numbers (nested arrays of numbers)`,
    );
  }
  if (open.has(values))
    throw new InvalidArgumentError(
      'tensor',
      `${path} contains itself (a cyclic array); nested arrays must form a tree`,
    );
  if (open.size >= MAX_RANK) throw new ShapeError('tensor', `the nested array is deeper than ${MAX_RANK} levels`);
  open.add(values);
  const list = values as readonly unknown[];
  let inner: number[] = [];
  for (let i = 0; i < list.length; i++) {
    const shape = inferShape(list[i], `${path}[${i}]`, open);
    if (i === 0) inner = shape;
    else if (shape.length !== inner.length || shape.some((d, k) => d !== inner[k])) {
      throw new ShapeError(
        'tensor',
        `ragged nested array: ${path}[0] has shape ${formatShape(inner)} but ${path}[${i}] has shape ${formatShape(shape)}`,
      );
    }
  }
  open.delete(values);
  return [list.length, ...inner];
}

const SCALAR_SHAPE: readonly number[] = Object.freeze([]);

/** A rank-0 tensor. @example scalar(3).shape; // [] */
export function scalar(value: number): Tensor {
  checkArity('scalar', arguments.length, 1);
  checkNumber('scalar', 'value', value, { infinite: true, nan: true });
  const data = allocate(1);
  data[0] = value;
  return fromData(data, SCALAR_SHAPE);
}

/** Allocates `size` zeros for a public constructor, turning an engine's out-of-memory into a typed error. */
function allocateFor(fn: string, size: number): Float64Array {
  try {
    return allocate(size);
  } catch (error) {
    if (error instanceof RangeError)
      throw new InvalidArgumentError(
        fn,
        `could not allocate ${size} float64 values (${(size * 8) / 2 ** 30} GiB): ${error.message}`,
      );
    throw error;
  }
}

/** A tensor of the given shape filled with `value`. @example full([2, 2], 7).toArray(); // [7, 7, 7, 7] */
export function full(shape: readonly number[], value: number): Tensor {
  checkArity('full', arguments.length, 2);
  const s = checkShape('full', 'shape', shape);
  checkNumber('full', 'value', value, { infinite: true, nan: true });
  return fromData(allocateFor('full', shapeSize(s)).fill(value), s);
}

/** Zeros of the given shape. @example zeros([3]).toArray(); // [0, 0, 0] */
export function zeros(shape: readonly number[]): Tensor {
  checkArity('zeros', arguments.length, 1);
  const s = checkShape('zeros', 'shape', shape);
  return fromData(allocateFor('zeros', shapeSize(s)), s);
}

/** Ones of the given shape. @example ones([2]).toArray(); // [1, 1] */
export function ones(shape: readonly number[]): Tensor {
  checkArity('ones', arguments.length, 1);
  const s = checkShape('ones', 'shape', shape);
  return fromData(allocateFor('ones', shapeSize(s)).fill(1), s);
}

/** The n×n identity (or n×m with ones on the main diagonal). @example eye(2).toNested(); // [[1, 0], [0, 1]] */
export function eye(n: number, m = n): Tensor {
  checkArity('eye', arguments.length, 2);
  checkNumber('eye', 'n', n, { integer: true, min: 0 });
  checkNumber('eye', 'm', m, { integer: true, min: 0 });
  checkSize('eye', n * m, `the ${n}×${m} matrix`);
  const data = allocateFor('eye', n * m);
  for (let i = 0; i < Math.min(n, m); i++) data[i * m + i] = 1;
  return fromData(data, [n, m]);
}

/** A constant of zeros with the shape of `x`. @example zerosLike(tensor([[1, 2]])).shape; // [1, 2] */
export function zerosLike(x: TensorLike): Tensor {
  checkArity('zerosLike', arguments.length, 1);
  const t = toTensor(x, 'zerosLike', 'x');
  return fromData(allocate(t.size), t.shape);
}

/** A constant of ones with the shape of `x`. @example onesLike(tensor([5, 6])).toArray(); // [1, 1] */
export function onesLike(x: TensorLike): Tensor {
  checkArity('onesLike', arguments.length, 1);
  const t = toTensor(x, 'onesLike', 'x');
  return fromData(allocate(t.size).fill(1), t.shape);
}

/**
 * Wraps a number as a rank-0 constant; a tensor passes through; anything else is an error.
 * @example asTensor(2).shape; // → []
 */
export function asTensor(x: TensorLike): Tensor {
  checkArity('asTensor', arguments.length, 1);
  return toTensor(x, 'asTensor', 'x');
}

/**
 * @internal `asTensor` for the ops: a bad `x` is reported as argument `name` of the public
 * function `fn` that received it.
 */
export function toTensor(x: TensorLike, fn: string, name: string): Tensor {
  if (x instanceof Tensor) return x;
  if (typeof x === 'number') return constantScalar(x);
  throw new InvalidArgumentError(fn, `${name} must be a Tensor or a number, got ${describeValue(x)}${wrapHint(x)}`);
}

/** The hint for a value that is almost a tensor. */
function wrapHint(x: unknown): string {
  if (Array.isArray(x) || (ArrayBuffer.isView(x) && !(x instanceof DataView))) return '; wrap it with tensor(...)';
  if (typeof x === 'string' && x.trim() !== '' && !Number.isNaN(Number(x)))
    return `; pass the number ${Number(x)}, not a string`;
  return '';
}

/**
 * The rank-0 constant for a number literal in an op (`mul(2, x)`, `sub(1, y)`): rules use the same
 * few literals over and over, and tensors are immutable, so a small cache can share them.
 */
function constantScalar(value: number): Tensor {
  let t = constants.get(value);
  if (t === undefined) {
    const data = allocate(1);
    data[0] = value;
    t = fromData(data, SCALAR_SHAPE);
    if (constants.size >= 256) constants.clear();
    if (!Object.is(value, -0)) constants.set(value, t); // SameValueZero would merge −0 with 0
  }
  return t;
}

const constants = new Map<number, Tensor>();

/** A short description of an unexpected value for error messages (see `describeValue`). */
export function describe(x: unknown): string {
  return `${describeValue(x)}${wrapHint(x)}`;
}

/**
 * A seeded source of random tensors: `randn` (standard normal) and `rand` (uniform [0, 1)).
 * Seeding makes every example and test reproducible.
 *
 * @example
 * const rng = randomTensors(0);
 * const x = rng.randn([3, 2]);
 */
export function randomTensors(seed = 0): {
  randn(shape: readonly number[]): Tensor;
  rand(shape: readonly number[], low?: number, high?: number): Tensor;
  source: RandomSource;
} {
  checkArity('randomTensors', arguments.length, 1);
  const source = createRandom(checkSeed('randomTensors', seed));
  return {
    source,
    randn(shape: readonly number[]) {
      checkArity('randomTensors().randn', arguments.length, 1);
      return normalTensor('randomTensors().randn', source, shape);
    },
    rand(shape: readonly number[], low = 0, high = 1) {
      checkArity('randomTensors().rand', arguments.length, 3);
      return uniformTensor('randomTensors().rand', source, shape, low, high);
    },
  };
}

function normalTensor(fn: string, source: RandomSource, shape: unknown): Tensor {
  const s = checkShape(fn, 'shape', shape);
  return fromData(source.normals(shapeSize(s)), s);
}

function uniformTensor(fn: string, source: RandomSource, shape: unknown, low: unknown, high: unknown): Tensor {
  const s = checkShape(fn, 'shape', shape);
  const lo = checkNumber(fn, 'low', low);
  const hi = checkNumber(fn, 'high', high, { above: lo });
  return fromData(source.uniforms(shapeSize(s), lo, hi), s);
}

/** Standard normal tensor from a seed. @example randn([2, 3], 42).shape; // [2, 3] */
export function randn(shape: readonly number[], seed = 0): Tensor {
  checkArity('randn', arguments.length, 2);
  const s = checkShape('randn', 'shape', shape);
  return normalTensor('randn', createRandom(checkSeed('randn', seed)), s);
}

/** Uniform [low, high) tensor from a seed. @example rand([4], 1).shape; // [4] */
export function rand(shape: readonly number[], seed = 0, low = 0, high = 1): Tensor {
  checkArity('rand', arguments.length, 4);
  const s = checkShape('rand', 'shape', shape);
  return uniformTensor('rand', createRandom(checkSeed('rand', seed)), s, low, high);
}
