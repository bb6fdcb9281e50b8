/**
 * The table builder behind `bench/inverse.bench.ts`: how many Hessian(-vector) products
 * and how much wall time each inverse-Hessian solver needs to reach a relative residual of 1e-8,
 * on the operators of the benchmark workloads of `workloads.ts`.
 *
 * Kept apart from the bench file (which only picks sizes and prints) so that
 * `test/bench/inverse-bench.test.ts` can run the same code on tiny sizes.
 *
 * Problems
 * - `logisticProblem`: the Hessian of the workload's f (which already holds the (λ/2)‖w‖² term,
 *   so the operator is H = Xᵀdiag(σ(1−σ))X/N + λI) as a replayed `hessianOperator`, once per
 *   replay mode, plus minibatch Hessians (same f on a fixed partition of the rows) for LiSSA.
 * - `mlpProblem`: the Gauss–Newton operator JᵀH_L J + λI of the workload's MLP with the
 *   mean cross-entropy as the loss, built by `gaussNewtonOperator(model, loss, params, { damping })`.
 * The right-hand side is the gradient of f at the workload's point, so x = (H + λI)⁻¹∇f is the
 * (damped) Newton / Gauss–Newton step. Both problems rebuild the workload's data from its seed
 * (the workload only exposes f) and check that they reproduce f(x) exactly.
 *
 * Measurement
 * - Products: every solve runs on a fresh `countingOperator`, so the count includes whatever the
 *   solver spends besides iterations (the power iteration of `scale: 'auto'`, the true-residual
 *   checks of CG and MINRES, the n products forming the Cholesky matrix). The Jacobi row's
 *   operator gets a `diagonal()` that forms the exact diagonal from n counted unit-vector
 *   products per solve (a fresh, uncached diagonal — the cost of one cold solve).
 * - Time: performance.now() around the whole solve, median of up to `repeats` runs; a solve
 *   whose first run exceeds `longRunSeconds` is run once (the `runs` column says so).
 * - True residual: ‖b − (H + λI)x‖/‖b‖ recomputed with one extra, uncounted product on the exact
 *   (full-batch) operator; the solver's own last recorded residual is shown beside it.
 * - Neumann and full-batch LiSSA are capped at `neumannIterations` steps AND at
 *   `iterativeBudgetSeconds` of wall time (an AbortFlag); hitting either is reported as such.
 * - Solver errors (divergence, negative curvature) become a row with converged = no and the
 *   error in the reason column.
 */
import {
  add,
  choleskySolve,
  cgSolve,
  countingOperator,
  gaussNewtonOperator,
  grad,
  hessianOperator,
  lissa,
  logSoftmax,
  matmul,
  mean,
  minresSolve,
  neg,
  neumannSolve,
  takeAlongRows,
  tanh,
  tensor,
  type AbortFlag,
  type HvpMode,
  type LinearOperator,
  type SolveResult,
  type Tensor,
  type Tree,
} from '../src/index.js';
import { cholesky, createRandom, norm2 } from '../src/linalg/index.js';
import { flat, logistic, mlp, type LogisticSizes, type MlpParams, type MlpSizes, type Workload } from './workloads.js';
import { l2Logistic } from '../scripts/models.js';
import { formatSeconds, median } from './timing.js';

// ---------------------------------------------------------------------------------------------
// Problems

/** One exact operator of a problem (timed separately), with the time it took to build. */
export interface ProblemOperator {
  /** Short label, e.g. `fwd-over-rev` or `gauss-newton`. */
  readonly label: string;
  readonly op: LinearOperator;
  /** Seconds spent building (recording) the operator. */
  readonly recordSeconds: number;
  /** Minibatch operators of the same kind for LiSSA (absent: no minibatch row). */
  readonly minibatches?: MinibatchOperators;
}

export interface MinibatchOperators {
  readonly ops: readonly LinearOperator[];
  /** Rows per minibatch and rows in all. */
  readonly batchSize: number;
  readonly total: number;
  readonly recordSeconds: number;
}

export interface InverseProblem {
  readonly name: string;
  /** One line: sizes, λ, what the operator is. */
  readonly description: string;
  readonly size: number;
  /** The right-hand side. */
  readonly b: Float64Array;
  readonly operators: readonly ProblemOperator[];
}

