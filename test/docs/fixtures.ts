/**
 * The data documentation fragments use without defining it. A generated example program imports
 * every name below that the package does not already export; the fragment runs in a block of
 * its own, so anything it defines itself shadows these.
 *
 * Two small problems, exact enough to print:
 * - the quadratic f(x) = ½xᵀAx with a non-symmetric A (so H = ½(A + Aᵀ)), at x with direction v;
 * - an L2-regularised logistic regression on 8 examples with 3 features (`train`, `loss`,
 *   `objective`, `losses`, `params`), its Hessian operator `H`, an exact inverse `inv`, the
 *   per-sample gradients `G` and a right-hand side `b`.
 */
import {
  add,
  createRandom,
  denseOperator,
  dot,
  exactInverse,
  grad,
  hessianOperator,
  logSoftmax,
  matmul,
  mean,
  mul,
  neg,
  newtonCg,
  perSampleGradients,
  softplus,
  square,
  stack,
  sub,
  sum,
  take,
  takeAlongRows,
  tensor,
  type RandomSource,
  type Tensor,
} from '../../src/index.js';

export const A = tensor([[2, 1], [0, 3]]);
export const f = (x: Tensor) => mul(0.5, dot(x, matmul(A, x)));
export const x = tensor([1, 2]);
export const v = tensor([1, 0]);

/** Features (an intercept and two standard normals) and 0/1 labels of 50 training examples, seeded. */
const rng = createRandom(7);
export const N = 50;
export const X = tensor(Array.from({ length: N }, () => [1, rng.normal(), rng.normal()]));
export const y = tensor(Array.from({ length: N }, (_, i) => (i % 3 === 0 ? 0 : 1)));
export const train = { X, y };
export const testPoint = { X: tensor([[1, 0.25, 0.75]]), y: tensor([1]) };
export const d = 3;
export const n = 3;
export const params = tensor([0.1, -0.2, 0.3]);
export const w = params;
export const init = params;
export const options = {};

type Data = { X: Tensor; y: Tensor };

/** Per-example logistic losses ℓᵢ(p) = softplus(zᵢ) − yᵢzᵢ with z = Xp: a vector [N]. */
export function losses(p: Tensor, data: Data | Tensor = train, labels?: Tensor): Tensor {
  const { X: features, y: targets } = data instanceof Array || !('X' in data) ? { X: data as Tensor, y: labels! } : data;
  const z = matmul(features, p);
  return sub(softplus(z), mul(targets, z));
}

/** The regularised mean loss; `weights` (one per example) give a weighted sum instead of the mean. */
export function objective(p: Tensor, data: Data = train, lambda = 0.01, weights?: Float64Array): Tensor {
  const each = losses(p, data);
  const fit = weights === undefined ? mean(each) : sum(mul(tensor(weights), each));
  return add(fit, mul(0.5 * lambda, dot(p, p)));
}
export const logisticObjective = objective;
export const loss = (p: Tensor) => objective(p);

export const H = hessianOperator(loss, params);
export const b = new Float64Array([1, -1, 0.5]);
export const inv = exactInverse(H);
export const inverse = inv;
export const G = perSampleGradients((p: Tensor) => losses(p), params);
export const testGradient = grad((p: Tensor) => sum(losses(p, testPoint)))(params).toArray();
export const gTest = testGradient;
export const g = H.gradient;
export const gradientOf = (i: number) => G.gradients.slice(i * G.size, (i + 1) * G.size);
export const trained = newtonCg(loss, params).params;
export const weights = trained.toArray();
export const weightIndices = [0, 1, 2];

/** Two-class logits [N, 2] (the first class pinned at 0), labels and the per-example negative log-likelihood. */
export const logits = (p: Tensor) => stack([mul(0, matmul(X, p)), matmul(X, p)], 1);
export const labels = Int32Array.from(y.toArray());
export const nll = (p: Tensor, observed: Int32Array) => neg(takeAlongRows(logSoftmax(logits(p), 1), observed));

/** A minibatch of example indices and the loss on it, for the stochastic solvers. */
export const batch = (rng: RandomSource) => Int32Array.from({ length: 4 }, () => Math.floor(rng.uniform() * N));
export const lossOn = (indices: ArrayLike<number>) => (p: Tensor) => add(mean(take(losses(p), indices)), mul(0.005, dot(p, p)));
export const batchLoss = (rng: RandomSource) => lossOn(batch(rng));

/** A dense symmetric positive definite n × n matrix (row-major) for the kernels and solvers; `b` is a right-hand side. */
export const a = new Float64Array([4, 1, 0, 1, 3, 1, 0, 1, 2]);
export const op = denseOperator(a);
export const theta = new Float64Array([0.1, -0.2, 0.3]);
export const next = new Float64Array([0.1, -0.2, 0.3]);
export const p = new Float64Array([1e-12, 0, 0]);
/** Stopping-rule settings as the optimisers read them (their internal helpers' examples use these). */
export const settings = { tolerance: 0, gradientTolerance: 1e-15, valueTolerance: 1e-14, stepTolerance: 1e-12, maxIterations: 1000, forcing: 'superlinear' as const };
