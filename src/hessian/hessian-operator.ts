/**
 * Hessians as linear operators, recorded once and applied many times.
 *
 * Iterative solvers call `apply` hundreds of times, so `hessianOperator` records at x once with
 * its mode's `record` (see `modes.ts`): in 'fwd-over-rev' and 'rev-over-rev' the gradient's tape
 * is kept and each product is one forward or backward sweep over it — neither replays the primal
 * or the gradient, only the tangent or cotangent is new per v. The other modes cannot record the
 * product and say so: they compute it afresh per v.
 *
 * Parameters may be trees: the operator acts on the flat vector `ravel(params)`, converted
 * outside the recording by a flat view. Every argument is checked once, when the public function
 * is called; the products that loops inside tapegrad run (the diagonal, the dense Hessian, the
 * optimisers) skip the check that a user's `apply(v)` makes. Operators handed out are frozen and
 * return fresh arrays.
 */
import { checkArity, checkFunction, checkVector } from '../validate.js';
import type { Tensor, Tree } from '../autodiff/index.js';
import { dataOf } from '../autodiff/tensor.js';
import { flatView as viewOf, type FlatView } from '../autodiff/tree.js';
import { axpy } from '../linalg/index.js';
import { jit } from '../autodiff/jit/index.js';
import { readTree } from './hvp.js';
import {
  HVP_MODE_TABLE,
  readHessianSettings,
  type HessianRecording,
  type HessianSettings,
  type HvpMode,
  type Objective,
} from './modes.js';
import type { LinearOperator } from './linear/index.js';

export type { FlatView } from '../autodiff/tree.js';

/** A Hessian operator: a LinearOperator on the flat parameter vector, with what was computed at x. */
export interface HessianOperator extends LinearOperator {
  readonly mode: HvpMode;
  readonly damping: number;
  /** Whether products run compiled code (the `jit` option). */
  readonly jit: boolean;
  /** f(x). */
  readonly value: number;
  /** ∇f(x), flattened (a fresh copy on every read). */
  readonly gradient: Float64Array;
  /** The exact diagonal of H + λI (n products, computed on first call and cached; a fresh copy each call). */
  readonly diagonal: () => Float64Array;
}

/** Options of `hessianOperator`: the HVP mode, the damping λ (the operator applies H + λI) and the step of the difference modes. */
export interface HessianOperatorOptions {
  mode?: HvpMode;
  /** λ ≥ 0: the operator applies H + λI. */
  damping?: number;
  /** Finite-difference step for the difference modes (only those take it). */
  step?: number;
  /**
   * Compile the product (default false): building the operator traces one product with `jit`,
   * optimises it and generates JavaScript for it; every `apply` runs only that code. What
   * depends on x alone is folded into constants, so a product costs about what a hand-written
   * operator does. Same results as the interpreted operator, bit for bit. The difference modes,
   * whose step depends on v's values, cannot be compiled and replay their recording instead.
   */
  jit?: boolean;
}

/**
 * @internal Adds λ·v to Hv. `hv` must be the caller's own fresh array (both callers pass what a
 * flat view's `toFlat` just made), so with λ = 0 it is returned as it is: apply never hands out
 * internal arrays, and copies nothing twice.
 * @example withDamping(new Float64Array([1, 2]), new Float64Array([1, 0]), 0.1); // → [1.1, 2]
 */
export function withDamping(hv: Float64Array, v: Float64Array, damping: number): Float64Array {
  return damping === 0 ? hv : axpy(damping, v, hv, hv);
}

/** @internal The diagonal eᵢᵀ·A·eᵢ of a product map, from n products with the unit vectors. @example diagonalOf(3, (v) => v); // [1, 1, 1] */
export function diagonalOf(size: number, product: (v: Float64Array) => Float64Array): Float64Array {
  const diagonal = new Float64Array(size);
  const e = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    e[i] = 1;
    diagonal[i] = product(e)[i]!;
    e[i] = 0;
  }
  return diagonal;
}

/** @internal The public `apply` of an operator named `fn`: one validated argument, then the unchecked product. @example checkedApply('gaussNewtonOperator', 2, (u) => u.map((e) => 2 * e))(new Float64Array([1, 3])); // → [2, 6] */
export function checkedApply(
  fn: string,
  size: number,
  product: (v: Float64Array) => Float64Array,
): (v: Float64Array) => Float64Array {
  const name = `${fn}().apply`;
  return function apply(v: Float64Array): Float64Array {
    checkArity(name, arguments.length, 1);
    return product(checkVector(name, 'v', v, { length: size }));
  };
}

