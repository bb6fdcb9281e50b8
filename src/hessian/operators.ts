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
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import {
  Tensor,
  hessian as hessianTransform,
  linearize,
  linearizeAndTranspose,
  stack,
  tensor,
  type Tree,
} from '../autodiff/index.js';
import { axpy, gemv, gemvT, scale, subVectors, transpose } from '../linalg/index.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import { HVP_MODES, defaultStep, hvp, type HvpMode } from './hvp.js';
import type { LinearOperator } from './linear-operator.js';
import { flatten } from '../autodiff/tree.js';
import { dataOf } from '../autodiff/tensor.js';
import { gradFor } from '../autodiff/transforms.js';

/** A Hessian operator: a LinearOperator on the flat parameter vector, with what was computed at x. */
export interface HessianOperator extends LinearOperator {
  readonly mode: HvpMode;
  readonly damping: number;
  /** f(x). */
  readonly value: number;
  /** ∇f(x), flattened (a copy). */
  readonly gradient: Float64Array;
  /** The exact diagonal of H + λI (n products, computed on first call and cached). */
  readonly diagonal: () => Float64Array;
}

export interface HessianOperatorOptions {
  mode?: HvpMode;
  /** λ ≥ 0: the operator applies H + λI. */
  damping?: number;
  /** Finite-difference step for the difference modes. */
  step?: number;
}

function checkDamping(fn: string, damping: number): number {
  if (!(damping >= 0) || !Number.isFinite(damping)) {
    throw new InvalidArgumentError(fn, `damping must be a finite number ≥ 0, got ${damping}`);
  }
  return damping;
}

function checkVector(fn: string, v: Float64Array, n: number): void {
  if (!(v instanceof Float64Array) || v.length !== n) {
    throw new ShapeError(fn, `apply(v) needs a Float64Array of length ${n} (the number of parameters), got ${v instanceof Float64Array ? `length ${v.length}` : typeof v}`);
  }
}

/** Adds λ·v into a fresh result (or copies when λ = 0): apply never hands out internal arrays. */
function withDamping(hv: Float64Array, v: Float64Array, damping: number): Float64Array {
  return damping === 0 ? hv.slice() : axpy(damping, v, hv);
}

function cachedDiagonal(op: { size: number; apply(v: Float64Array): Float64Array }): () => Float64Array {
  let diagonal: Float64Array | undefined;
  return () => {
    if (diagonal === undefined) {
      diagonal = new Float64Array(op.size);
      const e = new Float64Array(op.size);
      for (let i = 0; i < op.size; i++) {
        e[i] = 1;
        diagonal[i] = op.apply(e)[i]!;
        e[i] = 0;
      }
    }
    return diagonal.slice();
  };
}

/**
 * The Hessian of a scalar `f` at `x` as a LinearOperator on the flattened parameters, recorded
 * once and replayed per product in the `'fwd-over-rev'` (default) and `'rev-over-rev'` modes.
 * Extra arguments after the options are passed to `f`.
 *
 * @example
 * const H = hessianOperator(loss, params, { damping: 1e-3 });
 * const Hv = H.apply(new Float64Array(H.size).fill(1));
 * cgSolve(H, H.gradient); // a Newton step
 */
