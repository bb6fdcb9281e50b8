/**
 * Seeing the tape: record what a function does, print it, draw it, measure it, and count the
 * work a computation costs.
 *
 * - `recordTape(f, x)` runs `f` once on `x` traced by a fresh tape and hands the tape back
 *   without sweeping it.
 * - `recordGradTape(f, x)` records x ↦ ∇f(x) the same way. The gradient's own backward sweep
 *   runs on primals that are traced by the outer tape, so every op its VJP rules apply lands on
 *   that tape too: the backward pass becomes data you can print (double backward). Nodes are
 *   marked `forward` (made while f ran) or `backward` (made by the VJP rules).
 * - `formatTape` prints a tape as aligned text, one line per node; `tapeToDot` writes Graphviz
 *   DOT; `tapeStats` counts nodes, ops by kind and the bytes of Float64Array the tape keeps alive.
 * - `countOps(fn)` counts every primitive *evaluation* while `fn` runs (traced or not) and the
 *   bytes those evaluations allocated: the counter for comparing HVP modes.
 *
 * How the phases are known honestly: `grad` hides when `f` returns, so `recordGradTape` hands
 * `grad` a wrapper of `f` that notes the tape's length at that moment. Everything recorded
 * after it was made by the backward sweep.
 *
 * What this file leaves out: sweeping (see `sweep.ts`), rendering DOT to pictures (pipe it to
 * Graphviz's `dot -Tsvg`), forward-mode traces (they store nothing, so there is nothing to
 * print), and counting tape nodes made inside `countOps` (use `tapeStats` on a recording).
 */
import { Tape, type TapeNode } from './tape.js';
import { newLevel, setValueHook } from './primitive.js';
import { Tensor, dataOf } from './tensor.js';
import { flatten, type Flattened } from './tree.js';
import { valueAndGradAt } from './transforms.js';
import type { TensorTree } from './tree.js';
import { EscapedTracerError, InvalidArgumentError } from '../errors.js';
import {
  checkArity,
  checkBoolean,
  checkFunction,
  checkIndexList,
  checkNumber,
  checkOneOf,
  describeValue,
  readOptions,
} from '../validate.js';

/** Which part of the computation made a node: a leaf, `f` itself, or the VJP rules of its gradient. */
export type NodePhase = 'input' | 'forward' | 'backward';

/** A tape recorded by `recordTape` or `recordGradTape`, not yet swept. */
export interface TapeRecording<Y = unknown> {
  /** The tape: nodes in execution order, leaves first. */
  readonly tape: Tape;
  /** What the recorded function returned, with this tape's tracing removed (same tree structure). */
  readonly value: Y;
  /** Node ids of the leaves, in the order of the input tree's leaves. */
  readonly inputs: readonly number[];
  /**
   * Node ids of the outputs traced by this tape, in the order of the output tree's leaves.
   * An output that does not depend on x is a constant and has no node.
   */
  readonly outputs: readonly number[];
  /** The phase of every node, by id. */
  readonly phases: readonly NodePhase[];
}

/** Options of `recordTape` and `recordGradTape`. */
export interface RecordOptions {
  /** The name of the input tree's root in leaf labels (`x`, `x[1]`, `params.w`). Default `'x'`. */
  readonly label?: string;
}

/**
 * Runs `f(x)` once with `x` traced by a fresh tape and returns the recording, unswept.
 * `x` may be a Tensor or a tree (array / plain object) of Tensors; leaves are labelled by path.
 * @example
 * const r = recordTape((x) => sum(exp(x)), tensor([0, 1]));
 * r.tape.nodes.map((n) => n.primitive?.name ?? n.label); // → ['x', 'exp', 'sum']
 * r.value.item(); // 1 + e
 */
export function recordTape<X, Y>(f: (x: TensorTree<X>) => Y, x: X, options?: RecordOptions): TapeRecording<Y> {
  const fn = 'recordTape';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'f', f);
  const { tape, inputs, traced } = startTape(fn, x, options);
  let result: unknown;
  try {
    result = (f as (x: unknown) => unknown)(inputs.rebuild(traced));
  } finally {
    tape.close();
  }
  return finish(fn, tape, traced, result, tape.nodes.length) as TapeRecording<Y>;
}