const seconds = (start: number): number => (performance.now() - start) / 1000;

/** Relative difference |a − b|/|b|, for the "data rebuilt from the seed reproduces f" checks. */
function checkSameValue(what: string, rebuilt: number, original: number): void {
  const difference = Math.abs(rebuilt - original) / Math.max(Math.abs(original), 1e-300);
  if (!(difference <= 1e-12)) {
    throw new Error(
      `inverse bench: the ${what} rebuilt from the workload's seed gives f = ${rebuilt}, the workload ${original}; workloads.ts changed how it draws its data`,
    );
  }
}

export interface LogisticProblemOptions {
  sizes?: LogisticSizes;
  seed?: number;
  modes?: readonly HvpMode[];
  /** Rows per LiSSA minibatch (the rows are split into ⌊N/batch⌋ fixed minibatches). */
  minibatch?: number;
}

/**
 * The logistic-regression Hessian (λ from the workload's f) as replayed `hessianOperator`s, one
 * per mode, with minibatch Hessians for LiSSA. b = ∇f(w).
 */
export function logisticProblem(options: LogisticProblemOptions = {}): InverseProblem {
  const sizes = options.sizes ?? { examples: 2000, features: 100, lambda: 1e-3 };
  const seed = options.seed ?? 2;
  const modes = options.modes ?? ['fwd-over-rev', 'rev-over-rev'];
  const w = logistic(sizes, seed);
  const f = (x: Tensor): Tensor => w.f(x);
  const { examples: N, features: d, lambda } = sizes;

  // The workload's data, drawn exactly as logistic() draws it (it keeps X and y private).
  const rng = createRandom(seed);
  const xData = rng.normals(N * d).map((value) => value / Math.sqrt(d));
  const labels = Float64Array.from({ length: N }, () => (rng.uniform() < 0.5 ? 1 : 0));
  const lossOn = (rows: number[]): ((x: Tensor) => Tensor) => {
    const X = tensor(Float64Array.from(rows.flatMap((i) => Array.from(xData.subarray(i * d, (i + 1) * d)))), [
      rows.length,
      d,
    ]);
    const y = tensor(Float64Array.from(rows, (i) => labels[i]!));
    return l2Logistic(X, y, lambda);
  };
  const allRows = Array.from({ length: N }, (_, i) => i);
  checkSameValue('logistic data', lossOn(allRows)(w.x).item(), f(w.x).item());

  const batchSize = Math.max(1, Math.min(options.minibatch ?? 100, N));
  const batches = Math.floor(N / batchSize);
  const operators = modes.map((mode): ProblemOperator => {
    let start = performance.now();
    const op = hessianOperator(f, w.x, { mode });
    const recordSeconds = seconds(start);
    start = performance.now();
    const ops = Array.from({ length: batches }, (_, k) =>
      hessianOperator(lossOn(allRows.slice(k * batchSize, (k + 1) * batchSize)), w.x, { mode }),
    );
    return {
      label: mode,
      op,
      recordSeconds,
      minibatches: { ops, batchSize, total: batches * batchSize, recordSeconds: seconds(start) },
    };
  });
  return {
    name: w.name,
    description: `${w.description} (λI is part of f's Hessian); b = ∇f(w)`,
    size: w.size,
    b: flat(grad(f)(w.x)),
    operators,
  };
}

export interface MlpProblemOptions {
  sizes?: MlpSizes;
  seed?: number;
  /** λ of the Gauss–Newton operator (default 1e-3). */
  damping?: number;
}

