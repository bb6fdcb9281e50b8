/**
 * The two sweeps over a tape.
 *
 * - `backwardSweep` is reverse mode proper: walk the tape from the last node to the first,
 *   and for each node that received a cotangent, ask its VJP rule for the inputs' cotangents
 *   and add them into the parents' (fan-out accumulates by addition). Rules are differentiable
 *   ops on the stored primals, so when those primals are traced by an outer transform the
 *   whole sweep is recorded by it: double backward.
 * - `forwardSweep` replays a recorded tape in execution order with JVP rules, pushing tangents
 *   from the leaves to the outputs without recomputing any primal. It is what `linearize` and
 *   the record-once Hessian operator use.
 */
import { jvpRule } from './forward.js';
import { add } from './ops/arithmetic.js';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../validate.js';
import type { Memo } from './primitive.js';
import { memoFor, checkRuleShape, type Tape, type TapeNode } from './tape.js';
import { Tensor } from './tensor.js';

/**
 * Seeds the given nodes with cotangents and sweeps back to the start of the tape. Returns the
 * cotangent of every leaf that received one, by node id.
 */
export function backwardSweep(tape: Tape, seeds: ReadonlyArray<readonly [TapeNode, Tensor]>): Map<number, Tensor> {
  const cotangents: (Tensor | undefined)[] = new Array(tape.nodes.length);
  let last = -1;
  for (const [node, seed] of seeds) {
    accumulate(cotangents, node, seed);
    last = Math.max(last, node.id);
  }
  const leaves = new Map<number, Tensor>();
  for (let id = last; id >= 0; id--) {
    const g = cotangents[id];
    if (g === undefined) continue;
    const node = tape.nodes[id]!;
    const primitive = node.primitive;
    if (primitive === undefined) {
      leaves.set(id, g);
      continue;
    }
    cotangents[id] = undefined; // the sweep never revisits a node: free its cotangent now
    const memo = memoFor(tape, node);
    const rules = primitive.vjps;
    const parents = node.parents;
    if (rules === undefined) {
      pullAllAtOnce(cotangents, node, g, memo);
      continue;
    }
    // One rule per input that carries a derivative; the node itself is the rule's context.
    for (let k = 0; k < parents.length; k++) {
      const parent = parents[k];
      if (parent === undefined) continue;
      const c = typeof rules === 'function' ? rules(g, node, k) : rules[k]!(g, node, k);
      accumulate(cotangents, parent, checkedContribution(primitive.name, c, k, node.inputs[k]!.shape));
    }
  }
  return leaves;
}

/** A primitive that gives `vjp`, all inputs at once: asked only for the inputs flagged in `needs`. */
function pullAllAtOnce(cotangents: (Tensor | undefined)[], node: TapeNode, g: Tensor, memo: Memo | undefined): void {
  const { primitive, parents } = node;
  const name = primitive!.name;
  const needs = new Array<boolean>(parents.length);
  for (let k = 0; k < parents.length; k++) needs[k] = parents[k] !== undefined;
  const contributions = primitive!.vjp!(g, node.inputs, node.output, node.params, needs, memo);
  if (!Array.isArray(contributions)) {
    throw new InvalidArgumentError(
      name,
      `the VJP rule of ${name} returned ${describeValue(contributions)}; it must return an array with one cotangent (or undefined) per input`,
    );
  }
  for (let k = 0; k < parents.length; k++) {
    const parent = parents[k];
    const c = contributions[k];
    if (parent !== undefined && c !== undefined)
      accumulate(cotangents, parent, checkedContribution(name, c, k, node.inputs[k]!.shape));
  }
}

/** A rule's contribution for input k, checked to be a Tensor of that input's shape. */
function checkedContribution(name: string, c: unknown, k: number, shape: readonly number[]): Tensor {
  if (!(c instanceof Tensor)) {
    throw new InvalidArgumentError(
      name,
      `the VJP rule of ${name} returned ${describeValue(c)} for input ${k}, not a Tensor`,
    );
  }
  checkRuleShape(name, 'VJP', `a cotangent for input ${k}`, c, shape);
  return c;
}

function accumulate(cotangents: (Tensor | undefined)[], node: TapeNode, c: Tensor): void {
  const previous = cotangents[node.id];
  cotangents[node.id] = previous === undefined ? c : add(previous, c);
}

/**
 * Marks the nodes that some output depends on (1) and the rest (0). A forward sweep only needs the
 * former: when linearising a gradient, the tape also holds f's own value (the loss), whose
 * tangent no output uses.
 */
export function liveNodes(tape: Tape, outputIds: readonly number[]): Uint8Array {
  const live = new Uint8Array(tape.nodes.length);
  for (const id of outputIds) live[id] = 1;
  for (let id = tape.nodes.length - 1; id >= 0; id--) {
    if (live[id] === 0) continue;
    for (const parent of tape.nodes[id]!.parents) if (parent !== undefined) live[parent.id] = 1;
  }
  return live;
}

/**
 * Pushes tangents from leaves (by node id) through the tape up to node `upTo` inclusive.
 * Returns the tangent of every node reached (undefined where none flows).
 */
export function forwardSweep(
  tape: Tape,
  leafTangents: ReadonlyMap<number, Tensor>,
  upTo: number,
  live?: Uint8Array,
): (Tensor | undefined)[] {
  const tangents: (Tensor | undefined)[] = new Array(upTo + 1);
  for (let id = 0; id <= upTo; id++) {
    if (live !== undefined && live[id] === 0) continue; // no output depends on this node
    const node = tape.nodes[id]!;
    if (node.primitive === undefined) {
      tangents[id] = leafTangents.get(id);
      continue;
    }
    const incoming = node.parents.map((p) => (p === undefined ? undefined : tangents[p.id]));
    if (incoming.every((t) => t === undefined)) continue;
    tangents[id] = jvpRule(node.primitive, incoming, node.inputs, node.output, node.params, memoFor(tape, node));
  }
  return tangents;
}
