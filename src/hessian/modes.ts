/**
 * The Hessian-vector product modes, each written once.
 *
 * For a scalar f and a direction v, H(x)·v is the directional derivative of the gradient
 * g = ∇f. Three modes compute it exactly (to rounding) by composing the transforms; two
 * approximate it from a few gradients. Each row of `HVP_MODE_TABLE` says, for one mode:
 *
 * - `product(objective, x, v)`: one product H(x)·v, on trees, built from differentiable
 *   transforms (so `hvp` can itself be differentiated: third-order quantities work);
 * - `record(objective, x)`: f(x) and ∇f(x), and `times(v)` for products at the same x. The
 *   modes that can record the gradient once replay that recording per v; the others say so and
 *   compute afresh;
 * - `yields`: whether a product is a column J·v of the Jacobian J = ∂g/∂x (a forward sweep)
 *   or a row vᵀ·J (a backward sweep). H is symmetric, so both are H·v, but a dense Hessian
 *   assembled from unit vectors must know which it stacks — the difference quotients are not
 *   exactly symmetric.
 *
 *   mode                  one product                                   record once, replay per v
 *   'fwd-over-rev'        Hv = ∂/∂ε ∇f(x + εv)|ε=0 = jvp(∇f, x, v)       linearize ∇f: a forward sweep over its tape
 *   'rev-over-rev'        Hv = ∇ₓ⟨∇f(x), v⟩                             the same tape, swept back: vᵀ·J = (Hv)ᵀ
 *   'rev-over-fwd'        Hv = ∇ₓ(∂f(x)·v) = grad(x ↦ jvp(f, x, v))      cannot: v enters the innermost trace
 *   'finite-difference'   Hv ≈ (∇f(x + rv) − ∇f(x))/r                    keeps ∇f(x); one gradient per v
 *   'central-difference'  Hv ≈ (∇f(x + rv) − ∇f(x − rv))/2r              two gradients per v
 *
 * Costs, in gradients per product: fwd-over-rev ≈ 2–3, rev-over-rev ≈ 3–4, rev-over-fwd ≈ 3;
 * a replayed recording costs only the sweep. The difference modes' errors are
 * O(r‖H′‖) + O(ε‖∇f‖/r) one-sided and O(r²‖H″‖) + O(ε‖∇f‖/r) central; the default step
 * balances the two for float64 (ε = 2⁻⁵²): r = √ε·(1 + ‖x‖)/‖v‖ one-sided and
 * r = ∛ε·(1 + ‖x‖)/‖v‖ central, so the perturbation rv is about √ε (resp. ∛ε) relative to x.
 *
 * Any recording can also be compiled: `hessianOperator(f, x, { jit: true })` hands its `times`
 * to `jit`, which traces one product, folds everything that depends on x alone and runs the
 * generated code for every later product (hessian-operator.ts).
 */
import { InvalidArgumentError, NonFiniteError } from '../errors.js';
import { checkBoolean, checkNonNegative, checkOneOf, checkPositive, readOptions } from '../validate.js';
import { add, div, dot, jvp, mul, reshape, sub, type Tensor } from '../autodiff/index.js';
import { flatten } from '../autodiff/tree.js';
import { dataOf, fromData } from '../autodiff/tensor.js';
import { recordLinearMaps, valueAndGradAt } from '../autodiff/transforms.js';
import { norm2 } from '../linalg/index.js';

/** How a Hessian-vector product is computed; see `hvp` for what each mode costs and how accurate it is. */
export type HvpMode = 'fwd-over-rev' | 'rev-over-rev' | 'rev-over-fwd' | 'finite-difference' | 'central-difference';

/** Every mode `hvp` accepts, in the order the tables print them (frozen). @example for (const mode of HVP_MODES) hvp(f, x, v, { mode }); */
export const HVP_MODES: readonly HvpMode[] = Object.freeze([
  'fwd-over-rev',
  'rev-over-rev',
  'rev-over-fwd',
  'finite-difference',
  'central-difference',
] as const);

/** The two modes that take a finite-difference step. */
export const DIFFERENCE_MODES = ['finite-difference', 'central-difference'] as const;
export type DifferenceMode = (typeof DIFFERENCE_MODES)[number];