/** The MLP's Gauss–Newton operator JᵀH_L J + λI (model = logits, loss = mean cross-entropy). b = ∇f(θ). */
export function mlpProblem(options: MlpProblemOptions = {}): InverseProblem {
  const sizes = options.sizes ?? { batch: 256, inputs: 64, hidden: 64, classes: 10 };
  const seed = options.seed ?? 3;
  const damping = options.damping ?? 1e-3;
  const w: Workload<MlpParams> = mlp(sizes, seed);
  const { batch: B, inputs: I, classes: C } = sizes;
  // The workload's inputs and labels, drawn exactly as mlp() draws them.
  const rng = createRandom(seed);
  const X = tensor(rng.normals(B * I), [B, I]);
  const labels = Int32Array.from({ length: B }, () => rng.integer(C));
  const model = (q: MlpParams): Tensor => add(matmul(tanh(add(matmul(X, q.W1), q.b1)), q.W2), q.b2);
  const loss = (logits: Tensor): Tensor => neg(mean(takeAlongRows(logSoftmax(logits), labels)));
  checkSameValue('MLP data', loss(model(w.x)).item(), w.f(w.x).item());

  const start = performance.now();
  const op = gaussNewtonOperator(model, loss, w.x, { damping });
  const recordSeconds = seconds(start);
  return {
    name: w.name,
    description: `Gauss–Newton JᵀH_L J + λI of the ${w.description}, λ = ${damping}; b = ∇f(θ)`,
    size: w.size,
    b: flat(grad((p: Tree) => w.f(p as MlpParams))(w.x)),
    operators: [{ label: 'gauss-newton', op, recordSeconds }],
  };
}

// ---------------------------------------------------------------------------------------------
// Measuring

export interface InverseBenchOptions {
  /** Target relative residual (default 1e-8). */
  tolerance?: number;
  /** Timed runs per solver (default 3; the median is reported). */
  repeats?: number;
  /** A solve whose first run takes longer than this is run only once (default 10 s). */
  longRunSeconds?: number;
  /** Step cap of Neumann and full-batch LiSSA (default 20 000). */
  neumannIterations?: number;
  /** Wall-time cap of one Neumann / full-batch LiSSA solve (default 40 s). */
  iterativeBudgetSeconds?: number;
  /** Run the Cholesky row only if its estimated time (n products + factorisation) is below this (default 60 s). */
  choleskyLimitSeconds?: number;
  /** Minibatch LiSSA: steps per repeat and repeats (default 500 × 4). */
  lissaDepth?: number;
  lissaRepeats?: number;
  /** Seconds spent timing one operator product (default 1). */
  productTimingSeconds?: number;
}

type Required_ = Required<InverseBenchOptions>;

export const DEFAULT_OPTIONS: Required_ = {
  tolerance: 1e-8,
  repeats: 3,
  longRunSeconds: 10,
  neumannIterations: 20_000,
  iterativeBudgetSeconds: 40,
  choleskyLimitSeconds: 60,
  lissaDepth: 500,
  lissaRepeats: 4,
  productTimingSeconds: 1,
};

/** The solver rows every table has (LiSSA minibatch only when the problem has minibatches). */
export const SOLVERS = [
  'cholesky',
  'cg',
  'cg jacobi',
  'minres',
  'neumann auto',
  'lissa full-batch',
  'lissa minibatch',
] as const;
export type SolverName = (typeof SOLVERS)[number];

export interface SolverRow {
  readonly solver: SolverName;
  readonly operator: string;
  /** Operator products of one solve (minibatch products for minibatch LiSSA). */
  readonly products: number;
  /** How the products split, e.g. `4,810 diagonal + 143` (empty when nothing to say). */
  readonly productNote: string;
  /** Median seconds per solve (NaN when skipped). */
  readonly seconds: number;
  readonly runs: number;
  readonly iterations: number;
  /** ‖b − (H + λI)x‖/‖b‖ recomputed with the exact operator. */
  readonly trueResidual: number;
  /** The solver's own last recorded residual (minibatch residual for minibatch LiSSA). */
  readonly reportedResidual: number;
  readonly converged: boolean;
  readonly reason: string;
  readonly skipped: boolean;
}

export interface OperatorTiming {
  readonly operator: string;
  readonly recordSeconds: number;
  /** Median seconds per product. */
  readonly productSeconds: number;
  /** Minibatch operators: seconds per product and recording time of all of them. */
  readonly minibatchProductSeconds?: number;
  readonly minibatchRecordSeconds?: number;
  readonly minibatchNote?: string;
}

export interface InverseTable {
  readonly problem: InverseProblem;
  readonly rows: readonly SolverRow[];
  readonly timings: readonly OperatorTiming[];
  readonly options: Required_;
}

