/**
 * Planning for `jit`: from a recorded graph to an optimised list of steps.
 *
 *   1. canonicalise — each node becomes an elementwise op (with its scalar formula), a view
 *      (reshape, slice, broadcastTo, transpose: an index map onto another value, never copied),
 *      a full sum, or a kernel (any other primitive, run through its own `value`);
 *   2. fold constants — an op whose inputs are all constants is its traced value;
 *   3. share common subexpressions — the same primitive, parameters and inputs computed once;
 *   4. drop dead code — only what an output depends on is kept (a compiled HVP that returns the
 *      product never computes the gradient's value);
 *   5. fuse — an elementwise op whose every use is an elementwise op (or a full sum) of one loop,
 *      reading it element for element, is computed inside that loop as a temporary instead of
 *      being stored; a loop's inputs are read through index maps (broadcast scalars are hoisted,
 *      slices are offset views), so views and broadcasts cost no pass of their own;
 *   6. store — each loop writes one value, into a buffer allocated once per compiled function
 *      (rank-0 values live in one shared register array); kernels return fresh arrays.
 *
 * Every fused loop evaluates, per element, exactly the floating-point operations the kernels
 * would (same formulas, same order), and a fused full sum adds in the kernel's order, so a
 * compiled function gives the same bits as the interpreted one. Nothing is reordered.
 *
 * What this file leaves out: turning steps into code (codegen.ts) or running them (interpret.ts).
 */
import { shapeSize, stridesOf } from '../../linalg/tensor-kernels.js';
import type { Primitive } from '../primitive.js';
import { sameShape } from '../ops/shape.js';
import { Tensor, dataOf } from '../tensor.js';
import { builtinKinds, scalarRule, type BuiltinKind, type ScalarRule } from './builtins.js';
import type { Graph, GraphNode } from './trace.js';

/** How a loop reads a stored value: element i, one hoisted entry, element i + offset, or map[i]. */
export type IndexRead =
  | { readonly kind: 'identity' }
  | { readonly kind: 'scalar'; readonly at: number }
  | { readonly kind: 'offset'; readonly offset: number }
  /** map[i], or 0 where map[i] is -1 (outside a padded box) when `zeros` is set. */
  | { readonly kind: 'gather'; readonly map: Int32Array; readonly zeros: boolean };

/** An argument inside a loop: a temporary of the same loop, or a stored value read through an index. */
export type Operand =
  | { readonly kind: 'temp'; readonly node: number }
  | { readonly kind: 'value'; readonly value: number; readonly read: IndexRead };

export interface LoopStep {
  readonly kind: 'loop';
  /** The value the loop stores (an elementwise op, or a full sum). */
  readonly root: number;
  readonly size: number;
  /** The fused elementwise ops in order, each a temporary `t<node>`. */
  readonly members: readonly { readonly node: number; readonly rule: ScalarRule; readonly args: readonly Operand[] }[];
  /** For a full sum: what is summed (the root itself then holds the total). */
  readonly sum: Operand | undefined;
}

export interface KernelStep {
  readonly kind: 'kernel';
  readonly node: number;
  readonly primitive: Primitive<unknown>;
  readonly params: unknown;
  /** The inputs (stored values) and the shapes the primitive sees them with. */
  readonly inputs: readonly { readonly value: number; readonly shape: readonly number[] }[];
  readonly paramInputs: readonly { readonly key: string; readonly value: number; readonly shape: readonly number[] }[];
  readonly shape: readonly number[];
  /** A built-in matrix product: its kernel writes into the node's buffer instead of a fresh array. */
  readonly into: boolean;
}

export type Step = LoopStep | KernelStep;

/** Where a value lives while the compiled function runs. */
export type Storage =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'const'; readonly data: Float64Array }
  /** One of the plan's buffers (`Plan.buffers`), shared by values whose lifetimes do not overlap. */
  | { readonly kind: 'buffer'; readonly size: number; readonly buffer: number }
  | { readonly kind: 'register'; readonly slot: number }
  | { readonly kind: 'fresh' };

