/**
 * The real-data section of `npm start`, and the experiments behind it that `npm run report` and
 * test/applications reuse:
 *
 *   runInfluenceExperiment  breast cancer, L2 logistic regression (λ = 0.01) trained by Newton–CG
 *                           to ‖∇L‖ ≤ 1e-10; influence of every training point on the test loss of
 *                           the highest-loss test points, from six inverse-Hessian routes, against
 *                           ACTUAL leave-one-out retraining (warm-started Newton–CG, ‖∇L₋ᵢ‖ ≤ 1e-10)
 *                           of every training point; parameter errors; group removal.
 *   runPruningExperiment    digits, a 64→16→10 tanh MLP trained by Adam; magnitude, OBD and OBS
 *                           pruning at 10 %…90 % sparsity without retraining.
 *
 * Settings are explicit objects so that the tests and `--small` can shrink them; what is printed
 * always names the settings it ran with.
 */
import {
  hessianOperator,
  mean,
  perSampleGradients,
  ravel,
  tensor,
  valueAndGrad,
  type Tensor,
} from '../../src/index.js';
import {
  cgInverse,
  exactInverse,
  fisherInverse,
  lissaInverse,
  neumannInverse,
  type InverseHessian,
} from '../../src/hessian/linear/index.js';
import {
  influence,
  mostInfluential,
  newtonCg,
  newtonStepWithout,
  pearson,
  predictGroupRemoval,
  predictLeaveOneOut,
  retrainWithout,
  magnitudePrune,
  obdPrune,
  obsPrune,
  type NewtonIteration,
} from '../../src/hessian/applications/index.js';
import { breastCancer, digits } from '../data.js';
import {
  classifierAccuracy,
  logisticAccuracy,
  logisticInit,
  logisticLogits,
  logisticLosses,
  logisticObjective,
  mlpInit,
  mlpLogits,
  mlpLosses,
  mlpObjective,
  toBatch,
  type Batch,
  type LogisticParams,
  type MlpParams,
} from '../models.js';

// =============================================================================================
// Influence functions and leave-one-out on breast cancer
// =============================================================================================

export interface InfluenceSettings {
  /** L2 strength λ of the logistic regression (on every parameter). */
  lambda: number;
  /** How many of the highest-loss test points to study. */
  testPoints: number;
  /** Retrain without each of the first `retrain` training points (400 = all). */
  retrain: number;
  lissa: { batch: number; depth: number; repeats: number; scale: number; seed: number };
  neumann: { iterations: number; tolerance: number };
  /** Which inverse-Hessian routes to run (default all six). */
  solvers?: readonly SolverKey[];
}

export type SolverKey = 'exact' | 'cg' | 'neumann' | 'lissa' | 'empirical-fisher' | 'expected-fisher';

export const FULL_INFLUENCE: InfluenceSettings = {
  lambda: 0.01,
  testPoints: 6,
  retrain: 400,
  lissa: { batch: 32, depth: 1000, repeats: 4, scale: 1, seed: 7 },
  neumann: { iterations: 5000, tolerance: 1e-10 },
};

/** The setting of the tests: every training point retrained, a lighter LiSSA. */
export const DEFAULT_INFLUENCE: InfluenceSettings = {
  ...FULL_INFLUENCE,
  lissa: { batch: 32, depth: 500, repeats: 2, scale: 1, seed: 7 },
};

/** `npm start`: every training point retrained, three test points, the direct routes and CG. */
export const QUICK_INFLUENCE: InfluenceSettings = {
  ...DEFAULT_INFLUENCE,
  testPoints: 3,
  solvers: ['exact', 'cg', 'empirical-fisher', 'expected-fisher'],
};

export const SMALL_INFLUENCE: InfluenceSettings = {
  ...FULL_INFLUENCE,
  testPoints: 2,
  retrain: 80,
  lissa: { batch: 32, depth: 200, repeats: 1, scale: 1, seed: 7 },
  neumann: { iterations: 500, tolerance: 1e-8 },
};

export interface SolverOutcome {
  name: string;
  /** Pearson r of predicted vs actual leave-one-out test-loss change, per studied test point. */
  correlations: number[];
  /** r over all studied test points pooled. */
  pooled: number;
  /** Predicted change per test point (over the retrained training points). */
  predicted: Float64Array[];
  /** The solve for the first test point (convergence curve). */
  residualNorms: number[];
  iterations: number;
  operatorApplications: number;
  milliseconds: number;
  settings: string;
}