/** The function whose Hessian is taken, as every mode sees it. */
export interface Objective {
  /** The public function the user called (`hvp`, `hessianOperator`, …): errors raised while f runs name it. */
  readonly fn: string;
  /** f, with the extra arguments of the public call already bound. */
  readonly f: (x: unknown) => Tensor | number;
  /** `options.step` of a difference mode; undefined for the default step (and for the exact modes). */
  readonly step: number | undefined;
}

/** What `record` returns: f(x) and ∇f(x) as trees, and the product at the same x. */
export interface HessianRecording {
  readonly value: Tensor;
  readonly gradient: unknown;
  /** H(x)·v for a tree v shaped like x. */
  times(v: unknown): unknown;
}

/** One mode: a row of the table below. */
export interface HvpModeRule {
  /** True for the difference modes, the only ones that take `options.step`. */
  readonly takesStep: boolean;
  /** A product is a column J·v of J = ∂(∇f)/∂x (forward) or a row vᵀ·J (reverse). */
  readonly yields: 'column' | 'row';
  product(objective: Objective, x: unknown, v: unknown): unknown;
  record(objective: Objective, x: unknown): HessianRecording;
}

const gradientAt = (o: Objective, x: unknown): unknown => valueAndGradAt(o.fn, o.f, x, []).grad;

/** The gradient recorded once, with f(x) carried beside it (not differentiated) as the recording's aux. */
function recordGradient(
  o: Objective,
  x: unknown,
): { value: Tensor; gradient: unknown; push: (v: unknown) => unknown; pull: (u: unknown) => unknown } {
  const gradientAndValue = (y: unknown) => {
    const { value, grad } = valueAndGradAt(o.fn, o.f, y, []);
    return [grad, value];
  };
  const { value, aux, jvp: push, vjp: pull } = recordLinearMaps(o.fn, gradientAndValue, x, [], true);
  return { value: aux as Tensor, gradient: value, push, pull };
}

/** A mode that records nothing beyond f(x) and ∇f(x): each product is computed afresh. */
function recordAfresh(o: Objective, x: unknown, product: (v: unknown) => unknown): HessianRecording {
  const { value, grad } = valueAndGradAt(o.fn, o.f, x, []);
  return { value, gradient: grad, times: product };
}

export const HVP_MODE_TABLE: Readonly<Record<HvpMode, HvpModeRule>> = Object.freeze({
  'fwd-over-rev': {
    takesStep: false,
    yields: 'column',
    product: (o, x, v) => jvp((y: unknown) => gradientAt(o, y), x, v).tangent,
    record(o, x) {
      const { value, gradient, push } = recordGradient(o, x);
      return { value, gradient, times: push };
    },
  },
  'rev-over-rev': {
    takesStep: false,
    yields: 'row',
    product(o, x, v) {
      const vLeaves = flatten(v, o.fn, 'v').leaves;
      return valueAndGradAt(
        o.fn,
        (y: unknown) => innerProduct(flatten(gradientAt(o, y), o.fn, 'gradient').leaves, vLeaves),
        x,
        [],
      ).grad;
    },
    record(o, x) {
      const { value, gradient, pull } = recordGradient(o, x);
      return { value, gradient, times: pull };
    },
  },
  'rev-over-fwd': {
    takesStep: false,
    yields: 'row',
    product: (o, x, v) => valueAndGradAt(o.fn, (y: unknown) => jvp(o.f, y, v).tangent, x, []).grad,
    record: (o, x) => recordAfresh(o, x, (v) => HVP_MODE_TABLE['rev-over-fwd'].product(o, x, v)),
  },
  'finite-difference': {
    takesStep: true,
    yields: 'column',
    product(o, x, v) {
      const r = stepAt(o, 'finite-difference', x, v);
      return treeDifference(o.fn, gradientAt(o, treeAxpy(o.fn, x, r, v)), gradientAt(o, x), r);
    },
    record(o, x) {
      refuseNonFinitePoint(o, 'finite-difference', x);
      const recorded = recordAfresh(o, x, (v) => {
        const r = stepAt(o, 'finite-difference', x, v);
        return treeDifference(o.fn, gradientAt(o, treeAxpy(o.fn, x, r, v)), recorded.gradient, r);
      });
      return recorded;
    },
  },
  'central-difference': {
    takesStep: true,
    yields: 'column',
    product(o, x, v) {
      const r = stepAt(o, 'central-difference', x, v);
      return treeDifference(
        o.fn,
        gradientAt(o, treeAxpy(o.fn, x, r, v)),
        gradientAt(o, treeAxpy(o.fn, x, -r, v)),
        2 * r,
      );
    },
    record(o, x) {
      refuseNonFinitePoint(o, 'central-difference', x);
      return recordAfresh(o, x, (v) => HVP_MODE_TABLE['central-difference'].product(o, x, v));
    },
  },
});

