/**
 * Level-1 kernels: what you do to one or two vectors (dot products, axpy, norms).
 *
 * Every function takes plain Float64Arrays and returns a new array unless an `out` buffer is
 * given; `out` may be the same array as an input, because each output entry depends only on
 * the input entries at the same index. Nothing here mutates its inputs. Lengths are checked on
 * entry so a mismatch is reported by name instead of turning into NaN or a short result.
 *
 * Left out on purpose: strides and offsets (BLAS's `incx`). Callers who need a view pass
 * `subarray(...)`, which is free.
 */
import { ShapeError } from '../errors.js';

function checkSameLength(fn: string, x: Float64Array, y: Float64Array, xName = 'x', yName = 'y'): void {
  if (x.length !== y.length) {
    throw new ShapeError(
      fn,
      `${xName} has length ${x.length} but ${yName} has length ${y.length}; both must have the same length`,
    );
  }
}

function outputFor(fn: string, length: number, out: Float64Array | undefined): Float64Array {
  if (out === undefined) return new Float64Array(length);
  if (out.length !== length) {
    throw new ShapeError(fn, `out has length ${out.length} but the result has length ${length}`);
  }
  return out;
}

/**
 * Inner product xᵀy.
 *
 * @example
 * dot(new Float64Array([1, 2]), new Float64Array([3, 4])); // → 11
 */
export function dot(x: Float64Array, y: Float64Array): number {
  checkSameLength('dot', x, y);
  const n = x.length;
  // Four independent partial sums let the CPU overlap the additions (a plain loop is one long
  // dependency chain); the error bound stays the usual n·ε·Σ|xᵢyᵢ|.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[i]! * y[i]!;
    s1 += x[i + 1]! * y[i + 1]!;
    s2 += x[i + 2]! * y[i + 2]!;
    s3 += x[i + 3]! * y[i + 3]!;
  }
  for (; i < n; i++) s0 += x[i]! * y[i]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * alpha·x + y, the BLAS "axpy". `out` may alias `x` or `y` (use `out = y` for the in-place update).
 *
 * @example
 * axpy(2, new Float64Array([1, 1]), new Float64Array([0, 1])); // → [2, 3]
 */
export function axpy(alpha: number, x: Float64Array, y: Float64Array, out?: Float64Array): Float64Array {
  checkSameLength('axpy', x, y);
  const result = outputFor('axpy', x.length, out);
  for (let i = 0; i < x.length; i++) result[i] = alpha * x[i]! + y[i]!;
  return result;
}

/**
 * alpha·x. `out` may alias `x`.
 *
 * @example
 * scale(3, new Float64Array([1, -2])); // → [3, -6]
 */
export function scale(alpha: number, x: Float64Array, out?: Float64Array): Float64Array {
  const result = outputFor('scale', x.length, out);
  for (let i = 0; i < x.length; i++) result[i] = alpha * x[i]!;
  return result;
}

/**
 * A fresh copy of x (never shares storage with it).
 *
 * @example
 * const x = new Float64Array([1, 2]);
 * const y = copy(x);
 * y[0] = 5;
 * x; // → [1, 2]   unchanged
 */
export function copy(x: Float64Array): Float64Array {
  return x.slice();
}

/**
 * x + y, elementwise. Named `addVectors` so it does not clash with the tensor op `add`.
 * `out` may alias `x` or `y`.
 *
 * @example
 * addVectors(new Float64Array([1, 2]), new Float64Array([10, 20])); // → [11, 22]
 */
export function addVectors(x: Float64Array, y: Float64Array, out?: Float64Array): Float64Array {
  checkSameLength('addVectors', x, y);
  const result = outputFor('addVectors', x.length, out);
  for (let i = 0; i < x.length; i++) result[i] = x[i]! + y[i]!;
  return result;
}

/**
 * x − y, elementwise. Named `subVectors` so it does not clash with the tensor op `sub`.
 * `out` may alias `x` or `y`.
 *
 * @example
 * subVectors(new Float64Array([5, 5]), new Float64Array([1, 2])); // → [4, 3]
 */
export function subVectors(x: Float64Array, y: Float64Array, out?: Float64Array): Float64Array {
  checkSameLength('subVectors', x, y);
  const result = outputFor('subVectors', x.length, out);
  for (let i = 0; i < x.length; i++) result[i] = x[i]! - y[i]!;
  return result;
}

