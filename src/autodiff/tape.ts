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
  /** The rules' memo, created on the first sweep of a tape marked `replayed` (see `Memo`). */
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

/** The memo for a node's rules: one per node on a replayed tape, none on a one-shot tape. */
export function memoFor(tape: Tape, node: TapeNode): Memo | undefined {
  if (!tape.replayed) return undefined;
  return (node.memo ??= new Map());
}

export class Tape implements Trace {
  readonly kind = 'reverse' as const;
  readonly level: number;
  readonly nodes: TapeNode[] = [];
  /** Set by transforms whose tape is swept many times, so rules memoise per node (see `Memo`). */
  replayed = false;

  constructor(level: number) {
    this.level = level;
  }

  /** Starts tracing `value`: a leaf node, returned as a tensor of this level. */
  input(value: Tensor, label?: string): Tensor {
    const node = makeNode(this.nodes.length, undefined, undefined, NO_PARENTS, NO_INPUTS, value, label);
    this.nodes.push(node);
    return tracedTensor(dataOf(value), value.shape, this, value, node, undefined);
  }

  lift<P>(primitive: Primitive<P>, inputs: readonly Tensor[], primals: readonly Tensor[], output: Tensor, params: P): Tensor {
    const parents = new Array<TapeNode | undefined>(inputs.length);
    for (let i = 0; i < inputs.length; i++) parents[i] = inputs[i]!.level === this.level ? inputs[i]!.node : undefined;
    const node = makeNode(this.nodes.length, primitive as Primitive<unknown>, params, parents, primals, output, undefined);
    this.nodes.push(node);
    return tracedTensor(dataOf(output), output.shape, this, output, node, undefined);
  }
}
