/**
 * IncrementalInverse against dense inverses recomputed from scratch.
 *
 * Error model: one Sherman–Morrison step M⁻¹ − w·uuᵀ/(1 + w·vᵀu) commits rounding errors of
 * about ε·‖M⁻¹‖ per entry (a few flops each), amplified by 1/|1 + w·vᵀu| on a downdate. Errors
 * from successive steps add up, so after K steps the relative error in M⁻¹b is bounded by about
 * K·κ(M)·ε·c for a small c (and grows more like √K when the roundings are independent).
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, NonFiniteError, ShapeError, SingularMatrixError } from '../../src/errors.js';
import { norm2, symmetricEigen } from '../../src/linalg/index.js';
import { createRandom } from '../../src/linalg/random.js';
import { DOWNDATE_THRESHOLD, IncrementalInverse, cgSolve, choleskySolve } from '../../src/hessian/linear/index.js';

const EPS = Number.EPSILON;

/** λI + Σ wᵢvᵢvᵢᵀ formed from scratch. */
function sumMatrix(n: number, damping: number, terms: readonly { v: Float64Array; w: number }[]): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = damping;
  for (const { v, w } of terms)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j]! += w * v[i]! * v[j]!;
  return m;
}

function relativeError(x: Float64Array, reference: Float64Array): number {
  return norm2(x.map((v, i) => v - reference[i]!)) / norm2(reference);
}

function condition(m: Float64Array, n: number): number {
  const { values } = symmetricEigen(m, n);
  return values[n - 1]! / values[0]!;
}

