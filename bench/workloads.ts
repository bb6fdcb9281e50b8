/**
 * The benchmark workloads, each twice: as a tapegrad function
 * and as hand-written Float64Array closed forms for the value, the gradient and the
 * Hessian-vector product. The benchmarks and `bin/compare.ts` time the two side by side, and
 * `test/bench/workloads.test.ts` checks that they compute the same numbers — a ratio is only
 * meaningful if both sides do the same job.
 *
 *   quadratic          f = ½xᵀAx, A random and NOT symmetric       H = ½(A + Aᵀ)
 *   logistic           mean(softplus(Xw) − y⊙Xw) + (λ/2)‖w‖²       H = Xᵀ diag(σ(1−σ)) X / N + λI
 *   mlp                64→64(tanh)→10 softmax, mean cross-entropy  Hv by Pearlmutter's R-operator
 *   rosenbrock         Σ 100(x_{i+1} − x_i²)² + (1 − x_i)², slices tridiagonal H
 *   scalar-rosenbrock  the same, one rank-0 op at a time           measures per-node overhead
 *
 * The hand-written side is what a careful person would write: tight loops, or the library's own
 * gemv/gemm kernels where the maths is a matrix product (tapegrad's matmul calls the same gemm,
 * so a ratio measures the engine, not the kernel). `hand.operator(x)` precomputes everything that
 * depends on x alone (σ(1−σ), the MLP's forward and backward passes, the tridiagonal bands) and
 * returns v ↦ Hv — the fair partner of tapegrad's record-once `hessianOperator`.
 *
 * Every workload is built from a seed, so runs are reproducible.
 */
import {
  add,
  logSoftmax,
  matmul,
  mean,
  mul,
  neg,
  ravel,
  scalar,
  slice,
  softplus,
  square,
  sub,
  sum,
  takeAlongRows,
  tanh,
  tensor,
  dot,
  type Tensor,
  type Tree,
} from '../src/index.js';
import { createRandom, gemm, gemv, gemvT } from '../src/linalg/index.js';
import { l2Logistic } from '../scripts/models.js';

/** Hand-written closed forms on the flat parameter vector (the order of `ravel(x)`). */
export interface ClosedForms {
  value(x: Float64Array): number;
  gradient(x: Float64Array): Float64Array;
  /** H(x)·v from scratch (whatever it needs of the forward pass is recomputed). */
  hvp(x: Float64Array, v: Float64Array): Float64Array;
  /** Precomputes what depends on x only and returns v ↦ H(x)·v. */
  operator(x: Float64Array): (v: Float64Array) => Float64Array;
}

/** What the performance targets expect of a workload: kernel-bound or overhead-bound. */
export type Bound = 'kernel' | 'overhead' | 'per-node';

export type WorkloadFamily = 'quadratic' | 'logistic' | 'mlp' | 'rosenbrock' | 'scalar-rosenbrock';

export interface Workload<X extends Tree = Tree> {
  /** Short unique name, e.g. `quadratic n=1000`. */
  readonly name: string;
  readonly family: WorkloadFamily;
  /** One line describing sizes, for table headers. */
  readonly description: string;
  readonly bound: Bound;
  /** Number of parameters. */
  readonly size: number;
  /** The tapegrad function (method syntax: workloads of every X fit in one list). */
  f(x: X): Tensor;
  /** The point and the direction, in the structure f takes. */
  readonly x: X;
  readonly v: X;
  /** The same, flattened in `ravel` order, for the closed forms. */
  readonly xFlat: Float64Array;
  readonly vFlat: Float64Array;
  readonly hand: ClosedForms;
}

/** Any tree of constant tensors as one flat Float64Array (ravel order). */
export function flat(tree: unknown): Float64Array {
  return ravel(tree as Tree).vector.toArray();
}

// ---------------------------------------------------------------------------------------------
// 1. Quadratic ½xᵀAx

