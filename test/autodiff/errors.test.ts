/**
 * Error paths of the autodiff layer. Each asserts the error class, that the message starts with
 * the function's name, and that it shows the offending shapes (or values) — the error policy in
 * DESIGN.md: say which function, what was wrong, and what to do.
 */
import { describe, expect, it } from 'vitest';
import { EscapedTracerError, InvalidArgumentError, ShapeError, type TapegradError } from '../../src/errors.js';
import {
  type Tensor,
  add,
  broadcastTo,
  concat,
  dot,
  grad,
  index,
  jacobian,
  jvp,
  linearize,
  matmul,
  mul,
  outer,
  ravel,
  reshape,
  slice,
  squeeze,
  sum,
  sumTo,
  take,
  takeAlongRows,
  tensor,
  transpose,
  valueAndGrad,
  vjp,
  where,
  zeros,
  logSoftmax,
  max,
} from '../../src/autodiff/index.js';
import { hessian } from '../../src/hessian/index.js';

/** Runs `run`, expecting an error of class `kind` whose message starts with `fn:` and contains each of `parts`. */
function expectError(
  run: () => unknown,
  kind: new (...args: never[]) => TapegradError,
  fn: string,
  ...parts: string[]
): void {
  let caught: unknown;
  try {
    run();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected ${fn} to throw`).toBeInstanceOf(kind);
  const error = caught as TapegradError;
  expect(error.fn).toBe(fn);
  expect(error.message.startsWith(`${fn}: `)).toBe(true);
  for (const part of parts) expect(error.message).toContain(part);
}

describe('shape mismatches in ops', () => {
  it('add of [2, 3] and [4]', () => {
    expectError(() => add(zeros([2, 3]), zeros([4])), ShapeError, 'add', '[2, 3]', '[4]', 'broadcast');
  });

  it('matmul of [2, 3] by [4, 5], plain and transposed', () => {
    expectError(
      () => matmul(zeros([2, 3]), zeros([4, 5])),
      ShapeError,
      'matmul',
      '[2, 3]',
      '[4, 5]',
      'inner sizes 3 and 4',
    );
    expectError(
      () => matmul(zeros([2, 3]), zeros([2, 5]), { transposeB: true }),
      ShapeError,
      'matmul',
      '[2, 3]',
      '[2, 5]ᵀ',
    );
    expectError(() => matmul(zeros([2]), zeros([2, 2, 2])), ShapeError, 'matmul', '[2]', '[2, 2, 2]', '1-D or 2-D');
  });

  it('reshape to a different size, or with an impossible -1', () => {
    expectError(() => reshape(zeros([2, 3]), [4]), ShapeError, 'reshape', '[2, 3]', '[4]');
    expectError(() => reshape(zeros([2, 3]), [4, -1]), ShapeError, 'reshape', '[4, -1]', '[2, 3]');
  });

  it('broadcastTo, sumTo, where, concat, dot, outer, takeAlongRows', () => {
    expectError(() => broadcastTo(zeros([3]), [2, 4]), ShapeError, 'broadcastTo', '[3]', '[2, 4]');
    expectError(() => sumTo(zeros([2, 3]), [2]), ShapeError, 'sumTo', '[2, 3]', '[2]');
    expectError(() => where(zeros([2]), zeros([3]), 0), ShapeError, 'where', '[2]', '[3]');
    expectError(() => concat([zeros([2, 3]), zeros([2, 4])]), ShapeError, 'concat', '[2, 3]', '[2, 4]');
    expectError(() => dot(zeros([2]), zeros([3])), ShapeError, 'dot', '2', '3');
    expectError(() => outer(zeros([2, 2]), zeros([3])), ShapeError, 'outer', '[2, 2]', '[3]');
    expectError(
      () => takeAlongRows(zeros([2, 3]), [0]),
      ShapeError,
      'takeAlongRows',
      'indices must have 2 entries',
      'got 1',
    );
  });
});

describe('out-of-range axes and indices', () => {
  it('axes', () => {
    expectError(() => sum(zeros([2, 3]), 2), ShapeError, 'sum', 'axis 2', 'rank 2');
    expectError(() => max(zeros([2, 3]), -3), ShapeError, 'max', 'axis -3', 'rank 2');
    expectError(() => logSoftmax(zeros([2]), 1), ShapeError, 'logSoftmax', 'axis 1');
    expectError(() => squeeze(zeros([2, 3]), 0), ShapeError, 'squeeze', '[2, 3]');
    expectError(() => transpose(zeros([2, 3]), [0, 0]), ShapeError, 'transpose', '[0,0]', '[2, 3]');
  });

  it('indices', () => {
    expectError(() => index(zeros([2, 3]), 2), ShapeError, 'index', 'index 2', 'length 2');
    expectError(() => index(zeros([]), 0), ShapeError, 'index', '[]');
    expectError(() => take(zeros([3, 4]), [4], 1), ShapeError, 'take', 'indices[0] is 4', '[-4, 3]');
    expectError(() => takeAlongRows(zeros([2, 3]), [0, 3]), ShapeError, 'takeAlongRows', 'indices[1] is 3', '[0, 2]');
    expectError(() => slice(zeros([4]), [3], [2]), ShapeError, 'slice', 'start 3', 'size 2', '[4]');
  });
});

describe('Tensor.item', () => {
  it('on a non-scalar names the shape and what to do', () => {
    expectError(() => zeros([2, 3]).item(), ShapeError, 'Tensor.item', '[2, 3]', 'sum()');
  });
});

describe('transforms', () => {
  const f = (x: Tensor): Tensor => mul(x, x);

  it('a tangent of the wrong shape in jvp and linearize', () => {
    expectError(() => jvp(f, zeros([2, 3]), zeros([3, 2])), ShapeError, 'jvp', '[3, 2]', '[2, 3]');
    expectError(() => linearize(f, zeros([2])).jvp(zeros([3])), ShapeError, 'linearize().jvp', '[3]', '[2]');
  });

  it('a cotangent of the wrong shape in a pullback', () => {
    const { pullback } = vjp(f, zeros([2, 3]));
    expectError(() => pullback(zeros([6])), ShapeError, 'vjp().pullback', '[6]', '[2, 3]');
  });

  it('a non-scalar output to grad and valueAndGrad', () => {
    expectError(() => grad(f)(zeros([2, 3])), ShapeError, 'grad', 'scalar', '[2, 3]');
    expectError(() => valueAndGrad(f)(zeros([4])), ShapeError, 'valueAndGrad', '[4]');
  });

  it('a non-function given to every transform', () => {
    expectError(() => grad(3 as never), InvalidArgumentError, 'grad', 'got 3');
    expectError(() => valueAndGrad('f' as never), InvalidArgumentError, 'valueAndGrad', "got 'f' (a string)");
    expectError(() => vjp({} as never, zeros([1])), InvalidArgumentError, 'vjp', 'object');
    expectError(() => jvp(null as never, zeros([1]), zeros([1])), InvalidArgumentError, 'jvp', 'null');
    expectError(() => linearize([] as never, zeros([1])), InvalidArgumentError, 'linearize', 'array');
    expectError(() => jacobian(1 as never), InvalidArgumentError, 'jacobian', 'got 1');
    expectError(() => hessian(undefined as never), InvalidArgumentError, 'hessian', 'undefined');
  });

  it('a tree whose structure does not match', () => {
    const g = ({ a, b }: { a: Tensor; b: Tensor }): Tensor => add(a, b);
    expectError(
      () => jvp(g, { a: zeros([2]), b: zeros([2]) }, { a: zeros([2]) } as never),
      ShapeError,
      'jvp',
      '1 leaves',
      '2',
    );
    expectError(
      () => jvp(g, { a: zeros([2]), b: zeros([2]) }, { a: zeros([2]), b: zeros([3]) }),
      ShapeError,
      'jvp',
      'tangent.b',
      '[3]',
      'x.b',
      '[2]',
    );
    const { pullback } = vjp((p: Tensor[]) => [p[0]!, p[1]!], [zeros([2]), zeros([1])]);
    expectError(() => pullback([zeros([2])] as never), ShapeError, 'vjp().pullback', '1 leaves', '2');
  });

  it('inputs that are not tensors, numbers or trees of them', () => {
    expectError(() => grad(f)('x' as never), InvalidArgumentError, 'grad', "x is 'x' (a string)");
    expectError(
      () => grad((p: { w: Tensor[] }) => sum(p.w[0]!))({ w: [tensor(1), 'two' as never] }),
      InvalidArgumentError,
      'grad',
      "x.w[1] is 'two' (a string)",
    );
    expectError(
      () => add([1, 2] as never, 1),
      InvalidArgumentError,
      'add',
      'an array of length 2; wrap it with tensor(...)',
    );
  });

  it('jacobian and hessian options and inputs', () => {
    expectError(() => jacobian(f, { mode: 'sideways' as never }), InvalidArgumentError, 'jacobian', 'sideways');
    expectError(
      () => hessian((x: Tensor) => sum(x), { mode: 'sideways' as never }),
      InvalidArgumentError,
      'hessian',
      'sideways',
    );
    expectError(() => jacobian(f)({ x: zeros([1]) } as never), InvalidArgumentError, 'jacobian', 'ravel()');
  });

  it('a traced value that escapes its transform', () => {
    let escaped: Tensor | undefined;
    const leaky = (x: Tensor): Tensor => {
      grad((y: Tensor) => {
        escaped = mul(y, x);
        return sum(escaped);
      })(x);
      return sum(escaped!);
    };
    expectError(() => grad(leaky)(tensor([1, 2])), EscapedTracerError, 'sum', 'escaped', 'grad (level');
  });

  it('unravel of a vector of the wrong length', () => {
    const { unravel } = ravel({ w: zeros([2, 2]), b: zeros([2]) });
    expectError(() => unravel(zeros([5])), ShapeError, 'unravel', 'length 6', '[5]');
  });
});

describe('tree structure is matched by key, not only by position', () => {
  it('rejects a tangent whose keys differ from the primal', async () => {
    const { jvp, tensor, add, ShapeError } = await import('../../src/index.js');
    const f = (p: { a: Tensor; b: Tensor }) => add(p.a, p.b);
    const x = { a: tensor([1]), b: tensor([2]) };
    expect(() => jvp(f, x, { b: tensor([1]), a: tensor([0]) } as never)).toThrow(ShapeError);
    expect(() => jvp(f, x, { c: tensor([1]), d: tensor([0]) } as never)).toThrow(
      /jvp: tangent has a leaf at tangent\.c where the primal has x\.a/,
    );
  });
});
