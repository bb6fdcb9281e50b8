/**
 * Boundary entries (see harness.ts): the applications — inverse Hessians and their solves,
 * influence functions, leave-one-out predictions and retraining, Newton–CG, and pruning. Small
 * valid calls: a 3×3 symmetric positive definite H, per-example gradients of 6 points, and an
 * L2-regularised 2-class logistic model on 6 points (2 weights).
 */
import {
  InvalidArgumentError,
  NegativeCurvatureError,
  NonFiniteError,
  NotPositiveDefiniteError,
  ShapeError,
  SingularMatrixError,
  add,
  cgInverse,
  exactInverse,
  fisherInverse,
  influence,
  inverseFromOperator,
  leaveOutWeights,
  lissaInverse,
  log,
  magnitudePrune,
  matmul,
  mostInfluential,
  mul,
  neumannInverse,
  newtonCg,
  newtonStepWithout,
  obdPrune,
  obdSaliency,
  obsPrune,
  pearson,
  predictGroupRemoval,
  predictLeaveOneOut,
  predictedChange,
  retrainWithout,
  selfInfluence,
  softplus,
  square,
  sub,
  sum,
  tensor,
  trustRegion,
  type Tensor,
} from '../../src/index.js';
import { options, opt, p, type BadCase, type Entry } from './harness.js';

const call =
  <A extends unknown[]>(f: (...args: A) => unknown) =>
  (...args: unknown[]) =>
    f(...(args as A));

/** A symmetric positive definite 3×3 H (eigenvalues ≈ 1.6, 2, 4.4), row-major. */
const H3 = () => new Float64Array([4, 1, 0, 1, 3, 0, 0, 0, 2]);
const b3 = () => new Float64Array([1, -2, 0.5]);
/** Per-example gradients of 6 points for 3 parameters. */
const G6 = () => ({ gradients: Float64Array.from({ length: 18 }, (_, i) => Math.sin(i + 1)), count: 6, size: 3 });
const inverse3 = () => exactInverse(H3());
const solveProbe = (inverse: unknown) => {
  const inv = inverse as { solve(b: Float64Array): { x: Float64Array; residualNorms: number[]; converged: boolean } };
  const { x, residualNorms, converged } = inv.solve(b3());
  return { x, residualNorms, converged };
};

/** An L2-regularised logistic objective Σ wᵢ·ℓᵢ(θ) + (λ/2)‖θ‖² on 6 points, 2 parameters. */
const X = tensor([
  [1, 0.5],
  [-1, 2],
  [0.3, -0.7],
  [2, 1],
  [-0.5, -1.5],
  [1.2, 0.1],
]);
const y = tensor([1, 0, 1, 1, 0, 0]);
const objective = (theta: Tensor, w: Float64Array) => {
  const z = matmul(X, theta);
  return add(sum(mul(tensor(w), sub(softplus(z), mul(y, z)))), mul(0.05, sum(square(theta))));
};
const trained = () =>
  newtonCg((theta: Tensor) => objective(theta, new Float64Array(6).fill(1 / 6)), tensor([0, 0])).params;
const quadratic = (theta: Tensor) => sum(square(sub(theta, tensor([1, -2, 3]))));

/** Bad inverse-Hessian arguments: not an object with a size and a solve. */
const badInverse = (args: (inverse: unknown) => unknown[]): BadCase[] => [
  {
    label: 'inverse = a dense matrix',
    args: () => args(H3()),
    error: InvalidArgumentError,
    message: 'exactInverse(H)',
  },
  { label: 'inverse = null', args: () => args(null) },
  {
    label: "inverse.size = '3' (a string)",
    args: () => args({ size: '3', solve: () => ({}) }),
    message: "'3' (a string)",
  },
  {
    label: 'inverse.solve returning NaN',
    args: () => args({ size: 3, solve: () => ({ x: new Float64Array([NaN, 0, 0]) }) }),
    error: NonFiniteError,
  },
  {
    label: 'inverse.solve returning the wrong length',
    args: () => args({ size: 3, solve: () => ({ x: new Float64Array(2) }) }),
    error: ShapeError,
  },
];

