/**
 * Hessian-vector products, five ways, behind one function.
 *
 * For a scalar f and a direction v, H(x)·v is the directional derivative of the gradient. The
 * AD modes compute it exactly (to rounding) by composing the transforms:
 *
 *   'fwd-over-rev'        Hv = ∂/∂ε ∇f(x + εv) at ε = 0       jvp(grad f, x, v)          ≈ 2–3 gradients
 *   'rev-over-rev'        Hv = ∇ₓ(∇f(x)ᵀv)                     grad(x ↦ ⟨grad f(x), v⟩)  ≈ 3–4 gradients
 *   'rev-over-fwd'        Hv = ∇ₓ(∂f(x)·v)                     grad(x ↦ jvp(f, x, v))    ≈ 3 gradients
 *
 * and the finite-difference modes approximate it from two or three gradients:
 *
 *   'finite-difference'   Hv ≈ (∇f(x + rv) − ∇f(x))/r          error O(r‖H′‖) + O(ε‖∇f‖/r)
 *   'central-difference'  Hv ≈ (∇f(x + rv) − ∇f(x − rv))/2r    error O(r²‖H″‖) + O(ε‖∇f‖/r)
 *
 * The default step balances the two error terms for float64 (ε = 2⁻⁵²):
 * r = √ε·(1 + ‖x‖)/‖v‖ for the one-sided difference and r = ∛ε·(1 + ‖x‖)/‖v‖ for the central one,
 * so the perturbation rv is about √ε (resp. ∛ε) relative to x. Pass `step` to override it.
 *
 * Every mode is built from differentiable transforms, so `hvp` can itself be differentiated
 * (third-order quantities such as ∇ₓ(vᵀH(x)v) work).
 */
import { InvalidArgumentError, NonFiniteError } from '../errors.js';
import { checkArity, checkFunction, checkOneOf, checkPositive, isPlainObject, readOptions } from '../validate.js';
import { add, div, dot, grad, jvp, mul, reshape, sub, type Tensor, type Tree } from '../autodiff/index.js';
import { flatten, matchTree, type Flattened } from '../autodiff/tree.js';
import { dataOf, fromData } from '../autodiff/tensor.js';
import { gradFor } from '../autodiff/transforms.js';

export type HvpMode = 'fwd-over-rev' | 'rev-over-rev' | 'rev-over-fwd' | 'finite-difference' | 'central-difference';

/** Every mode `hvp` accepts, in the order the tables print them (frozen). @example for (const mode of HVP_MODES) hvp(f, x, v, { mode }); */
export const HVP_MODES: readonly HvpMode[] = Object.freeze(['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd', 'finite-difference', 'central-difference'] as const);

const DIFFERENCE_MODES = ['finite-difference', 'central-difference'] as const;
type DifferenceMode = (typeof DIFFERENCE_MODES)[number];

export interface HvpOptions {
  /** How to compute the product (default `'fwd-over-rev'`). */
  mode?: HvpMode;
  /** Finite-difference step r, for the difference modes only; default chosen from float64 precision (see the module comment). */
  step?: number;
}

type ScalarFn<X> = (x: X, ...rest: never[]) => Tensor | number;

// ---------------------------------------------------------------------------------------------
// Reading arguments (shared with operators.ts and the applications)

/**
 * @internal Flattens a tree argument `name` of the public function `fn`. A cyclic array or object
 * is refused first: walking it would otherwise recurse until the stack overflows.
 * @example readTree('hvp', 'x', { w: tensor([1, 2]) }).leaves.length; // 1
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
    throw new InvalidArgumentError(fn, `${path} contains itself (a cyclic ${Array.isArray(node) ? 'array' : 'object'}); a tree of tensors must not refer back to itself`);
  }
  open.add(node);
  for (const [key, child] of Object.entries(node)) refuseCycles(fn, child, Array.isArray(node) ? `${path}[${key}]` : `${path}.${key}`, open);
  open.delete(node);
}

/**
 * @internal Reads `mode` and `step` of an options object already passed through `readOptions`:
 * a known mode, and a positive finite step — which only the difference modes take, so a step
 * given with an exact mode is an error rather than silently unused.
 * @example readModeAndStep('hvp', readOptions('hvp', options, ['mode', 'step'])); // { mode: 'fwd-over-rev', step: undefined }
 */
export function readModeAndStep(fn: string, options: { mode?: unknown; step?: unknown }): { mode: HvpMode; step: number | undefined } {
  const mode = options.mode === undefined ? 'fwd-over-rev' : checkOneOf(fn, 'options.mode', options.mode, HVP_MODES);
  if (options.step === undefined) return { mode, step: undefined };
  const step = checkPositive(fn, 'options.step', options.step);
  if (!isDifferenceMode(mode)) {
    throw new InvalidArgumentError(fn, `options.step is the finite-difference step and only the modes 'finite-difference' and 'central-difference' take it; mode '${mode}' is exact: leave step out`);
  }
  return { mode, step };
}

/** @internal True for the two modes that take a finite-difference step. @example isDifferenceMode('central-difference'); // true */
export function isDifferenceMode(mode: HvpMode): mode is DifferenceMode {
  return mode === 'finite-difference' || mode === 'central-difference';
}

// ---------------------------------------------------------------------------------------------
// Tree arithmetic