export function hessianOperator<X extends Tree>(f: (x: X, ...rest: never[]) => Tensor | number, x: X, options: HessianOperatorOptions = {}, ...rest: unknown[]): HessianOperator {
  if (typeof f !== 'function') throw new InvalidArgumentError('hessianOperator', `expected a scalar function, got ${typeof f}`);
  const mode = options.mode ?? 'fwd-over-rev';
  if (!HVP_MODES.includes(mode)) {
    throw new InvalidArgumentError('hessianOperator', `unknown mode ${JSON.stringify(mode)}; use one of ${HVP_MODES.map((m) => `'${m}'`).join(', ')}`);
  }
  const damping = checkDamping('hessianOperator', options.damping ?? 0);
  if (options.step !== undefined && !(options.step > 0 && Number.isFinite(options.step))) {
    // as hvp does: a zero step made every product NaN (0/0), a negative or infinite one nonsense
    throw new InvalidArgumentError('hessianOperator', `step must be a positive finite number, got ${options.step}; omit it for the default √ε·(1+‖x‖)/‖v‖ (∛ε for central differences)`);
  }
  const view = flatView(x);
  const fx = (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest);
  const n = view.size;

  // Records f and its backward pass once; `value` and `gradient` come with the recording. The
  // tape is traced on the tree itself (no ravel inside it); v is split into leaves outside.
  let value = NaN;
  const gradientAt = (y: unknown): unknown => gradFor('hessianOperator', fx)(y);
  const recordGradient = (y: unknown): unknown =>
    gradFor('hessianOperator', (z: unknown) => {
      const out = fx(z);
      if (out instanceof Tensor && out.size === 1) value = dataOf(out)[0]!;
      else if (typeof out === 'number') value = out; // f constant in x: H = 0, but f(x) is known
      return out;
    })(y);
  let product: (v: unknown) => unknown;
  let gradient: Float64Array;
  switch (mode) {
    case 'fwd-over-rev':
    case 'rev-over-rev': {
      const recorded = linearizeAndTranspose(recordGradient, x as unknown);
      gradient = view.toFlat(recorded.value);
      product = mode === 'fwd-over-rev' ? recorded.jvp : recorded.vjp;
      break;
    }
    case 'rev-over-fwd': {
      gradient = view.toFlat(recordGradient(x));
      product = (v) => hvp(f, x, v as X, { mode }, ...rest) as unknown;
      break;
    }
    case 'finite-difference':
    case 'central-difference': {
      const g0 = view.toFlat(recordGradient(x));
      gradient = g0;
      const x0 = view.toFlat(x);
      const at = (r: number, v: Float64Array) => view.toFlat(gradientAt(view.toTree(axpy(r, v, x0))));
      product = (vTree) => {
        const v = view.toFlat(vTree);
        const r = options.step ?? defaultStep(mode, tensor(x0), tensor(v));
        const difference = mode === 'finite-difference' ? subVectors(at(r, v), g0) : subVectors(at(r, v), at(-r, v));
        return view.toTree(scale(1 / (mode === 'finite-difference' ? r : 2 * r), difference));
      };
      break;
    }
  }
  const operator = {
    size: n,
    mode,
    damping,
    get value() {
      return value;
    },
    /** A fresh copy on every read: the operator's own gradient cannot be changed through it. */
    get gradient() {
      return gradient.slice();
    },
    apply(v: Float64Array): Float64Array {
      checkVector('hessianOperator', v, n);
      return withDamping(view.toFlat(product(view.toTree(v))), v, damping);
    },
    diagonal: undefined as unknown as () => Float64Array,
  };
  operator.diagonal = cachedDiagonal(operator);
  return operator;
}

/**
 * The flat-vector view of a parameter tree, at level 0: `toTree` splits a Float64Array into
 * constant leaves shaped like the tree's, `toFlat` packs a tree of tensors back into one array.
 * Keeping these conversions outside the recorded tape keeps a product O(n) however many leaves.
 */
interface FlatView {
  readonly size: number;
  toTree(v: Float64Array): unknown;
  toFlat(tree: unknown): Float64Array;
}

function flatView(x: unknown): FlatView {
  const flat = flatten(x, 'flatView');
  const offsets: number[] = [];
  let size = 0;
  for (const leaf of flat.leaves) {
    offsets.push(size);
    size += leaf.size;
  }
  return {
    size,
    toTree: (v) => flat.rebuild(flat.leaves.map((leaf, i) => tensor(v.subarray(offsets[i]!, offsets[i]! + leaf.size), leaf.shape))),
    toFlat: (tree) => {
      const out = new Float64Array(size);
      flatten(tree, 'flatView').leaves.forEach((leaf, i) => out.set(dataOf(leaf), offsets[i]!));
      return out;
    },
  };
}

type HessianMode = HvpMode;

