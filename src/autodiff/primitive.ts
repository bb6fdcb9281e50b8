/**
 * Primitives and the one function that runs them: `apply`.
 *
 * A primitive is an op defined once with three things: how to compute its value on constants,
 * its VJP rule (reverse mode) and its JVP rule (forward mode). The rules are written with the
 * same differentiable ops, never raw loops, so whatever they compute can itself be traced: that
 * is the whole trick behind double backward and derivatives of every order.
 *
 * ## Levels: how nested transforms stay apart
 *
 * Every call of a transform (`grad`, `vjp`, `jvp`, `linearize`) opens a new *level*, a number
 * strictly larger than every level opened before. A traced tensor belongs to exactly one level.
 * `apply` looks at the inputs, finds the highest level among them, and:
 *
 *   1. unwraps the inputs at that level to their primals (one level down; inputs at lower levels
 *      are constants as far as this level is concerned and pass through untouched);
 *   2. applies the primitive to those — recursively, so the lower levels get their turn;
 *   3. hands the result to the trace of the top level, which wraps it again, recording a tape
 *      node (reverse) or computing a tangent (forward).
 *
 * Worked example, the classic perturbation-confusion trap D(x ↦ x·D(y ↦ x + y)(1))(1):
 * the outer `jvp` opens level 1 and x becomes a level-1 tensor with tangent 1; the inner `jvp`
 * opens level 2 and y becomes a level-2 tensor with tangent 1. In `x + y` the top level is 2,
 * so only y is unwrapped; x, at level 1, is a constant to level 2 and contributes no level-2
 * tangent. The inner derivative is therefore 1 (not 2, which is what an engine that gave every
 * perturbation the same tag would return), and the outer result is d(x·1)/dx = 1.
 *
 * What this file leaves out: the traces themselves (`tape.ts`, `forward.ts`) and the ops.
 */
import { InvalidArgumentError } from '../errors.js';
import { checkArity, checkFunction, describeValue } from '../validate.js';
import { Tensor } from './tensor.js';

/**
 * An op's definition. `P` is its static parameters (axes, shapes, …), which are not
 * differentiated; `I` the tuple of its inputs (`readonly [Tensor, Tensor]` for a binary op), so a
 * rule destructures exactly the inputs it has.
 */
export interface Primitive<P = undefined, I extends readonly Tensor[] = readonly Tensor[]> {
  /** The name printed on tapes and in error messages, e.g. `'mul'`. */
  readonly name: string;
  /** Computes the value from constant inputs (level 0), calling linalg kernels. */
  value(inputs: I, params: P): Tensor;
  /**
   * The VJP rules, one per input, as HIPS autograd's `defvjp(f, vjp_x, vjp_y)`: rule k maps the
   * output's cotangent to input k's contribution, shaped like input k, reading what it needs
   * from the node (see `VjpContext`). The backward sweep calls only the rules of inputs that
   * carry a derivative. A primitive with any number of inputs (`concat`) gives one rule for all,
   * told the input's index (autograd's `defvjp_argnum`). Written with differentiable ops.
   */
  readonly vjps?: readonly VjpRule<P, I>[] | VjpRule<P, I>;
  /**
   * The VJP of all inputs at once, for rules that share work between inputs: given the cotangent
   * of the output, the inputs and the output (primals, one level below the traced call), returns
   * the contribution of each input whose `needs` flag is set (`undefined` means zero). Give
   * either this or `vjps`.
   */
  vjp?(
    cotangent: Tensor,
    inputs: I,
    output: Tensor,
    params: P,
    needs: readonly boolean[],
    memo?: Memo,
  ): readonly (Tensor | undefined)[];
  /**
   * The JVP rule: given the inputs' tangents (`undefined` for inputs that carry none), returns
   * the output tangent. Omit it for linear primitives, whose JVP is the op applied to the tangents.
   */
  jvp?(
    tangents: { readonly [K in keyof I]: Tensor | undefined },
    inputs: I,
    output: Tensor,
    params: P,
    memo?: Memo,
  ): Tensor;
  /**
   * Declares the op linear in each input separately (add, sum, reshape, slice, …). Its JVP is then
   * the primitive itself applied to the tangents, with zeros for inputs that carry none.
   */
  readonly linear?: boolean;
}

/**
 * What a VJP rule reads from its tape node: the primal inputs and output (one level below the
 * traced call), the static parameters, and the memo (see `Memo`; undefined on a one-shot sweep).
 * The backward sweep hands the rule the node itself, which has exactly these fields.
 */
