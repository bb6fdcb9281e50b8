/**
 * A small, seeded pseudo-random source, so every example, test and stochastic solver in
 * tapegrad is reproducible from a number.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32; both work in
 * 32-bit integer arithmetic, which JavaScript does exactly with `Math.imul` and `>>> 0`.
 * Doubles take 53 random bits (two draws), normals come from the Box–Muller transform.
 * It is not cryptographic.
 */
import { InvalidArgumentError } from '../errors.js';

export interface RandomSource {
  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A standard normal draw N(0, 1). */
  normal(): number;
  /** An integer uniform in [0, n). */
  integer(n: number): number;
  /** ±1 with equal probability (the Rademacher distribution used by Hutchinson's estimator). */
  rademacher(): number;
  /** A new array of `n` standard normal draws. */
  normals(n: number): Float64Array;
  /** A new array of `n` uniform draws in [low, high). */
  uniforms(n: number, low?: number, high?: number): Float64Array;
  /** A new array of `n` Rademacher draws. */
  rademachers(n: number): Float64Array;
  /** `k` distinct indices drawn uniformly from [0, n), in draw order. */
  sampleWithoutReplacement(n: number, k: number): Int32Array;
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * Creates a seeded random source. The same seed gives the same sequence on every platform.
 *
 * @example
 * const rng = createRandom(42);
 * const v = rng.normals(3); // three N(0,1) draws, identical on every run
 */
export function createRandom(seed = 0): RandomSource {
  if (!Number.isFinite(seed)) {
    throw new InvalidArgumentError('createRandom', `seed must be a finite number, got ${seed}`);
  }
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  if ((a | b | c | d) === 0) a = 1; // xoshiro's all-zero state is a fixed point

  function next32(): number {
    const result = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result;
  }

  let spareNormal: number | undefined;

  const source: RandomSource = {
    uniform() {
      const high = next32() >>> 5; // 27 bits
      const low = next32() >>> 6; // 26 bits
      return (high * 67108864 + low) / 9007199254740992;
    },
    normal() {
      if (spareNormal !== undefined) {
        const z = spareNormal;
        spareNormal = undefined;
        return z;
      }
      let u = 0;
      while (u === 0) u = source.uniform();
      const v = source.uniform();
      const radius = Math.sqrt(-2 * Math.log(u));
      spareNormal = radius * Math.sin(2 * Math.PI * v);
      return radius * Math.cos(2 * Math.PI * v);
    },
    integer(n) {
      if (!Number.isInteger(n) || n <= 0) {
        throw new InvalidArgumentError('RandomSource.integer', `n must be a positive integer, got ${n}`);
      }
      return Math.floor(source.uniform() * n);
    },
    rademacher() {
      return (next32() & 1) === 0 ? -1 : 1;
    },
    normals(n) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = source.normal();
      return out;
    },
    uniforms(n, low = 0, high = 1) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = low + (high - low) * source.uniform();
      return out;
    },
    rademachers(n) {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = source.rademacher();
      return out;
    },
    sampleWithoutReplacement(n, k) {
      if (!Number.isInteger(k) || k < 0 || k > n) {
        throw new InvalidArgumentError(
          'RandomSource.sampleWithoutReplacement',
          `cannot draw ${k} distinct indices from ${n}; k must be an integer in [0, n]`,
        );
      }
      // Partial Fisher–Yates over an index array.
      const pool = new Int32Array(n);
      for (let i = 0; i < n; i++) pool[i] = i;
      for (let i = 0; i < k; i++) {
        const j = i + source.integer(n - i);
        const tmp = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = tmp;
      }
      return pool.slice(0, k);
    },
  };
  return source;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
