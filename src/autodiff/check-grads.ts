/**
 * `checkGrads`: tests a function's derivatives — forward and reverse mode, to any order —
 * against central differences, the way HIPS autograd's `check_grads` does. Use it on your own
 * functions and ops; tapegrad runs it over every primitive it ships (test/autodiff/ops.test.ts).
 *
 * ## What one check compares
 *
 * Pick a random unit direction v (over all leaves of x) and form the central difference
 *
 *     D(v) = (f(x + h·v) − f(x − h·v)) / 2h
 *
 * - mode `'fwd'`: the tangent `jvp(f, x, v).tangent` must equal D(v) entry by entry (compared in
 *   the max norm);
 * - mode `'rev'`: for a random cotangent ū, `⟨pullback(ū), v⟩` must equal `⟨ū, D(v)⟩` — the
 *   defining identity of a VJP, ūᵀ(J v) = (Jᵀū)ᵀv, tested without forming J.
 *
 * ## Higher orders
 *
 * For `order` ≥ 2 the derivative maps are themselves functions of x, and the same procedure
 * checks them with `order − 1`: `x ↦ jvp(f, x, v).tangent` (with a fixed random v) and
 * `x ↦ pullback_x(ū)` (with a fixed random ū, raveled to one vector). That exercises every rule's
 * own derivative — the double-backward and forward-over-reverse paths — exactly as autograd's
 * recursion does. The number of functions checked doubles with each order (1, 3, 7 for orders
 * 1, 2, 3 with both modes), each in every mode.
 *
 * ## Step and tolerance
 *
 * The central difference has truncation error h²/6·|f‴| and rounding error about ε·|f|/h, so
 * the default step balances them: h = ε^(1/3)·max(1, max|x|) ≈ 6.1e-6·max(1, max|x|), giving
 * errors near 4e-11 relative for well-scaled functions. The same step is right at every order:
 * each level differences a derivative map that autodiff evaluates to full precision (unlike
 * differencing differences, which would need a larger step per order).
 *
 * Two details keep the comparison honest. (1) The step actually taken is
 * (fl(x + hv) − fl(x − hv))/2h, not v: for x of size 1000 the rounding of x + hv alone is
 * 1e-8 relative, so the autodiff side is evaluated along this exact step instead.
 * (2) Rounding in f's values is allowed for: a difference may be off by
 * 32ε·(|f(x+hv)| + |f(x−hv)|)/2h, which matters for large-valued functions such as
 * logSumExp(1000 + x). Below that floor (plus `atol`) differences are judged absolutely; above
 * it, the relative error |autodiff − numeric| / magnitude must not exceed `rtol` (default 1e-6,
 * four to five orders above the expected error, room for functions with large third
 * derivatives).
 *
 * What this file leaves out: choosing domains (a check across a kink, like relu at 0, fails by
 * design — sample away from kinks) and anything about performance.
 */
import {
  checkArity,
  checkFiniteEntries,
  checkFunction as checkIsFunction,
  checkNumber,
  checkOneOf,
  checkSeed,
  describeValue,
  readOptions,
} from '../validate.js';
import { InvalidArgumentError, TapegradError, formatShape } from '../errors.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import { axpy, dot, norm2 } from '../linalg/vector.js';
import { dataOf, fromData, Tensor, describe } from './tensor.js';
import { jvp, vjp } from './transforms.js';
import { flatView, flatten, ravel, type FlatView, type Flattened, type TensorTree, type Tree } from './tree.js';

/** Which derivative maps `checkGrads` compares with central differences: `'fwd'` (jvp) and `'rev'` (vjp). */
export type CheckGradsMode = 'fwd' | 'rev';

/** Options of `checkGrads`: the orders and modes to check, the difference step, tolerances and seed. */
export interface CheckGradsOptions {
  /** Highest derivative order to check (default 2). Cost doubles with each order. */
  order?: number;
  /** Which modes to check (default both): `'fwd'` (jvp) and `'rev'` (vjp). */
  modes?: readonly CheckGradsMode[];
  /** Central-difference step h (default ε^(1/3)·max(1, max|x|) ≈ 6e-6 for |x| ≤ 1). */
  eps?: number;
  /** Relative tolerance on |autodiff − numeric| / magnitude (default 1e-6). */
  rtol?: number;
  /** Absolute tolerance, in the units of f's derivative (default 1e-8). */
  atol?: number;
  /** Seed of the random directions and cotangents (default 0). */
  seed?: number;
}

