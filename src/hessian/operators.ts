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
  grad,
  hessian as hessianTransform,
  linearize,
  linearizeAndTranspose,
  ravel,
  stack,
  tensor,
  type Tree,
} from '../autodiff/index.js';
import { axpy, gemv, gemvT, scale, subVectors } from '../linalg/index.js';
import { createRandom, type RandomSource } from '../linalg/random.js';
import { HVP_MODES, defaultStep, hvp, type HvpMode } from './hvp.js';
import type { LinearOperator } from './linear-operator.js';

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
  const { vector: x0, unravel } = ravel(x as Tree);
  const fFlat = (z: Tensor) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(unravel(z), ...rest);
  const n = x0.size;

  // Records f and its backward pass once; `value` and `gradient` come with the recording.
  let value = NaN;
  const gradientOf = (z: Tensor): Tensor => {
    const g = grad(fFlat)(z);
    return g;
  };
  let product: (v: Tensor) => Tensor;
  let gradient: Float64Array;
  switch (mode) {
    case 'fwd-over-rev': {
      const recorded = linearizeAndTranspose((z: Tensor) => withValue(fFlat, z, (fz) => (value = fz)), x0);
      gradient = recorded.value.toArray();
      product = recorded.jvp;
      break;
    }
    case 'rev-over-rev': {
      const recorded = linearizeAndTranspose((z: Tensor) => withValue(fFlat, z, (fz) => (value = fz)), x0);
      gradient = recorded.value.toArray();
      product = recorded.vjp as (v: Tensor) => Tensor;
      break;
    }
    case 'rev-over-fwd': {
      gradient = withValue(fFlat, x0, (fz) => (value = fz)).toArray();
      product = (v) => hvp(fFlat, x0, v, { mode });
      break;
    }
    case 'finite-difference':
    case 'central-difference': {
      const g0 = withValue(fFlat, x0, (fz) => (value = fz));
      gradient = g0.toArray();
      product = (v) => {
        const r = options.step ?? defaultStep(mode, x0, v);
        if (mode === 'finite-difference') return scaledDifference(gradientOf(shifted(x0, r, v)), g0, r);
        return scaledDifference(gradientOf(shifted(x0, r, v)), gradientOf(shifted(x0, -r, v)), 2 * r);
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
    gradient: gradient.slice(),
    apply(v: Float64Array): Float64Array {
      checkVector('hessianOperator', v, n);
      return withDamping(product(tensor(v)).data, v, damping);
    },
    diagonal: undefined as unknown as () => Float64Array,
  };
  operator.diagonal = cachedDiagonal(operator);
  return operator;
}

/** The gradient of fFlat at z, reporting f(z) through `onValue` (one pass, no second evaluation). */
function withValue(fFlat: (z: Tensor) => Tensor, z: Tensor, onValue: (value: number) => void): Tensor {
  return grad((y: Tensor) => {
    const out = fFlat(y);
    if (out instanceof Tensor && out.size === 1) onValue(out.data[0]!);
    return out;
  })(z);
}

/** x + r·v as a new constant. */
function shifted(x: Tensor, r: number, v: Tensor): Tensor {
  return tensor(axpy(r, v.data, x.data), x.shape);
}

/** (a − b)/d as a new constant. */
function scaledDifference(a: Tensor, b: Tensor, d: number): Tensor {
  return tensor(scale(1 / d, subVectors(a.data, b.data)), a.shape);
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
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, options?: { mode?: HessianMode }): (x: Tensor, ...rest: unknown[]) => Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, x: Tensor, options?: { mode?: HessianMode; step?: number }): Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, xOrOptions?: Tensor | { mode?: HessianMode }, maybeOptions: { mode?: HessianMode; step?: number } = {}): Tensor | ((x: Tensor, ...rest: unknown[]) => Tensor) {
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
    return tensor(stack(columns, 1).data, [...x.shape, ...x.shape]);
  }
  const mode = xOrOptions?.mode ?? 'fwd-over-rev';
  if (mode === 'finite-difference' || mode === 'central-difference') {
    return (x: Tensor) => hessian(f, x, { mode });
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
  const { unravel } = ravel(x as Tree);
  return unravel(tensor(H.diagonal())) as unknown as X extends number ? Tensor : X;
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
  const { vector: p0, unravel } = ravel(params as Tree);
  const modelMaps = linearizeAndTranspose((p: Tensor) => model(unravel(p) as P), p0);
  const z = modelMaps.value;
  if (!(z instanceof Tensor)) throw new InvalidArgumentError('gaussNewtonOperator', 'the model must return a single Tensor');
  const lossHessian = linearize(grad(loss), z).jvp;
  return {
    size: p0.size,
    damping,
    output: z,
    apply(v: Float64Array): Float64Array {
      checkVector('gaussNewtonOperator', v, p0.size);
      const Jv = modelMaps.jvp(tensor(v));
      return withDamping(modelMaps.vjp(lossHessian(Jv)).data, v, damping);
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
  const { vector: p0, unravel } = ravel(params as Tree);
  const maps = linearizeAndTranspose((p: Tensor) => (perExampleLoss as (q: unknown, ...rest: unknown[]) => Tensor)(unravel(p), ...rest), p0);
  const losses = maps.value;
  if (!(losses instanceof Tensor) || losses.rank !== 1) {
    throw new ShapeError('perSampleGradients', `the per-example loss must return a vector [N], got ${losses instanceof Tensor ? formatShape(losses.shape) : typeof losses}`);
  }
  const N = losses.size;
  const d = p0.size;
  const G = new Float64Array(N * d);
  if (d < N) {
    const e = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      e[j] = 1;
      const column = maps.jvp(tensor(e)).data;
      e[j] = 0;
      for (let i = 0; i < N; i++) G[i * d + j] = column[i]!;
    }
  } else {
    const e = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      e[i] = 1;
      G.set(maps.vjp(tensor(e)).data, i * d);
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
 */
export function sampleCategorical(logits: Tensor, rng: RandomSource): Int32Array {
  if (logits.rank !== 2) throw new ShapeError('sampleCategorical', `logits must be [N, C], got ${formatShape(logits.shape)}`);
  const [N, C] = logits.shape as [number, number];
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, logits.data[i * C + c]!);
    let total = 0;
    for (let c = 0; c < C; c++) total += Math.exp(logits.data[i * C + c]! - m);
    let u = rng.uniform() * total;
    let chosen = C - 1;
    for (let c = 0; c < C; c++) {
      u -= Math.exp(logits.data[i * C + c]! - m);
      if (u < 0) {
        chosen = c;
        break;
      }
    }
    out[i] = chosen;
  }
  return out;
}

/** Draws 0/1 labels with P(1) = σ(logit) per entry of a vector of logits (binary models). */
export function sampleBernoulli(logits: Tensor, rng: RandomSource): Int32Array {
  const out = new Int32Array(logits.size);
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform() < 1 / (1 + Math.exp(-logits.data[i]!)) ? 1 : 0;
  return out;
}