/** Bad per-example gradients. */
const badGradients = (args: (gradients: unknown) => unknown[]): BadCase[] => [
  { label: 'trainGradients = a Float64Array', args: () => args(G6().gradients), message: 'perSampleGradients' },
  {
    label: 'trainGradients.gradients a plain array',
    args: () => args({ ...G6(), gradients: Array.from(G6().gradients) }),
    message: 'new Float64Array',
  },
  {
    label: 'trainGradients.gradients holding NaN',
    args: () => args({ ...G6(), gradients: G6().gradients.fill(NaN, 4, 5) }),
    error: NonFiniteError,
  },
  {
    label: 'trainGradients.count inconsistent with the array',
    args: () => args({ ...G6(), count: 5 }),
    error: ShapeError,
  },
  {
    label: 'trainGradients of another size',
    args: () => args({ gradients: new Float64Array(12), count: 6, size: 2 }),
    error: ShapeError,
  },
];

/** Bad stopping options shared by the optimisers: a relative tolerance of 1 or more, and bad forcing terms. */
const badStoppingOptions = (args: (options: unknown) => unknown[]): BadCase[] => [
  {
    label: 'gradientTolerance 1 (relative tolerances are below 1)',
    args: () => args({ gradientTolerance: 1 }),
    error: InvalidArgumentError,
    message: 'options.gradientTolerance',
  },
  {
    label: "forcing 'cubic' (not a named sequence)",
    args: () => args({ forcing: 'cubic' }),
    error: InvalidArgumentError,
    message: "'superlinear'",
  },
  {
    label: 'forcing 1 (η must be below 1)',
    args: () => args({ forcing: 1 }),
    error: InvalidArgumentError,
    message: 'options.forcing',
  },
  { label: 'forcing NaN', args: () => args({ forcing: NaN }), error: InvalidArgumentError, message: 'options.forcing' },
  {
    label: 'forcing null',
    args: () => args({ forcing: null }),
    error: InvalidArgumentError,
    message: 'options.forcing',
  },
];

