/**
 * Every differentiable op, by family. To add an op: define its primitive (value, VJP, JVP or
 * `linear: true`) in the family's file, export the user function here, and list it in
 * `test/autodiff/op-catalogue.ts` with its input domain — the generic checker picks it up —
 * and in a table under `test/boundary/` with its parameters' kinds.
 */
export {
  add,
  sub,
  mul,
  div,
  neg,
  square,
  pow,
  where,
  maximum,
  minimum,
  greater,
  greaterEqual,
  less,
  lessEqual,
  equal,
  stopGradient,
} from './arithmetic.js';
export {
  exp,
  log,
  log1p,
  expm1,
  sqrt,
  sin,
  cos,
  tanh,
  sigmoid,
  softplus,
  relu,
  abs,
  atan,
  asin,
  acos,
  sinh,
  cosh,
  erf,
  sign,
} from './elementwise.js';
export { atan2, hypot, logAddExp, clip } from './binary-maths.js';
export { sum, mean, max, min, prod, logSumExp, logSoftmax, softmax, type Axes } from './reduce.js';
export { variance, var, std, norm } from './statistics.js';
export { cumsum } from './scan.js';
export { matmul, dot, outer } from './linear-algebra.js';
export {
  reshape,
  broadcastTo,
  sumTo,
  transpose,
  slice,
  index,
  concat,
  stack,
  expandDims,
  squeeze,
  take,
  takeAlongRows,
} from './shape.js';
