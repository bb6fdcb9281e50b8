/**
 * The public API contract of DESIGN.md: every name users' code and outside checks are written
 * against is exported from the package entry point.
 */
import { describe, expect, it } from 'vitest';
import * as tapegrad from '../src/index.js';

const contract = [
  // tensors
  'Tensor',
  'tensor',
  'scalar',
  'zeros',
  'ones',
  'eye',
  'full',
  'randn',
  'rand',
  'randomTensors',
  'createRandom',
  // ops
  'add',
  'sub',
  'mul',
  'div',
  'neg',
  'pow',
  'exp',
  'log',
  'sqrt',
  'sin',
  'cos',
  'tanh',
  'sigmoid',
  'relu',
  'softplus',
  'abs',
  'square',
  'matmul',
  'transpose',
  'reshape',
  'sum',
  'mean',
  'dot',
  'logSumExp',
  'softmax',
  'logSoftmax',
  'slice',
  'index',
  'take',
  'concat',
  'where',
  'maximum',
  'broadcastTo',
  // transforms
  'grad',
  'valueAndGrad',
  'vjp',
  'jvp',
  'linearize',
  'jacobian',
  'hessian',
  'ravel',
  'unravel',
  'withFiniteChecks',
  // second order
  'hvp',
  'hessianOperator',
  'gaussNewtonOperator',
  'fisherOperator',
  'hessianDiagonal',
  'perSampleGradients',
  // inverse routines and spectra
  'neumannSolve',
  'lissa',
  'cgSolve',
  'minresSolve',
  'IncrementalInverse',
  'choleskySolve',
  'denseOperator',
  'topEigenpairs',
  'hutchinsonTrace',
  'diagonalEstimate',
  // applications
  'influence',
  'predictLeaveOneOut',
  'obdPrune',
  'obsPrune',
  'magnitudePrune',
  'newtonCg',
  // inspection
  'recordTape',
  'formatTape',
  'tapeToDot',
  'tapeStats',
  'countOps',
  'checkGrads',
  // errors
  'TapegradError',
  'ShapeError',
  'NotPositiveDefiniteError',
  'SingularMatrixError',
  'DivergenceError',
  'NegativeCurvatureError',
];

describe('public API', () => {
  it.each(contract)('exports %s', (name) => {
    expect((tapegrad as Record<string, unknown>)[name], name).toBeDefined();
  });

  it('keeps the contract semantics of hessian in both forms', () => {
    const f = (x: tapegrad.Tensor) => tapegrad.sum(tapegrad.pow(x, 3));
    const x = tapegrad.tensor([1, 2]);
    expect(tapegrad.hessian(f, x).toNested()).toEqual([
      [6, 0],
      [0, 12],
    ]);
    expect(tapegrad.hessian(f)(x).toNested()).toEqual([
      [6, 0],
      [0, 12],
    ]);
  });
});