/** ‖b − A·x‖/‖b‖ with one (uncounted) product. */
export function relativeResidual(op: LinearOperator, b: Float64Array, x: Float64Array): number {
  const ax = op.apply(x);
  const r = new Float64Array(b.length);
  for (let i = 0; i < b.length; i++) r[i] = b[i]! - ax[i]!;
  return norm2(r) / norm2(b);
}

/** Median seconds per product: a warm-up, then batches of products for about `budget` seconds. */
export function timeProduct(op: LinearOperator, budget: number, seed = 7): number {
  const v = createRandom(seed).normals(op.size);
  let sink = 0;
  const warm = performance.now();
  for (let k = 0; k < 3 || seconds(warm) < budget / 5; k++) sink += op.apply(v)[0]!;
  const samples: number[] = [];
  const until = performance.now() + budget * 1000;
  do {
    const start = performance.now();
    let count = 0;
    while (count < 2 || performance.now() - start < Math.max(budget * 50, 1)) {
      sink += op.apply(v)[0]!;
      count++;
    }
    samples.push(seconds(start) / count);
  } while (performance.now() < until || samples.length < 3);
  if (Number.isNaN(sink)) samples.push(NaN); // keeps the products observable
  return median(samples);
}

/** Seconds to Cholesky-factor an n×n SPD matrix, extrapolated as n³ from one of order ≤ 800. */
export function estimateFactorSeconds(n: number): number {
  const m = Math.min(n, 800);
  const a = createRandom(11).normals(m * m);
  const spd = new Float64Array(m * m);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) spd[i * m + j] = 0.5 * (a[i * m + j]! + a[j * m + i]!) + (i === j ? 2 * m : 0);
  const start = performance.now();
  cholesky(spd, m);
  return seconds(start) * (n / m) ** 3;
}

/** An AbortFlag that turns true once `budget` seconds have passed since its creation. */
export function deadline(budget: number): AbortFlag {
  const end = performance.now() + budget * 1000;
  return {
    get aborted() {
      return performance.now() > end;
    },
  };
}

interface Outcome {
  result: SolveResult | undefined;
  error: Error | undefined;
  products: number;
  productNote: string;
  reasonNote?: string;
}

/** The exact diagonal from n unit-vector products of `op` (counted if `op` counts). */
function unitDiagonal(op: LinearOperator): Float64Array {
  const d = new Float64Array(op.size);
  const e = new Float64Array(op.size);
  for (let i = 0; i < op.size; i++) {
    e[i] = 1;
    d[i] = op.apply(e)[i]!;
    e[i] = 0;
  }
  return d;
}

const count = (k: number): string => k.toLocaleString('en-US');