export interface InfluenceExperiment {
  settings: InfluenceSettings;
  train: { rows: number; accuracy: number };
  test: { rows: number; accuracy: number };
  training: {
    iterations: number;
    gradientNorm: number;
    history: NewtonIteration[];
    hessianVectorProducts: number;
    milliseconds: number;
  };
  /** Test-set indices studied, highest loss first, with their losses. */
  testIndices: number[];
  testLosses: number[];
  /** Actual change of each studied test loss per retrained point, [testPoint][i]. */
  actual: Float64Array[];
  retrainedCount: number;
  retrainMilliseconds: number;
  retrainMaxGradientNorm: number;
  solvers: SolverOutcome[];
  /** ‖Δθ_pred − Δθ_actual‖/‖Δθ_actual‖ of the exact-influence prediction, over retrained points. */
  parameterError: { median: number; p90: number; max: number; maxIndex: number; maxRelativeToTheta: number };
  /** The same error for one exact Newton step on the leave-one-out objective, at the largest-change points. */
  newtonStepError: { indices: number[]; influence: number[]; newtonStep: number[] };
  groups: { name: string; size: number; predicted: number; actual: number }[];
  selfInfluenceTop: { index: number; score: number; loss: number }[];
  mostInfluential: { helpful: { index: number; influence: number }[]; harmful: { index: number; influence: number }[] };
}

/**
 * Runs the influence / leave-one-out experiment (see the module comment). Deterministic.
 */
