/**
 * `jit`: compile a function of tensors into fused JavaScript, once per argument structure and
 * shapes, and run only the compiled code afterwards.
 *
 *   trace (trace.ts) → plan: fold, share, drop, fuse (plan.ts) → code (codegen.ts) → run
 *
 * What a compiled function is specialised on, and so what makes it compile again: the structure
 * of the arguments (which leaves are tensors, how arrays and objects nest), every tensor's shape,
 * and the values of the other leaves (numbers, strings, booleans, null and undefined are passed
 * through unchanged and compiled in as constants). Each jitted function keeps the last 16
 * compilations (least recently used goes first; `cacheSize` changes it).
 *
 * When it does not compile:
 * - an argument is traced by an enclosing transform (`grad(jit(f))`, `jvp` of it): the function
 *   runs uncompiled, so that the outer transform sees and differentiates its ops;
 * - the function's result depends on a traced value it closes over (it is called inside another
 *   transform's function): it runs uncompiled too;
 * - the function computes a constant in JavaScript from its arguments' values (see trace.ts):
 *   it runs uncompiled, and `lower` says why;
 * - it reads an argument's value (`item()`, `toArray()`, `data`) while being traced: that is a
 *   ConcretizationError, because no compiled function could be right for other values.
 *
 * Where `new Function` is forbidden (a Content-Security-Policy without 'unsafe-eval'), the same
 * optimised plan runs in an interpreter (interpret.ts) with the same results, and jit says so once
 * with `console.warn`; `{ fallback: 'error' }` makes that an error instead.
 */
import { InvalidArgumentError, TapegradError } from '../../errors.js';
import {
  checkArity,
  checkFunction,
  checkNumber,
  checkOneOf,
  describeValue,
  isPlainObject,
  readOptions,
} from '../../validate.js';
import { Tensor, dataOf, fromData } from '../tensor.js';
import { compileSource, generate, type Runner } from './codegen.js';
import { interpretPlan } from './interpret.js';
import { formatPlan, planGraph, type Plan } from './plan.js';
import { OuterTraceError, traceChecked } from './trace.js';

/** Options of `jit`. */
export interface JitOptions {
  /** Where `new Function` is forbidden: `'interpret'` (default) runs the plan in an interpreter, `'error'` throws. */
  readonly fallback?: 'interpret' | 'error';
  /** How many compilations (argument structures and shapes) to keep; default 16. */
  readonly cacheSize?: number;
}

/** What `lower` shows: the optimised plan as text and the generated JavaScript. */
export interface Lowered {
  readonly plan: string;
  readonly source: string;
  /** Set when the function is not compiled because a constant depends on its argument values: why. */
  readonly valueDependent: string | undefined;
  /** Milliseconds spent tracing, planning and generating code. */
  readonly compileMilliseconds: number;
}

/** A jitted function: `fn`'s arguments and results, plus `lower` to inspect what was compiled. */
export type Jitted<F extends (...args: never[]) => unknown> = F & {
  /** The plan and generated source for these example arguments (compiling them if needed). */
  lower(...args: Parameters<F>): Lowered;
};

const DEFAULT_CACHE_SIZE = 16;

type Entry =
  | {
      readonly kind: 'compiled';
      readonly plan: Plan;
      readonly runner: Runner;
      readonly source: string;
      readonly milliseconds: number;
      busy: boolean;
    }
  | { readonly kind: 'uncompiled'; readonly reason: string; readonly milliseconds: number };

/** Set while a jitted function is being traced: a jitted function called inside it is inlined. */
let tracing = 0;
let warned = false;

/**
 * Compiles `fn` (JAX's `jit`): the returned function takes the same arguments and returns the
 * same results, computed by JavaScript generated for them — elementwise chains fused into single
 * loops, dead code dropped, constants folded, buffers reused across calls. It composes with the
 * transforms: `jit(grad(f))`, `jit((x, v) => hvp(f, x, v, { mode }))` in every mode, `jit` inside
 * `grad` and `grad` of a jitted function. Results equal the uncompiled function's, bit for bit.
 * @example
 * const f = (x: Tensor) => sum(square(sub(x, 1)));
 * const fastGrad = jit(grad(f));
 * fastGrad(tensor([1, 2, 3])).toArray(); // [0, 2, 4], computed by one fused loop
 * fastGrad.lower(tensor([1, 2, 3])).source; // the generated JavaScript
 */
