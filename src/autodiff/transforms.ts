/**
 * The transforms: `vjp`, `grad`, `valueAndGrad`, `jvp`, `linearize`, `jacobian`. (The dense
 * `hessian` is built in the hessian layer, on the table of HVP modes.)
 *
 * Each call opens a fresh level (see `primitive.ts`), traces `f` at that level — on a tape for
 * the reverse transforms and `linearize`, with tangents for `jvp` — and returns values one level
 * down. Because the result is an ordinary tensor of the enclosing levels, transforms compose in
 * any order and to any depth: `grad(grad(f))`, `jvp(grad(f))`, `grad(x => jvp(f, x, v).tangent)`.
 *
 * Inputs may be a Tensor, a number, or a tree (array / plain object) of them; results keep the
 * tree's structure. Extra arguments after `x` are passed through to `f` undifferentiated.
 */
import { EscapedTracerError, InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import { checkArity, checkBoolean, checkFunction, checkOneOf, readOptions } from '../validate.js';
import { ForwardTrace } from './forward.js';
import { newLevel } from './primitive.js';
import { index, reshape, stack, transpose } from './ops/shape.js';
import { backwardSweep, forwardSweep, liveNodes } from './sweep.js';
import { Tape, type TapeNode } from './tape.js';
import { Tensor, describe, eye, fromData, onesLike, toTensor, zerosLike } from './tensor.js';
import { flatten, matchTree, type Flattened, type TensorTree } from './tree.js';

/** The same type as `TensorTree` (a tree with numbers read as rank-0 tensors), under its earlier name. */
export type Lifted<X> = TensorTree<X>;

/** What a function returned by `grad`/`valueAndGrad` accepts: where `f` takes a Tensor, a plain number too. */
type GradInput<X> = [X] extends [Tensor] ? Tensor | number : X;

// A function of its first argument; further arguments are passed through untouched.
type Rest = any[];

/** The value of `t` one level below `level` (t itself when it is not traced at that level). */
function lower(fn: string, t: Tensor, level: number): Tensor {
  if (t.level > level) {
    throw new EscapedTracerError(
      fn,
      t.trace!.transform,
      t.level,
      `the function returned a value traced by an inner ${t.trace!.transform} (level ${t.level} > ${level}), which has already returned: ` +
        'a traced value escaped from the nested transform; return its results, not values captured while it ran',
    );
  }
  return t.level === level ? t.primal! : t;
}

interface Recording {
  tape: Tape;
  inputs: Flattened;
  traced: Tensor[];
  outputs: Flattened;
  /** With `hasAux`, the second element of f's pair: carried out beside the outputs, never differentiated. */
  aux: Flattened | undefined;
}

/**
 * Runs `f` on `x` traced by a new tape, and closes the tape when `f` returns (or throws): from
 * then on the tape can be swept but not extended, so a traced value that escaped is caught.
 * With `hasAux`, f returns a pair [output, aux] (JAX's `has_aux`) and only the output is swept.
 */
function record(
  fn: string,
  f: (x: never, ...rest: Rest) => unknown,
  x: unknown,
  rest: Rest,
  hasAux = false,
): Recording {
  checkFunction(fn, 'f', f);
  const inputs = flatten(x, fn);
  const tape = new Tape(newLevel(), fn);
  const traced = inputs.leaves.map((leaf, i) => tape.input(leaf, inputs.paths[i]));
  let result: unknown;
  try {
    result = (f as (x: unknown, ...rest: Rest) => unknown)(inputs.rebuild(traced), ...rest);
  } finally {
    tape.close();
  }
  if (!hasAux) return { tape, inputs, traced, outputs: flatten(result, fn, 'output'), aux: undefined };
  if (!Array.isArray(result) || result.length !== 2) {
    throw new InvalidArgumentError(fn, `with hasAux, f must return a pair [loss, aux], got ${describe(result)}`);
  }
  return { tape, inputs, traced, outputs: flatten(result[0], fn, 'output'), aux: flatten(result[1], fn, 'aux') };
}

/** The leaves of a recorded tree (outputs or aux) one level down: the values the transform returns. */
function lowered(fn: string, tree: Flattened, level: number): unknown {
  return tree.rebuild(tree.leaves.map((o) => lower(fn, o, level)));
}

/** Runs the backward sweep for output cotangents and returns the inputs' cotangents as a tree. */
function pull(fn: string, r: Recording, cotangents: readonly Tensor[]): unknown {
  const seeds: [TapeNode, Tensor][] = [];
  r.outputs.leaves.forEach((o, i) => {
    if (o.level === r.tape.level) seeds.push([o.node!, cotangents[i]!]);
  });
  const leaves = backwardSweep(r.tape, seeds);
  return r.inputs.rebuild(r.traced.map((t, i) => leaves.get(t.node!.id) ?? zerosLike(r.inputs.leaves[i]!)));
}

/**
 * Reverse mode: evaluates `f(x)` and returns its value with the pullback, the function
 * ȳ ↦ ȳᵀ·∂f/∂x. The pullback may be called any number of times; the tape is kept.
 * @example
 * const { value, pullback } = vjp((x) => mul(x, x), tensor([1, 2]));
 * pullback(tensor([1, 1])).toArray(); // → [2, 4]
 */
export function vjp<X, Y>(
  f: (x: TensorTree<X>, ...rest: Rest) => Y,
  x: X,
  ...rest: Rest
): { value: Y; pullback: (cotangent: Y) => TensorTree<X> } {
  const r = record('vjp', f as never, x, rest);
  r.tape.memoiseRules = true; // the pullback may be called many times
  return {
    value: lowered('vjp', r.outputs, r.tape.level) as Y,
    pullback(cotangent: Y) {
      checkArity('vjp().pullback', arguments.length, 1);
      return pull('vjp', r, matchTree('vjp().pullback', 'cotangent', r.outputs, cotangent)) as TensorTree<X>;
    },
  };
}

function scalarOutput(fn: string, r: Recording): Tensor {
  const out = r.outputs.leaves;
  if (out.length !== 1 || !(out[0]!.size === 1)) {
    const got = out.length === 1 ? `shape ${formatShape(out[0]!.shape)}` : `a tree of ${out.length} tensors`;
    throw new ShapeError(
      fn,
      `f must return a scalar (one element), got ${got}; sum() the output, or use vjp or jacobian for non-scalar outputs`,
    );
  }
  return out[0]!;
}

/**
 * The gradient of a scalar function: `grad(f)(x)` = ∇f(x), with the structure of `x`.
 * Extra arguments are passed to `f` and not differentiated.
 * @example grad((x) => sum(square(x)))(tensor([1, 2])).toArray(); // → [2, 4]
 */
export function grad<X = Tensor>(
  f: (x: TensorTree<X>, ...rest: Rest) => Tensor | number,
): (x: GradInput<X>, ...rest: Rest) => TensorTree<X> {
  checkArity('grad', arguments.length, 1, 'grad(f) returns the gradient function: call it as grad(f)(x)');
  checkFunction('grad', 'f', f);
  return (x, ...rest) => valueAndGradAt('grad', f, x, rest).grad as TensorTree<X>;
}

/**
 * Value and gradient of a scalar function in one pass.
 *
 * With `{ hasAux: true }`, `f` returns a pair `[loss, aux]` (JAX's `has_aux`): only `loss` is
 * differentiated, and `aux` — any tree of tensors, such as predictions or an accuracy — comes back
 * undifferentiated beside it.
 * @example
 * valueAndGrad((x) => sum(square(x)))(tensor([3])); // → { value: 9, grad: [6] }
 * valueAndGrad((x) => [sum(square(x)), mul(x, 2)], { hasAux: true })(tensor([3])); // → { value: 9, grad: [6], aux: [6] }
 */
export function valueAndGrad<X = Tensor>(
  f: (x: TensorTree<X>, ...rest: Rest) => Tensor | number,
  options?: { hasAux?: false },
): (x: GradInput<X>, ...rest: Rest) => { value: Tensor; grad: TensorTree<X> };
export function valueAndGrad<X = Tensor, A = unknown>(
  f: (x: TensorTree<X>, ...rest: Rest) => readonly [Tensor | number, A],
  options: { hasAux: true },
): (x: GradInput<X>, ...rest: Rest) => { value: Tensor; grad: TensorTree<X>; aux: A };
export function valueAndGrad<X>(
  f: (x: TensorTree<X>, ...rest: Rest) => unknown,
  options?: { hasAux?: boolean },
): (x: X, ...rest: Rest) => { value: Tensor; grad: TensorTree<X>; aux?: unknown } {
  checkArity('valueAndGrad', arguments.length, 2, 'valueAndGrad(f) returns a function: call it as valueAndGrad(f)(x)');
  checkFunction('valueAndGrad', 'f', f);
  const { hasAux = false } = readOptions('valueAndGrad', options, ['hasAux']);
  if (!checkBoolean('valueAndGrad', 'options.hasAux', hasAux)) {
    return (x, ...rest) =>
      valueAndGradAt('valueAndGrad', f as (x: TensorTree<X>, ...rest: Rest) => Tensor, x, rest) as {
        value: Tensor;
        grad: TensorTree<X>;
      };
  }
  return (x, ...rest) => {
    const r = record('valueAndGrad', f as never, x, rest, true);
    const out = scalarOutput('valueAndGrad', r);
    return {
      value: lower('valueAndGrad', out, r.tape.level),
      grad: pull('valueAndGrad', r, [onesLike(out)]) as TensorTree<X>,
      aux: lowered('valueAndGrad', r.aux!, r.tape.level),
    };
  };
}

/**
 * @internal The value and gradient of a scalar `f` at `x`: the work `grad` and `valueAndGrad` do
 * once their arguments are checked, and what the hessian layer calls. Errors name `fn`, the
 * public function the user called.
 * @example valueAndGradAt('hvp', (x) => sum(square(x)), tensor([1, 2]), []).grad; // → [2, 4]
 */
export function valueAndGradAt(
  fn: string,
  f: (x: never, ...rest: Rest) => unknown,
  x: unknown,
  rest: Rest,
): { value: Tensor; grad: unknown } {
  const r = record(fn, f, x, rest);
  const out = scalarOutput(fn, r);
  return { value: lower(fn, out, r.tape.level), grad: pull(fn, r, [onesLike(out)]) };
}

/**
 * Forward mode: the value of `f(x)` and its directional derivative along `v`, ∂f/∂x·v.
 * `v` must have the structure and shapes of `x`.
 * @example jvp((x) => mul(x, x), tensor([3]), tensor([1])).tangent.toArray(); // → [6]
 */
export function jvp<X, Y>(
  f: (x: TensorTree<X>, ...rest: Rest) => Y,
  x: X,
  v: X,
  ...rest: Rest
): { value: Y; tangent: Y } {
  checkFunction('jvp', 'f', f);
  const inputs = flatten(x, 'jvp');
  const tangents = matchTree('jvp', 'tangent', inputs, v);
  const trace = new ForwardTrace(newLevel(), 'jvp');
  const traced = inputs.leaves.map((leaf, i) => trace.input(leaf, tangents[i]!));
  let result: unknown;
  try {
    result = (f as (x: unknown, ...rest: Rest) => unknown)(inputs.rebuild(traced), ...rest);
  } finally {
    trace.close();
  }
  const outputs = flatten(result, 'jvp', 'output');
  return {
    value: outputs.rebuild(outputs.leaves.map((o) => lower('jvp', o, trace.level))) as Y,
    tangent: outputs.rebuild(outputs.leaves.map((o) => (o.level === trace.level ? o.tangent! : zerosLike(o)))) as Y,
  };
}

/** How `jacobian` builds the matrix: one forward sweep per input element ('fwd') or one backward sweep per output element ('rev'). */
export type JacobianMode = 'fwd' | 'rev';

/**
 * The Jacobian of a tensor function: `jacobian(f)(x)` has shape `[...f(x).shape, ...x.shape]`.
 * `'rev'` (default) records once and pulls back one basis cotangent per output entry; `'fwd'`
 * records once and pushes one basis tangent per input entry — cheaper when outputs outnumber inputs.
 * An empty input or output gives an empty Jacobian of that shape.
 * @example jacobian((x) => mul(x, 2))(tensor([1, 2])).toNested(); // → [[2, 0], [0, 2]]
 */
export function jacobian(
  f: (x: Tensor, ...rest: Rest) => Tensor,
  options?: { mode?: JacobianMode },
): (x: Tensor | number, ...rest: Rest) => Tensor {
  checkArity('jacobian', arguments.length, 2, 'jacobian(f) returns a function: call it as jacobian(f)(x)');
  checkFunction('jacobian', 'f', f);
  const given = readOptions('jacobian', options, ['mode']);
  const mode = checkOneOf('jacobian', 'options.mode', given.mode ?? 'rev', ['fwd', 'rev'] as const);
  return (input, ...rest) => {
    if (input !== null && typeof input === 'object' && !(input instanceof Tensor)) {
      throw new InvalidArgumentError(
        'jacobian',
        `x must be a Tensor or a number, got ${describe(input)}; for a tree, ravel() it first and differentiate the flat vector`,
      );
    }
    const x = toTensor(input, 'jacobian', 'x');
    const { value, jvp: push, vjp: pull } = recordLinearMaps<Tensor, unknown>('jacobian', f, x, rest);
    if (!(value instanceof Tensor))
      throw new InvalidArgumentError(
        'jacobian',
        `f must return a single Tensor, got ${describe(value)}; ravel() a tree output first`,
      );
    const shape = [...value.shape, ...x.shape];
    if (value.size === 0 || x.size === 0) return fromData(new Float64Array(0), shape);
    if (mode === 'rev') {
      const basis = eye(value.size);
      const rows = Array.from({ length: value.size }, (_, i) =>
        reshape(pull(reshape(index(basis, i), value.shape)) as Tensor, [x.size]),
      );
      return reshape(stack(rows), shape);
    }
    const basis = eye(x.size);
    const columns = Array.from({ length: x.size }, (_, j) =>
      reshape(push(reshape(index(basis, j), x.shape)) as Tensor, [value.size]),
    );
    return reshape(transpose(stack(columns)), shape);
  };
}

/**
 * Records `f` at `x` once and returns its value with the linear map v ↦ ∂f/∂x·v, which replays
 * the recorded tape with JVP rules and never recomputes the primal.
 * @example
 * const { jvp: df } = linearize((x) => sin(x), tensor([0]));
 * df(tensor([2])).toArray(); // → [2]
 */
export function linearize<X, Y>(
  f: (x: TensorTree<X>, ...rest: Rest) => Y,
  x: X,
  ...rest: Rest
): { value: Y; jvp: (v: X) => Y } {
  const { value, jvp: push } = recordLinearMaps<X, Y>('linearize', f, x, rest);
  return { value, jvp: push };
}

/**
 * Records `f` at `x` once and returns both linear maps of its derivative: `jvp` (v ↦ J·v, a
 * forward sweep over the tape) and `vjp` (u ↦ Jᵀ·u, a backward sweep over the same tape).
 * The Gauss–Newton product Jᵀ·H·J·v needs exactly this pair. (Nothing is transposed
 * symbolically: `vjp` is the transpose of `jvp` because it sweeps the same tape backward.)
 * @example
 * const { jvp: J, vjp: Jt } = linearizeAndTranspose((x) => mul(x, 3), tensor([1, 2]));
 * J(tensor([1, 0])).toArray(); // → [3, 0]
 * Jt(tensor([1, 0])).toArray(); // → [3, 0]
 */
export function linearizeAndTranspose<X, Y>(
  f: (x: TensorTree<X>, ...rest: Rest) => Y,
  x: X,
  ...rest: Rest
): { value: Y; jvp: (v: X) => Y; vjp: (u: Y) => TensorTree<X> } {
  const { value, jvp: push, vjp: pull } = recordLinearMaps<X, Y>('linearizeAndTranspose', f, x, rest);
  return { value, jvp: push, vjp: pull };
}

/**
 * @internal Records `f` at `x` once and returns its value with both linear maps of its
 * derivative, `jvp` (a forward sweep) and `vjp` (a backward sweep over the same tape); `fn` is
 * the public name errors report. With `hasAux`, f returns a pair [output, aux]: the maps act on
 * the output only and `aux` comes back beside it, undifferentiated (as with `valueAndGrad`).
 * @example recordLinearMaps('hessianOperator', (y: Tensor) => [mul(2, y), sum(y)], x, [], true).jvp(v); // → [2, 0]
 */
export function recordLinearMaps<X, Y>(
  fn: string,
  f: (x: TensorTree<X>, ...rest: Rest) => unknown,
  x: X,
  rest: Rest,
  hasAux = false,
): { value: Y; aux: unknown; jvp: (v: X) => Y; vjp: (u: Y) => TensorTree<X> } {
  const r = record(fn, f as never, x, rest, hasAux);
  r.tape.memoiseRules = true; // its maps may be applied many times
  const level = r.tape.level;
  const outputIds = r.outputs.leaves.filter((o) => o.level === level).map((o) => o.node!.id);
  const upTo = Math.max(-1, ...outputIds);
  let live: Uint8Array | undefined; // found on the first jvp, reused by the rest
  return {
    value: lowered(fn, r.outputs, level) as Y,
    aux: r.aux === undefined ? undefined : lowered(fn, r.aux, level),
    jvp(v: X) {
      checkArity(`${fn}().jvp`, arguments.length, 1);
      const vs = matchTree(`${fn}().jvp`, 'tangent', r.inputs, v);
      const seeds = new Map<number, Tensor>(r.traced.map((t, i) => [t.node!.id, vs[i]!]));
      live ??= liveNodes(r.tape, outputIds);
      const tangents = upTo >= 0 ? forwardSweep(r.tape, seeds, upTo, live) : [];
      return r.outputs.rebuild(
        r.outputs.leaves.map((o) => (o.level === level ? tangents[o.node!.id] : undefined) ?? zerosLike(o)),
      ) as Y;
    },
    vjp(u: Y) {
      checkArity(`${fn}().vjp`, arguments.length, 1);
      return pull(fn, r, matchTree(`${fn}().vjp`, 'cotangent', r.outputs, u)) as TensorTree<X>;
    },
  };
}
