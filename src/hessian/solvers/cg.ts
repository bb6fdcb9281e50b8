/**
 * Preconditioned conjugate gradients for (H + λI)x = b with H symmetric positive definite.
 *
 * CG minimises the energy ½xᵀ(H + λI)x − bᵀx over the growing Krylov space span{b, Hb, H²b, …};
 * in exact arithmetic it finishes in n steps and its error shrinks at least like
 * 2((√κ − 1)/(√κ + 1))ᵏ in the energy norm — √κ where Neumann pays κ. With a preconditioner
 * P ≈ (H + λI)⁻¹ the same bound holds with κ(P(H + λI)).
 *
 * Provides `cgSolve`: damping, preconditioners (an operator applying P, a diagonal, or 'jacobi'),
 * a warm start x0, the relative-residual history, detection of negative curvature pᵀ(H + λI)p ≤ 0
 * (NegativeCurvatureError: H + λI is not positive definite) and a guard against the recursive
 * residual drifting from the true one (the final residual is always recomputed as b − (H + λI)x).
 * Leaves out indefinite systems (minresSolve) and trust-region truncation (Steihaug).
 */
import { InvalidArgumentError, NegativeCurvatureError, NonFiniteError, NotPositiveDefiniteError, ShapeError } from '../../errors.js';
import { axpy, dot, multiplyVectors, norm2, subVectors } from '../../linalg/index.js';
import { toOperator, type LinearOperator, type OperatorLike } from '../linear-operator.js';
import {
  MAX_RESTARTS,
  applyDamped,
  krylovSetup,
  zeroRightHandSide,
  type KrylovOptions,
  type SolveResult,
} from './result.js';

/** Options of `cgSolve`: the shared Krylov options and a preconditioner. */
export interface CgOptions extends KrylovOptions {
  /**
   * P ≈ (H + λI)⁻¹, applied to each residual. Either
   * - an operator (LinearOperator or tensor) that applies the approximate INVERSE, e.g.
   *   `new IncrementalInverse(...).asOperator()`;
   * - a Float64Array d of length n: the diagonal of (an approximation of) H, e.g. the exact
   *   Hessian diagonal or `diagonalEstimate(H).estimate`; applied as z = r ⊘ (d + λ);
   * - `'jacobi'`: the same with d = H's own `diagonal()`.
   */
  preconditioner?: OperatorLike | 'jacobi';
}

/**
 * Solves (H + λI)x = b by (preconditioned) conjugate gradients. Throws NegativeCurvatureError if a
 * search direction has pᵀ(H + λI)p ≤ 0; returns converged: false (no throw) at maxIterations.
 *
 * @example
 * const H = new Float64Array([4, 1, 1, 3]);
 * const { x, iterations } = cgSolve(H, new Float64Array([1, 2])); // x ≈ [1/11, 7/11], 2 iterations
 * cgSolve(H, new Float64Array([1, 2]), { preconditioner: 'jacobi', damping: 1e-3 });
 */
