/**
 * Per-sample gradients, the empirical and sampled Fisher operators, the label samplers, and
 * Bartlett's identity on a well-specified logistic model.
 *
 * Model: per-example negative log-likelihood of logistic regression,
 *   ℓᵢ(w) = softplus(zᵢ) − yᵢzᵢ,  zᵢ = xᵢᵀw (+ b),  ∇ℓᵢ = (σ(zᵢ) − yᵢ)·xᵢ  (and σ(zᵢ) − yᵢ for b),
 *   H(mean NLL) = (1/N) Σ σᵢ(1−σᵢ) xᵢxᵢᵀ,  F_emp = (1/N) Σ (σᵢ − yᵢ)² xᵢxᵢᵀ.
 *
 * Tolerances: per-sample gradients and Fisher products are a few flops from the closed forms
 * (a length-d dot product, a sigmoid, a product; the Fisher adds sums of N terms): 1e-12 relative
 * (ε·(N + d)·small condition factors ≈ 1e-13). Statistical checks use 5 standard errors (two-sided
 * normal tail 5.7e-7), with the data and the draws fixed by seeds so the outcome is deterministic.
 */
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  NonFiniteError,
  ShapeError,
  Tensor,
  add,
  fisherOperator,
  hessian,
  matmul,
  mean,
  mul,
  perSampleGradients,
  sampleBernoulli,
  sampleCategorical,
  softplus,
  sub,
  tensor,
} from '../../src/index.js';
import { createRandom, type RandomSource } from '../../src/linalg/random.js';
import { denseOf, norm, relErr } from '../support/numeric.js';

const sigma = (z: number) => 1 / (1 + Math.exp(-z));

interface Data {
  N: number;
  d: number;
  X: Float64Array;
  y: Int32Array;
  Xt: Tensor;
}

function data(seed: number, N: number, d: number): Data {
  const rng = createRandom(seed);
  const X = rng.normals(N * d);
  const y = Int32Array.from({ length: N }, () => (rng.uniform() < 0.5 ? 1 : 0));
  return { N, d, X, y, Xt: tensor(X, [N, d]) };
}

/** The per-example NLL vector [N] of logistic regression without intercept. */
function nllOf(D: Data) {
  return (w: Tensor, labels: Int32Array) => {
    const z = matmul(D.Xt, w);
    return sub(softplus(z), mul(tensor(Float64Array.from(labels)), z));
  };
}

/** Closed-form per-example gradients (σᵢ − yᵢ)·xᵢ, N × d row-major. */
function closedGradients(D: Data, w: ArrayLike<number>, labels: ArrayLike<number>): Float64Array {
  const G = new Float64Array(D.N * D.d);
  for (let i = 0; i < D.N; i++) {
    let z = 0;
    for (let k = 0; k < D.d; k++) z += D.X[i * D.d + k]! * w[k]!;
    const r = sigma(z) - labels[i]!;
    for (let j = 0; j < D.d; j++) G[i * D.d + j] = r * D.X[i * D.d + j]!;
  }
  return G;
}

/** (1/N) Σ gᵢgᵢᵀ + λI from an N × d matrix of gradients. */
function denseFisher(G: Float64Array, N: number, d: number, lambda: number): Float64Array {
  const F = new Float64Array(d * d);
  for (let i = 0; i < N; i++)
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) F[a * d + b]! += (G[i * d + a]! * G[i * d + b]!) / N;
  for (let a = 0; a < d; a++) F[a * d + a]! += lambda;
  return F;
}

