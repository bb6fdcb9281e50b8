/**
 * The three models the real-data applications run on, written with tapegrad ops over parameter
 * trees: binary logistic regression with L2, softmax regression, and a one-hidden-layer tanh MLP.
 *
 * Every model exposes its per-example losses ℓᵢ(θ) as a vector [N] (what `perSampleGradients`,
 * `fisherOperator` and the influence functions want) and a *weighted* training objective
 *
 *     L(θ; w) = Σᵢ wᵢ·ℓᵢ(θ) + (λ/2)·‖θ‖²,   w = (1/n, …, 1/n) by default,
 *
 * so that leaving point i out is setting wᵢ = 0 (Koh & Liang's ε = −1/n): the regulariser keeps
 * its strength relative to every remaining example, and the first-order prediction
 * θ₋ᵢ ≈ θ + (1/n)H⁻¹∇ℓᵢ is exactly the quantity the retraining measures.
 *
 * The L2 term covers every parameter (weights and biases), so the Hessian of the objective is the
 * data term plus exactly λI — which is also the damping of the empirical Fisher used as its
 * Sherman–Morrison approximation.
 *
 * Also here, for the tests and benchmarks that need it on a flat weight vector: `l2Logistic`,
 * the L2-regularised logistic regression f(w) = mean(softplus(Xw) − y⊙Xw) + (λ/2)‖w‖², the one
 * definition they all share.
 */
import {
  add,
  logSoftmax,
  matmul,
  mean,
  mul,
  softplus,
  square,
  sub,
  sum,
  takeAlongRows,
  tanh,
  tensor,
  zeros,
  Tensor,
} from '../src/index.js';
import { createRandom } from '../src/linalg/random.js';
import type { Table } from './data.js';

/** Features and labels as tensors, ready for the models. */
export interface Batch {
  /** [N, d] */
  readonly x: Tensor;
  /** The labels as integers (class indices; 0/1 for the binary model). */
  readonly labels: Int32Array;
  /** The labels as a float tensor [N] (used by the binary model). */
  readonly y: Tensor;
  readonly size: number;
}

export function toBatch(table: Table, rows?: ArrayLike<number>): Batch {
  const index = rows ?? Int32Array.from({ length: table.rows }, (_, i) => i);
  const d = table.columns;
  const x = new Float64Array(index.length * d);
  const labels = new Int32Array(index.length);
  for (let i = 0; i < index.length; i++) {
    const r = index[i]!;
    x.set(table.features.subarray(r * d, (r + 1) * d), i * d);
    labels[i] = table.labels[r]!;
  }
  return {
    x: tensor(x, [index.length, d]),
    labels,
    y: tensor(Float64Array.from(labels), [index.length]),
    size: index.length,
  };
}

/** (λ/2)·Σ over every leaf of θ². */
function l2(params: Record<string, Tensor>, lambda: number): Tensor {
  let total: Tensor | undefined;
  for (const leaf of Object.values(params)) {
    const s = sum(square(leaf));
    total = total === undefined ? s : add(total, s);
  }
  return mul(lambda / 2, total ?? zeros([]));
}

/** Σᵢ wᵢℓᵢ, or the mean when no weights are given. */
function weightedSum(losses: Tensor, weights: Float64Array | undefined): Tensor {
  return weights === undefined ? mean(losses) : sum(mul(tensor(weights), losses));
}

// ---------------------------------------------------------------------------------------------
// Binary logistic regression
// ---------------------------------------------------------------------------------------------

export type LogisticParams = { w: Tensor; b: Tensor };

export function logisticInit(features: number): LogisticParams {
  return { w: zeros([features]), b: zeros([]) };
}

/** The logits z = Xw + b, [N]. */
export function logisticLogits(p: LogisticParams, batch: Batch): Tensor {
  return add(matmul(batch.x, p.w), p.b);
}

/** ℓᵢ = −log p(yᵢ|xᵢ) = softplus(zᵢ) − yᵢzᵢ, [N] (the stable form of binary cross-entropy). */
export function logisticLosses(p: LogisticParams, batch: Batch): Tensor {
  return logisticNll(logisticLogits(p, batch), batch.y);
}

/** softplus(z) − y⊙z: the negative log-likelihood of labels y ∈ {0, 1} at logits z, per example. */
export function logisticNll(z: Tensor, y: Tensor): Tensor {
  return sub(softplus(z), mul(y, z));
}

