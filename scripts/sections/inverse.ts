/**
 * Demo section: inverse-Hessian-vector products, five ways.
 *
 * Part 1 is a small worked example — a 3×3 H = AAᵀ/10 — solved directly, by the plain
 * Neumann iteration (500 steps, s = 1), by CG and by Sherman–Morrison. Part 2 is the
 * L2-regularised logistic-regression Hessian (N = 2000, d = 100, λ = 1e-3), formed densely here
 * with linalg, and every solver's cost in operator applications (HVPs) and time.
 * Solvers only see LinearOperators, so no autodiff is involved.
 */
import { gemm, gemv, norm2, symmetricEigen } from '../../src/linalg/index.js';
import { createRandom } from '../../src/linalg/random.js';
import {
  add,
  dot,
  hessianOperator,
  matmul,
  mean,
  mul,
  softplus,
  sub,
  take,
  tensor,
  type Tensor,
} from '../../src/index.js';
import {
  IncrementalInverse,
  cgSolve,
  choleskySolve,
  countingOperator,
  denseOperator,
  lissa,
  minresSolve,
  neumannSolve,
  type SolveResult,
} from '../../src/hessian/linear/index.js';

/**
 * The seed of part 1. A 3×3 Gaussian A is often nearly singular, and then AAᵀ/10 has a tiny
 * eigenvalue and the plain Neumann series (ρ = 1 − λ_min) needs far more than 500 steps: of
 * seeds 0–29 only seed 8 reaches float64 accuracy in 500 steps (λ_min = 0.176, ρ⁵⁰¹ ≈ 6e-43);
 * seed 0 (λ_min = 0.008) is shown next to it for contrast.
 */
const SEED = 8;

/**
 * Damping of the Sherman–Morrison run in part 1. Its error is the bias λ/λ_min plus rounding
 * amplified by ≈ ‖a₁‖²/(10λ); measured over λ = 1e-7 … 1e-11: 5.6e-7, 5.7e-8, 4.3e-8, 3.6e-7, 1.5e-6.
 */
const DAMPING = 1e-9;

/** The printable section, no trailing newline. */
export function inverseSection(): string {
  return [...seedExample(), '', ...logisticRegression()].join('\n');
}

/** The small problem: A 3×3 standard normal, H = AAᵀ/10, v standard normal. */
function seedProblem(seed: number): { a: Float64Array; h: Float64Array; v: Float64Array; eigenvalues: Float64Array } {
  const n = 3;
  const rng = createRandom(seed);
  const a = rng.normals(n * n);
  // A ← AAᵀ/10
  const h = gemm(a, a, n, n, n, { transposeB: true, alpha: 0.1 });
  const v = rng.normals(n);
  return { a, h, v, eigenvalues: symmetricEigen(h, n).values };
}

function seedExample(): string[] {
  const n = 3;
  const { a, h, v, eigenvalues } = seedProblem(SEED);

  const direct = choleskySolve(h, v).x;
  const neumann = neumannSolve(h, v, { iterations: 500 });
  const cg = cgSolve(h, v);
  // AAᵀ/10 = Σⱼ aⱼaⱼᵀ/10 over the columns aⱼ of A: three rank-one updates of λI, λ tiny.
  const damping = DAMPING;
  const sherman = new IncrementalInverse(n, { damping });
  for (let j = 0; j < n; j++) sherman.add(Float64Array.from({ length: n }, (_, i) => a[i * n + j]! / Math.sqrt(10)));
  const shermanX = sherman.apply(v);

  const rows: [string, Float64Array, string][] = [
    ['direct (Cholesky)', direct, '—'],
    ['Neumann, 500 steps, s = 1', neumann.x, relativeError(neumann.x, direct)],
    [`CG (${cg.iterations} iterations)`, cg.x, relativeError(cg.x, direct)],
    [`Sherman–Morrison (λ = ${damping})`, shermanX, relativeError(shermanX, direct)],
  ];
  const rho = spectralRadius(eigenvalues);
  const contrast = seedProblem(0);
  const contrastNeumann = neumannSolve(contrast.h, contrast.v, { iterations: 500 }).x;
  const contrastError = relativeError(contrastNeumann, choleskySolve(contrast.h, contrast.v).x);
  return [
    'Inverse-Hessian-vector products: the seed example (3×3, H = AAᵀ/10)',
    '',
    `A: 3×3 standard normal (seed ${SEED}); eigenvalues of H: ${Array.from(eigenvalues, (x) => x.toFixed(4)).join(', ')}`,
    `all in (0, 2), so the plain Neumann series converges: ρ(I − H) = ${rho.toFixed(4)}, error after 500 steps ≈ ρ⁵⁰¹ = ${(rho ** 501).toExponential(1)}`,
    `v = (${fmtVector(v)})`,
    '',
    table(
      ['method', 'H⁻¹v', 'rel. error vs direct'],
      rows.map(([name, x, error]) => [name, `(${fmtVector(x)})`, error]),
    ),
    `Sherman–Morrison solves (λI + H)x = v: its error is the damping bias ≈ λ/λ_min = ${(damping / eigenvalues[0]!).toExponential(1)} plus rounding`,
    `amplified by the nearly singular intermediate λI + a₁a₁ᵀ/10 (condition ≈ ‖a₁‖²/(10λ)); λ = ${damping} balances the two.`,
    `Seed 0 for contrast: eigenvalues ${Array.from(contrast.eigenvalues, (x) => x.toFixed(4)).join(', ')}, ρ(I − H) = ${spectralRadius(contrast.eigenvalues).toFixed(4)},`,
    `and 500 plain Neumann steps leave a relative error of ${contrastError}: a 3×3 Gaussian A is often nearly singular.`,
  ];
}

