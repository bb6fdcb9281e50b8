/**
 * Inverse Hessians as objects: `solve(b)` returns x ≈ (H + λI)⁻¹b with the solver's diagnostics.
 * Built from any solver of this folder — the influence functions and leave-one-out predictions
 * above take one and never care which:
 *
 *   exactInverse       forms H + λI once (d products or a dense matrix), factors it by Cholesky,
 *                      and back-substitutes per right-hand side — the reference.
 *   cgInverse          conjugate gradients on the operator (√κ iterations).
 *   neumannInverse     the Neumann series (κ iterations).
 *   lissaInverse       LiSSA: Neumann on random minibatch Hessians, averaged over repeats.
 *   fisherInverse      the Sherman–Morrison/Woodbury inverse of the damped empirical Fisher
 *                      λI + (1/n)Σ gᵢgᵢᵀ (IncrementalInverse.fromGradients): no HVPs at all,
 *                      exact only as far as the Fisher approximates the Hessian; with row
 *                      weights, the expected Fisher, which IS the Hessian for a GLM.
 *   inverseFromOperator an operator that already applies an approximate inverse.
 *
 * Plain linear algebra on operators and matrices, like the rest of this folder.
 */
import {
  InvalidArgumentError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
} from '../../errors.js';
import {
  addToDiagonal,
  axpy,
  cholesky,
  choleskySolveFactor,
  dot,
  gemv,
  indexOfNonFinite,
  norm2,
  subVectors,
  symmetrize,
} from '../../linalg/index.js';
import {
  checkArity,
  checkBoolean,
  checkCount,
  checkFunction,
  checkIndexList,
  checkNonNegative,
  checkPositive,
  checkPositiveInteger,
  checkSymmetric,
  checkVector,
  readOptions,
} from '../../validate.js';
import {
  IncrementalInverse,
  cgSolve,
  lissa,
  neumannSolve,
  type CgOptions,
  type LinearOperator,
  type LissaOptions,
  type NeumannOptions,
  type OperatorLike,
  type SolveResult,
} from './index.js';
import { formMatrix, readOperator, type CheckedOperator } from './linear-operator.js';
import type { RandomSource } from '../../linalg/index.js';
import {
  checkText,
  identityOperator,
  readGradients,
  readInverse,
  reportedAs,
  solveWith,
  splitOptions,
} from './arguments.js';

/**
 * An (approximate) inverse Hessian: `solve(b)` returns x ≈ (H + λI)⁻¹b with the solver's
 * diagnostics (iterations, relative-residual history, converged).
 */
export interface InverseHessian {
  /** A short label for tables and plots, e.g. 'exact (Cholesky)' or 'CG'. */
  readonly name: string;
  readonly size: number;
  solve(b: Float64Array): SolveResult;
}

/** A direct solve is converged when its backward error ‖b − Ax‖/(‖A‖_F‖x‖ + ‖b‖) is below √ε. */
const BACKWARD_ERROR_TOLERANCE = Math.sqrt(Number.EPSILON);

/** Options of `exactInverse`. */
export interface ExactInverseOptions {
  /** λ ≥ 0: invert H + λI (default 0). */
  damping?: number;
  /** The label of the inverse (default 'exact (Cholesky)'). */
  name?: string;
  /** Factor (H + Hᵀ)/2 + λI when H is not symmetric, instead of refusing it (default false). */
  symmetrize?: boolean;
}

/**
 * The exact reference: H + λI formed densely once (d operator applications, or the given matrix,
 * copied), factored by Cholesky; each `solve` is two triangular solves (O(d²)).
 *
 * H must be symmetric beyond √ε (a Hessian is; a finite-difference one only to its accuracy):
 * otherwise the Cholesky factor would belong to (H + Hᵀ)/2 and every residual would describe a
 * matrix the user never gave. `symmetrize: true` factors (H + Hᵀ)/2 + λI knowingly; residuals are
 * still measured against H + λI as given, and a solve is `converged` only when its backward error
 * against it is below √ε. `matrix` is the factored matrix, a fresh copy on every read.
 * Throws NotPositiveDefiniteError if the factored matrix is not positive definite.
 *
 * @example
 * const H = hessianOperator(objective, params);
 * const inverse = exactInverse(H);
 * inverse.solve(testGradient).x; // H⁻¹∇ℓ_test
 */
