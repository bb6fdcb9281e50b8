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
 * residual drifting from the true one: convergence is only claimed for a true residual
 * b − (H + λI)x. CG minimises the energy, not the residual, so the residual is not monotone: when
 * CG stops short of the tolerance it returns the iterate with the lowest true residual it
 * measured (the final one, the one with the lowest recursive residual, or the initial guess),
 * spending at most two extra products to measure them.
 * Leaves out indefinite systems (minresSolve) and trust-region truncation (Steihaug).
 */
import {
  InvalidArgumentError,
  NegativeCurvatureError,
  NonFiniteError,
  NotPositiveDefiniteError,
} from '../../../errors.js';
import { axpy, dot, multiplyVectors, norm2 } from '../../../linalg/index.js';
import { checkArity, checkOneOf, checkVector, describeValue } from '../../../validate.js';
import {
  dampedProducts,
  readOperator,
  type CheckedOperator,
  type DampedProducts,
  type OperatorLike,
} from '../linear-operator.js';
import { zeroRightHandSide, type SolveResult } from './result.js';
import { SYMMETRY_ADVICE } from './inputs.js';
import { MAX_RESTARTS, krylovSetup, returnedIterateNote, trueResidual, type KrylovOptions } from './krylov.js';

/** Options of `cgSolve`: the shared Krylov options and a preconditioner. */
export interface CgOptions extends KrylovOptions {
  /**
   * P ≈ (H + λI)⁻¹, applied to each residual; it must be symmetric positive definite. Either
   * - an operator (LinearOperator, dense matrix as a tensor) that applies the approximate
   *   INVERSE, e.g. `new IncrementalInverse(...).asOperator()`;
   * - a Float64Array d of length n: the diagonal of (an approximation of) H, e.g. the exact
   *   Hessian diagonal or `diagonalEstimate(H).estimate`; applied as z = r ⊘ (d + λ) (copied at
   *   entry);
   * - `'jacobi'`: the same with d = H's own `diagonal()`.
   */
  preconditioner?: OperatorLike | 'jacobi';
}

/** An iterate and its true relative residual ‖b − (H + λI)x‖/‖b‖. */
interface Measured {
  readonly x: Float64Array;
  readonly residual: number;
  readonly iteration: number;
}

/**
 * Solves (H + λI)x = b by (preconditioned) conjugate gradients. Throws NegativeCurvatureError if a
 * search direction has pᵀ(H + λI)p ≤ 0; returns converged: false (no throw) at maxIterations or
 * on stagnation, with the iterate of lowest true residual. A dense H must be symmetric; b = 0
 * returns x = 0 without a product; n = 1 converges in one step.
 *
 * @example
 * const H = new Float64Array([4, 1, 1, 3]);
 * const { x, iterations } = cgSolve(H, new Float64Array([1, 2])); // x ≈ [1/11, 7/11], 2 iterations
 * cgSolve(H, new Float64Array([1, 2]), { preconditioner: 'jacobi', damping: 1e-3 });
 */
export function cgSolve(H: OperatorLike, b: Float64Array, options?: CgOptions): SolveResult {
  const fn = 'cgSolve';
  checkArity(fn, arguments.length, 3);
  const setup = krylovSetup(fn, H, b, options, ['preconditioner']);
  const { op, n, tolerance, maxIterations, damping, x0, signal } = setup;
  const precondition = readPreconditioner(fn, op, setup.options['preconditioner'], damping, n);
  const A = dampedProducts(op, damping);
  const bNorm = norm2(setup.b);
  if (bNorm === 0) return zeroRightHandSide(n);
  const cg = startCg(fn, setup.b, bNorm, A, precondition, x0);
  if (cg.residualNorms[0]! <= tolerance) return finishCg(cg, cg.best, 0, true, 'tolerance reached');
  restartDirections(cg, 0);

  let k = 0;
  let stop = 'iteration limit';
  while (k < maxIterations) {
    k++;
    const estimate = conjugateStep(cg, k, damping);
    if (estimate <= tolerance) {
      // The recursive residual drifts from b − Ax in floating point; trust only the true one.
      const trueRelative = measureTrueResidual(cg, k);
      if (trueRelative <= tolerance)
        return finishCg(cg, { x: cg.x, residual: trueRelative, iteration: k }, k, true, 'tolerance reached');
      if (cg.restarts === MAX_RESTARTS) {
        stop = `stagnated: the true relative residual stays at ${trueRelative.toPrecision(3)} > tolerance (the attainable accuracy for this conditioning)`;
        break;
      }
      cg.restarts++;
      restartDirections(cg, k); // from the true residual
      continue;
    }
    if (cg.lowestEstimate === undefined || estimate < cg.lowestEstimate.residual)
      cg.lowestEstimate = { x: Float64Array.from(cg.x), residual: estimate, iteration: k };
    if (signal?.aborted === true) {
      stop = 'aborted';
      break;
    }
    nextDirection(cg, k);
  }
  return finishStoppedShort(cg, k, stop);
}