/**
 * The dense Hessian. Two forms:
 * - `hessian(f, { mode })` returns the function x ↦ H(x) (shape `[...x.shape, ...x.shape]`),
 *   differentiable in the AD modes;
 * - `hessian(f, x, { mode })` computes it at a Tensor x directly, in any of the five modes
 *   (the difference modes from n products).
 * @example hessian((x) => sum(pow(x, 3)), tensor([1, 2])).toNested(); // [[6, 0], [0, 12]]
 */
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, options?: { mode?: HessianMode; step?: number }): (x: Tensor, ...rest: unknown[]) => Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, x: Tensor, options?: { mode?: HessianMode; step?: number }): Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, xOrOptions?: Tensor | { mode?: HessianMode; step?: number }, maybeOptions: { mode?: HessianMode; step?: number } = {}): Tensor | ((x: Tensor, ...rest: unknown[]) => Tensor) {
  if (xOrOptions instanceof Tensor) {
    const x = xOrOptions;
    const mode = maybeOptions.mode ?? 'fwd-over-rev';
    if (mode === 'fwd-over-rev' || mode === 'rev-over-rev' || mode === 'rev-over-fwd') {
      return hessianTransform(f as (x: Tensor) => Tensor, { mode })(x);
    }
    const H = hessianOperator(f, x, { mode, ...(maybeOptions.step === undefined ? {} : { step: maybeOptions.step }) });
    // H·eⱼ is COLUMN j (Hᵢⱼ = ∂gᵢ/∂xⱼ, the jacobian convention of the AD modes). The difference
    // quotients are not exactly symmetric, so stacking the products as rows would return the
    // transpose of the finite-difference Jacobian of the gradient.
    const columns: Tensor[] = [];
    const e = new Float64Array(H.size);
    for (let j = 0; j < H.size; j++) {
      e[j] = 1;
      columns.push(tensor(H.apply(e)));
      e[j] = 0;
    }
    return tensor(dataOf(stack(columns, 1)), [...x.shape, ...x.shape]);
  }
  const options = xOrOptions ?? {};
  const mode = options.mode ?? 'fwd-over-rev';
  if (mode === 'finite-difference' || mode === 'central-difference') {
    const step = options.step === undefined ? {} : { step: options.step };
    return (x: Tensor, ...rest: unknown[]) => hessian((y: Tensor) => (f as (y: Tensor, ...rest: unknown[]) => Tensor)(y, ...rest), x, { mode, ...step });
  }
  return hessianTransform(f as (x: Tensor) => Tensor, { mode });
}

/**
 * The exact diagonal of the Hessian (n Hessian-vector products with unit vectors, one recording),
 * in the structure of `x`.
 * @example hessianDiagonal((x) => sum(pow(x, 3)), tensor([1, 2])).toArray(); // [6, 12]
 */
export function hessianDiagonal<X extends Tree>(f: (x: X, ...rest: never[]) => Tensor | number, x: X, options: { mode?: HvpMode } = {}, ...rest: unknown[]): X extends number ? Tensor : X {
  const H = hessianOperator(f, x, options, ...rest);
  return flatView(x).toTree(H.diagonal()) as X extends number ? Tensor : X;
}

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
  options: { damping?: number } = {},
): LinearOperator & { readonly damping: number; readonly output: Tensor } {
  const damping = checkDamping('gaussNewtonOperator', options.damping ?? 0);
  const view = flatView(params);
  const modelMaps = linearizeAndTranspose(model as (p: unknown) => Tensor, params as unknown);
  const z = modelMaps.value;
  if (!(z instanceof Tensor)) throw new InvalidArgumentError('gaussNewtonOperator', 'the model must return a single Tensor');
  const lossHessian = linearize(gradFor('gaussNewtonOperator', loss), z).jvp;
  return {
    size: view.size,
    damping,
    output: z,
    apply(v: Float64Array): Float64Array {
      checkVector('gaussNewtonOperator', v, view.size);
      const Jv = modelMaps.jvp(view.toTree(v));
      return withDamping(view.toFlat(modelMaps.vjp(lossHessian(Jv))), v, damping);
    },
  };
}

/** Per-sample gradients as an N × d row-major matrix (row i = ∇θ ℓᵢ). */
export interface PerSampleGradients {
  readonly gradients: Float64Array;
  readonly count: number;
  readonly size: number;
}

/**
 * Per-sample gradients of a per-example loss vector ℓ(θ) ∈ ℝᴺ, as the N × d Jacobian — from ONE
 * recording, with min(N, d) sweeps: forward sweeps (one per parameter) when d < N, backward
 * sweeps (one per example) otherwise.
 * @example
 * const { gradients } = perSampleGradients((p) => losses(p, X, y), params); // N × d
 */
export function perSampleGradients<P extends Tree>(perExampleLoss: (params: P, ...rest: never[]) => Tensor, params: P, ...rest: unknown[]): PerSampleGradients {
  const view = flatView(params);
  const maps = linearizeAndTranspose((p: unknown) => (perExampleLoss as (q: unknown, ...rest: unknown[]) => Tensor)(p, ...rest), params as unknown);
  const losses = maps.value;
  if (!(losses instanceof Tensor) || losses.rank !== 1) {
    throw new ShapeError('perSampleGradients', `the per-example loss must return a vector [N], got ${losses instanceof Tensor ? formatShape(losses.shape) : typeof losses}`);
  }
  const N = losses.size;
  const d = view.size;
  const G = new Float64Array(N * d);
  if (d < N) {
    // Column j = J·eⱼ is contiguous as row j of Gᵀ, so store Gᵀ row by row and transpose once.
    const GT = new Float64Array(d * N);
    const e = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      e[j] = 1;
      GT.set(maps.jvp(view.toTree(e)).data, j * N);
      e[j] = 0;
    }
    transpose(GT, d, N, G);
  } else {
    const e = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      e[i] = 1;
      G.set(view.toFlat(maps.vjp(tensor(e))), i * d);
      e[i] = 0;
    }
  }
  return { gradients: G, count: N, size: d };
}

