/**
 * The boundary table: how every export is tried with the inputs a plain-JavaScript user can
 * send it by mistake.
 *
 * Each export is enrolled once (`boundary.test.ts` fails if an export of `src/index.ts` has no
 * entry), with
 * - `valid()`: fresh, small, valid arguments (called anew for every case);
 * - `params`: each parameter's kind. The runner derives the bad inputs from the kind — a string
 *   where a number belongs, a number where a list belongs, NaN, null, a misspelt option key, an
 *   out-of-range axis, a cyclic array, a huge shape, … — puts each into an otherwise valid call
 *   and expects a TapegradError that names the function (and quotes a string it got);
 * - optionally `cases` (hand-written bad calls), `accepts` (generated inputs that the function
 *   documents as valid, with the reason) and `probe` (a fingerprint computed through the result,
 *   used to prove that no array the call handed out, or took in, is live state).
 *
 * Every valid call is also checked for the memory guarantees: the arguments are not mutated;
 * every Float64Array in the result owns its whole buffer; writing into those arrays, writing into
 * the input arrays, and transferring either's buffers changes neither the result's fingerprint
 * nor a repeated call.
 */
import { expect } from 'vitest';
import { TapegradError } from '../../src/errors.js';
import { Tensor } from '../../src/autodiff/tensor.js';

/** What a parameter is; the runner derives the bad inputs from it. */
export type Kind =
  /** A Tensor or a number. */
  | 'tensor'
  /** A Tensor only (numbers refused). */
  | 'tensorOnly'
  /** A function. */
  | 'function'
  /** A tree: Tensor, number, or arrays / plain objects of them. */
  | 'tree'
  /** A shape: array of non-negative integers. */
  | 'shape'
  /** One axis (integer, negative counts from the end). */
  | 'axis'
  /** An axis or a list of axes. */
  | 'axes'
  /** An integer ≥ 0 / ≥ 1; any integer. */
  | 'count'
  | 'positiveInteger'
  | 'integer'
  /** A finite number; finite and > 0; finite and ≥ 0; any number including NaN (data). */
  | 'number'
  | 'positive'
  | 'nonNegative'
  | 'value'
  | 'boolean'
  | 'string'
  /** A Float64Array whose length is fixed by the other arguments; `anyVector` when any length is valid. */
  | 'vector'
  | 'anyVector'
  /** A list of integer indices. */
  | 'indices'
  /** A LinearOperator, a dense row-major Float64Array or an [n, n] tensor. */
  | 'operator'
  /** A seed for a random source. */
  | 'seed'
  /** No generated cases (documented in the entry why). */
  | 'any'
  | { readonly oneOf: readonly string[] }
  | { readonly options: Readonly<Record<string, Kind>> };

export interface Param {
  readonly name: string;
  readonly kind: Kind;
  /** May be left out (so `undefined` is valid there). */
  readonly optional?: boolean;
}

/** A required parameter. */
export const p = (name: string, kind: Kind): Param => ({ name, kind });
/** An optional parameter. */
export const opt = (name: string, kind: Kind): Param => ({ name, kind, optional: true });
/** An options object with these keys and kinds (always optional). */
export const options = (keys: Readonly<Record<string, Kind>>, name = 'options'): Param => ({
  name,
  kind: { options: keys },
  optional: true,
});
/** One of a fixed set of strings. */
export const oneOf = (...choices: string[]): Kind => ({ oneOf: choices });

export interface BadCase {
  readonly label: string;
  readonly args: () => unknown[];
  /** The error class expected (default: any TapegradError). */
  readonly error?: new (...args: never[]) => TapegradError;
  /** A part of the message expected. */
  readonly message?: string | RegExp;
}

export interface Entry {
  /** The export's name, or 'Class.method' / 'factory().method' for methods. */
  readonly name: string;
  /** The function name errors must carry (default `name`). */
  readonly fn?: string;
  readonly valid: () => unknown[];
  /** How to call it (default: the export itself). */
  readonly call: (...args: unknown[]) => unknown;
  readonly params: readonly Param[];
  readonly cases?: readonly BadCase[];
  /** Generated case labels (`param = label`) that the function documents as valid, with why. */
  readonly accepts?: Readonly<Record<string, string>>;
  /** A fingerprint computed through the result, e.g. an operator's product with a fixed vector. */
  readonly probe?: (result: unknown) => unknown;
  /** Skip the transfer/scribble checks on inputs (e.g. the function documents it keeps a view). */
  readonly sharesInputs?: string;
  /** Why there is no valid call to check (the export exists for types or instanceof). */
  readonly noValidCall?: string;
  /** Why two identical calls legitimately differ (e.g. they print the transform level); skips that comparison. */
  readonly varies?: string;
}

