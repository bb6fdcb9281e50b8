/**
 * Tracing for `jit`: run the function once and record every primitive it evaluates.
 *
 * Every primitive evaluation ends in the level-0 branch of `bind` — a plain op on constants, the
 * recorded backward pass of a `grad` inside the function, each term of every HVP composition —
 * so recording the level-0 evaluations gives one graph that covers values, gradients and every
 * order of derivative. The recorder is installed with `setEvaluator` while the function runs on
 * fresh copies of its arguments; a value is known by its Tensor object, or by its storage when an
 * op wraps the same storage in a new constant (`stopGradient`, the condition of `where`).
 *
 * A trace is specialised to shapes and to the path the function took. Two things would make it
 * wrong for other argument values, and both are caught:
 * - the function reads a traced value in JavaScript (`item()`, `toArray()`, `data`): the guard
 *   installed in tensor.ts throws a ConcretizationError;
 * - an op computes a constant in JavaScript from a traced value (a finite-difference step scaled
 *   by the size of x; a user primitive's rule that builds a tensor from data): such a constant
 *   enters the graph as data. (The library's masks, `sign`, the derivatives of relu and abs and
 *   the shift of `logSumExp` are primitives of their own, recorded like any other op.) `traceChecked` therefore traces again at probe values
 *   (random, negated, zero) and compares the graphs; a constant or parameter that moved marks the
 *   trace value-dependent, and `jit` runs that function uncompiled rather than bake it in.
 *
 * What this file leaves out: what is done with the graph (plan.ts) and the cache (jit.ts).
 */
import { ConcretizationError } from '../../errors.js';
import { setEvaluator, setValueHook, type Primitive } from '../primitive.js';
import { Tensor, dataOf, fromData, setConcreteGuard } from '../tensor.js';
import { flatten } from '../tree.js';
import { sameShape } from '../ops/shape.js';

/** A node of the recorded graph; its index in `Graph.nodes` is its id. */
export type GraphNode =
  | { readonly kind: 'input'; readonly index: number; readonly shape: readonly number[] }
  | { readonly kind: 'const'; readonly tensor: Tensor; readonly shape: readonly number[] }
  /** The same storage as `of` under another shape (a reshape that did not go through bind). */
  | { readonly kind: 'alias'; readonly of: number; readonly shape: readonly number[] }
  | {
      readonly kind: 'op';
      readonly primitive: Primitive<unknown>;
      readonly params: unknown;
      readonly inputs: readonly number[];
      /** Tensors in `params` that hold traced values (the condition of `where`), by key. */
      readonly paramInputs: readonly (readonly [string, number])[];
      readonly shape: readonly number[];
    };

export interface Graph {
  readonly nodes: readonly GraphNode[];
  /** The value of each node at the traced arguments (constant folding reuses them). */
  readonly values: readonly Tensor[];
  /** Node ids of the flattened outputs, in leaf order. */
  readonly outputs: readonly number[];
  /** Rebuilds the function's output tree from tensors for its leaves. */
  readonly rebuild: (leaves: readonly Tensor[]) => unknown;
}

const NO_PARAM_INPUTS: readonly (readonly [string, number])[] = Object.freeze([]);

/** The record of one run; throws what the function throws. */
class Recorder {
  readonly nodes: GraphNode[] = [];
  readonly values: Tensor[] = [];
  private readonly byTensor = new Map<Tensor, number>();
  private readonly byStorage = new Map<Float64Array, number>();
  private depth = 0;

  add(node: GraphNode, value: Tensor): number {
    const id = this.nodes.length;
    this.nodes.push(node);
    this.values.push(value);
    this.byTensor.set(value, id);
    const storage = dataOf(value);
    if (!this.byStorage.has(storage)) this.byStorage.set(storage, id);
    return id;
  }

  /** True when `t` holds (shares storage with) a traced value. */
  isTraced(t: Tensor): boolean {
    return this.byStorage.has(dataOf(t));
  }

  /** The node for a tensor met as an input: a traced value, an alias of one, or a constant. */
  ref(t: Tensor): number {
    const known = this.byTensor.get(t);
    if (known !== undefined) return known;
    const same = this.byStorage.get(dataOf(t));
    if (same !== undefined) return this.add({ kind: 'alias', of: same, shape: t.shape }, t);
    return this.add({ kind: 'const', tensor: t, shape: t.shape }, t);
  }