export interface VjpContext<P = undefined, I extends readonly Tensor[] = readonly Tensor[]> {
  readonly inputs: I;
  readonly output: Tensor;
  readonly params: P;
  readonly memo: Memo | undefined;
}

/**
 * One input's VJP rule: its cotangent contribution, given the output's cotangent and the node;
 * `index` is the input's position (only a rule shared by every input needs it). Declared as a
 * method so that a primitive with typed inputs is still a `Primitive` of any inputs.
 */
export type VjpRule<P = undefined, I extends readonly Tensor[] = readonly Tensor[]> = {
  rule(cotangent: Tensor, node: VjpContext<P, I>, index: number): Tensor;
}['rule'];

/**
 * A place for a rule to keep what depends only on its node's primals, such as the derivative
 * f′(x) of an elementwise op. A tape that is swept many times (a Hessian operator replays the
 * same tape once per product) hands each node's rules the same memo on every sweep, so that
 * work is done once: the partial evaluation of JAX's `linearize`. Rules must store nothing
 * that depends on the tangent or cotangent. One-shot sweeps pass no memo.
 */
export type Memo = Map<string, Tensor>;

/** The value memoised under `key`, computing it on the first call; without a memo, just computes. */
export function memoised(memo: Memo | undefined, key: string, compute: () => Tensor): Tensor {
  if (typeof key !== 'string' || typeof compute !== 'function' || (memo !== undefined && !(memo instanceof Map))) {
    throw new InvalidArgumentError(
      'memoised',
      `expects (memo: the Map a rule receives, or undefined; key: a string; compute: a function), got (${describeValue(memo)}, ${describeValue(key)}, ${describeValue(compute)})`,
    );
  }
  if (memo === undefined) return compute();
  let value = memo.get(key);
  if (value === undefined) {
    value = compute();
    memo.set(key, value);
  }
  return value;
}

/** What every trace (a tape, a forward trace) provides to `apply`. */
export interface Trace {
  readonly level: number;
  readonly kind: 'reverse' | 'forward';
  /** The public transform that opened this level (`grad`, `jvp`, …), for messages. */
  readonly transform: string;
  /**
   * Set when the transform returns. A closed trace accepts no new ops: a tensor it traced that
   * is still in use (an escaped tracer) would otherwise grow a finished tape forever and give
   * derivatives nobody asked for.
   */
  readonly closed: boolean;
  /**
   * Wraps the output of a primitive whose top-level inputs belong to this trace (autodidax's
   * `process_primitive`): a tape appends a node, a forward trace computes the tangent. `inputs`
   * are the tensors `bind` received; `primals` the same unwrapped by one level at this level;
   * `output` the primitive's value on `primals`.
   */
  processPrimitive<P>(
    primitive: Primitive<P>,
    inputs: readonly Tensor[],
    primals: readonly Tensor[],
    output: Tensor,
    params: P,
  ): Tensor;
}

let lastLevel = 0;

/** Opens a new level, larger than every level opened before (levels are never reused). */
export function newLevel(): number {
  return ++lastLevel;
}

// Every primitive evaluation passes through the level-0 branch of `bind` below, so this is the
// one place to count them (`countOps` in inspect.ts) and to record them (`jit`). Both hooks share
// one slot, `levelZero`, so that with neither installed the branch costs one comparison per op.
type ValueHook = (name: string, output: Tensor, inputs: readonly Tensor[]) => void;
/** @internal Evaluates a primitive on constants in place of `primitive.value` (jit's recorder). */
export type Evaluator = <P>(primitive: Primitive<P>, inputs: readonly Tensor[], params: P) => Tensor;
let valueHook: ValueHook | undefined;
let evaluator: Evaluator | undefined;
let levelZero: Evaluator | undefined;

function hooked<P>(primitive: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  const out = evaluator !== undefined ? evaluator(primitive, inputs, params) : primitive.value(inputs, params);
  if (valueHook !== undefined) valueHook(primitive.name, out, inputs);
  return out;
}

/** @internal Installs (or, with undefined, removes) the evaluation hook; returns the previous one. */
export function setValueHook(hook: ValueHook | undefined): ValueHook | undefined {
  const previous = valueHook;
  valueHook = hook;
  levelZero = valueHook === undefined && evaluator === undefined ? undefined : hooked;
  return previous;
}

/** @internal Installs (or, with undefined, removes) the level-0 evaluator; returns the previous one. */
export function setEvaluator(next: Evaluator | undefined): Evaluator | undefined {
  const previous = evaluator;
  evaluator = next;
  levelZero = valueHook === undefined && evaluator === undefined ? undefined : hooked;
  return previous;
}

