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
import { axpy, divideByScalar, dot, norm2, subVectors } from '../../../linalg/index.js';
import { checkArity } from '../../../validate.js';
import { dampedProducts, type DampedProducts, type OperatorLike } from '../linear-operator.js';
import { zeroRightHandSide, type SolveResult } from './result.js';
import type { AbortFlag } from './inputs.js';
import { MAX_RESTARTS, krylovSetup, type KrylovOptions } from './krylov.js';

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
  const rhs = setup.b;

  const A = dampedProducts(op, damping);
  const bNorm = norm2(rhs);
  if (bNorm === 0) return zeroRightHandSide(n);

  const residualOf = (y: Float64Array, where: string): Float64Array => {
    const ay = A.apply(y, where); // a fresh array, so it can take the result
    return subVectors(rhs, ay, ay);
  };
  const x = x0 === undefined ? new Float64Array(n) : Float64Array.from(x0);
  const r0 = x0 === undefined ? Float64Array.from(rhs) : residualOf(x, 'for the initial guess x0');
  const residualNorms = [norm2(r0) / bNorm];
  // The iterate with the lowest true residual so far: what is returned.
  let best = { x: Float64Array.from(x), residual: residualNorms[0]!, iteration: 0 };
  let iterations = 0;
  /** The true residual of the current x (iteration `at`); the iterate is kept if it is the best yet. */
  let lastMeasured = { r: r0, residual: residualNorms[0]! };
  const measure = (at: number): number => {
    const r = residualOf(x, `checking the residual at iteration ${at}`);
    const relative = norm2(r) / bNorm;
    residualNorms[residualNorms.length - 1] = relative;
    lastMeasured = { r, residual: relative };
    if (relative < best.residual) best = { x: Float64Array.from(x), residual: relative, iteration: at };
    return relative;
  };
  const finish = (converged: boolean, reason: string): SolveResult => {
    residualNorms[residualNorms.length - 1] = best.residual; // the last entry belongs to the returned x
    const which = converged || best.iteration === iterations ? '' : best.iteration === 0 ? '; x is the initial guess: no iterate had a lower true residual' : `; x is iterate ${best.iteration}, the one with the lowest true residual`;
    return { x: best.x, iterations, residualNorms, converged, reason: `${reason}${which}`, operatorApplications: A.count };
  };
  if (best.residual <= tolerance) return finish(true, 'tolerance reached');

  // Each cycle starts from an iterate and its true residual: the initial guess, then the end of
  // the previous cycle — which may have a residual a hair above the best one and yet a far
  // smaller error, the work of the steps along small eigenvalues — or the best iterate if the
  // cycle drifted away (its residual more than doubled).
  let start = { x: Float64Array.from(x), r: r0, residual: residualNorms[0]! };
  for (let restart = 0; ; restart++) {
    // Run MINRES on (H + λI)d = r from d = 0, accumulating d into x.
    x.set(start.x);
    const outcome = minresCycle(A, start.r, n, bNorm, tolerance, maxIterations - iterations, x, residualNorms, signal, iterations, measure);
    iterations += outcome.iterations;
    // φ̄ is the residual in exact arithmetic; the true residual b − (H + λI)x decides.
    if (outcome.iterations > 0 && !outcome.measured) measure(iterations);
    const end = outcome.iterations > 0 ? { x: Float64Array.from(x), ...lastMeasured } : start;
    if (best.residual <= tolerance) return finish(true, 'tolerance reached');
    if (outcome.stop === 'aborted') return finish(false, 'aborted');
    if (iterations >= maxIterations) return finish(false, 'iteration limit');
    const at = `stagnated at relative residual ${best.residual.toPrecision(3)}: `;
    if (outcome.stop === 'least-squares') {
      return finish(
        false,
        `${at}‖(H + λI)r‖ ≤ tolerance·‖H + λI‖·‖r‖, so x is a least-squares solution: b is not in the range of H + λI (or H + λI is too ill-conditioned for this tolerance); add damping for a unique solution`,
      );
    }
    if (outcome.stop === 'singular' || outcome.stop === 'breakdown') {
      return finish(false, `${at}the Krylov space reached a null direction of H + λI, so b is (numerically) not in its range; x is a least-squares solution — add damping for a unique solution`);
    }
    // The estimate met the tolerance but the true residual did not, or the iterates drifted from
    // the estimate (lost orthogonality): restart while a cycle still lowers the residual.
    if (end.residual >= start.residual || restart === MAX_RESTARTS) {
      return finish(false, `${at}a new cycle from the true residual no longer lowers it (the attainable accuracy for this conditioning)`);
    }
    start = end.residual <= 2 * best.residual ? end : { x: best.x, r: residualOf(best.x, `restarting from iterate ${best.iteration}`), residual: best.residual };
  }
}