describe('perSampleGradients', () => {
  it('d < N (forward sweeps, one per parameter): rows are (σᵢ − yᵢ)xᵢ', () => {
    const D = data(1, 30, 4);
    const w = createRandom(2).normals(D.d);
    const nll = nllOf(D);
    const psg = perSampleGradients((p: Tensor) => nll(p, D.y), tensor(w));
    expect(psg.count).toBe(30);
    expect(psg.size).toBe(4);
    expect(psg.gradients.length).toBe(30 * 4);
    expect(relErr(psg.gradients, closedGradients(D, w, D.y))).toBeLessThanOrEqual(1e-12);
  });

  it('d ≥ N (backward sweeps, one per example): rows are (σᵢ − yᵢ)xᵢ, including d = N', () => {
    for (const [N, d] of [
      [3, 6],
      [4, 4],
    ] as const) {
      const D = data(3 + N, N, d);
      const w = createRandom(4).normals(d);
      const nll = nllOf(D);
      const psg = perSampleGradients((p: Tensor) => nll(p, D.y), tensor(w));
      expect(psg.count).toBe(N);
      expect(psg.size).toBe(d);
      expect(relErr(psg.gradients, closedGradients(D, w, D.y))).toBeLessThanOrEqual(1e-12);
    }
  });

  it('both regimes agree on the same problem seen from each side of d = N', () => {
    // d = 5 parameters; N = 4 (backward) and N = 6 (forward) share their first 4 examples.
    const D6 = data(5, 6, 5);
    const D4: Data = { N: 4, d: 5, X: D6.X.slice(0, 20), y: D6.y.slice(0, 4), Xt: tensor(D6.X.slice(0, 20), [4, 5]) };
    const w = tensor(createRandom(6).normals(5));
    const g6 = perSampleGradients((p: Tensor) => nllOf(D6)(p, D6.y), w).gradients;
    const g4 = perSampleGradients((p: Tensor) => nllOf(D4)(p, D4.y), w).gradients;
    expect(relErr(g6.slice(0, 20), g4)).toBeLessThanOrEqual(1e-14);
  });

  it('on a tree { w, b }: the columns follow ravel order, the b column is σᵢ − yᵢ', () => {
    const D = data(7, 12, 3);
    const p = { w: tensor(createRandom(8).normals(3)), b: tensor([0.3]) };
    const labels = tensor(Float64Array.from(D.y));
    const loss = (q: typeof p) => {
      const z = add(matmul(D.Xt, q.w), q.b);
      return sub(softplus(z), mul(labels, z));
    };
    const { gradients, size } = perSampleGradients(loss, p);
    expect(size).toBe(4);
    for (let i = 0; i < D.N; i++) {
      let z = 0.3;
      for (let k = 0; k < 3; k++) z += D.X[i * 3 + k]! * p.w.data[k]!;
      const r = sigma(z) - D.y[i]!;
      const expected = [r * D.X[i * 3]!, r * D.X[i * 3 + 1]!, r * D.X[i * 3 + 2]!, r];
      expect(relErr(gradients.slice(i * 4, i * 4 + 4), expected)).toBeLessThanOrEqual(1e-12);
    }
  });

  it('a loss that is not a vector throws ShapeError naming perSampleGradients', () => {
    const D = data(9, 5, 2);
    const w = tensor([0.1, 0.2]);
    expect(() => perSampleGradients((p: Tensor) => mean(nllOf(D)(p, D.y)), w)).toThrow(ShapeError);
    expect(() => perSampleGradients((p: Tensor) => mean(nllOf(D)(p, D.y)), w)).toThrow(/perSampleGradients/);
  });
});