export function exactInverse(
  H: OperatorLike,
  options?: ExactInverseOptions,
): InverseHessian & { readonly matrix: Float64Array } {
  const fn = 'exactInverse';
  checkArity(fn, arguments.length, 2);
  const op = readOperator(fn, 'H', H);
  const { damping, name, symmetrizing } = readExactOptions(fn, options);
  const n = op.size;
  const { asGiven, factored, factor } = formAndFactor(fn, op, damping, symmetrizing);
  const residualOf = directResidual(asGiven, n, damping);
  const what = symmetrizing
    ? 'direct factorisation of (H + Hᵀ)/2 + λI (symmetrize: true); the residual is measured against H + λI as given'
    : 'direct factorisation';
  const solveName = `${fn}().solve`;
  return Object.freeze({
    name,
    size: n,
    /** The factored matrix (H + Hᵀ)/2 + λI — H + λI itself unless symmetrize: true — a fresh copy. */
    get matrix() {
      return factored.slice();
    },
    solve(b: Float64Array): SolveResult {
      checkArity(solveName, arguments.length, 1);
      checkVector(solveName, 'b', b, { length: n });
      const x = choleskySolveFactor(factor, n, b);
      if (indexOfNonFinite(x) !== -1) {
        throw new SingularMatrixError(
          solveName,
          -1,
          `H + λI (λ = ${damping}) is singular to working precision: the solution overflowed; add damping`,
        );
      }
      const { relative, backwardError } = residualOf(b, x);
      const converged = backwardError <= BACKWARD_ERROR_TOLERANCE;
      const reason =
        norm2(b) === 0
          ? 'zero right-hand side'
          : converged
            ? what
            : `${what}: the backward error against H + λI as given is ${backwardError.toPrecision(3)} > √ε`;
      return { x, iterations: 0, residualNorms: [relative], converged, reason, operatorApplications: 0 };
    },
  });
}

/** The options of `exactInverse`, checked, with their defaults. */
function readExactOptions(
  fn: string,
  options: ExactInverseOptions | undefined,
): { damping: number; name: string; symmetrizing: boolean } {
  const given = readOptions(fn, options, ['damping', 'name', 'symmetrize']);
  return {
    damping: given.damping === undefined ? 0 : checkNonNegative(fn, 'options.damping', given.damping),
    name: given.name === undefined ? 'exact (Cholesky)' : checkText(fn, 'options.name', given.name),
    symmetrizing: given.symmetrize === undefined ? false : checkBoolean(fn, 'options.symmetrize', given.symmetrize),
  };
}

/**
 * H as given (dense, or formed by d applications), the matrix factored — (H + Hᵀ)/2 + λI, which
 * is H + λI unless `symmetrizing` — and its Cholesky factor. H must be symmetric unless
 * `symmetrizing`; an overflowed or indefinite matrix is refused with what to do.
 */
function formAndFactor(
  fn: string,
  op: CheckedOperator,
  damping: number,
  symmetrizing: boolean,
): { asGiven: Float64Array; factored: Float64Array; factor: Float64Array } {
  const n = op.size;
  const asGiven = op.dense ?? formMatrix(op);
  if (!symmetrizing) {
    checkSymmetric(
      fn,
      'H',
      asGiven,
      n,
      'its Cholesky factor would belong to (H + Hᵀ)/2, a different matrix; pass { symmetrize: true } to factor that knowingly' +
        (op.dense === undefined
          ? ' (an operator built from finite differences is symmetric only to its own accuracy)'
          : ''),
    );
  }
  const factored = addToDiagonal(symmetrize(asGiven, n), n, damping);
  const overflow = indexOfNonFinite(factored);
  if (overflow !== -1)
    throw new NonFiniteError(
      fn,
      `H + λI overflowed to ${factored[overflow]} (λ = ${damping}); the entries are too large for float64 — rescale the problem`,
    );
  return { asGiven, factored, factor: factorOrExplain(fn, factored, n, damping) };
}