/**
 * L2-regularised logistic regression on a flat weight vector:
 * f(w) = mean(softplus(Xw) − y⊙Xw) + (λ/2)‖w‖², with ∇f = Xᵀ(σ − y)/N + λw and
 * H = Xᵀdiag(σ(1−σ))X/N + λI. X is [N, d], y holds N labels in {0, 1}.
 */
export function l2Logistic(X: Tensor, y: Tensor, lambda: number): (w: Tensor) => Tensor {
  return (w) => add(mean(logisticNll(matmul(X, w), y)), mul(lambda / 2, sum(square(w))));
}

/** Σᵢ wᵢℓᵢ + (λ/2)(‖w‖² + b²). */
export function logisticObjective(p: LogisticParams, batch: Batch, lambda: number, weights?: Float64Array): Tensor {
  return add(weightedSum(logisticLosses(p, batch), weights), l2(p, lambda));
}

/** Fraction of correct predictions (z > 0 ⇔ class 1). */
export function logisticAccuracy(p: LogisticParams, batch: Batch): number {
  const z = logisticLogits(p, batch).data;
  let correct = 0;
  for (let i = 0; i < batch.size; i++) if ((z[i]! > 0 ? 1 : 0) === batch.labels[i]) correct++;
  return correct / batch.size;
}

// ---------------------------------------------------------------------------------------------
// Softmax regression
// ---------------------------------------------------------------------------------------------

export type SoftmaxParams = { w: Tensor; b: Tensor };

export function softmaxInit(features: number, classes: number): SoftmaxParams {
  return { w: zeros([features, classes]), b: zeros([classes]) };
}

export function softmaxLogits(p: SoftmaxParams, batch: Batch): Tensor {
  return add(matmul(batch.x, p.w), p.b);
}

/** ℓᵢ = −log softmax(zᵢ)[yᵢ], [N]. */
export function softmaxLosses(p: SoftmaxParams, batch: Batch): Tensor {
  return mul(-1, takeAlongRows(logSoftmax(softmaxLogits(p, batch)), batch.labels));
}

export function softmaxObjective(p: SoftmaxParams, batch: Batch, lambda: number, weights?: Float64Array): Tensor {
  return add(weightedSum(softmaxLosses(p, batch), weights), l2(p, lambda));
}

// ---------------------------------------------------------------------------------------------
// A one-hidden-layer MLP: x → tanh(xW₁ + b₁) → W₂ + b₂ → softmax
// ---------------------------------------------------------------------------------------------

export type MlpParams = { w1: Tensor; b1: Tensor; w2: Tensor; b2: Tensor };

/** Glorot-scaled normal weights (seeded), zero biases. */
export function mlpInit(inputs: number, hidden: number, classes: number, seed = 0): MlpParams {
  const rng = createRandom(seed);
  const w1 = rng.normals(inputs * hidden).map((v) => v * Math.sqrt(2 / (inputs + hidden)));
  const w2 = rng.normals(hidden * classes).map((v) => v * Math.sqrt(2 / (hidden + classes)));
  return {
    w1: tensor(w1, [inputs, hidden]),
    b1: zeros([hidden]),
    w2: tensor(w2, [hidden, classes]),
    b2: zeros([classes]),
  };
}

export function mlpLogits(p: MlpParams, batch: Batch): Tensor {
  const h = tanh(add(matmul(batch.x, p.w1), p.b1));
  return add(matmul(h, p.w2), p.b2);
}

/** ℓᵢ = −log softmax(MLP(xᵢ))[yᵢ], [N]. */
export function mlpLosses(p: MlpParams, batch: Batch): Tensor {
  return mul(-1, takeAlongRows(logSoftmax(mlpLogits(p, batch)), batch.labels));
}

export function mlpObjective(p: MlpParams, batch: Batch, lambda: number, weights?: Float64Array): Tensor {
  return add(weightedSum(mlpLosses(p, batch), weights), l2(p, lambda));
}

/** Fraction of rows whose largest logit is the label. */
export function classifierAccuracy(logits: Tensor, labels: Int32Array): number {
  const [N, C] = logits.shape as [number, number];
  const values = logits.toArray();
  let correct = 0;
  for (let i = 0; i < N; i++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (values[i * C + c]! > values[i * C + best]!) best = c;
    if (best === labels[i]) correct++;
  }
  return correct / N;
}