export interface Plan {
  readonly steps: readonly Step[];
  readonly storage: ReadonlyMap<number, Storage>;
  /** The lengths of the buffers, allocated once per compiled function. */
  readonly buffers: readonly number[];
  readonly registers: number;
  readonly inputCount: number;
  /** Each output: the stored value and the shape it is handed out with. */
  readonly outputs: readonly { readonly value: number; readonly shape: readonly number[] }[];
  readonly rebuild: (leaves: readonly Tensor[]) => unknown;
  /** Counts for people reading the plan. */
  readonly stats: {
    readonly recorded: number;
    readonly folded: number;
    readonly shared: number;
    readonly dead: number;
    readonly fused: number;
  };
}

type PNode =
  | { readonly kind: 'input'; readonly index: number; readonly shape: readonly number[] }
  | { readonly kind: 'const'; readonly data: Float64Array; readonly shape: readonly number[] }
  | { readonly kind: 'view'; readonly base: number; readonly map: Int32Array | null; readonly shape: readonly number[] }
  | {
      kind: 'elementwise';
      readonly rule: ScalarRule;
      readonly inputs: readonly number[];
      readonly maps: readonly (Int32Array | null)[] | undefined;
      readonly shape: readonly number[];
    }
  | { readonly kind: 'sum'; readonly input: number; readonly shape: readonly number[] }
  | {
      readonly kind: 'kernel';
      readonly primitive: Primitive<unknown>;
      readonly params: unknown;
      readonly inputs: readonly number[];
      readonly paramInputs: readonly (readonly [string, number])[];
      readonly shape: readonly number[];
      readonly into: boolean;
    };

// ---------------------------------------------------------------------------------------------
// Index maps