/** f = ½xᵀAx with A an n×n standard-normal (non-symmetric) matrix; x, v standard normal. */
export function quadratic(n: number, seed = 1): Workload<Tensor> {
  const rng = createRandom(seed);
  const a = rng.normals(n * n);
  const xFlat = rng.normals(n);
  const vFlat = rng.normals(n);
  const A = tensor(a, [n, n]);
  // ∇f = ½(A + Aᵀ)x and H·v = ½(A + Aᵀ)v: one gemv and one gemvT, no n×n temporary.
  const symmetricProduct = (x: Float64Array): Float64Array => {
    const out = gemv(a, n, n, x);
    const t = gemvT(a, n, n, x);
    for (let i = 0; i < n; i++) out[i] = 0.5 * (out[i]! + t[i]!);
    return out;
  };
  return {
    name: `quadratic n=${n}`,
    family: 'quadratic',
    description: `½xᵀAx, A ${n}×${n} non-symmetric`,
    bound: n >= 1000 ? 'kernel' : 'overhead',
    size: n,
    f: (x) => mul(0.5, dot(x, matmul(A, x))),
    x: tensor(xFlat),
    v: tensor(vFlat),
    xFlat,
    vFlat,
    hand: {
      value: (x) => {
        const ax = gemv(a, n, n, x);
        let s = 0;
        for (let i = 0; i < n; i++) s += x[i]! * ax[i]!;
        return 0.5 * s;
      },
      gradient: symmetricProduct,
      hvp: (_x, v) => symmetricProduct(v),
      // Nothing depends on x; forming ½(A + Aᵀ) once would change the algorithm (and memory), so
      // the hand operator is the same two matrix-vector products tapegrad replays.
      operator: () => symmetricProduct,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 2. L2-regularised logistic regression

export interface LogisticSizes {
  readonly examples: number;
  readonly features: number;
  readonly lambda: number;
}

/** σ(z) without overflow. */
function sigmoidValue(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log(1 + eᶻ) without overflow. */
function softplusValue(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

/**
 * f(w) = mean(softplus(Xw) − y⊙Xw) + (λ/2)‖w‖², the negative log-likelihood of logistic regression
 * with labels y ∈ {0, 1}. X is N×d standard normal scaled by 1/√d (logits of order 1).
 */
export function logistic(
  sizes: LogisticSizes = { examples: 2000, features: 100, lambda: 1e-3 },
  seed = 2,
): Workload<Tensor> {
  const { examples: N, features: d, lambda } = sizes;
  const rng = createRandom(seed);
  const xData = rng.normals(N * d).map((value) => value / Math.sqrt(d));
  const labels = Float64Array.from({ length: N }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const wFlat = rng.normals(d);
  const vFlat = rng.normals(d);
  const X = tensor(xData, [N, d]);
  const y = tensor(labels);
  // ∇f = Xᵀ(σ(Xw) − y)/N + λw
  const gradient = (w: Float64Array): Float64Array => {
    const z = gemv(xData, N, d, w);
    for (let i = 0; i < N; i++) z[i] = (sigmoidValue(z[i]!) - labels[i]!) / N;
    const g = gemvT(xData, N, d, z);
    for (let j = 0; j < d; j++) g[j] = g[j]! + lambda * w[j]!;
    return g;
  };
  // s = σ(1 − σ)/N at Xw, the diagonal of the loss's curvature in logit space.
  const curvature = (w: Float64Array): Float64Array => {
    const z = gemv(xData, N, d, w);
    for (let i = 0; i < N; i++) {
      const s = sigmoidValue(z[i]!);
      z[i] = (s * (1 - s)) / N;
    }
    return z;
  };
  // Hv = Xᵀ(s ⊙ Xv) + λv
  const product = (s: Float64Array, v: Float64Array): Float64Array => {
    const u = gemv(xData, N, d, v);
    for (let i = 0; i < N; i++) u[i] = u[i]! * s[i]!;
    const h = gemvT(xData, N, d, u);
    for (let j = 0; j < d; j++) h[j] = h[j]! + lambda * v[j]!;
    return h;
  };
  return {
    name: `logistic N=${N} d=${d}`,
    family: 'logistic',
    description: `L2 logistic regression, N = ${N}, d = ${d}, λ = ${lambda}`,
    bound: 'kernel',
    size: d,
    f: l2Logistic(X, y, lambda),
    x: tensor(wFlat),
    v: tensor(vFlat),
    xFlat: wFlat,
    vFlat,
    hand: {
      value: (w) => {
        const z = gemv(xData, N, d, w);
        let loss = 0;
        for (let i = 0; i < N; i++) loss += softplusValue(z[i]!) - labels[i]! * z[i]!;
        let norm = 0;
        for (let j = 0; j < d; j++) norm += w[j]! * w[j]!;
        return loss / N + (lambda / 2) * norm;
      },
      gradient,
      hvp: (w, v) => product(curvature(w), v),
      operator: (w) => {
        const s = curvature(w);
        return (v) => product(s, v);
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 3. A one-hidden-layer softmax MLP

export interface MlpSizes {
  readonly batch: number;
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
}

/** The MLP's parameters as a tree: W1 [inputs, hidden], b1 [hidden], W2 [hidden, classes], b2 [classes]. */
export interface MlpParams {
  readonly [key: string]: Tensor;
  readonly W1: Tensor;
  readonly b1: Tensor;
  readonly W2: Tensor;
  readonly b2: Tensor;
}

/** Adds a row vector to every row of a rows×cols matrix, in place. */
function addRowVector(m: Float64Array, rows: number, cols: number, b: Float64Array, offset = 0): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m[i * cols + j] = m[i * cols + j]! + b[offset + j]!;
}

/** Column sums of a rows×cols matrix written into out[offset…]. */
function columnSums(m: Float64Array, rows: number, cols: number, out: Float64Array, offset: number): void {
  for (let j = 0; j < cols; j++) out[offset + j] = 0;
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[offset + j] = out[offset + j]! + m[i * cols + j]!;
}

/**
 * tanh MLP with softmax output and mean cross-entropy over a batch:
 * H = tanh(X·W1 + b1), Z = H·W2 + b2, f = −mean log softmax(Z)[label]. Defaults are the benchmark's
 * 64→64→10 on a batch of 256 (4810 parameters). Weights are N(0, 1/fan-in).
 */
export function mlp(
  sizes: MlpSizes = { batch: 256, inputs: 64, hidden: 64, classes: 10 },
  seed = 3,
): Workload<MlpParams> {
  const { batch: B, inputs: I, hidden: K, classes: C } = sizes;
  const rng = createRandom(seed);
  const xData = rng.normals(B * I);
  const labels = Int32Array.from({ length: B }, () => rng.integer(C));
  const init = (count: number, fanIn: number) => rng.normals(count).map((value) => value / Math.sqrt(fanIn));
  const point = {
    W1: init(I * K, I),
    b1: init(K, 1).map((value) => 0.1 * value),
    W2: init(K * C, K),
    b2: init(C, 1).map((value) => 0.1 * value),
  };
  const direction = { W1: rng.normals(I * K), b1: rng.normals(K), W2: rng.normals(K * C), b2: rng.normals(C) };
  const asParams = (p: { W1: Float64Array; b1: Float64Array; W2: Float64Array; b2: Float64Array }): MlpParams => ({
    W1: tensor(p.W1, [I, K]),
    b1: tensor(p.b1),
    W2: tensor(p.W2, [K, C]),
    b2: tensor(p.b2),
  });
  const X = tensor(xData, [B, I]);
  // Offsets of each block in the flat (ravel-order) vector.
  const oW1 = 0;
  const ob1 = oW1 + I * K;
  const oW2 = ob1 + K;
  const ob2 = oW2 + K * C;
  const size = ob2 + C;
  const W1of = (p: Float64Array) => p.subarray(oW1, ob1);
  const W2of = (p: Float64Array) => p.subarray(oW2, ob2);

  interface Forward {
    H: Float64Array; // tanh activations, B×K
    P: Float64Array; // softmax probabilities, B×C
    loss: number;
  }
  const forward = (p: Float64Array): Forward => {
    const H = gemm(xData, W1of(p), B, I, K);
    addRowVector(H, B, K, p, ob1);
    for (let i = 0; i < H.length; i++) H[i] = Math.tanh(H[i]!);
    const P = gemm(H, W2of(p), B, K, C);
    addRowVector(P, B, C, p, ob2);
    let loss = 0;
    for (let i = 0; i < B; i++) {
      const row = i * C;
      let m = -Infinity;
      for (let c = 0; c < C; c++) m = Math.max(m, P[row + c]!);
      let total = 0;
      for (let c = 0; c < C; c++) total += Math.exp(P[row + c]! - m);
      loss += m + Math.log(total) - P[row + labels[i]!]!;
      for (let c = 0; c < C; c++) P[row + c] = Math.exp(P[row + c]! - m) / total;
    }
    return { H, P, loss: loss / B };
  };

  interface Backward extends Forward {
    dZ: Float64Array; // ∂f/∂Z = (P − onehot)/B, B×C
    dH: Float64Array; // ∂f/∂H = dZ·W2ᵀ, B×K
    gradient: Float64Array;
  }
  const backward = (p: Float64Array): Backward => {
    const fwd = forward(p);
    const { H } = fwd;
    const dZ = fwd.P.slice();
    for (let i = 0; i < B; i++) dZ[i * C + labels[i]!] = dZ[i * C + labels[i]!]! - 1;
    for (let i = 0; i < dZ.length; i++) dZ[i] = dZ[i]! / B;
    const g = new Float64Array(size);
    gemm(H, dZ, K, B, C, { transposeA: true, out: g.subarray(oW2, ob2) }); // dW2 = Hᵀ·dZ
    columnSums(dZ, B, C, g, ob2); // db2
    const dH = gemm(dZ, W2of(p), B, C, K, { transposeB: true }); // dZ·W2ᵀ
    const dA = new Float64Array(B * K);
    for (let i = 0; i < dA.length; i++) dA[i] = dH[i]! * (1 - H[i]! * H[i]!); // tanh′ = 1 − tanh²
    gemm(xData, dA, I, B, K, { transposeA: true, out: g.subarray(oW1, ob1) }); // dW1 = Xᵀ·dA
    columnSums(dA, B, K, g, ob1); // db1
    return { ...fwd, dZ, dH, gradient: g };
  };

  // Pearlmutter's R-operator, R{·} = ∂/∂ε (·)(p + εv) at ε = 0, pushed through the forward and
  // backward passes above, given the forward/backward quantities at p.
  const rOperator = (p: Float64Array, s: Backward, v: Float64Array): Float64Array => {
    const { H, P, dZ, dH } = s;
    // R{A} = X·V_W1 + V_b1, R{H} = (1 − H²)⊙R{A}
    const RH = gemm(xData, W1of(v), B, I, K);
    addRowVector(RH, B, K, v, ob1);
    for (let i = 0; i < RH.length; i++) RH[i] = RH[i]! * (1 - H[i]! * H[i]!);
    // R{Z} = R{H}·W2 + H·V_W2 + V_b2
    const RZ = gemm(RH, W2of(p), B, K, C);
    gemm(H, W2of(v), B, K, C, { beta: 1, out: RZ });
    addRowVector(RZ, B, C, v, ob2);
    // R{dZ} = R{P}/B with R{P} = P⊙(R{Z} − ⟨P, R{Z}⟩_row)
    const RdZ = new Float64Array(B * C);
    for (let i = 0; i < B; i++) {
      const row = i * C;
      let inner = 0;
      for (let c = 0; c < C; c++) inner += P[row + c]! * RZ[row + c]!;
      for (let c = 0; c < C; c++) RdZ[row + c] = (P[row + c]! * (RZ[row + c]! - inner)) / B;
    }
    const out = new Float64Array(size);
    // R{dW2} = R{H}ᵀ·dZ + Hᵀ·R{dZ}; R{db2} = column sums of R{dZ}
    const RdW2 = out.subarray(oW2, ob2);
    gemm(RH, dZ, K, B, C, { transposeA: true, out: RdW2 });
    gemm(H, RdZ, K, B, C, { transposeA: true, beta: 1, out: RdW2 });
    columnSums(RdZ, B, C, out, ob2);
    // R{dH} = R{dZ}·W2ᵀ + dZ·V_W2ᵀ
    const RdH = gemm(RdZ, W2of(p), B, C, K, { transposeB: true });
    gemm(dZ, W2of(v), B, C, K, { transposeB: true, beta: 1, out: RdH });
    // R{dA} = R{dH}⊙(1 − H²) − 2·dH⊙H⊙R{H}
    for (let i = 0; i < RdH.length; i++) {
      const h = H[i]!;
      RdH[i] = RdH[i]! * (1 - h * h) - 2 * dH[i]! * h * RH[i]!;
    }
    // R{dW1} = Xᵀ·R{dA}; R{db1} = column sums of R{dA}
    gemm(xData, RdH, I, B, K, { transposeA: true, out: out.subarray(oW1, ob1) });
    columnSums(RdH, B, K, out, ob1);
    return out;
  };

  const x = asParams(point);
  return {
    name: `mlp ${I}→${K}→${C} batch=${B}`,
    family: 'mlp',
    description: `${I}→${K}(tanh)→${C} softmax MLP, batch ${B}`,
    bound: 'kernel',
    size,
    f: (q) => {
      const hidden = tanh(add(matmul(X, q.W1), q.b1));
      const logits = add(matmul(hidden, q.W2), q.b2);
      return neg(mean(takeAlongRows(logSoftmax(logits), labels)));
    },
    x,
    v: asParams(direction),
    xFlat: flat(x),
    vFlat: flat(asParams(direction)),
    hand: {
      value: (p) => forward(p).loss,
      gradient: (p) => backward(p).gradient,
      hvp: (p, v) => rOperator(p, backward(p), v),
      operator: (p) => {
        const state = backward(p);
        return (v) => rOperator(p, state, v);
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// 4–5. Rosenbrock, vectorised and one scalar op at a time

/** The closed forms of Σ 100(x_{i+1} − x_i²)² + (1 − x_i)² (shared by both Rosenbrock workloads). */
function rosenbrockClosedForms(n: number): ClosedForms {
  // H is tridiagonal: H_ii = [i < n−1](1200x_i² − 400x_{i+1} + 2) + [i > 0]·200, H_{i,i+1} = −400x_i.
  const bands = (x: Float64Array): { diagonal: Float64Array; upper: Float64Array } => {
    const diagonal = new Float64Array(n);
    const upper = new Float64Array(Math.max(n - 1, 0));
    for (let i = 0; i < n - 1; i++) {
      const xi = x[i]!;
      diagonal[i] = diagonal[i]! + 1200 * xi * xi - 400 * x[i + 1]! + 2;
      diagonal[i + 1] = diagonal[i + 1]! + 200;
      upper[i] = -400 * xi;
    }
    return { diagonal, upper };
  };
  const tridiagonal = (diagonal: Float64Array, upper: Float64Array, v: Float64Array): Float64Array => {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = diagonal[i]! * v[i]!;
    for (let i = 0; i < n - 1; i++) {
      out[i] = out[i]! + upper[i]! * v[i + 1]!;
      out[i + 1] = out[i + 1]! + upper[i]! * v[i]!;
    }
    return out;
  };
  return {
    value: (x) => {
      let s = 0;
      for (let i = 0; i < n - 1; i++) {
        const r = x[i + 1]! - x[i]! * x[i]!;
        const t = 1 - x[i]!;
        s += 100 * r * r + t * t;
      }
      return s;
    },
    gradient: (x) => {
      const g = new Float64Array(n);
      for (let i = 0; i < n - 1; i++) {
        const xi = x[i]!;
        const r = x[i + 1]! - xi * xi;
        g[i] = g[i]! - 400 * xi * r - 2 * (1 - xi);
        g[i + 1] = g[i + 1]! + 200 * r;
      }
      return g;
    },
    // From scratch: one fused pass, no band arrays.
    hvp: (x, v) => {
      const out = new Float64Array(n);
      for (let i = 0; i < n - 1; i++) {
        const xi = x[i]!;
        const off = -400 * xi;
        out[i] = out[i]! + (1200 * xi * xi - 400 * x[i + 1]! + 2) * v[i]! + off * v[i + 1]!;
        out[i + 1] = out[i + 1]! + 200 * v[i + 1]! + off * v[i]!;
      }
      return out;
    },
    operator: (x) => {
      const { diagonal, upper } = bands(x);
      return (v) => tridiagonal(diagonal, upper, v);
    },
  };
}

/** Points of the Rosenbrock workloads: x near the valley, away from the minimum; v standard normal. */
function rosenbrockPoint(n: number, seed: number): { xFlat: Float64Array; vFlat: Float64Array } {
  const rng = createRandom(seed);
  return { xFlat: rng.uniforms(n, -1.5, 1.5), vFlat: rng.normals(n) };
}

/** Vectorised Rosenbrock with slices: a = x[0:n−1], b = x[1:n], f = Σ 100(b − a²)² + (1 − a)². */
export function rosenbrock(n = 10_000, seed = 4): Workload<Tensor> {
  const { xFlat, vFlat } = rosenbrockPoint(n, seed);
  return {
    name: `rosenbrock n=${n}`,
    family: 'rosenbrock',
    description: `vectorised Rosenbrock (slices), n = ${n}`,
    bound: 'overhead',
    size: n,
    f: (x) => {
      const a = slice(x, [0], [n - 1]);
      const b = slice(x, [1], [n - 1]);
      return sum(add(mul(100, square(sub(b, square(a)))), square(sub(1, a))));
    },
    x: tensor(xFlat),
    v: tensor(vFlat),
    xFlat,
    vFlat,
    hand: rosenbrockClosedForms(n),
  };
}

/** Tape nodes the scalar Rosenbrock makes per term (see `scalarRosenbrock`). */
export const SCALAR_ROSENBROCK_OPS_PER_TERM = 8;

/**
 * Rosenbrock built from rank-0 tensors, one scalar op per tape node: x is an array of n scalars
 * and each of the n − 1 terms costs 8 ops (square, sub, square, mul, sub, square, add, add).
 * This is the program that pays the engine's per-node cost in full.
 */
export function scalarRosenbrock(n = 1000, seed = 4): Workload<Tensor[]> {
  const { xFlat, vFlat } = rosenbrockPoint(n, seed);
  const scalars = (values: Float64Array) => Array.from(values, (value) => scalar(value));
  return {
    name: `scalar rosenbrock n=${n}`,
    family: 'scalar-rosenbrock',
    description: `Rosenbrock one rank-0 op at a time, n = ${n} (${SCALAR_ROSENBROCK_OPS_PER_TERM * (n - 1)} ops)`,
    bound: 'per-node',
    size: n,
    f: (xs) => {
      let total: Tensor = scalar(0);
      for (let i = 0; i < n - 1; i++) {
        const r = sub(xs[i + 1]!, square(xs[i]!));
        total = add(total, add(mul(100, square(r)), square(sub(1, xs[i]!))));
      }
      return total;
    },
    x: scalars(xFlat),
    v: scalars(vFlat),
    xFlat,
    vFlat,
    hand: rosenbrockClosedForms(n),
  };
}

// ---------------------------------------------------------------------------------------------

/** The benchmark sizes (quadratic 100 and 1000, logistic, MLP, Rosenbrock 10 000, scalar 1000). */
export function standardWorkloads(): Workload[] {
  return [quadratic(100), quadratic(1000), logistic(), mlp(), rosenbrock(10_000), scalarRosenbrock(1000)] as Workload[];
}

/** Small sizes for tests: every closed form and every mode, in milliseconds. */
export function smallWorkloads(): Workload[] {
  return [
    quadratic(12),
    logistic({ examples: 40, features: 6, lambda: 1e-3 }),
    mlp({ batch: 10, inputs: 5, hidden: 4, classes: 3 }),
    rosenbrock(15),
    scalarRosenbrock(9),
  ] as Workload[];
}

/**
 * The normwise relative difference max|a − b| / max|b| (0 when both are zero) — what the
 * comparison table and the tests report as "error against the closed form".
 */
export function relativeError(a: Float64Array | number, b: Float64Array | number): number {
  const as = typeof a === 'number' ? Float64Array.of(a) : a;
  const bs = typeof b === 'number' ? Float64Array.of(b) : b;
  if (as.length !== bs.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < as.length; i++) {
    diff = Math.max(diff, Math.abs(as[i]! - bs[i]!));
    scale = Math.max(scale, Math.abs(bs[i]!));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

// ---------------------------------------------------------------------------------------------
// The performance targets, evaluated the same way by `bench/hvp.bench.ts` and `bin/compare.ts`.

/** Mean (or median) seconds per call of what the targets compare. */
export interface Timings {
  readonly gradient: number;
  readonly handGradient: number;
  readonly handHvp: number;
  readonly handOperator: number;
  /** Per-call HVP by mode (at least the two AD modes the targets name). */
  readonly hvp: Readonly<Record<string, number>>;
  /** Replayed `hessianOperator(...).apply` by mode. */
  readonly operator: Readonly<Record<string, number>>;
}

export interface TargetCheck {
  /** e.g. `HVP ÷ gradient (fwd-over-rev)`. */
  readonly target: string;
  readonly ratio: number;
  readonly limit: number;
  readonly pass: boolean;
}

/** The two AD modes the targets are stated for. */
export const TARGET_MODES = ['fwd-over-rev', 'rev-over-rev'] as const;

/**
 * The performance targets for one workload:
 * - every workload: HVP ÷ (tapegrad's) gradient ≤ 2.5 in fwd-over-rev and rev-over-rev;
 * - kernel-bound (quadratic n ≥ 1000, logistic, MLP): gradient ≤ 1.3× hand, HVP ≤ 2× hand HVP,
 *   replayed operator ≤ 1.3× the hand operator;
 * - overhead-bound (quadratic n = 100, vectorised Rosenbrock): gradient ≤ 2× hand, HVP ≤ 3× hand.
 * The scalar Rosenbrock measures per-node cost and only has the first target: one node per
 * scalar op cannot approach a fused loop, and it is not asked to.
 */
export function checkTargets(bound: Bound, t: Timings): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const check = (target: string, ratio: number, limit: number): void => {
    checks.push({ target, ratio, limit, pass: ratio <= limit });
  };
  for (const mode of TARGET_MODES) check(`HVP ÷ gradient (${mode})`, t.hvp[mode]! / t.gradient, 2.5);
  if (bound === 'per-node') return checks;
  const kernel = bound === 'kernel';
  check('gradient ÷ hand gradient', t.gradient / t.handGradient, kernel ? 1.3 : 2);
  for (const mode of TARGET_MODES) check(`HVP ÷ hand HVP (${mode})`, t.hvp[mode]! / t.handHvp, kernel ? 2 : 3);
  if (kernel)
    for (const mode of TARGET_MODES)
      check(`operator ÷ hand operator (${mode})`, t.operator[mode]! / t.handOperator, 1.3);
  return checks;
}