/** The state of a CG run: the iterate, residual and search direction, and the best iterates seen. */
interface CgState {
  readonly fn: string;
  readonly rhs: Float64Array;
  readonly bNorm: number;
  readonly A: DampedProducts;
  readonly precondition: (r: Float64Array, iteration: number) => Float64Array;
  readonly x: Float64Array;
  r: Float64Array;
  z: Float64Array;
  /** rᵀz = rᵀPr. */
  rz: number;
  p: Float64Array;
  readonly residualNorms: number[];
  /** The iterate with the lowest true residual measured so far (the initial guess to begin with). */
  best: Measured;
  /** The iterate with the lowest recursive residual since the last true measurement. */
  lowestEstimate: Measured | undefined;
  restarts: number;
  /** The true residual of x, if its last update was measured. */
  finalMeasured: number | undefined;
}

function startCg(
  fn: string,
  rhs: Float64Array,
  bNorm: number,
  A: DampedProducts,
  precondition: CgState['precondition'],
  x0: Float64Array | undefined,
): CgState {
  const x = x0 === undefined ? new Float64Array(rhs.length) : Float64Array.from(x0);
  const cg: CgState = {
    fn,
    rhs,
    bNorm,
    A,
    precondition,
    x,
    r: rhs,
    z: rhs,
    rz: 0,
    p: rhs,
    residualNorms: [],
    best: { x, residual: 0, iteration: 0 },
    lowestEstimate: undefined,
    restarts: 0,
    finalMeasured: undefined,
  };
  cg.r = x0 === undefined ? Float64Array.from(rhs) : trueResidual(cg.A, cg.rhs, x, 'for the initial guess x0'); // r₀ = b − (H + λI)x₀
  cg.residualNorms.push(norm2(cg.r) / bNorm);
  cg.best = { x: Float64Array.from(x), residual: cg.residualNorms[0]!, iteration: 0 };
  return cg;
}

/** b − (H + λI)y, into the fresh array the product returned. */
/** One step along p: α = rᵀz / pᵀAp minimises the energy along p; x ← x + αp, r ← r − αAp. Returns ‖r‖/‖b‖. */
function conjugateStep(cg: CgState, k: number, damping: number): number {
  const q = cg.A.apply(cg.p, `at iteration ${k}`);
  const alpha = cg.rz / positiveCurvature(cg.fn, cg.p, q, k, damping);
  axpy(alpha, cg.p, cg.x, cg.x);
  axpy(-alpha, q, cg.r, cg.r);
  const estimate = norm2(cg.r) / cg.bNorm;
  cg.residualNorms.push(estimate);
  cg.finalMeasured = undefined;
  return estimate;
}

