/**
 * Finding where a NaN or an infinity was born: `withFiniteChecks(fn)` runs `fn` and stops at the
 * first primitive that turns finite inputs into a non-finite output — JAX's `jax_debug_nans`,
 * PyTorch's anomaly detection. Without it a NaN travels silently to the loss, or to a solver.
 *
 * It rides on the engine's one evaluation hook (see `apply` in `primitive.ts`), so checks cost
 * nothing unless switched on, and then one pass over each output. It blames the op that created
 * the value, not the ones that merely passed it on: an output is only checked when every input
 * was finite. Checks see every evaluation at level 0, including the rules of backward and
 * forward sweeps, so a NaN born in a derivative (say √x at 0) is caught in its rule.
 */
import { NonFiniteError, formatShape } from '../errors.js';
import { checkArity, checkFunction } from '../validate.js';
import { indexOfNonFinite } from '../linalg/vector.js';
import { setValueHook } from './primitive.js';
import { dataOf, type Tensor } from './tensor.js';

/** What usually makes each op leave the finite numbers. */
const HINTS: Record<string, string> = {
  log: 'log needs x > 0 (log 0 = −∞)',
  log1p: 'log1p needs x > −1',
  sqrt: 'sqrt needs x ≥ 0; its derivative needs x > 0',
  div: 'the divisor is 0 somewhere (or 0/0)',
  pow: 'a negative base with a non-integer exponent, or 0 to a negative power; differentiating in the exponent needs a positive base',
  exp: 'exp overflows above x ≈ 709; work in log space (logSumExp, logSoftmax, softplus)',
  expm1: 'expm1 overflows above x ≈ 709',
  mul: '0·∞ or an overflowing product',
  matmul: 'an overflowing product',
  reciprocal: 'division by zero',
};

/**
 * Runs `fn` with finite checks on every primitive evaluation and returns its result; throws a
 * `NonFiniteError` naming the op that first produced a NaN or ±∞ from finite inputs, where, and
 * what usually causes it. Checks nest with `countOps` and stop when `fn` returns or throws.
 *
 * @example
 * withFiniteChecks(() => grad((x) => sum(sqrt(x)))(tensor([0, 1])));
 * // → throws NonFiniteError: div: produced +Infinity at flat index 0 …
 * // (the derivative rule of sqrt, 0.5/√x, divides by zero at x = 0)
 */
export function withFiniteChecks<R>(fn: () => R): R {
  checkArity('withFiniteChecks', arguments.length, 1);
  checkFunction('withFiniteChecks', 'fn', fn);
  const outer = setValueHook(undefined);
  setValueHook((name, output, inputs) => {
    outer?.(name, output, inputs);
    const at = indexOfNonFinite(dataOf(output));
    if (at < 0 || inputs.some((t: Tensor) => indexOfNonFinite(dataOf(t)) >= 0)) return;
    const value = dataOf(output)[at]!;
    const kind = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity';
    const shapes = inputs.map((t) => formatShape(t.shape)).join(', ');
    const hint = HINTS[name] ?? 'check the op’s domain';
    throw new NonFiniteError(
      name,
      `produced ${kind} at flat index ${at} of its ${formatShape(output.shape)} output from finite inputs (${shapes}); ${hint}`,
    );
  });
  try {
    return fn();
  } finally {
    setValueHook(outer);
  }
}