/**
 * Records the computation of ∇f(x) on a tape: the forward pass of `f` and then its backward
 * pass, which the outer tape sees because the VJP rules run on primals it traces. The outputs
 * are the gradient's nodes; `value` is ∇f(x). Sweeping this tape backward from the gradient with
 * seed v gives the Hessian-vector product Hv (reverse-over-reverse); replaying it forward with
 * tangent v gives Hv too (forward-over-reverse).
 * @example
 * const r = recordGradTape((x) => sum(exp(x)), tensor([0, 1]));
 * r.phases; // → ['input', 'forward', 'forward', 'backward']
 * formatTape(r); // the backward pass is one `mul`: exp′ = exp, so it reuses the `exp` node
 */
export function recordGradTape<X>(
  f: (x: TensorTree<X>) => Tensor | number,
  x: X,
  options?: RecordOptions,
): TapeRecording<TensorTree<X>> {
  const fn = 'recordGradTape';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'f', f);
  const { tape, inputs, traced } = startTape(fn, x, options);
  let forwardEnd: number | undefined;
  const watched = (y: unknown): Tensor | number => {
    const out = (f as (y: unknown) => Tensor | number)(y);
    forwardEnd ??= tape.nodes.length; // grad calls f once; all later nodes come from the VJP rules
    return out;
  };
  let gradient: unknown;
  try {
    gradient = valueAndGradAt(fn, watched as (y: never) => Tensor, inputs.rebuild(traced), []).grad;
  } finally {
    tape.close();
  }
  return finish(fn, tape, traced, gradient, forwardEnd ?? tape.nodes.length) as TapeRecording<TensorTree<X>>;
}

function startTape(
  fn: string,
  x: unknown,
  options: RecordOptions | undefined,
): { tape: Tape; inputs: Flattened; traced: Tensor[] } {
  const { label = 'x' } = readOptions(fn, options, ['label']);
  if (typeof label !== 'string' || label === '')
    throw new InvalidArgumentError(fn, `options.label must be a non-empty string, got ${describeValue(label)}`);
  // Exactly what transforms.ts's `record` does: a new level, one labelled leaf per input leaf.
  const inputs = flatten(x, fn, label);
  const tape = new Tape(newLevel(), fn);
  const traced = inputs.leaves.map((leaf, i) => tape.input(leaf, inputs.paths[i]));
  return { tape, inputs, traced };
}

function finish(fn: string, tape: Tape, traced: readonly Tensor[], result: unknown, forwardEnd: number): TapeRecording {
  const out = flatten(result, fn, 'output');
  const lowered = out.leaves.map((t) => {
    if (t.level > tape.level) {
      throw new EscapedTracerError(
        fn,
        t.trace!.transform,
        t.level,
        `an output is traced by an inner transform (level ${t.level} > ${tape.level}): a value escaped from a nested grad/jvp`,
      );
    }
    return t.level === tape.level ? t.primal! : t;
  });
  const phases = tape.nodes.map((node): NodePhase =>
    node.primitive === undefined ? 'input' : node.id < forwardEnd ? 'forward' : 'backward',
  );
  return {
    tape,
    value: out.rebuild(lowered),
    inputs: traced.map((t) => t.node!.id),
    outputs: out.leaves.filter((t) => t.level === tape.level).map((t) => t.node!.id),
    phases,
  };
}

// ---------------------------------------------------------------------------------------------
// Describing nodes: the shared vocabulary of the text and DOT views.

