/**
 * `hvp`, the Hessian-vector product H(x)·v of a scalar function in any of the five modes of
 * `modes.ts` (where each mode and its maths are written once), and the argument readers the
 * rest of the hessian layer shares: trees, tangents, the default finite-difference step.
 */
import { InvalidArgumentError } from '../errors.js';
import { checkArity, checkFunction, checkOneOf, isPlainObject, readOptions } from '../validate.js';
import type { Tensor, Tree } from '../autodiff/index.js';
import { flatten, matchTree, type Flattened } from '../autodiff/tree.js';
import {
  DIFFERENCE_MODES,
  HVP_MODE_TABLE,
  innerProduct,
  leavesNorm,
  readModeAndStep,
  stepFor,
  type HvpMode,
} from './modes.js';

export { HVP_MODES, type HvpMode } from './modes.js';

/** Options of `hvp`: the mode, and the step of the two difference modes. */
export interface HvpOptions {
  /** How to compute the product (default `'fwd-over-rev'`). */
  mode?: HvpMode;
  /** Finite-difference step r, for the difference modes only; default chosen from float64 precision (see the module comment). */
  step?: number;
}

type ScalarFn<X> = (x: X, ...rest: never[]) => Tensor | number;

// ---------------------------------------------------------------------------------------------
// Reading arguments (shared with the operators and the applications)

/**
 * @internal Flattens a tree argument `name` of the public function `fn`. A cyclic array or object
 * is refused first: walking it would otherwise recurse until the stack overflows.
 * @example readTree('hvp', 'x', { w: tensor([1, 2]) }).leaves.length; // → 1
 */
export function readTree(fn: string, name: string, tree: unknown): Flattened {
  refuseCycles(fn, tree, name, new Set());
  return flatten(tree, fn, name);
}

/**
 * @internal Checks that `tangent` is a tree with the structure and leaf shapes of `primal`; returns its leaves.
 * @example readTangent('hvp', 'v', readTree('hvp', 'x', x), v); // throws ShapeError naming hvp on a mismatch
 */
export function readTangent(fn: string, name: string, primal: Flattened, tangent: unknown): Tensor[] {
  refuseCycles(fn, tangent, name, new Set());
  return matchTree(fn, name, primal, tangent);
}

function refuseCycles(fn: string, node: unknown, path: string, open: Set<unknown>): void {
  if (!Array.isArray(node) && !isPlainObject(node)) return;
  if (open.has(node)) {
    throw new InvalidArgumentError(
      fn,
      `${path} contains itself (a cyclic ${Array.isArray(node) ? 'array' : 'object'}); a tree of tensors must not refer back to itself`,
    );
  }
  open.add(node);
  for (const [key, child] of Object.entries(node))
    refuseCycles(fn, child, Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`, open);
  open.delete(node);
}

// ---------------------------------------------------------------------------------------------
// Tree arithmetic and the default step

/**
 * ⟨a, b⟩ summed over every leaf of two trees of the same structure (0 for empty trees).
 * @example treeDot({ w: tensor([1, 2]) }, { w: tensor([3, 4]) }).item(); // → 11
 */
export function treeDot(a: unknown, b: unknown): Tensor {
  checkArity('treeDot', arguments.length, 2);
  const fa = readTree('treeDot', 'a', a);
  return innerProduct(fa.leaves, readTangent('treeDot', 'b', fa, b));
}

/**
 * The default finite-difference step for `mode` at x along v (trees of the same structure):
 * √ε·(1 + ‖x‖)/‖v‖ one-sided, ∛ε·(1 + ‖x‖)/‖v‖ central, and √ε (∛ε) when v = 0.
 * NaN or ±Infinity in x or v throws NonFiniteError: no step could be chosen.
 * @example defaultStep('central-difference', tensor([0]), tensor([1])); // ∛ε ≈ 6.06e-6
 */
export function defaultStep(mode: 'finite-difference' | 'central-difference', x: unknown, v: unknown): number {
  const fn = 'defaultStep';
  checkArity(fn, arguments.length, 3);
  const chosen = checkOneOf(fn, 'mode', mode, DIFFERENCE_MODES);
  const primal = readTree(fn, 'x', x);
  const direction = readTangent(fn, 'v', primal, v);
  return stepFor(fn, chosen, leavesNorm(primal.leaves), leavesNorm(direction));
}

// ---------------------------------------------------------------------------------------------
// The product

/**
 * The Hessian-vector product H(x)·v of a scalar function, in the shape (tree) of `x`.
 * Extra arguments after the options are passed to `f`. An empty x (shape [0], or a tree without
 * leaves) gives the empty result of the same structure.
 *
 * @example
 * const A = tensor([[2, 1], [0, 3]]);
 * const f = (x: Tensor) => mul(0.5, dot(x, matmul(A, x)));
 * hvp(f, tensor([1, 1]), tensor([1, 0])).toArray(); // → [2, 0.5]   = ½(A + Aᵀ)·v
 * hvp(f, tensor([1, 1]), tensor([1, 0]), { mode: 'rev-over-rev' }); // the same
 */
export function hvp<X extends Tree>(
  f: ScalarFn<X>,
  x: X,
  v: X,
  options?: HvpOptions,
  ...rest: unknown[]
): X extends number ? Tensor : X {
  const fn = 'hvp';
  checkFunction(fn, 'f', f);
  readTangent(fn, 'v', readTree(fn, 'x', x), v);
  const { mode, step } = readModeAndStep(
    fn,
    readOptions(fn, options as { mode?: unknown; step?: unknown } | undefined, ['mode', 'step']),
  );
  const objective = { fn, f: (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest), step };
  return HVP_MODE_TABLE[mode].product(objective, x, v) as X extends number ? Tensor : X;
}
