/**
 * The Hessian as numbers: the dense matrix H(x) (`hessian`) and its exact diagonal
 * (`hessianDiagonal`), both from n products with unit vectors over one recording of the mode
 * (see `modes.ts`).
 */
import { InvalidArgumentError } from '../errors.js';
import { checkArity, checkFunction, describeValue, isPlainObject } from '../validate.js';
import { Tensor, eye, index, reshape, stack, transpose, type Tree } from '../autodiff/index.js';
import { fromData } from '../autodiff/tensor.js';
import { diagonalOf, flatView, recordHessian } from './hessian-operator.js';
import { HVP_MODE_TABLE, readHessianSettings, type HessianSettings, type HvpMode } from './modes.js';

/**
 * The exact diagonal of the Hessian (n Hessian-vector products with unit vectors, one recording),
 * in the structure of `x`. Options: `mode` and, for the difference modes, `step`.
 * @example hessianDiagonal((x) => sum(pow(x, 3)), tensor([1, 2])).toArray(); // → [6, 12]
 */
export function hessianDiagonal<X extends Tree>(
  f: (x: X, ...rest: never[]) => Tensor | number,
  x: X,
  options?: { mode?: HvpMode; step?: number },
  ...rest: unknown[]
): X extends number ? Tensor : X {
  const fn = 'hessianDiagonal';
  checkFunction(fn, 'f', f);
  const view = flatView(fn, 'x', x);
  const settings = readHessianSettings(fn, options, ['mode', 'step']);
  const { size, product } = recordHessian(fn, f as (x: never) => Tensor, x, view, settings, rest);
  return view.toTree(diagonalOf(size, product)) as X extends number ? Tensor : X;
}

type HessianOptions = { mode?: HvpMode; step?: number };

/**
 * The dense Hessian. Two forms:
 * - `hessian(f, { mode, step })` returns the function x ↦ H(x) (shape `[...x.shape, ...x.shape]`),
 *   differentiable in the AD modes; extra arguments after x are passed to f;
 * - `hessian(f, x, { mode, step })` computes it at a Tensor x directly.
 * Every mode of `hvp` works in both (only the difference modes take a step). An x of size 0
 * gives a Hessian of size 0.
 * @example hessian((x) => sum(pow(x, 3)), tensor([1, 2])).toNested(); // → [[6, 0], [0, 12]]
 */
export function hessian(
  f: (x: Tensor, ...rest: never[]) => Tensor,
  options?: HessianOptions,
): (x: Tensor, ...rest: unknown[]) => Tensor;
export function hessian(f: (x: Tensor, ...rest: never[]) => Tensor, x: Tensor, options?: HessianOptions): Tensor;
export function hessian(
  f: (x: Tensor, ...rest: never[]) => Tensor,
  xOrOptions?: Tensor | HessianOptions,
  maybeOptions?: HessianOptions,
): Tensor | ((x: Tensor, ...rest: unknown[]) => Tensor) {
  const fn = 'hessian';
  checkArity(fn, arguments.length, 3);
  checkFunction(fn, 'f', f);
  if (xOrOptions instanceof Tensor)
    return denseHessian(fn, f, xOrOptions, readHessianSettings(fn, maybeOptions, ['mode', 'step']), []);
  if (xOrOptions !== undefined && !isPlainObject(xOrOptions)) {
    throw new InvalidArgumentError(
      fn,
      `the second argument must be the point x (a Tensor) or an options object { mode, step }, got ${describeValue(xOrOptions)}${pointHint(xOrOptions)}`,
    );
  }
  if (maybeOptions !== undefined) {
    throw new InvalidArgumentError(
      fn,
      `hessian(f, options) takes no third argument, got ${describeValue(maybeOptions)}; write hessian(f, x, options) to evaluate at x`,
    );
  }
  const settings = readHessianSettings(fn, xOrOptions, ['mode', 'step']);
  return (x: Tensor, ...rest: unknown[]) => {
    if (!(x instanceof Tensor))
      throw new InvalidArgumentError(fn, `x must be a Tensor, got ${describeValue(x)}${pointHint(x)}`);
    return denseHessian(fn, f, x, settings, rest);
  };
}

function pointHint(x: unknown): string {
  if (Array.isArray(x)) return '; wrap the point: tensor([...])';
  if (typeof x === 'number') return `; for a scalar point write scalar(${x})`;
  if (x instanceof Float64Array) return '; wrap the point: tensor(x)';
  return '';
}

/**
 * H(x) as a [...x.shape, ...x.shape] tensor: the mode's recording at x times each unit vector,
 * stacked as rows or columns as the mode yields them (Hᵢⱼ = ∂gᵢ/∂xⱼ, the jacobian convention).
 * Built from differentiable ops, so in the AD modes the Hessian can itself be differentiated.
 */
function denseHessian(
  fn: string,
  f: (x: Tensor, ...rest: never[]) => Tensor,
  x: Tensor,
  settings: HessianSettings,
  rest: readonly unknown[],
): Tensor {
  const shape = [...x.shape, ...x.shape];
  if (x.size === 0) return fromData(new Float64Array(0), shape);
  const rule = HVP_MODE_TABLE[settings.mode];
  const objective = {
    fn,
    f: (y: unknown) => (f as (y: unknown, ...rest: unknown[]) => Tensor)(y, ...rest),
    step: settings.step,
  };
  const { times } = rule.record(objective, x);
  const basis = eye(x.size);
  const products = Array.from({ length: x.size }, (_, j) =>
    reshape(times(reshape(index(basis, j), x.shape)) as Tensor, [x.size]),
  );
  const stacked = stack(products);
  return reshape(rule.yields === 'row' ? stacked : transpose(stacked), shape);
}