  readonly evaluate = <P>(primitive: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor => {
    // Ops a primitive's own value calls (a user primitive built from ops) are part of that one node.
    if (this.depth > 0) return primitive.value(inputs, params);
    this.depth++;
    let out: Tensor;
    try {
      out = primitive.value(inputs, params);
    } finally {
      this.depth--;
    }
    const refs = new Array<number>(inputs.length);
    for (let i = 0; i < inputs.length; i++) refs[i] = this.ref(inputs[i]!);
    let paramInputs: readonly (readonly [string, number])[] = NO_PARAM_INPUTS;
    if (typeof params === 'object' && params !== null) {
      for (const [key, value] of Object.entries(params)) {
        if (value instanceof Tensor && this.isTraced(value))
          paramInputs = [...paramInputs, [key, this.ref(value)] as const];
      }
    }
    this.add(
      { kind: 'op', primitive: primitive as Primitive<unknown>, params, inputs: refs, paramInputs, shape: out.shape },
      out,
    );
    return out;
  };
}

/** Runs `fn` on copies of `leaves` (rebuilt into its arguments by `rebuildArgs`) and records it. */
export function trace(
  fn: (...args: unknown[]) => unknown,
  leaves: readonly Tensor[],
  rebuildArgs: (leaves: readonly Tensor[]) => unknown[],
): Graph {
  const recorder = new Recorder();
  const copies = leaves.map((leaf, index) => {
    const copy = fromData(dataOf(leaf).slice(), leaf.shape);
    recorder.add({ kind: 'input', index, shape: leaf.shape }, copy);
    return copy;
  });
  const previousEvaluator = setEvaluator(recorder.evaluate);
  const previousGuard = setConcreteGuard((t, reader) => {
    if (recorder.isTraced(t)) throw concretization(reader);
  });
  let result: unknown;
  try {
    result = fn(...rebuildArgs(copies));
  } finally {
    setEvaluator(previousEvaluator);
    setConcreteGuard(previousGuard);
  }
  const out = flatten(result, 'jit', 'output');
  for (const leaf of out.leaves) {
    if (leaf.level > 0) throw new OuterTraceError();
  }
  const outputs = out.leaves.map((leaf) => recorder.ref(leaf));
  return { nodes: recorder.nodes, values: recorder.values, outputs, rebuild: (ls) => out.rebuild(ls) };
}

/**
 * Thrown by `trace` when the function's result is traced by an enclosing transform (it uses a
 * traced value it closes over): such a function cannot be compiled apart from that transform.
 */
export class OuterTraceError extends Error {}

function concretization(reader: string): ConcretizationError {
  const what = reader === 'Tensor.data' ? 'data' : `${reader.slice('Tensor.'.length)}()`;
  return new ConcretizationError(
    reader,
    `${what} asks for the value of a tensor traced by jit while it compiles the function. A compiled function is ` +
      `specialised to the shapes of its arguments, not to their values, so a value read in JavaScript (to branch, ` +
      `loop or compute) would be baked in as a constant and be wrong for the next arguments. Compute with tensor ops ` +
      `instead (where, maximum, clip, …), pass the value as a non-tensor argument (strings and booleans are part ` +
      `of what jit specialises on), or call the function without jit`,
  );
}

// ---------------------------------------------------------------------------------------------
// Probing for value-dependent constants

/** A small deterministic generator (values need no quality, only independence from the arguments). */
function probeValues(leaf: Tensor, seed: number, kind: 'random' | 'negated' | 'zero'): Tensor {
  const data = dataOf(leaf);
  const out = new Float64Array(data.length);
  if (kind === 'zero') return fromData(out, leaf.shape);
  let scale = 1;
  for (const v of data) if (Number.isFinite(v)) scale = Math.max(scale, 2 * Math.abs(v));
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < out.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const u = (state >>> 0) / 4294967296;
    out[i] = (2 * u - 1) * scale * (kind === 'negated' ? -1 : 1);
  }
  return fromData(out, leaf.shape);
}