/** A user-written primitive gives `vjp` (all inputs at once) or `vjps` (one rule per input, or one for all). */
function checkVjpRules(fn: string, primitive: Primitive<unknown>, inputs: unknown): void {
  const { vjp, vjps } = primitive;
  if ((vjp === undefined) === (vjps === undefined)) {
    throw new InvalidArgumentError(
      fn,
      `primitive '${primitive.name}' needs exactly one of vjp (all inputs at once) or vjps (one rule per input)`,
    );
  }
  if (vjp !== undefined) {
    checkFunction(fn, `primitive.vjp of '${primitive.name}'`, vjp);
  } else if (typeof vjps !== 'function') {
    const count = Array.isArray(inputs) ? inputs.length : 0;
    if (!Array.isArray(vjps) || vjps.length !== count || vjps.some((rule) => typeof rule !== 'function')) {
      throw new InvalidArgumentError(
        fn,
        `primitive.vjps of '${primitive.name}' must be one function per input (${count}) or a single function for all, got ${describeValue(vjps)}`,
      );
    }
  }
}

/**
 * Runs a primitive on tensors at any levels, checking what a user-written primitive gives: the
 * way to call your own op (see the README's recipe for adding a primitive). The built-in ops
 * call `bind`, which trusts its arguments.
 * @example
 * const cube: Primitive = { name: 'cube', value: ([x]) => mul(x!, mul(x!, x!)), vjp: (g, [x]) => [mul(g, mul(3, square(x!)))], jvp: ([t], [x]) => mul(t!, mul(3, square(x!))) };
 * apply(cube, [tensor([2])], undefined).item(); // → 8
 */
export function apply<P>(primitive: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  const fn = 'apply';
  checkArity(fn, arguments.length, 3);
  if (typeof primitive !== 'object' || primitive === null)
    throw new InvalidArgumentError(
      fn,
      `primitive must be an object { name, value, vjp, jvp? }, got ${describeValue(primitive)}`,
    );
  if (typeof primitive.name !== 'string' || primitive.name === '')
    throw new InvalidArgumentError(
      fn,
      `primitive.name must be a non-empty string, got ${describeValue(primitive.name)}`,
    );
  checkFunction(fn, `primitive.value of '${primitive.name}'`, primitive.value);
  checkVjpRules(fn, primitive, inputs);
  if (primitive.jvp !== undefined) checkFunction(fn, `primitive.jvp of '${primitive.name}'`, primitive.jvp);
  if (primitive.linear !== undefined && typeof primitive.linear !== 'boolean')
    throw new InvalidArgumentError(
      fn,
      `primitive.linear of '${primitive.name}' must be true or false, got ${describeValue(primitive.linear)}`,
    );
  if (primitive.jvp === undefined && primitive.linear !== true)
    throw new InvalidArgumentError(fn, `primitive '${primitive.name}' needs a jvp rule or linear: true`);
  if (!Array.isArray(inputs) || inputs.length === 0)
    throw new InvalidArgumentError(fn, `inputs must be a non-empty array of Tensors, got ${describeValue(inputs)}`);
  inputs.forEach((t: unknown, i) => {
    if (!(t instanceof Tensor))
      throw new InvalidArgumentError(
        fn,
        `inputs[${i}] must be a Tensor, got ${describeValue(t)}; wrap numbers with scalar()`,
      );
  });
  const out: unknown = bind(primitive, inputs, params);
  if (!(out instanceof Tensor))
    throw new InvalidArgumentError(
      fn,
      `primitive.value of '${primitive.name}' returned ${describeValue(out)}, not a Tensor`,
    );
  return out;
}

/**
 * Runs a primitive on tensors at any levels. This is the only way ops are computed; it trusts
 * its arguments (the public ops check them first). JAX calls this step `bind`.
 */
export function bind<P>(primitive: Primitive<P>, inputs: readonly Tensor[], params: P): Tensor {
  let top = 0;
  let trace: Trace | undefined;
  for (const x of inputs) {
    if (x.level > top) {
      top = x.level;
      trace = x.trace;
    }
  }
  if (trace === undefined)
    return levelZero === undefined ? primitive.value(inputs, params) : levelZero(primitive, inputs, params);
  const primals = new Array<Tensor>(inputs.length);
  for (let i = 0; i < inputs.length; i++) primals[i] = inputs[i]!.level === top ? inputs[i]!.primal! : inputs[i]!;
  const output = bind(primitive, primals, params);
  return trace.processPrimitive(primitive, inputs, primals, output, params);
}