// ---------------------------------------------------------------------------------------------
// Bad inputs by kind

interface Bad {
  readonly label: string;
  readonly value: () => unknown;
}

const bad = (label: string, value: () => unknown): Bad => ({ label, value });

function cyclicArray(): unknown[] {
  const a: unknown[] = [1, 2];
  a.push(a);
  return a;
}

function cyclicObject(): Record<string, unknown> {
  const o: Record<string, unknown> = { a: 1 };
  o['self'] = o;
  return o;
}

const NOT_A_NUMBER: Bad[] = [
  bad("'1e-3' (a string)", () => '1e-3'),
  bad('null', () => null),
  bad('an object', () => ({})),
  bad('an array [1]', () => [1]),
  bad('true', () => true),
];

const NON_FINITE: Bad[] = [bad('NaN', () => NaN), bad('Infinity', () => Infinity), bad('-Infinity', () => -Infinity)];

function misspell(word: string): string {
  return word.length > 3 ? word.slice(0, -1) : `${word}x`;
}

/** The bad inputs for one kind; `valid` is the valid argument in that slot (for lengths). */
export function badInputs(kind: Kind, valid: unknown): Bad[] {
  if (typeof kind === 'object' && 'oneOf' in kind) {
    return [
      bad("'nope'", () => 'nope'),
      bad(`'${misspell(kind.oneOf[0]!)}' (misspelt)`, () => misspell(kind.oneOf[0]!)),
      bad('3', () => 3),
      bad('null', () => null),
    ];
  }
  if (typeof kind === 'object') return []; // options: expanded by the runner
  switch (kind) {
    case 'tensor':
      return [
        bad("'2' (a string)", () => '2'),
        bad('null', () => null),
        bad('an object', () => ({})),
        bad('an array [1, 2]', () => [1, 2]),
        bad('true', () => true),
        bad('a function', () => () => 1),
        bad('a bigint', () => 2n),
      ];
    case 'tensorOnly':
      return [...badInputs('tensor', valid), bad('a number', () => 3)];
    case 'function':
      return [
        bad('3', () => 3),
        bad("'f' (a string)", () => 'f'),
        bad('null', () => null),
        bad('an object', () => ({})),
        bad('an array', () => []),
      ];
    case 'tree':
      return [
        bad("'x' (a string)", () => 'x'),
        bad('null', () => null),
        bad('a Map', () => new Map()),
        bad('a Date', () => new Date(0)),
        bad('a cyclic array', cyclicArray),
        bad('a cyclic object', cyclicObject),
        bad('a function', () => () => 1),
        bad('true', () => true),
      ];
    case 'shape':
      return [
        bad('4 (a number, not a list)', () => 4),
        bad("'2' (a string)", () => '2'),
        bad('[2.5]', () => [2.5]),
        bad('[NaN]', () => [NaN]),
        bad("['2']", () => ['2']),
        bad('[-3]', () => [-3]),
        bad('null', () => null),
        bad('a huge shape [1e6, 1e6, 1e6]', () => [1e6, 1e6, 1e6]),
        bad('a cyclic array', cyclicArray),
      ];
    case 'axis':
      return [
        bad("'0' (a string)", () => '0'),
        bad('0.5', () => 0.5),
        bad('NaN', () => NaN),
        bad('99 (out of range)', () => 99),
        bad('null', () => null),
        bad('an object', () => ({})),
        bad('[0] (a list)', () => [0]),
      ];
    case 'axes':
      return [
        bad("'0' (a string)", () => '0'),
        bad('[0.5]', () => [0.5]),
        bad('NaN', () => NaN),
        bad('99 (out of range)', () => 99),
        bad('[99]', () => [99]),
        bad("['0']", () => ['0']),
        bad('null', () => null),
        bad('an object', () => ({})),
      ];
    case 'count':
      return [...NOT_A_NUMBER, ...NON_FINITE, bad('1.5', () => 1.5), bad('-1', () => -1)];
    case 'positiveInteger':
      return [...badInputs('count', valid), bad('0', () => 0)];
    case 'integer':
      return [...NOT_A_NUMBER, ...NON_FINITE, bad('1.5', () => 1.5)];
    case 'number':
      return [...NOT_A_NUMBER, ...NON_FINITE];
    case 'positive':
      return [...NOT_A_NUMBER, ...NON_FINITE, bad('0', () => 0), bad('-1', () => -1)];
    case 'nonNegative':
      return [...NOT_A_NUMBER, ...NON_FINITE, bad('-1', () => -1)];
    case 'value':
      return NOT_A_NUMBER;
    case 'seed':
      return [...NOT_A_NUMBER, ...NON_FINITE];
    case 'boolean':
      return [
        bad("'true' (a string)", () => 'true'),
        bad('1', () => 1),
        bad('null', () => null),
        bad('an object', () => ({})),
      ];
    case 'string':
      return [bad('3', () => 3), bad('null', () => null), bad('an object', () => ({}))];
    case 'vector':
    case 'anyVector': {
      const length = valid instanceof Float64Array ? valid.length : 2;
      const cases = [
        bad('a plain array', () => Array.from({ length }, () => 1)),
        bad("'x' (a string)", () => 'x'),
        bad('null', () => null),
        bad('3', () => 3),
        bad('a Float32Array', () => new Float32Array(length).fill(1)),
      ];
      if (length > 0) {
        cases.push(
          bad('a vector holding NaN', () => new Float64Array(length).fill(1).fill(NaN, 0, 1)),
          bad('a vector holding Infinity', () => new Float64Array(length).fill(1).fill(Infinity, length - 1)),
        );
      }
      if (kind === 'vector') cases.push(bad('a vector one entry too long', () => new Float64Array(length + 1).fill(1)));
      return cases;
    }
    case 'indices':
      return [
        bad('2 (a number, not a list)', () => 2),
        bad("'0' (a string)", () => '0'),
        bad('[0.5]', () => [0.5]),
        bad('[NaN]', () => [NaN]),
        bad("['0']", () => ['0']),
        bad('[1e9] (out of range)', () => [1e9]),
        bad('null', () => null),
        bad('an object', () => ({})),
      ];
    case 'operator':
      return [
        bad('3', () => 3),
        bad("'H' (a string)", () => 'H'),
        bad('null', () => null),
        bad('an object without apply', () => ({ size: 2 })),
        bad('an operator of size -1', () => ({ size: -1, apply: (v: Float64Array) => v })),
        bad("an operator of size '2'", () => ({ size: '2', apply: (v: Float64Array) => v })),
        bad('a non-square Float64Array (3 entries)', () => new Float64Array(3)),
        bad('a plain array', () => [1, 0, 0, 1]),
      ];
    case 'any':
      return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Running an entry

export interface GeneratedCase {
  readonly label: string;
  readonly args: () => unknown[];
  readonly quoted?: string;
}

/** Every generated bad call of an entry: each bad input in each slot of an otherwise valid call. */
export function generatedCases(entry: Entry): GeneratedCase[] {
  const out: GeneratedCase[] = [];
  const sample = entry.valid();
  entry.params.forEach((param, i) => {
    const slot = (value: () => unknown) => () => {
      const args = [...entry.valid()];
      while (args.length <= i) args.push(undefined);
      args[i] = value();
      return args;
    };
    if (!param.optional) out.push({ label: `${param.name} = undefined (missing)`, args: slot(() => undefined) });
    const kind = param.kind;
    if (typeof kind === 'object' && 'options' in kind) {
      const base = () => {
        const given = entry.valid()[i];
        return given !== undefined && typeof given === 'object' && given !== null ? { ...(given as object) } : {};
      };
      const keys = Object.keys(kind.options);
      out.push({ label: `${param.name} = null`, args: slot(() => null) });
      out.push({ label: `${param.name} = 'fast' (a string)`, args: slot(() => 'fast'), quoted: 'fast' });
      out.push({ label: `${param.name} = [] (an array)`, args: slot(() => []) });
      out.push({ label: `${param.name} = 42`, args: slot(() => 42) });
      out.push({
        label: `${param.name} has unknown key 'zzzUnknown'`,
        args: slot(() => ({ ...base(), zzzUnknown: 1 })),
        quoted: 'zzzUnknown',
      });
      for (const key of keys) {
        const wrong = misspell(key);
        if (!keys.includes(wrong)) {
          out.push({
            label: `${param.name} has misspelt key '${wrong}'`,
            args: slot(() => ({ ...base(), [wrong]: (base() as Record<string, unknown>)[key] ?? 1 })),
            quoted: wrong,
          });
        }
        const sampleOptions = sample[i] as Record<string, unknown> | undefined;
        for (const b of badInputs(kind.options[key]!, sampleOptions?.[key])) {
          out.push({
            label: `${param.name}.${key} = ${b.label}`,
            args: slot(() => ({ ...base(), [key]: b.value() })),
            ...(typeof b.value() === 'string' ? { quoted: b.value() as string } : {}),
          });
        }
      }
      return;
    }
    for (const b of badInputs(kind, sample[i])) {
      const probeValue = b.value();
      out.push({
        label: `${param.name} = ${b.label}`,
        args: slot(b.value),
        ...(typeof probeValue === 'string' ? { quoted: probeValue } : {}),
      });
    }
  });
  return out;
}

/** Runs `run` and returns what it threw (or undefined). */
export function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

/** Asserts a bad call failed the way the error policy says: a TapegradError naming `fn`, strings quoted. */
export function expectPolicyError(
  error: unknown,
  fn: string,
  label: string,
  quoted?: string,
  kind?: new (...args: never[]) => TapegradError,
  part?: string | RegExp,
): void {
  if (!(error instanceof TapegradError)) {
    const what =
      error === undefined
        ? 'returned without an error'
        : `threw ${(error as Error)?.constructor?.name}: ${(error as Error)?.message}`;
    expect.fail(`${fn} with ${label} ${what}`);
  }
  const e = error as TapegradError;
  expect(e.fn, `${label}: the error names ${e.fn}, not ${fn} (${e.message})`).toBe(fn);
  expect(e.message.startsWith(`${fn}: `), e.message).toBe(true);
  expect(e.message, 'messages never print [object Object]').not.toContain('[object Object]');
  if (quoted !== undefined && quoted.length > 0) {
    expect(e.message, `${label}: the string must be printed quoted`).toContain(
      `'${quoted.length > 40 ? quoted.slice(0, 37) : quoted}`,
    );
  }
  if (kind !== undefined) expect(e, `${label}: ${e.message}`).toBeInstanceOf(kind);
  if (part !== undefined) expect(e.message).toMatch(part);
}

// ---------------------------------------------------------------------------------------------
// Memory checks on valid calls

/** Every typed array reachable from a value (own properties, getters, arrays, one Map/Set level), with a path. */
export function typedArraysIn(
  value: unknown,
  path = 'result',
  seen = new Set<unknown>(),
  depth = 0,
): { path: string; array: Float64Array | Int32Array }[] {
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 4) return [];
  seen.add(value);
  if (value instanceof Float64Array || value instanceof Int32Array) return [{ path, array: value }];
  if (value instanceof Tensor) return [];
  const out: { path: string; array: Float64Array | Int32Array }[] = [];
  if (Array.isArray(value)) {
    value.forEach((v, i) => out.push(...typedArraysIn(v, `${path}[${i}]`, seen, depth + 1)));
    return out;
  }
  const keys = new Set<string>(Object.keys(value));
  // Getters defined on the object itself (accessor properties), e.g. `get gradients()`.
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(value)))
    if (descriptor.get) keys.add(key);
  for (const key of keys) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (typeof v === 'function') continue;
    out.push(...typedArraysIn(v, `${path}.${key}`, seen, depth + 1));
  }
  return out;
}

