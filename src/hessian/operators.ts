/**
 * Hessians as linear operators, built once and applied many times.
 *
 * Iterative solvers call `apply` hundreds of times, so `hessianOperator` records the gradient
 * computation at x ONCE and replays it for each new v:
 *
 *   'fwd-over-rev'  linearize the gradient: one tape holding f's forward pass and its recorded
 *                   backward pass; each product is a forward (JVP) sweep over that tape.
 *   'rev-over-rev'  keep the same recorded gradient graph and sweep BACK over it per v
 *                   (vᵀ·∂g/∂x = (Hᵀv)ᵀ = Hv, since H is symmetric).
 *
 * Neither replays the primal or the gradient: only the tangent or cotangent is new per v. The
 * other modes cannot be recorded once and are honest about it: 'rev-over-fwd' traces a fresh
 * directional derivative per v, and the difference modes compute one or two fresh gradients.
 *
 * Also here: the dense Hessian and its exact diagonal, the Gauss–Newton operator, per-sample
 * gradients and the Fisher operators (empirical and sampled). Parameters may be trees: the
 * operators act on the flat vector `ravel(params)`.
 *
 * Every argument is checked once, when the public function is called; the products that loops
 * inside tapegrad run (the diagonal, the dense Hessian, Newton–CG) skip the check that a user's
 * `apply(v)` makes. Operators handed out are frozen and return fresh arrays.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import {
  checkArity,
  checkFiniteEntries,
  checkFunction,
  checkIndexList,
  checkNonNegative,
  checkOneOf,
  checkSeed,
  checkVector,
  describeValue,
  isPlainObject,
  readOptions,
} from '../validate.js';
import { Tensor, eye, index, linearize, linearizeAndTranspose, reshape, stack, transpose, type Tree } from '../autodiff/index.js';
import { axpy, gemv, gemvT, scale, transpose as transposeMatrix } from '../linalg/index.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import { readTree } from './hvp.js';
import { HVP_MODE_TABLE, readHessianSettings, type HessianSettings, type HvpMode } from './modes.js';
import type { LinearOperator } from './linear-operator.js';
import { flatten } from '../autodiff/tree.js';
import { dataOf, fromData } from '../autodiff/tensor.js';
import { valueAndGradAt } from '../autodiff/transforms.js';

/** A Hessian operator: a LinearOperator on the flat parameter vector, with what was computed at x. */
export interface HessianOperator extends LinearOperator {
  readonly mode: HvpMode;
  readonly damping: number;
  /** f(x). */
  readonly value: number;
  /** ∇f(x), flattened (a fresh copy on every read). */
  readonly gradient: Float64Array;
  /** The exact diagonal of H + λI (n products, computed on first call and cached; a fresh copy each call). */
  readonly diagonal: () => Float64Array;
}

export interface HessianOperatorOptions {
  mode?: HvpMode;
  /** λ ≥ 0: the operator applies H + λI. */
  damping?: number;
  /** Finite-difference step for the difference modes (only those take it). */
  step?: number;
}

/** Adds λ·v into a fresh result (or copies when λ = 0): apply never hands out internal arrays. */
function withDamping(hv: Float64Array, v: Float64Array, damping: number): Float64Array {
  return damping === 0 ? hv.slice() : axpy(damping, v, hv);
}

/** The diagonal eᵢᵀ·A·eᵢ of a product map, from n products with the unit vectors. */
function diagonalOf(size: number, product: (v: Float64Array) => Float64Array): Float64Array {
  const diagonal = new Float64Array(size);
  const e = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    e[i] = 1;
    diagonal[i] = product(e)[i]!;
    e[i] = 0;
  }
  return diagonal;
}

/** The public `apply` of an operator named `fn`: one validated argument, then the unchecked product. */
function checkedApply(fn: string, size: number, product: (v: Float64Array) => Float64Array): (v: Float64Array) => Float64Array {
  const name = `${fn}().apply`;
  return function apply(v: Float64Array): Float64Array {
    checkArity(name, arguments.length, 1);
    return product(checkVector(name, 'v', v, { length: size }));
  };
}

// ---------------------------------------------------------------------------------------------
// The flat view of a parameter tree