function asRecording(
  fn: string,
  source: Tape | TapeRecording,
): { tape: Tape; outputs: readonly number[]; phases: readonly NodePhase[] | undefined } {
  if (source instanceof Tape) return { tape: source, outputs: [], phases: undefined };
  if (source !== null && typeof source === 'object' && (source as TapeRecording).tape instanceof Tape) {
    const { tape, outputs, phases } = source;
    const ids = (list: unknown): list is readonly number[] =>
      Array.isArray(list) && list.every((id) => Number.isInteger(id) && id >= 0 && id < tape.nodes.length);
    if (!ids(outputs) || (phases !== undefined && (!Array.isArray(phases) || phases.length !== tape.nodes.length))) {
      throw new InvalidArgumentError(
        fn,
        'the recording was altered: its outputs or phases no longer match its tape; record it again',
      );
    }
    return { tape, outputs, phases };
  }
  throw new InvalidArgumentError(
    fn,
    `source must be a recording from recordTape / recordGradTape (or its tape), got ${describeValue(source)}`,
  );
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

function numberText(v: number, precision: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return String(Number(v.toPrecision(precision)));
}

function valuesText(data: ArrayLike<number>, rank: number, max: number, precision: number): string {
  const shown: string[] = [];
  for (let i = 0; i < Math.min(data.length, max); i++) shown.push(numberText(data[i]!, precision));
  if (rank === 0 && data.length === 1) return shown[0]!;
  return `[${shown.join(', ')}${data.length > max ? ', …' : ''}]`;
}

/** How an input that is not a node of this tape reads: its value if it is one number, else its shape. */
function constantText(t: Tensor, precision: number): string {
  if (t.size !== 1) return `const${shapeText(t.shape)}`;
  return `${'['.repeat(t.rank)}${numberText(dataOf(t)[0]!, precision)}${']'.repeat(t.rank)}`;
}

function inputsText(node: TapeNode, precision: number): string {
  if (node.primitive === undefined) return node.label ?? '';
  return node.inputs
    .map((t, k) => (node.parents[k] ? `%${node.parents[k]!.id}` : constantText(t, precision)))
    .join(', ');
}

/** Static parameters worth reading; shapes already visible in the shape column are left out. */
function paramsText(node: TapeNode): string {
  const params = node.params;
  if (params === undefined || params === null || typeof params !== 'object') return '';
  const p = params as Record<string, unknown>;
  if (node.primitive?.name === 'matmul' && typeof p['ta'] === 'boolean' && typeof p['tb'] === 'boolean') {
    return p['ta'] || p['tb'] ? `${p['ta'] ? 'Aᵀ' : 'A'}·${p['tb'] ? 'Bᵀ' : 'B'}` : '';
  }
  const parts: string[] = [];
  for (const [key, v] of Object.entries(p)) {
    if (key === 'full') continue; // slice/pad/take/scatterAdd: the input's or output's shape
    if (key === 'shape' && Array.isArray(v) && sameList(v, node.output.shape)) continue;
    if (typeof v === 'boolean') {
      if (v) parts.push(key);
    } else if (typeof v === 'number' || typeof v === 'string') {
      parts.push(`${key}=${v}`);
    } else if (v instanceof Tensor) {
      parts.push(`${key}=${constantText(v, 4)}`);
    } else if (Array.isArray(v) || ArrayBuffer.isView(v)) {
      const list = Array.from(v as ArrayLike<unknown>);
      parts.push(`${key}=[${list.slice(0, 6).join(',')}${list.length > 6 ? ',…' : ''}]`);
    }
  }
  return parts.join(' ');
}

function sameList(a: readonly unknown[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

function opName(node: TapeNode): string {
  return node.primitive?.name ?? 'input';
}

/** Counts by op name, largest first (ties by name), as `[name, count]` pairs. */
function sortedCounts(counts: Record<string, number>): [string, number][] {
  return Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
}

function bytesText(bytes: number): string {
  if (bytes < 10 * 1024) return `${bytes} B`;
  if (bytes < 10 * 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

// ---------------------------------------------------------------------------------------------
// Text

/** Options of `formatTape`: which columns and how many values to print. */
export interface FormatTapeOptions {
  /** Show a preview of each node's value. Default true. */
  readonly values?: boolean;
  /** How many entries the preview shows before `…`. Default 4. */
  readonly maxValues?: number;
  /** Significant digits of non-integers. Default 4. */
  readonly precision?: number;
  /** Print the tape's level in the header (levels depend on how many transforms ran before). Default true. */
  readonly level?: boolean;
  /** Extra node ids to mark as outputs (a recording's outputs are marked already). */
  readonly outputs?: readonly number[];
}

/**
 * The tape as text, one line per node in execution order: id, op, inputs (`%3` for a node of this
 * tape, `const[2,2]` or the number itself for a value this tape treats as constant), informative
 * parameters, output shape and a value preview. Leaves show their label; outputs are marked;
 * a recording from `recordGradTape` gets a rule where the backward pass begins.
 * @example
 * console.log(formatTape(recordTape((x) => sum(exp(x)), tensor([0, 1]))));
 * // →
 * // tape at level …: 3 nodes — 1 input, 2 ops
 * //   id  op     inputs  params    shape  value
 * //   %0  input  x                 [2]    [0, 1]
 * //   %1  exp    %0                [2]    [1, 2.718]
 * //   %2  sum    %1      axes=[0]  []     3.718   ← output
 * //   ops: exp 1, sum 1
 * //   holds 40 B in 3 arrays
 */
export function formatTape(source: Tape | TapeRecording, options?: FormatTapeOptions): string {
  const fn = 'formatTape';
  checkArity(fn, arguments.length, 2);
  const { tape, outputs, phases } = asRecording(fn, source);
  const given = readOptions(fn, options, ['values', 'maxValues', 'precision', 'level', 'outputs']);
  const showValues = checkBoolean(fn, 'options.values', given.values ?? true);
  const maxValues = checkNumber(fn, 'options.maxValues', given.maxValues ?? 4, { integer: true, min: 0, max: 1e6 });
  const precision = checkNumber(fn, 'options.precision', given.precision ?? 4, { integer: true, min: 1, max: 17 });
  const showLevel = checkBoolean(fn, 'options.level', given.level ?? true);
  const extra =
    given.outputs === undefined
      ? []
      : checkIndexList(fn, 'options.outputs', given.outputs, { size: tape.nodes.length });
  const outputSet = new Set([...outputs, ...extra]);
  const stats = tapeStats(tape);

  const header = ['id', 'op', 'inputs', 'params', 'shape', ...(showValues ? ['value'] : [])];
  const rows = tape.nodes.map((node) => [
    `%${node.id}`,
    opName(node),
    inputsText(node, precision),
    paramsText(node),
    shapeText(node.output.shape),
    ...(showValues ? [valuesText(dataOf(node.output), node.output.rank, maxValues, precision)] : []),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]): string =>
    `  ${cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]!))).join('  ')}`.trimEnd();

  const tableWidth = widths.slice(0, -1).reduce((a, b) => a + b + 2, 0) + 6;
  const counts = { input: 0, forward: 0, backward: 0 };
  if (phases) for (const p of phases) counts[p]++;
  const where = showLevel ? ` at level ${tape.level}` : '';
  const breakdown =
    counts.backward > 0
      ? `${plural(counts.input, 'input')}, ${counts.forward} forward, ${counts.backward} backward`
      : `${plural(stats.leaves, 'input')}, ${plural(stats.nodes - stats.leaves, 'op')}`;
  const lines = [`tape${where}: ${plural(stats.nodes, 'node')} — ${breakdown}`, line(header)];
  const firstBackward = phases ? phases.indexOf('backward') : -1;
  rows.forEach((row, id) => {
    if (id === firstBackward) {
      const title = '── backward pass: ops of the VJP rules, recorded ';
      lines.push(`  ${title}${'─'.repeat(Math.max(2, tableWidth - title.length))}`);
    }
    lines.push(line(row) + (outputSet.has(id) ? '   ← output' : ''));
  });
  const kinds = sortedCounts(stats.opsByKind)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  lines.push(`  ops: ${kinds || 'none'}`);
  lines.push(`  holds ${bytesText(stats.bytesHeld)} in ${plural(stats.arraysHeld, 'array')}`);
  return lines.join('\n');
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------------------------
// Graphviz

/** Options of `tapeToDot` (Graphviz output). */
export interface TapeToDotOptions {
  /** Draw values this tape treats as constants as small grey nodes (one per distinct array). Default true. */
  readonly constants?: boolean;
  /** Add a value preview to each node's label. Default false. */
  readonly values?: boolean;
  /** Graph direction: `'TB'` (top to bottom, default) or `'LR'`. */
  readonly rankdir?: 'TB' | 'LR';
  /** The graph's name. Default `'tape'`. */
  readonly name?: string;
}

const dotColours = { input: '#cfe3f7', forward: '#ffffff', backward: '#fbd9b0', constant: '#eeeeee' } as const;

/**
 * The tape as a Graphviz DOT digraph: one node per tape node labelled with id, op and shape,
 * an edge from each parent to its child (labelled with the argument position for ops of several
 * inputs), leaves as blue ellipses, outputs with a double border, backward-pass nodes orange
 * when the phases are known. Render with `dot -Tsvg tape.dot > tape.svg`.
 * @example
 * tapeToDot(recordGradTape((x) => sum(exp(x)), tensor([0, 1]))).startsWith('digraph "tape" {'); // → true
 * // digraph "tape" { … forward nodes white, backward nodes orange, one edge per input … }
 */
export function tapeToDot(source: Tape | TapeRecording, options?: TapeToDotOptions): string {
  const fn = 'tapeToDot';
  checkArity(fn, arguments.length, 2);
  const { tape, outputs, phases } = asRecording(fn, source);
  const given = readOptions(fn, options, ['constants', 'values', 'rankdir', 'name']);
  const showConstants = checkBoolean(fn, 'options.constants', given.constants ?? true);
  checkBoolean(fn, 'options.values', given.values ?? false);
  checkOneOf(fn, 'options.rankdir', given.rankdir ?? 'TB', ['TB', 'LR']);
  if (given.name !== undefined && typeof given.name !== 'string')
    throw new InvalidArgumentError(fn, `options.name must be a string, got ${describeValue(given.name)}`);
  options = given;
  const outputSet = new Set(outputs);
  const lines = [
    `digraph ${quote(options.name ?? 'tape')} {`,
    `  rankdir=${options.rankdir ?? 'TB'};`,
    `  graph [fontname="Helvetica", fontsize=11, label=${quote(`tape at level ${tape.level}${phases?.includes('backward') ? ': forward (white) then backward (orange)' : ''}`)}, labelloc=t];`,
    '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#ffffff"];',
    '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.6];',
  ];
  const constantIds = new Map<Float64Array, string>();
  for (const node of tape.nodes) {
    const phase: NodePhase = node.primitive === undefined ? 'input' : (phases?.[node.id] ?? 'forward');
    const name = node.primitive === undefined ? (node.label ?? 'input') : node.primitive.name;
    const extra = paramsText(node);
    let label = `%${node.id} ${name}${extra ? ` ${extra}` : ''}\n${shapeText(node.output.shape)}`;
    if (options.values) label += `\n${valuesText(dataOf(node.output), node.output.rank, 4, 4)}`;
    const attrs = [`label=${quote(label)}`, `fillcolor=${quote(dotColours[phase])}`];
    if (phase === 'input') attrs.push('shape=ellipse', 'style=filled');
    if (outputSet.has(node.id)) attrs.push('peripheries=2', 'penwidth=1.5');
    lines.push(`  n${node.id} [${attrs.join(', ')}];`);
  }
  for (const node of tape.nodes) {
    const several = node.inputs.length > 1;
    node.inputs.forEach((input, k) => {
      const edgeAttrs = several ? ` [label="${k}"]` : '';
      const parent = node.parents[k];
      if (parent) {
        lines.push(`  n${parent.id} -> n${node.id}${edgeAttrs};`);
      } else if (showConstants) {
        let id = constantIds.get(dataOf(input));
        if (id === undefined) {
          id = `c${constantIds.size}`;
          constantIds.set(dataOf(input), id);
          lines.push(
            `  ${id} [label=${quote(constantText(input, 4))}, shape=plaintext, style=filled, fillcolor=${quote(dotColours.constant)}, fontsize=8, fontcolor="#555555"];`,
          );
        }
        lines.push(`  ${id} -> n${node.id} [style=dashed, color="#999999"${several ? `, label="${k}"` : ''}];`);
      }
    });
  }
  lines.push('}');
  return lines.join('\n');
}

/** A DOT double-quoted string: backslashes and quotes escaped, newlines as `\n`. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

// ---------------------------------------------------------------------------------------------
// Counting

/** Counts of a recorded tape, as returned by `tapeStats`: nodes, leaves, ops by kind and the bytes their values hold. */
export interface TapeStats {
  /** All nodes, leaves included. */
  readonly nodes: number;
  /** Input (leaf) nodes. */
  readonly leaves: number;
  /** Nodes per op name (leaves are not ops). */
  readonly opsByKind: Record<string, number>;
  /**
   * Bytes of the Float64Arrays the tape keeps alive: every node's output, every stored input and
   * any tensor in the parameters, each region of memory counted once (a traced tensor shares its
   * primal's data, and reshape shares its input's).
   */
  readonly bytesHeld: number;
  /** How many distinct arrays make up `bytesHeld`. */
  readonly arraysHeld: number;
}

/**
 * Counts a tape's nodes, its ops by kind and the memory it holds.
 * @example
 * tapeStats(recordTape((x) => sum(exp(x)), tensor([0, 1])));
 * // → { nodes: 3, leaves: 1, opsByKind: { exp: 1, sum: 1 }, bytesHeld: 40, arraysHeld: 3 }
 */
export function tapeStats(source: Tape | TapeRecording): TapeStats {
  checkArity('tapeStats', arguments.length, 1);
  const { tape } = asRecording('tapeStats', source);
  const opsByKind: Record<string, number> = {};
  // One entry per distinct region of memory: small arrays are views on shared slabs (see
  // `allocate` in tensor-kernels.ts), so the key is the buffer and the offset, not the buffer.
  const regions = new Map<ArrayBufferLike, Map<number, number>>();
  let leaves = 0;
  const hold = (t: Tensor): void => {
    const byOffset = regions.get(dataOf(t).buffer) ?? new Map<number, number>();
    regions.set(dataOf(t).buffer, byOffset);
    byOffset.set(dataOf(t).byteOffset, Math.max(byOffset.get(dataOf(t).byteOffset) ?? 0, dataOf(t).byteLength));
  };
  for (const node of tape.nodes) {
    hold(node.output);
    node.inputs.forEach(hold);
    if (node.params !== null && typeof node.params === 'object') {
      for (const v of Object.values(node.params)) if (v instanceof Tensor) hold(v);
    }
    if (node.primitive === undefined) leaves++;
    else opsByKind[node.primitive.name] = (opsByKind[node.primitive.name] ?? 0) + 1;
  }
  let bytesHeld = 0;
  let arraysHeld = 0;
  for (const byOffset of regions.values()) {
    for (const bytes of byOffset.values()) bytesHeld += bytes;
    arraysHeld += byOffset.size;
  }
  return { nodes: tape.nodes.length, leaves, opsByKind, bytesHeld, arraysHeld };
}

/** What `countOps` measured while its function ran, beside the function's own result. */
export interface OpCounts<R> {
  /** What `fn` returned. */
  readonly result: R;
  /** Primitive evaluations (each op at any level computes its value exactly once). */
  readonly ops: number;
  /** Evaluations per op name. */
  readonly opsByKind: Record<string, number>;
  /**
   * Bytes of the Float64Arrays those evaluations produced. An output that shares an input's data
   * (reshape) allocates nothing and is not counted.
   */
  readonly bytesAllocated: number;
}

/**
 * Runs `fn()` and counts every primitive evaluation it causes — forward ops, VJP and JVP rules,
 * at every level — with the bytes they allocated. Use it to put HVP modes side by side. `fn`
 * must be synchronous. Calls may nest; the inner count is included in the outer one. When no
 * count is running the engine pays one comparison per op.
 * @example
 * const { ops, opsByKind, bytesAllocated } = countOps(() => grad((x) => sum(exp(x)))(tensor([0, 1])));
 * ops; // → 5
 * opsByKind; // → { exp: 1, sum: 1, reshape: 1, broadcastTo: 1, mul: 1 }   exp and sum forward; the rest backward
 * bytesAllocated; // → 56
 */
export function countOps<R>(fn: () => R): OpCounts<R> {
  checkArity('countOps', arguments.length, 1);
  checkFunction('countOps', 'fn', fn);
  let ops = 0;
  let bytesAllocated = 0;
  const opsByKind: Record<string, number> = {};
  const outer = setValueHook(undefined);
  setValueHook((name, output, inputs) => {
    ops++;
    opsByKind[name] = (opsByKind[name] ?? 0) + 1;
    if (!inputs.some((t) => dataOf(t) === dataOf(output))) bytesAllocated += dataOf(output).byteLength;
    outer?.(name, output, inputs);
  });
  try {
    const result = fn();
    return { result, ops, opsByKind, bytesAllocated };
  } finally {
    setValueHook(outer);
  }
}