/** A deep snapshot of arguments: typed arrays and plain arrays copied, tensors by value. */
export function snapshot(value: unknown, seen = new Set<unknown>()): unknown {
  if (value === null || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Tensor) return { tensor: Array.from(value.toArray()), shape: [...value.shape] };
  if (Array.isArray(value)) return value.map((v) => snapshot(v, seen));
  if (Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, typeof v === 'function' ? 'function' : snapshot(v, seen)]),
    );
  }
  return value;
}

/** Comparable form of a result: numbers rounded to nothing (exact), tensors and arrays by value. */
export function fingerprint(value: unknown, seen = new Set<unknown>(), depth = 0): unknown {
  if (typeof value === 'number') return Object.is(value, -0) ? 0 : value;
  if (value === null || typeof value !== 'object' || seen.has(value) || depth > 5)
    return typeof value === 'function' ? 'function' : value;
  seen.add(value);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView))
    return Array.from(value as unknown as ArrayLike<number>);
  if (value instanceof Tensor) return { tensor: Array.from(value.toArray()), shape: [...value.shape] };
  if (value instanceof Map) return [...value.entries()].map(([k, v]) => [k, fingerprint(v, seen, depth + 1)]);
  if (Array.isArray(value)) return value.map((v) => fingerprint(v, seen, depth + 1));
  const out: Record<string, unknown> = {};
  const descriptors = Object.getOwnPropertyDescriptors(value);
  for (const key of Object.keys(descriptors)) {
    let v: unknown;
    try {
      v = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    out[key] = fingerprint(v, seen, depth + 1);
  }
  return out;
}