/**
 * One MINRES cycle from d = 0 for (H + λI)d = r₀, adding d into x in place. Pushes the residual
 * estimate φ̄ₖ/‖b‖ to `history` every step. Follows Paige & Saunders' recurrences (as in
 * SciPy's `minres`, without preconditioning), and stops before a step whose pivot γₖ is zero to
 * working precision (stop 'singular'), which would otherwise throw x far away.
 */
function minresCycle(
  A: DampedProducts,
  r0: Float64Array,
  n: number,
  bNorm: number,
  tolerance: number,
  maxIterations: number,
  x: Float64Array,
  history: number[],
  signal: AbortFlag | undefined,
  done: number,
  measure: (iteration: number) => number,
): { iterations: number; stop: 'tolerance' | 'limit' | 'breakdown' | 'singular' | 'least-squares' | 'drift' | 'aborted'; measured: boolean } {
  const beta1 = norm2(r0);
  // Lanczos vectors are kept unnormalised: r1 = βₖ₋₁vₖ₋₁, r2 = βₖvₖ.
  let r1: Float64Array = Float64Array.from(r0);
  let r2: Float64Array = Float64Array.from(r0);
  let y: Float64Array = Float64Array.from(r0);
  let beta = beta1;
  let oldBeta = 0;
  // Givens rotation state: (cs, sn) the last rotation; δ̄ and ε carried into the next column of T̄.
  let cs = -1;
  let sn = 0;
  let dbar = 0;
  let epsilon = 0;
  let phibar = beta1;
  // ‖T̄ₖ‖_F² accumulated column by column (an estimate of ‖H + λI‖), and the extreme pivots γ
  // (whose ratio estimates the condition number of T̄ₖ).
  let tNormSquared = 0;
  let largestPivot = 0;
  let smallestPivot = Number.POSITIVE_INFINITY;
  // The lowest true residual measured at this cycle's checkpoints (the start's to begin with).
  let bestSoFar = Math.abs(beta1) / bNorm;
  // Search directions wₖ = (vₖ − εₖwₖ₋₂ − δₖwₖ₋₁)/γₖ, with xₖ = xₖ₋₁ + φₖwₖ (w holds wₖ₋₁, w1 holds wₖ₋₂).
  let w: Float64Array = new Float64Array(n);
  let w1: Float64Array = new Float64Array(n);

  for (let k = 1; k <= maxIterations; k++) {
    if (beta === 0) return { iterations: k - 1, stop: 'breakdown', measured: false };
    // Lanczos step: vₖ = yₖ/βₖ,  y = (H + λI)vₖ − (βₖ/βₖ₋₁)·r1 − αₖ vₖ
    const v = divideByScalar(y, beta);
    y = A.apply(v, `at iteration ${done + k}`); // fresh, so the two subtractions below work in place
    if (k >= 2) axpy(-beta / oldBeta, r1, y, y);
    const alpha = dot(v, y);
    axpy(-alpha / beta, r2, y, y);
    r1 = r2;
    r2 = y;
    oldBeta = beta;
    beta = norm2(r2); // βₖ₊₁
    tNormSquared += alpha * alpha + oldBeta * oldBeta + beta * beta;

    // Apply the previous rotation to the new column (εₖ, δₖ, γ̄ₖ) of T̄ₖ.
    const oldEpsilon = epsilon;
    const delta = cs * dbar + sn * alpha;
    const gbar = sn * dbar - cs * alpha;
    const nextDbar = -cs * beta;
    const tNorm = Math.sqrt(tNormSquared);
    // ‖(H + λI)rₖ₋₁‖ = φ̄ₖ₋₁·‖(γ̄ₖ, δ̄ₖ₊₁)‖ (Paige & Saunders; SciPy's Arnorm). When it is at most
    // tolerance·‖H + λI‖·‖rₖ₋₁‖, the residual is orthogonal to the range to that accuracy: xₖ₋₁ is
    // a least-squares solution, and the steps after it only chase rounding — on a singular
    // system, far away.
    if (Math.hypot(gbar, nextDbar) <= tolerance * tNorm) return { iterations: k - 1, stop: 'least-squares', measured: false };
    // New rotation eliminating βₖ₊₁: γₖ = ‖(γ̄ₖ, βₖ₊₁)‖.
    const gamma = Math.hypot(gbar, beta);
    // γₖ is the last pivot of the QR factor of T̄ₖ. At n·ε·‖T̄ₖ‖, or once the pivots span 0.1/ε
    // (SciPy's Acond test), T̄ₖ is singular to working precision, and no step along wₖ ∝ 1/γₖ can
    // be trusted.
    largestPivot = Math.max(largestPivot, gamma);
    smallestPivot = Math.min(smallestPivot, gamma);
    if (gamma <= n * Number.EPSILON * tNorm || largestPivot >= (0.1 / Number.EPSILON) * smallestPivot) return { iterations: k - 1, stop: 'singular', measured: false };
    epsilon = sn * beta;
    dbar = nextDbar;
    cs = gbar / gamma;
    sn = beta / gamma;
    const phi = cs * phibar;
    phibar = sn * phibar; // ‖rₖ‖ = φ̄ₖ = φ̄ₖ₋₁·|sₖ|: monotone

    // wₖ = (vₖ − εₖ wₖ₋₂ − δₖ wₖ₋₁)/γₖ;  x ← x + φₖ wₖ
    // wₖ₋₂ is not needed after this, so its buffer receives wₖ (axpy's out may alias its input).
    const next = axpy(-oldEpsilon, w1, v, w1);
    axpy(-delta, w, next, next);
    divideByScalar(next, gamma, next);
    w1 = w;
    w = next;
    axpy(phi, w, x, x);

    history.push(Math.abs(phibar) / bNorm);
    if (Math.abs(phibar) / bNorm <= tolerance) return { iterations: k, stop: 'tolerance', measured: false };
    // Checkpoints at iterations 1, 2, 4, 8, …: the true residual, kept when it is the best. In
    // exact arithmetic it never grows; once it has doubled, rounding has taken the cycle off
    // course (on a singular system, typically towards a huge x) and it stops, to restart from the
    // best iterate. (A smaller rise is the residual gap of a healthy but ill-conditioned solve.)
    const iteration = done + k;
    if ((iteration & (iteration - 1)) === 0) {
      const before = bestSoFar;
      const trueRelative = measure(iteration);
      bestSoFar = Math.min(bestSoFar, trueRelative);
      if (trueRelative <= tolerance) return { iterations: k, stop: 'tolerance', measured: true };
      if (trueRelative > 2 * before) return { iterations: k, stop: 'drift', measured: true };
    }
    if (signal?.aborted === true) return { iterations: k, stop: 'aborted', measured: false };
  }
  return { iterations: maxIterations, stop: 'limit', measured: false };
}