/** The flat positions, in a layout with `strides` and `offset`, of every element of `shape` in order. */
function stridedMap(shape: readonly number[], strides: readonly number[], offset: number): Int32Array {
  const size = shapeSize(shape);
  const map = new Int32Array(size);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let at = offset;
  for (let i = 0; i < size; i++) {
    map[i] = at;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      at += strides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      at -= strides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return map;
}

/** Reads an array of shape `from` as its broadcast to `to` (stretched axes get stride 0). */
function broadcastMap(from: readonly number[], to: readonly number[]): Int32Array {
  const own = stridesOf(from);
  const strides = to.map((_, k) => {
    const j = k - (to.length - from.length);
    return j < 0 || from[j] === 1 ? 0 : own[j]!;
  });
  return stridedMap(to, strides, 0);
}

/** inner ∘ outer: position outer[i] of the view, then inner maps that to the base (null is identity). */
function compose(inner: Int32Array | null, outer: Int32Array | null): Int32Array | null {
  if (outer === null) return inner;
  if (inner === null) return outer;
  const out = new Int32Array(outer.length);
  for (let i = 0; i < out.length; i++) out[i] = outer[i]! < 0 ? -1 : inner[outer[i]!]!;
  return out;
}

const IDENTITY: IndexRead = { kind: 'identity' };

function classify(map: Int32Array | null): IndexRead {
  if (map === null || map.length === 0) return IDENTITY;
  let scalar = true;
  let offset = true;
  let zeros = false;
  const first = map[0]!;
  for (let i = 0; i < map.length; i++) {
    if (map[i] !== first) scalar = false;
    if (map[i] !== first + i) offset = false;
    if (map[i]! < 0) zeros = true;
  }
  if (zeros) return { kind: 'gather', map, zeros };
  if (map.length > 1 && scalar) return { kind: 'scalar', at: first };
  if (offset) return first === 0 ? { kind: 'identity' } : { kind: 'offset', offset: first };
  if (scalar) return { kind: 'scalar', at: first };
  return { kind: 'gather', map, zeros: false };
}

/** True when every entry is the same number (a broadcast constant: read as one hoisted scalar). */
function uniform(data: Float64Array): boolean {
  for (let i = 1; i < data.length; i++) if (!Object.is(data[i], data[0])) return false;
  return data.length > 0;
}

// ---------------------------------------------------------------------------------------------
// Canonicalise, fold, share

let tensorIds = new WeakMap<object, number>();
let nextTensorId = 0;
function identityOf(x: object): number {
  let id = tensorIds.get(x);
  if (id === undefined) tensorIds.set(x, (id = nextTensorId++));
  return id;
}

/** A key for parameters (undefined when they hold something without a stable description). */
function paramKey(params: unknown): string | undefined {
  let ok = true;
  const text = JSON.stringify(params ?? null, (_key, value: unknown) => {
    if (value instanceof Tensor) return `#tensor${identityOf(value)}`;
    if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
    if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') ok = false;
    if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
    return value;
  });
  return ok ? text : undefined;
}

/** The canonical nodes built so far, and the tables that fold constants and share subexpressions. */
interface Canonical {
  readonly graph: Graph;
  readonly kinds: ReadonlyMap<Primitive<unknown>, BuiltinKind>;
  readonly nodes: PNode[];
  /** The canonical node of each recorded node. */
  readonly canon: number[];
  /** Each shareable node by its key (primitive, parameters, inputs): the same key is computed once. */
  readonly byKey: Map<string, number>;
  folded: number;
  shared: number;
}

type OpNode = Extract<GraphNode, { kind: 'op' }>;

/**
 * Builds the optimised plan of a graph: canonicalises each recorded node in order, folding
 * constants and sharing common subexpressions as it goes, then schedules what the outputs need.
 */
export function planGraph(graph: Graph, inputCount: number): Plan {
  const state: Canonical = {
    graph,
    kinds: builtinKinds(),
    nodes: [],
    canon: new Array<number>(graph.nodes.length),
    byKey: new Map(),
    folded: 0,
    shared: 0,
  };
  graph.nodes.forEach((node, id) => (state.canon[id] = canonicalise(state, node, id)));
  const outputIds = graph.outputs.map((o) => state.canon[o]!);
  const outputShapes = graph.outputs.map((o) => graph.nodes[o]!.shape);
  return schedule(state.nodes, outputIds, outputShapes, inputCount, graph, {
    folded: state.folded,
    shared: state.shared,
  });
}

/** Adds a node, or returns the one already added under the same key (a shared subexpression). */
function push(state: Canonical, node: PNode, key: string | undefined): number {
  if (key !== undefined) {
    const existing = state.byKey.get(key);
    if (existing !== undefined) {
      state.shared++;
      return existing;
    }
  }
  state.nodes.push(node);
  if (key !== undefined) state.byKey.set(key, state.nodes.length - 1);
  return state.nodes.length - 1;
}

/** A constant node: single numbers are shared by value, arrays by identity. */
function constant(state: Canonical, t: Tensor): number {
  const data = dataOf(t);
  const key =
    t.size === 1 ? `c:${Object.is(data[0], -0) ? '-0' : String(data[0])}:${t.shape.join(',')}` : `t:${identityOf(t)}`;
  return push(state, { kind: 'const', data, shape: t.shape }, key);
}

/** A view of `base`: views of views compose into one map; views of constants fold. */
function view(state: Canonical, base: number, map: Int32Array | null, shape: readonly number[]): number {
  const b = state.nodes[base]!;
  if (b.kind === 'view') return view(state, b.base, compose(b.map, map), shape);
  if (map === null && sameShape(b.shape, shape)) return base;
  if (b.kind === 'const') {
    state.folded++;
    const data = map === null ? b.data : Float64Array.from(map, (at) => (at < 0 ? 0 : b.data[at]!));
    return push(state, { kind: 'const', data, shape }, undefined);
  }
  return push(state, { kind: 'view', base, map, shape }, map === null ? `v:${base}:${shape.join(',')}` : undefined);
}

/** The canonical node of recorded node `id`; an op whose inputs are all constants folds to its traced value. */
function canonicalise(state: Canonical, node: GraphNode, id: number): number {
  const { canon, nodes } = state;
  if (node.kind === 'input') return push(state, { kind: 'input', index: node.index, shape: node.shape }, undefined);
  if (node.kind === 'const') return constant(state, node.tensor);
  if (node.kind === 'alias') return view(state, canon[node.of]!, null, node.shape);
  const inputs = node.inputs.map((i) => canon[i]!);
  const paramInputs = node.paramInputs.map(([k, i]) => [k, canon[i]!] as const);
  const isConst = (i: number) => nodes[i]!.kind === 'const';
  if (inputs.every(isConst) && paramInputs.every(([, i]) => isConst(i))) {
    state.folded++;
    return constant(state, state.graph.values[id]!);
  }
  const kind = state.kinds.get(node.primitive);
  return (
    elementwiseOf(state, node, kind, inputs, paramInputs) ??
    viewOf(state, node, kind, inputs[0]!) ??
    fullSumOf(state, node, kind, inputs[0]!) ??
    kernelOf(state, node, kind, inputs, paramInputs)
  );
}

/** A unary, binary or `where` op as an elementwise node (undefined for other kinds). */
function elementwiseOf(
  state: Canonical,
  node: OpNode,
  kind: BuiltinKind | undefined,
  inputs: number[],
  paramInputs: readonly (readonly [string, number])[],
): number | undefined {
  if (kind === 'unary' || kind === 'binary')
    return push(
      state,
      { kind: 'elementwise', rule: scalarRule(node.primitive.name), inputs, maps: undefined, shape: node.shape },
      `e:${node.primitive.name}:${inputs.join(',')}:${node.shape.join(',')}`,
    );
  if (kind !== 'where') return undefined;
  const p = node.params as Record<string, unknown>;
  const condition = paramInputs.find(([k]) => k === 'condition')?.[1] ?? constant(state, p.condition as Tensor);
  const all = [condition, ...inputs];
  return push(
    state,
    { kind: 'elementwise', rule: scalarRule('where'), inputs: all, maps: undefined, shape: node.shape },
    `e:where:${all.join(',')}:${node.shape.join(',')}`,
  );
}

/** reshape, slice, pad, broadcastTo and transpose of `x` as an index map onto it (undefined for other kinds). */
function viewOf(state: Canonical, node: OpNode, kind: BuiltinKind | undefined, x: number): number | undefined {
  const p = node.params as Record<string, unknown>;
  const xShape = state.nodes[x]!.shape;
  switch (kind) {
    case 'reshape':
      return view(state, x, null, node.shape);
    case 'slice': {
      const start = p.start as readonly number[];
      const strides = stridesOf(xShape);
      const offset = start.reduce((s, v, k) => s + v * strides[k]!, 0);
      return view(state, x, stridedMap(node.shape, strides, offset), node.shape);
    }
    case 'pad': {
      // Every position of the padded box reads x or, outside it, zero (map entry -1).
      const start = p.start as readonly number[];
      const strides = stridesOf(node.shape);
      const offset = start.reduce((s, v, k) => s + v * strides[k]!, 0);
      const map = new Int32Array(shapeSize(node.shape)).fill(-1);
      stridedMap(xShape, strides, offset).forEach((at, k) => (map[at] = k));
      return view(state, x, map, node.shape);
    }
    case 'broadcastTo':
      return view(state, x, broadcastMap(xShape, node.shape), node.shape);
    case 'transpose': {
      const strides = stridesOf(xShape);
      const permuted = (p.perm as readonly number[]).map((q) => strides[q]!);
      return view(state, x, stridedMap(node.shape, permuted, 0), node.shape);
    }
    default:
      return undefined;
  }
}

/** A sum to a single number as a full-sum node (undefined otherwise: other sums run as kernels). */
function fullSumOf(state: Canonical, node: OpNode, kind: BuiltinKind | undefined, x: number): number | undefined {
  if ((kind !== 'sum' && kind !== 'sumTo') || shapeSize(node.shape) !== 1) return undefined;
  return push(state, { kind: 'sum', input: x, shape: node.shape }, `s:${x}:${node.shape.join(',')}`);
}

/** Any other primitive as a kernel node, shared when its parameters have a stable description. */
function kernelOf(
  state: Canonical,
  node: OpNode,
  kind: BuiltinKind | undefined,
  inputs: number[],
  paramInputs: readonly (readonly [string, number])[],
): number {
  const key = node.paramInputs.length === 0 ? paramKey(node.params) : undefined;
  return push(
    state,
    {
      kind: 'kernel',
      primitive: node.primitive,
      params: node.params,
      inputs,
      paramInputs,
      shape: node.shape,
      into: kind === 'matmul',
    },
    key === undefined ? undefined : `k:${identityOf(node.primitive)}:${key}:${inputs.join(',')}`,
  );
}

// ---------------------------------------------------------------------------------------------
// Dead code, fusion, storage, steps

function dependencies(node: PNode): number[] {
  switch (node.kind) {
    case 'view':
      return [node.base];
    case 'elementwise':
      return node.inputs.slice();
    case 'sum':
      return [node.input];
    case 'kernel':
      return [...node.inputs, ...node.paramInputs.map(([, i]) => i)];
    default:
      return [];
  }
}

/**
 * Schedules the canonical nodes: liveness (dead code is dropped), views that must be stored become
 * copy loops, uses are counted, elementwise ops are grouped into fused loops, each stored value
 * gets its storage, and the steps are emitted in order; buffers are then shared between values
 * whose lifetimes do not overlap.
 */
function schedule(
  nodes: PNode[],
  outputIds: number[],
  outputShapes: readonly (readonly number[])[],
  inputCount: number,
  graph: Graph,
  counts: { folded: number; shared: number },
): Plan {
  const live = liveNodes(nodes, outputIds);
  const recordedOps = graph.nodes.filter((n) => n.kind === 'op').length;
  const liveOps = nodes.filter(
    (n, id) => live[id] && n.kind !== 'input' && n.kind !== 'const' && n.kind !== 'view',
  ).length;
  materialiseViews(nodes, live, outputIds);
  const uses = findUses(nodes, live, outputIds);
  const { group, fused } = groupFusible(nodes, live, uses);
  const { storage, registers } = assignStorage(nodes, live, group, uses.kernelUse);
  const steps = emitSteps({ nodes, live, group, storage, reads: uses.reads });
  const outputs = outputIds.map((id, k) => ({ value: resolve(nodes, id, null).value, shape: outputShapes[k]! }));
  const buffers = shareBuffers(
    steps,
    storage,
    outputs.map((o) => o.value),
  );
  return {
    steps,
    storage,
    buffers,
    registers,
    inputCount,
    outputs,
    rebuild: graph.rebuild,
    stats: {
      recorded: recordedOps,
      folded: counts.folded,
      shared: counts.shared,
      dead: Math.max(0, recordedOps - counts.folded - counts.shared - liveOps),
      fused,
    },
  };
}

/** Liveness: the nodes an output depends on, found by walking back from the outputs (the rest is dead code). */
function liveNodes(nodes: readonly PNode[], outputIds: readonly number[]): Uint8Array {
  const live = new Uint8Array(nodes.length);
  const stack = outputIds.slice();
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (live[id]) continue;
    live[id] = 1;
    stack.push(...dependencies(nodes[id]!));
  }
  return live;
}