/** What `checkGrads` returns when every check passed. */
export interface CheckGradsSummary {
  /** Number of comparisons made (one per function checked, per mode). */
  readonly checks: number;
  /** The largest relative error seen (each ≤ rtol, or checkGrads would have thrown). */
  readonly maxRelativeError: number;
}

const EPS = Number.EPSILON;
/** The highest order checkGrads checks: each order doubles the work (2^order functions). */
const MAX_ORDER = 6;
/** Allowed rounding in each value of f, in units of ε·|f| (room for sums and a modest condition number). */
const VALUE_ROUNDING = 32;

type TensorFunction = (x: unknown) => Tensor;

interface Context {
  readonly flat: Flattened;
  readonly view: FlatView;
  readonly point: Float64Array;
  readonly step: number;
  readonly rtol: number;
  readonly atol: number;
  readonly order: number;
  readonly modes: readonly CheckGradsMode[];
  readonly rng: RandomSource;
  checks: number;
  maxRelativeError: number;
}

/**
 * Checks the derivatives of `f` at `x` against central differences, in forward and reverse
 * mode, up to `order`. Throws a `TapegradError` with code `'grad-check'` naming the mode, the
 * order, the function checked, the two numbers and their relative error at the first mismatch.
 *
 * `f` takes a Tensor or a tree of Tensors (like the transforms) and returns a Tensor of any
 * shape. Sample `x` away from kinks and domain edges.
 *
 * @example
 * const summary = checkGrads((x) => sum(mul(sin(x), exp(x))), tensor([0.1, 0.7, -0.3]), { order: 3 });
 * summary.checks; // 14: 7 functions (f, its jvp and vjp maps, and theirs) × 2 modes
 *
 * // A tree input, checked with respect to every leaf:
 * const inputs = tensor([1, -2, 0.5]);
 * checkGrads(({ w, b }) => tanh(add(matmul(w, inputs), b)), { w: randn([2, 3], 1), b: randn([2], 2) });
 *
 * // A failure says where: "checkGrads: reverse-mode (vjp) check of order 2 failed for
 * // x ↦ jvp(f, x, v).tangent: … autodiff gives 0.41 but central differences give 0.27; relative error …
 */
export function checkGrads<X>(f: (x: TensorTree<X>) => Tensor, x: X, options?: CheckGradsOptions): CheckGradsSummary {
  const fn = 'checkGrads';
  checkArity(fn, arguments.length, 3);
  checkIsFunction(fn, 'f', f);
  const given = readOptions(fn, options, ['order', 'modes', 'eps', 'rtol', 'atol', 'seed']);
  // Each order doubles the functions checked (f, its jvp and vjp maps, theirs, …): 2^order work.
  const order = checkNumber(fn, 'options.order', given.order ?? 2, { integer: true, min: 1, max: MAX_ORDER });
  const modes = given.modes ?? ['fwd', 'rev'];
  if (!Array.isArray(modes) || modes.length === 0) {
    throw new InvalidArgumentError(
      fn,
      `options.modes must be a non-empty list of 'fwd' and 'rev', got ${describeValue(modes)}`,
    );
  }
  modes.forEach((m: unknown, i) => checkOneOf(fn, `options.modes[${i}]`, m, ['fwd', 'rev'] as const));
  const flat = flatten(x, fn);
  const view = flatView(flat, fn);
  const point = view.toFlat(flat.rebuild(flat.leaves));
  checkFiniteEntries(fn, 'x (flattened)', point, 'check the derivatives at a finite point');
  let largest = 0;
  for (const v of point) largest = Math.max(largest, Math.abs(v));
  const step =
    given.eps === undefined
      ? Math.cbrt(EPS) * Math.max(1, largest)
      : checkNumber(fn, 'options.eps', given.eps, { above: 0 });
  const rtol = checkNumber(fn, 'options.rtol', given.rtol ?? 1e-6, { min: 0 });
  const atol = checkNumber(fn, 'options.atol', given.atol ?? 1e-8, { min: 0 });
  const seed = checkSeed(fn, given.seed ?? 0);
  const context: Context = {
    flat,
    view,
    point,
    step,
    rtol,
    atol,
    order,
    modes,
    rng: createRandom(seed),
    checks: 0,
    maxRelativeError: 0,
  };
  checkFunction(context, f as TensorFunction, 'f', 1);
  return { checks: context.checks, maxRelativeError: context.maxRelativeError };
}

