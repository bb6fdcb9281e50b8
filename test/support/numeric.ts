/**
 * Numeric helpers shared by the tests: norms and relative errors, and symmetric matrices with a
 * prescribed spectrum (the standard way to test solvers well and badly conditioned).
 */
import { expect } from 'vitest';
import { symmetricEigen, symmetrize } from '../../src/linalg/index.js';
import { createRandom } from '../../src/linalg/random.js';

export const EPS = Number.EPSILON;

/** The exact AD modes of hvp / hessian. */
export const AD_MODES = ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd'] as const;

/** Euclidean norm. */
export function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** ‖a − b‖, asserting equal lengths. */
export function diffNorm(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
}

/** ‖a − ref‖/‖ref‖, asserting equal lengths. */
export function relErr(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  return diffNorm(a, ref) / norm(ref);
}

/** Q·diag(λ)·Qᵀ and Q (columns = eigenvectors), Q from the eigenvectors of a random symmetric matrix (orthogonal to ~n·ε). */
export function withSpectrumAndVectors(
  eigenvalues: readonly number[],
  seed: number,
): { h: Float64Array; q: Float64Array } {
  const n = eigenvalues.length;
  const g = createRandom(seed).normals(n * n);
  const { vectors: q } = symmetricEigen(symmetrize(g, n), n);
  const h = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += q[i * n + k]! * eigenvalues[k]! * q[j * n + k]!;
      h[i * n + j] = s;
      h[j * n + i] = s;
    }
  }
  return { h, q };
}

/** Q·diag(λ)·Qᵀ for a random orthogonal Q. */
export function withSpectrum(eigenvalues: readonly number[], seed: number): Float64Array {
  return withSpectrumAndVectors(eigenvalues, seed).h;
}

/**
 * The columns of an operator as a row-major n×n matrix (column j = apply(eⱼ)) — written out here
 * rather than taken from the library's operatorToMatrix, so tests do not check it against itself.
 */
export function denseOf(op: { size: number; apply(v: Float64Array): Float64Array }): Float64Array {
  const n = op.size;
  const M = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const e = new Float64Array(n);
    e[j] = 1;
    const col = op.apply(e);
    for (let i = 0; i < n; i++) M[i * n + j] = col[i]!;
  }
  return M;
}