describe("fisherOperator 'empirical'", () => {
  it('equals (1/N) Σ gᵢgᵢᵀ + λI with the closed-form gᵢ', () => {
    const D = data(11, 40, 5);
    const w = createRandom(12).normals(D.d);
    const lambda = 0.05;
    const F = fisherOperator(nllOf(D), tensor(w), D.y, { damping: lambda });
    expect(F.type).toBe('empirical');
    expect(F.damping).toBe(lambda);
    expect(F.size).toBe(D.d);
    expect(F.count).toBe(D.N);
    expect(Array.from(F.labels)).toEqual(Array.from(D.y));
    const G = closedGradients(D, w, D.y);
    expect(relErr(F.gradients, G)).toBeLessThanOrEqual(1e-12);
    expect(relErr(denseOf(F), denseFisher(G, D.N, D.d, lambda))).toBeLessThanOrEqual(1e-12);
  });

  it('apply leaves v untouched; a v of the wrong length throws ShapeError; bad options throw InvalidArgumentError', () => {
    const D = data(13, 10, 3);
    const w = tensor([0.1, -0.2, 0.3]);
    const F = fisherOperator(nllOf(D), w, D.y);
    const v = new Float64Array([1, 2, 3]);
    F.apply(v);
    expect(Array.from(v)).toEqual([1, 2, 3]);
    expect(() => F.apply(new Float64Array(4))).toThrow(ShapeError);
    expect(() => fisherOperator(nllOf(D), w, D.y, { damping: -1 })).toThrow(InvalidArgumentError);
    expect(() => fisherOperator(nllOf(D), w, D.y, { type: 'true' as 'sampled' })).toThrow(InvalidArgumentError);
  });
});

describe("fisherOperator 'sampled'", () => {
  const D = data(21, 50, 4);
  const w = createRandom(22).normals(D.d);
  const logits = (p: Tensor) => matmul(D.Xt, p);
  const sample = (p: Tensor, rng: RandomSource) => sampleBernoulli(logits(p), rng);

  it('without options.sample throws InvalidArgumentError naming fisherOperator', () => {
    expect(() => fisherOperator(nllOf(D), tensor(w), D.y, { type: 'sampled' })).toThrow(InvalidArgumentError);
    expect(() => fisherOperator(nllOf(D), tensor(w), D.y, { type: 'sampled' })).toThrow(/fisherOperator/);
  });

  it('draws its labels from the model with the seed: the same seed reproduces them, another differs', () => {
    const a = fisherOperator(nllOf(D), tensor(w), D.y, { type: 'sampled', sample, seed: 5 });
    const b = fisherOperator(nllOf(D), tensor(w), D.y, { type: 'sampled', sample, seed: 5 });
    const c = fisherOperator(nllOf(D), tensor(w), D.y, { type: 'sampled', sample, seed: 6 });
    expect(a.type).toBe('sampled');
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    expect(Array.from(a.apply(new Float64Array([1, 2, 3, 4])))).toEqual(
      Array.from(b.apply(new Float64Array([1, 2, 3, 4]))),
    );
    // Two independent draws of 50 Bernoulli labels coincide with probability ∏(p² + (1−p)²) < 1e-6 here.
    expect(Array.from(a.labels)).not.toEqual(Array.from(c.labels));
    // They are exactly what the sampler gives with a source seeded the same way — labels from the
    // model at the given params, not the observed ones.
    expect(Array.from(a.labels)).toEqual(Array.from(sampleBernoulli(logits(tensor(w)), createRandom(5))));
    expect(Array.from(a.labels)).not.toEqual(Array.from(D.y));
  });

  it('its gradients and product are those of the sampled labels: (1/N)Σ(σᵢ − ỹᵢ)²xᵢxᵢᵀ + λI', () => {
    const F = fisherOperator(nllOf(D), tensor(w), D.y, { type: 'sampled', sample, seed: 9, damping: 0.01 });
    const G = closedGradients(D, w, F.labels);
    expect(relErr(F.gradients, G)).toBeLessThanOrEqual(1e-12);
    expect(relErr(denseOf(F), denseFisher(G, D.N, D.d, 0.01))).toBeLessThanOrEqual(1e-12);
  });
});

