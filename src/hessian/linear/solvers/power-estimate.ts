/**
 * A cheap dominant-eigenvalue estimate by power iteration, used by the Neumann-type solvers to
 * pick a scale (`scale: 'auto'`) and to explain a divergence.
 *
 * Provides `dominantEigenvalue(apply, n, options)`: the Rayleigh quotient vᵀBv of the
 * power-iteration vector after at most `iterations` steps, with its sign (so it tells +λ_max from
 * a dominant negative eigenvalue). Leaves out deflation and several eigenpairs (see
 * `topEigenpairs` in spectra.ts). Power iteration converges like (|λ₂|/|λ₁|)ᵏ, and its Rayleigh
 * quotient approaches |λ₁| from below, so callers add a safety margin.
 */
import { createRandom } from '../../../linalg/random.js';
import { divideByScalar, dot, norm2 } from '../../../linalg/index.js';

/** The result of `dominantEigenvalue`. */
export interface DominantEigenvalue {
  /** Rayleigh quotient vᵀBv/vᵀv of the last iterate: ≈ the eigenvalue of largest magnitude, signed. */
  value: number;
  /** The last (unit) iterate. */
  vector: Float64Array;
  /** Applications of B spent. */
  applications: number;
}

/**
 * Power iteration vₖ₊₁ = B·vₖ/‖B·vₖ‖ from `start` (or a seeded random vector), stopping after
 * `iterations` steps or once the Rayleigh quotient changes by less than `relativeChange`
 * (checked from step `minIterations` on).
 *
 * @example
 * const B = denseOperator(new Float64Array([3, 0, 0, -5]));
 * dominantEigenvalue((v) => B.apply(v), 2).value; // ≈ −5
 */
export function dominantEigenvalue(
  apply: (v: Float64Array) => Float64Array,
  n: number,
  options: {
    iterations?: number;
    minIterations?: number;
    relativeChange?: number;
    seed?: number;
    start?: Float64Array;
  } = {},
): DominantEigenvalue {
  const { iterations = 50, minIterations = 10, relativeChange = 1e-4, seed = 0 } = options;
  let v = startVector(n, seed, options.start);
  let value = 0;
  let applications = 0;
  for (let k = 0; k < iterations; k++) {
    const w = apply(v);
    applications++;
    // Rayleigh quotient θ = vᵀBv (‖v‖ = 1)
    const next = dot(v, w);
    const wNorm = norm2(w);
    if (!Number.isFinite(next) || !Number.isFinite(wNorm)) break;
    const change = Math.abs(next - value);
    value = next;
    if (wNorm === 0) break; // v is in the null space: B·v = 0, θ = 0 is exact for this v
    v = divideByScalar(w, wNorm);
    if (k + 1 >= minIterations && change <= relativeChange * Math.abs(value)) break;
  }
  return { value, vector: v, applications };
}

function startVector(n: number, seed: number, start: Float64Array | undefined): Float64Array {
  if (start !== undefined) {
    const s = norm2(start);
    if (Number.isFinite(s) && s > 0) return divideByScalar(start, s);
  }
  const v = createRandom(seed).normals(n);
  const s = norm2(v);
  return divideByScalar(v, s);
}