/** A Fisher operator: (1/N)·GᵀG + λI, with the gradients it was built from. */
export interface FisherOperator extends LinearOperator, PerSampleGradients {
  readonly damping: number;
  readonly type: 'empirical' | 'sampled';
  /** The labels the gradients were taken at (the given ones, or the sampled ones). */
  readonly labels: Int32Array;
}

/**
 * The Fisher information as a LinearOperator: F = (1/N)·Σ gᵢgᵢᵀ + λI with gᵢ = ∇θ(−log p(yᵢ|xᵢ, θ)).
 *
 * - `'empirical'` (default): the gᵢ at the observed labels — the outer-product approximation of
 *   the Hessian of the mean negative log-likelihood that Bartlett's identity
 *   E[∇log p ∇log pᵀ] = −E[∇² log p] justifies near a good fit.
 * - `'sampled'`: the "true" Fisher, with labels drawn from the model itself (`sample`, seeded).
 *
 * `negLogLikelihood(params, labels)` must return the per-example vector [N].
 * @example
 * const F = fisherOperator(nll, params, labels, { damping: 1e-3 });
 * const Fs = fisherOperator(nll, params, labels, { type: 'sampled', sample: (p, rng) => sampleCategorical(logits(p), rng) });
 */
export function fisherOperator<P extends Tree>(
  negLogLikelihood: (params: P, labels: Int32Array) => Tensor,
  params: P,
  labels: ArrayLike<number>,
  options: { type?: 'empirical' | 'sampled'; damping?: number; sample?: (params: P, rng: RandomSource) => ArrayLike<number>; seed?: number } = {},
): FisherOperator {
  const damping = checkDamping('fisherOperator', options.damping ?? 0);
  const type = options.type ?? 'empirical';
  let used: Int32Array;
  if (type === 'empirical') used = Int32Array.from(labels);
  else if (type === 'sampled') {
    if (options.sample === undefined) {
      throw new InvalidArgumentError('fisherOperator', "type 'sampled' needs options.sample(params, rng) returning labels drawn from the model, e.g. sampleCategorical(logits, rng)");
    }
    used = Int32Array.from(options.sample(params, createRandom(options.seed ?? 0)));
  } else throw new InvalidArgumentError('fisherOperator', `type must be 'empirical' or 'sampled', got ${JSON.stringify(type)}`);
  const { gradients, count, size } = perSampleGradients((p: P) => negLogLikelihood(p, used), params);
  return {
    size,
    count,
    gradients,
    damping,
    type,
    labels: used,
    apply(v: Float64Array): Float64Array {
      checkVector('fisherOperator', v, size);
      // F·v = Gᵀ(G·v)/N + λv, two matrix-vector products: the n×n matrix is never formed.
      const Gv = gemv(gradients, count, size, v);
      return axpy(damping, v, scale(1 / count, gemvT(gradients, count, size, Gv)));
    },
  };
}

/**
 * Draws one class per row from softmax(logits) (a [N, C] tensor) with a seeded random source —
 * the labels of the sampled ("true") Fisher.
 * @example sampleCategorical(tensor([[0, 0, 50]]), createRandom(0)); // Int32Array [2], almost surely
 */
export function sampleCategorical(logits: Tensor, rng: RandomSource): Int32Array {
  if (logits.rank !== 2) throw new ShapeError('sampleCategorical', `logits must be [N, C], got ${formatShape(logits.shape)}`);
  const [N, C] = logits.shape as [number, number];
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, dataOf(logits)[i * C + c]!);
    let total = 0;
    for (let c = 0; c < C; c++) total += Math.exp(dataOf(logits)[i * C + c]! - m);
    let u = rng.uniform() * total;
    let chosen = C - 1;
    for (let c = 0; c < C; c++) {
      u -= Math.exp(dataOf(logits)[i * C + c]! - m);
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
 * Draws 0/1 labels with P(1) = σ(logit) per entry of a vector of logits (binary models).
 * @example sampleBernoulli(tensor([-50, 50]), createRandom(0)); // Int32Array [0, 1], almost surely
 */
export function sampleBernoulli(logits: Tensor, rng: RandomSource): Int32Array {
  const out = new Int32Array(logits.size);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < 1 / (1 + Math.exp(-dataOf(logits)[i]!)) ? 1 : 0;
  return out;
}