/**
 * A view read by a kernel or handed out as an output is materialised by a copy loop, unless it
 * is a plain reshape (same storage, another shape).
 */
function materialiseViews(nodes: PNode[], live: Uint8Array, outputIds: readonly number[]): void {
  const outputSet = new Set(outputIds);
  const materialise = new Set<number>(outputIds.filter((id) => nodes[id]!.kind === 'view'));
  nodes.forEach((node, id) => {
    if (!live[id] || node.kind !== 'kernel') return;
    for (const i of dependencies(node)) if (nodes[i]!.kind === 'view') materialise.add(i);
  });
  for (const id of materialise) {
    const v = nodes[id] as Extract<PNode, { kind: 'view' }>;
    if (v.map === null && !outputSet.has(id)) continue;
    nodes[id] = { kind: 'elementwise', rule: scalarRule('copy'), inputs: [v.base], maps: [v.map], shape: v.shape };
  }
}

/** A read of a stored value, through the map from the reader's positions (null: element for element). */
interface Read {
  readonly value: number;
  readonly map: Int32Array | null;
}

/** The stored value a read of `id` lands on, and the map from the reader's positions. */
function resolve(nodes: readonly PNode[], id: number, map: Int32Array | null): Read {
  let at = id;
  let m = map;
  for (let node = nodes[at]!; node.kind === 'view'; node = nodes[at]!) {
    m = compose(node.map, m);
    at = node.base;
  }
  return { value: at, map: m };
}

