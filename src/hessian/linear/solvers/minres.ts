/**
 * MINRES (Paige & Saunders 1975) for (H + λI)x = b with H symmetric, possibly indefinite.
 *
 * Lanczos builds an orthonormal basis Vₖ of the Krylov space with (H + λI)Vₖ = Vₖ₊₁T̄ₖ (T̄ₖ
 * tridiagonal, (k+1)×k). MINRES picks xₖ = Vₖyₖ minimising ‖b − (H + λI)xₖ‖ = ‖β₁e₁ − T̄ₖyₖ‖,
 * solving that small least-squares problem with one Givens rotation per step. The residual norm
 * is therefore monotone and known for free (φ̄ₖ), and nothing requires positive definiteness —
 * the method of choice for a Hessian at a saddle point, where CG stops with negative curvature.
 *
 * Provides `minresSolve` (unpreconditioned, with damping, warm start and the residual history).
 * Leaves out preconditioning and the refinements of MINRES-QLP.
 *
 * Floating point breaks two promises of the exact method, and the solver guards both. On a
 * singular system whose b is not in the range, the Krylov space runs into the null space: the
 * pivot γₖ of the rotated T̄ₖ is zero up to rounding, and the textbook step along wₖ ∝ 1/γₖ
 * throws x to ~1e16 while φ̄ₖ, computed from the same rotation, claims convergence. The cycle
 * therefore stops before a step once ‖(H + λI)rₖ₋₁‖ ≤ tolerance·‖H + λI‖·‖rₖ₋₁‖ (xₖ₋₁ is then a
 * least-squares solution; SciPy's test) or γₖ is negligible. And without reorthogonalisation
 * Lanczos loses orthogonality, so φ̄ₖ can drift from the true residual: the true residual is
 * measured at iterations 1, 2, 4, 8, … (log₂ k extra products), the best iterate is kept, and a
 * cycle whose true residual has doubled stops and restarts. MINRES returns the iterate with the
 * lowest true residual it measured — never one worse than the initial guess.
 */
import { axpy, divideByScalar, dot, norm2 } from '../../../linalg/index.js';
import { checkArity } from '../../../validate.js';
import { dampedProducts, type DampedProducts, type OperatorLike } from '../linear-operator.js';
import { zeroRightHandSide, type SolveResult } from './result.js';
import type { AbortFlag } from './inputs.js';
import { MAX_RESTARTS, krylovSetup, returnedIterateNote, trueResidual, type KrylovOptions } from './krylov.js';

/**
 * Options of `minresSolve`: the shared Krylov options. MINRES needs no damping for definiteness,
 * only for a singular H.
 */
export type MinresOptions = KrylovOptions;

/**
 * Solves the symmetric (possibly indefinite) system (H + λI)x = b by MINRES. A dense H must be
 * symmetric; b = 0 returns x = 0 without a product. On a singular system whose b is not in the
 * range it returns converged: false, reason 'stagnated…', with the least-residual iterate found.
 *
 * @example
 * const H = new Float64Array([1, 0, 0, -2]); // indefinite: cgSolve would throw
 * minresSolve(H, new Float64Array([1, 1])).x; // ≈ [1, -0.5]
 */
export function minresSolve(H: OperatorLike, b: Float64Array, options?: MinresOptions): SolveResult {
  const fn = 'minresSolve';
  checkArity(fn, arguments.length, 3);
  const setup = krylovSetup(fn, H, b, options);
  const { op, n, tolerance, maxIterations, damping, x0, signal } = setup;
  const A = dampedProducts(op, damping);
  const bNorm = norm2(setup.b);
  if (bNorm === 0) return zeroRightHandSide(n);
  const run = startMinres(setup.b, bNorm, A, x0);
  if (run.best.residual <= tolerance) return finishMinres(run, true, 'tolerance reached');

  // Each cycle starts from an iterate and its true residual: the initial guess, then the end of
  // the previous cycle — which may have a residual a hair above the best one and yet a far
  // smaller error, the work of the steps along small eigenvalues — or the best iterate if the
  // cycle drifted away (its residual more than doubled).
  let start: { x: Float64Array; r: Float64Array; residual: number } = {
    x: Float64Array.from(run.x),
    r: run.lastMeasured.r,
    residual: run.residualNorms[0]!,
  };
  for (let restart = 0; ; restart++) {
    // Run MINRES on (H + λI)d = r from d = 0, accumulating d into x.
    run.x.set(start.x);
    const outcome = minresCycle(run, start.r, n, tolerance, maxIterations - run.iterations, signal);
    run.iterations += outcome.iterations;
    // φ̄ is the residual in exact arithmetic; the true residual b − (H + λI)x decides.
    if (outcome.iterations > 0 && !outcome.measured) measure(run, run.iterations);
    const end = outcome.iterations > 0 ? { x: Float64Array.from(run.x), ...run.lastMeasured } : start;
    const stopped = cycleVerdict(
      run,
      outcome.stop,
      tolerance,
      maxIterations,
      end.residual >= start.residual || restart === MAX_RESTARTS,
    );
    if (stopped !== undefined) return stopped;
    const { best } = run;
    start =
      end.residual <= 2 * best.residual
        ? end
        : {
            x: best.x,
            r: trueResidual(run.A, run.rhs, best.x, `restarting from iterate ${best.iteration}`),
            residual: best.residual,
          };
  }
}