describe('label samplers: frequencies match the model probabilities', () => {
  // With M independent draws of an event of probability p, the count is Binomial(M, p): the
  // frequency has standard error √(p(1−p)/M). A correct sampler is within 5 standard errors
  // with probability 1 − 5.7e-7 per check (the draws are seeded, so the outcome is fixed). An
  // off-by-one class choice or an unnormalised softmax is off by O(p), i.e. ≥ 20 standard errors.
  const M = 20000;

  it('sampleCategorical: rows with two different logit vectors, three classes', () => {
    const rows: [number[], number[]] = [
      [0.5, -1, 1.2],
      [2, 0, -0.5],
    ];
    const logits = new Float64Array(M * 3);
    for (let i = 0; i < M; i++) logits.set(rows[i % 2]!, i * 3);
    const labels = sampleCategorical(tensor(logits, [M, 3]), createRandom(31));
    expect(labels).toBeInstanceOf(Int32Array);
    expect(labels.length).toBe(M);
    for (const [r, row] of rows.entries()) {
      const total = row.reduce((s, t) => s + Math.exp(t), 0);
      const counts = [0, 0, 0];
      for (let i = r; i < M; i += 2) counts[labels[i]!]!++;
      const m = M / 2;
      row.forEach((t, c) => {
        const p = Math.exp(t) / total;
        expect(Math.abs(counts[c]! / m - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / m));
      });
    }
  });

  it('sampleCategorical: huge logits do not overflow (softmax is shifted by the row max)', () => {
    const labels = sampleCategorical(tensor([1000, 0, 0, -1000, -1000, 800], [2, 3]), createRandom(1));
    expect(Array.from(labels)).toEqual([0, 2]);
    expect(() => sampleCategorical(tensor([1, 2, 3]), createRandom(1))).toThrow(ShapeError);
  });

  it('sampleBernoulli: P(1) = σ(logit) for two logits', () => {
    const values = [0.7, -1.5];
    const logits = new Float64Array(M).map((_, i) => values[i % 2]!);
    const labels = sampleBernoulli(tensor(logits), createRandom(32));
    for (const [r, t] of values.entries()) {
      let ones = 0;
      for (let i = r; i < M; i += 2) ones += labels[i]!;
      const p = sigma(t);
      const m = M / 2;
      expect(Math.abs(ones / m - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / m));
    }
  });
});

