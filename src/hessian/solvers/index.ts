/**
 * The inverse-Hessian and spectral half of the hessian layer, in one import: linear operators,
 * the solvers of (H + λI)x = b (Neumann, LiSSA, CG, MINRES, Cholesky), the Sherman–Morrison
 * `IncrementalInverse`, and spectra (top eigenpairs, Hutchinson trace, diagonal estimate).
 *
 * Everything here takes a LinearOperator or a dense matrix — never a function of tensors — so it
 * is tested against dense linear algebra and does not import autodiff.
 */
export {
  countingOperator,
  dampedOperator,
  denseOperator,
  operatorToMatrix,
  scaledOperator,
  toOperator,
  type CountingOperator,
  type LinearOperator,
  type MatrixLike,
  type OperatorLike,
} from '../linear-operator.js';
export type { AbortFlag, KrylovOptions, SolveResult } from './result.js';
export { neumannSolve, type NeumannOptions, type NeumannResult } from './neumann.js';
export { lissa, type LissaOptions, type LissaResult } from './lissa.js';
export { cgSolve, type CgOptions } from './cg.js';
export { minresSolve, type MinresOptions } from './minres.js';
export { choleskySolve, type CholeskySolveOptions } from './cholesky-solve.js';
export { DOWNDATE_THRESHOLD, IncrementalInverse, type IncrementalInverseOptions } from '../incremental-inverse.js';
export {
  diagonalEstimate,
  hutchinsonTrace,
  topEigenpairs,
  type Eigenpairs,
  type StochasticEstimateOptions,
  type TopEigenpairsOptions,
} from '../spectra.js';
