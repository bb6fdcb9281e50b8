/**
 * The Hessian at work: a Hessian-free Newton–CG trainer, influence functions, fast leave-one-out
 * retraining, and OBD/OBS pruning — everything built on the operators and solvers of the hessian
 * layer, and checked against the ground truth of actually retraining (see test/applications).
 */
export { newtonCg, type NewtonCgOptions, type NewtonCgResult, type NewtonIteration } from './newton.js';
export {
  trustRegion,
  type TrustRegionOptions,
  type TrustRegionResult,
  type TrustRegionIteration,
} from './trust-region.js';
export type { StopReason, Forcing, StoppingOptions } from './stopping.js';
export { influence, selfInfluence, mostInfluential, pearson, type InfluenceResult } from './influence.js';
export {
  leaveOutWeights,
  predictLeaveOneOut,
  predictGroupRemoval,
  predictedChange,
  retrainWithout,
  newtonStepWithout,
  type WeightedObjective,
} from './leave-one-out.js';
export { magnitudePrune, obdSaliency, obdPrune, obsPrune, type PrunedWeights, type ObsOptions } from './pruning.js';