describe("Bartlett's identity on a well-specified logistic model", () => {
  // Data from the model itself: xᵢ ~ N(0, I₃), yᵢ ~ Bernoulli(σ(xᵢᵀθ*)), N = 20 000, seeded.
  // At θ*, given X: F_emp − H = (1/N) Σ [(σᵢ − yᵢ)² − σᵢ(1−σᵢ)] xᵢxᵢᵀ has mean 0 (E[(σ − y)²] =
  // σ(1−σ)) and, since Var[(σ − y)²] = σ(1−σ)(1−2σ)², entry (j,k) has standard error
  //   se_jk = √(Σᵢ σᵢ(1−σᵢ)(1−2σᵢ)² x_ij² x_ik²) / N   (a few/√N relative to H; 1.3% observed).
  // We require |F − H|_jk ≤ 5·se_jk and ‖F − H‖_F ≤ 5/√N·‖H‖_F (≈ 3.5% relative).
  const N = 20000;
  const d = 3;
  const thetaStar = [0.8, -0.5, 0.3];
  const rng = createRandom(2024);
  const X = rng.normals(N * d);
  const y = new Int32Array(N);
  for (let i = 0; i < N; i++) {
    let z = 0;
    for (let k = 0; k < d; k++) z += X[i * d + k]! * thetaStar[k]!;
    y[i] = rng.uniform() < sigma(z) ? 1 : 0;
  }
  const D: Data = { N, d, X, y, Xt: tensor(X, [N, d]) };
  const nll = nllOf(D);
  const meanNll = (w: Tensor) => mean(nll(w, y));

  function standardErrors(theta: ArrayLike<number>): Float64Array {
    const se = new Float64Array(d * d);
    for (let i = 0; i < N; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += X[i * d + k]! * theta[k]!;
      const s = sigma(z);
      const v = s * (1 - s) * (1 - 2 * s) ** 2;
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) se[a * d + b]! += v * X[i * d + a]! ** 2 * X[i * d + b]! ** 2;
    }
    return se.map((t) => Math.sqrt(t) / N);
  }

  function frobenius(a: Float64Array, b?: Float64Array): number {
    return norm(b === undefined ? a : a.map((t, i) => t - b[i]!));
  }

  it('at θ* the empirical Fisher approximates the Hessian of the mean NLL within 5 standard errors', () => {
    const theta = tensor(thetaStar);
    const F = denseOf(fisherOperator(nll, theta, y));
    const H = hessian(meanNll, theta).data;
    // the engine's Hessian is the closed form (1/N)Σσ(1−σ)xxᵀ
    const closedH = new Float64Array(d * d);
    for (let i = 0; i < N; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += X[i * d + k]! * thetaStar[k]!;
      const s = sigma(z);
      for (let a = 0; a < d; a++)
        for (let b = 0; b < d; b++) closedH[a * d + b]! += (s * (1 - s) * X[i * d + a]! * X[i * d + b]!) / N;
    }
    expect(relErr(H, closedH)).toBeLessThanOrEqual(1e-12);
    const se = standardErrors(thetaStar);
    for (let k = 0; k < d * d; k++) expect(Math.abs(F[k]! - H[k]!)).toBeLessThanOrEqual(5 * se[k]!);
    expect(frobenius(F, H)).toBeLessThanOrEqual((5 / Math.sqrt(N)) * frobenius(H));
  });

  it('away from θ* the identity fails for the empirical Fisher (the check can fail) but the sampled Fisher still matches', () => {
    // At θ = θ* + (1.5, 1.5, −1.5) the labels no longer follow the model: E[(σ − y)²] = σ(1−σ) +
    // (σ − σ*)², so F_emp − H is biased by (1/N)Σ(σ − σ*)²xxᵀ — many standard errors. The sampled
    // Fisher draws labels from the model at θ, so E[F_sampled | X] = H at every θ (canonical link).
    const off = thetaStar.map((t, k) => t + (k === 2 ? -1.5 : 1.5));
    const theta = tensor(off);
    const H = hessian(meanNll, theta).data;
    const empirical = denseOf(fisherOperator(nll, theta, y));
    expect(frobenius(empirical, H)).toBeGreaterThan((5 / Math.sqrt(N)) * frobenius(H));
    const sampled = denseOf(
      fisherOperator(nll, theta, y, {
        type: 'sampled',
        sample: (p: Tensor, r: RandomSource) => sampleBernoulli(matmul(D.Xt, p), r),
        seed: 77,
      }),
    );
    const se = standardErrors(off);
    for (let k = 0; k < d * d; k++) expect(Math.abs(sampled[k]! - H[k]!)).toBeLessThanOrEqual(5 * se[k]!);
    expect(frobenius(sampled, H)).toBeLessThanOrEqual((5 / Math.sqrt(N)) * frobenius(H));
  });
});