// ---------------------------------------------------------------------------------------------
// Reading the mode options (one place for every function that takes them)

/**
 * @internal Reads `mode` and `step` of an options object already passed through `readOptions`:
 * a known mode, and a positive finite step — which only the difference modes take, so a step
 * given with an exact mode is an error rather than silently unused.
 * @example readModeAndStep('hvp', {}); // → { mode: 'fwd-over-rev', step: undefined }
 */
export function readModeAndStep(
  fn: string,
  options: { mode?: unknown; step?: unknown },
): { mode: HvpMode; step: number | undefined } {
  const mode = options.mode === undefined ? 'fwd-over-rev' : checkOneOf(fn, 'options.mode', options.mode, HVP_MODES);
  if (options.step === undefined) return { mode, step: undefined };
  const step = checkPositive(fn, 'options.step', options.step);
  if (!HVP_MODE_TABLE[mode].takesStep) {
    throw new InvalidArgumentError(
      fn,
      `options.step is the finite-difference step and only the modes 'finite-difference' and 'central-difference' take it; mode '${mode}' is exact: leave step out`,
    );
  }
  return { mode, step };
}

/** Validated settings of a Hessian operator (and of the functions built on one). */
export interface HessianSettings {
  readonly mode: HvpMode;
  /** λ ≥ 0: the operator applies H + λI. */
  readonly damping: number;
  readonly step: number | undefined;
  /** Compile the recorded product (`hessianOperator`'s `jit` option; unset elsewhere). */
  readonly jit?: boolean;
}

/** @internal Reads `mode`, `step` and (when `keys` lists them) `damping` and `jit` for `fn`. @example readHessianSettings('hessianDiagonal', options, ['mode', 'step']); */
export function readHessianSettings(
  fn: string,
  options: unknown,
  keys: readonly ('mode' | 'damping' | 'step' | 'jit')[],
): HessianSettings {
  const given = readOptions(
    fn,
    options as { mode?: unknown; damping?: unknown; step?: unknown; jit?: unknown } | undefined,
    keys,
  );
  const { mode, step } = readModeAndStep(fn, given);
  const damping = given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping);
  return { mode, damping, step, jit: given.jit === undefined ? false : checkBoolean(fn, 'options.jit', given.jit) };
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

/** The step of one difference product: the given one, or the default for this x and v. */
function stepAt(o: Objective, mode: DifferenceMode, x: unknown, v: unknown): number {
  return (
    o.step ?? stepFor(o.fn, mode, leavesNorm(flatten(x, o.fn, 'x').leaves), leavesNorm(flatten(v, o.fn, 'v').leaves))
  );
}

/** Refuses a non-finite x when the operator is built, not at its first product. */
function refuseNonFinitePoint(o: Objective, mode: DifferenceMode, x: unknown): void {
  if (o.step === undefined) stepFor(o.fn, mode, leavesNorm(flatten(x, o.fn, 'x').leaves), 0);
}

/**
 * @internal The Euclidean norm of all the entries of the leaves, in leaf order. Only when the
 * plain sum of squares overflows (finite entries above ~1e154) is it recomputed scaled, leaf by
 * leaf with `norm2` and combined with `Math.hypot`, so a large but finite x has a finite norm.
 * @example leavesNorm([tensor([3]), tensor([4])]); // 5
 */
export function leavesNorm(leaves: readonly Tensor[]): number {
  let s = 0;
  for (const leaf of leaves) for (const value of dataOf(leaf)) s += value * value;
  if (s === Infinity) return leaves.reduce((norm, leaf) => Math.hypot(norm, norm2(dataOf(leaf))), 0);
  return Math.sqrt(s);
}

// ---------------------------------------------------------------------------------------------
// Tree arithmetic (differentiable: the products above stay traceable)

/** @internal Σ over leaves of ⟨aᵢ, bᵢ⟩: one vector·vector product per leaf (a reshape to a vector is free). @example innerProduct([tensor([1, 2])], [tensor([3, 4])]).item(); // 11 */
export function innerProduct(a: readonly Tensor[], b: readonly Tensor[]): Tensor {
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
