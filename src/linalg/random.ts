/**
 * A small, seeded pseudo-random source, so every example, test and stochastic solver in
 * tapegrad is reproducible from a number.
 *
 * The generator is xoshiro128** (Blackman & Vigna), seeded through splitmix32; both work in
 * 32-bit integer arithmetic, which JavaScript does exactly with `Math.imul` and `>>> 0`.
 * Doubles take 53 random bits (two draws), normals come from the Box–Muller transform.
 * It is not cryptographic.
 *
 * Every method checks its arguments (errors name e.g. 'createRandom().normals') and every array
 * it returns is fresh. Lengths may be 0 (an empty array); a draw from nothing (`integer(0)`) is
 * an error.
 */
import { InvalidArgumentError, ShapeError } from '../errors.js';
import { checkArity, checkCount, checkNumber, checkSeed, checkSize } from '../validate.js';

/** A seeded pseudo-random source, made by `createRandom(seed)`: the same seed gives the same draws on every platform. */
export interface RandomSource {
  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number;
  /** A standard normal draw N(0, 1). */
  normal(): number;
  /** An integer uniform in [0, n), for an integer 1 ≤ n ≤ 2⁵³ − 1. */
  integer(n: number): number;
  /** ±1 with equal probability (the Rademacher distribution used by Hutchinson's estimator). */
  rademacher(): number;
  /** A new array of `n` ≥ 0 standard normal draws. */
  normals(n: number): Float64Array;
  /** A new array of `n` ≥ 0 uniform draws in [low, high) (default [0, 1); low < high, both finite). */
  uniforms(n: number, low?: number, high?: number): Float64Array;
  /** A new array of `n` ≥ 0 Rademacher draws. */
  rademachers(n: number): Float64Array;
  /** `k` distinct indices drawn uniformly from [0, n), in draw order (0 ≤ k ≤ n < 2³¹). */
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

/** A length for a new Float64Array: an integer ≥ 0 that a typed array can hold. */
function checkLength(fn: string, n: unknown): number {
  checkCount(fn, 'n', n);
  checkSize(fn, n as number, `n = ${n}`);
  return n as number;
}

/** Int32Array indices reach 2³¹ − 1. */
const MAX_INDEX_RANGE = 2 ** 31 - 1;

/**
 * Creates a seeded random source. The same seed gives the same sequence on every platform. The
 * seed is any finite number (its integer part is used; default 0).
 *
 * @example
 * const rng = createRandom(42);
 * const v = rng.normals(3); // three N(0,1) draws, identical on every run
 */
export function createRandom(seed?: number): RandomSource {
  checkArity('createRandom', arguments.length, 1);
  const start = seed === undefined ? 0 : checkSeed('createRandom', seed);
  const init = splitmix32(Math.floor(start) ^ Math.floor(start / 2 ** 32));
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

  // The draws themselves, unchecked: the public methods below check once and loop over these.
  const uniform = (): number => {
    const high = next32() >>> 5; // 27 bits
    const low = next32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  };
  let spareNormal: number | undefined;
  const normal = (): number => {
    if (spareNormal !== undefined) {
      const z = spareNormal;
      spareNormal = undefined;
      return z;
    }
    let u = 0;
    while (u === 0) u = uniform();
    const v = uniform();
    const radius = Math.sqrt(-2 * Math.log(u));
    spareNormal = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
  const integer = (n: number): number => Math.floor(uniform() * n);
  const rademacher = (): number => ((next32() & 1) === 0 ? -1 : 1);
  const name = (method: string): string => `createRandom().${method}`;

  return {
    uniform(...args: unknown[]) {
      checkArity(name('uniform'), args.length, 0);
      return uniform();
    },
    normal(...args: unknown[]) {
      checkArity(name('normal'), args.length, 0);
      return normal();
    },
    integer(...args: unknown[]) {
      const fn = name('integer');
      checkArity(fn, args.length, 1);
      const n = checkNumber(fn, 'n', args[0], { integer: true, min: 1, max: Number.MAX_SAFE_INTEGER });
      return integer(n);
    },
    rademacher(...args: unknown[]) {
      checkArity(name('rademacher'), args.length, 0);
      return rademacher();
    },
    normals(...args: unknown[]) {
      const fn = name('normals');
      checkArity(fn, args.length, 1);
      const out = new Float64Array(checkLength(fn, args[0]));
      for (let i = 0; i < out.length; i++) out[i] = normal();
      return out;
    },
    uniforms(...args: unknown[]) {
      const fn = name('uniforms');
      checkArity(fn, args.length, 3);
      const n = checkLength(fn, args[0]);
      const low = args[1] === undefined ? 0 : checkNumber(fn, 'low', args[1]);
      const high = args[2] === undefined ? 1 : checkNumber(fn, 'high', args[2]);
      if (!(low < high) || !Number.isFinite(high - low)) {
        throw new InvalidArgumentError(
          fn,
          `the range [low, high) must be non-empty and its width finite, got low = ${low}, high = ${high}`,
        );
      }
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = low + (high - low) * uniform();
      return out;
    },
    rademachers(...args: unknown[]) {
      const fn = name('rademachers');
      checkArity(fn, args.length, 1);
      const out = new Float64Array(checkLength(fn, args[0]));
      for (let i = 0; i < out.length; i++) out[i] = rademacher();
      return out;
    },
    sampleWithoutReplacement(...args: unknown[]) {
      const fn = name('sampleWithoutReplacement');
      checkArity(fn, args.length, 2);
      const n = checkCount(fn, 'n', args[0]);
      if (n > MAX_INDEX_RANGE)
        throw new ShapeError(fn, `n = ${n} is too large: the indices are an Int32Array, so n ≤ 2³¹ − 1`);
      const k = checkCount(fn, 'k', args[1]);
      if (k > n)
        throw new InvalidArgumentError(
          fn,
          `cannot draw k = ${k} distinct indices from n = ${n}; k must be an integer in [0, n]`,
        );
      // Partial Fisher–Yates over an index array.
      const pool = new Int32Array(n);
      for (let i = 0; i < n; i++) pool[i] = i;
      for (let i = 0; i < k; i++) {
        const j = i + integer(n - i);
        const tmp = pool[i]!;
        pool[i] = pool[j]!;
        pool[j] = tmp;
      }
      return pool.slice(0, k);
    },
  } as RandomSource;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