/** The reads of an elementwise op or a sum, resolved. */
function readsOf(nodes: readonly PNode[], id: number): Read[] {
  const node = nodes[id]!;
  if (node.kind === 'sum') return [resolve(nodes, node.input, null)];
  if (node.kind !== 'elementwise') return [];
  return node.inputs.map((input, k) => {
    const given = node.maps?.[k];
    const shape = nodes[input]!.shape;
    const map = given !== undefined ? given : sameShape(shape, node.shape) ? null : broadcastMap(shape, node.shape);
    return resolve(nodes, input, map);
  });
}

/** Who uses each stored value: loops (with whether they read it element for element), kernels, outputs. */
interface Uses {
  readonly loopUses: Map<number, { consumer: number; identity: boolean }[]>;
  /** Set for values read by a kernel or handed out: they must be stored. */
  readonly otherUse: Uint8Array;
  readonly kernelUse: Uint8Array;
  /** The resolved reads of each live elementwise op and sum. */
  readonly reads: Map<number, Read[]>;
}

function findUses(nodes: readonly PNode[], live: Uint8Array, outputIds: readonly number[]): Uses {
  const uses: Uses = {
    loopUses: new Map(),
    otherUse: new Uint8Array(nodes.length),
    kernelUse: new Uint8Array(nodes.length),
    reads: new Map(),
  };
  nodes.forEach((node, id) => {
    if (!live[id]) return;
    if (node.kind === 'elementwise' || node.kind === 'sum') {
      const r = readsOf(nodes, id);
      uses.reads.set(id, r);
      for (const { value, map } of r) {
        let list = uses.loopUses.get(value);
        if (list === undefined) uses.loopUses.set(value, (list = []));
        list.push({
          consumer: id,
          identity:
            (map === null || classify(map).kind === 'identity') && loopSize(nodes, value) === loopSize(nodes, id, true),
        });
      }
    } else if (node.kind === 'kernel') {
      for (const i of dependencies(node)) {
        const value = resolve(nodes, i, null).value;
        uses.otherUse[value] = uses.kernelUse[value] = 1;
      }
    }
  });
  for (const id of outputIds) uses.otherUse[resolve(nodes, id, null).value] = 1;
  return uses;
}

