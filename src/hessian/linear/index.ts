/**
 * The linear-algebra half of the hessian layer, in one import: linear operators, the solvers of
 * (H + λI)x = b (Neumann, LiSSA, CG, MINRES, Cholesky, in `solvers/`), the Sherman–Morrison
 * `IncrementalInverse`, spectra (top eigenpairs, Hutchinson trace, diagonal estimate) and the
 * inverse-Hessian adapters (`exactInverse`, `cgInverse`, …) that the applications take.
 *
 * Everything here takes a LinearOperator or a dense matrix — never a function of tensors — so it
 * is tested against dense linear algebra. No file in this folder imports `src/autodiff` or the
 * parts of the hessian layer that differentiate (test/hessian/layering.test.ts checks it).
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
} from './linear-operator.js';
export type { SolveResult } from './solvers/result.js';
export type { AbortFlag } from './solvers/inputs.js';
export type { KrylovOptions } from './solvers/krylov.js';
export { neumannSolve, type NeumannOptions, type NeumannResult } from './solvers/neumann.js';
export { lissa, type LissaOptions, type LissaResult } from './solvers/lissa.js';
export { cgSolve, type CgOptions } from './solvers/cg.js';
export { minresSolve, type MinresOptions } from './solvers/minres.js';
export { choleskySolve, type CholeskySolveOptions } from './solvers/cholesky-solve.js';
export { DOWNDATE_THRESHOLD, IncrementalInverse, type IncrementalInverseOptions } from './incremental-inverse.js';
export {
  diagonalEstimate,
  hutchinsonTrace,
  topEigenpairs,
  type Eigenpairs,
  type StochasticEstimateOptions,
  type TopEigenpairsOptions,
} from './spectra.js';
export {
  exactInverse,
  cgInverse,
  neumannInverse,
  lissaInverse,
  fisherInverse,
  inverseFromOperator,
  type InverseHessian,
  type ExactInverseOptions,
  type FisherInverseOptions,
} from './inverse-hessian.js';