export function jit<F extends (...args: never[]) => unknown>(fn: F, options?: JitOptions): Jitted<F> {
  checkArity('jit', arguments.length, 2, 'jit(fn) returns the compiled function: call it as jit(fn)(x)');
  checkFunction('jit', 'fn', fn);
  const given = readOptions('jit', options, ['fallback', 'cacheSize']);
  const fallback = checkOneOf('jit', 'options.fallback', given.fallback ?? 'interpret', [
    'interpret',
    'error',
  ] as const);
  const cacheSize = checkNumber('jit', 'options.cacheSize', given.cacheSize ?? DEFAULT_CACHE_SIZE, {
    integer: true,
    min: 1,
  });
  const state: JitState = {
    f: fn as unknown as (...args: unknown[]) => unknown,
    fallback,
    cacheSize,
    cache: new Map(),
    lastTokens: undefined,
    lastEntry: undefined,
    lastKey: undefined,
    matcher: { tokens: [], at: 0, traced: false, inputs: [] },
  };
  const jitted = (...args: unknown[]): unknown => callJitted(state, args);
  const lower = (...args: unknown[]): Lowered => lowerJitted(state, args);
  return Object.assign(jitted, { lower }) as unknown as Jitted<F>;
}

/** One jitted function: what it compiles, its cache of compiled entries, and the last call's signature. */
interface JitState {
  readonly f: (...args: unknown[]) => unknown;
  readonly fallback: 'interpret' | 'error';
  readonly cacheSize: number;
  /** The compiled entries by signature key, least recently used first. */
  readonly cache: Map<string, Entry>;
  // The last call's signature and entry: a loop calling with the same structure and shapes
  // compares tokens and never builds the key string.
  lastTokens: readonly unknown[] | undefined;
  lastEntry: Entry | undefined;
  lastKey: string | undefined;
  /** Reused by every call's check against the last signature. */
  readonly matcher: Matcher;
}

/** Cache lookup: the entry for these arguments, compiled on a miss (undefined: under an enclosing transform). */
function entryFor(state: JitState, flat: CollectedArguments): Entry | undefined {
  const { cache } = state;
  if (
    state.lastEntry !== undefined &&
    sameTokens(flat.tokens, state.lastTokens!) &&
    cache.get(state.lastKey!) === state.lastEntry
  )
    return state.lastEntry;
  const key = keyOf(flat.tokens);
  let entry = cache.get(key);
  if (entry !== undefined) {
    cache.delete(key); // most recently used goes last
    cache.set(key, entry);
  } else {
    entry = compile(state.f, flattenArguments(flat.args), state.fallback);
    if (entry === undefined) return undefined;
    cache.set(key, entry);
    if (cache.size > state.cacheSize) cache.delete(cache.keys().next().value!);
  }
  state.lastTokens = flat.tokens;
  state.lastEntry = entry;
  state.lastKey = key;
  return entry;
}

/**
 * The fast path of a call: true when the arguments have the last call's structure and shapes
 * (and that entry is still cached), checked while their arrays are collected into the matcher,
 * in one walk that builds no signature.
 */
function matchesLast(state: JitState, args: readonly unknown[]): boolean {
  if (state.lastEntry === undefined || state.cache.get(state.lastKey!) !== state.lastEntry) return false;
  const matcher = state.matcher;
  matcher.tokens = state.lastTokens!;
  matcher.at = 0;
  matcher.traced = false;
  matcher.inputs = [];
  let same = true;
  for (let i = 0; i < args.length && same; i++) same = matches(args[i], matcher);
  return same && matcher.at === state.lastTokens!.length;
}

/** A call of the jitted function: argument collection, cache lookup, then the compiled entry's run. */
function callJitted(state: JitState, args: unknown[]): unknown {
  if (tracing > 0) return state.f(...args); // inside another jit's trace: inline
  let entry: Entry | undefined;
  let inputs: Float64Array[];
  if (matchesLast(state, args)) {
    if (state.matcher.traced) return state.f(...args); // under a transform: let it see the ops
    entry = state.lastEntry;
    inputs = state.matcher.inputs;
  } else {
    const flat = collectArguments(args);
    if (flat === undefined) return state.f(...args); // under a transform: let it see the ops
    entry = entryFor(state, flat);
    const leaves = flat.leaves;
    inputs = new Array<Float64Array>(leaves.length);
    for (let i = 0; i < leaves.length; i++) inputs[i] = dataOf(leaves[i]!);
  }
  if (entry === undefined || entry.kind === 'uncompiled' || entry.busy) return state.f(...args);
  return runEntry(entry, inputs);
}