/** pᵀ(H + λI)p, which must be finite and > 0: otherwise H + λI is not positive definite. */
function positiveCurvature(fn: string, p: Float64Array, q: Float64Array, k: number, damping: number): number {
  const curvature = dot(p, q);
  if (!Number.isFinite(curvature)) {
    throw new NonFiniteError(
      fn,
      `pᵀ(H + λI)p overflowed to ${curvature} at iteration ${k}; the operator's values are too large for float64 — rescale the problem`,
    );
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
  return curvature;
}

/** Replaces the recursive residual by the true one b − Ax (the history's last entry too) and returns its relative norm. */
function measureTrueResidual(cg: CgState, k: number): number {
  cg.r = trueResidual(cg.A, cg.rhs, cg.x, `checking the residual at iteration ${k}`);
  const trueRelative = norm2(cg.r) / cg.bNorm;
  cg.residualNorms[cg.residualNorms.length - 1] = trueRelative;
  cg.finalMeasured = trueRelative;
  if (trueRelative < cg.best.residual) cg.best = { x: Float64Array.from(cg.x), residual: trueRelative, iteration: k };
  cg.lowestEstimate = undefined;
  return trueRelative;
}

/** Starts the search directions afresh from the current residual: z = Pr, p = z. */
function restartDirections(cg: CgState, k: number): void {
  cg.z = cg.precondition(cg.r, k);
  cg.rz = dot(cg.r, cg.z);
  checkPreconditionerCurvature(cg.fn, cg.rz, k);
  cg.p = Float64Array.from(cg.z);
}

/** β = rₖᵀzₖ / rₖ₋₁ᵀzₖ₋₁ keeps p conjugate (pᵢᵀAp_j = 0) to the previous directions: p ← z + βp. */
function nextDirection(cg: CgState, k: number): void {
  cg.z = cg.precondition(cg.r, k);
  const rzNext = dot(cg.r, cg.z);
  checkPreconditionerCurvature(cg.fn, rzNext, k);
  const beta = rzNext / cg.rz;
  cg.rz = rzNext;
  axpy(beta, cg.p, cg.z, cg.p);
}

function finishCg(cg: CgState, result: Measured, iterations: number, converged: boolean, reason: string): SolveResult {
  const { residualNorms } = cg;
  residualNorms[residualNorms.length - 1] = result.residual; // the last entry belongs to the returned x
  return { x: result.x, iterations, residualNorms, converged, reason, operatorApplications: cg.A.count };
}

/**
 * Stopped short of the tolerance: measures the final iterate and the one with the lowest
 * recursive residual, and returns whichever of them (or an earlier measured one) is best.
 */
function finishStoppedShort(cg: CgState, k: number, stop: string): SolveResult {
  const final: Measured = {
    x: cg.x,
    residual: cg.finalMeasured ?? norm2(trueResidual(cg.A, cg.rhs, cg.x, 'measuring the final residual')) / cg.bNorm,
    iteration: k,
  };
  let chosen = final.residual <= cg.best.residual ? final : cg.best;
  const lowest = cg.lowestEstimate;
  if (lowest !== undefined && lowest.iteration !== k) {
    const residual =
      norm2(trueResidual(cg.A, cg.rhs, lowest.x, `measuring the residual of iterate ${lowest.iteration}`)) / cg.bNorm;
    if (residual < chosen.residual) chosen = { ...lowest, residual };
  }
  return finishCg(cg, chosen, k, false, `${stop}${returnedIterateNote(chosen.iteration, k)}`);
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

/**
 * Reads the `preconditioner` option once, at entry, into a function r ↦ P·r (a fresh array).
 * A diagonal is copied into its reciprocal; an operator is checked like H.
 */
function readPreconditioner(
  fn: string,
  op: CheckedOperator,
  preconditioner: unknown,
  damping: number,
  n: number,
): (r: Float64Array, iteration: number) => Float64Array {
  if (preconditioner === undefined) return (r) => Float64Array.from(r);
  let diagonal: Float64Array;
  if (typeof preconditioner === 'string') {
    checkOneOf(fn, 'preconditioner', preconditioner, ['jacobi']);
    if (op.diagonal === undefined) {
      throw new InvalidArgumentError(
        fn,
        "preconditioner 'jacobi' needs the operator's diagonal(), and this operator has none; pass the exact Hessian " +
          'diagonal as a Float64Array preconditioner instead (or an estimate from diagonalEstimate, less reliable)',
      );
    }
    diagonal = op.diagonal("for preconditioner 'jacobi'");
  } else if (preconditioner instanceof Float64Array) {
    diagonal = checkVector(fn, 'preconditioner', preconditioner, { length: n });
  } else if (
    typeof preconditioner === 'object' &&
    preconditioner !== null &&
    !ArrayBuffer.isView(preconditioner) &&
    !Array.isArray(preconditioner)
  ) {
    const p = readOperator(fn, 'preconditioner', preconditioner, {
      size: n,
      symmetric: `the preconditioner must be symmetric positive definite; ${SYMMETRY_ADVICE}`,
    });
    return (r, iteration) => p.product(r, `applying the preconditioner at iteration ${iteration}`);
  } else {
    throw new InvalidArgumentError(
      fn,
      `preconditioner must be 'jacobi', a Float64Array holding the diagonal of H (length ${n}) or an operator applying P ≈ (H + λI)⁻¹, got ${describeValue(preconditioner)}` +
        (Array.isArray(preconditioner) ? '; wrap a diagonal: new Float64Array(preconditioner)' : ''),
    );
  }
  // Jacobi: P = diag(d + λ)⁻¹, which needs every dᵢ + λ > 0.
  const inverse = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const d = diagonal[i]! + damping;
    if (!(d > 0) || !Number.isFinite(1 / d)) {
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
