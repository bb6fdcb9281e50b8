/**
 * Escaped tracers and rule results: a value traced by a transform that has returned is refused
 * (the finished tape does not grow), and a rule that returns a cotangent or tangent of the wrong
 * shape — even one of the right size — is stopped at the op whose rule broke it.
 */
import { describe, expect, it } from 'vitest';
import { EscapedTracerError, InvalidArgumentError, ShapeError } from '../../src/errors.js';
import {
  apply,
  grad,
  jvp,
  linearize,
  mul,
  recordTape,
  sum,
  tensor,
  transpose,
  vjp,
  type Primitive,
  type Tensor,
} from '../../src/index.js';

describe('escaped tracers', () => {
  it('a tensor saved inside grad and used after it returns is refused, naming the op and the transform', () => {
    let saved: Tensor | undefined;
    grad((x: Tensor) => {
      saved = mul(x, 2);
      return sum(saved);
    })(tensor([1, 2]));
    const error = (() => {
      try {
        mul(saved!, 3);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(EscapedTracerError);
    const e = error as EscapedTracerError;
    expect(e.fn).toBe('mul');
    expect(e.transform).toBe('grad');
    expect(e.message).toMatch(/grad \(level \d+\), which has already returned/);
    expect(e.message).toContain('hasAux');
  });

  it('the finished tape stops growing: repeated use of the escaped value adds no node', () => {
    let saved: Tensor | undefined;
    const recording = recordTape(
      (x: Tensor) => {
        saved = mul(x, x);
        return sum(saved);
      },
      tensor([1, 2, 3]),
    );
    const nodes = recording.tape.nodes.length;
    for (let i = 0; i < 100; i++) expect(() => sum(saved!)).toThrow(EscapedTracerError);
    expect(recording.tape.nodes.length).toBe(nodes);
  });

  it('values escaping jvp, vjp and linearize are refused too', () => {
    let fromJvp: Tensor | undefined;
    jvp((x: Tensor) => (fromJvp = mul(x, x)), tensor([1]), tensor([1]));
    expect(() => sum(fromJvp!)).toThrow(EscapedTracerError);
    let fromVjp: Tensor | undefined;
    const { pullback } = vjp((x: Tensor) => (fromVjp = mul(x, x)), tensor([1, 2]));
    expect(() => sum(fromVjp!)).toThrow(/vjp \(level/);
    // The pullback still sweeps the closed tape: only new ops are refused.
    expect(Array.from(pullback(tensor([1, 1])).toArray())).toEqual([2, 4]);
    let fromLinearize: Tensor | undefined;
    const { jvp: push } = linearize((x: Tensor) => (fromLinearize = mul(x, x)), tensor([3]));
    expect(() => sum(fromLinearize!)).toThrow(EscapedTracerError);
    expect(push(tensor([1])).item()).toBe(6);
  });

  it('a function that throws still closes its tape', () => {
    let saved: Tensor | undefined;
    expect(() =>
      grad((x: Tensor) => {
        saved = mul(x, 2);
        throw new Error('boom');
      })(tensor([1])),
    ).toThrow('boom');
    expect(() => sum(saved!)).toThrow(EscapedTracerError);
  });

  /** Runs f and returns what it threw (undefined when it returned). */
  function thrown(f: () => unknown): unknown {
    try {
      f();
    } catch (e) {
      return e;
    }
    return undefined;
  }

  /** A function whose result is a value traced by an inner grad that has already returned. */
  const returnsEscaped = (x: Tensor): Tensor => {
    let leaked: Tensor | undefined;
    grad((y: Tensor) => {
      leaked = mul(y, 2);
      return sum(leaked);
    })(x);
    return leaked!;
  };

  it('a value of a nested grad returned from vjp is refused as escaped, naming the inner transform', () => {
    const error = thrown(() => vjp(returnsEscaped, tensor([1, 2])));
    expect(error).toBeInstanceOf(EscapedTracerError);
    const e = error as EscapedTracerError;
    expect(e.code).toBe('escaped-tracer');
    expect(e.fn).toBe('vjp');
    expect(e.transform).toBe('grad');
    expect(e.message).toMatch(/traced by an inner grad \(level \d+ > \d+\), which has already returned/);
  });

  it('the same escaped value returned through recordTape is refused as escaped too', () => {
    const error = thrown(() => recordTape(returnsEscaped, tensor([1, 2])));
    expect(error).toBeInstanceOf(EscapedTracerError);
    const e = error as EscapedTracerError;
    expect(e.code).toBe('escaped-tracer');
    expect(e.fn).toBe('recordTape');
    expect(e.transform).toBe('grad');
    expect(e.message).toMatch(/an output is traced by an inner transform \(level \d+ > \d+\)/);
  });

  it('values of enclosing transforms that are still running remain usable', () => {
    // y belongs to the outer grad, which is still running when the inner one uses it.
    const g = grad((x: Tensor) => {
      const y = mul(x, x);
      const inner = grad((z: Tensor) => sum(mul(z, y)))(x);
      return sum(mul(inner, x));
    })(tensor([2]));
    expect(g.item()).toBe(12); // d/dx (x²·x) = 3x² = 12
  });
});

describe('rule results are checked against the shapes they belong to', () => {
  // A deliberately broken primitive: y = x (shape [2, 3]) whose VJP returns the transpose of
  // the cotangent — the same six numbers in shape [3, 2].
  const brokenVjp: Primitive = {
    name: 'brokenIdentity',
    value: ([x]) => x!,
    vjp: (g) => [transpose(g)],
    jvp: ([t]) => t!,
  };
  const brokenJvp: Primitive = {
    name: 'brokenJvp',
    value: ([x]) => x!,
    vjp: (g) => [g],
    jvp: ([t]) => transpose(t!),
  };

  it('a VJP rule returning a cotangent of the right size but the wrong shape is named', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => grad((y: Tensor) => sum(apply(brokenVjp, [y], undefined)))(x)).toThrow(ShapeError);
    expect(() => grad((y: Tensor) => sum(apply(brokenVjp, [y], undefined)))(x)).toThrow(
      /brokenIdentity: the VJP rule of brokenIdentity returned a cotangent for input 0 of shape \[3, 2\] where \[2, 3\]/,
    );
  });

  const identityWith = (rules: Partial<Primitive>): Primitive =>
    ({ name: 'badRule', value: ([x]: readonly Tensor[]) => x!, ...rules }) as Primitive;
  const x = tensor([1, 2]);

  /** The error thrown by f, checked to be an InvalidArgumentError (whose message names the primitive unless told not to). */
  function refusal(f: () => unknown): InvalidArgumentError {
    let error: unknown;
    try {
      f();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).code).toBe('invalid-argument');
    expect((error as InvalidArgumentError).message).toContain('badRule');
    return error as InvalidArgumentError;
  }

  it('a vjp rule returning something other than an array is named', () => {
    const primitive = identityWith({ vjp: (g: Tensor) => g as never, jvp: ([t]) => t! });
    const e = refusal(() => grad((y: Tensor) => sum(apply(primitive, [y], undefined)))(x));
    expect(e.fn).toBe('badRule');
    expect(e.message).toMatch(/the VJP rule of badRule returned .*; it must return an array/);
  });

  it('a per-input vjps rule returning a number is named', () => {
    const primitive = identityWith({ vjps: [() => 3 as never], jvp: ([t]) => t! });
    const e = refusal(() => grad((y: Tensor) => sum(apply(primitive, [y], undefined)))(x));
    expect(e.fn).toBe('badRule');
    expect(e.message).toMatch(/the VJP rule of badRule returned .* for input 0, not a Tensor/);
  });

  it('a jvp rule returning a number is named', () => {
    const primitive = identityWith({ vjp: (g: Tensor) => [g], jvp: () => 3 as never });
    const e = refusal(() => jvp((y: Tensor) => apply(primitive, [y], undefined), x, x));
    expect(e.fn).toBe('badRule');
    expect(e.message).toMatch(/the JVP rule of badRule returned .*, not a Tensor/);
  });

  it('a primitive declaring linear as something other than a boolean is refused by apply', () => {
    const primitive = identityWith({ vjp: (g: Tensor) => [g], linear: 1 as never });
    const e = refusal(() => apply(primitive, [x], undefined));
    expect(e.fn).toBe('apply');
    expect(e.message).toMatch(/primitive\.linear of 'badRule' must be true or false, got 1/);
  });

  it('a JVP rule returning a tangent of the wrong shape is named', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(() => jvp((y: Tensor) => apply(brokenJvp, [y], undefined), x, x)).toThrow(
      /brokenJvp: the JVP rule of brokenJvp returned a tangent of shape \[3, 2\]/,
    );
  });
});
