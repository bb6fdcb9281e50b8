/**
 * Label samplers for the sampled ("true") Fisher: classes drawn from softmax(logits) or 0/1
 * labels from σ(logit), with a seeded random source. Plain arithmetic on the logits' values.
 */
import { InvalidArgumentError, ShapeError, formatShape } from '../errors.js';
import { checkArity, checkFiniteEntries, describeValue } from '../validate.js';
import { Tensor } from '../autodiff/index.js';
import { dataOf } from '../autodiff/tensor.js';
import type { RandomSource } from '../linalg/random.js';

/** A seeded random source, as `createRandom` makes. */
function checkRandomSource(fn: string, rng: unknown): RandomSource {
  if (typeof rng !== 'object' || rng === null || typeof (rng as { uniform?: unknown }).uniform !== 'function') {
    throw new InvalidArgumentError(
      fn,
      `rng must be a random source such as createRandom(0), got ${describeValue(rng)}`,
    );
  }
  return rng as RandomSource;
}

/** The logits of a sampler: a Tensor of the given rank with finite entries. */
function readLogits(fn: string, logits: unknown, rank: number, shapeText: string): Float64Array {
  if (!(logits instanceof Tensor))
    throw new InvalidArgumentError(fn, `logits must be a Tensor of shape ${shapeText}, got ${describeValue(logits)}`);
  if (logits.rank !== rank)
    throw new ShapeError(fn, `logits must have shape ${shapeText}, got ${formatShape(logits.shape)}`);
  const values = dataOf(logits);
  checkFiniteEntries(
    fn,
    'logits',
    values,
    'a probability needs a finite logit (for a class that must never be drawn, use a large negative one such as -1e30)',
  );
  return values;
}

/**
 * Draws one class per row from softmax(logits) (a [N, C] tensor of finite logits) with a seeded
 * random source — the labels of the sampled ("true") Fisher. N = 0 gives an empty array; C must
 * be ≥ 1 when N > 0.
 * @example sampleCategorical(tensor([[0, 0, 50]]), createRandom(0)); // Int32Array [2], almost surely
 */
export function sampleCategorical(logits: Tensor, rng: RandomSource): Int32Array {
  const fn = 'sampleCategorical';
  checkArity(fn, arguments.length, 2);
  const values = readLogits(fn, logits, 2, '[N, C]');
  const source = checkRandomSource(fn, rng);
  const [N, C] = logits.shape as [number, number];
  if (N > 0 && C === 0)
    throw new ShapeError(fn, `logits has shape ${formatShape(logits.shape)}: there are no classes to draw from`);
  const out = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, values[i * C + c]!);
    let total = 0;
    for (let c = 0; c < C; c++) total += Math.exp(values[i * C + c]! - m);
    let u = source.uniform() * total;
    let chosen = C - 1;
    for (let c = 0; c < C; c++) {
      u -= Math.exp(values[i * C + c]! - m);
      if (u < 0) {
        chosen = c;
        break;
      }
    }
    out[i] = chosen;
  }
  return out;
}

/**
 * Draws 0/1 labels with P(1) = σ(logit) per entry of a vector [N] of finite logits (binary models).
 * @example sampleBernoulli(tensor([-50, 50]), createRandom(0)); // Int32Array [0, 1], almost surely
 */
export function sampleBernoulli(logits: Tensor, rng: RandomSource): Int32Array {
  const fn = 'sampleBernoulli';
  checkArity(fn, arguments.length, 2);
  const values = readLogits(fn, logits, 1, '[N]');
  const source = checkRandomSource(fn, rng);
  const out = new Int32Array(values.length);
  for (let i = 0; i < out.length; i++) out[i] = source.uniform() < 1 / (1 + Math.exp(-values[i]!)) ? 1 : 0;
  return out;
}
