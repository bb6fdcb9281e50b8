/**
 * The tape: reverse mode's record of a computation.
 *
 * A `Tape` is the trace of one reverse-mode transform call (one level). Each primitive applied
 * to a tensor of that level appends a node: the primitive, its static parameters, the parent
 * nodes (for inputs of this level) and the primal inputs and output the VJP rule will need.
 * Nodes are appended in execution order, so a reverse sweep is simply a walk from the last node
 * to the first — no topological sort needed (micrograd sorts because it records a graph, not a
 * tape).
 *
 * Because the primals stored here may themselves be traced by outer transforms, whatever the
 * sweep computes from them is recorded by those outer transforms: that is double backward.
 *
 * The sweeps themselves live in `sweep.ts`; printing in `inspect.ts`.
 */
import { EscapedTracerError, ShapeError, formatShape } from '../errors.js';
import type { Memo, Primitive, Trace } from './primitive.js';
import { dataOf, tracedTensor, type Tensor } from './tensor.js';

export interface TapeNode {
  /** Position on the tape (0, 1, 2, … in execution order). */
  readonly id: number;
  /** The primitive that made this node; undefined for an input (a leaf). */
  readonly primitive: Primitive<unknown> | undefined;
  readonly params: unknown;
  /** Parent nodes for inputs at this tape's level; undefined for inputs that are constants here. */
  readonly parents: readonly (TapeNode | undefined)[];
  /** The inputs one level down, as the rules need them. */
  readonly inputs: readonly Tensor[];
  /** The output one level down. */
  readonly output: Tensor;
  /** For leaves, a user-facing label (`x`, `params.w`, …). */
  readonly label: string | undefined;
  /** The rules' memo, created on the first sweep of a tape that memoises its rules (see `Memo`). */
  memo: Memo | undefined;
}

const NO_PARENTS: readonly (TapeNode | undefined)[] = Object.freeze([]);
const NO_INPUTS: readonly Tensor[] = Object.freeze([]);

/**
 * Every node is created here with all its fields, in one order, so they share one hidden class
 * and the sweeps' property reads stay monomorphic (a conditional `label` or a `memo` added later
 * would split them into several).
 */
function makeNode(
  id: number,
  primitive: Primitive<unknown> | undefined,
  params: unknown,
  parents: readonly (TapeNode | undefined)[],
  inputs: readonly Tensor[],
  output: Tensor,
  label: string | undefined,
): TapeNode {
  return { id, primitive, params, parents, inputs, output, label, memo: undefined };
}

/** The memo for a node's rules: one per node on a tape swept many times, none on a one-shot tape. */
export function memoFor(tape: Tape, node: TapeNode): Memo | undefined {
  if (!tape.memoiseRules) return undefined;
  return (node.memo ??= new Map());
}

export class Tape implements Trace {
  readonly kind = 'reverse' as const;
  readonly level: number;
  readonly transform: string;
  readonly nodes: TapeNode[] = [];
  /** Set by transforms whose tape is swept many times, so that rules memoise per node (see `Memo`). */
  memoiseRules = false;
  closed = false;

  constructor(level: number, transform: string) {
    this.level = level;
    this.transform = transform;
  }

  /** Accepts no more nodes: called when the transform returns. Sweeps still work. */
  close(): void {
    this.closed = true;
  }

  /** Starts tracing `value`: a leaf node, returned as a tensor of this level. */
  input(value: Tensor, label?: string): Tensor {
    const node = makeNode(this.nodes.length, undefined, undefined, NO_PARENTS, NO_INPUTS, value, label);
    this.nodes.push(node);
    return tracedTensor(dataOf(value), value.shape, this, value, node, undefined);
  }

  processPrimitive<P>(
    primitive: Primitive<P>,
    inputs: readonly Tensor[],
    primals: readonly Tensor[],
    output: Tensor,
    params: P,
  ): Tensor {
    if (this.closed) throw escapedTracer(primitive.name, this);
    const parents = new Array<TapeNode | undefined>(inputs.length);
    for (let i = 0; i < inputs.length; i++) parents[i] = inputs[i]!.level === this.level ? inputs[i]!.node : undefined;
    const node = makeNode(
      this.nodes.length,
      primitive as Primitive<unknown>,
      params,
      parents,
      primals,
      output,
      undefined,
    );
    this.nodes.push(node);
    return tracedTensor(dataOf(output), output.shape, this, output, node, undefined);
  }
}

/**
 * The error for an op applied to a value traced by a transform that has returned. The op cannot
 * be recorded (its tape is finished) and treating the value as a constant would silently drop
 * derivatives, so it stops here and says what to do instead.
 */
export function escapedTracer(op: string, trace: Trace): EscapedTracerError {
  return new EscapedTracerError(
    op,
    trace.transform,
    trace.level,
    `an input is a value traced by ${trace.transform} (level ${trace.level}), which has already returned: ` +
      `the traced value escaped, e.g. it was saved in an outer variable while the function ran. ` +
      `Return what you need from the function instead (as an output, or as aux with valueAndGrad(f, { hasAux: true })), ` +
      `or keep a constant copy with stopGradient inside the function`,
  );
}

/**
 * Checks that a rule's result (a cotangent for an input, a tangent for the output) has the shape
 * of the value it belongs to. A rule that transposed or broadcast by mistake would otherwise
 * give silently wrong derivatives whenever the sizes happen to agree.
 */
export function checkRuleShape(
  op: string,
  rule: 'VJP' | 'JVP',
  what: string,
  got: Tensor,
  expected: readonly number[],
): void {
  const shape = got.shape;
  if (shape.length === expected.length) {
    let same = true;
    for (let k = 0; k < shape.length; k++) if (shape[k] !== expected[k]) same = false;
    if (same) return;
  }
  throw new ShapeError(
    op,
    `the ${rule} rule of ${op} returned ${what} of shape ${formatShape(shape)} where ${formatShape(expected)} was expected; a rule must return one value per ${rule === 'VJP' ? 'input, shaped like that input' : 'output, shaped like the output'}`,
  );
}