/** Runs a compiled entry on the inputs' arrays and rebuilds the function's results from its outputs. */
function runEntry(entry: Extract<Entry, { kind: 'compiled' }>, inputs: Float64Array[]): unknown {
  entry.busy = true; // the buffers are the entry's own: a re-entrant call runs uncompiled
  let arrays: Float64Array[];
  try {
    arrays = entry.runner(inputs);
  } finally {
    entry.busy = false;
  }
  const outputs = entry.plan.outputs;
  const results = new Array<Tensor>(arrays.length);
  for (let k = 0; k < arrays.length; k++) results[k] = fromData(arrays[k]!, outputs[k]!.shape);
  return entry.plan.rebuild(results);
}

/** `lower`: the plan and source of the entry for these arguments, compiling them if needed. */
function lowerJitted(state: JitState, args: unknown[]): Lowered {
  flattenArguments(args, 'jit().lower'); // checks the arguments, naming lower
  const flat = collectArguments(args);
  if (flat === undefined) {
    throw new InvalidArgumentError(
      'jit().lower',
      'an argument is traced by an enclosing transform; call lower with constant tensors (outside grad, jvp, …)',
    );
  }
  const entry = entryFor(state, flat);
  if (entry === undefined)
    return {
      plan: 'not compiled: the result depends on a value traced by an enclosing transform',
      source: '',
      valueDependent: undefined,
      compileMilliseconds: 0,
    };
  if (entry.kind === 'uncompiled')
    return {
      plan: `not compiled: ${entry.reason}`,
      source: '',
      valueDependent: entry.reason,
      compileMilliseconds: entry.milliseconds,
    };
  return {
    plan: formatPlan(entry.plan),
    source: entry.source,
    valueDependent: undefined,
    compileMilliseconds: entry.milliseconds,
  };
}

/**
 * Compiles `fn` for its arguments' structure and shapes, or says why it cannot: undefined when its
 * result depends on an enclosing transform (nothing is cached then).
 */
function compile(
  fn: (...args: unknown[]) => unknown,
  flat: FlatArguments,
  fallback: 'interpret' | 'error',
): Entry | undefined {
  const started = now();
  let traced: ReturnType<typeof traceChecked>;
  tracing++;
  try {
    traced = traceChecked(fn, flat.leaves, flat.rebuild);
  } catch (error) {
    if (error instanceof OuterTraceError) return undefined;
    throw error;
  } finally {
    tracing--;
  }
  if (traced.valueDependent !== undefined)
    return { kind: 'uncompiled', reason: traced.valueDependent, milliseconds: now() - started };
  const plan = planGraph(traced.graph, flat.leaves.length);
  const { source, environment } = generate(plan);
  let runner: Runner;
  try {
    runner = compileSource(source, environment);
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    if (fallback === 'error') {
      throw new TapegradError(
        'jit',
        'code-generation',
        `could not generate JavaScript with new Function (${why}); this page's Content-Security-Policy probably forbids it (no 'unsafe-eval'). Allow it, or leave options.fallback at 'interpret' to run the same plan with jit's interpreter`,
      );
    }
    if (!warned) {
      warned = true;
      host.console?.warn(
        `tapegrad jit: new Function is not available here (${why}); running compiled plans with the interpreter instead (same results, slower). Pass { fallback: 'error' } to make this an error.`,
      );
    }
    runner = interpretPlan(plan);
  }
  return { kind: 'compiled', plan, runner, source, milliseconds: now() - started, busy: false };
}

/** What jit uses of its host (browser, worker, Node, Deno): a clock and a console, when present. */
const host = globalThis as unknown as { console?: { warn(message: string): void }; performance?: { now(): number } };
const now = (): number => (host.performance !== undefined ? host.performance.now() : Date.now());

/** @internal Lets the next code-generation failure warn again (tests). */
export function resetJitWarning(): void {
  warned = false;
}