export const applicationEntries: Entry[] = [
  // Inverse Hessians
  {
    name: 'exactInverse',
    valid: () => [H3(), { damping: 0.1, name: 'exact' }],
    call: call(exactInverse),
    params: [p('H', 'operator'), options({ damping: 'nonNegative', name: 'string', symmetrize: 'boolean' })],
    probe: (inverse) => [solveProbe(inverse), (inverse as { matrix: Float64Array }).matrix],
    cases: [
      {
        label: "damping '1' (a string, concatenated onto the diagonal before)",
        args: () => [H3(), { damping: '1' }],
        message: "'1' (a string)",
      },
      {
        label: 'a non-symmetric H',
        args: () => [new Float64Array([4, 1, 0, 0, 3, 0, 0, 0, 2])],
        error: InvalidArgumentError,
        message: 'symmetrize: true',
      },
      {
        label: 'an H holding NaN',
        args: () => [new Float64Array([4, 1, 0, 1, NaN, 0, 0, 0, 2])],
        error: NonFiniteError,
      },
      {
        label: 'an indefinite H',
        args: () => [new Float64Array([1, 0, 0, 0, -1, 0, 0, 0, 1])],
        error: NotPositiveDefiniteError,
      },
      {
        label: 'an operator returning NaN',
        args: () => [{ size: 2, apply: () => new Float64Array([NaN, 0]) }],
        error: NonFiniteError,
      },
      {
        label: 'a damping that overflows H + λI',
        args: () => [new Float64Array([Number.MAX_VALUE, 0, 0, 1]), { damping: Number.MAX_VALUE }],
        error: NonFiniteError,
        message: /^exactInverse: H \+ λI overflowed/,
      },
      { label: 'a third argument', args: () => [H3(), {}, 1] },
    ],
  },
  {
    name: 'exactInverse().solve',
    valid: () => [b3()],
    call: (...args) => (inverse3().solve as (...a: unknown[]) => unknown)(...args),
    params: [p('b', 'vector')],
    cases: [{ label: 'a second argument', args: () => [b3(), b3()] }],
  },
  {
    name: 'exactInverse().solve, over a tiny H',
    fn: 'exactInverse().solve',
    // Positive definite, so the inverse is built; H⁻¹b overflows for b of ordinary size.
    valid: () => [new Float64Array([1, 1])],
    call: (...args) =>
      (exactInverse(new Float64Array([1e-300, 0, 0, 1e-300])).solve as (...a: unknown[]) => unknown)(...args),
    params: [],
    cases: [
      {
        label: 'a b whose solution overflows',
        args: () => [new Float64Array([1e10, 1])],
        error: SingularMatrixError,
        message: 'the solution overflowed; add damping',
      },
    ],
  },
  {
    name: 'exactInverse().matrix',
    valid: () => [],
    // A getter: a fresh copy on every read (the valid-call check writes into it and reads again).
    call: () => inverse3().matrix,
    params: [],
  },
  {
    name: 'cgInverse',
    valid: () => [H3(), { tolerance: 1e-12, name: 'cg' }],
    call: call(cgInverse),
    params: [
      p('H', 'operator'),
      options({ tolerance: 'positive', maxIterations: 'positiveInteger', damping: 'nonNegative', name: 'string' }),
    ],
    probe: solveProbe,
    cases: [
      {
        label: 'a misspelt solver option { tolerence }',
        args: () => [H3(), { tolerence: 1e-8 }],
        error: InvalidArgumentError,
        message: "did you mean 'tolerance'?",
      },
      {
        label: 'a non-symmetric dense H',
        args: () => [new Float64Array([4, 1, 0, 0, 3, 0, 0, 0, 2])],
        error: InvalidArgumentError,
        message: 'symmetric',
      },
      { label: 'x0 of another length', args: () => [H3(), { x0: new Float64Array(2) }], error: ShapeError },
    ],
  },
  {
    name: 'cgInverse().solve',
    valid: () => [b3()],
    // A second argument here is the H the inverse is built from (default H3).
    call: (b, H = H3()) => (cgInverse(H as Float64Array).solve as (...a: unknown[]) => unknown)(b),
    params: [p('b', 'vector')],
    cases: [
      {
        label: 'an indefinite operator (the solver fails during the solve)',
        args: () => [
          new Float64Array([1, 1]),
          { size: 2, apply: (v: Float64Array) => new Float64Array([v[0]!, -v[1]!]) },
        ],
        error: NegativeCurvatureError,
        message: /^cgInverse\(\)\.solve: .*\(reported by cgSolve\)$/,
      },
    ],
  },

  {
    name: 'neumannInverse',
    valid: () => [H3(), { scale: 5, iterations: 200, name: 'neumann' }],
    call: call(neumannInverse),
    params: [p('H', 'operator'), options({ iterations: 'positiveInteger', damping: 'nonNegative', name: 'string' })],
    probe: solveProbe,
    cases: [
      {
        label: 'a misspelt solver option { iteration }',
        args: () => [H3(), { iteration: 10 }],
        error: InvalidArgumentError,
        message: "did you mean 'iterations'?",
      },
      { label: "scale '5' (a string)", args: () => [H3(), { scale: '5' }], message: "'5' (a string)" },
      {
        label: 'a misspelt adapter option { nme }',
        args: () => [H3(), { nme: 'x' }],
        error: InvalidArgumentError,
        message: "did you mean 'name'?",
      },
    ],
  },
  {
    name: 'neumannInverse().solve',
    valid: () => [b3()],
    call: (...args) =>
      (neumannInverse(H3(), { scale: 5, iterations: 50 }).solve as (...a: unknown[]) => unknown)(...args),
    params: [p('b', 'vector')],
  },
  {
    name: 'lissaInverse',
    valid: () => [3, () => H3(), { depth: 50, scale: 5, seed: 1, name: 'lissa' }],
    call: call(lissaInverse),
    params: [
      p('size', 'positiveInteger'),
      p('sampleOperator', 'function'),
      options({ depth: 'positiveInteger', damping: 'nonNegative', name: 'string' }),
    ],
    probe: solveProbe,
    cases: [
      {
        label: 'a misspelt solver option { dept }',
        args: () => [3, () => H3(), { dept: 10 }],
        error: InvalidArgumentError,
        message: "'dept'",
      },
      { label: 'a fourth argument', args: () => [3, () => H3(), {}, 1] },
    ],
  },
  {
    name: 'lissaInverse().solve',
    valid: () => [b3()],
    // A second argument here is the sampler the inverse is built from.
    call: (b, sample = () => H3()) =>
      (lissaInverse(3, sample as () => Float64Array, { depth: 20, scale: 5 }).solve as (...a: unknown[]) => unknown)(b),
    params: [p('b', 'vector')],
    cases: [
      {
        label: 'a sampler of another size',
        args: () => [b3(), () => new Float64Array([1, 0, 0, 1])],
        error: ShapeError,
      },
    ],
  },

  {
    name: 'fisherInverse',
    valid: () => [G6(), { damping: 0.1, rowWeights: new Float64Array(6).fill(0.2), name: 'fisher' }],
    call: call(fisherInverse),
    params: [p('gradients', 'any'), options({ damping: 'positive', rowWeights: 'vector', name: 'string' })],
    probe: (inverse) => [solveProbe(inverse), (inverse as { toMatrix(): Float64Array }).toMatrix()],
    cases: [
      ...badGradients((g) => [g, { damping: 0.1 }])
        .slice(0, 4)
        .map((c) => ({ ...c, label: c.label.replace('trainGradients', 'gradients') })),
      { label: 'no options (damping is required)', args: () => [G6()], message: 'damping' },
      {
        label: 'a negative row weight',
        args: () => [G6(), { damping: 0.1, rowWeights: new Float64Array([1, 1, -1, 1, 1, 1]) }],
        message: 'rowWeights[2]',
      },
      {
        label: 'no rows',
        args: () => [{ gradients: new Float64Array(0), count: 0, size: 3 }, { damping: 0.1 }],
        error: ShapeError,
      },
    ],
  },
  {
    name: 'fisherInverse().solve',
    valid: () => [b3()],
    call: (...args) => (fisherInverse(G6(), { damping: 0.1 }).solve as (...a: unknown[]) => unknown)(...args),
    params: [p('b', 'vector')],
  },
  {
    name: 'fisherInverse().toMatrix',
    valid: () => [],
    call: (...args) => (fisherInverse(G6(), { damping: 0.1 }).toMatrix as (...a: unknown[]) => unknown)(...args),
    params: [],
    cases: [{ label: 'an argument', args: () => [1] }],
  },
  {
    name: 'inverseFromOperator',
    valid: () => [{ size: 3, apply: (v: Float64Array) => v.map((x) => x / 2) }, 'halving'],
    call: call(inverseFromOperator),
    params: [p('inverseOperator', 'operator'), p('name', 'string')],
    probe: solveProbe,
    cases: [{ label: 'a third argument', args: () => [{ size: 3, apply: (v: Float64Array) => v }, 'x', 1] }],
  },
  {
    name: 'inverseFromOperator().solve',
    valid: () => [b3()],
    // A second argument here is the operator wrapped (default: halving).
    call: (b, op = { size: 3, apply: (v: Float64Array) => v.map((x) => x / 2) }) =>
      (
        inverseFromOperator(op as { size: number; apply(v: Float64Array): Float64Array }, 'halving').solve as (
          ...a: unknown[]
        ) => unknown
      )(b),
    params: [p('b', 'vector')],
    cases: [
      {
        label: 'an operator returning NaN',
        args: () => [b3(), { size: 3, apply: () => new Float64Array([NaN, 0, 0]) }],
        error: NonFiniteError,
      },
    ],
  },

  // Influence
  {
    name: 'influence',
    valid: () => [inverse3(), b3(), G6()],
    call: call(influence),
    params: [p('inverse', 'any'), p('testGradient', 'vector'), p('trainGradients', 'any')],
    cases: [...badInverse((inv) => [inv, b3(), G6()]), ...badGradients((g) => [inverse3(), b3(), g])],
  },
  {
    name: 'selfInfluence',
    valid: () => [inverse3(), G6(), [0, 5, 2]],
    call: call(selfInfluence),
    params: [p('inverse', 'any'), p('trainGradients', 'any'), opt('indices', 'indices')],
    cases: [
      ...badInverse((inv) => [inv, G6()]),
      ...badGradients((g) => [inverse3(), g]),
      { label: 'a fourth argument', args: () => [inverse3(), G6(), [0], 1] },
    ],
  },
  {
    name: 'mostInfluential',
    valid: () => [new Float64Array([0.5, -1, 2, 0]), 2],
    call: call(mostInfluential),
    params: [p('influences', 'anyVector'), p('k', 'count')],
    cases: [{ label: 'k = 2.5', args: () => [new Float64Array(3), 2.5], message: 'k' }],
  },
  {
    name: 'pearson',
    valid: () => [new Float64Array([1, 2, 4]), new Float64Array([2, 3, 9])],
    call: call(pearson),
    params: [p('a', 'anyVector'), p('b', 'anyVector')],
    cases: [
      {
        label: 'samples of different lengths',
        args: () => [new Float64Array(3), new Float64Array(2)],
        error: ShapeError,
      },
      {
        label: 'a constant sample (no correlation)',
        args: () => [new Float64Array([1, 1, 1]), new Float64Array([1, 2, 3])],
        error: InvalidArgumentError,
        message: 'constant',
      },
    ],
  },
  // Leave-one-out
  {
    name: 'leaveOutWeights',
    valid: () => [4, [2]],
    call: call(leaveOutWeights),
    params: [p('count', 'positiveInteger'), p('removed', 'indices')],
    cases: [
      {
        label: 'removed = 2 (a number, removed nothing before)',
        args: () => [4, 2],
        message: 'for one index write [2]',
      },
      { label: 'an index listed twice', args: () => [4, [1, 1]], message: 'twice' },
    ],
  },
  {
    name: 'predictLeaveOneOut',
    valid: () => [inverse3(), G6(), [1, 3]],
    call: call(predictLeaveOneOut),
    params: [p('inverse', 'any'), p('trainGradients', 'any'), opt('indices', 'indices')],
    cases: [
      ...badInverse((inv) => [inv, G6()]),
      ...badGradients((g) => [inverse3(), g]),
      { label: 'indices as a number', args: () => [inverse3(), G6(), 3], message: '[3]' },
    ],
  },
  {
    name: 'predictGroupRemoval',
    valid: () => [inverse3(), G6(), [0, 4]],
    call: call(predictGroupRemoval),
    params: [p('inverse', 'any'), p('trainGradients', 'any'), p('group', 'indices')],
    cases: [
      ...badInverse((inv) => [inv, G6(), [0]]),
      ...badGradients((g) => [inverse3(), g, [0]]),
      {
        label: 'a member listed twice (it would count twice)',
        args: () => [inverse3(), G6(), [1, 1]],
        message: 'twice',
      },
    ],
  },
  {
    name: 'predictedChange',
    valid: () => [b3(), new Float64Array([1, 0, 0, 0, 1, 0])],
    call: call(predictedChange),
    params: [p('gradient', 'anyVector'), p('deltas', 'anyVector')],
    cases: [
      { label: 'deltas not a multiple of d', args: () => [b3(), new Float64Array(4)], error: ShapeError },
      { label: 'an empty gradient', args: () => [new Float64Array(0), new Float64Array(3)], error: ShapeError },
    ],
  },
  {
    name: 'retrainWithout',
    valid: () => [objective, trained(), 6, [2], { tolerance: 1e-9 }],
    call: call(retrainWithout),
    params: [
      p('objective', 'function'),
      p('params', 'tree'),
      p('count', 'positiveInteger'),
      p('removed', 'indices'),
      options({ tolerance: 'positive', maxIterations: 'count', damping: 'nonNegative', lineSearch: 'boolean' }),
    ],
    cases: [
      { label: 'removed = 2 (a number)', args: () => [objective, trained(), 6, 2], message: '[2]' },
      {
        label: 'a misspelt option { tolerence }',
        args: () => [objective, trained(), 6, [2], { tolerence: 1e-9 }],
        message: "did you mean 'tolerance'?",
      },
    ],
  },
  {
    name: 'newtonStepWithout',
    valid: () => [objective, trained(), 6, [2], { tolerance: 1e-10 }],
    call: call(newtonStepWithout),
    params: [
      p('objective', 'function'),
      p('params', 'tree'),
      p('count', 'positiveInteger'),
      p('removed', 'indices'),
      options({ tolerance: 'positive', maxIterations: 'positiveInteger', damping: 'nonNegative' }),
    ],
    cases: [
      {
        label: 'a misspelt option { tolerence }',
        args: () => [objective, trained(), 6, [2], { tolerence: 1e-9 }],
        message: "did you mean 'tolerance'?",
      },
      {
        label: 'an objective returning a vector',
        args: () => [(theta: Tensor) => square(theta), trained(), 6, [2]],
        message: 'scalar',
      },
    ],
  },
  {
    name: 'newtonCg',
    valid: () => [quadratic, tensor([0, 0, 0]), { tolerance: 1e-12, maxIterations: 5 }],
    call: call(newtonCg),
    params: [
      p('loss', 'function'),
      p('params', 'tree'),
      options({
        tolerance: 'positive',
        gradientTolerance: 'nonNegative',
        valueTolerance: 'nonNegative',
        stepTolerance: 'nonNegative',
        forcing: 'any',
        maxIterations: 'count',
        damping: 'nonNegative',
        lineSearch: 'boolean',
        cgMaxIterations: 'positiveInteger',
        mode: { oneOf: ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd', 'finite-difference', 'central-difference'] },
        onIteration: 'function',
      }),
    ],
    cases: [
      {
        label: 'a loss returning a vector',
        args: () => [(theta: Tensor) => square(theta), tensor([0, 0])],
        message: /^newtonCg: .*scalar/,
      },
      { label: 'a fourth argument', args: () => [quadratic, tensor([0, 0, 0]), {}, 1] },
      ...badStoppingOptions((options) => [quadratic, tensor([0, 0, 0]), options]),
    ],
  },
  {
    name: 'trustRegion',
    valid: () => [quadratic, tensor([0, 0, 0]), { maxIterations: 5 }],
    call: call(trustRegion),
    params: [
      p('loss', 'function'),
      p('params', 'tree'),
      // forcing and maxRadius take values a generated kind would call bad (a name; Infinity): hand-written cases below.
      options({
        tolerance: 'positive',
        gradientTolerance: 'nonNegative',
        valueTolerance: 'nonNegative',
        stepTolerance: 'nonNegative',
        forcing: 'any',
        maxIterations: 'count',
        initialRadius: 'positive',
        maxRadius: 'any',
        cgMaxIterations: 'positiveInteger',
        mode: { oneOf: ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd', 'finite-difference', 'central-difference'] },
        onIteration: 'function',
      }),
    ],
    cases: [
      {
        label: 'a loss returning a vector',
        args: () => [(theta: Tensor) => square(theta), tensor([0, 0])],
        message: /^trustRegion: .*scalar/,
      },
      { label: 'a fourth argument', args: () => [quadratic, tensor([0, 0, 0]), {}, 1] },
      {
        label: 'maxRadius 0',
        args: () => [quadratic, tensor([0, 0, 0]), { maxRadius: 0 }],
        message: 'options.maxRadius',
      },
      {
        label: 'maxRadius NaN',
        args: () => [quadratic, tensor([0, 0, 0]), { maxRadius: NaN }],
        message: 'options.maxRadius',
      },
      {
        label: "maxRadius '1' (a string)",
        args: () => [quadratic, tensor([0, 0, 0]), { maxRadius: '1' }],
        message: "'1' (a string)",
      },
      {
        label: 'a loss that is NaN at the starting point (log of a negative parameter)',
        args: () => [(theta: Tensor) => sum(log(theta)), tensor([-1, 2])],
        error: NonFiniteError,
        message: /at the start/,
      },
      ...badStoppingOptions((options) => [quadratic, tensor([0, 0, 0]), options]),
    ],
  },
  // Pruning
  {
    name: 'magnitudePrune',
    valid: () => [new Float64Array([0.5, -2, 0.1, 3]), [0, 1, 2], [0, 0.5, 1]],
    call: call(magnitudePrune),
    params: [p('weights', 'anyVector'), p('prunable', 'indices'), p('sparsities', 'any')],
    cases: [
      { label: 'sparsities = 0.5 (a number)', args: () => [new Float64Array(2), [0], 0.5], message: 'write [0.5]' },
      { label: 'a sparsity of 1.5', args: () => [new Float64Array(2), [0], [1.5]], message: 'sparsities[0]' },
      { label: 'a NaN sparsity', args: () => [new Float64Array(2), [0], [NaN]], error: NonFiniteError },
      {
        label: "a sparsity '0.5' (a string)",
        args: () => [new Float64Array(2), [0], ['0.5']],
        message: "'0.5' (a string)",
      },
      { label: 'no prunable parameters', args: () => [new Float64Array(2), [], [0.5]], message: 'prunable is empty' },
      { label: 'a prunable index listed twice', args: () => [new Float64Array(2), [1, 1], [0.5]], message: 'twice' },
    ],
  },
  {
    name: 'obdSaliency',
    valid: () => [new Float64Array([0.5, -2, 0.1]), new Float64Array([1, 2, 3])],
    call: call(obdSaliency),
    params: [p('weights', 'anyVector'), p('hessianDiagonal', 'vector')],
  },
  {
    name: 'obdPrune',
    valid: () => [new Float64Array([0.5, -2, 0.1]), new Float64Array([1, 2, 3]), [0, 2], [0.5]],
    call: call(obdPrune),
    params: [
      p('weights', 'anyVector'),
      p('hessianDiagonal', 'vector'),
      p('prunable', 'indices'),
      p('sparsities', 'any'),
    ],
    cases: [{ label: 'sparsities = null', args: () => [new Float64Array(1), new Float64Array(1), [0], null] }],
  },
  {
    name: 'obsPrune',
    valid: () => [
      new Float64Array([0.5, -2, 0.1]),
      new Float64Array([0.25, 0.05, 0, 0.05, 0.35, 0, 0, 0, 0.5]),
      [0, 1, 2],
      [1 / 3, 1],
      { blockSize: 2 },
    ],
    call: call(obsPrune),
    params: [
      p('weights', 'anyVector'),
      p('inverseHessian', 'vector'),
      p('prunable', 'indices'),
      p('sparsities', 'any'),
      options({ blockSize: 'positiveInteger', symmetrize: 'boolean' }),
    ],
    cases: [
      {
        label: 'a non-symmetric inverse Hessian',
        args: () => [new Float64Array(2), new Float64Array([1, 0.5, 0, 1]), [0], [0.5]],
        error: InvalidArgumentError,
        message: 'symmetrize: true',
      },
      {
        label: 'sparsities = 0.5 (a number)',
        args: () => [new Float64Array(1), new Float64Array(1).fill(1), [0], 0.5],
        message: 'write [0.5]',
      },
    ],
  },
];
