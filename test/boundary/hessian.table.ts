/**
 * Boundary entries (see harness.ts): Hessian-vector products, the Hessian, Gauss–Newton and Fisher
 * operators (with the methods of the operators they return), per-sample gradients and the label
 * samplers. Small valid calls: a 3-parameter quadratic-plus-quartic and a 2-class logistic model
 * on 6 points.
 */
import {
  HVP_MODES,
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  add,
  createRandom,
  defaultStep,
  fisherOperator,
  gaussNewtonOperator,
  hessian,
  hessianDiagonal,
  hessianOperator,
  hvp,
  matmul,
  mean,
  mul,
  perSampleGradients,
  sampleBernoulli,
  sampleCategorical,
  softplus,
  square,
  sub,
  sum,
  tensor,
  treeDot,
  type Tensor,
} from '../../src/index.js';
import { oneOf, options, opt, p, type Entry } from './harness.js';

const call =
  <A extends unknown[]>(f: (...args: A) => unknown) =>
  (...args: unknown[]) =>
    f(...(args as A));

/** f(x) = Σ xᵢ⁴/4 + ½‖x‖²: H = diag(3xᵢ² + 1), positive definite. */
const quartic = (x: Tensor) => add4(x);
function add4(x: Tensor): Tensor {
  return add(sum(mul(0.25, square(square(x)))), mul(0.5, sum(square(x))));
}
const point = () => tensor([1, -2, 0.5]);
const direction = () => tensor([1, 0, -1]);
const flat = () => new Float64Array([1, 0, -1]);
const MODES = oneOf(...HVP_MODES);

/** A 2-class logistic model on 6 points: per-example NLL softplus(z) − y·z, z = X·w. */
const X = tensor([
  [1, 0.5],
  [-1, 2],
  [0.3, -0.7],
  [2, 1],
  [-0.5, -1.5],
  [1.2, 0.1],
]);
const observed = () => Int32Array.from([1, 0, 1, 1, 0, 0]);
const weights = () => tensor([0.2, -0.1]);
const nll = (w: Tensor, labels: Int32Array) => {
  const z = matmul(X, w);
  return sub(softplus(z), mul(tensor(Float64Array.from(labels)), z));
};
const model = (w: Tensor) => matmul(X, w);
const squaredError = (z: Tensor) => mean(square(sub(z, tensor([1, 0, 1, 1, 0, 0]))));

const operator = () => hessianOperator(quartic, point(), { damping: 0.5 });
const probeOperator = (op: unknown) => {
  const H = op as ReturnType<typeof hessianOperator>;
  return [H.apply(flat()), H.gradient, H.diagonal(), H.value];
};
const fisher = () => fisherOperator(nll, weights(), observed(), { damping: 0.1 });
const probeFisher = (op: unknown) => {
  const F = op as ReturnType<typeof fisherOperator>;
  return [F.apply(new Float64Array([1, -1])), F.gradients, F.labels, F.count, F.size];
};