describe('IncrementalInverse', () => {
  it('tracks the dense inverse through 2000 updates and downdates (n = 20)', () => {
    const n = 20;
    const damping = 0.1;
    const rng = createRandom(1);
    const inv = new IncrementalInverse(n, { damping });
    const present: { v: Float64Array; w: number }[] = [];
    let worstCondition = 1;
    let worstError = 0;
    for (let step = 1; step <= 2000; step++) {
      // Keep the count near n, where M is least well conditioned (rank-deficient sum + λI).
      const adding = present.length < 5 || (present.length < 30 && rng.uniform() < 0.5);
      if (adding) {
        const v = rng.normals(n);
        const w = 0.5 + rng.uniform();
        inv.add(v, w);
        present.push({ v, w });
      } else {
        const [{ v, w }] = present.splice(rng.integer(present.length), 1) as [{ v: Float64Array; w: number }];
        inv.remove(v, w);
      }
      if (step % 100 === 0) {
        const m = sumMatrix(n, damping, present);
        worstCondition = Math.max(worstCondition, condition(m, n));
        const b = rng.normals(n);
        const exact = choleskySolve(m, b).x;
        worstError = Math.max(worstError, relativeError(inv.apply(b), exact));
        expect(inv.count).toBe(present.length);
      }
    }
    // Measured: κ(M) up to ≈ 750 and a worst relative error ≈ 5e-11, between the random-walk
    // estimate √K·κ·ε ≈ 7e-12 and the worst-case K·κ·ε ≈ 3e-10 (K = 2000, c = 1), which the test
    // asserts with the κ actually seen.
    expect(worstError).toBeLessThanOrEqual(2000 * worstCondition * EPS);
    expect(inv.check().ok).toBe(true);
  });

  it('addMany (Woodbury) equals repeated add, with and without weights', () => {
    const n = 12;
    const k = 7;
    const rng = createRandom(2);
    const first = rng.normals(n);
    const V = rng.normals(k * n);
    const weights = Array.from({ length: k }, () => 0.1 + rng.uniform());
    const sequential = new IncrementalInverse(n, { damping: 0.5 }).add(first);
    for (let i = 0; i < k; i++) sequential.add(V.subarray(i * n, (i + 1) * n), weights[i]!);
    const batched = new IncrementalInverse(n, { damping: 0.5 }).add(first).addMany(V, weights);
    const m = sumMatrix(n, 0.5, [
      { v: first, w: 1 },
      ...weights.map((w, i) => ({ v: V.slice(i * n, (i + 1) * n), w })),
    ]);
    const kappa = condition(m, n);
    // Both are k + 1 updates away from λ⁻¹I: each within (k + 1)·κ·ε of the truth.
    const a = sequential.toMatrix();
    const b = batched.toMatrix();
    let difference = 0;
    let size = 0;
    for (let i = 0; i < n * n; i++) {
      difference = Math.max(difference, Math.abs(a[i]! - b[i]!));
      size = Math.max(size, Math.abs(a[i]!));
    }
    expect(difference / size).toBeLessThanOrEqual(2 * (k + 1) * kappa * EPS);
    expect(batched.count).toBe(k + 1);
    expect(
      Array.from(batched.toSumMatrix()).every((x, i) => Math.abs(x - m[i]!) <= 1e-13 * Math.abs(m[i]!) + 1e-13),
    ).toBe(true);
    // default weights
    const unweighted = new IncrementalInverse(n, { damping: 0.5, weight: 2 }).addMany(V);
    const expected = sumMatrix(
      n,
      0.5,
      weights.map((_, i) => ({ v: V.slice(i * n, (i + 1) * n), w: 2 })),
    );
    const probe = rng.normals(n);
    expect(relativeError(unweighted.apply(probe), choleskySolve(expected, probe).x)).toBeLessThanOrEqual(
      2 * k * condition(expected, n) * EPS,
    );
  });

  it('refuses to remove a vector that was never added, or was removed already, and changes nothing', () => {
    const n = 6;
    const rng = createRandom(3);
    const inv = new IncrementalInverse(n, { damping: 0.01 });
    const added = rng.normals(n);
    inv.add(added);
    const before = inv.toMatrix();
    const sumBefore = inv.toSumMatrix();
    const never = rng.normals(n);
    let caught: unknown;
    try {
      inv.remove(never);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidArgumentError);
    expect((caught as InvalidArgumentError).message).toMatch(
      /^IncrementalInverse.remove: v was never added .*nothing was changed/,
    );
    expect(inv.toMatrix()).toEqual(before);
    expect(inv.toSumMatrix()).toEqual(sumBefore);
    expect(inv.count).toBe(1);
    // a copy of the added vector is the same vector; one entry off by an ulp is not
    inv.remove(Float64Array.from(added));
    expect(inv.count).toBe(0);
    expect(() => inv.remove(added)).toThrow(/never added \(or all its weight was removed already\)/);
    const nearly = Float64Array.from(added);
    nearly[2] = nearly[2]! * (1 + EPS);
    inv.add(added);
    expect(() => inv.remove(nearly)).toThrow(InvalidArgumentError);
  });

  it('a small never-added vector is refused too, so count never goes negative', () => {
    // The rank-one formula alone would accept it (λI − vvᵀ stays positive definite) and count −1.
    const inv = new IncrementalInverse(3, { damping: 1 });
    expect(() => inv.remove(new Float64Array([0.5, 0, 0]))).toThrow(InvalidArgumentError);
    expect(inv.count).toBe(0);
    expect(Array.from(inv.toMatrix())).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('weights accumulate per distinct vector; more weight than a vector holds cannot be removed', () => {
    const inv = new IncrementalInverse(2, { damping: 1 });
    const v = new Float64Array([1, 2]);
    inv.add(v).add(v); // one distinct vector holding weight 2
    expect(inv.count).toBe(1);
    expect(() => inv.remove(v, 2.5)).toThrow(
      /^IncrementalInverse.remove: v holds weight 2 in the sum, so weight 2.5 cannot be removed/,
    );
    inv.remove(v);
    expect(inv.count).toBe(1);
    inv.remove(v);
    expect(inv.count).toBe(0);
    expect(() => inv.remove(v)).toThrow(InvalidArgumentError);
    // 0.3 − 0.1 − 0.2 is −2.8e-17 in floating point: that is all of it, not a refusal
    inv.add(v, 0.3).remove(v, 0.1).remove(v, 0.2);
    expect(inv.count).toBe(0);
    // −0 and 0 give the same vvᵀ: the same vector
    inv.add(new Float64Array([0, 1]));
    inv.remove(new Float64Array([-0, 1]));
    expect(inv.count).toBe(0);
    expect(inv.residual()).toBeLessThan(1e-15);
  });

  it('vectors added by addMany and fromGradients can be removed; each row is kept as a copy', () => {
    const V = new Float64Array([1, 0, 0, 0, 1, 1]);
    const inv = new IncrementalInverse(3, { damping: 1 }).addMany(V, [2, 1]);
    V.fill(7); // the caller's array is not the kept copy
    inv.remove(new Float64Array([1, 0, 0]), 2).remove(new Float64Array([0, 1, 1]));
    expect(inv.count).toBe(0);
    const identity = Array.from(inv.toMatrix()).map((x) => Math.round(x * 1e14) / 1e14 + 0);
    expect(identity).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    const G = new Float64Array([1, 2, 3, 4]);
    const fisher = IncrementalInverse.fromGradients(G, 2, 2, { damping: 1 });
    expect(fisher.count).toBe(2);
    fisher.remove(new Float64Array([3, 4])); // default weight 1/N
    expect(() => fisher.remove(new Float64Array([3, 4]))).toThrow(InvalidArgumentError);
    expect(fisher.count).toBe(1);
  });

  it('a legitimate removal that leaves the matrix ill-conditioned is refactored, not refused', () => {
    // M = diag(1 + λ, λ) with λ = 1e-10; removing e₁e₁ᵀ has Sherman–Morrison denominator
    // 1 − 1/(1 + λ) ≈ 1e-10 ≤ √ε: too small for the formula, but the removal is valid.
    const lambda = 1e-10;
    const inv = new IncrementalInverse(2, { damping: lambda });
    const e1 = new Float64Array([1, 0]);
    inv.add(e1);
    expect(1 - 1 / (1 + lambda)).toBeLessThan(DOWNDATE_THRESHOLD);
    inv.remove(e1);
    // The kept M holds 1 + λ with an absolute rounding error ≤ ε/2, and (1 + λ) − 1 = λ inherits
    // it: the result is λ⁻¹ to a relative ε(1 + λ)/λ ≈ 2.2e-6 — the cancellation, not the method.
    const x = inv.apply(new Float64Array([1, 1]));
    expect(Math.abs(x[0]! * lambda - 1)).toBeLessThanOrEqual((EPS * (1 + lambda)) / lambda);
    expect(Math.abs(x[1]! * lambda - 1)).toBeLessThanOrEqual(4 * EPS);
    expect(inv.count).toBe(0);
    // λ = 1e-20 is below the rounding of 1 + λ: the kept sum holds exactly 1 (refresh makes the
    // inverse exact for it), and M − e₁e₁ᵀ has a zero pivot: SingularMatrixError, nothing changed.
    const lost = new IncrementalInverse(2, { damping: 1e-20 }).add(e1).refresh();
    const before = lost.toMatrix();
    expect(() => lost.remove(e1)).toThrow(SingularMatrixError);
    expect(() => lost.remove(e1)).toThrow(
      /^IncrementalInverse.remove: .*not positive definite to working precision; nothing was changed/,
    );
    expect(lost.toMatrix()).toEqual(before);
    expect(lost.count).toBe(1);
  });

  it('fromGradients matches the dense damped empirical Fisher inverse', () => {
    const N = 300;
    const n = 15;
    const G = createRandom(4).normals(N * n);
    const damping = 1e-3;
    for (const average of [true, false]) {
      const inv = IncrementalInverse.fromGradients(G, N, n, { damping, average });
      const w = average ? 1 / N : 1;
      const terms = Array.from({ length: N }, (_, i) => ({ v: G.slice(i * n, (i + 1) * n), w }));
      const m = sumMatrix(n, damping, terms);
      const b = createRandom(5).normals(n);
      // one Cholesky inverse: accurate to about n·κ·ε
      expect(relativeError(inv.apply(b), choleskySolve(m, b).x)).toBeLessThanOrEqual(10 * n * condition(m, n) * EPS);
      expect(inv.count).toBe(N);
      expect(inv.weight).toBe(w);
    }
    // then a leave-one-out removal matches the Fisher of the other N − 1 gradients (weights 1/N)
    const inv = IncrementalInverse.fromGradients(G, N, n, { damping });
    inv.remove(G.slice(0, n));
    const rest = sumMatrix(
      n,
      damping,
      Array.from({ length: N - 1 }, (_, i) => ({ v: G.slice((i + 1) * n, (i + 2) * n), w: 1 / N })),
    );
    const b = createRandom(6).normals(n);
    expect(relativeError(inv.apply(b), choleskySolve(rest, b).x)).toBeLessThanOrEqual(
      20 * n * condition(rest, n) * EPS,
    );
  });

  it('check, residual and refresh: drift is measured and repaired', () => {
    const n = 10;
    const rng = createRandom(7);
    const inv = new IncrementalInverse(n, { damping: 1e-2 });
    for (let i = 0; i < 50; i++) inv.add(rng.normals(n));
    const { residual, ok } = inv.check();
    expect(ok).toBe(true);
    expect(residual).toBeLessThan(1e-10);
    expect(inv.residual(new Float64Array(n))).toBe(0);
    expect(inv.check({ tolerance: 1e-30 }).ok).toBe(false);
    const refreshed = inv.refresh().residual();
    expect(refreshed).toBeLessThan(1e-12);
  });

  it('asOperator applies the inverse (live) and serves as a CG preconditioner', () => {
    const n = 30;
    const N = 200;
    const G = createRandom(8).normals(N * n);
    for (let i = 0; i < N; i++) for (let j = 0; j < n; j++) G[i * n + j]! *= 10 ** (j / 10); // badly scaled features
    const fisher = IncrementalInverse.fromGradients(G, N, n, { damping: 1e-3 });
    const h = fisher.toSumMatrix(); // pretend the Hessian is the Fisher itself…
    for (let i = 0; i < n; i++) h[i * n + i]! *= 1.05; // …slightly perturbed
    const b = createRandom(9).normals(n);
    const plain = cgSolve(h, b, { tolerance: 1e-10 });
    const preconditioned = cgSolve(h, b, { tolerance: 1e-10, preconditioner: fisher.asOperator() });
    expect(preconditioned.converged).toBe(true);
    expect(preconditioned.iterations).toBeLessThan(plain.iterations / 2);
    const op = fisher.asOperator();
    const probe = createRandom(10).normals(n);
    const before = op.apply(probe);
    fisher.add(probe);
    expect(op.apply(probe)).not.toEqual(before); // live view
    expect(op.diagonal!()[0]).toBe(fisher.toMatrix()[0]);
  });

  it('input errors name the method and the problem', () => {
    expect(() => new IncrementalInverse(3, { damping: 0 })).toThrow(
      /IncrementalInverse: damping must be .* > 0.*singular until/,
    );
    expect(() => new IncrementalInverse(3, { damping: -1 })).toThrow(InvalidArgumentError);
    expect(() => new IncrementalInverse(0, { damping: 1 })).toThrow(InvalidArgumentError);
    expect(() => new IncrementalInverse(3, { damping: 1, weight: 0 })).toThrow(InvalidArgumentError);
    const inv = new IncrementalInverse(3, { damping: 1 });
    expect(() => inv.add(new Float64Array(2))).toThrow(/^IncrementalInverse.add: v must have length 3, got length 2/);
    expect(() => inv.add(new Float64Array([1, Number.NaN, 0]))).toThrow(NonFiniteError);
    expect(() => inv.add(new Float64Array(3), -1)).toThrow(/use remove\(\)/);
    expect(() => inv.remove(new Float64Array(3), 0)).toThrow(InvalidArgumentError);
    expect(() => inv.apply(new Float64Array(4))).toThrow(ShapeError);
    expect(() => inv.addMany(new Float64Array(5))).toThrow(ShapeError);
    expect(() => inv.addMany(new Float64Array(6), [1])).toThrow(ShapeError);
    expect(() => inv.addMany(new Float64Array(6), [1, -1])).toThrow(InvalidArgumentError);
    expect(() => IncrementalInverse.fromGradients(new Float64Array(5), 2, 3, { damping: 1 })).toThrow(ShapeError);
    expect(() => IncrementalInverse.fromGradients(new Float64Array(6), 2, 3, { damping: 0 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => IncrementalInverse.fromGradients(new Float64Array(6), 2, 3, { damping: 0 })).toThrow(
      /^IncrementalInverse.fromGradients: damping/,
    );
    expect(() => new IncrementalInverse(3, { dampng: 1 } as never)).toThrow(
      /unknown option 'dampng'; did you mean 'damping'\?/,
    );
    expect(() => new IncrementalInverse(3, null as never)).toThrow(/^IncrementalInverse: options must be an object/);
    expect(() => new IncrementalInverse(3, undefined as never)).toThrow(
      /^IncrementalInverse: options \{ damping \} is required/,
    );
    expect(() => inv.addMany(new Float64Array(3), [Number.NaN])).toThrow(
      /weights\[0\] must be a finite number > 0, got NaN/,
    );
    expect(() => inv.check({ tolerance: 0 })).toThrow(/^IncrementalInverse.check: tolerance/);
    expect(() => inv.check({ sampel: new Float64Array(3) } as never)).toThrow(/did you mean 'sample'\?/);
    expect(() => inv.residual(new Float64Array(2))).toThrow(/^IncrementalInverse.residual: sample must have length 3/);
    expect(() => (inv.toMatrix as (...a: unknown[]) => unknown).call(inv, 1)).toThrow(
      /^IncrementalInverse.toMatrix: takes at most 0 arguments/,
    );
    expect(() => inv.asOperator().apply(new Float64Array(2))).toThrow(
      /^IncrementalInverse.asOperator\(\)\.apply: v must have length 3/,
    );
    const detached = inv.apply;
    expect(() => detached(new Float64Array(3))).toThrow(
      /^IncrementalInverse.apply: was called on undefined, not on an IncrementalInverse; .*bind\(inv\)/,
    );
  });

  it('its state is private: no array it holds can be reached or written from outside', () => {
    const inv = new IncrementalInverse(2, { damping: 1 }).add(new Float64Array([1, 2]));
    const arrays = Object.values(inv as unknown as Record<string, unknown>).filter((x) => x instanceof Float64Array);
    expect(arrays).toEqual([]);
    // size is a getter without a setter: in strict-mode code the write throws, and nothing changes
    expect(() => {
      (inv as unknown as { size: number }).size = 5;
    }).toThrow(TypeError);
    expect(inv.size).toBe(2);
    inv.toMatrix().fill(Number.NaN);
    inv.asOperator().diagonal!().fill(Number.NaN);
    expect(inv.check().ok).toBe(true);
  });

  it('handles n = 1 and an empty addMany', () => {
    const inv = new IncrementalInverse(1, { damping: 2 }).add(new Float64Array([1]), 2);
    expect(inv.apply(new Float64Array([4]))[0]).toBeCloseTo(1, 15);
    expect(inv.addMany(new Float64Array(0)).count).toBe(1);
    expect(() => inv.addMany(new Float64Array(0), [1])).toThrow(ShapeError);
  });

  it('never mutates its arguments', () => {
    const v = new Float64Array([1, 2, 3]);
    const V = new Float64Array([1, 0, 0, 0, 1, 0]);
    const inv = new IncrementalInverse(3, { damping: 1 }).add(v).addMany(V);
    inv.apply(v);
    inv.remove(v);
    expect(Array.from(v)).toEqual([1, 2, 3]);
    expect(Array.from(V)).toEqual([1, 0, 0, 0, 1, 0]);
  });
});