describe('fisherOperator and the samplers validate their arguments and hand out copies', () => {
  const D = data(41, 8, 3);
  const w = () => tensor(new Float64Array([0.3, -0.2, 0.1]));
  const v = new Float64Array([1, -2, 0.5]);

  it('labels passed as a number, or holding NaN or a fraction, are errors (they used to become [] or 0)', () => {
    expect(() => fisherOperator(nllOf(D), w(), 8 as unknown as Int32Array)).toThrow(
      /^fisherOperator: labels must be an array of integer indices, got 8; for one index write \[8\]/,
    );
    const withNaN = Array.from(D.y, (y, i) => (i === 3 ? NaN : y));
    expect(() => fisherOperator(nllOf(D), w(), withNaN)).toThrow(NonFiniteError);
    expect(() => fisherOperator(nllOf(D), w(), withNaN)).toThrow(/labels\[3\] is NaN/);
    expect(() =>
      fisherOperator(
        nllOf(D),
        w(),
        Array.from(D.y, (y) => y + 0.5),
      ),
    ).toThrow(/labels\[0\] is 0\.5|labels\[0\] is 1\.5/);
    expect(() => fisherOperator(nllOf(D), w(), [])).toThrow(/^fisherOperator: labels is empty/);
  });

  it('misspelt options and options of the other type are errors', () => {
    expect(() => fisherOperator(nllOf(D), w(), D.y, { dampin: 1 } as unknown as { damping: number })).toThrow(
      /did you mean 'damping'\?/,
    );
    expect(() => fisherOperator(nllOf(D), w(), D.y, { seed: 3 })).toThrow(
      /^fisherOperator: options\.sample and options\.seed only apply to type 'sampled'/,
    );
    const nanSampler = () => Array.from(D.y, () => NaN);
    expect(() => fisherOperator(nllOf(D), w(), D.y, { type: 'sampled', sample: nanSampler })).toThrow(NonFiniteError);
    expect(() => fisherOperator(nllOf(D), w(), D.y, { type: 'sampled', sample: () => [0, 1] })).toThrow(
      /options\.sample returned 2 labels but there are 8 examples/,
    );
  });

  it('gradients and labels are fresh copies on every read; later changes to the given labels do not reach it', () => {
    const labels = Int32Array.from(D.y);
    const F = fisherOperator(nllOf(D), w(), labels, { damping: 0.1 });
    const before = F.apply(v);
    const G = F.gradients;
    expect(G).not.toBe(F.gradients);
    G.fill(NaN);
    F.labels.fill(-1);
    labels.fill(0);
    expect(Array.from(F.labels)).toEqual(Array.from(D.y));
    expect(Array.from(F.apply(v))).toEqual(Array.from(before));
    expect(F.gradients.every(Number.isFinite)).toBe(true);
    expect(Object.isFrozen(F)).toBe(true);
  });

  it('apply refuses a plain array with a hint, and NaN', () => {
    const F = fisherOperator(nllOf(D), w(), D.y);
    expect(() => F.apply([1, 2, 3] as unknown as Float64Array)).toThrow(
      /^fisherOperator\(\)\.apply: v must be a Float64Array.*new Float64Array\(v\)/,
    );
    expect(() => F.apply(new Float64Array([1, NaN, 0]))).toThrow(NonFiniteError);
  });

  it('samplers refuse NaN or infinite logits (they used to draw the last class, or 0), and a bad random source', () => {
    expect(() => sampleCategorical(tensor([[0, NaN, 1]]), createRandom(1))).toThrow(NonFiniteError);
    expect(() => sampleCategorical(tensor([[0, -Infinity, 1]]), createRandom(1))).toThrow(
      /^sampleCategorical: logits\[1\] is -Infinity/,
    );
    expect(() => sampleBernoulli(tensor([NaN, 0]), createRandom(1))).toThrow(NonFiniteError);
    expect(() => sampleBernoulli(tensor([0, 1]), 7 as unknown as RandomSource)).toThrow(
      /^sampleBernoulli: rng must be a random source such as createRandom\(0\), got 7/,
    );
    expect(() => sampleBernoulli([0, 1] as unknown as Tensor, createRandom(1))).toThrow(
      /^sampleBernoulli: logits must be a Tensor/,
    );
    expect(sampleCategorical(tensor(new Float64Array(0), [0, 3]), createRandom(1))).toEqual(new Int32Array(0));
  });

  it('perSampleGradients names itself for a bad tree or a loss that is not a vector', () => {
    expect(() => perSampleGradients((p: Tensor) => p, 'w' as unknown as Tensor)).toThrow(
      /^perSampleGradients: params is 'w' \(a string\)/,
    );
    expect(() => perSampleGradients(() => 'loss' as unknown as Tensor, w())).toThrow(
      /^perSampleGradients: perExampleLoss must return a single Tensor, got 'loss' \(a string\)/,
    );
  });
});