/**
 * Fusion, consumers first: an elementwise op joins its consumers' loop when they all share one
 * and read it element for element. `group[id]` is the root of the loop that computes `id`.
 */
function groupFusible(nodes: readonly PNode[], live: Uint8Array, uses: Uses): { group: Int32Array; fused: number } {
  const group = new Int32Array(nodes.length).fill(-1);
  const members = new Int32Array(nodes.length).fill(1);
  let fused = 0;
  for (let id = nodes.length - 1; id >= 0; id--) {
    const node = nodes[id]!;
    if (!live[id] || (node.kind !== 'elementwise' && node.kind !== 'sum')) continue;
    group[id] = id;
    if (node.kind === 'sum' || uses.otherUse[id]) continue;
    const consumers = uses.loopUses.get(id) ?? [];
    if (consumers.length === 0 || !consumers.every((u) => u.identity)) continue;
    const g = group[consumers[0]!.consumer]!;
    if (g >= 0 && members[g]! < MAX_LOOP_BODY && consumers.every((u) => group[u.consumer] === g)) {
      group[id] = g;
      members[g]!++;
      fused++;
    }
  }
  return { group, fused };
}

/**
 * Storage: inputs and constants as they are, loop roots in buffers (rank-0 in registers unless
 * a kernel needs an array), kernels' fresh results. Buffers are numbered later (shareBuffers).
 */
function assignStorage(
  nodes: readonly PNode[],
  live: Uint8Array,
  group: Int32Array,
  kernelUse: Uint8Array,
): { storage: Map<number, Storage>; registers: number } {
  const storage = new Map<number, Storage>();
  let registers = 0;
  nodes.forEach((node, id) => {
    if (!live[id]) return;
    if (node.kind === 'input') storage.set(id, { kind: 'input', index: node.index });
    else if (node.kind === 'const') storage.set(id, { kind: 'const', data: node.data });
    else if (node.kind === 'kernel')
      storage.set(id, node.into ? { kind: 'buffer', size: shapeSize(node.shape), buffer: -1 } : { kind: 'fresh' });
    else if (group[id] === id) {
      const size = shapeSize(node.shape);
      storage.set(
        id,
        size === 1 && kernelUse[id] === 0
          ? { kind: 'register', slot: registers++ }
          : { kind: 'buffer', size, buffer: -1 },
      );
    }
  });
  return { storage, registers };
}