/** @internal The flat view of the tree argument `name` of `fn` (validated here, once). @example flatView('hessianOperator', 'x', { w: zeros([2]), b: 0 }).size; // 3 */
export function flatView(fn: string, name: string, x: unknown): FlatView {
  return viewOf(readTree(fn, name, x), fn);
}

/** A recorded Hessian: the unchecked product (for loops inside tapegrad) and what came with it. */
export interface RecordedHessian {
  readonly size: number;
  /** (H + λI)·v into a fresh array; v is not checked. */
  readonly product: (v: Float64Array) => Float64Array;
  readonly value: () => number;
  readonly gradient: Float64Array;
  readonly view: FlatView;
}

/**
 * @internal Records the Hessian of `f` at `x` for the public function `fn` with the mode's
 * `record` (see `modes.ts`): f, x and the settings must already be validated (x through
 * `readTree`, i.e. `view`). Errors raised while f runs name `fn`. The tape is traced on the tree
 * itself (no ravel inside it); v is split into leaves outside.
 * @example recordHessian('newtonCg', loss, params, flatView('newtonCg', 'params', params), { mode: 'fwd-over-rev', damping: 0, step: undefined }, []).product(b);
 */
export function recordHessian(
  fn: string,
  f: (x: never, ...rest: never[]) => Tensor | number,
  x: unknown,
  view: FlatView,
  settings: HessianSettings,
  rest: readonly unknown[],
): RecordedHessian {
  const objective = {
    fn,
    f: (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest),
    step: settings.step,
  };
  const recording = HVP_MODE_TABLE[settings.mode].record(objective, x);
  const value = dataOf(recording.value)[0]!;
  const times = settings.jit === true ? compiledTimes(objective, settings.mode, x, view, recording) : recording.times;
  const product = (v: Float64Array) => withDamping(view.toFlat(times(view.toTree(v))), v, settings.damping);
  return { size: view.size, product, value: () => value, gradient: view.toFlat(recording.gradient), view };
}

/**
 * The product compiled with `jit`, x fixed: one product is traced (now, at a zero v) with v as
 * its only input, and everything that depends on x alone — the primal, the gradient's
 * coefficients — is folded into constants of the generated code. That is what a hand-written
 * operator precomputes, and it beats compiling the replay of the recording, whose memoised
 * coefficients are already materialised arrays. Where the product cannot be compiled (a
 * difference mode's step depends on v's values), the recording's own replay is used.
 */
function compiledTimes(
  objective: Objective,
  mode: HvpMode,
  x: unknown,
  view: FlatView,
  recording: HessianRecording,
): (v: unknown) => unknown {
  const product = HVP_MODE_TABLE[mode].product;
  const compiled = jit((v: unknown) => product(objective, x, v));
  return compiled.lower(view.toTree(new Float64Array(view.size))).valueDependent === undefined
    ? compiled
    : recording.times;
}

/**
 * The Hessian of a scalar `f` at `x` as a LinearOperator on the flattened parameters, recorded
 * once and replayed per product in the `'fwd-over-rev'` (default) and `'rev-over-rev'` modes.
 * Extra arguments after the options are passed to `f`. An empty x gives an operator of size 0.
 * `apply(v)` takes a finite Float64Array of length `size` and returns a fresh array.
 *
 * @example
 * const H = hessianOperator(loss, params, { damping: 1e-3 });
 * const Hv = H.apply(new Float64Array(H.size).fill(1));
 * cgSolve(H, H.gradient); // a Newton step
 */
export function hessianOperator<X extends Tree>(
  f: (x: X, ...rest: never[]) => Tensor | number,
  x: X,
  options?: HessianOperatorOptions,
  ...rest: unknown[]
): HessianOperator {
  const fn = 'hessianOperator';
  checkFunction(fn, 'f', f);
  const view = flatView(fn, 'x', x);
  const settings = readHessianSettings(fn, options, ['mode', 'damping', 'step', 'jit']);
  const { size, product, value, gradient } = recordHessian(fn, f as (x: never) => Tensor, x, view, settings, rest);
  let diagonal: Float64Array | undefined;
  return Object.freeze({
    size,
    mode: settings.mode,
    damping: settings.damping,
    jit: settings.jit === true,
    value: value(),
    /** A fresh copy on every read: the operator's own gradient cannot be changed through it. */
    get gradient() {
      return gradient.slice();
    },
    apply: checkedApply(fn, size, product),
    diagonal(): Float64Array {
      checkArity(`${fn}().diagonal`, arguments.length, 0);
      diagonal ??= diagonalOf(size, product);
      return diagonal.slice();
    },
  });
}