/** Checks `g` in every mode at derivative order `order`, then recurses into its derivative maps. */
function checkFunction(c: Context, g: TensorFunction, label: string, order: number): void {
  const value = evaluate(g, c.flat.rebuild(c.flat.leaves), label);
  if (c.point.length > 0 && value.size > 0) {
    const direction = unitRandom(c.rng, c.point.length);
    const plus = axpy(c.step, direction, c.point);
    const minus = axpy(-c.step, direction, c.point);
    // The step actually taken, per unit h: exact differences of nearby floats, so no rounding of x + hv leaks in.
    const taken = new Float64Array(c.point.length);
    for (let i = 0; i < taken.length; i++) taken[i] = (plus[i]! - minus[i]!) / (2 * c.step);
    const fPlus = evaluate(g, c.view.toTree(plus), label, value.shape);
    const fMinus = evaluate(g, c.view.toTree(minus), label, value.shape);
    const numeric = new Float64Array(value.size);
    const noise = new Float64Array(value.size);
    for (let i = 0; i < numeric.length; i++) {
      const a = dataOf(fPlus)[i]!;
      const b = dataOf(fMinus)[i]!;
      numeric[i] = (a - b) / (2 * c.step);
      noise[i] = (VALUE_ROUNDING * EPS * (Math.abs(a) + Math.abs(b))) / (2 * c.step);
    }
    const at = c.flat.rebuild(c.flat.leaves);
    const along = c.view.toTree(taken);
    if (c.modes.includes('fwd')) compareForward(c, g, at, along, numeric, noise, label, order);
    if (c.modes.includes('rev')) compareReverse(c, g, at, taken, numeric, noise, value.shape, label, order);
  }
  if (order >= c.order) return;
  if (c.modes.includes('fwd')) {
    const v = c.view.toTree(unitRandom(c.rng, c.point.length));
    const jvpMap: TensorFunction = (z) => jvp(g, z, v).tangent;
    checkFunction(c, jvpMap, `x ↦ jvp(${label}, x, v).tangent`, order + 1);
  }
  if (c.modes.includes('rev')) {
    const u = fromData(unitRandom(c.rng, value.size), value.shape);
    const vjpMap: TensorFunction = (z) => ravel(vjp(g, z).pullback(u) as Tree).vector;
    checkFunction(c, vjpMap, `x ↦ vjp(${label}, x).pullback(ū)`, order + 1);
  }
}

function compareForward(
  c: Context,
  g: TensorFunction,
  at: unknown,
  along: unknown,
  numeric: Float64Array,
  noise: Float64Array,
  label: string,
  order: number,
): void {
  const tangent = jvp(g, at, along).tangent;
  if (!(tangent instanceof Tensor) || tangent.size !== numeric.length) {
    throw new TapegradError(
      'checkGrads',
      'grad-check',
      `jvp of ${label} returned ${describe(tangent)} instead of a tangent of f's output shape`,
    );
  }
  // Max-norm comparison; report the entry that differs most.
  let worst = 0;
  let worstError = -1;
  let magnitude = 0;
  let floor = c.atol;
  for (let i = 0; i < numeric.length; i++) {
    const a = dataOf(tangent)[i]!;
    const b = numeric[i]!;
    const error = Number.isNaN(a - b) ? Infinity : Math.abs(a - b);
    if (error > worstError) {
      worstError = error;
      worst = i;
    }
    magnitude = Math.max(magnitude, Math.abs(a), Math.abs(b));
    floor = Math.max(floor, c.atol + noise[i]!);
  }
  judge(
    c,
    'fwd',
    order,
    label,
    `entry ${worst} of the tangent`,
    dataOf(tangent)[worst]!,
    numeric[worst]!,
    worstError,
    magnitude,
    floor,
  );
}