/** What step emission needs: the nodes, which are live, their loops, their storage and their reads. */
interface Emission {
  readonly nodes: readonly PNode[];
  readonly live: Uint8Array;
  readonly group: Int32Array;
  readonly storage: ReadonlyMap<number, Storage>;
  readonly reads: ReadonlyMap<number, Read[]>;
}

/** Step emission: one kernel step per kernel and one loop step per loop root, in node order. */
function emitSteps(e: Emission): Step[] {
  const { nodes, live, group } = e;
  const membersOf = new Map<number, number[]>();
  nodes.forEach((node, id) => {
    if (!live[id] || group[id]! < 0 || node.kind !== 'elementwise') return;
    const list = membersOf.get(group[id]!) ?? [];
    list.push(id);
    membersOf.set(group[id]!, list);
  });
  const steps: Step[] = [];
  nodes.forEach((node, root) => {
    if (!live[root]) return;
    if (node.kind === 'kernel') steps.push(kernelStep(nodes, node, root));
    else if (group[root] === root) steps.push(loopStep(e, node, root, membersOf.get(root) ?? []));
  });
  return steps;
}

function kernelStep(nodes: readonly PNode[], node: Extract<PNode, { kind: 'kernel' }>, root: number): KernelStep {
  const input = (i: number) => ({ value: resolve(nodes, i, null).value, shape: nodes[i]!.shape });
  return {
    kind: 'kernel',
    node: root,
    primitive: node.primitive,
    params: node.params,
    inputs: node.inputs.map(input),
    paramInputs: node.paramInputs.map(([key, i]) => ({ key, ...input(i) })),
    shape: node.shape,
    into: node.into,
  };
}

function loopStep(e: Emission, node: PNode, root: number, ids: readonly number[]): LoopStep {
  const members: LoopStep['members'][number][] = [];
  for (const id of ids) {
    const member = e.nodes[id] as Extract<PNode, { kind: 'elementwise' }>;
    members.push({ node: id, rule: member.rule, args: e.reads.get(id)!.map((r) => operand(e, r, root)) });
  }
  const sum = node.kind === 'sum' ? operand(e, e.reads.get(root)![0]!, root) : undefined;
  return { kind: 'loop', root, size: loopSize(e.nodes, root, true), members, sum };
}

/** How the loop of `root` reads `r`: a temporary of the loop, a hoisted scalar, or through its index read. */
function operand(e: Emission, r: Read, root: number): Operand {
  if (e.group[r.value] === root && r.value !== root) return { kind: 'temp', node: r.value };
  const read = classify(r.map);
  const s = e.storage.get(r.value)!;
  if (s.kind === 'register' && read.kind !== 'gather')
    return { kind: 'value', value: r.value, read: { kind: 'scalar', at: 0 } };
  if (s.kind === 'const' && read.kind !== 'gather' && uniform(s.data))
    return { kind: 'value', value: r.value, read: { kind: 'scalar', at: 0 } };
  if (read.kind === 'identity' && shapeSize(e.nodes[r.value]!.shape) === 1 && loopSize(e.nodes, root, true) > 1)
    return { kind: 'value', value: r.value, read: { kind: 'scalar', at: 0 } };
  return { kind: 'value', value: r.value, read };
}

/**
 * Gives each stored value a buffer, reusing the buffer of a value whose last reader has run (same
 * length; outputs keep theirs). A step's result gets its buffer before the step's own inputs are
 * released, so no loop ever writes the array it reads.
 */