export function runInfluenceExperiment(
  settings: InfluenceSettings = DEFAULT_INFLUENCE,
  log: (line: string) => void = () => {},
): InfluenceExperiment {
  const { lambda } = settings;
  log('influence: training the logistic regression on breast cancer (Newton–CG)…');
  const split = breastCancer();
  const train = toBatch(split.train);
  const test = toBatch(split.test);
  const n = train.size;
  const objective = (p: LogisticParams, weights?: Float64Array) => logisticObjective(p, train, lambda, weights);

  let started = performance.now();
  const fit = newtonCg((p: LogisticParams) => objective(p), logisticInit(train.x.shape[1]!), { tolerance: 1e-10 });
  const trainingMs = performance.now() - started;
  const theta = fit.params;
  const thetaVector = fit.vector;
  const d = thetaVector.length;
  const { unravel } = ravel(theta);

  const H = hessianOperator((p: LogisticParams) => objective(p), theta);
  const G = perSampleGradients((p: LogisticParams) => logisticLosses(p, train), theta);
  const testGradients = perSampleGradients((p: LogisticParams) => logisticLosses(p, test), theta);
  const testLoss = logisticLosses(theta, test).data;
  const byLoss = Array.from(testLoss.keys()).sort((a, b) => testLoss[b]! - testLoss[a]!);
  const testIndices = byLoss.slice(0, settings.testPoints);

  // Ground truth: retrain without each training point, warm-started at θ̂.
  const retrainCount = Math.min(settings.retrain, n);
  log(`influence: retraining without each of ${retrainCount} training points (the ground truth)…`);
  started = performance.now();
  const retrained: Float64Array[] = [];
  let retrainMaxGradientNorm = 0;
  for (let i = 0; i < retrainCount; i++) {
    const result = retrainWithout((p: LogisticParams, w) => objective(p, w), theta, n, [i], { tolerance: 1e-10 });
    if (!result.converged) throw new Error(`retraining without ${i} did not converge: ${result.reason}`);
    retrainMaxGradientNorm = Math.max(retrainMaxGradientNorm, result.gradientNorm);
    retrained.push(result.vector);
  }
  const retrainMilliseconds = performance.now() - started;
  const testLossesAt = retrained.map((v) => logisticLosses(unravel(tensor(v)) as LogisticParams, test).data);
  const actual = testIndices.map((t) => Float64Array.from(testLossesAt, (losses) => losses[t]! - testLoss[t]!));

  // The six routes to H⁻¹.
  const expectedFisher = expectedFisherRows(theta, train);
  const minibatch = (rng: { sampleWithoutReplacement(n: number, k: number): Int32Array }) =>
    hessianOperator(
      (p: LogisticParams) =>
        logisticObjective(p, toBatch(split.train, rng.sampleWithoutReplacement(n, settings.lissa.batch)), lambda),
      theta,
    );
  const allRoutes: { key: SolverKey; make: () => InverseHessian; settings: string }[] = [
    { key: 'exact', make: () => exactInverse(H), settings: `${d} HVPs to form H, one Cholesky factorisation` },
    { key: 'cg', make: () => cgInverse(H, { tolerance: 1e-10 }), settings: 'relative residual ≤ 1e-10' },
    {
      key: 'neumann',
      make: () =>
        neumannInverse(H, {
          scale: 'auto',
          iterations: settings.neumann.iterations,
          tolerance: settings.neumann.tolerance,
        }),
      settings: `scale 'auto' (1.1·λ_max by power iteration), ≤ ${settings.neumann.iterations} steps, tolerance ${settings.neumann.tolerance}`,
    },
    {
      key: 'lissa',
      make: () =>
        lissaInverse(d, minibatch, {
          depth: settings.lissa.depth,
          repeats: settings.lissa.repeats,
          scale: settings.lissa.scale,
          seed: settings.lissa.seed,
        }),
      settings: `minibatch ${settings.lissa.batch}, depth ${settings.lissa.depth}, repeats ${settings.lissa.repeats}, scale ${settings.lissa.scale}, no extra damping, seed ${settings.lissa.seed}`,
    },
    {
      key: 'empirical-fisher',
      make: () => fisherInverse(G, { damping: lambda }),
      settings: `λI + (1/n)Σ gᵢgᵢᵀ, λ = ${lambda}`,
    },
    {
      key: 'expected-fisher',
      make: () =>
        fisherInverse(expectedFisher, {
          damping: lambda,
          rowWeights: expectedFisher.weights,
          name: 'Sherman–Morrison (expected Fisher)',
        }),
      settings: `λI + (1/n)Σᵢ Σ_y p(y|xᵢ)·g_{i,y}g_{i,y}ᵀ (= H for logistic regression), λ = ${lambda}`,
    },
  ];
  const routes = allRoutes.filter((route) => settings.solvers === undefined || settings.solvers.includes(route.key));
  const trainSubset = { gradients: G.gradients.subarray(0, retrainCount * d), count: retrainCount, size: d };
  log(`influence: predicting the same changes through ${routes.length} inverse-Hessian routes…`);
  const solvers: SolverOutcome[] = routes.map(({ make, settings: description }) => {
    const begin = performance.now();
    const inverse = make();
    const predicted: Float64Array[] = [];
    let first: ReturnType<typeof influence> | undefined;
    for (const t of testIndices) {
      const result = influence(inverse, testGradients.gradients.slice(t * d, (t + 1) * d), G);
      first ??= result;
      predicted.push(result.predictedLossChange.slice(0, trainSubset.count));
    }
    const milliseconds = performance.now() - begin;
    const correlations = predicted.map((p, k) => pearson(p, actual[k]!));
    return {
      name: inverse.name,
      correlations,
      pooled: pearson(concatArrays(predicted), concatArrays(actual)),
      predicted,
      residualNorms: first!.solve.residualNorms,
      iterations: first!.solve.iterations,
      operatorApplications: first!.solve.operatorApplications,
      milliseconds,
      settings: description,
    };
  });

  // Parameters: exact-influence Δθ against the retrained Δθ.
  const exact = exactInverse(H);
  const { deltas } = predictLeaveOneOut(
    exact,
    G,
    Int32Array.from({ length: retrainCount }, (_, i) => i),
  );
  const errors: number[] = [];
  const changes: number[] = [];
  let maxRelativeToTheta = 0;
  for (let i = 0; i < retrainCount; i++) {
    let error = 0;
    let change = 0;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const act = retrained[i]![j]! - thetaVector[j]!;
      error += (deltas[i * d + j]! - act) ** 2;
      change += act * act;
      norm += retrained[i]![j]! ** 2;
    }
    errors.push(change > 0 ? Math.sqrt(error / change) : 0);
    changes.push(Math.sqrt(change));
    maxRelativeToTheta = Math.max(maxRelativeToTheta, Math.sqrt(error / norm));
  }
  const sortedErrors = [...errors].sort((a, b) => a - b);
  const maxIndex = errors.indexOf(sortedErrors.at(-1)!);
  const parameterError = {
    median: quantile(sortedErrors, 0.5),
    p90: quantile(sortedErrors, 0.9),
    max: sortedErrors.at(-1)!,
    maxIndex,
    maxRelativeToTheta,
  };
  const largest = Array.from(changes.keys())
    .sort((a, b) => changes[b]! - changes[a]!)
    .slice(0, 5);
  const newtonStepError = {
    indices: largest,
    influence: largest.map((i) => errors[i]!),
    newtonStep: largest.map((i) => {
      const { delta } = newtonStepWithout((p: LogisticParams, w) => objective(p, w), theta, n, [i]);
      return relativeDifference(delta, retrained[i]!, thetaVector);
    }),
  };

  // Group removal for the first test point: its 10 most harmful points, and a seeded random 20.
  const first = testIndices[0]!;
  const firstGradient = testGradients.gradients.slice(first * d, (first + 1) * d);
  const firstInfluence = influence(exact, firstGradient, G);
  const top = mostInfluential(firstInfluence.influences, 10);
  const randomGroup = Array.from({ length: 20 }, (_, k) => (k * 97 + 13) % n);
  const groups = [
    { name: `the 10 most harmful training points for test point ${first}`, group: top.harmful.map((h) => h.index) },
    { name: 'a fixed group of 20 (indices 13 + 97k mod n)', group: randomGroup },
  ].map(({ name, group }) => {
    const { delta } = predictGroupRemoval(exact, G, group);
    const retrainedGroup = retrainWithout((p: LogisticParams, w) => objective(p, w), theta, n, group, {
      tolerance: 1e-10,
    });
    let predicted = 0;
    for (let j = 0; j < d; j++) predicted += firstGradient[j]! * delta[j]!;
    const after = logisticLosses(retrainedGroup.params as LogisticParams, test).data[first]!;
    return { name, size: group.length, predicted, actual: after - testLoss[first]! };
  });

  // Self-influence: the training points the model bends towards most.
  const trainLoss = logisticLosses(theta, train).data;
  const scores = Float64Array.from({ length: n }, (_, i) => {
    const g = G.gradients.slice(i * d, (i + 1) * d);
    const s = exact.solve(g).x;
    let v = 0;
    for (let j = 0; j < d; j++) v += g[j]! * s[j]!;
    return v;
  });
  const selfInfluenceTop = Array.from(scores.keys())
    .sort((a, b) => scores[b]! - scores[a]!)
    .slice(0, 5)
    .map((index) => ({ index, score: scores[index]!, loss: trainLoss[index]! }));

  return {
    settings,
    train: { rows: n, accuracy: logisticAccuracy(theta, train) },
    test: { rows: test.size, accuracy: logisticAccuracy(theta, test) },
    training: {
      iterations: fit.iterations,
      gradientNorm: fit.gradientNorm,
      history: fit.history,
      hessianVectorProducts: fit.hessianVectorProducts,
      milliseconds: trainingMs,
    },
    testIndices,
    testLosses: testIndices.map((t) => testLoss[t]!),
    actual,
    retrainedCount: retrainCount,
    retrainMilliseconds,
    retrainMaxGradientNorm,
    solvers,
    parameterError,
    newtonStepError,
    groups,
    selfInfluenceTop,
    mostInfluential: top,
  };
}