export const hessianEntries: Entry[] = [
  {
    name: 'hvp',
    valid: () => [quartic, point(), direction(), { mode: 'central-difference', step: 1e-3 }],
    call: call(hvp),
    params: [p('f', 'function'), p('x', 'tree'), p('v', 'tree'), options({ mode: MODES, step: 'positive' })],
    cases: [
      {
        label: 'a misspelt option { mod }',
        args: () => [quartic, point(), direction(), { mod: 'rev-over-rev' }],
        error: InvalidArgumentError,
        message: "did you mean 'mode'?",
      },
      {
        label: 'a step with an exact mode',
        args: () => [quartic, point(), direction(), { mode: 'fwd-over-rev', step: 1e-3 }],
        error: InvalidArgumentError,
        message: 'step',
      },
      { label: 'v of another shape', args: () => [quartic, point(), tensor([1, 2])], error: ShapeError },
      {
        label: 'v with other keys',
        args: () => [(q: { a: Tensor }) => sum(square(q.a)), { a: tensor([1]) }, { b: tensor([1]) }],
        error: ShapeError,
      },
      {
        label: 'f returning a vector',
        args: () => [(x: Tensor) => mul(x, 2), point(), direction()],
        message: 'scalar',
      },
      {
        label: 'x holding NaN with a difference mode',
        args: () => [quartic, tensor([NaN, 1, 1]), direction(), { mode: 'finite-difference' }],
        error: NonFiniteError,
      },
    ],
  },
  {
    name: 'treeDot',
    valid: () => [
      { w: tensor([1, 2]), b: tensor(3) },
      { w: tensor([3, 4]), b: tensor(-1) },
    ],
    call: call(treeDot),
    params: [p('a', 'tree'), p('b', 'tree')],
    cases: [
      { label: 'a third argument', args: () => [tensor([1]), tensor([1]), tensor([1])] },
      {
        label: 'trees of different structure',
        args: () => [{ w: tensor([1]) }, { v: tensor([1]) }],
        error: ShapeError,
      },
    ],
  },
  {
    name: 'defaultStep',
    valid: () => ['central-difference', point(), direction()],
    call: call(defaultStep),
    params: [p('mode', oneOf('finite-difference', 'central-difference')), p('x', 'tree'), p('v', 'tree')],
    cases: [
      {
        label: 'an exact mode (it takes no step)',
        args: () => ['fwd-over-rev', point(), direction()],
        error: InvalidArgumentError,
      },
      {
        label: 'x holding Infinity',
        args: () => ['finite-difference', tensor([Infinity, 0, 0]), direction()],
        error: NonFiniteError,
      },
      { label: 'v of another shape', args: () => ['finite-difference', point(), tensor([1])], error: ShapeError },
      { label: 'a fourth argument', args: () => ['finite-difference', point(), direction(), {}] },
    ],
  },
  {
    name: 'hessianOperator',
    valid: () => [quartic, point(), { mode: 'rev-over-rev', damping: 0.5 }],
    call: call(hessianOperator),
    params: [
      p('f', 'function'),
      p('x', 'tree'),
      options({ mode: MODES, damping: 'nonNegative', step: 'positive', jit: 'boolean' }),
    ],
    probe: probeOperator,
    cases: [
      {
        label: 'a misspelt option { dampng }',
        args: () => [quartic, point(), { dampng: 1 }],
        error: InvalidArgumentError,
        message: "did you mean 'damping'?",
      },
      { label: "damping '1' (a string)", args: () => [quartic, point(), { damping: '1' }], message: "'1' (a string)" },
      {
        label: 'a step with an exact mode',
        args: () => [quartic, point(), { step: 1e-3 }],
        error: InvalidArgumentError,
      },
      {
        label: "jit 'true' (a string)",
        args: () => [quartic, point(), { jit: 'true' }],
        error: InvalidArgumentError,
        message: "'true' (a string)",
      },
    ],
  },
  {
    name: 'hessianOperator().apply',
    valid: () => [flat()],
    call: (...args) => (operator().apply as (...a: unknown[]) => unknown)(...args),
    params: [p('v', 'vector')],
    cases: [{ label: 'a second argument', args: () => [flat(), flat()] }],
  },
  {
    name: 'hessianOperator().diagonal',
    valid: () => [],
    call: (...args) => (operator().diagonal as (...a: unknown[]) => unknown)(...args),
    params: [],
    cases: [{ label: 'an argument', args: () => [flat()] }],
  },
  {
    name: 'hessianOperator().gradient',
    valid: () => [],
    // A getter: each read is a fresh copy, which the valid-call check scribbles on and re-reads.
    call: () => operator().gradient,
    params: [],
  },
  {
    name: 'hessianOperator().value',
    valid: () => [],
    call: () => operator().value,
    params: [],
  },
  {
    name: 'hessian',
    valid: () => [quartic, point(), { mode: 'central-difference', step: 1e-3 }],
    call: call(hessian),
    params: [p('f', 'function'), p('x', 'tensorOnly'), options({ mode: MODES, step: 'positive' })],
    cases: [
      {
        label: 'a plain array as x (read as options before)',
        args: () => [quartic, [1, 2, 3]],
        error: InvalidArgumentError,
        message: 'tensor([...])',
      },
      { label: 'a Float64Array as x', args: () => [quartic, new Float64Array(3)], error: InvalidArgumentError },
      {
        label: 'options in both slots',
        args: () => [quartic, { mode: 'rev-over-rev' }, { mode: 'rev-over-rev' }],
        error: InvalidArgumentError,
        message: 'third argument',
      },
      {
        label: 'a step with an exact mode',
        args: () => [quartic, point(), { step: 1e-3 }],
        error: InvalidArgumentError,
      },
      { label: 'four arguments', args: () => [quartic, point(), {}, 1] },
    ],
  },
  {
    name: 'hessian(f, options)',
    fn: 'hessian',
    valid: () => [quartic, { mode: 'finite-difference', step: 1e-4 }],
    // The function form; a third argument here is the point handed to the returned function.
    call: (f, o, x = point()) => (hessian as (f: unknown, o: unknown) => (x: unknown) => Tensor)(f, o)(x),
    params: [p('f', 'function'), options({ mode: MODES, step: 'positive' })],
    cases: [
      {
        label: 'the returned function given a plain array',
        args: () => [quartic, { mode: 'rev-over-rev' }, [1, 2, 3]],
        message: 'tensor([...])',
      },
      {
        label: "the returned function given 'x' (a string)",
        args: () => [quartic, undefined, 'x'],
        message: "'x' (a string)",
      },
      {
        label: 'a misspelt option { mod }',
        args: () => [quartic, { mod: 'rev-over-rev' }],
        message: "did you mean 'mode'?",
      },
    ],
  },
  {
    name: 'hessianDiagonal',
    valid: () => [
      (q: { w: Tensor; b: Tensor }) => add(add4(q.w), sum(square(q.b))),
      { w: point(), b: tensor([2]) },
      { mode: 'rev-over-fwd' },
    ],
    call: call(hessianDiagonal),
    params: [p('f', 'function'), p('x', 'tree'), options({ mode: MODES, step: 'positive' })],
    cases: [
      {
        label: 'damping (not an option of the diagonal)',
        args: () => [quartic, point(), { damping: 1 }],
        error: InvalidArgumentError,
        message: "'damping'",
      },
    ],
  },
  {
    name: 'gaussNewtonOperator',
    valid: () => [model, squaredError, weights(), { damping: 0.1 }],
    call: call(gaussNewtonOperator),
    params: [p('model', 'function'), p('loss', 'function'), p('params', 'tree'), options({ damping: 'nonNegative' })],
    probe: (op) => (op as ReturnType<typeof gaussNewtonOperator>).apply(new Float64Array([1, 2])),
    cases: [
      {
        label: 'a model returning a number',
        args: () => [() => 3, squaredError, weights()],
        message: 'model must return a single Tensor',
      },
      {
        label: 'a loss returning a vector',
        args: () => [model, (z: Tensor) => square(z), weights()],
        message: 'scalar',
      },
      { label: 'a fifth argument', args: () => [model, squaredError, weights(), {}, 1] },
    ],
  },
  {
    name: 'gaussNewtonOperator().apply',
    valid: () => [new Float64Array([1, 2])],
    call: (...args) =>
      (gaussNewtonOperator(model, squaredError, weights()).apply as (...a: unknown[]) => unknown)(...args),
    params: [p('v', 'vector')],
  },
  {
    name: 'perSampleGradients',
    valid: () => [(w: Tensor) => nll(w, observed()), weights()],
    call: call(perSampleGradients),
    params: [p('perExampleLoss', 'function'), p('params', 'tree')],
    cases: [
      {
        label: 'a loss returning a scalar',
        args: () => [(w: Tensor) => sum(nll(w, observed())), weights()],
        error: ShapeError,
        message: 'vector',
      },
      { label: 'a loss returning a string', args: () => [() => 'loss', weights()], message: "'loss' (a string)" },
    ],
  },
  {
    name: 'fisherOperator',
    valid: () => [nll, weights(), observed(), { type: 'empirical', damping: 0.1 }],
    call: call(fisherOperator),
    params: [
      p('negLogLikelihood', 'function'),
      p('params', 'tree'),
      p('labels', 'indices'),
      options({ type: oneOf('empirical', 'sampled'), damping: 'nonNegative', sample: 'function', seed: 'seed' }),
    ],
    probe: probeFisher,
    cases: [
      { label: 'labels as a number', args: () => [nll, weights(), 6], message: 'for one index write [6]' },
      { label: 'labels holding NaN', args: () => [nll, weights(), [1, 0, NaN, 1, 0, 0]], error: NonFiniteError },
      { label: 'labels holding -1', args: () => [nll, weights(), [1, 0, -1, 1, 0, 0]], message: 'labels[2] is -1' },
      { label: 'an empty label list', args: () => [nll, weights(), []], error: ShapeError, message: 'empty' },
      {
        label: 'fewer labels than losses',
        args: () => [(w: Tensor) => softplus(matmul(X, w)), weights(), [1, 0]],
        error: ShapeError,
        message: '6 losses for 2 labels',
      },
      {
        label: "type 'sampled' without sample",
        args: () => [nll, weights(), observed(), { type: 'sampled' }],
        error: InvalidArgumentError,
      },
      {
        label: "sample with type 'empirical'",
        args: () => [nll, weights(), observed(), { sample: () => observed() }],
        error: InvalidArgumentError,
        message: "'sampled'",
      },
      {
        label: 'a sampler returning NaN labels',
        args: () => [nll, weights(), observed(), { type: 'sampled', sample: () => [0, 1, NaN, 0, 1, 0] }],
        error: NonFiniteError,
      },
      {
        label: 'a sampler returning too few labels',
        args: () => [nll, weights(), observed(), { type: 'sampled', sample: () => [0, 1] }],
        error: ShapeError,
      },
    ],
  },
  {
    name: 'fisherOperator (sampled)',
    fn: 'fisherOperator',
    valid: () => [
      nll,
      weights(),
      observed(),
      {
        type: 'sampled',
        sample: (w: Tensor, rng: unknown) => sampleBernoulli(matmul(X, w), rng as ReturnType<typeof createRandom>),
        seed: 3,
      },
    ],
    call: call(fisherOperator),
    params: [],
    probe: probeFisher,
  },
  {
    name: 'fisherOperator().apply',
    valid: () => [new Float64Array([1, -1])],
    call: (...args) => (fisher().apply as (...a: unknown[]) => unknown)(...args),
    params: [p('v', 'vector')],
    cases: [{ label: 'a second argument', args: () => [new Float64Array(2), 1] }],
  },
  {
    name: 'fisherOperator().gradients',
    valid: () => [],
    call: () => fisher().gradients,
    params: [],
  },
  {
    name: 'fisherOperator().labels',
    valid: () => [],
    call: () => fisher().labels,
    params: [],
  },
  {
    name: 'sampleCategorical',
    valid: () => [
      tensor([
        [0, 1, -1],
        [2, 0, 0],
      ]),
      createRandom(1),
    ],
    call: call(sampleCategorical),
    params: [p('logits', 'tensorOnly'), p('rng', 'any')],
    cases: [
      { label: 'rng = 42', args: () => [tensor([[0, 1]]), 42], message: 'createRandom' },
      { label: 'rng = null', args: () => [tensor([[0, 1]]), null] },
      { label: 'rng missing', args: () => [tensor([[0, 1]])] },
      { label: 'logits of rank 1', args: () => [tensor([0, 1]), createRandom(1)], error: ShapeError },
      { label: 'logits holding NaN', args: () => [tensor([[0, NaN]]), createRandom(1)], error: NonFiniteError },
      {
        label: 'logits holding -Infinity',
        args: () => [tensor([[0, -Infinity]]), createRandom(1)],
        error: NonFiniteError,
      },
      {
        label: 'rows without classes',
        args: () => [tensor(new Float64Array(0), [2, 0]), createRandom(1)],
        error: ShapeError,
      },
      { label: 'a third argument', args: () => [tensor([[0, 1]]), createRandom(1), 1] },
    ],
  },
  {
    name: 'sampleBernoulli',
    valid: () => [tensor([-1, 0, 3]), createRandom(2)],
    call: call(sampleBernoulli),
    params: [p('logits', 'tensorOnly'), p('rng', 'any')],
    cases: [
      { label: 'rng = {}', args: () => [tensor([0]), {}], message: 'createRandom' },
      { label: 'logits of rank 2', args: () => [tensor([[0, 1]]), createRandom(1)], error: ShapeError },
      { label: 'logits holding Infinity', args: () => [tensor([Infinity]), createRandom(1)], error: NonFiniteError },
      { label: 'a third argument', args: () => [tensor([0]), createRandom(1), 1] },
    ],
  },
];

void opt;
