/**
 * Curvature products other than the Hessian itself: the Gauss–Newton operator Jᵀ·H_L·J,
 * per-sample gradients (the N × d Jacobian of a per-example loss) and the Fisher operators built
 * from them (empirical and sampled). Each records its model once and replays sweeps per product.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import {
  checkArity,
  checkFunction,
  checkIndexList,
  checkNonNegative,
  checkOneOf,
  checkSeed,
  describeValue,
  readOptions,
} from '../validate.js';
import { Tensor, type Tree } from '../autodiff/index.js';
import { dataOf, fromData } from '../autodiff/tensor.js';
import { recordLinearMaps, valueAndGradAt } from '../autodiff/transforms.js';
import { axpy, gemv, gemvT, scale, transpose } from '../linalg/index.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import { checkedApply, flatView, withDamping, type FlatView } from './hessian-operator.js';
import type { LinearOperator } from './linear/index.js';

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
  const modelMaps = recordLinearMaps<unknown, Tensor>(
    fn,
    singleTensorOutput(fn, 'model', model as (p: unknown) => unknown),
    params,
    [],
  );
  const z = modelMaps.value;
  const lossHessian = recordLinearMaps<Tensor, Tensor>(
    fn,
    (y: Tensor) => valueAndGradAt(fn, loss, y, []).grad,
    z,
    [],
  ).jvp;
  const product = (v: Float64Array) =>
    withDamping(view.toFlat(modelMaps.vjp(lossHessian(modelMaps.jvp(view.toTree(v))))), v, damping);
  return Object.freeze({ size: view.size, damping, output: z, apply: checkedApply(fn, view.size, product) });
}

/** Wraps `f` so that an output other than one Tensor is reported by `fn` as a mistake in `name`. */
function singleTensorOutput(
  fn: string,
  name: string,
  f: (p: unknown) => unknown,
  rank?: number,
): (p: unknown) => Tensor {
  return (p) => {
    const out = f(p);
    if (!(out instanceof Tensor))
      throw new InvalidArgumentError(fn, `${name} must return a single Tensor, got ${describeValue(out)}`);
    if (rank !== undefined && out.rank !== rank) {
      throw new ShapeError(
        fn,
        `${name} must return a vector [N] (one loss per example), got shape ${formatShape(out.shape)}`,
      );
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
export function perSampleGradients<P extends Tree>(
  perExampleLoss: (params: P, ...rest: never[]) => Tensor,
  params: P,
  ...rest: unknown[]
): PerSampleGradients {
  const fn = 'perSampleGradients';
  checkFunction(fn, 'perExampleLoss', perExampleLoss);
  const view = flatView(fn, 'params', params);
  return jacobianRows(
    fn,
    'perExampleLoss',
    (p) => (perExampleLoss as (q: unknown, ...rest: unknown[]) => unknown)(p, ...rest),
    params,
    view,
  );
}

/** The N × d Jacobian of a vector-valued loss, by min(N, d) sweeps over one recording. */
function jacobianRows(
  fn: string,
  name: string,
  losses: (p: unknown) => unknown,
  params: unknown,
  view: FlatView,
): PerSampleGradients {
  const maps = recordLinearMaps<unknown, Tensor>(fn, singleTensorOutput(fn, name, losses, 1), params, []);
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
    transpose(GT, d, N, G);
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
  if (observed.length === 0)
    throw new ShapeError(fn, 'labels is empty; the Fisher is a mean over examples and needs at least one');
  const { type, damping, sample, seed } = readFisherOptions(fn, options);
  const used = type === 'empirical' ? observed : sampledLabels(fn, sample!, params, seed, observed.length);
  const nll = (p: unknown) => (negLogLikelihood as (q: unknown, l: Int32Array) => unknown)(p, used.slice());
  const { gradients, count, size } = jacobianRows(fn, 'negLogLikelihood', nll, params, view);
  if (count !== used.length) {
    throw new ShapeError(
      fn,
      `negLogLikelihood returned ${count} losses for ${used.length} labels; it must return one loss per example`,
    );
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

function readFisherOptions<P>(
  fn: string,
  options: FisherOptions<P> | undefined,
): { type: 'empirical' | 'sampled'; damping: number; sample: FisherOptions<P>['sample']; seed: number } {
  const given = readOptions(fn, options, ['type', 'damping', 'sample', 'seed']);
  const type =
    given.type === undefined
      ? 'empirical'
      : checkOneOf(fn, 'options.type', given.type, ['empirical', 'sampled'] as const);
  const damping = given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping);
  const sample = given.sample === undefined ? undefined : checkFunction(fn, 'options.sample', given.sample);
  const seed = given.seed === undefined ? 0 : checkSeed(fn, given.seed);
  if (type === 'empirical' && (given.sample !== undefined || given.seed !== undefined)) {
    throw new InvalidArgumentError(
      fn,
      "options.sample and options.seed only apply to type 'sampled'; add type: 'sampled' or leave them out",
    );
  }
  if (type === 'sampled' && sample === undefined) {
    throw new InvalidArgumentError(
      fn,
      "type 'sampled' needs options.sample(params, rng) returning labels drawn from the model, e.g. sampleCategorical(logits, rng)",
    );
  }
  return { type, damping, sample, seed };
}

function sampledLabels<P>(
  fn: string,
  sample: NonNullable<FisherOptions<P>['sample']>,
  params: unknown,
  seed: number,
  count: number,
): Int32Array {
  const drawn = readLabels(fn, 'the labels returned by options.sample', sample(params as P, createRandom(seed)));
  if (drawn.length !== count) {
    throw new ShapeError(
      fn,
      `options.sample returned ${drawn.length} labels but there are ${count} examples; it must draw one label per example`,
    );
  }
  return drawn;
}