/** Writes NaN (or −1 for integer arrays) into every entry. */
export function scribble(array: Float64Array | Int32Array): void {
  if (array.buffer instanceof ArrayBuffer && (array.buffer as ArrayBuffer & { detached?: boolean }).detached) return;
  if (array instanceof Float64Array) array.fill(NaN);
  else array.fill(-1);
}

/** Detaches a buffer the way `postMessage(x, [x.buffer])` does. */
export function transfer(array: Float64Array | Int32Array): void {
  const buffer = array.buffer as ArrayBuffer & { detached?: boolean };
  if (buffer.detached || buffer.byteLength === 0) return;
  structuredClone(buffer, { transfer: [buffer] });
}

/**
 * The values of a result, for entries without a probe: numbers, strings and booleans as they are,
 * tensors and typed arrays by value, arrays and plain objects entry by entry. Other objects
 * (inverses, operators, class instances) give undefined: only an entry's probe can look inside
 * them. Typed arrays in `handedOut` are the caller's to write into, so they are left out.
 */
export function renderValues(value: unknown, handedOut: ReadonlySet<unknown> = new Set(), depth = 0): unknown {
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (depth > 5 || handedOut.has(value)) return undefined;
  if (value instanceof Tensor) return { tensor: Array.from(value.toArray()), shape: [...value.shape] };
  if (value instanceof Float64Array || value instanceof Int32Array) return Array.from(value);
  if (Array.isArray(value)) return value.map((v) => renderValues(v, handedOut, depth + 1));
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return undefined;
  return Object.fromEntries(
    Object.keys(value).map((k) => [k, renderValues((value as Record<string, unknown>)[k], handedOut, depth + 1)]),
  );
}