function shareBuffers(steps: readonly Step[], storage: Map<number, Storage>, outputs: readonly number[]): number[] {
  const lastUse = new Map<number, number>();
  const reads = (step: Step): number[] => {
    if (step.kind === 'kernel') return [...step.inputs, ...step.paramInputs].map((i) => i.value);
    const values: number[] = [];
    for (const m of step.members) for (const a of m.args) if (a.kind === 'value') values.push(a.value);
    if (step.sum?.kind === 'value') values.push(step.sum.value);
    return values;
  };
  steps.forEach((step, k) => {
    for (const v of reads(step)) lastUse.set(v, k);
  });
  for (const v of outputs) lastUse.set(v, Infinity);
  const sizes: number[] = [];
  const free = new Map<number, number[]>();
  steps.forEach((step, k) => {
    const produced = step.kind === 'kernel' ? step.node : step.root;
    const s = storage.get(produced);
    if (s?.kind === 'buffer') {
      const reuse = free.get(s.size)?.pop();
      const buffer = reuse ?? sizes.push(s.size) - 1;
      storage.set(produced, { kind: 'buffer', size: s.size, buffer });
      if (!lastUse.has(produced)) release(produced); // computed but never read again (cannot happen for live values)
    }
    for (const v of new Set(reads(step))) if (lastUse.get(v) === k) release(v);
  });
  function release(v: number): void {
    const s = storage.get(v);
    if (s?.kind !== 'buffer' || s.buffer < 0) return;
    const list = free.get(s.size) ?? [];
    list.push(s.buffer);
    free.set(s.size, list);
  }
  return sizes;
}

/**
 * The most ops fused into one loop. A scalar program (thousands of rank-0 ops, each used once)
 * would otherwise become one loop body of thousands of statements, too large for the engine's
 * optimising compiler; capped, it is a chain of loops that code generation spreads over parts.
 */
const MAX_LOOP_BODY = 128;

/** The number of iterations of the loop that computes `id` (a sum loops over its input). */
function loopSize(nodes: readonly PNode[], id: number, asLoop = false): number {
  const node = nodes[id]!;
  if (asLoop && node.kind === 'sum') return shapeSize(nodes[node.input]!.shape);
  return shapeSize(node.shape);
}

/** The plan as text: one line per step, for people who want to see what was compiled. */
export function formatPlan(plan: Plan): string {
  const name = (id: number): string => {
    const s = plan.storage.get(id);
    if (s?.kind === 'input') return `in${s.index}`;
    if (s?.kind === 'const') return s.data.length === 1 ? String(s.data[0]) : `const%${id}[${s.data.length}]`;
    return `%${id}`;
  };
  const read = (o: Operand): string => {
    if (o.kind === 'temp') return `t${o.node}`;
    const r = o.read;
    const base = name(o.value);
    if (
      plan.storage.get(o.value)?.kind === 'const' &&
      plan.storage.get(o.value)!.kind === 'const' &&
      (plan.storage.get(o.value) as { data: Float64Array }).data.length === 1
    )
      return base;
    return r.kind === 'identity'
      ? `${base}[i]`
      : r.kind === 'scalar'
        ? `${base}[${r.at}]`
        : r.kind === 'offset'
          ? `${base}[i+${r.offset}]`
          : `${base}[map[i]]`;
  };
  const lines: string[] = [];
  const s = plan.stats;
  lines.push(
    `${s.recorded} ops recorded: ${s.folded} folded to constants, ${s.shared} shared, ${s.dead} dead, ${s.fused} fused into loops; ${plan.steps.length} steps`,
  );
  for (const step of plan.steps) {
    if (step.kind === 'kernel') {
      const params = paramKey(step.params);
      const shown = params !== undefined && params !== 'null' && params.length <= 60 ? ` ${params}` : '';
      lines.push(
        `%${step.node} = ${step.primitive.name}(${step.inputs.map((i) => name(i.value)).join(', ')})${shown}  [${step.shape.join(', ')}] kernel`,
      );
      continue;
    }
    const stored = plan.storage.get(step.root);
    const where = stored?.kind === 'buffer' ? `buffer ${stored.buffer}` : 'register';
    const body = step.members.map((m) => `t${m.node} = ${m.rule.name}(${m.args.map(read).join(', ')})`);
    if (step.sum !== undefined) body.push(`Σ ${read(step.sum)}`);
    lines.push(`%${step.root} = loop i < ${step.size} { ${body.join('; ')} }  → ${where}`);
  }
  lines.push(`outputs: ${plan.outputs.map((o) => `${name(o.value)} [${o.shape.join(', ')}]`).join(', ')}`);
  return lines.join('\n');
}

/** @internal Forgets the identities used for sharing keys (tests). */
export function resetPlanIdentities(): void {
  tensorIds = new WeakMap();
  nextTensorId = 0;
}