/** A MINRES run across its restarted cycles: the iterate, the history, and the best iterate measured. */
interface MinresRun {
  readonly rhs: Float64Array;
  readonly bNorm: number;
  readonly A: DampedProducts;
  readonly x: Float64Array;
  readonly residualNorms: number[];
  /** The iterate with the lowest true residual so far: what is returned. */
  best: { x: Float64Array; residual: number; iteration: number };
  /** The true residual of the current x, as last measured. */
  lastMeasured: { r: Float64Array; residual: number };
  iterations: number;
}

function startMinres(rhs: Float64Array, bNorm: number, A: DampedProducts, x0: Float64Array | undefined): MinresRun {
  const x = x0 === undefined ? new Float64Array(rhs.length) : Float64Array.from(x0);
  const run: MinresRun = {
    rhs,
    bNorm,
    A,
    x,
    residualNorms: [],
    best: { x, residual: 0, iteration: 0 },
    lastMeasured: { r: rhs, residual: 0 },
    iterations: 0,
  };
  const r0 = x0 === undefined ? Float64Array.from(rhs) : trueResidual(run.A, run.rhs, x, 'for the initial guess x0');
  run.residualNorms.push(norm2(r0) / bNorm);
  run.best = { x: Float64Array.from(x), residual: run.residualNorms[0]!, iteration: 0 };
  run.lastMeasured = { r: r0, residual: run.residualNorms[0]! };
  return run;
}

/** b − (H + λI)y, into the fresh array the product returned. */
/** The true residual of the current x (iteration `at`), replacing the history's last entry; x is kept if it is the best yet. */
function measure(run: MinresRun, at: number): number {
  const r = trueResidual(run.A, run.rhs, run.x, `checking the residual at iteration ${at}`);
  const relative = norm2(r) / run.bNorm;
  run.residualNorms[run.residualNorms.length - 1] = relative;
  run.lastMeasured = { r, residual: relative };
  if (relative < run.best.residual) run.best = { x: Float64Array.from(run.x), residual: relative, iteration: at };
  return relative;
}

function finishMinres(run: MinresRun, converged: boolean, reason: string): SolveResult {
  const { best, iterations, residualNorms } = run;
  residualNorms[residualNorms.length - 1] = best.residual; // the last entry belongs to the returned x
  const which = converged ? '' : returnedIterateNote(best.iteration, iterations);
  return {
    x: best.x,
    iterations,
    residualNorms,
    converged,
    reason: `${reason}${which}`,
    operatorApplications: run.A.count,
  };
}

/** After a cycle: the result if the run stops here (and why), or undefined to restart. */
function cycleVerdict(
  run: MinresRun,
  stop: CycleStop,
  tolerance: number,
  maxIterations: number,
  noProgress: boolean,
): SolveResult | undefined {
  if (run.best.residual <= tolerance) return finishMinres(run, true, 'tolerance reached');
  if (stop === 'aborted') return finishMinres(run, false, 'aborted');
  if (run.iterations >= maxIterations) return finishMinres(run, false, 'iteration limit');
  const at = `stagnated at relative residual ${run.best.residual.toPrecision(3)}: `;
  if (stop === 'least-squares') {
    return finishMinres(
      run,
      false,
      `${at}‖(H + λI)r‖ ≤ tolerance·‖H + λI‖·‖r‖, so x is a least-squares solution: b is not in the range of H + λI (or H + λI is too ill-conditioned for this tolerance); add damping for a unique solution`,
    );
  }
  if (stop === 'singular' || stop === 'breakdown') {
    return finishMinres(
      run,
      false,
      `${at}the Krylov space reached a null direction of H + λI, so b is (numerically) not in its range; x is a least-squares solution — add damping for a unique solution`,
    );
  }
  // The estimate met the tolerance but the true residual did not, or the iterates drifted from
  // the estimate (lost orthogonality): restart while a cycle still lowers the residual.
  if (noProgress)
    return finishMinres(
      run,
      false,
      `${at}a new cycle from the true residual no longer lowers it (the attainable accuracy for this conditioning)`,
    );
  return undefined;
}