/**
 * The flat-vector view of a parameter tree, at level 0: `toTree` splits a Float64Array into
 * constant leaves shaped like the tree's, `toFlat` packs a tree of tensors back into one array.
 * Keeping these conversions outside the recorded tape keeps a product O(n) however many leaves.
 */
export interface FlatView {
  readonly size: number;
  readonly leaves: readonly Tensor[];
  toTree(v: Float64Array): unknown;
  toFlat(tree: unknown): Float64Array;
}

/** @internal The flat view of the tree argument `name` of `fn` (validated here, once). @example flatView('hessianOperator', 'x', { w: zeros([2]), b: 0 }).size; // 3 */
export function flatView(fn: string, name: string, x: unknown): FlatView {
  const flat = readTree(fn, name, x);
  const offsets: number[] = [];
  let size = 0;
  for (const leaf of flat.leaves) {
    offsets.push(size);
    size += leaf.size;
  }
  return {
    size,
    leaves: flat.leaves,
    toTree: (v) => flat.rebuild(flat.leaves.map((leaf, i) => fromData(v.slice(offsets[i]!, offsets[i]! + leaf.size), leaf.shape))),
    toFlat: (tree) => {
      const out = new Float64Array(size);
      flatten(tree, fn).leaves.forEach((leaf, i) => out.set(dataOf(leaf), offsets[i]!));
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// hessianOperator

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
 * @example recordHessian('newtonCg', loss, x, flatView('newtonCg', 'params', x), { mode: 'fwd-over-rev', damping: 0, step: undefined }, []).product(v);
 */
export function recordHessian(fn: string, f: (x: never, ...rest: never[]) => Tensor | number, x: unknown, view: FlatView, settings: HessianSettings, rest: readonly unknown[]): RecordedHessian {
  const objective = { fn, f: (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest), step: settings.step };
  const recording = HVP_MODE_TABLE[settings.mode].record(objective, x);
  const value = dataOf(recording.value)[0]!;
  const product = (v: Float64Array) => withDamping(view.toFlat(recording.times(view.toTree(v))), v, settings.damping);
  return { size: view.size, product, value: () => value, gradient: view.toFlat(recording.gradient), view };
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
export function hessianOperator<X extends Tree>(f: (x: X, ...rest: never[]) => Tensor | number, x: X, options?: HessianOperatorOptions, ...rest: unknown[]): HessianOperator {
  const fn = 'hessianOperator';
  checkFunction(fn, 'f', f);
  const view = flatView(fn, 'x', x);
  const settings = readHessianSettings(fn, options, ['mode', 'damping', 'step']);
  const { size, product, value, gradient } = recordHessian(fn, f as (x: never) => Tensor, x, view, settings, rest);
  let diagonal: Float64Array | undefined;
  return Object.freeze({
    size,
    mode: settings.mode,
    damping: settings.damping,
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

/**
 * The exact diagonal of the Hessian (n Hessian-vector products with unit vectors, one recording),
 * in the structure of `x`. Options: `mode` and, for the difference modes, `step`.
 * @example hessianDiagonal((x) => sum(pow(x, 3)), tensor([1, 2])).toArray(); // [6, 12]
 */
export function hessianDiagonal<X extends Tree>(f: (x: X, ...rest: never[]) => Tensor | number, x: X, options?: { mode?: HvpMode; step?: number }, ...rest: unknown[]): X extends number ? Tensor : X {
  const fn = 'hessianDiagonal';
  checkFunction(fn, 'f', f);
  const view = flatView(fn, 'x', x);
  const settings = readHessianSettings(fn, options, ['mode', 'step']);
  const { size, product } = recordHessian(fn, f as (x: never) => Tensor, x, view, settings, rest);
  return view.toTree(diagonalOf(size, product)) as X extends number ? Tensor : X;
}

// ---------------------------------------------------------------------------------------------
// The dense Hessian

type HessianOptions = { mode?: HvpMode; step?: number };

/**
 * The dense Hessian. Two forms:
 * - `hessian(f, { mode, step })` returns the function x ↦ H(x) (shape `[...x.shape, ...x.shape]`),
 *   differentiable in the AD modes; extra arguments after x are passed to f;
 * - `hessian(f, x, { mode, step })` computes it at a Tensor x directly.
 * Every mode of `hvp` works in both (only the difference modes take a step). An x of size 0
 * gives a Hessian of size 0.
 * @example hessian((x) => sum(pow(x, 3)), tensor([1, 2])).toNested(); // [[6, 0], [0, 12]]
 */
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, options?: HessianOptions): (x: Tensor, ...rest: unknown[]) => Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, x: Tensor, options?: HessianOptions): Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, xOrOptions?: Tensor | HessianOptions, maybeOptions?: HessianOptions): Tensor | ((x: Tensor, ...rest: unknown[]) => Tensor) {
  const fn = 'hessian';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'f', f);
  if (xOrOptions instanceof Tensor) return denseHessian(fn, f, xOrOptions, readHessianSettings(fn, maybeOptions, ['mode', 'step']), []);
  if (xOrOptions !== undefined && !isPlainObject(xOrOptions)) {
    throw new InvalidArgumentError(fn, `the second argument must be the point x (a Tensor) or an options object { mode, step }, got ${describeValue(xOrOptions)}${pointHint(xOrOptions)}`);
  }
  if (maybeOptions !== undefined) {
    throw new InvalidArgumentError(fn, `hessian(f, options) takes no third argument, got ${describeValue(maybeOptions)}; write hessian(f, x, options) to evaluate at x`);
  }
  const settings = readHessianSettings(fn, xOrOptions, ['mode', 'step']);
  return (x: Tensor, ...rest: unknown[]) => {
    if (!(x instanceof Tensor)) throw new InvalidArgumentError(fn, `x must be a Tensor, got ${describeValue(x)}${pointHint(x)}`);
    return denseHessian(fn, f, x, settings, rest);
  };
}

function pointHint(x: unknown): string {
  if (Array.isArray(x)) return '; wrap the point: tensor([...])';
  if (typeof x === 'number') return `; for a scalar point write scalar(${x})`;
  if (x instanceof Float64Array) return '; wrap the point: tensor(x)';
  return '';
}

/**
 * H(x) as a [...x.shape, ...x.shape] tensor: the mode's recording at x times each unit vector,
 * stacked as rows or columns as the mode yields them (Hᵢⱼ = ∂gᵢ/∂xⱼ, the jacobian convention).
 * Built from differentiable ops, so in the AD modes the Hessian can itself be differentiated.
 */
function denseHessian(fn: string, f: (x: Tensor, ...rest: never[]) => Tensor, x: Tensor, settings: HessianSettings, rest: readonly unknown[]): Tensor {
  const shape = [...x.shape, ...x.shape];
  if (x.size === 0) return fromData(new Float64Array(0), shape);
  const rule = HVP_MODE_TABLE[settings.mode];
  const objective = { fn, f: (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest), step: settings.step };
  const { times } = rule.record(objective, x);
  const basis = eye(x.size);
  const products = Array.from({ length: x.size }, (_, j) => reshape(times(reshape(index(basis, j), x.shape)) as Tensor, [x.size]));
  const stacked = stack(products);
  return reshape(rule.yields === 'row' ? stacked : transpose(stacked), shape);
}

// ---------------------------------------------------------------------------------------------
// Gauss–Newton

/**
 * The Gauss–Newton operator G = Jᵀ·H_L·J + λI for a loss composed with a model, where
 * J = ∂model/∂θ and H_L the Hessian of the loss in the model's output. G is positive
 * semi-definite whenever the loss is convex in the output (squared error, cross-entropy).
 * Both the model (J·v forward, Jᵀ·u backward over ONE tape) and the loss Hessian are recorded once.
 * @example
 * const G = gaussNewtonOperator((p) => matmul(X, p.w), (z) => mean(square(sub(z, y))), { w });
 */
export function gaussNewtonOperator<P extends Tree>(
  model: (params: P) => Tensor,
  loss: (output: Tensor) => Tensor,
  params: P,
  options?: { damping?: number },
): LinearOperator & { readonly damping: number; readonly output: Tensor } {
  const fn = 'gaussNewtonOperator';
  checkArity(fn, arguments.length, 4);
  checkFunction(fn, 'model', model);
  checkFunction(fn, 'loss', loss);
  const view = flatView(fn, 'params', params);
  const given = readOptions(fn, options, ['damping']);
  const damping = given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping);
  const modelMaps = linearizeAndTranspose(singleTensorOutput(fn, 'model', model as (p: unknown) => unknown), params as unknown);
  const z = modelMaps.value;
  const lossHessian = linearize((y: Tensor) => valueAndGradAt(fn, loss, y, []).grad as Tensor, z).jvp;
  const product = (v: Float64Array) => withDamping(view.toFlat(modelMaps.vjp(lossHessian(modelMaps.jvp(view.toTree(v))))), v, damping);
  return Object.freeze({ size: view.size, damping, output: z, apply: checkedApply(fn, view.size, product) });
}

/** Wraps `f` so that an output other than one Tensor is reported by `fn` as a mistake in `name`. */
function singleTensorOutput(fn: string, name: string, f: (p: unknown) => unknown, rank?: number): (p: unknown) => Tensor {
  return (p) => {
    const out = f(p);
    if (!(out instanceof Tensor)) throw new InvalidArgumentError(fn, `${name} must return a single Tensor, got ${describeValue(out)}`);
    if (rank !== undefined && out.rank !== rank) {
      throw new ShapeError(fn, `${name} must return a vector [N] (one loss per example), got shape ${formatShape(out.shape)}`);
    }
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Per-sample gradients and the Fisher

/** Per-sample gradients as an N × d row-major matrix (row i = ∇θ ℓᵢ). */
export interface PerSampleGradients {
  readonly gradients: Float64Array;
  readonly count: number;
  readonly size: number;
}

/**
 * Per-sample gradients of a per-example loss vector ℓ(θ) ∈ ℝᴺ, as the N × d Jacobian — from ONE
 * recording, with min(N, d) sweeps: forward sweeps (one per parameter) when d < N, backward
 * sweeps (one per example) otherwise. Extra arguments after params are passed to the loss.
 * The returned `gradients` is a fresh array (N = 0 or d = 0 gives an empty one).
 * @example
 * const { gradients } = perSampleGradients((p) => losses(p, X, y), params); // N × d
 */
export function perSampleGradients<P extends Tree>(perExampleLoss: (params: P, ...rest: never[]) => Tensor, params: P, ...rest: unknown[]): PerSampleGradients {
  const fn = 'perSampleGradients';
  checkFunction(fn, 'perExampleLoss', perExampleLoss);
  const view = flatView(fn, 'params', params);
  return jacobianRows(fn, 'perExampleLoss', (p) => (perExampleLoss as (q: unknown, ...rest: unknown[]) => unknown)(p, ...rest), params, view);
}

/** The N × d Jacobian of a vector-valued loss, by min(N, d) sweeps over one recording. */
function jacobianRows(fn: string, name: string, losses: (p: unknown) => unknown, params: unknown, view: FlatView): PerSampleGradients {
  const maps = linearizeAndTranspose(singleTensorOutput(fn, name, losses, 1), params);
  const N = maps.value.size;
  const d = view.size;
  const G = new Float64Array(N * d);
  if (d < N) {
    // Column j = J·eⱼ is contiguous as row j of Gᵀ, so store Gᵀ row by row and transpose once.
    const GT = new Float64Array(d * N);
    const e = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      e[j] = 1;
      GT.set(dataOf(maps.jvp(view.toTree(e))), j * N);
      e[j] = 0;
    }
    transposeMatrix(GT, d, N, G);
  } else {
    const e = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      e[i] = 1;
      G.set(view.toFlat(maps.vjp(fromData(e.slice(), [N]))), i * d);
      e[i] = 0;
    }
  }
  return { gradients: G, count: N, size: d };
}

/** A Fisher operator: (1/N)·GᵀG + λI, with the gradients it was built from. */
export interface FisherOperator extends LinearOperator, PerSampleGradients {
  readonly damping: number;
  readonly type: 'empirical' | 'sampled';
  /** The labels the gradients were taken at (the given ones, or the sampled ones), a fresh copy on every read. */
  readonly labels: Int32Array;
}

/** Options of `fisherOperator`. */
export interface FisherOptions<P> {
  /** `'empirical'` (default) or `'sampled'`. */
  type?: 'empirical' | 'sampled';
  /** λ ≥ 0 (default 0). */
  damping?: number;
  /** `'sampled'` only: draws N labels from the model, e.g. `(p, rng) => sampleCategorical(logits(p), rng)`. */
  sample?: (params: P, rng: RandomSource) => ArrayLike<number>;
  /** `'sampled'` only: the seed of the random source handed to `sample` (default 0). */
  seed?: number;
}

/** Class labels: integers ≥ 0 (any count of classes); NaN or ±Infinity is a NonFiniteError. */
function readLabels(fn: string, name: string, labels: unknown): Int32Array {
  return checkIndexList(fn, name, labels, { size: 2 ** 31 - 1 });
}

/**
 * The Fisher information as a LinearOperator: F = (1/N)·Σ gᵢgᵢᵀ + λI with gᵢ = ∇θ(−log p(yᵢ|xᵢ, θ)).
 *
 * - `'empirical'` (default): the gᵢ at the observed labels — the outer-product approximation of
 *   the Hessian of the mean negative log-likelihood that Bartlett's identity
 *   E[∇log p ∇log pᵀ] = −E[∇² log p] justifies near a good fit.
 * - `'sampled'`: the "true" Fisher, with labels drawn from the model itself (`sample`, seeded by
 *   `seed`). The observed `labels` then only fix N: the sampler must return as many.
 *
 * `labels` are integer class indices (an array or typed array, copied); an empty list is an error,
 * since F is a mean over examples. `negLogLikelihood(params, labels)` must return the
 * per-example vector [N]. `gradients` and `labels` on the result are fresh copies on every read.
 * @example
 * const F = fisherOperator(nll, params, labels, { damping: 1e-3 });
 * const Fs = fisherOperator(nll, params, labels, { type: 'sampled', sample: (p, rng) => sampleCategorical(logits(p), rng) });
 */
export function fisherOperator<P extends Tree>(
  negLogLikelihood: (params: P, labels: Int32Array) => Tensor,
  params: P,
  labels: ArrayLike<number>,
  options?: FisherOptions<P>,
): FisherOperator {
  const fn = 'fisherOperator';
  checkArity(fn, arguments.length, 4);
  checkFunction(fn, 'negLogLikelihood', negLogLikelihood);
  const view = flatView(fn, 'params', params);
  const observed = readLabels(fn, 'labels', labels);
  if (observed.length === 0) throw new ShapeError(fn, 'labels is empty; the Fisher is a mean over examples and needs at least one');
  const { type, damping, sample, seed } = readFisherOptions(fn, options);
  const used = type === 'empirical' ? observed : sampledLabels(fn, sample!, params, seed, observed.length);
  const nll = (p: unknown) => (negLogLikelihood as (q: unknown, l: Int32Array) => unknown)(p, used.slice());
  const { gradients, count, size } = jacobianRows(fn, 'negLogLikelihood', nll, params, view);
  if (count !== used.length) {
    throw new ShapeError(fn, `negLogLikelihood returned ${count} losses for ${used.length} labels; it must return one loss per example`);
  }
  const product = (v: Float64Array) => {
    // F·v = Gᵀ(G·v)/N + λv, two matrix-vector products: the n×n matrix is never formed.
    const Gv = gemv(gradients, count, size, v);
    return axpy(damping, v, scale(1 / count, gemvT(gradients, count, size, Gv)));
  };
  return Object.freeze({
    size,
    count,
    damping,
    type,
    get gradients() {
      return gradients.slice();
    },
    get labels() {
      return used.slice();
    },
    apply: checkedApply(fn, size, product),
  });
}

function readFisherOptions<P>(fn: string, options: FisherOptions<P> | undefined): { type: 'empirical' | 'sampled'; damping: number; sample: FisherOptions<P>['sample']; seed: number } {
  const given = readOptions(fn, options, ['type', 'damping', 'sample', 'seed']);
  const type = given.type === undefined ? 'empirical' : checkOneOf(fn, 'options.type', given.type, ['empirical', 'sampled'] as const);
  const damping = given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping);
  const sample = given.sample === undefined ? undefined : checkFunction(fn, 'options.sample', given.sample);
  const seed = given.seed === undefined ? 0 : checkSeed(fn, given.seed);
  if (type === 'empirical' && (given.sample !== undefined || given.seed !== undefined)) {
    throw new InvalidArgumentError(fn, "options.sample and options.seed only apply to type 'sampled'; add type: 'sampled' or leave them out");
  }
  if (type === 'sampled' && sample === undefined) {
    throw new InvalidArgumentError(fn, "type 'sampled' needs options.sample(params, rng) returning labels drawn from the model, e.g. sampleCategorical(logits, rng)");
  }
  return { type, damping, sample, seed };
}

function sampledLabels<P>(fn: string, sample: NonNullable<FisherOptions<P>['sample']>, params: unknown, seed: number, count: number): Int32Array {
  const drawn = readLabels(fn, 'the labels returned by options.sample', sample(params as P, createRandom(seed)));
  if (drawn.length !== count) {
    throw new ShapeError(fn, `options.sample returned ${drawn.length} labels but there are ${count} examples; it must draw one label per example`);
  }
  return drawn;
}

// ---------------------------------------------------------------------------------------------
// Label samplers

/** A seeded random source, as `createRandom` makes. */
function checkRandomSource(fn: string, rng: unknown): RandomSource {
  if (typeof rng !== 'object' || rng === null || typeof (rng as { uniform?: unknown }).uniform !== 'function') {
    throw new InvalidArgumentError(fn, `rng must be a random source such as createRandom(0), got ${describeValue(rng)}`);
  }
  return rng as RandomSource;
}

/** The logits of a sampler: a Tensor of the given rank with finite entries. */
function readLogits(fn: string, logits: unknown, rank: number, shapeText: string): Float64Array {
  if (!(logits instanceof Tensor)) throw new InvalidArgumentError(fn, `logits must be a Tensor of shape ${shapeText}, got ${describeValue(logits)}`);
  if (logits.rank !== rank) throw new ShapeError(fn, `logits must have shape ${shapeText}, got ${formatShape(logits.shape)}`);
  const values = dataOf(logits);
  checkFiniteEntries(fn, 'logits', values, 'a probability needs a finite logit (for a class that must never be drawn, use a large negative one such as -1e30)');
  return values;
}

/**
 * Draws one class per row from softmax(logits) (a [N, C] tensor of finite logits) with a seeded
 * random source — the labels of the sampled ("true") Fisher. N = 0 gives an empty array; C must
 * be ≥ 1 when N > 0.
 * @example sampleCategorical(tensor([[0, 0, 50]]), createRandom(0)); // Int32Array [2], almost surely
 */
export function sampleCategorical(logits: Tensor, rng: RandomSource): Int32Array {
  const fn = 'sampleCategorical';
  checkArity(fn, arguments.length, 2);
  const values = readLogits(fn, logits, 2, '[N, C]');
  const source = checkRandomSource(fn, rng);
  const [N, C] = logits.shape as [number, number];
  if (N > 0 && C === 0) throw new ShapeError(fn, `logits has shape ${formatShape(logits.shape)}: there are no classes to draw from`);
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, values[i * C + c]!);
    let total = 0;
    for (let c = 0; c < C; c++) total += Math.exp(values[i * C + c]! - m);
    let u = source.uniform() * total;
    let chosen = C - 1;
    for (let c = 0; c < C; c++) {
      u -= Math.exp(values[i * C + c]! - m);
      if (u < 0) {
        chosen = c;
        break;
      }
    }
    out[i] = chosen;
  }
  return out;
}

/**
 * Draws 0/1 labels with P(1) = σ(logit) per entry of a vector [N] of finite logits (binary models).
 * @example sampleBernoulli(tensor([-50, 50]), createRandom(0)); // Int32Array [0, 1], almost surely
 */
export function sampleBernoulli(logits: Tensor, rng: RandomSource): Int32Array {
  const fn = 'sampleBernoulli';
  checkArity(fn, arguments.length, 2);
  const values = readLogits(fn, logits, 1, '[N]');
  const source = checkRandomSource(fn, rng);
  const out = new Int32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = source.uniform() < 1 / (1 + Math.exp(-values[i]!)) ? 1 : 0;
  return out;
}
