/**
 * Argument validation at the public boundary.
 *
 * Plain-JavaScript users have no compiler to catch a slip, so every exported function checks its
 * arguments when it is called — and only then: nothing here runs inside a sweep or a kernel. Each
 * check either returns the value (narrowed, sometimes converted: an index list becomes an
 * Int32Array) or throws a typed error that names the public function, says what was expected and
 * what arrived, and what to try. Strings are printed quoted (`got '1e-3' (a string)`), so a string
 * that looks like a number never reads like one.
 *
 * This module imports only `errors.ts`, so every layer can use it. Checks that know about tensors
 * live beside `Tensor` (`autodiff/tensor.ts`).
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from './errors.js';

// ---------------------------------------------------------------------------------------------
// Describing values

/**
 * How a value reads in an error message: strings quoted with their kind, containers with their
 * length, objects with their class.
 * @example describeValue('1e-3'); // "'1e-3' (a string)"
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return `'${value.length > 40 ? `${value.slice(0, 37)}...` : value}' (a string)`;
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'boolean':
      return `${value} (a boolean)`;
    case 'bigint':
      return `${value}n (a bigint)`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
  }
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const name = value.constructor.name;
    return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name} of length ${(value as unknown as ArrayLike<unknown>).length ?? value.byteLength}`;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === Object.prototype || proto === null) {
    const keys = Object.keys(value as object);
    return keys.length === 0
      ? 'an empty object {}'
      : `an object with keys { ${keys.slice(0, 6).join(', ')}${keys.length > 6 ? ', …' : ''} }`;
  }
  const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'Object';
  const shape = (value as { shape?: unknown }).shape;
  if (name === 'Tensor' && Array.isArray(shape)) return `a Tensor of shape [${shape.join(', ')}]`;
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** Quotes a string for a message: `'mode'`. */
export function quote(text: string): string {
  return `'${text}'`;
}

// ---------------------------------------------------------------------------------------------
// Arity and functions

/**
 * Throws when a function received more arguments than it takes — `grad(f, x)` instead of
 * `grad(f)(x)`, `add(a, b, c)` — which would otherwise be silently ignored.
 * @example checkArity('grad', 2, 1, 'grad(f) returns a function: call grad(f)(x)'); // → throws InvalidArgumentError: takes at most 1 argument, got 2 …
 */
export function checkArity(fn: string, received: number, most: number, hint?: string): void {
  if (received > most) {
    throw new InvalidArgumentError(
      fn,
      `takes at most ${most} argument${most === 1 ? '' : 's'}, got ${received}${hint === undefined ? '' : `; ${hint}`}`,
    );
  }
}