export function cgSolve(H: OperatorLike, b: Float64Array, options: CgOptions = {}): SolveResult {
  const fn = 'cgSolve';
  const { op, n, tolerance, maxIterations, damping, x0, signal } = krylovSetup(fn, H, b, options);
  const precondition = resolvePreconditioner(fn, op, options.preconditioner, damping, n);

  let applications = 0;
  const A = (v: Float64Array): Float64Array => {
    applications++;
    return applyDamped(fn, op, damping, v);
  };

  const bNorm = norm2(b);
  if (bNorm === 0) {
    return zeroRightHandSide(n);
  }

  const x = x0 === undefined ? new Float64Array(n) : Float64Array.from(x0);
  const trueResidual = (): Float64Array => {
    const ax = A(x); // a fresh array, so it can take the result
    return subVectors(b, ax, ax);
  };
  let r = x0 === undefined ? Float64Array.from(b) : trueResidual(); // r₀ = b − (H + λI)x₀
  const residualNorms = [norm2(r) / bNorm];
  const finish = (iterations: number, converged: boolean, reason: string): SolveResult => ({
    x, iterations, residualNorms, converged, reason, operatorApplications: applications,
  });
  if (residualNorms[0]! <= tolerance) return finish(0, true, 'tolerance reached');

  let z = precondition(r);
  let rz = dot(r, z);
  checkPreconditionerCurvature(fn, rz, 0);
  let p = Float64Array.from(z);
  let restarts = 0;

  for (let k = 1; k <= maxIterations; k++) {
    const q = A(p);
    const curvature = dot(p, q); // pᵀ(H + λI)p
    if (!Number.isFinite(curvature)) {
      throw new NonFiniteError(fn, `pᵀ(H + λI)p is ${curvature} at iteration ${k}; the operator returned non-finite values`);
    }
    if (curvature <= 0) {
      const rayleigh = curvature / dot(p, p); // the curvature along p, per unit length
      throw new NegativeCurvatureError(
        fn,
        k,
        rayleigh,
        `negative curvature at iteration ${k}: pᵀ(H + λI)p/pᵀp = ${rayleigh.toPrecision(4)} ≤ 0, so H + λI is not positive definite ` +
          `(λ = ${damping}); add damping larger than ${(-rayleigh).toPrecision(4)} or use minresSolve for a symmetric indefinite system`,
      );
    }
    // α = rᵀz / pᵀAp minimises the energy along p;  x ← x + αp,  r ← r − αAp
    const alpha = rz / curvature;
    axpy(alpha, p, x, x);
    axpy(-alpha, q, r, r);
    residualNorms.push(norm2(r) / bNorm);

    if (residualNorms[residualNorms.length - 1]! <= tolerance) {
      // The recursive residual drifts from b − Ax in floating point; trust only the true one.
      r = trueResidual();
      const trueRelative = norm2(r) / bNorm;
      residualNorms[residualNorms.length - 1] = trueRelative;
      if (trueRelative <= tolerance) return finish(k, true, 'tolerance reached');
      if (restarts === MAX_RESTARTS) {
        return finish(k, false, `stagnated: the true relative residual stays at ${trueRelative.toPrecision(3)} > tolerance (the attainable accuracy for this conditioning)`);
      }
      restarts++;
      z = precondition(r);
      rz = dot(r, z);
      checkPreconditionerCurvature(fn, rz, k);
      p = Float64Array.from(z); // restart the search directions from the true residual
      continue;
    }
    if (signal?.aborted === true) return finishWithTrueResidual(k, false, 'aborted');

    z = precondition(r);
    const rzNext = dot(r, z);
    checkPreconditionerCurvature(fn, rzNext, k);
    // β = rₖᵀzₖ / rₖ₋₁ᵀzₖ₋₁ keeps p conjugate (pᵢᵀAp_j = 0) to the previous directions
    const beta = rzNext / rz;
    rz = rzNext;
    axpy(beta, p, z, p); // p ← z + βp
  }
  return finishWithTrueResidual(maxIterations, false, 'iteration limit');

  function finishWithTrueResidual(iterations: number, converged: boolean, reason: string): SolveResult {
    residualNorms[residualNorms.length - 1] = norm2(trueResidual()) / bNorm;
    return finish(iterations, converged, reason);
  }
}

/** rᵀPr must be > 0 for r ≠ 0: P must be positive definite too. */
function checkPreconditionerCurvature(fn: string, rz: number, iteration: number): void {
  if (!(rz > 0)) {
    throw new NotPositiveDefiniteError(
      fn,
      -1,
      `the preconditioner is not positive definite: rᵀPr = ${rz} at iteration ${iteration}; ` +
        'P must approximate (H + λI)⁻¹ and be symmetric positive definite',
    );
  }
}

/** Turns the `preconditioner` option into a function r ↦ P·r. */
function resolvePreconditioner(
  fn: string,
  op: LinearOperator,
  preconditioner: OperatorLike | 'jacobi' | undefined,
  damping: number,
  n: number,
): (r: Float64Array) => Float64Array {
  if (preconditioner === undefined) return (r) => Float64Array.from(r);
  let diagonal: Float64Array;
  if (preconditioner === 'jacobi') {
    if (op.diagonal === undefined) {
      throw new InvalidArgumentError(
        fn,
        "preconditioner 'jacobi' needs the operator's diagonal(), and this operator has none; pass the exact Hessian " +
          'diagonal as a Float64Array preconditioner instead (or an estimate from diagonalEstimate, less reliable)',
      );
    }
    diagonal = op.diagonal();
  } else if (preconditioner instanceof Float64Array) {
    diagonal = preconditioner;
  } else {
    const p = toOperator(preconditioner, fn);
    if (p.size !== n) throw new ShapeError(fn, `the preconditioner has size ${p.size}, the operator ${n}`);
    return (r) => p.apply(r);
  }
  if (diagonal.length !== n) {
    throw new ShapeError(fn, `a diagonal preconditioner needs ${n} entries (the diagonal of H), got ${diagonal.length}`);
  }
  // Jacobi: P = diag(d + λ)⁻¹, which needs every dᵢ + λ > 0.
  const inverse = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = diagonal[i]! + damping;
    if (!Number.isFinite(d) || d <= 0) {
      throw new NotPositiveDefiniteError(
        fn,
        i,
        `diagonal preconditioner entry ${i} is ${diagonal[i]} (+ λ = ${damping}), not > 0; a positive definite H + λI has a ` +
          'positive diagonal, so either H + λI is not positive definite (add damping) or the diagonal given is wrong',
      );
    }
    inverse[i] = 1 / d;
  }
  return (r) => multiplyVectors(r, inverse);
}