function logisticRegression(): string[] {
  const N = 2000;
  const d = 100;
  const lambda = 1e-3;
  const tolerance = 1e-8;
  const rng = createRandom(1);
  // Features with scales from 1 down to 10^(−1.5): a realistic, badly scaled design.
  const columnScale = Float64Array.from({ length: d }, (_, j) => 10 ** ((-1.5 * j) / (d - 1)));
  const X = rng.normals(N * d).map((x, idx) => x * columnScale[idx % d]!);
  const wTrue = rng.normals(d).map((x) => x / Math.sqrt(d / 10));
  // The Hessian at the true weights: σᵢ = σ(xᵢᵀw), H = Xᵀdiag(σ(1 − σ))X/N + λI.
  const margins = gemv(X, N, d, wTrue);
  const curvature = margins.map((m) => {
    const s = 1 / (1 + Math.exp(-m));
    return s * (1 - s);
  });
  const WX = X.map((x, idx) => x * Math.sqrt(curvature[Math.floor(idx / d)]! / N));
  const H = gemm(WX, WX, d, N, d, { transposeA: true });
  for (let i = 0; i < d; i++) H[i * d + i]! += lambda;
  const spectrum = symmetricEigen(H, d).values;
  const b = rng.normals(d);
  const reference = choleskySolve(H, b).x;

  // The solvers see the engine's Hessian, recorded once at w and replayed per product; the dense
  // closed form H above is only the independent reference for residuals and errors.
  const Xt = tensor(X, [N, d]);
  const labels = Int32Array.from(margins, (m) => (rng.uniform() < 1 / (1 + Math.exp(-m)) ? 1 : 0));
  const loss = (rows: Tensor, y: Tensor) => (w: Tensor) => {
    const z = matmul(rows, w);
    return add(mean(sub(softplus(z), mul(y, z))), mul(lambda / 2, dot(w, w)));
  };
  const w = tensor(wTrue);
  const fullLoss = loss(Xt, tensor(Float64Array.from(labels)));

  const rows: string[][] = [];
  const run = (name: string, solve: (op: ReturnType<typeof countingOperator>) => SolveResult, note = ''): void => {
    const start = performance.now();
    const op = countingOperator(hessianOperator(fullLoss, w));
    const result = solve(op);
    const elapsed = performance.now() - start;
    rows.push([
      name,
      String(result.iterations),
      String(op.applications),
      elapsed.toFixed(1),
      trueResidual(H, d, result.x, b).toExponential(1),
      relativeError(result.x, reference),
      note || (result.converged ? 'converged' : result.reason),
    ]);
  };
  run('cholesky', (op) => choleskySolve(op, b), 'n HVPs to form H');
  run('cg', (op) => cgSolve(op, b, { tolerance }));
  run('cg + jacobi', (op) => cgSolve(op, b, { tolerance, preconditioner: 'jacobi' }), 'diagonal: n HVPs first');
  run('minres', (op) => minresSolve(op, b, { tolerance }));
  run("neumann, scale 'auto'", (op) => neumannSolve(op, b, { tolerance, scale: 'auto', iterations: 50_000 }));
  // LiSSA with minibatches of B = 100 examples: each step records the minibatch loss's Hessian.
  const B = 100;
  let lissaSteps = 0;
  run(
    `lissa, B = ${B}, depth 1000`,
    () =>
      lissa(
        (random) => {
          lissaSteps++;
          const batch = Array.from(random.sampleWithoutReplacement(N, B));
          return hessianOperator(loss(take(Xt, batch), tensor(batch.map((i) => labels[i]!))), w);
        },
        b,
        { depth: 1000, repeats: 1, scale: 'auto', seed: SEED },
      ),
    'minibatch HVPs (B/N of a full one each)',
  );
  const lastRow = rows[rows.length - 1]!;
  lastRow[2] = `${lissaSteps}*`;

  return [
    `L2-regularised logistic regression Hessian: N = ${N}, d = ${d}, λ = ${lambda}, features scaled 1 … 10^−1.5`,
    `H = Xᵀdiag(σ(1 − σ))X/N + λI at the true weights; eigenvalues in [${spectrum[0]!.toExponential(2)}, ${spectrum[d - 1]!.toExponential(2)}], κ = ${(spectrum[d - 1]! / spectrum[0]!).toFixed(0)}`,
    `the solvers apply the engine's hessianOperator (recorded once, replayed per HVP); every iterative solver stops at\nrelative residual ${tolerance}; residual and error are recomputed against the dense closed form`,
    '',
    table(['solver', 'iterations', 'HVPs', 'ms', 'rel. residual', 'rel. error', 'note'], rows),
    '* LiSSA: minibatch HVPs (plus its auto-scale power steps); its residual plateaus at the sampling noise,',
    '  so it runs to its depth — fine for influence-function estimates, not for a 1e-8 solve.',
  ];
}

function spectralRadius(eigenvalues: Float64Array): number {
  return Math.max(...Array.from(eigenvalues, (mu) => Math.abs(1 - mu))); // ρ(I − H) with s = 1
}

function trueResidual(h: Float64Array, n: number, x: Float64Array, b: Float64Array): number {
  const hx = gemv(h, n, n, x);
  return norm2(b.map((bi, i) => bi - hx[i]!)) / norm2(b);
}

function relativeError(x: Float64Array, reference: Float64Array): string {
  return (norm2(x.map((v, i) => v - reference[i]!)) / norm2(reference)).toExponential(1);
}

function fmtVector(v: Float64Array): string {
  return Array.from(v, (x) => (x >= 0 ? ' ' : '') + x.toFixed(6)).join(', ');
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, c) => cell.padEnd(widths[c]!))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '─'.repeat(w))), ...rows.map(line)].join('\n');
}
