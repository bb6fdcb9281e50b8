/**
 * Trees of tensors: model parameters as arrays or plain objects (`{ w, b }`, `[layer1, layer2]`)
 * nested to any depth, with tensors (or numbers) at the leaves. The transforms flatten a tree to
 * its leaves, work on those, and rebuild the same structure for the result — JAX's pytrees.
 *
 * Two ways to see a tree as one flat vector: `ravel`/`unravel` pack the leaves with
 * differentiable ops (inside a traced function), and `flatView` copies them to and from a plain
 * Float64Array outside any trace (what the solvers, Hessian operators and `checkGrads` hand
 * around). Both lay the leaves end to end in `flatten`'s order.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import { checkArity, isPlainObject } from '../validate.js';
import { concat, reshape, slice } from './ops/shape.js';
import { Tensor, dataOf, describe, fromData, scalar } from './tensor.js';

/** A tensor, a number, or an array / plain object of trees. */
export type Tree = Tensor | number | readonly Tree[] | { readonly [key: string]: Tree };

/**
 * The type of a tree handed back by a transform: the input's type, with a bare number read as the
 * rank-0 Tensor that comes back for it (also exported as `Lifted`, its earlier name). (Numbers nested deeper inside a tree also come back as
 * Tensors; the type does not spell that out, to keep type-checking shallow.)
 */
export type TensorTree<T> = T extends number ? Tensor : T;

export interface Flattened {
  /** The leaves in a fixed order (depth first, object keys in insertion order). */
  readonly leaves: Tensor[];
  /** A readable path per leaf, e.g. `x`, `x[1]`, `x.w`. */
  readonly paths: string[];
  /** Builds a tree of the same structure from new leaves. */
  rebuild(leaves: readonly Tensor[]): Tree;
}

