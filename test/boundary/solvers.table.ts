/**
 * Boundary entries (see harness.ts): linear operators and their combinators (with the methods of
 * the operators they return), the inverse-Hessian solvers, IncrementalInverse (constructor, every
 * method and getter), the spectral estimators, and the seeded random source with its methods.
 *
 * Small valid calls on 2×2 symmetric positive definite matrices. Hand-written cases cover what
 * the generator cannot derive from a parameter's kind: symmetry refusals, an operator that
 * returns the wrong length or a NaN mid-solve, a removal of a vector never added, ranges that
 * depend on two arguments.
 */
import {
  DivergenceError,
  IncrementalInverse,
  InvalidArgumentError,
  NegativeCurvatureError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
  cgSolve,
  choleskySolve,
  countingOperator,
  createRandom,
  dampedOperator,
  denseOperator,
  diagonalEstimate,
  hutchinsonTrace,
  lissa,
  minresSolve,
  neumannSolve,
  operatorToMatrix,
  scaledOperator,
  toOperator,
  topEigenpairs,
  type LinearOperator,
  type RandomSource,
} from '../../src/index.js';
import { oneOf, opt, options, p, type BadCase, type Entry } from './harness.js';

const call =
  <A extends unknown[]>(f: (...args: A) => unknown) =>
  (...args: unknown[]) =>
    f(...(args as A));

/** Calls `object[method](...args)` with `this` kept (the methods of IncrementalInverse need it). */
const invoke = (object: object, method: string, args: unknown[]): unknown =>
  Reflect.apply((object as Record<string, (...a: unknown[]) => unknown>)[method]!, object, args);

/** A symmetric positive definite 2×2 matrix, its right-hand side, and one whose eigenvalues lie in (0, 2). */
const H = () => new Float64Array([2, 1, 1, 3]);
const b = () => new Float64Array([1, 2]);
const contraction = () => new Float64Array([0.6, 0.1, 0.1, 0.4]);
const nonSymmetric = () => new Float64Array([2, 1, 0, 3]);
const indefinite = () => new Float64Array([1, 0, 0, -1]);
/** Positive definite but tiny: H⁻¹b overflows for a b of ordinary size. */
const tiny = () => new Float64Array([1e-300, 0, 0, 1e-300]);
const overflowingB = () => new Float64Array([1e10, 1]);
/** Negative definite: no scale makes a Neumann series converge. */
const negativeDefinite = () => new Float64Array([-1, 0, 0, -2]);

/** An operator whose products are right for `good` calls and then `bad`. */
const failingAfter = (good: number, bad: (v: Float64Array) => unknown): LinearOperator => {
  let calls = 0;
  const h = H();
  return {
    size: 2,
    apply: (v) =>
      (calls++ < good
        ? new Float64Array([h[0]! * v[0]! + h[1]! * v[1]!, h[2]! * v[0]! + h[3]! * v[1]!])
        : bad(v)) as Float64Array,
  };
};
const nanAt = (v: Float64Array) => new Float64Array([v[0]!, Number.NaN]);

/** What an operator does, as a fingerprint: its product with a fixed vector and its diagonal. */
const operatorProbe = (result: unknown) => {
  const op = result as LinearOperator;
  return { product: op.apply(new Float64Array([1, -1])), diagonal: op.diagonal?.() };
};

/** The cases every export taking an operator shares; `rest` completes an otherwise valid call. */
const operatorCases = (rest: unknown[]): BadCase[] =>
  [
    {
      label: 'an operator of size 1.5',
      op: () => ({ size: 1.5, apply: (v: Float64Array) => v }),
      error: InvalidArgumentError,
      message: 'integer ≥ 1',
    },
    {
      label: 'an operator of size 0 (an empty system)',
      op: () => ({ size: 0, apply: (v: Float64Array) => v }),
      message: 'integer ≥ 1',
    },
    {
      label: 'an operator whose diagonal is not a function',
      op: () => ({ size: 2, apply: (v: Float64Array) => v, diagonal: [1, 2] }),
      message: 'diagonal must be a function',
    },
    {
      label: 'a matrix holding NaN',
      op: () => new Float64Array([1, Number.NaN, 0, 1]),
      error: NonFiniteError,
      message: '[0, 1] is NaN',
    },
    {
      label: 'a tensor that is not square',
      op: () => ({ shape: [2, 3], toArray: () => new Float64Array(6) }),
      error: ShapeError,
      message: 'shape [2, 3]',
    },
    { label: 'an empty matrix', op: () => new Float64Array(0), error: ShapeError },
  ].map(({ op, ...c }) => ({ ...c, args: () => [op(), ...rest] }));