/** The Cholesky factor of `matrix`, or a NotPositiveDefiniteError that names `fn` and says what to do. */
function factorOrExplain(fn: string, matrix: Float64Array, n: number, damping: number): Float64Array {
  try {
    return cholesky(matrix, n);
  } catch (error) {
    if (!(error instanceof NotPositiveDefiniteError)) throw error;
    throw new NotPositiveDefiniteError(
      fn,
      error.column,
      `H + λI (λ = ${damping}) is not positive definite: the Cholesky pivot at column ${error.column} is not > 0. ` +
        'Add damping (more than the most negative eigenvalue), or train closer to a minimum',
    );
  }
}

/** The relative residual ‖b − (A + λI)x‖/‖b‖ and the backward error against A + λI as given. */
function directResidual(
  a: Float64Array,
  n: number,
  damping: number,
): (b: Float64Array, x: Float64Array) => { relative: number; backwardError: number } {
  // ‖A + λI‖_F, accumulated in units of the largest entry so that the squares cannot overflow.
  let largest = damping;
  for (const value of a) largest = Math.max(largest, Math.abs(value));
  let sum = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) sum += ((a[i * n + j]! + (i === j ? damping : 0)) / (largest || 1)) ** 2;
  const frobenius = largest * Math.sqrt(sum);
  return (b, x) => {
    const bNorm = norm2(b);
    if (bNorm === 0) return { relative: 0, backwardError: 0 };
    const ax = axpy(damping, x, gemv(a, n, n, x));
    const residual = norm2(subVectors(b, ax, ax));
    return { relative: residual / bNorm, backwardError: residual / (frobenius * norm2(x) + bNorm) };
  };
}

/**
 * An adapter from a solver to an InverseHessian. The solver's options are checked once, here, by
 * a dry run on the identity with a zero right-hand side (which returns at once), so a misspelt or
 * ill-typed option fails now, under `fn`; `name` is the adapter's own key. Every solve restarts
 * from zero with the same options, and the solver's errors name `fn().solve`.
 */
function solverInverse(
  fn: string,
  size: number,
  defaultName: string,
  options: unknown,
  solve: (b: Float64Array, settings: Record<string, unknown>, stand?: LinearOperator) => SolveResult,
): InverseHessian {
  const { own, rest } = splitOptions(fn, options, ['name']);
  const name = own['name'] === undefined ? defaultName : checkText(fn, 'options.name', own['name']);
  reportedAs(fn, () => solve(new Float64Array(size), rest, identityOperator(size)));
  const solveName = `${fn}().solve`;
  return Object.freeze({
    name,
    size,
    solve(b: Float64Array): SolveResult {
      checkArity(solveName, arguments.length, 1);
      checkVector(solveName, 'b', b, { length: size });
      return reportedAs(solveName, () => solve(b, rest));
    },
  });
}

/**
 * The operator argument of an iterative adapter, read once: a dense matrix is copied (so later
 * changes to the caller's array do not reach later solves) and must be symmetric; an operator is
 * kept as given.
 */
function iterativeOperator(fn: string, H: unknown): { size: number; source: OperatorLike } {
  const op = readOperator(fn, 'H', H, {
    symmetric:
      'the iterative solvers assume a symmetric H (every Hessian is); pass (H + Hᵀ)/2, or use exactInverse with { symmetrize: true }',
  });
  return { size: op.size, source: op.dense ?? (H as LinearOperator) };
}

/**
 * Conjugate gradients on the operator, each solve from zero with `options` (those of `cgSolve`:
 * tolerance, damping, preconditioner, …, plus `name`).
 * @example const inverse = cgInverse(hessianOperator(objective, params), { tolerance: 1e-10 });
 */
export function cgInverse(H: OperatorLike, options?: CgOptions & { name?: string }): InverseHessian {
  const fn = 'cgInverse';
  checkArity(fn, arguments.length, 2);
  const { size, source } = iterativeOperator(fn, H);
  return solverInverse(fn, size, 'CG', options, (b, settings, stand) =>
    cgSolve(stand ?? source, b, settings as CgOptions),
  );
}

/**
 * The Neumann series on the operator with `options` (those of `neumannSolve`: iterations, scale,
 * damping, tolerance, …, plus `name`).
 * @example const inverse = neumannInverse(H, { scale: 'auto', iterations: 500 });
 */