function attempt(run: () => SolveResult): { result: SolveResult | undefined; error: Error | undefined } {
  try {
    return { result: run(), error: undefined };
  } catch (error) {
    return { result: undefined, error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** One solve of `solver` on `entry`; counts products on fresh counting operators. */
function solveOnce(solver: SolverName, entry: ProblemOperator, b: Float64Array, o: Required_): Outcome {
  const { tolerance } = o;
  // A counting view of the exact operator with no diagonal: nothing comes free from a cache.
  const counted = countingOperator({ size: entry.op.size, apply: (v) => entry.op.apply(v) });
  const plain = (run: () => SolveResult, reasonNote?: string): Outcome => ({
    ...attempt(run),
    products: counted.applications,
    productNote: '',
    ...(reasonNote === undefined ? {} : { reasonNote }),
  });
  switch (solver) {
    case 'cholesky':
      return plain(() => choleskySolve(counted, b));
    case 'cg':
      return plain(() => cgSolve(counted, b, { tolerance }));
    case 'cg jacobi': {
      let diagonalProducts = 0;
      const withDiagonal: LinearOperator = {
        size: counted.size,
        apply: (v) => counted.apply(v),
        diagonal: () => {
          const d = unitDiagonal(counted);
          diagonalProducts = counted.applications;
          return d;
        },
      };
      const outcome = attempt(() => cgSolve(withDiagonal, b, { tolerance, preconditioner: 'jacobi' }));
      return {
        ...outcome,
        products: counted.applications,
        productNote: `${count(diagonalProducts)} diagonal + ${count(counted.applications - diagonalProducts)}`,
      };
    }
    case 'minres':
      return plain(() => minresSolve(counted, b, { tolerance }));
    case 'neumann auto':
      return plain(
        () =>
          neumannSolve(counted, b, {
            tolerance,
            scale: 'auto',
            iterations: o.neumannIterations,
            signal: deadline(o.iterativeBudgetSeconds),
          }),
        `time budget ${o.iterativeBudgetSeconds} s reached`,
      );
    case 'lissa full-batch':
      return plain(
        () =>
          lissa(() => counted, b, {
            tolerance,
            scale: 'auto',
            depth: o.neumannIterations,
            repeats: 1,
            seed: 1,
            signal: deadline(o.iterativeBudgetSeconds),
          }),
        `time budget ${o.iterativeBudgetSeconds} s reached`,
      );
    case 'lissa minibatch': {
      const mb = entry.minibatches!;
      let products = 0;
      const ops = mb.ops.map((op): LinearOperator => ({ size: op.size, apply: (v) => (products++, op.apply(v)) }));
      const outcome = attempt(() =>
        lissa((rng) => ops[rng.integer(ops.length)]!, b, {
          tolerance,
          scale: 'auto',
          depth: o.lissaDepth,
          repeats: o.lissaRepeats,
          seed: 1,
        }),
      );
      const full = (products * mb.batchSize) / mb.total;
      return {
        ...outcome,
        products,
        productNote: `minibatch ${mb.batchSize}/${mb.total} ≈ ${count(Math.round(full))} full`,
      };
    }
  }
}

/** Runs one solver up to `repeats` times (once if the first run is long) and builds its row. */
function measureSolver(solver: SolverName, entry: ProblemOperator, b: Float64Array, o: Required_): SolverRow {
  const times: number[] = [];
  let outcome: Outcome | undefined;
  for (let k = 0; k < o.repeats; k++) {
    const start = performance.now();
    outcome = solveOnce(solver, entry, b, o);
    times.push(seconds(start));
    if (outcome.error !== undefined || times[0]! > o.longRunSeconds) break;
  }
  const { result, error, products, productNote, reasonNote } = outcome!;
  const base = {
    solver,
    operator: entry.label,
    products,
    productNote,
    seconds: median(times),
    runs: times.length,
    skipped: false,
  };
  if (result === undefined) {
    const message = `${error!.name}: ${error!.message}`;
    return { ...base, iterations: NaN, trueResidual: NaN, reportedResidual: NaN, converged: false, reason: message };
  }
  return {
    ...base,
    iterations: result.iterations,
    trueResidual: relativeResidual(entry.op, b, result.x),
    reportedResidual: result.residualNorms[result.residualNorms.length - 1] ?? NaN,
    converged: result.converged,
    reason: result.reason === 'aborted' && reasonNote !== undefined ? reasonNote : result.reason,
  };
}

/**
 * Every solver on every operator of the problem. `onRow` sees each row as soon as it is measured
 * (the bench prints progress with it).
 */
export function runInverseTable(
  problem: InverseProblem,
  options: InverseBenchOptions = {},
  onRow?: (row: SolverRow) => void,
): InverseTable {
  const o: Required_ = { ...DEFAULT_OPTIONS, ...options };
  const rows: SolverRow[] = [];
  const timings: OperatorTiming[] = [];
  const push = (row: SolverRow): void => {
    rows.push(row);
    onRow?.(row);
  };
  for (const entry of problem.operators) {
    const productSeconds = timeProduct(entry.op, o.productTimingSeconds);
    const mb = entry.minibatches;
    timings.push({
      operator: entry.label,
      recordSeconds: entry.recordSeconds,
      productSeconds,
      ...(mb === undefined
        ? {}
        : {
            minibatchProductSeconds: timeProduct(mb.ops[0]!, o.productTimingSeconds / 2),
            minibatchRecordSeconds: mb.recordSeconds,
            minibatchNote: `${mb.ops.length} minibatches of ${mb.batchSize}`,
          }),
    });
    for (const solver of SOLVERS) {
      if (solver === 'lissa minibatch' && mb === undefined) continue;
      if (solver === 'cholesky') {
        const n = problem.size;
        const estimate = n * productSeconds + estimateFactorSeconds(n);
        if (estimate > o.choleskyLimitSeconds) {
          push({
            solver,
            operator: entry.label,
            products: n,
            productNote: '',
            seconds: estimate,
            runs: 0,
            iterations: 0,
            trueResidual: NaN,
            reportedResidual: NaN,
            converged: false,
            skipped: true,
            reason: `skipped: n products + O(n³) ≈ ${n} × ${formatSeconds(productSeconds)} + factor ≈ ${formatSeconds(estimate)} > ${o.choleskyLimitSeconds} s (and ${formatBytes(3 * 8 * n * n)} of dense matrices)`,
          });
          continue;
        }
      }
      push(measureSolver(solver, entry, problem.b, o));
    }
  }
  return { problem, rows, timings, options: o };
}

// ---------------------------------------------------------------------------------------------
// Formatting

function formatBytes(b: number): string {
  return b >= 1024 ** 3 ? `${(b / 1024 ** 3).toFixed(1)} GiB` : `${(b / 1024 ** 2).toFixed(0)} MiB`;
}

const residual = (r: number): string => (Number.isFinite(r) ? r.toExponential(2) : '—');

/** Left-aligns text columns and right-aligns numeric ones; returns the lines. */
export function alignColumns(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[],
): string[] {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, j) => (j === cells.length - 1 ? c : numeric[j] ? c.padStart(widths[j]!) : c.padEnd(widths[j]!)))
      .join('  ')
      .trimEnd();
  return [
    line(header),
    widths.map((w, j) => (j === widths.length - 1 ? '─'.repeat(Math.max(w, 6)) : '─'.repeat(w))).join('  '),
    ...rows.map(line),
  ];
}

/** The solver table of one problem, then the per-operator product times. */
export function formatInverseTable(table: InverseTable): string {
  const { problem, rows, timings, options } = table;
  const header = [
    'solver',
    'operator',
    'products',
    'time',
    'runs',
    'iters',
    'true rel. res.',
    'solver res.',
    'conv.',
    'reason / products split',
  ];
  const numeric = [false, false, true, true, true, true, true, true, false, false];
  const cells = rows.map((r) => [
    r.solver,
    r.operator,
    count(r.products),
    r.skipped ? `≈${formatSeconds(r.seconds)}` : formatSeconds(r.seconds),
    r.skipped ? '0' : String(r.runs),
    Number.isFinite(r.iterations) ? count(r.iterations) : '—',
    residual(r.trueResidual),
    residual(r.reportedResidual),
    r.skipped ? '—' : r.converged ? 'yes' : 'NO',
    [r.reason, r.productNote].filter((s) => s !== '').join('; '),
  ]);
  const timingLines = timings.map((t) => {
    const main = `  ${t.operator}: ${formatSeconds(t.productSeconds)} per product (recorded in ${formatSeconds(t.recordSeconds)})`;
    return t.minibatchProductSeconds === undefined
      ? main
      : `${main}; minibatch: ${formatSeconds(t.minibatchProductSeconds)} per product (${t.minibatchNote}, recorded in ${formatSeconds(t.minibatchRecordSeconds!)})`;
  });
  const notes: string[] = [];
  if (rows.some((r) => r.solver === 'lissa minibatch')) {
    notes.push(
      `lissa minibatch: depth ${options.lissaDepth} × ${options.lissaRepeats} repeats, scale 'auto'; its "solver res." is LiSSA's averaged minibatch residual, ` +
        'and its true residual stops at the sampling noise of the minibatch Hessians, so 1e-8 is out of its reach by design',
    );
  }
  if (rows.some((r) => r.solver === 'neumann auto' || r.solver === 'lissa full-batch')) {
    notes.push(
      `neumann / lissa full-batch: scale 'auto' (the power-iteration products that pick it are included), capped at ${count(options.neumannIterations)} steps or ${options.iterativeBudgetSeconds} s`,
    );
  }
  return [
    `${problem.name}: ${problem.description}; n = ${count(problem.size)}; target relative residual ${options.tolerance}`,
    ...alignColumns(header, cells, numeric),
    ...notes,
    'time per operator product:',
    ...timingLines,
  ].join('\n');
}
