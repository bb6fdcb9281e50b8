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
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { add, div, dot, grad, jvp, mul, reshape, sub, type Tensor, type Tree } from '../autodiff/index.js';
import { flatten, matchTree } from '../autodiff/tree.js';
import { dataOf } from '../autodiff/tensor.js';
import { gradFor } from '../autodiff/transforms.js';

export type HvpMode = 'fwd-over-rev' | 'rev-over-rev' | 'rev-over-fwd' | 'finite-difference' | 'central-difference';

/** Every mode `hvp` accepts, in the order the tables print them. @example for (const mode of HVP_MODES) hvp(f, x, v, { mode }); */
export const HVP_MODES: readonly HvpMode[] = ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd', 'finite-difference', 'central-difference'];

export interface HvpOptions {
  /** How to compute the product (default `'fwd-over-rev'`). */
  mode?: HvpMode;
  /** Finite-difference step r; default chosen from float64 precision (see the module comment). */
  step?: number;
}

type ScalarFn<X> = (x: X, ...rest: never[]) => Tensor | number;

/** ⟨a, b⟩ summed over every leaf of two trees of the same structure. @example treeDot({ w: tensor([1, 2]) }, { w: tensor([3, 4]) }).item(); // 11 */
export function treeDot(a: unknown, b: unknown): Tensor {
  const fa = flatten(a, 'treeDot', 'a');
  const lb = matchTree('treeDot', 'b', fa, b);
  // One vector·vector product per leaf (a reshape to a vector is free for vectors).
  return fa.leaves.map((leaf, i) => dot(reshape(leaf, [-1]), reshape(lb[i]!, [-1]))).reduce((s, t) => add(s, t));
}

/** a + s·b leaf by leaf. */
function treeAxpy(a: unknown, s: number, b: unknown): unknown {
  const fa = flatten(a, 'hvp', 'x');
  const lb = matchTree('hvp', 'v', fa, b);
  return fa.rebuild(fa.leaves.map((leaf, i) => add(leaf, mul(s, lb[i]!))));
}

/** (a − b)/d leaf by leaf. */
function treeDifference(a: unknown, b: unknown, d: number): unknown {
  const fa = flatten(a, 'hvp', 'a');
  const lb = matchTree('hvp', 'b', fa, b);
  return fa.rebuild(fa.leaves.map((leaf, i) => div(sub(leaf, lb[i]!), d)));
}

function treeNorm(a: unknown): number {
  let s = 0;
  for (const leaf of flatten(a, 'hvp').leaves) for (const value of dataOf(leaf)) s += value * value;
  return Math.sqrt(s);
}

/** The default finite-difference step for `mode` (see the module comment). @example defaultStep('central-difference', tensor([0]), tensor([1])); // ∛ε ≈ 6.06e-6 */
export function defaultStep(mode: 'finite-difference' | 'central-difference', x: unknown, v: unknown): number {
  const vNorm = treeNorm(v);
  const base = mode === 'finite-difference' ? Math.sqrt(Number.EPSILON) : Math.cbrt(Number.EPSILON);
  return vNorm === 0 ? base : (base * (1 + treeNorm(x))) / vNorm;
}

/**
 * The Hessian-vector product H(x)·v of a scalar function, in the shape (tree) of `x`.
 * Extra arguments after the options are passed to `f`.
 *
 * @example
 * const A = tensor([[2, 1], [0, 3]]);
 * const f = (x: Tensor) => mul(0.5, dot(x, matmul(A, x)));
 * hvp(f, tensor([1, 1]), tensor([1, 0])).toArray(); // [2, 0.5] = ½(A + Aᵀ)·v
 * hvp(f, tensor([1, 1]), tensor([1, 0]), { mode: 'rev-over-rev' }); // the same
 */
export function hvp<X extends Tree>(f: ScalarFn<X>, x: X, v: X, options: HvpOptions = {}, ...rest: unknown[]): X extends number ? Tensor : X {
  if (typeof f !== 'function') throw new InvalidArgumentError('hvp', `expected a scalar function, got ${typeof f}`);
  const mode = options.mode ?? 'fwd-over-rev';
  const fx = (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest);
  const gradient = gradFor('hvp', fx);
  matchTree('hvp', 'v', flatten(x, 'hvp'), v); // structure and shapes checked once, with hvp's name
  let result: unknown;
  switch (mode) {
    case 'fwd-over-rev':
      result = jvp(gradient, x, v).tangent;
      break;
    case 'rev-over-rev':
      result = grad((y: unknown) => treeDot(gradient(y), v))(x);
      break;
    case 'rev-over-fwd':
      result = grad((y: unknown) => jvp(fx, y, v).tangent as Tensor)(x);
      break;
    case 'finite-difference': {
      const r = checkStep(options.step ?? defaultStep(mode, x, v));
      result = treeDifference(gradient(treeAxpy(x, r, v)), gradient(x), r);
      break;
    }
    case 'central-difference': {
      const r = checkStep(options.step ?? defaultStep(mode, x, v));
      result = treeDifference(gradient(treeAxpy(x, r, v)), gradient(treeAxpy(x, -r, v)), 2 * r);
      break;
    }
    default:
      throw new InvalidArgumentError('hvp', `unknown mode ${JSON.stringify(mode)}; use one of ${HVP_MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  return result as X extends number ? Tensor : X;
}

/**
 * v must have x's structure: the same keys and nesting, not merely the same number of leaves.
 * `matchTree` pairs leaves by position, so for x = { a, b } it would accept v = { c, d } or
 * v = { b, a } (equal shapes) and silently return H applied to the leaves in the wrong slots.
 */
function checkStep(step: number): number {
  if (!(step > 0) || !Number.isFinite(step)) {
    throw new InvalidArgumentError('hvp', `step must be a positive finite number, got ${step}`);
  }
  return step;
}
