/**
 * The dense linear-algebra layer: plain functions on row-major Float64Arrays with explicit
 * sizes. It knows nothing of autodiff; the autodiff and hessian layers build on it.
 *
 * - vector: dot, axpy, scale, copy, addVectors, subVectors, multiplyVectors, divideByScalar,
 *   indexOfNonFinite, norm2, norm1, normInf
 * - blas: gemv, gemvT, gemm (cache-blocked), transpose, rank1Update, addToDiagonal, diagonalOf,
 *   symmetrize, identity, matrixFromRows
 * - factor: cholesky, LU (luFactor/luSolve), triangular solves, solve, inverse, (log-)determinants
 * - eigen: symmetricEigen
 * - random: createRandom, a seeded source for reproducible tests and stochastic solvers
 */
export * from './vector.js';
export * from './blas.js';
export * from './factor.js';
export * from './eigen.js';
export * from './random.js';