/** Flattens a tree to its leaves, remembering the structure. */
export function flatten(tree: unknown, fn: string, root = 'x'): Flattened {
  const leaves: Tensor[] = [];
  const paths: string[] = [];
  const open = new Set<unknown>(); // the containers on the path from the root: a repeat is a cycle
  const build = (node: unknown, path: string): ((next: () => Tensor) => Tree) => {
    if (node instanceof Tensor || typeof node === 'number') {
      leaves.push(node instanceof Tensor ? node : scalar(node));
      paths.push(path);
      return (next) => next();
    }
    const container = Array.isArray(node) || isPlainObject(node);
    if (!container) {
      throw new InvalidArgumentError(
        fn,
        `${path} is ${describe(node)}; ${root === 'x' ? 'inputs' : `${root} leaves`} must be Tensors, numbers, or arrays / plain objects of them`,
      );
    }
    if (open.has(node))
      throw new InvalidArgumentError(
        fn,
        `${path} contains itself (a cyclic ${Array.isArray(node) ? 'array' : 'object'}); a tree must not refer back to its own containers`,
      );
    if (open.size >= MAX_DEPTH)
      throw new InvalidArgumentError(fn, `${path} is nested more than ${MAX_DEPTH} levels deep`);
    open.add(node);
    let rebuild: (next: () => Tensor) => Tree;
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
  const builder = build(tree, root);
  return {
    leaves,
    paths,
    rebuild(newLeaves) {
      let at = 0;
      return builder(() => newLeaves[at++]!);
    },
  };
}

/** How deep a tree may nest: far beyond any model, well within the call stack. */
const MAX_DEPTH = 256;

/** Checks that `other` has the structure and leaf shapes of `reference`; returns its leaves. */
export function matchTree(fn: string, what: string, reference: Flattened, other: unknown): Tensor[] {
  const flat = flatten(other, fn, what);
  if (flat.leaves.length !== reference.leaves.length) {
    throw new ShapeError(
      fn,
      `${what} has ${flat.leaves.length} leaves but the primal has ${reference.leaves.length}; it must have the same structure`,
    );
  }
  // Leaves pair up by position, so the keys must match too: { b, a } is not a tangent for { a, b }.
  const referenceRoot = reference.paths[0]?.match(/^[^.[]*/)?.[0] ?? '';
  flat.paths.forEach((path, i) => {
    const own = path.slice(what.length);
    const expected = reference.paths[i]!.slice(referenceRoot.length);
    if (own !== expected) {
      throw new ShapeError(
        fn,
        `${what} has a leaf at ${path} where the primal has ${reference.paths[i]}; it must have the same structure (same keys in the same order)`,
      );
    }
  });
  flat.leaves.forEach((leaf, i) => {
    const ref = reference.leaves[i]!;
    if (leaf.shape.length !== ref.shape.length || leaf.shape.some((d, k) => d !== ref.shape[k])) {
      throw new ShapeError(
        fn,
        `${flat.paths[i]} has shape ${formatShape(leaf.shape)} but ${reference.paths[i]} has shape ${formatShape(ref.shape)}; they must match`,
      );
    }
  });
  return flat.leaves;
}

/**
 * Packs every leaf of a tree into one flat vector and returns the inverse map.
 * Both directions are differentiable ops.
 * @example
 * const { vector, unravel } = ravel({ w: zeros([2, 2]), b: zeros([2]) });
 * vector.shape; // → [6]
 * unravel(vector); // → { w: [[0, 0], [0, 0]], b: [0, 0] }   the tree again, with shapes [2, 2] and [2]
 */
export function ravel<T extends Tree>(tree: T): { vector: Tensor; unravel: (vector: Tensor) => TensorTree<T> } {
  checkArity('ravel', arguments.length, 1);
  return ravelFor('ravel', tree);
}

function ravelFor<T extends Tree>(fn: string, tree: T): { vector: Tensor; unravel: (vector: Tensor) => TensorTree<T> } {
  const flat = flatten(tree, fn);
  const { sizes, total } = layout(flat.leaves);
  const vector =
    flat.leaves.length === 0 ? fromData(new Float64Array(0), [0]) : concat(flat.leaves.map((l) => reshape(l, [-1])));
  const unravel = function (v: Tensor): TensorTree<T> {
    checkArity('unravel', arguments.length, 1);
    if (!(v instanceof Tensor) || v.rank !== 1 || v.size !== total) {
      const error = v instanceof Tensor ? ShapeError : InvalidArgumentError;
      throw new error(
        'unravel',
        `vector must be a Tensor of shape [${total}] (a vector of length ${total}), got ${v instanceof Tensor ? formatShape(v.shape) : describe(v)}`,
      );
    }
    let offset = 0;
    const leaves = flat.leaves.map((leaf, i) => {
      const piece = reshape(slice(v, [offset], [sizes[i]!]), leaf.shape);
      offset += sizes[i]!;
      return piece;
    });
    return flat.rebuild(leaves) as unknown as TensorTree<T>;
  };
  return { vector, unravel };
}

/**
 * The inverse of `ravel` as a standalone function: splits `vector` into a tree shaped like
 * `template` (whose values are ignored; only its structure and leaf shapes are used).
 * Differentiable in `vector`.
 * @example
 * unravel(tensor([1, 2, 3]), { w: zeros([2]), b: 0 }); // → { w: [1, 2], b: 3 }
 */
export function unravel<T extends Tree>(vector: Tensor, template: T): TensorTree<T> {
  checkArity('unravel', arguments.length, 2);
  if (arguments.length < 2)
    throw new InvalidArgumentError(
      'unravel',
      'needs the template tree as its second argument: unravel(vector, template)',
    );
  return ravelFor('unravel', template).unravel(vector);
}

/** Where each leaf starts in the flat vector, and the vector's length. */
function layout(leaves: readonly Tensor[]): { sizes: number[]; offsets: number[]; total: number } {
  const sizes = leaves.map((leaf) => leaf.size);
  const offsets: number[] = [];
  let total = 0;
  for (const size of sizes) {
    offsets.push(total);
    total += size;
  }
  return { sizes, offsets, total };
}

/** A flattened tree seen as one Float64Array, outside any trace (see the module comment). */
export interface FlatView {
  readonly size: number;
  readonly leaves: readonly Tensor[];
  /** A tree shaped like the original whose leaves are constant copies of consecutive pieces of `v`. */
  toTree(v: Float64Array): unknown;
  /** The leaves of a tree of the same structure, copied end to end into a fresh array. */
  toFlat(tree: unknown): Float64Array;
}

/**
 * @internal The flat view of an already flattened tree; `fn` names the public function in errors
 * from `toFlat`. Converting outside the recorded tape keeps a Hessian product O(n) however many
 * leaves the tree has.
 * @example flatView(flatten({ w: zeros([2]), b: 0 }, 'hessianOperator'), 'hessianOperator').size; // → 3
 */
export function flatView(flat: Flattened, fn: string): FlatView {
  const { offsets, total } = layout(flat.leaves);
  return {
    size: total,
    leaves: flat.leaves,
    toTree: (v) =>
      flat.rebuild(flat.leaves.map((leaf, i) => fromData(v.slice(offsets[i]!, offsets[i]! + leaf.size), leaf.shape))),
    toFlat: (tree) => {
      const out = new Float64Array(total);
      flatten(tree, fn).leaves.forEach((leaf, i) => out.set(dataOf(leaf), offsets[i]!));
      return out;
    },
  };
}