/**
 * ⟨a, b⟩ summed over every leaf of two trees of the same structure (0 for empty trees).
 * @example treeDot({ w: tensor([1, 2]) }, { w: tensor([3, 4]) }).item(); // 11
 */
export function treeDot(a: unknown, b: unknown): Tensor {
  checkArity('treeDot', arguments.length, 2);
  const fa = readTree('treeDot', 'a', a);
  return innerProduct(fa.leaves, readTangent('treeDot', 'b', fa, b));
}

/** Σ over leaves of ⟨aᵢ, bᵢ⟩: one vector·vector product per leaf (a reshape to a vector is free). */
function innerProduct(a: readonly Tensor[], b: readonly Tensor[]): Tensor {
  if (a.length === 0) return fromData(new Float64Array(1), []);
  return a.map((leaf, i) => dot(reshape(leaf, [-1]), reshape(b[i]!, [-1]))).reduce((s, t) => add(s, t));
}

/** a + s·b leaf by leaf. */
function treeAxpy(fn: string, a: unknown, s: number, b: unknown): unknown {
  const fa = flatten(a, fn, 'x');
  const lb = flatten(b, fn, 'v').leaves;
  return fa.rebuild(fa.leaves.map((leaf, i) => add(leaf, mul(s, lb[i]!))));
}

/** (a − b)/d leaf by leaf. */
function treeDifference(fn: string, a: unknown, b: unknown, d: number): unknown {
  const fa = flatten(a, fn, 'a');
  const lb = flatten(b, fn, 'b').leaves;
  return fa.rebuild(fa.leaves.map((leaf, i) => div(sub(leaf, lb[i]!), d)));
}

/** @internal The Euclidean norm of all the entries of the leaves, in leaf order. @example leavesNorm([tensor([3]), tensor([4])]); // 5 */
export function leavesNorm(leaves: readonly Tensor[]): number {
  let s = 0;
  for (const leaf of leaves) for (const value of dataOf(leaf)) s += value * value;
  return Math.sqrt(s);
}

// ---------------------------------------------------------------------------------------------
// The finite-difference step

/** @internal The default step of a difference mode from ‖x‖ and ‖v‖ (see the module comment). @example stepFor('hvp', 'finite-difference', 0, 1); // √ε */
export function stepFor(fn: string, mode: DifferenceMode, xNorm: number, vNorm: number): number {
  if (!Number.isFinite(xNorm) || !Number.isFinite(vNorm)) {
    throw new NonFiniteError(
      fn,
      `the default finite-difference step needs finite x and v, but ‖x‖ = ${xNorm} and ‖v‖ = ${vNorm}; ` +
        'remove the NaN or ±Infinity, or pass options.step',
    );
  }
  const base = mode === 'finite-difference' ? Math.sqrt(Number.EPSILON) : Math.cbrt(Number.EPSILON);
  return vNorm === 0 ? base : (base * (1 + xNorm)) / vNorm;
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
 * hvp(f, tensor([1, 1]), tensor([1, 0])).toArray(); // [2, 0.5] = ½(A + Aᵀ)·v
 * hvp(f, tensor([1, 1]), tensor([1, 0]), { mode: 'rev-over-rev' }); // the same
 */
export function hvp<X extends Tree>(f: ScalarFn<X>, x: X, v: X, options?: HvpOptions, ...rest: unknown[]): X extends number ? Tensor : X {
  const fn = 'hvp';
  checkFunction(fn, 'f', f);
  const primal = readTree(fn, 'x', x);
  const direction = readTangent(fn, 'v', primal, v);
  const { mode, step } = readModeAndStep(fn, readOptions(fn, options as { mode?: unknown; step?: unknown } | undefined, ['mode', 'step']));
  const fx = (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest);
  const r = step ?? (isDifferenceMode(mode) ? stepFor(fn, mode, leavesNorm(primal.leaves), leavesNorm(direction)) : undefined);
  return hessianVectorProduct(fn, fx, x, v, mode, r) as X extends number ? Tensor : X;
}

/**
 * @internal H(x)·v for arguments already checked by the public function `fn` (whose name errors
 * from inside f carry): v has x's structure, and `step` is set for the difference modes.
 * @example hessianVectorProduct('hvp', f, x, v, 'fwd-over-rev', undefined); // as hvp(f, x, v)
 */
export function hessianVectorProduct(fn: string, fx: (y: unknown) => Tensor | number, x: unknown, v: unknown, mode: HvpMode, step: number | undefined): unknown {
  const gradient = gradFor(fn, fx);
  switch (mode) {
    case 'fwd-over-rev':
      return jvp(gradient, x, v).tangent;
    case 'rev-over-rev': {
      const vLeaves = flatten(v, fn, 'v').leaves;
      return grad((y: unknown) => innerProduct(flatten(gradient(y), fn, 'gradient').leaves, vLeaves))(x);
    }
    case 'rev-over-fwd':
      return grad((y: unknown) => jvp(fx, y, v).tangent as Tensor)(x);
    case 'finite-difference':
      return treeDifference(fn, gradient(treeAxpy(fn, x, step!, v)), gradient(x), step!);
    case 'central-difference':
      return treeDifference(fn, gradient(treeAxpy(fn, x, step!, v)), gradient(treeAxpy(fn, x, -step!, v)), 2 * step!);
  }
}
