import { describe, expect, it } from 'vitest';
import { magnitudePrune, obdPrune, obdSaliency, obsPrune } from '../../src/hessian/applications/index.js';
import { inverse, gemv } from '../../src/linalg/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { InvalidArgumentError, NonFiniteError } from '../../src/errors.js';

// A quadratic loss L(θ) = ½(θ − θ*)ᵀH(θ − θ*) around the "trained" θ*, so every prediction is exact.
const rng = createRandom(5);
const d = 8;
const B = rng.normals(d * d);
const H = new Float64Array(d * d);
for (let i = 0; i < d; i++)
  for (let j = 0; j < d; j++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += B[i * d + k]! * B[j * d + k]!;
    H[i * d + j] = s + (i === j ? 0.5 : 0);
  }
const Hinv = inverse(H, d);
const wStar = rng.normals(d);
const loss = (w: Float64Array) => {
  const e = w.map((v, i) => v - wStar[i]!);
  const He = gemv(H, d, d, e);
  let s = 0;
  for (let i = 0; i < d; i++) s += 0.5 * e[i]! * He[i]!;
  return s;
};
const all = Array.from({ length: d }, (_, i) => i);

describe('pruning', () => {
  it('magnitude and OBD remove the lowest saliencies, nested across sparsities', () => {
    const levels = magnitudePrune(wStar, all, [0.25, 0.5]);
    const zeroed = (w: Float64Array) => all.filter((i) => w[i] === 0);
    expect(zeroed(levels[0]!.weights).length).toBe(2);
    expect(zeroed(levels[1]!.weights).length).toBe(4);
    for (const i of zeroed(levels[0]!.weights)) expect(levels[1]!.weights[i]).toBe(0);
    const smallest = [...all].sort((a, b) => Math.abs(wStar[a]!) - Math.abs(wStar[b]!)).slice(0, 2);
    expect(zeroed(levels[0]!.weights).sort()).toEqual(smallest.sort());
    const diag = Float64Array.from(all, (i) => H[i * d + i]!);
    const saliency = obdSaliency(wStar, diag);
    const obd = obdPrune(wStar, diag, all, [0.125])[0]!;
    const lowest = all.reduce((a, b) => (saliency[a]! <= saliency[b]! ? a : b));
    expect(obd.weights[lowest]).toBe(0);
    // OBD's saliency is the exact loss increase when only that weight moves (a quadratic)
    const single = Float64Array.from(wStar);
    single[lowest] = 0;
    expect(loss(single)).toBeCloseTo(saliency[lowest]!, 10);
  });

  it('one OBS step is the constrained minimum: loss increase = w_q²/(2[H⁻¹]_qq), never worse than OBD', () => {
    const [step] = obsPrune(wStar, Hinv, all, [1 / d]);
    const q = all.find((i) => step!.weights[i] === 0)!;
    const expected = (wStar[q]! * wStar[q]!) / (2 * Hinv[q * d + q]!);
    expect(loss(step!.weights)).toBeCloseTo(expected, 10);
    expect(step!.predictedLossIncrease).toBeCloseTo(expected, 10);
    const diag = Float64Array.from(all, (i) => H[i * d + i]!);
    const obd = obdPrune(wStar, diag, all, [1 / d])[0]!;
    expect(loss(step!.weights)).toBeLessThanOrEqual(loss(obd.weights) + 1e-12);
  });

  it('iterated OBS keeps pruned weights at zero and its predicted increase is exact on a quadratic', () => {
    for (const blockSize of [1, 3]) {
      const levels = obsPrune(wStar, Hinv, all, [0.25, 0.5, 0.75], { blockSize });
      let previous: number[] = [];
      for (const level of levels) {
        const zeroed = all.filter((i) => level.weights[i] === 0);
        expect(zeroed.length).toBe(level.pruned);
        for (const i of previous) expect(level.weights[i]).toBe(0);
        previous = zeroed;
        // on a quadratic the compensated weights are the minimum on the subspace θ_Q = 0
        expect(loss(level.weights)).toBeCloseTo(level.predictedLossIncrease!, 8);
      }
    }
  });

  it('the prunable set restricts what is removed, and bad input is rejected', () => {
    const levels = obsPrune(wStar, Hinv, [0, 1, 2, 3], [1]);
    expect(Array.from(levels[0]!.weights.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(levels[0]!.weights.subarray(4).some((v) => v !== 0)).toBe(true);
    expect(() => magnitudePrune(wStar, [0, 0], [0.5])).toThrow(InvalidArgumentError);
    expect(() => magnitudePrune(wStar, all, [1.5])).toThrow(InvalidArgumentError);
    expect(() => obsPrune(wStar, Hinv, all, [0.5], { blockSize: 0 })).toThrow(InvalidArgumentError);
  });
});

describe('pruning validates its arguments at entry', () => {
  it('sparsities and prunable passed as a number are errors with a hint', () => {
    expect(() => magnitudePrune(wStar, all, 0.5 as unknown as number[])).toThrow(
      /^magnitudePrune: sparsities must be a list of fractions in \[0, 1\], got 0\.5; for one level write \[0\.5\]/,
    );
    expect(() => obdPrune(wStar, wStar, 3 as unknown as number[], [0.5])).toThrow(/^obdPrune: prunable .*write \[3\]/);
    expect(() => obsPrune(wStar, Hinv, all, [NaN])).toThrow(NonFiniteError);
  });

  it('NaN weights or a NaN Hessian diagonal are NonFiniteErrors naming where', () => {
    expect(() =>
      magnitudePrune(
        wStar.map((w, i) => (i === 2 ? NaN : w)),
        all,
        [0.5],
      ),
    ).toThrow(/^magnitudePrune: weights\[2\] is NaN/);
    expect(() => obdSaliency(wStar, new Float64Array(d).fill(Infinity))).toThrow(
      /^obdSaliency: hessianDiagonal\[0\] is Infinity/,
    );
    expect(() =>
      obsPrune(
        wStar,
        Hinv.map((h, k) => (k === 5 ? NaN : h)),
        all,
        [0.5],
      ),
    ).toThrow(/^obsPrune: inverseHessian\[5\] is NaN/);
  });

  it('obsPrune refuses a non-symmetric inverse Hessian unless told to symmetrise it', () => {
    const skewed = Hinv.slice();
    skewed[1] = skewed[1]! + 0.1; // H⁻¹[0, 1] ≠ H⁻¹[1, 0]
    expect(() => obsPrune(wStar, skewed, all, [0.5])).toThrow(
      /^obsPrune: inverseHessian must be symmetric.*symmetrize: true/,
    );
    const symmetrised = Hinv.slice();
    symmetrised[1] = symmetrised[1]! + 0.05;
    symmetrised[d] = symmetrised[d]! + 0.05;
    const [viaOption] = obsPrune(wStar, skewed, all, [0.5], { symmetrize: true });
    const [direct] = obsPrune(wStar, symmetrised, all, [0.5]);
    // (A + Aᵀ)/2 of `skewed` is `symmetrised` up to one rounding per entry
    for (let i = 0; i < d; i++) expect(viaOption!.weights[i]).toBeCloseTo(direct!.weights[i]!, 12);
    expect(() => obsPrune(wStar, Hinv, all, [0.5], { blocksize: 2 } as unknown as { blockSize: number })).toThrow(
      /did you mean 'blockSize'\?/,
    );
  });

  it('sparsity 0 prunes nothing, 1 prunes every listed weight, an empty list returns none; inputs are not modified', () => {
    const weights = wStar.slice();
    const inverse = Hinv.slice();
    for (const levels of [magnitudePrune(weights, [1, 4, 6], [1, 0]), obsPrune(weights, inverse, [1, 4, 6], [0, 1])]) {
      expect(levels.map((l) => l.sparsity)).toEqual([0, 1]);
      expect(Array.from(levels[0]!.weights)).toEqual(Array.from(wStar));
      expect([1, 4, 6].map((q) => levels[1]!.weights[q])).toEqual([0, 0, 0]);
    }
    expect(obdPrune(weights, weights, all, [])).toEqual([]);
    expect(Array.from(weights)).toEqual(Array.from(wStar));
    expect(Array.from(inverse)).toEqual(Array.from(Hinv));
  });
});