/** The methods of an operator handed out by `make` (apply, and diagonal when present). */
const operatorMethods = (name: string, make: () => LinearOperator, hasDiagonal = true): Entry[] => [
  {
    name: `${name}().apply`,
    valid: () => [new Float64Array([1, -1])],
    call: (...args) => {
      const op = make();
      return invoke(op, 'apply', args);
    },
    params: [p('v', 'vector')],
    cases: [{ label: 'a second argument', args: () => [new Float64Array(2), 1], message: 'at most 1 argument' }],
  },
  ...(hasDiagonal
    ? [
        {
          name: `${name}().diagonal`,
          valid: () => [],
          call: (...args: unknown[]) => invoke(make(), 'diagonal', args),
          params: [],
          cases: [{ label: 'an argument', args: () => [1], message: 'at most 0 arguments' }],
        },
      ]
    : []),
];

const krylovOptions = {
  tolerance: 'positive',
  maxIterations: 'positiveInteger',
  damping: 'nonNegative',
  x0: 'vector',
  signal: 'any',
} as const;

/** The cases every solver of (H + λI)x = b shares. */
const solverCases: BadCase[] = [
  {
    label: 'a non-symmetric dense H',
    args: () => [nonSymmetric(), b()],
    error: InvalidArgumentError,
    message: 'must be symmetric',
  },
  {
    label: 'an operator returning the wrong length',
    args: () => [failingAfter(0, () => new Float64Array(3)), b()],
    error: ShapeError,
    message: 'length 3',
  },
  {
    label: 'an operator returning a plain array',
    args: () => [failingAfter(0, (v) => Array.from(v)), b()],
    error: InvalidArgumentError,
    message: 'an array of length 2',
  },
  {
    label: 'an operator returning NaN mid-solve',
    args: () => [failingAfter(1, nanAt), b()],
    error: NonFiniteError,
    message: /NaN at index 1/,
  },
  { label: 'a b of the wrong length for H', args: () => [H(), new Float64Array(3)], error: ShapeError },
  { label: 'a fourth argument', args: () => [H(), b(), {}, 1], message: 'at most 3 arguments' },
];

const freshInverse = () => new IncrementalInverse(2, { damping: 0.5 });
const inverseProbe = (result: unknown) => {
  const inv = result as IncrementalInverse;
  return { inverse: inv.toMatrix(), sum: inv.toSumMatrix(), count: inv.count };
};
/** An IncrementalInverse method taking no arguments. */
const noArgumentMethod = (method: string, probe?: (result: unknown) => unknown): Entry => ({
  name: `IncrementalInverse.${method}`,
  valid: () => [],
  call: (...args) => invoke(freshInverse().add(new Float64Array([1, 2])), method, args),
  params: [],
  cases: [{ label: 'an argument', args: () => [1], message: 'at most 0 arguments' }],
  ...(probe === undefined ? {} : { probe }),
});

/** A RandomSource method, on a fresh source each call. */
const randomMethod = (
  method: keyof RandomSource,
  valid: unknown[],
  params: Entry['params'],
  cases: BadCase[] = [],
): Entry => ({
  name: `createRandom().${method}`,
  valid: () => valid,
  call: (...args) => invoke(createRandom(1), method, args),
  params,
  cases: [
    {
      label: 'too many arguments',
      args: () => [...valid, ...Array.from({ length: 4 - valid.length }, () => 1)],
      message: /at most \d argument/,
    },
    ...cases,
  ],
});