/** Returns `value` if it is a function. @example checkFunction('grad', 'f', (x: number) => x); */
export function checkFunction<F>(fn: string, name: string, value: F): F {
  if (typeof value !== 'function') {
    throw new InvalidArgumentError(fn, `${name} must be a function, got ${describeValue(value)}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------
// Numbers

/** Bounds for `checkNumber`: inclusive `min`/`max`, exclusive `above`/`below`, `integer`. */
export interface NumberRule {
  readonly min?: number;
  readonly max?: number;
  readonly above?: number;
  readonly below?: number;
  readonly integer?: boolean;
  /** Allow ±Infinity. Default false. */
  readonly infinite?: boolean;
  /** Allow NaN (for values that are data, such as a tensor's entries). Default false. */
  readonly nan?: boolean;
}

function ruleText(rule: NumberRule): string {
  const parts: string[] = [];
  if (rule.above !== undefined) parts.push(`> ${rule.above}`);
  if (rule.min !== undefined) parts.push(`≥ ${rule.min}`);
  if (rule.below !== undefined) parts.push(`< ${rule.below}`);
  if (rule.max !== undefined) parts.push(`≤ ${rule.max}`);
  const kind = rule.integer ? 'an integer' : rule.infinite || rule.nan ? 'a number' : 'a finite number';
  return parts.length === 0 ? kind : `${kind} ${parts.join(' and ')}`;
}

/**
 * Returns `value` if it is a number obeying `rule` (finite and not NaN unless the rule allows it).
 * @example checkNumber('cgSolve', 'tolerance', 1e-8, { above: 0 }); // → 1e-8
 */
export function checkNumber(fn: string, name: string, value: unknown, rule: NumberRule = {}): number {
  const ok =
    typeof value === 'number' &&
    (rule.nan === true || !Number.isNaN(value)) &&
    (rule.infinite === true || Number.isFinite(value)) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) &&
    (rule.max === undefined || value <= rule.max) &&
    (rule.above === undefined || value > rule.above) &&
    (rule.below === undefined || value < rule.below);
  if (!ok) {
    const hint =
      typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))
        ? `; pass the number ${Number(value)}, not a string`
        : '';
    throw new InvalidArgumentError(fn, `${name} must be ${ruleText(rule)}, got ${describeValue(value)}${hint}`);
  }
  return value;
}

/** An integer ≥ 1. @example checkPositiveInteger('lissa', 'depth', 10); */
export function checkPositiveInteger(fn: string, name: string, value: unknown): number {
  return checkNumber(fn, name, value, { integer: true, min: 1 });
}

/** An integer ≥ 0. @example checkCount('topEigenpairs', 'k', 0); */
export function checkCount(fn: string, name: string, value: unknown): number {
  return checkNumber(fn, name, value, { integer: true, min: 0 });
}

/** A finite number > 0. @example checkPositive('hvp', 'step', 1e-6); */
export function checkPositive(fn: string, name: string, value: unknown): number {
  return checkNumber(fn, name, value, { above: 0 });
}

/** A finite number ≥ 0. @example checkNonNegative('cgSolve', 'damping', 0); */
export function checkNonNegative(fn: string, name: string, value: unknown): number {
  return checkNumber(fn, name, value, { min: 0 });
}

/**
 * A seed for a random source: a finite number (its integer part is used).
 * @example checkSeed('randn', 42); // → 42
 */
export function checkSeed(fn: string, value: unknown): number {
  return checkNumber(fn, 'seed', value);
}

/** Returns `value` if it is a boolean. @example checkBoolean('sum', 'keepDims', true); */
export function checkBoolean(fn: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') {
    throw new InvalidArgumentError(fn, `${name} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Returns `value` if it is one of `choices`; otherwise names the nearest choice.
 * @example checkOneOf('jacobian', 'mode', 'fwd', ['fwd', 'rev']); // → 'fwd'
 */
export function checkOneOf<C extends string>(fn: string, name: string, value: unknown, choices: readonly C[]): C {
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as C;
  const near = typeof value === 'string' ? nearest(value, choices) : undefined;
  throw new InvalidArgumentError(
    fn,
    `${name} must be one of ${choices.map(quote).join(', ')}, got ${describeValue(value)}${near === undefined ? '' : `; did you mean ${quote(near)}?`}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Options objects

/**
 * Validates an options object: `undefined` reads as `{}`; anything but a plain object is an
 * error; a key outside `known` is an error naming the key and the nearest known one (a misspelt
 * option would otherwise silently run the default), and so is a known key set to `null` (leave it
 * out for the default). Values are checked by the caller.
 * @example readOptions('hvp', { mode: 'rev-over-rev' } as { mode?: string; step?: number }, ['mode', 'step']); // → { mode: 'rev-over-rev' }
 */
export function readOptions<T extends object>(
  fn: string,
  options: T | undefined,
  known: readonly (keyof T & string)[],
  name = 'options',
): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options) || !isPlainObject(options)) {
    throw new InvalidArgumentError(
      fn,
      `${name} must be an object such as { ${known
        .slice(0, 2)
        .map((k) => `${k}: …`)
        .join(', ')} }, got ${describeValue(options)}`,
    );
  }
  for (const key of Object.keys(options)) {
    if ((known as readonly string[]).includes(key) && (options as Record<string, unknown>)[key] === null) {
      throw new InvalidArgumentError(fn, `${name}.${key} is null; leave the option out to use its default`);
    }
    if (!(known as readonly string[]).includes(key)) {
      const near = nearest(key, known);
      throw new InvalidArgumentError(
        fn,
        `unknown option ${quote(key)}${near === undefined ? '' : `; did you mean ${quote(near)}?`} ` +
          (known.length === 0 ? `(${fn} takes no options)` : `(known options: ${known.join(', ')})`),
      );
    }
  }
  return options;
}

/** True for `{}` literals and `Object.create(null)` objects (not arrays, class instances, tensors). */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== 'object' || x === null) return false;
  const proto: unknown = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

/**
 * The candidate closest to `word` by edit distance (case-insensitive, transpositions count one),
 * if it is close enough to be a plausible slip.
 * @example nearest('mod', ['mode', 'step']); // → 'mode'
 */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  const close =
    bestDistance <= Math.max(1, Math.floor(Math.max(word.length, best.length) / 3)) ||
    best.toLowerCase().startsWith(word.toLowerCase());
  return close ? best : undefined;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions, adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[(i - 1) * cols + j]! + 1, d[i * cols + j - 1]! + 1, d[(i - 1) * cols + j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        v = Math.min(v, d[(i - 2) * cols + j - 2]! + 1);
      d[i * cols + j] = v;
    }
  }
  return d[rows * cols - 1]!;
}

// ---------------------------------------------------------------------------------------------
// Arrays

/** The most elements a tensor or vector may hold: the largest Float64Array length JavaScript engines allow. */
export const MAX_ELEMENTS = 2 ** 32 - 1;

/** The most axes a shape may have (NumPy's limit). */
export const MAX_RANK = 64;

/**
 * Returns a copy of `value` if it is a valid shape: an array of at most 64 non-negative integers
 * whose product fits in a typed array.
 * @example checkShape('zeros', 'shape', [2, 3]); // → [2, 3]
 */
export function checkShape(fn: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value)) {
    const hint =
      typeof value === 'number' && Number.isInteger(value) && value >= 0 ? `; for a vector write [${value}]` : '';
    throw new ShapeError(fn, `${name} must be an array of non-negative integers, got ${describeValue(value)}${hint}`);
  }
  if (value.length > MAX_RANK)
    throw new ShapeError(fn, `${name} has ${value.length} axes; at most ${MAX_RANK} are supported`);
  let size = 1;
  for (let i = 0; i < value.length; i++) {
    const d: unknown = value[i];
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) {
      throw new ShapeError(
        fn,
        `${name} must be an array of non-negative integers, but ${name}[${i}] is ${describeValue(d)}`,
      );
    }
    size *= d;
  }
  checkSize(fn, size, `shape [${value.join(', ')}]`);
  return value.slice() as number[];
}

/** Throws when `size` elements cannot be held in one typed array. @example checkSize('zeros', 6, 'shape [2, 3]'); */
export function checkSize(fn: string, size: number, what: string): void {
  if (size > MAX_ELEMENTS) {
    throw new ShapeError(
      fn,
      `${what} has ${size.toExponential(3)} elements; a typed array holds at most ${MAX_ELEMENTS} (2³² − 1)`,
    );
  }
}

/** Options of `checkVector`. */
export interface VectorRule {
  /** Required length. */
  readonly length?: number;
  /** Allow NaN and ±Infinity (default false). */
  readonly nonFinite?: boolean;
  /** Allow length 0 (default true). */
  readonly empty?: boolean;
}

/**
 * Returns `value` if it is a Float64Array obeying `rule` (finite by default). The array is not
 * copied; callers that keep it copy it.
 * @example checkVector('cgSolve', 'b', new Float64Array([1, 2]), { length: 2 });
 */
export function checkVector(fn: string, name: string, value: unknown, rule: VectorRule = {}): Float64Array {
  if (!(value instanceof Float64Array)) {
    const hint = Array.isArray(value)
      ? `; wrap it: new Float64Array(${name})`
      : value !== null && typeof value === 'object' && typeof (value as { toArray?: unknown }).toArray === 'function'
        ? `; pass ${name}.toArray()`
        : '';
    throw new InvalidArgumentError(fn, `${name} must be a Float64Array, got ${describeValue(value)}${hint}`);
  }
  if (rule.length !== undefined && value.length !== rule.length) {
    throw new ShapeError(fn, `${name} must have length ${rule.length}, got length ${value.length}`);
  }
  if (rule.empty === false && value.length === 0) throw new ShapeError(fn, `${name} must not be empty`);
  if (rule.nonFinite !== true) checkFiniteEntries(fn, name, value);
  return value;
}

/**
 * Throws NonFiniteError naming the first NaN or ±Infinity entry of `values` and where it was found.
 * @example checkFiniteEntries('lissa', 'the operator output at step 3', new Float64Array([1, NaN])); // → throws NonFiniteError
 */
export function checkFiniteEntries(fn: string, name: string, values: ArrayLike<number>, advice = ''): void {
  if (values instanceof Float64Array && allFinite(values)) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      throw new NonFiniteError(fn, `${name}[${i}] is ${v}; it must be finite${advice === '' ? '' : `; ${advice}`}`);
    }
  }
}

/** Whether every entry is finite, without a branch per entry: x·0 is 0 for finite x and NaN for NaN and ±∞. */
function allFinite(x: Float64Array): boolean {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * 0;
  return s === 0;
}

/** Options of `checkIndexList`. */
export interface IndexRule {
  /** Indices must lie in [0, size) (negative ones count from the end when `negative`). */
  readonly size: number;
  /** Accept −size ≤ i < 0, counting from the end (default false). */
  readonly negative?: boolean;
  /** Refuse repeated indices (default false). */
  readonly unique?: boolean;
  /** Required length. */
  readonly length?: number;
}

/**
 * Returns the indices as a fresh Int32Array if `value` is an array (or typed array) of integers in
 * range. A bare number is refused with a hint: it is almost always a missing pair of brackets.
 * @example checkIndexList('take', 'indices', [2, 0], { size: 3 }); // Int32Array [2, 0]
 */
export function checkIndexList(fn: string, name: string, value: unknown, rule: IndexRule): Int32Array {
  if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
    const hint = typeof value === 'number' ? `; for one index write [${value}]` : '';
    throw new InvalidArgumentError(
      fn,
      `${name} must be an array of integer indices, got ${describeValue(value)}${hint}`,
    );
  }
  const list = value as ArrayLike<unknown>;
  if (rule.length !== undefined && list.length !== rule.length) {
    throw new ShapeError(fn, `${name} must have ${rule.length} entries, got ${list.length}`);
  }
  const out = new Int32Array(list.length);
  const seen = rule.unique ? new Set<number>() : undefined;
  const low = rule.negative ? -rule.size : 0;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < low || v >= rule.size) {
      const range =
        rule.size === 0
          ? 'there is nothing to index (the axis is empty)'
          : `it must be an integer in [${low}, ${rule.size - 1}]`;
      const message = `${name}[${i}] is ${describeValue(v)}; ${range}`;
      if (typeof v === 'number' && !Number.isFinite(v)) throw new NonFiniteError(fn, message);
      throw typeof v === 'number' && Number.isInteger(v)
        ? new ShapeError(fn, message)
        : new InvalidArgumentError(fn, message);
    }
    const index = v < 0 ? v + rule.size : v;
    if (seen !== undefined) {
      if (seen.has(index))
        throw new InvalidArgumentError(fn, `${name} lists index ${index} twice; each index may appear once`);
      seen.add(index);
    }
    out[i] = index;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Matrices

/** Relative asymmetry above which a matrix that must be symmetric is refused: √ε, far above rounding. */
export const SYMMETRY_TOLERANCE = Math.sqrt(Number.EPSILON);

/**
 * Throws when the row-major n×n `matrix` is not symmetric beyond rounding:
 * max|aᵢⱼ − aⱼᵢ| > √ε·max|aᵢⱼ|. Solvers that assume symmetry would otherwise silently solve with
 * (A + Aᵀ)/2 and report a residual against it. `advice` says how to opt out (e.g. an option).
 * @example checkSymmetric('choleskySolve', 'H', new Float64Array([2, 1, 1, 2]), 2, 'pass { symmetrize: true }');
 */
export function checkSymmetric(fn: string, name: string, matrix: Float64Array, n: number, advice: string): void {
  let largest = 0;
  for (let i = 0; i < matrix.length; i++) largest = Math.max(largest, Math.abs(matrix[i]!));
  let worst = 0;
  let at: [number, number] = [0, 0];
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const gap = Math.abs(matrix[i * n + j]! - matrix[j * n + i]!);
      if (gap > worst) {
        worst = gap;
        at = [i, j];
      }
    }
  }
  if (worst > SYMMETRY_TOLERANCE * largest) {
    const [i, j] = at;
    throw new InvalidArgumentError(
      fn,
      `${name} must be symmetric, but ${name}[${i}, ${j}] = ${matrix[i * n + j]} and ${name}[${j}, ${i}] = ${matrix[j * n + i]} ` +
        `(relative asymmetry ${(worst / largest).toExponential(2)} > √ε); ${advice}`,
    );
  }
}