/**
 * Compiles a function of tensors for the hessian layer's jitted modes: `jit(fn)` warmed up on
 * example arguments, so the first real call already runs compiled code. Tensors that `fn` closes
 * over are constants of the compilation: everything computed from them alone is folded at compile
 * time (a Hessian operator's gradient tape), and only what depends on the arguments runs per call.
 * @example
 * const apply = compileFunction((v: Tensor) => hvp(f, x, v), [zerosLike(x)]);
 * apply(v); // compiled H(x)·v
 */
export function compileFunction<F extends (...args: never[]) => unknown>(
  fn: F,
  exampleArgs: Parameters<F>,
  options?: JitOptions,
): Jitted<F> {
  checkArity('compileFunction', arguments.length, 3);
  checkFunction('compileFunction', 'fn', fn);
  if (!Array.isArray(exampleArgs))
    throw new InvalidArgumentError(
      'compileFunction',
      `exampleArgs must be an array of fn's arguments, got ${describeValue(exampleArgs)}`,
    );
  const compiled = jit(fn, options);
  compiled.lower(...exampleArgs);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Arguments: tensors are traced; everything else is part of the cache key

/** The tensors among the arguments and their signature, collected on every call (no strings built). */
interface CollectedArguments {
  readonly leaves: Tensor[];
  /**
   * The signature: each tensor's shape, each other leaf's value, and markers for containers
   * (with lengths and keys). Equal signatures share one compilation.
   */
  readonly tokens: unknown[];
  readonly args: readonly unknown[];
}

const ARRAY = Symbol('array');
const OBJECT = Symbol('object');
const END = Symbol('end');
const UNSUPPORTED = Symbol('unsupported');

/**
 * The arguments' tensors in order and their signature, or undefined when a tensor is traced by
 * an enclosing transform. Anything unusual (cycles, unsupported values) is left for
 * `flattenArguments` to report when the signature is new.
 */
function collectArguments(args: readonly unknown[]): CollectedArguments | undefined {
  const state: CollectState = { leaves: [], tokens: [], traced: false, open: undefined };
  for (let i = 0; i < args.length; i++) collect(args[i], state);
  return state.traced ? undefined : { leaves: state.leaves, tokens: state.tokens, args };
}

interface CollectState {
  leaves: Tensor[];
  tokens: unknown[];
  traced: boolean;
  /** The containers being visited (created on the first container: most calls pass only tensors). */
  open: Set<unknown> | undefined;
}

function collect(node: unknown, state: CollectState): void {
  if (node instanceof Tensor) {
    if (node.level > 0) state.traced = true;
    state.leaves.push(node);
    state.tokens.push(node.shape);
  } else if (
    typeof node === 'number' ||
    typeof node === 'string' ||
    typeof node === 'boolean' ||
    node === null ||
    node === undefined
  ) {
    state.tokens.push(node);
  } else if (Array.isArray(node) || isPlainObject(node)) {
    const open = (state.open ??= new Set());
    if (open.has(node) || open.size >= MAX_DEPTH) {
      state.tokens.push(UNSUPPORTED); // refused by flattenArguments when compiled
      return;
    }
    open.add(node);
    if (Array.isArray(node)) {
      state.tokens.push(ARRAY, node.length);
      for (let i = 0; i < node.length; i++) collect(node[i], state);
    } else {
      state.tokens.push(OBJECT);
      for (const k of Object.keys(node)) {
        state.tokens.push(k);
        collect((node as Record<string, unknown>)[k], state);
      }
    }
    state.tokens.push(END);
    open.delete(node);
  } else state.tokens.push(UNSUPPORTED);
}

/** A walk of arguments against a signature (`tokens`, from `at`), collecting the tensors' arrays. */
interface Matcher {
  tokens: readonly unknown[];
  at: number;
  traced: boolean;
  inputs: Float64Array[];
}

/** True when `node` has the signature at the matcher's position (which it moves past), as `collect` would write it. */
function matches(node: unknown, m: Matcher): boolean {
  const tokens = m.tokens;
  if (node instanceof Tensor) {
    const want = tokens[m.at++];
    if (want !== node.shape && !(Array.isArray(want) && sameDims(want as readonly number[], node.shape))) return false;
    if (node.level > 0) m.traced = true;
    m.inputs.push(dataOf(node));
    return true;
  }
  if (Array.isArray(node)) {
    if (tokens[m.at] !== ARRAY || tokens[m.at + 1] !== node.length) return false;
    m.at += 2;
    for (let i = 0; i < node.length; i++) {
      const child: unknown = node[i];
      if (!(child instanceof Tensor)) {
        if (!matches(child, m)) return false;
        continue;
      }
      // Tensors in an array (an array of scalars) are checked here, without a call each.
      const want = tokens[m.at++];
      if (want !== child.shape && !(Array.isArray(want) && sameDims(want as readonly number[], child.shape)))
        return false;
      if (child.level > 0) m.traced = true;
      m.inputs.push(dataOf(child));
    }
    return tokens[m.at++] === END;
  }
  if (typeof node === 'object' && node !== null) {
    if (!isPlainObject(node) || tokens[m.at++] !== OBJECT) return false;
    for (const k of Object.keys(node)) {
      if (tokens[m.at++] !== k || !matches(node[k], m)) return false;
    }
    return tokens[m.at++] === END;
  }
  // Numbers, strings, booleans, null and undefined are part of the signature by value.
  return (
    (typeof node === 'number' ||
      typeof node === 'string' ||
      typeof node === 'boolean' ||
      node === null ||
      node === undefined) &&
    Object.is(tokens[m.at++], node)
  );
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameTokens(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (Object.is(x, y)) continue;
    if (!Array.isArray(x) || !Array.isArray(y) || x.length !== y.length) return false;
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
  }
  return true;
}

/** The cache key of a signature: shapes, values (typed, −0 kept apart from 0) and structure. */
function keyOf(tokens: readonly unknown[]): string {
  let key = '';
  for (const t of tokens) {
    if (Array.isArray(t)) key += `T[${t.join(',')}] `;
    else if (t === ARRAY) key += 'A';
    else if (t === OBJECT) key += 'O ';
    else if (t === END) key += 'E ';
    else if (t === UNSUPPORTED) key += '? ';
    else if (typeof t === 'number') key += Object.is(t, -0) ? 'n-0 ' : `n${t} `;
    else if (t === undefined) key += 'u ';
    else key += `${JSON.stringify(t)} `;
  }
  return key;
}

interface FlatArguments {
  readonly leaves: Tensor[];
  readonly rebuild: (leaves: readonly Tensor[]) => unknown[];
}

const MAX_DEPTH = 64;

function flattenArguments(args: readonly unknown[], fn = 'jit'): FlatArguments {
  const leaves: Tensor[] = [];
  const open = new Set<unknown>();
  const build = (node: unknown, path: string): ((next: () => Tensor) => unknown) => {
    if (node instanceof Tensor) {
      leaves.push(node);
      return (next) => next();
    }
    if (
      typeof node === 'number' ||
      typeof node === 'string' ||
      typeof node === 'boolean' ||
      node === null ||
      node === undefined
    ) {
      return () => node;
    }
    const container = Array.isArray(node) || isPlainObject(node);
    if (!container) {
      throw new InvalidArgumentError(
        fn,
        `${path} is ${describeValue(node)}; a jitted function takes Tensors, numbers, strings, booleans, null, undefined, and arrays / plain objects of them`,
      );
    }
    if (open.has(node))
      throw new InvalidArgumentError(
        fn,
        `${path} contains itself (a cyclic ${Array.isArray(node) ? 'array' : 'object'}); arguments must form a tree`,
      );
    if (open.size >= MAX_DEPTH)
      throw new InvalidArgumentError(fn, `${path} is nested more than ${MAX_DEPTH} levels deep`);
    open.add(node);
    let rebuild: (next: () => Tensor) => unknown;
    if (Array.isArray(node)) {
      const children = node.map((child, i) => build(child, `${path}[${i}]`));
      rebuild = (next) => children.map((c) => c(next));
    } else {
      const entries = Object.entries(node as Record<string, unknown>).map(
        ([k, v]) => [k, build(v, `${path}.${k}`)] as const,
      );
      rebuild = (next) => Object.fromEntries(entries.map(([k, c]) => [k, c(next)]));
    }
    open.delete(node);
    return rebuild;
  };
  const builders = args.map((arg, i) => build(arg, `argument ${i}`));
  return {
    leaves,
    rebuild: (values) => {
      let at = 0;
      const next = () => values[at++]!;
      return builders.map((b) => b(next));
    },
  };
}