/**
 * The memory guarantees for one valid call: arguments unchanged, result arrays own their buffers,
 * and no array on either side of the call is live state of the result.
 */
export function checkValidCall(entry: Entry): void {
  const args = entry.valid();
  const before = snapshot(args);
  const result = entry.call(...args);
  expect(snapshot(args), `${entry.name} must not mutate its arguments`).toEqual(before);
  const outputs = typedArraysIn(result);
  for (const { path, array } of outputs) {
    expect(
      array.byteOffset === 0 && array.byteLength === array.buffer.byteLength,
      `${entry.name}: ${path} must own its whole buffer`,
    ).toBe(true);
  }
  // Without a probe, the result's own values are compared; the arrays it handed out are dropped
  // from them once they have been written into (writing into them is the caller's right).
  const handedOut = new Set<unknown>();
  const probe = entry.probe ?? ((r: unknown) => renderValues(r, handedOut));
  const reference = fingerprint(probe(result));
  const repeat = entry.varies === undefined ? fingerprint(entry.call(...entry.valid())) : undefined;
  // Write into everything the call was given, then into everything it handed out.
  if (entry.sharesInputs === undefined) for (const { array } of typedArraysIn(args, 'args')) scribble(array);
  expect(fingerprint(probe(result)), `${entry.name}: writing into returned or given arrays changed the result`).toEqual(
    reference,
  );
  for (const { array } of outputs) handedOut.add(array);
  const kept = fingerprint(probe(result));
  for (const { array } of outputs) scribble(array);
  expect(fingerprint(probe(result)), `${entry.name}: writing into returned or given arrays changed the result`).toEqual(
    kept,
  );
  // Transfer everything; a fresh call must still work and agree.
  for (const { array } of outputs) transfer(array);
  if (entry.sharesInputs === undefined) for (const { array } of typedArraysIn(args, 'args')) transfer(array);
  expect(
    fingerprint(probe(result)),
    `${entry.name}: transferring returned or given buffers changed the result`,
  ).toEqual(kept);
  const again = fingerprint(entry.call(...entry.valid()));
  if (entry.varies === undefined)
    expect(again, `${entry.name}: a repeated call disagrees after writes and transfers`).toEqual(repeat);
}