type CycleStop = 'tolerance' | 'limit' | 'breakdown' | 'singular' | 'least-squares' | 'drift' | 'aborted';

/**
 * The recurrences of one cycle. Lanczos vectors are kept unnormalised: r1 = βₖ₋₁vₖ₋₁, r2 = βₖvₖ.
 * (cs, sn) is the last Givens rotation; δ̄ and ε are carried into the next column of T̄.
 * ‖T̄ₖ‖_F² is accumulated column by column (an estimate of ‖H + λI‖), with the extreme pivots γ
 * (whose ratio estimates the condition number of T̄ₖ). Search directions
 * wₖ = (vₖ − εₖwₖ₋₂ − δₖwₖ₋₁)/γₖ give xₖ = xₖ₋₁ + φₖwₖ (w holds wₖ₋₁, w1 holds wₖ₋₂).
 */
interface Recurrences {
  r1: Float64Array;
  r2: Float64Array;
  y: Float64Array;
  beta: number;
  oldBeta: number;
  cs: number;
  sn: number;
  dbar: number;
  epsilon: number;
  phibar: number;
  tNormSquared: number;
  largestPivot: number;
  smallestPivot: number;
  w: Float64Array;
  w1: Float64Array;
}

/**
 * One MINRES cycle from d = 0 for (H + λI)d = r₀, adding d into x in place. Pushes the residual
 * estimate φ̄ₖ/‖b‖ to the history every step. Follows Paige & Saunders' recurrences (as in
 * SciPy's `minres`, without preconditioning), and stops before a step whose pivot γₖ is zero to
 * working precision (stop 'singular'), which would otherwise throw x far away.
 */
function minresCycle(
  run: MinresRun,
  r0: Float64Array,
  n: number,
  tolerance: number,
  maxIterations: number,
  signal: AbortFlag | undefined,
): { iterations: number; stop: CycleStop; measured: boolean } {
  const beta1 = norm2(r0);
  const c: Recurrences = {
    r1: Float64Array.from(r0),
    r2: Float64Array.from(r0),
    y: Float64Array.from(r0),
    beta: beta1,
    oldBeta: 0,
    cs: -1,
    sn: 0,
    dbar: 0,
    epsilon: 0,
    phibar: beta1,
    tNormSquared: 0,
    largestPivot: 0,
    smallestPivot: Number.POSITIVE_INFINITY,
    w: new Float64Array(n),
    w1: new Float64Array(n),
  };
  // The lowest true residual measured at this cycle's checkpoints (the start's to begin with).
  let bestSoFar = Math.abs(beta1) / run.bNorm;
  const done = run.iterations;
  for (let k = 1; k <= maxIterations; k++) {
    if (c.beta === 0) return { iterations: k - 1, stop: 'breakdown', measured: false };
    const { v, alpha } = lanczosStep(c, run.A, k, `at iteration ${done + k}`);
    const stop = rotateAndStep(c, v, alpha, n, tolerance, run.x);
    if (stop !== undefined) return { iterations: k - 1, stop, measured: false };
    run.residualNorms.push(Math.abs(c.phibar) / run.bNorm);
    if (Math.abs(c.phibar) / run.bNorm <= tolerance) return { iterations: k, stop: 'tolerance', measured: false };
    // Checkpoints at iterations 1, 2, 4, 8, …: the true residual, kept when it is the best. In
    // exact arithmetic it never grows; once it has doubled, rounding has taken the cycle off
    // course (on a singular system, typically towards a huge x) and it stops, to restart from the
    // best iterate. (A smaller rise is the residual gap of a healthy but ill-conditioned solve.)
    const iteration = done + k;
    if ((iteration & (iteration - 1)) === 0) {
      const before = bestSoFar;
      const trueRelative = measure(run, iteration);
      bestSoFar = Math.min(bestSoFar, trueRelative);
      if (trueRelative <= tolerance) return { iterations: k, stop: 'tolerance', measured: true };
      if (trueRelative > 2 * before) return { iterations: k, stop: 'drift', measured: true };
    }
    if (signal?.aborted === true) return { iterations: k, stop: 'aborted', measured: false };
  }
  return { iterations: maxIterations, stop: 'limit', measured: false };
}