/**
 * x ⊙ y, the elementwise (Hadamard) product: applying a diagonal matrix diag(y) to x, as a
 * Jacobi preconditioner does, or forming zᵢ(Hz)ᵢ in a Hutchinson diagonal estimate.
 * `out` may alias `x` or `y`.
 *
 * @example
 * multiplyVectors(new Float64Array([1, 2]), new Float64Array([3, 4])); // → [3, 8]
 */
export function multiplyVectors(x: Float64Array, y: Float64Array, out?: Float64Array): Float64Array {
  checkSameLength('multiplyVectors', x, y);
  const result = outputFor('multiplyVectors', x.length, out);
  for (let i = 0; i < x.length; i++) result[i] = x[i]! * y[i]!;
  return result;
}

/**
 * x / divisor, elementwise. Not the same as `scale(1 / divisor, x)`: each entry is one correctly
 * rounded division, where the reciprocal would add a second rounding (so x / x.length-style
 * normalisations stay exact when they can be). `out` may alias `x`.
 *
 * @example
 * divideByScalar(new Float64Array([1, 3]), 3); // → [0.3333333333333333, 1]
 */
export function divideByScalar(x: Float64Array, divisor: number, out?: Float64Array): Float64Array {
  const result = outputFor('divideByScalar', x.length, out);
  for (let i = 0; i < x.length; i++) result[i] = x[i]! / divisor;
  return result;
}

/**
 * The index of the first NaN or ±Infinity in x, or −1 when every entry is finite. Returning
 * the index rather than a boolean lets the caller say where the bad value is.
 *
 * @example
 * indexOfNonFinite(new Float64Array([1, 2])); // → -1
 * indexOfNonFinite(new Float64Array([1, NaN, Infinity])); // → 1
 */
export function indexOfNonFinite(x: Float64Array): number {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i]!)) return i;
  return -1;
}

// Below this, a sum of squares may have lost digits to gradual underflow (squares of entries
// below ~1e-154 are subnormal or zero), so the scaled path recomputes it.
const SUM_OF_SQUARES_UNDERFLOW = 1e-290;

/**
 * Euclidean norm ‖x‖₂, safe against overflow and underflow.
 *
 * The fast path is sqrt(Σxᵢ²). Only when that sum overflows to Infinity or lands in the
 * underflow range is it recomputed as max|xᵢ|·sqrt(Σ(xᵢ/max)²), so ordinary vectors pay for one
 * pass and vectors with entries like 1e200 or 1e-200 still get the right answer.
 *
 * @example
 * norm2(new Float64Array([3, 4])); // → 5
 * norm2(new Float64Array([3e200, 4e200])); // 5e200, not Infinity
 */
export function norm2(x: Float64Array): number {
  const n = x.length;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += x[i]! * x[i]!;
    s1 += x[i + 1]! * x[i + 1]!;
  }
  if (i < n) s0 += x[i]! * x[i]!;
  const sum = s0 + s1;
  if (sum < Infinity && sum >= SUM_OF_SQUARES_UNDERFLOW) return Math.sqrt(sum);
  if (Number.isNaN(sum)) return NaN;
  return scaledNorm2(x);
}

function scaledNorm2(x: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > largest) largest = v;
  }
  if (largest === 0 || largest === Infinity) return largest;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const r = x[i]! / largest;
    sum += r * r;
  }
  return largest * Math.sqrt(sum);
}

/**
 * ‖x‖₁ = Σ|xᵢ|.
 *
 * @example
 * norm1(new Float64Array([1, -2, 3])); // → 6
 */
export function norm1(x: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += Math.abs(x[i]!);
  return sum;
}

/**
 * ‖x‖∞ = max|xᵢ| (0 for an empty vector; NaN if any entry is NaN).
 *
 * @example
 * normInf(new Float64Array([1, -7, 3])); // → 7
 */
export function normInf(x: Float64Array): number {
  let largest = 0;
  for (let i = 0; i < x.length; i++) {
    const v = Math.abs(x[i]!);
    if (v > largest) largest = v;
    else if (v !== v) return NaN; // `>` is false for NaN, so it would otherwise be skipped silently
  }
  return largest;
}