/**
 * Rows for the expected Fisher of the binary model: for each example both labels y ∈ {0, 1},
 * g_{i,y} = ∇ℓ(xᵢ, y), weighted p(y|xᵢ)/n. Σ_y p(y)g_yg_yᵀ = σ(1 − σ)x̃x̃ᵀ, the example's Hessian.
 */
function expectedFisherRows(
  theta: LogisticParams,
  train: Batch,
): { gradients: Float64Array; count: number; size: number; weights: Float64Array } {
  const n = train.size;
  const withLabels = (label: number): Batch => ({
    ...train,
    y: tensor(new Float64Array(n).fill(label)),
    labels: new Int32Array(n).fill(label),
  });
  const one = perSampleGradients((p: LogisticParams) => logisticLosses(p, withLabels(1)), theta);
  const zero = perSampleGradients((p: LogisticParams) => logisticLosses(p, withLabels(0)), theta);
  const gradients = new Float64Array(2 * n * one.size);
  gradients.set(one.gradients);
  gradients.set(zero.gradients, n * one.size);
  const z = logisticLogits(theta, train).data;
  const weights = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const p = 1 / (1 + Math.exp(-z[i]!));
    weights[i] = p / n;
    weights[n + i] = (1 - p) / n;
  }
  return { gradients, count: 2 * n, size: one.size, weights };
}