function compareReverse(
  c: Context,
  g: TensorFunction,
  at: unknown,
  taken: Float64Array,
  numeric: Float64Array,
  noise: Float64Array,
  shape: readonly number[],
  label: string,
  order: number,
): void {
  const u = unitRandom(c.rng, numeric.length);
  const cotangent = vjp(g, at).pullback(fromData(u, shape));
  const pulled = c.view.toFlat(cotangent);
  if (pulled.length !== taken.length) {
    throw new TapegradError(
      'checkGrads',
      'grad-check',
      `the pullback of ${label} returned ${pulled.length} values for an input of ${taken.length}`,
    );
  }
  const autodiff = dot(pulled, taken); // ⟨Jᵀū, v⟩
  const central = dot(u, numeric); // ⟨ū, J v⟩ by central differences
  // The inner product's own scale: Σ|ūᵢ|·|Dᵢ| bounds how much entry errors can add up to.
  let magnitude = Math.max(Math.abs(autodiff), Math.abs(central));
  let spread = 0;
  let floor = 0;
  for (let i = 0; i < u.length; i++) {
    spread += Math.abs(u[i]!) * Math.abs(numeric[i]!);
    floor += Math.abs(u[i]!) * (c.atol + noise[i]!);
  }
  magnitude = Math.max(magnitude, spread);
  const error = Number.isNaN(autodiff - central) ? Infinity : Math.abs(autodiff - central);
  judge(c, 'rev', order, label, '⟨pullback(ū), v⟩ against ⟨ū, Dv⟩', autodiff, central, error, magnitude, floor);
}

/**
 * Passes when error ≤ rtol·max(magnitude, floor/rtol), i.e. relative to the magnitude above the
 * absolute floor (atol plus f's rounding) and absolute below it.
 */
function judge(
  c: Context,
  mode: CheckGradsMode,
  order: number,
  label: string,
  what: string,
  autodiff: number,
  numeric: number,
  error: number,
  magnitude: number,
  floor: number,
): void {
  const scale = Math.max(magnitude, c.rtol > 0 ? floor / c.rtol : 0, Number.MIN_VALUE);
  const relative = error / scale;
  c.checks++;
  if (relative <= c.rtol) {
    c.maxRelativeError = Math.max(c.maxRelativeError, relative);
    return;
  }
  const modeName = mode === 'fwd' ? 'forward-mode (jvp)' : 'reverse-mode (vjp)';
  throw new TapegradError(
    'checkGrads',
    'grad-check',
    `${modeName} check of order ${order} failed for ${label}: ${what}: autodiff gives ${autodiff} but central differences give ${numeric}; ` +
      `relative error ${relative.toExponential(3)} exceeds rtol ${c.rtol} (step eps = ${c.step.toExponential(3)}). ` +
      `Check that derivative's rule, or sample x away from kinks and domain edges.`,
  );
}

function evaluate(g: TensorFunction, x: unknown, label: string, shape?: readonly number[]): Tensor {
  const y = g(x);
  if (!(y instanceof Tensor)) {
    throw new InvalidArgumentError('checkGrads', `${label} must return a Tensor, got ${describe(y)}`);
  }
  if (shape !== undefined && (y.shape.length !== shape.length || y.shape.some((d, i) => d !== shape[i]))) {
    throw new InvalidArgumentError(
      'checkGrads',
      `${label} returned shape ${formatShape(y.shape)} at a nearby point but ${formatShape(shape)} at x`,
    );
  }
  return y;
}

/** A random direction of unit Euclidean length. */
function unitRandom(rng: RandomSource, n: number): Float64Array {
  const v = rng.normals(n);
  const length = norm2(v);
  if (length > 0) for (let i = 0; i < n; i++) v[i] = v[i]! / length;
  return v;
}