/**
 * Traces `fn` at the arguments, then at probe values of the same shapes, and compares. Returns
 * the graph and, when a constant or a parameter depends on the argument values, why.
 */
export function traceChecked(
  fn: (...args: unknown[]) => unknown,
  leaves: readonly Tensor[],
  rebuildArgs: (leaves: readonly Tensor[]) => unknown[],
): { graph: Graph; valueDependent: string | undefined } {
  const graph = trace(fn, leaves, rebuildArgs);
  for (const kind of ['random', 'negated', 'zero'] as const) {
    let probe: Graph;
    // Probes are jit's own work at made-up values: evaluation hooks (countOps, withFiniteChecks) do not see them.
    const hook = setValueHook(undefined);
    try {
      probe = trace(
        fn,
        leaves.map((leaf, i) => probeValues(leaf, i + 1, kind)),
        rebuildArgs,
      );
    } catch (error) {
      if (error instanceof ConcretizationError || error instanceof OuterTraceError) throw error;
      return {
        graph,
        valueDependent: `tracing at other argument values (${kind}) failed: ${(error as Error).message}`,
      };
    } finally {
      setValueHook(hook);
    }
    const difference = compareGraphs(graph, probe);
    if (difference !== undefined) return { graph, valueDependent: difference };
  }
  return { graph, valueDependent: undefined };
}

/** Where two traces of the same function at different values differ, or undefined. */
function compareGraphs(a: Graph, b: Graph): string | undefined {
  if (a.nodes.length !== b.nodes.length)
    return `the function recorded ${a.nodes.length} ops at the arguments and ${b.nodes.length} at other values: its path depends on the values`;
  for (let id = 0; id < a.nodes.length; id++) {
    const x = a.nodes[id]!;
    const y = b.nodes[id]!;
    if (x.kind !== y.kind || !sameShape(x.shape, y.shape))
      return `node ${id} differs between traces at different values`;
    if (x.kind === 'const' && y.kind === 'const') {
      if (x.tensor !== y.tensor && !sameData(dataOf(x.tensor), dataOf(y.tensor))) {
        return `node ${id} is a constant computed in JavaScript from the argument values (such as a finite-difference step size)`;
      }
    } else if (x.kind === 'op' && y.kind === 'op') {
      if (x.primitive !== y.primitive || !sameList(x.inputs, y.inputs))
        return `node ${id} (${x.primitive.name}) differs between traces at different values`;
      if (x.paramInputs.length === 0 && y.paramInputs.length === 0) {
        if (!sameParams(x.params, y.params))
          return `the parameters of node ${id} (${x.primitive.name}) depend on the argument values`;
        continue;
      }
      const traced = new Set(x.paramInputs.map(([key]) => key));
      const samePlaces =
        x.paramInputs.length === y.paramInputs.length &&
        x.paramInputs.every(([key, ref], k) => y.paramInputs[k]![0] === key && y.paramInputs[k]![1] === ref);
      if (!samePlaces || !sameParams(withoutKeys(x.params, traced), withoutKeys(y.params, traced)))
        return `the parameters of node ${id} (${x.primitive.name}) depend on the argument values`;
    } else if (x.kind === 'alias' && y.kind === 'alias') {
      if (x.of !== y.of) return `node ${id} differs between traces at different values`;
    } else if (x.kind === 'input' && y.kind === 'input' && x.index !== y.index) {
      return `node ${id} differs between traces at different values`;
    }
  }
  if (!sameList(a.outputs, b.outputs)) return 'the outputs differ between traces at different values';
  return undefined;
}

/** Parameters without the entries that hold traced values (those are compared as graph inputs). */
function withoutKeys(params: unknown, keys: ReadonlySet<string>): unknown {
  if (keys.size === 0 || typeof params !== 'object' || params === null) return params;
  return Object.fromEntries(Object.entries(params).filter(([key]) => !keys.has(key)));
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function sameData(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function sameParams(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Tensor && b instanceof Tensor) return sameShape(a.shape, b.shape) && sameData(dataOf(a), dataOf(b));
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b))
    return sameData(a as unknown as ArrayLike<number>, b as unknown as ArrayLike<number>);
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameParams(v, b[i]));
  if (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return (
      ka.length === kb.length &&
      ka.every((k) => sameParams((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
    );
  }
  return false;
}