export function neumannInverse(H: OperatorLike, options?: NeumannOptions & { name?: string }): InverseHessian {
  const fn = 'neumannInverse';
  checkArity(fn, arguments.length, 2);
  const { size, source } = iterativeOperator(fn, H);
  return solverInverse(fn, size, 'Neumann', options, (b, settings, stand) =>
    neumannSolve(stand ?? source, b, settings as NeumannOptions),
  );
}

/**
 * LiSSA with minibatch Hessians from `sampleOperator(rng, step)` (options of `lissa`, plus
 * `name`); every solve restarts the seeded random source, so solves are reproducible.
 * @example const inverse = lissaInverse(d, (rng) => hessianOperator(lossOn(batch(rng)), params), { depth: 200, scale: 10 });
 */
export function lissaInverse(
  size: number,
  sampleOperator: (rng: RandomSource, step: number) => OperatorLike,
  options?: LissaOptions & { name?: string },
): InverseHessian {
  const fn = 'lissaInverse';
  checkArity(fn, arguments.length, 3);
  const n = checkPositiveInteger(fn, 'size', size);
  checkFunction(fn, 'sampleOperator', sampleOperator);
  return solverInverse(fn, n, 'LiSSA', options, (b, settings, stand) =>
    lissa(stand === undefined ? sampleOperator : () => stand, b, settings as LissaOptions),
  );
}

/** Options of `fisherInverse`. */
export interface FisherInverseOptions {
  /** λ > 0: the Fisher is damped, λI + Σ wᵢgᵢgᵢᵀ (required). */
  damping: number;
  /** wᵢ ≥ 0 per row (default 1/N each): a finite Float64Array of N entries. */
  rowWeights?: Float64Array;
  /** The label of the inverse. */
  name?: string;
}

/**
 * The inverse of a damped Fisher F = λI + Σᵢ wᵢgᵢgᵢᵀ from per-example gradients (rows of G),
 * kept by `IncrementalInverse` (formed once by Cholesky). The gradients are read once and not
 * kept; `toMatrix()` returns a fresh copy of F⁻¹.
 *
 * - Default weights wᵢ = 1/N: the damped EMPIRICAL Fisher λI + (1/N)Σgᵢgᵢᵀ, the outer-product
 *   approximation of the Hessian of L = mean ℓᵢ + (λ/2)‖θ‖², with the regulariser's λI exact.
 *   Costs no Hessian-vector products — and is only as good as gᵢgᵢᵀ ≈ ∇²ℓᵢ, which fails for the
 *   points a model fits worst (their (σ − y)² is large where σ(1 − σ) is small).
 * - `rowWeights`: any non-negative weights, e.g. the EXPECTED Fisher Σᵢ Σ_y p(y|xᵢ)/N · g_{i,y}g_{i,y}ᵀ
 *   with one row per (example, label) — which for a generalised linear model (logistic or
 *   softmax regression) equals the Hessian of the data term exactly.
 *
 * G needs at least one row and one column. A solve reports the measured relative residual
 * ‖F·x − b‖/‖b‖ and is `converged` when it is below √ε.
 *
 * @example
 * const inverse = fisherInverse(perSampleGradients(losses, params), { damping: 0.01 });
 */