function relativeDifference(delta: Float64Array, retrained: Float64Array, theta: Float64Array): number {
  let error = 0;
  let change = 0;
  for (let j = 0; j < delta.length; j++) {
    const act = retrained[j]! - theta[j]!;
    error += (delta[j]! - act) ** 2;
    change += act * act;
  }
  return Math.sqrt(error / change);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1) + 0.5))]!;
}

function concatArrays(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((s, a) => s + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

// =============================================================================================
// Pruning an MLP on digits
// =============================================================================================

export interface PruningSettings {
  hidden: number;
  /** Full-batch Adam steps (learning rate `learningRate`). */
  steps: number;
  learningRate: number;
  /** L2 strength of the training objective. */
  lambda: number;
  /** Training rows used for the curvature (Hessian diagonal for OBD, per-example gradients for OBS): the first `curvatureRows`. */
  curvatureRows: number;
  /** Damping of the empirical Fisher whose inverse OBS uses. */
  fisherDamping: number;
  /** OBS removes this many weights per step (1 = classic one at a time). */
  blockSize: number;
  sparsities: number[];
  seed: number;
}

export const DEFAULT_PRUNING: PruningSettings = {
  hidden: 16,
  steps: 300,
  learningRate: 0.02,
  lambda: 1e-3,
  curvatureRows: 256,
  fisherDamping: 1e-4,
  blockSize: 4,
  sparsities: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9],
  seed: 1,
};

/** The report: classic one-weight-at-a-time OBS (about 2.5 s more than blocks of 4). */
export const FULL_PRUNING: PruningSettings = { ...DEFAULT_PRUNING, blockSize: 1 };

export const SMALL_PRUNING: PruningSettings = {
  ...DEFAULT_PRUNING,
  hidden: 8,
  steps: 100,
  curvatureRows: 128,
  blockSize: 8,
  sparsities: [0.3, 0.6, 0.9],
};

export interface PruningRow {
  sparsity: number;
  magnitude: { accuracy: number; loss: number };
  obd: { accuracy: number; loss: number };
  obs: { accuracy: number; loss: number; predictedLossIncrease: number };
}

export interface PruningExperiment {
  settings: PruningSettings;
  parameters: number;
  prunable: number;
  dense: { accuracy: number; loss: number; trainAccuracy: number };
  rows: PruningRow[];
  negativeDiagonal: number;
  milliseconds: { training: number; diagonal: number; fisher: number; obs: number };
}

/** Trains the MLP and prunes it three ways (see the module comment). Deterministic. */
export function runPruningExperiment(
  settings: PruningSettings = DEFAULT_PRUNING,
  log: (line: string) => void = () => {},
): PruningExperiment {
  log(`pruning: training the MLP on digits (${settings.steps} Adam steps)…`);
  const split = digits();
  const train = toBatch(split.train);
  const test = toBatch(split.test);
  const inputs = train.x.shape[1]!;
  const classes = 10;
  const init = mlpInit(inputs, settings.hidden, classes, settings.seed);
  const { vector, unravel } = ravel(init);
  const at = (w: Float64Array) => unravel(tensor(w)) as MlpParams;

  // Full-batch Adam (β₁ = 0.9, β₂ = 0.999): a few hundred steps are enough for this small net.
  let started = performance.now();
  const theta = vector.toArray();
  const d = theta.length;
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  const step = valueAndGrad((z: Tensor) => mlpObjective(unravel(z) as MlpParams, train, settings.lambda));
  for (let k = 1; k <= settings.steps; k++) {
    const g = step(tensor(theta)).grad.data;
    const c1 = 1 - 0.9 ** k;
    const c2 = 1 - 0.999 ** k;
    for (let j = 0; j < d; j++) {
      m[j] = 0.9 * m[j]! + 0.1 * g[j]!;
      v[j] = 0.999 * v[j]! + 0.001 * g[j]! * g[j]!;
      theta[j]! -= (settings.learningRate * m[j]!) / c1 / (Math.sqrt(v[j]! / c2) + 1e-8);
    }
  }
  const trainingMs = performance.now() - started;
  const params = at(theta);
  const evaluate = (w: Float64Array) => {
    const p = at(w);
    return { accuracy: classifierAccuracy(mlpLogits(p, test), test.labels), loss: mean(mlpLosses(p, test)).item() };
  };

  // The weight matrices are prunable; the biases are kept (ravel order: w1, b1, w2, b2).
  const h = settings.hidden;
  const prunable = [
    ...Array.from({ length: inputs * h }, (_, i) => i),
    ...Array.from({ length: h * classes }, (_, i) => inputs * h + h + i),
  ];
  const curvature = toBatch(
    split.train,
    Int32Array.from({ length: Math.min(settings.curvatureRows, train.size) }, (_, i) => i),
  );

  log('pruning: the Hessian diagonal (OBD) and the inverse empirical Fisher (OBS)…');
  started = performance.now();
  const diagonal = hessianOperator((p: MlpParams) => mlpObjective(p, curvature, settings.lambda), params).diagonal();
  const diagonalMs = performance.now() - started;

  started = performance.now();
  const G = perSampleGradients((p: MlpParams) => mlpLosses(p, curvature), params);
  const hinv = fisherInverse(G, { damping: settings.fisherDamping }).toMatrix();
  const fisherMs = performance.now() - started;

  const levels = settings.sparsities;
  const magnitude = magnitudePrune(theta, prunable, levels);
  const obd = obdPrune(theta, diagonal, prunable, levels);
  started = performance.now();
  const obs = obsPrune(theta, hinv, prunable, levels, { blockSize: settings.blockSize });
  const obsMs = performance.now() - started;

  const sorted = [...levels].sort((a, b) => a - b);
  const rows = sorted.map((sparsity, k) => ({
    sparsity,
    magnitude: evaluate(magnitude[k]!.weights),
    obd: evaluate(obd[k]!.weights),
    obs: { ...evaluate(obs[k]!.weights), predictedLossIncrease: obs[k]!.predictedLossIncrease! },
  }));
  return {
    settings,
    parameters: d,
    prunable: prunable.length,
    dense: { ...evaluate(theta), trainAccuracy: classifierAccuracy(mlpLogits(params, train), train.labels) },
    rows,
    negativeDiagonal: diagonal.filter((x) => x < 0).length,
    milliseconds: { training: trainingMs, diagonal: diagonalMs, fisher: fisherMs, obs: obsMs },
  };
}

// =============================================================================================
// Text
// =============================================================================================

const fixed = (x: number, digits = 4) => x.toFixed(digits);
const pad = (s: string, width: number) => s.padEnd(width);

/** The influence results as plain text. */
export function formatInfluence(e: InfluenceExperiment): string {
  const lines: string[] = [];
  lines.push(
    `Breast cancer (${e.train.rows} train / ${e.test.rows} test, standardised), logistic regression with L2 λ = ${e.settings.lambda}: ` +
      `Newton–CG in ${e.training.iterations} steps (${e.training.hessianVectorProducts} HVPs) to ‖∇L‖ = ${e.training.gradientNorm.toExponential(1)}; ` +
      `accuracy ${fixed(e.train.accuracy, 3)} train, ${fixed(e.test.accuracy, 3)} test.`,
  );
  lines.push(
    `Actual leave-one-out: retrained without each of ${e.retrainedCount} training points (warm-started Newton–CG, max ‖∇L₋ᵢ‖ = ${e.retrainMaxGradientNorm.toExponential(1)}, ` +
      `${(e.retrainMilliseconds / 1000).toFixed(1)} s).`,
  );
  lines.push(
    `Pearson r of predicted vs actual change in test loss, for the ${e.testIndices.length} highest-loss test points (losses ${e.testLosses.map((l) => l.toFixed(2)).join(', ')}):`,
  );
  const width = Math.max(...e.solvers.map((s) => s.name.length)) + 2;
  lines.push(
    `  ${pad('inverse Hessian', width)}${e.testIndices.map((t) => pad(`#${t}`, 8)).join('')}pooled   solve (1st point)`,
  );
  for (const s of e.solvers) {
    const solve =
      s.iterations > 0
        ? `${s.iterations} it, ${s.operatorApplications} HVPs, residual ${(s.residualNorms.at(-1) ?? 0).toExponential(1)}`
        : 'direct';
    lines.push(
      `  ${pad(s.name, width)}${s.correlations.map((r) => pad(fixed(r), 8)).join('')}${pad(fixed(s.pooled), 9)}${solve}`,
    );
  }
  const lissa = e.solvers.find((s) => s.name === 'LiSSA');
  if (lissa !== undefined) lines.push(`  (LiSSA: ${lissa.settings})`);
  const p = e.parameterError;
  lines.push(
    `Leave-one-out parameters θ + (1/n)H⁻¹∇ℓᵢ vs retrained: ‖Δθ_pred − Δθ‖/‖Δθ‖ median ${fixed(p.median)}, 90th percentile ${fixed(p.p90)}, ` +
      `max ${fixed(p.max)} (training point ${p.maxIndex}); ‖θ_pred − θ₋ᵢ‖/‖θ₋ᵢ‖ ≤ ${p.maxRelativeToTheta.toExponential(2)}.`,
  );
  lines.push(
    `  at the ${e.newtonStepError.indices.length} largest changes (points ${e.newtonStepError.indices.join(', ')}): influence ${e.newtonStepError.influence.map((x) => fixed(x, 3)).join(', ')}; ` +
      `one exact Newton step on the leave-one-out loss ${e.newtonStepError.newtonStep.map((x) => fixed(x, 3)).join(', ')}.`,
  );
  for (const g of e.groups)
    lines.push(
      `Group removal, ${g.name}: predicted Δloss ${g.predicted.toExponential(3)}, actual ${g.actual.toExponential(3)}.`,
    );
  lines.push(
    `Highest self-influence ∇ℓᵢᵀH⁻¹∇ℓᵢ: ${e.selfInfluenceTop.map((s) => `#${s.index} (${s.score.toFixed(1)}, loss ${s.loss.toFixed(2)})`).join(', ')}.`,
  );
  return lines.join('\n');
}

/** The pruning table as plain text. */
export function formatPruning(e: PruningExperiment): string {
  const s = e.settings;
  const lines: string[] = [];
  lines.push(
    `Digits (1200 train / 597 test), MLP 64→${s.hidden}(tanh)→10, ${e.parameters} parameters (${e.prunable} prunable weights, biases kept), ` +
      `Adam ${s.steps} steps, L2 ${s.lambda}: test accuracy ${fixed(e.dense.accuracy, 3)}, loss ${fixed(e.dense.loss, 3)} (train accuracy ${fixed(e.dense.trainAccuracy, 3)}).`,
  );
  lines.push(
    `Pruned without retraining. OBD: exact Hessian diagonal on ${s.curvatureRows} training rows (${e.negativeDiagonal} negative entries). ` +
      `OBS: Sherman–Morrison/Woodbury inverse of the empirical Fisher on the same rows, damping ${s.fisherDamping}, ${s.blockSize === 1 ? 'one weight at a time' : `blocks of ${s.blockSize}`}, H⁻¹ row/column eliminated after each removal.`,
  );
  lines.push('  sparsity   magnitude acc / loss   OBD acc / loss     OBS acc / loss');
  for (const r of e.rows) {
    lines.push(
      `  ${pad(`${Math.round(r.sparsity * 100)} %`, 11)}${pad(`${fixed(r.magnitude.accuracy, 3)} / ${fixed(r.magnitude.loss, 3)}`, 23)}` +
        `${pad(`${fixed(r.obd.accuracy, 3)} / ${fixed(r.obd.loss, 3)}`, 19)}${fixed(r.obs.accuracy, 3)} / ${fixed(r.obs.loss, 3)}`,
    );
  }
  return lines.join('\n');
}

/**
 * The real-data section of `npm start`: influence vs actual leave-one-out on breast cancer and
 * the pruning table: QUICK_INFLUENCE (400 retrainings, three test points, exact/CG/Sherman–Morrison
 * only) and DEFAULT_PRUNING (the tests' setting). About 10 s on two cores.
 */
export function applicationsSection(): string {
  const started = performance.now();
  const influenceResult = runInfluenceExperiment(QUICK_INFLUENCE);
  const pruning = runPruningExperiment(DEFAULT_PRUNING);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  return [
    'The Hessian at work on real data',
    '',
    formatInfluence(influenceResult),
    '',
    formatPruning(pruning),
    '',
    `(${seconds} s. \`npm run report\` adds Neumann and LiSSA, one-weight-at-a-time OBS, and the plots.)`,
  ].join('\n');
}
