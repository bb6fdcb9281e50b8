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
 * Leaves out preconditioning and the singular least-squares refinements of MINRES-QLP; for a
 * singular consistent system it returns a solution, for an inconsistent one it stops at the
 * iteration limit with the least residual it found.
 */
import { axpy, divideByScalar, dot, norm2, subVectors } from '../../linalg/index.js';
import type { OperatorLike } from '../linear-operator.js';
import {
  MAX_RESTARTS,
  applyDamped,
  checkFiniteVector,
  krylovSetup,
  zeroRightHandSide,
  type AbortFlag,
  type KrylovOptions,
  type SolveResult,
} from './result.js';

/**
 * Options of `minresSolve`: the shared Krylov options. MINRES needs no damping for definiteness,
 * only for a singular H.
 */
export type MinresOptions = KrylovOptions;

/**
 * Solves the symmetric (possibly indefinite) system (H + λI)x = b by MINRES.
 *
 * @example
 * const H = new Float64Array([1, 0, 0, -2]); // indefinite: cgSolve would throw
 * minresSolve(H, new Float64Array([1, 1])).x; // ≈ [1, -0.5]
 */
export function minresSolve(H: OperatorLike, b: Float64Array, options: MinresOptions = {}): SolveResult {
  const fn = 'minresSolve';
  const { op, n, tolerance, maxIterations, damping, x0, signal } = krylovSetup(fn, H, b, options);

  let applications = 0;
  const A = (v: Float64Array): Float64Array => {
    applications++;
    const out = applyDamped(fn, op, damping, v);
    checkFiniteVector(fn, '(H + λI)v', out, 'the operator returned non-finite values');
    return out;
  };
  const bNorm = norm2(b);
  if (bNorm === 0) {
    return zeroRightHandSide(n);
  }

  const x = x0 === undefined ? new Float64Array(n) : Float64Array.from(x0);
  const residualOf = (): Float64Array => {
    const ax = A(x); // a fresh array, so it can take the result
    return subVectors(b, ax, ax);
  };
  const residualNorms: number[] = [];
  let r = x0 === undefined ? Float64Array.from(b) : residualOf();
  residualNorms.push(norm2(r) / bNorm);
  let iterations = 0;
  const finish = (converged: boolean, reason: string): SolveResult => ({
    x, iterations, residualNorms, converged, reason, operatorApplications: applications,
  });
  if (residualNorms[0]! <= tolerance) return finish(true, 'tolerance reached');

  for (let restart = 0; ; restart++) {
    // Run MINRES on (H + λI)d = r from d = 0, accumulating d into x.
    const outcome = minresCycle(A, r, n, bNorm, tolerance, maxIterations - iterations, x, residualNorms, signal);
    iterations += outcome.iterations;
    if (outcome.stop === 'aborted') return finish(false, 'aborted');
    // φ̄ is the residual in exact arithmetic; the true residual b − (H + λI)x decides.
    r = residualOf();
    const trueRelative = norm2(r) / bNorm;
    residualNorms[residualNorms.length - 1] = trueRelative;
    if (trueRelative <= tolerance) return finish(true, 'tolerance reached');
    if (iterations >= maxIterations) return finish(false, 'iteration limit');
    if (outcome.stop === 'breakdown' && outcome.iterations === 0) {
      return finish(false, `stagnated at relative residual ${trueRelative.toPrecision(3)}: the Krylov space is exhausted (b may not be in the range of H + λI)`);
    }
    if (restart === MAX_RESTARTS) {
      return finish(false, `stagnated: the true relative residual stays at ${trueRelative.toPrecision(3)} > tolerance (the attainable accuracy for this conditioning)`);
    }
  }
}

/**
 * One MINRES cycle from d = 0 for (H + λI)d = r₀, adding d into x in place. Pushes the residual
 * estimate φ̄ₖ/‖b‖ to `history` every step. Follows Paige & Saunders' recurrences (as in
 * SciPy's `minres`, without preconditioning).
 */
function minresCycle(
  A: (v: Float64Array) => Float64Array,
  r0: Float64Array,
  n: number,
  bNorm: number,
  tolerance: number,
  maxIterations: number,
  x: Float64Array,
  history: number[],
  signal: AbortFlag | undefined,
): { iterations: number; stop: 'tolerance' | 'limit' | 'breakdown' | 'aborted' } {
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
  // Search directions wₖ (w holds wₖ₋₁ and w1 holds wₖ₋₂ at the top of step k) (wₖ = (vₖ − εₖwₖ₋₂ − δₖwₖ₋₁)/γₖ), so that xₖ = xₖ₋₁ + φₖwₖ.
  let w: Float64Array = new Float64Array(n);
  let w1: Float64Array = new Float64Array(n);

  for (let k = 1; k <= maxIterations; k++) {
    if (beta === 0) return { iterations: k - 1, stop: 'breakdown' };
    // Lanczos step: vₖ = yₖ/βₖ,  y = (H + λI)vₖ − (βₖ/βₖ₋₁)·r1 − αₖ vₖ
    const v = divideByScalar(y, beta);
    y = A(v); // fresh, so the two subtractions below work in place
    if (k >= 2) axpy(-beta / oldBeta, r1, y, y);
    const alpha = dot(v, y);
    axpy(-alpha / beta, r2, y, y);
    r1 = r2;
    r2 = y;
    oldBeta = beta;
    beta = norm2(r2); // βₖ₊₁

    // Apply the previous rotation to the new column (εₖ, δₖ, γ̄ₖ) of T̄ₖ.
    const oldEpsilon = epsilon;
    const delta = cs * dbar + sn * alpha;
    const gbar = sn * dbar - cs * alpha;
    epsilon = sn * beta;
    dbar = -cs * beta;
    // New rotation eliminating βₖ₊₁: γₖ = ‖(γ̄ₖ, βₖ₊₁)‖.
    let gamma = Math.hypot(gbar, beta);
    if (gamma === 0) gamma = Number.EPSILON; // T̄ singular in this column: a tiny pivot, as SciPy does
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
    if (Math.abs(phibar) / bNorm <= tolerance) return { iterations: k, stop: 'tolerance' };
    if (signal?.aborted === true) return { iterations: k, stop: 'aborted' };
  }
  return { iterations: maxIterations, stop: 'limit' };
}
