/** The autodiff layer: tensors, ops, transforms, trees and inspection. */
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
} from './tensor.js';
export * from './ops/index.js';
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
} from './transforms.js';
export { ravel, unravel, flatten, type Tree, type TensorTree } from './tree.js';
export { apply, newLevel, type Primitive, type Trace } from './primitive.js';
export { Tape, type TapeNode } from './tape.js';
export { checkGrads, type CheckGradsOptions } from './check-grads.js';
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
} from './inspect.js';
export { withFiniteChecks } from './debug.js';
export { jit, compileFunction, type JitOptions, type Jitted, type Lowered } from './jit/index.js';