export function fisherInverse(
  gradients: { readonly gradients: Float64Array; readonly count: number; readonly size: number },
  options: FisherInverseOptions,
): InverseHessian & { toMatrix(): Float64Array } {
  const fn = 'fisherInverse';
  checkArity(fn, arguments.length, 2);
  const G = readGradients(fn, 'gradients', gradients);
  const { count: N, size: d } = G;
  if (N === 0 || d === 0)
    throw new ShapeError(fn, `gradients is ${N}×${d}; the Fisher needs at least one example and one parameter`);
  if (options === undefined)
    throw new InvalidArgumentError(
      fn,
      'options.damping is required: pass { damping: λ } with λ > 0 (e.g. the L2 regularisation strength)',
    );
  const given = readOptions(fn, options, ['damping', 'rowWeights', 'name']);
  const damping = checkPositive(fn, 'options.damping', given.damping);
  const weights =
    given.rowWeights === undefined ? undefined : checkVector(fn, 'options.rowWeights', given.rowWeights, { length: N });
  const name =
    given.name === undefined
      ? weights === undefined
        ? 'Sherman–Morrison (empirical Fisher)'
        : 'Sherman–Morrison (weighted Fisher)'
      : checkText(fn, 'options.name', given.name);
  const inverse = reportedAs(fn, () => fisherInverseOf(fn, G, damping, weights));
  const solveName = `${fn}().solve`;
  return Object.freeze({
    name,
    size: d,
    toMatrix(): Float64Array {
      checkArity(`${fn}().toMatrix`, arguments.length, 0);
      return inverse.toMatrix();
    },
    solve(b: Float64Array): SolveResult {
      checkArity(solveName, arguments.length, 1);
      checkVector(solveName, 'b', b, { length: d });
      const residual = inverse.residual(b);
      const converged = residual <= BACKWARD_ERROR_TOLERANCE;
      const reason =
        norm2(b) === 0
          ? 'zero right-hand side'
          : converged
            ? 'stored inverse'
            : `stored inverse: the relative residual ${residual.toPrecision(3)} > √ε (increase damping)`;
      return {
        x: inverse.apply(b),
        iterations: 0,
        residualNorms: [residual],
        converged,
        reason,
        operatorApplications: 0,
      };
    },
  });
}

/** λI + Σ wᵢgᵢgᵢᵀ inverted: Woodbury for N < d, one Cholesky of the formed matrix otherwise. */
function fisherInverseOf(
  fn: string,
  G: { gradients: Float64Array; count: number; size: number },
  damping: number,
  weights: Float64Array | undefined,
): IncrementalInverse {
  const { count: N, size: d } = G;
  let rows = G.gradients;
  if (weights !== undefined) {
    // λI + Σ wᵢgᵢgᵢᵀ = λI + Σ (√wᵢgᵢ)(√wᵢgᵢ)ᵀ
    rows = new Float64Array(N * d);
    for (let i = 0; i < N; i++) {
      const wi = weights[i]!;
      if (wi < 0) throw new InvalidArgumentError(fn, `options.rowWeights[${i}] is ${wi}; weights must be ≥ 0`);
      const root = Math.sqrt(wi);
      for (let j = i * d; j < (i + 1) * d; j++) rows[j] = root * G.gradients[j]!;
    }
  }
  // Fewer examples than parameters: Woodbury (addMany) inverts an N×N system on top of λ⁻¹I,
  // O(Nd² + N²d + N³); otherwise form λI + GᵀG/N and invert it once by Cholesky, O(Nd² + d³).
  // Neither keeps the rows, so the caller's array is not held on to.
  const average = weights === undefined;
  return N < d
    ? new IncrementalInverse(d, { damping, weight: average ? 1 / N : 1 }).addMany(rows)
    : IncrementalInverse.fromGradients(rows, N, d, { damping, average });
}

/**
 * Wraps an operator that applies an approximate inverse (e.g. `IncrementalInverse.asOperator()`).
 * Nothing is solved, so nothing is measured: each solve returns `converged: false`, no residuals,
 * and says so in `reason`.
 * @example const inverse = inverseFromOperator(IncrementalInverse.fromGradients(G.gradients, N, d, { damping: 1e-3 }).asOperator(), 'Fisher');
 */
export function inverseFromOperator(inverseOperator: LinearOperator, name: string): InverseHessian {
  const fn = 'inverseFromOperator';
  checkArity(fn, arguments.length, 2);
  const op = readOperator(fn, 'inverseOperator', inverseOperator, { productFn: `${fn}().solve` });
  const label = checkText(fn, 'name', name);
  const solveName = `${fn}().solve`;
  return Object.freeze({
    name: label,
    size: op.size,
    solve(b: Float64Array): SolveResult {
      checkArity(solveName, arguments.length, 1);
      checkVector(solveName, 'b', b, { length: op.size });
      return {
        x: op.product(b, 'for b'),
        iterations: 0,
        residualNorms: [],
        converged: false,
        reason: 'applied operator: an approximate inverse, no residual measured',
        operatorApplications: 1,
      };
    },
  });
}