/** Lanczos step: vₖ = yₖ/βₖ,  y = (H + λI)vₖ − (βₖ/βₖ₋₁)·r1 − αₖ vₖ; returns vₖ and αₖ. */
function lanczosStep(c: Recurrences, A: DampedProducts, k: number, where: string): { v: Float64Array; alpha: number } {
  const v = divideByScalar(c.y, c.beta);
  const y = A.apply(v, where); // fresh, so the two subtractions below work in place
  if (k >= 2) axpy(-c.beta / c.oldBeta, c.r1, y, y);
  const alpha = dot(v, y);
  axpy(-alpha / c.beta, c.r2, y, y);
  c.r1 = c.r2;
  c.r2 = y;
  c.y = y;
  c.oldBeta = c.beta;
  c.beta = norm2(c.r2); // βₖ₊₁
  c.tNormSquared += alpha * alpha + c.oldBeta * c.oldBeta + c.beta * c.beta;
  return { v, alpha };
}

/**
 * Applies the previous rotation to the new column (εₖ, δₖ, γ̄ₖ) of T̄ₖ, forms the rotation that
 * eliminates βₖ₊₁, and steps x along wₖ — or returns why the step must not be taken.
 */
function rotateAndStep(
  c: Recurrences,
  v: Float64Array,
  alpha: number,
  n: number,
  tolerance: number,
  x: Float64Array,
): 'least-squares' | 'singular' | undefined {
  const oldEpsilon = c.epsilon;
  const delta = c.cs * c.dbar + c.sn * alpha;
  const gbar = c.sn * c.dbar - c.cs * alpha;
  const nextDbar = -c.cs * c.beta;
  const tNorm = Math.sqrt(c.tNormSquared);
  // ‖(H + λI)rₖ₋₁‖ = φ̄ₖ₋₁·‖(γ̄ₖ, δ̄ₖ₊₁)‖ (Paige & Saunders; SciPy's Arnorm). When it is at most
  // tolerance·‖H + λI‖·‖rₖ₋₁‖, the residual is orthogonal to the range to that accuracy: xₖ₋₁ is
  // a least-squares solution, and the steps after it only chase rounding — on a singular
  // system, far away.
  if (Math.hypot(gbar, nextDbar) <= tolerance * tNorm) return 'least-squares';
  // New rotation eliminating βₖ₊₁: γₖ = ‖(γ̄ₖ, βₖ₊₁)‖.
  const gamma = Math.hypot(gbar, c.beta);
  // γₖ is the last pivot of the QR factor of T̄ₖ. At n·ε·‖T̄ₖ‖, or once the pivots span 0.1/ε
  // (SciPy's Acond test), T̄ₖ is singular to working precision, and no step along wₖ ∝ 1/γₖ can
  // be trusted.
  c.largestPivot = Math.max(c.largestPivot, gamma);
  c.smallestPivot = Math.min(c.smallestPivot, gamma);
  if (gamma <= n * Number.EPSILON * tNorm || c.largestPivot >= (0.1 / Number.EPSILON) * c.smallestPivot)
    return 'singular';
  c.epsilon = c.sn * c.beta;
  c.dbar = nextDbar;
  c.cs = gbar / gamma;
  c.sn = c.beta / gamma;
  const phi = c.cs * c.phibar;
  c.phibar = c.sn * c.phibar; // ‖rₖ‖ = φ̄ₖ = φ̄ₖ₋₁·|sₖ|: monotone
  // wₖ = (vₖ − εₖ wₖ₋₂ − δₖ wₖ₋₁)/γₖ;  x ← x + φₖ wₖ
  // wₖ₋₂ is not needed after this, so its buffer receives wₖ (axpy's out may alias its input).
  const next = axpy(-oldEpsilon, c.w1, v, c.w1);
  axpy(-delta, c.w, next, next);
  divideByScalar(next, gamma, next);
  c.w1 = c.w;
  c.w = next;
  axpy(phi, c.w, x, x);
  return undefined;
}
