/**
 * The hessian layer: Hessian-vector products in five modes, record-once Hessian operators,
 * Gauss–Newton and Fisher products, and (from `solvers/`) the inverse-Hessian solvers and spectra.
 * Only `hvp.ts` and `operators.ts` import autodiff; the solvers see nothing but LinearOperators.
 */
export { hvp, treeDot, defaultStep, HVP_MODES, type HvpMode, type HvpOptions } from './hvp.js';
export {
  hessianOperator,
  hessian,
  hessianDiagonal,
  gaussNewtonOperator,
  perSampleGradients,
  fisherOperator,
  sampleCategorical,
  sampleBernoulli,
  type HessianOperator,
  type HessianOperatorOptions,
  type PerSampleGradients,
  type FisherOperator,
  type FisherOptions,
} from './operators.js';
export * from './solvers/index.js';
export * from './applications/index.js';