export const solverEntries: Entry[] = [
  // ---------------------------------------------------------------------------------------------
  // Linear operators
  {
    name: 'denseOperator',
    valid: () => [H(), 2],
    call: call(denseOperator),
    params: [p('matrix', 'operator'), opt('n', 'positiveInteger')],
    probe: operatorProbe,
    cases: [
      ...operatorCases([]).filter((c) => !c.label.startsWith('an operator')), // every operator is refused here
      { label: 'n that does not match the matrix', args: () => [H(), 3], error: ShapeError, message: '2×2 but 3×3' },
      { label: 'a third argument', args: () => [H(), 2, 1], message: 'at most 2 arguments' },
    ],
  },
  ...operatorMethods('denseOperator', () => denseOperator(H())),
  {
    name: 'toOperator',
    valid: () => [H(), 'toOperator'],
    call: call(toOperator),
    params: [p('op', 'operator'), p('fn', 'string'), opt('n', 'positiveInteger')],
    probe: operatorProbe,
    cases: [
      ...operatorCases(['toOperator']),
      { label: "fn = '' (empty)", args: () => [H(), ''], message: 'non-empty string' },
      {
        label: 'an operator of the wrong size for n',
        args: () => [{ size: 3, apply: (v: Float64Array) => v }, 'toOperator', 2],
        error: ShapeError,
      },
    ],
  },
  ...operatorMethods('toOperator', () => toOperator(H(), 'mySolver')),
  {
    name: 'dampedOperator',
    valid: () => [H(), 0.5],
    call: call(dampedOperator),
    params: [p('op', 'operator'), p('damping', 'nonNegative')],
    probe: operatorProbe,
    cases: operatorCases([0.5]),
  },
  ...operatorMethods('dampedOperator', () => dampedOperator(H(), 0.5)),
  {
    name: 'dampedOperator().apply, over an operator returning garbage',
    fn: 'dampedOperator().apply',
    valid: () => [new Float64Array([1, -1])],
    call: (...args) =>
      invoke(
        dampedOperator(
          failingAfter(0, () => new Float64Array(1)),
          1,
        ),
        'apply',
        args,
      ),
    noValidCall: 'the inner operator is broken on purpose: every call fails',
    params: [],
    cases: [
      {
        label: 'an inner product of length 1',
        args: () => [new Float64Array(2)],
        error: ShapeError,
        message: 'op.apply returned a vector of length 1',
      },
    ],
  },
  {
    name: 'scaledOperator',
    valid: () => [H(), 2],
    call: call(scaledOperator),
    params: [p('op', 'operator'), p('s', 'number')],
    probe: operatorProbe,
    cases: [...operatorCases([2]), { label: 's = 0', args: () => [H(), 0], message: 'non-zero' }],
  },
  ...operatorMethods('scaledOperator', () => scaledOperator(H(), 2)),
  {
    name: 'countingOperator',
    valid: () => [H()],
    call: call(countingOperator),
    params: [p('op', 'operator')],
    probe: operatorProbe,
    cases: [...operatorCases([]), { label: 'a second argument', args: () => [H(), 1], message: 'at most 1 argument' }],
  },
  ...operatorMethods('countingOperator', () => countingOperator(H())),
  {
    name: 'operatorToMatrix',
    valid: () => [H()],
    call: call(operatorToMatrix),
    params: [p('op', 'operator')],
    cases: [
      ...operatorCases([]),
      {
        label: 'an operator returning NaN',
        args: () => [failingAfter(1, nanAt)],
        error: NonFiniteError,
        message: 'for column 1',
      },
      {
        label: 'an operator returning the wrong length',
        args: () => [failingAfter(0, () => new Float64Array(3))],
        error: ShapeError,
      },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // Solvers
  {
    name: 'cgSolve',
    valid: () => [
      H(),
      b(),
      { tolerance: 1e-10, maxIterations: 20, damping: 0.1, x0: new Float64Array(2), preconditioner: 'jacobi' },
    ],
    call: call(cgSolve),
    params: [p('H', 'operator'), p('b', 'vector'), options({ ...krylovOptions, preconditioner: 'any' })],
    cases: [
      ...solverCases,
      {
        label: 'an indefinite H',
        args: () => [indefinite(), b()],
        error: NegativeCurvatureError,
        message: 'minresSolve',
      },
      {
        label: "preconditioner 'jacoby'",
        args: () => [H(), b(), { preconditioner: 'jacoby' }],
        message: "did you mean 'jacobi'?",
      },
      {
        label: 'preconditioner as a plain array',
        args: () => [H(), b(), { preconditioner: [1, 1] }],
        message: 'new Float64Array(preconditioner)',
      },
      {
        label: 'a preconditioner diagonal holding NaN',
        args: () => [H(), b(), { preconditioner: new Float64Array([1, Number.NaN]) }],
        error: NonFiniteError,
      },
      {
        label: 'a negative preconditioner diagonal',
        args: () => [H(), b(), { preconditioner: new Float64Array([1, -1]) }],
        error: NotPositiveDefiniteError,
      },
      {
        label: 'a non-symmetric dense preconditioner',
        args: () => [H(), b(), { preconditioner: { shape: [2, 2], toArray: nonSymmetric } }],
        message: 'preconditioner must be symmetric',
      },
      {
        label: "'jacobi' for an operator without diagonal",
        args: () => [failingAfter(99, nanAt), b(), { preconditioner: 'jacobi' }],
        message: 'diagonal',
      },
      { label: 'signal = true', args: () => [H(), b(), { signal: true }], message: 'AbortSignal' },
    ],
  },
  {
    name: 'minresSolve',
    valid: () => [indefinite(), b(), { tolerance: 1e-10, maxIterations: 20, damping: 0, x0: new Float64Array(2) }],
    call: call(minresSolve),
    params: [p('H', 'operator'), p('b', 'vector'), options(krylovOptions)],
    cases: [...solverCases, { label: 'signal = {}', args: () => [H(), b(), { signal: {} }], message: 'AbortSignal' }],
  },
  {
    name: 'choleskySolve',
    valid: () => [H(), b(), { damping: 0.1, symmetrize: false }],
    call: call(choleskySolve),
    params: [p('H', 'operator'), p('b', 'vector'), options({ damping: 'nonNegative', symmetrize: 'boolean' })],
    cases: [
      ...solverCases,
      {
        label: 'an indefinite H',
        args: () => [indefinite(), b()],
        error: NotPositiveDefiniteError,
        message: 'damping',
      },
      {
        label: 'a non-symmetric H formed from an operator',
        args: () => [denseOperator(nonSymmetric()), b()],
        message: 'symmetrize: true',
      },
      {
        label: 'a tiny H whose solution overflows',
        args: () => [tiny(), overflowingB()],
        error: SingularMatrixError,
        message: 'the solution overflowed; add damping',
      },
    ],
  },
  {
    name: 'neumannSolve',
    valid: () => [
      contraction(),
      b(),
      { iterations: 30, tolerance: 1e-6, scale: 1, damping: 0, checkEvery: 1, seed: 0 },
    ],
    call: call(neumannSolve),
    params: [
      p('H', 'operator'),
      p('b', 'vector'),
      options({
        iterations: 'positiveInteger',
        tolerance: 'positive',
        scale: 'positive',
        damping: 'nonNegative',
        checkEvery: 'positiveInteger',
        signal: 'any',
        seed: 'seed',
      }),
    ],
    cases: [
      ...solverCases,
      { label: "scale 'aut'", args: () => [contraction(), b(), { scale: 'aut' }], message: "did you mean 'auto'?" },
      {
        label: 'a scale too small to converge',
        args: () => [new Float64Array([5, 0, 0, 1]), b(), { iterations: 100 }],
        error: DivergenceError,
        message: 'scale',
      },
      {
        label: "scale 'auto' on a negative definite H",
        args: () => [negativeDefinite(), b(), { scale: 'auto' }],
        error: DivergenceError,
        message: /^neumannSolve: scale 'auto': .* ≤ 0.*add damping/,
      },
    ],
  },
  {
    name: 'lissa',
    valid: () => [
      () => contraction(),
      b(),
      { depth: 20, repeats: 2, scale: 1, damping: 0, seed: 1, tolerance: 1e-6, checkEvery: 1 },
    ],
    call: call(lissa),
    params: [
      p('sampleOperator', 'function'),
      p('b', 'vector'),
      options({
        depth: 'positiveInteger',
        repeats: 'positiveInteger',
        scale: 'positive',
        damping: 'nonNegative',
        seed: 'seed',
        tolerance: 'positive',
        checkEvery: 'positiveInteger',
        signal: 'any',
      }),
    ],
    cases: [
      {
        label: 'an empty b',
        args: () => [() => contraction(), new Float64Array(0)],
        error: ShapeError,
        message: 'must not be empty',
      },
      {
        label: 'a sampled matrix that is not symmetric',
        args: () => [() => nonSymmetric(), b()],
        message: 'sampleOperator(rng, 0) must be symmetric',
      },
      { label: 'a sample that is not an operator', args: () => [() => 'H', b()], message: "'H' (a string)" },
      { label: 'a sample of the wrong size', args: () => [() => new Float64Array(9), b()], error: ShapeError },
      {
        label: 'a sampled operator returning NaN mid-solve',
        args: () => [() => failingAfter(0, nanAt), b(), { depth: 5 }],
        error: NonFiniteError,
        message: 'at step 0 of repeat 0',
      },
      {
        label: 'a sampled operator returning the wrong length',
        args: () => [() => failingAfter(0, () => new Float64Array(1)), b()],
        error: ShapeError,
      },
      {
        label: 'a scale too small to converge',
        args: () => [() => new Float64Array([5, 0, 0, 1]), b(), { depth: 100 }],
        error: DivergenceError,
      },
      {
        label: "scale 'auto' on negative definite samples",
        args: () => [() => negativeDefinite(), b(), { scale: 'auto' }],
        error: DivergenceError,
        message: /^lissa: scale 'auto': .* ≤ 0.*Add damping/,
      },
      { label: 'a fourth argument', args: () => [() => contraction(), b(), {}, 1], message: 'at most 3 arguments' },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // IncrementalInverse
  {
    name: 'IncrementalInverse',
    valid: () => [2, { damping: 0.5, weight: 1, resymmetriseEvery: 4 }],
    call: (...args) => new (IncrementalInverse as unknown as new (...a: unknown[]) => IncrementalInverse)(...args),
    params: [
      p('n', 'positiveInteger'),
      options({ damping: 'positive', weight: 'positive', resymmetriseEvery: 'positiveInteger' }),
    ],
    probe: inverseProbe,
    cases: [
      { label: 'no options (damping is required)', args: () => [2], message: 'damping' },
      {
        label: 'options without damping',
        args: () => [2, { weight: 1 }],
        message: 'damping must be a finite number > 0, got undefined',
      },
      { label: 'a third argument', args: () => [2, { damping: 1 }, 1], message: 'at most 2 arguments' },
    ],
  },
  {
    name: 'IncrementalInverse.add',
    valid: () => [new Float64Array([1, 2]), 0.5],
    call: (...args) => invoke(freshInverse(), 'add', args),
    params: [p('v', 'vector'), opt('weight', 'positive')],
    probe: inverseProbe,
    cases: [
      { label: 'weight = -1 (use remove)', args: () => [new Float64Array([1, 2]), -1], message: 'use remove()' },
      {
        label: 'a vector too large for float64',
        args: () => [new Float64Array([1e300, 1e300])],
        error: NonFiniteError,
        message: 'overflowed',
      },
    ],
  },
  {
    name: 'IncrementalInverse.remove',
    valid: () => [new Float64Array([1, 2]), 0.5],
    call: (...args) => invoke(freshInverse().add(new Float64Array([1, 2])), 'remove', args),
    params: [p('v', 'vector'), opt('weight', 'positive')],
    probe: inverseProbe,
    cases: [
      {
        label: 'a vector that was never added',
        args: () => [new Float64Array([0.5, 0])],
        error: InvalidArgumentError,
        message: 'never added',
      },
      {
        label: 'a vector one ulp away from the one added',
        args: () => [new Float64Array([1, 2 * (1 + Number.EPSILON)])],
        error: InvalidArgumentError,
        message: 'never added',
      },
      {
        label: 'more weight than the vector holds',
        args: () => [new Float64Array([1, 2]), 1.5],
        error: InvalidArgumentError,
        message: 'holds weight 1',
      },
    ],
  },
  {
    name: 'IncrementalInverse.addMany',
    valid: () => [new Float64Array([1, 0, 0, 1]), [1, 2]],
    call: (...args) => invoke(freshInverse(), 'addMany', args),
    params: [p('V', 'anyVector'), opt('weights', 'any')],
    probe: inverseProbe,
    cases: [
      {
        label: 'V of length 3 (not k×2)',
        args: () => [new Float64Array(3)],
        error: ShapeError,
        message: 'not a multiple of 2',
      },
      { label: 'weights of the wrong length', args: () => [new Float64Array(4), [1]], error: ShapeError },
      { label: 'a negative weight', args: () => [new Float64Array(4), [1, -1]], message: 'weights[1]' },
      { label: "weights = '1' (a string)", args: () => [new Float64Array(4), '1'], message: "'1' (a string)" },
      {
        label: 'weights holding NaN',
        args: () => [new Float64Array(4), new Float64Array([1, Number.NaN])],
        message: 'weights[1] must be a finite number',
      },
    ],
  },
  {
    name: 'IncrementalInverse.apply',
    valid: () => [b()],
    call: (...args) => invoke(freshInverse().add(new Float64Array([1, 2])), 'apply', args),
    params: [p('b', 'vector')],
    cases: [{ label: 'a second argument', args: () => [b(), 1], message: 'at most 1 argument' }],
  },
  noArgumentMethod('toMatrix'),
  noArgumentMethod('toSumMatrix'),
  noArgumentMethod('refresh', inverseProbe),
  noArgumentMethod('asOperator', operatorProbe),
  ...operatorMethods('IncrementalInverse.asOperator', () =>
    freshInverse()
      .add(new Float64Array([1, 2]))
      .asOperator(),
  ),
  {
    name: 'IncrementalInverse.residual',
    valid: () => [new Float64Array([1, 1])],
    call: (...args) => invoke(freshInverse().add(new Float64Array([1, 2])), 'residual', args),
    params: [opt('sample', 'vector')],
    cases: [{ label: 'a second argument', args: () => [b(), 1], message: 'at most 1 argument' }],
  },
  {
    name: 'IncrementalInverse.check',
    valid: () => [{ sample: b(), tolerance: 1e-8 }],
    call: (...args) => invoke(freshInverse().add(new Float64Array([1, 2])), 'check', args),
    params: [options({ sample: 'vector', tolerance: 'positive' })],
  },
  {
    name: 'IncrementalInverse.fromGradients',
    valid: () => [new Float64Array([1, 2, 3, 4, 5, 6]), 3, 2, { damping: 0.1, average: true }],
    call: (...args) => Reflect.apply(IncrementalInverse.fromGradients, IncrementalInverse, args),
    params: [
      p('G', 'vector'),
      p('N', 'positiveInteger'),
      p('n', 'positiveInteger'),
      options({ damping: 'positive', average: 'boolean' }),
    ],
    probe: inverseProbe,
    cases: [
      { label: 'no options (damping is required)', args: () => [new Float64Array(6), 3, 2], message: 'damping' },
      {
        label: 'G of the wrong size for N×n',
        args: () => [new Float64Array(6), 2, 2, { damping: 1 }],
        error: ShapeError,
        message: 'length 4',
      },
      {
        label: 'gradients too large for float64',
        args: () => [new Float64Array(6).fill(1e200), 3, 2, { damping: 1 }],
        error: NonFiniteError,
      },
    ],
  },
  {
    name: 'IncrementalInverse.count',
    valid: () => [],
    call: () => freshInverse().add(new Float64Array([1, 2])).count,
    params: [],
  },

  // ---------------------------------------------------------------------------------------------
  // Spectra
  {
    name: 'topEigenpairs',
    valid: () => [H(), 1, { method: 'lanczos', iterations: 10, tolerance: 1e-8, seed: 0 }],
    call: call(topEigenpairs),
    params: [
      p('H', 'operator'),
      p('k', 'count'),
      options({
        method: oneOf('power', 'lanczos'),
        iterations: 'positiveInteger',
        tolerance: 'positive',
        seed: 'seed',
      }),
    ],
    cases: [
      { label: 'k > n', args: () => [H(), 3], message: 'exceeds the operator size' },
      { label: 'a non-symmetric dense H', args: () => [nonSymmetric(), 1], message: 'must be symmetric' },
      { label: 'an operator returning NaN', args: () => [failingAfter(1, nanAt), 1], error: NonFiniteError },
      { label: 'a fourth argument', args: () => [H(), 1, {}, 1], message: 'at most 3 arguments' },
    ],
  },
  {
    name: 'hutchinsonTrace',
    valid: () => [H(), { samples: 10, seed: 1 }],
    call: call(hutchinsonTrace),
    params: [p('H', 'operator'), options({ samples: 'positiveInteger', seed: 'seed' })],
    cases: [
      {
        label: 'an operator returning NaN',
        args: () => [failingAfter(3, nanAt)],
        error: NonFiniteError,
        message: 'for probe 4',
      },
      { label: 'a third argument', args: () => [H(), {}, 1], message: 'at most 2 arguments' },
    ],
  },
  {
    name: 'diagonalEstimate',
    valid: () => [H(), { samples: 10, seed: 1 }],
    call: call(diagonalEstimate),
    params: [p('H', 'operator'), options({ samples: 'positiveInteger', seed: 'seed' })],
    cases: [
      {
        label: 'an operator returning the wrong length',
        args: () => [failingAfter(0, () => new Float64Array(1))],
        error: ShapeError,
      },
      { label: 'a third argument', args: () => [H(), {}, 1], message: 'at most 2 arguments' },
    ],
  },

  // ---------------------------------------------------------------------------------------------
  // The seeded random source
  {
    name: 'createRandom',
    valid: () => [42],
    call: call(createRandom),
    params: [opt('seed', 'seed')],
    cases: [{ label: 'a second argument', args: () => [1, 2], message: 'at most 1 argument' }],
  },
  randomMethod('uniform', [], []),
  randomMethod('normal', [], []),
  randomMethod('rademacher', [], []),
  randomMethod(
    'integer',
    [5],
    [p('n', 'positiveInteger')],
    [{ label: 'n = 2⁵³ (above the exact integers)', args: () => [2 ** 53], message: 'n must be an integer' }],
  ),
  randomMethod(
    'normals',
    [3],
    [p('n', 'count')],
    [{ label: 'n = 2³³ (more than a typed array holds)', args: () => [2 ** 33], error: ShapeError }],
  ),
  randomMethod('rademachers', [3], [p('n', 'count')]),
  randomMethod(
    'uniforms',
    [3, -1, 1],
    [p('n', 'count'), opt('low', 'number'), opt('high', 'number')],
    [
      { label: 'high = low', args: () => [3, 1, 1], message: 'non-empty' },
      { label: 'high < low', args: () => [3, 1, 0], message: 'non-empty' },
      { label: 'a width that overflows', args: () => [3, -Number.MAX_VALUE, Number.MAX_VALUE], message: 'finite' },
    ],
  ),
  randomMethod(
    'sampleWithoutReplacement',
    [5, 2],
    [p('n', 'count'), p('k', 'count')],
    [
      { label: 'k > n', args: () => [2, 5], message: 'cannot draw k = 5' },
      { label: 'n ≥ 2³¹', args: () => [2 ** 31, 1], error: ShapeError },
    ],
  ),
];
