/**
 * The hessian layer, in three parts a folder apart:
 *
 * - what differentiates (this folder): the HVP modes, one table (`modes.ts`); `hvp`; the
 *   record-once Hessian operator; the dense Hessian and its diagonal; Gauss–Newton, per-sample
 *   gradients and Fisher products (`curvature.ts`); and the label samplers the sampled Fisher uses.
 *   These import the autodiff layer.
 * - `linear/`: linear operators, the inverse solvers of (H + λI)x = b, spectra, the incremental
 *   inverse and the inverse-Hessian adapters — plain linear algebra on operators and matrices.
 *   Nothing there imports autodiff (a test enforces it), so it is tested against dense matrices.
 * - `applications/`: influence, leave-one-out, pruning and the optimisers, built on both.
 */
export { hvp, treeDot, defaultStep, HVP_MODES, type HvpMode, type HvpOptions } from './hvp.js';
export { hessianOperator, type HessianOperator, type HessianOperatorOptions } from './hessian-operator.js';
export { hessian, hessianDiagonal } from './dense-hessian.js';
export {
  gaussNewtonOperator,
  perSampleGradients,
  fisherOperator,
  type PerSampleGradients,
  type FisherOperator,
  type FisherOptions,
} from './curvature.js';
export { sampleCategorical, sampleBernoulli } from './samplers.js';
export * from './linear/index.js';
export * from './applications/index.js';
