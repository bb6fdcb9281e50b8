/**
 * Forward mode: a trace that carries a tangent with every value.
 *
 * A `ForwardTrace` is the trace of one `jvp` call (one level). When a primitive runs on inputs of
 * this level, the trace computes the output's tangent right away from the inputs' tangents with
 * the primitive's JVP rule (or, for a linear primitive, the primitive itself applied to the
 * tangents). Nothing is stored; memory stays flat however long the computation.
 *
 * Tangents are tensors one level down, so an outer transform traces them too: `grad` of a `jvp`
 * is reverse-over-forward, `jvp` of a `grad` forward-over-reverse.
 */
import { bind, type Memo, type Primitive, type Trace } from './primitive.js';
import { checkRuleShape, escapedTracer } from './tape.js';
import { InvalidArgumentError } from '../errors.js';
import { describeValue } from '../validate.js';
import { Tensor, dataOf, tracedTensor, zerosLike } from './tensor.js';

/** The JVP of a primitive: its rule, or for linear ones the op applied to the tangents. */
export function jvpRule<P>(
  primitive: Primitive<P>,
  tangents: readonly (Tensor | undefined)[],
  inputs: readonly Tensor[],
  output: Tensor,
  params: P,
  memo?: Memo,
): Tensor {
  if (primitive.linear) {
    return bind(
      primitive,
      tangents.map((t, i) => t ?? zerosLike(inputs[i]!)),
      params,
    );
  }
  if (primitive.jvp === undefined) {
    throw new InvalidArgumentError(
      primitive.name,
      'this primitive has no JVP rule; declare it linear: true or give it a jvp',
    );
  }
  const tangent = primitive.jvp(tangents, inputs, output, params, memo);
  if (!(tangent instanceof Tensor)) {
    throw new InvalidArgumentError(
      primitive.name,
      `the JVP rule of ${primitive.name} returned ${describeValue(tangent)}, not a Tensor`,
    );
  }
  checkRuleShape(primitive.name, 'JVP', 'a tangent', tangent, output.shape);
  return tangent;
}

export class ForwardTrace implements Trace {
  readonly kind = 'forward' as const;
  readonly level: number;
  readonly transform: string;
  closed = false;

  constructor(level: number, transform: string) {
    this.level = level;
    this.transform = transform;
  }

  /** Accepts no more ops: called when the transform returns. */
  close(): void {
    this.closed = true;
  }

  /** Starts tracing `value` with tangent `tangent`. */
  input(value: Tensor, tangent: Tensor): Tensor {
    return tracedTensor(dataOf(value), value.shape, this, value, undefined, tangent);
  }

  processPrimitive<P>(
    primitive: Primitive<P>,
    inputs: readonly Tensor[],
    primals: readonly Tensor[],
    output: Tensor,
    params: P,
  ): Tensor {
    if (this.closed) throw escapedTracer(primitive.name, this);
    const tangents = new Array<Tensor | undefined>(inputs.length);
    for (let i = 0; i < inputs.length; i++)
      tangents[i] = inputs[i]!.level === this.level ? inputs[i]!.tangent : undefined;
    const tangent = jvpRule(primitive, tangents, primals, output, params);
    return tracedTensor(dataOf(output), output.shape, this, output, undefined, tangent);
  }
}
