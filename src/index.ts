/**
 * tapegrad — automatic differentiation over Float64Array, specialised in second order.
 *
 * Layers, bottom up: `linalg` (raw kernels), `autodiff` (tensors, ops, tape, transforms),
 * `hessian` (HVP modes, operators, solvers, spectra). Everything exported here is the public
 * API; anything else is internal. The Hessian transform is exported from the hessian layer, whose `hessian` accepts
 * both `hessian(f, { mode })` and `hessian(f, x, { mode })` in every HVP mode.
 */
export * from './errors.js';
export {
  Tensor,
  tensor,
  scalar,
  zeros,
  ones,
  full,
  eye,
  zerosLike,
  onesLike,
  randn,
  rand,
  randomTensors,
  isTensor,
  asTensor,
  type TensorLike,
  type NestedArray,
} from './autodiff/tensor.js';
export * from './autodiff/ops/index.js';
export {
  vjp,
  grad,
  valueAndGrad,
  jvp,
  linearize,
  linearizeAndTranspose,
  jacobian,
  type JacobianMode,
  type Lifted,
} from './autodiff/transforms.js';
export { ravel, unravel, type Tree, type TensorTree } from './autodiff/tree.js';
export { apply, memoised, type Primitive, type Memo, type VjpRule, type VjpContext } from './autodiff/primitive.js';
export {
  checkGrads,
  type CheckGradsOptions,
  type CheckGradsSummary,
  type CheckGradsMode,
} from './autodiff/check-grads.js';
export { withFiniteChecks } from './autodiff/debug.js';
export { jit, type JitOptions, type Jitted, type Lowered } from './autodiff/jit/index.js';
export {
  recordTape,
  recordGradTape,
  formatTape,
  tapeToDot,
  tapeStats,
  countOps,
  type TapeRecording,
  type NodePhase,
  type RecordOptions,
  type FormatTapeOptions,
  type TapeToDotOptions,
  type TapeStats,
  type OpCounts,
} from './autodiff/inspect.js';
export * from './hessian/index.js';
export { createRandom, type RandomSource } from './linalg/random.js';
