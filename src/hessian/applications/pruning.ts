/**
 * Pruning a trained network without retraining: which weights can be set to zero at least cost?
 *
 * Around a minimum θ̂ the loss is ≈ L(θ̂) + ½δθᵀHδθ. Setting weight q to zero is the constraint
 * e_qᵀδθ + w_q = 0, and three answers of increasing care rank the weights by a saliency:
 *
 *   magnitude  |w_q|: assumes every weight matters equally per unit of size.
 *   OBD        ½·H_qq·w_q² (LeCun, Denker & Solla 1990): the loss increase if only w_q moves,
 *              from the exact Hessian DIAGONAL (d Hessian-vector products). Off-diagonal
 *              couplings are ignored, and nothing compensates for the removed weight.
 *   OBS        w_q²/(2[H⁻¹]_qq) (Hassibi & Stork 1993): the loss increase when every OTHER weight
 *              moves optimally to compensate, by δθ = −(w_q/[H⁻¹]_qq)·H⁻¹e_q. Needs H⁻¹; here
 *              the Sherman–Morrison inverse of the damped empirical Fisher λI + (1/N)Σgᵢgᵢᵀ
 *              (IncrementalInverse.fromGradients, as in WoodFisher), never the dense Hessian.
 *
 * OBS removes weights ONE AT A TIME (or in small blocks, `blockSize`): after removing the set Q the
 * remaining weights live on the subspace θ_Q = 0, whose inverse Hessian is the Schur-complement
 * update
 *
 *     H⁻¹ ← H⁻¹ − H⁻¹[:, Q]·(H⁻¹[Q, Q])⁻¹·H⁻¹[Q, :]
 *
 * — for one weight a rank-one downdate that zeroes row and column q. With those rows zero, later
 * compensating updates never move an already pruned weight, and the saliencies of the remaining
 * weights are recomputed from the updated diagonal before each removal. A block of k weights is
 * the k lowest current saliencies removed jointly with the exact multi-weight OBS step
 * δθ = −H⁻¹[:, Q](H⁻¹[Q, Q])⁻¹w_Q (cheaper, slightly greedier than k single steps).
 * Each removal costs O(d²), so pruning m weights is O(m·d²): fine for the thousand-parameter
 * networks this targets.
 *
 * Provides `magnitudePrune`, `obdSaliency`, `obdPrune`, `obsPrune`, all returning the pruned
 * weight vectors at the requested sparsities (fractions of the `prunable` parameters set to 0).
 * Leaves out retraining after pruning and structured (neuron/channel) pruning.
 */
import { InvalidArgumentError, NonFiniteError, ShapeError } from '../../errors.js';
import {
  axpy,
  cholesky,
  choleskySolveFactor,
  dot,
  gemm,
  rank1Update,
  solveLowerTriangular,
  subVectors,
  symmetrize,
  transpose,
} from '../../linalg/index.js';
import {
  checkArity,
  checkBoolean,
  checkIndexList,
  checkNumber,
  checkPositiveInteger,
  checkSymmetric,
  checkVector,
  describeValue,
  readOptions,
} from '../../validate.js';

/** The weights at one sparsity level. */
export interface PrunedWeights {
  /** Requested fraction of the prunable parameters set to zero. */
  sparsity: number;
  /** How many were set to zero. */
  pruned: number;
  /** The full parameter vector after pruning (and, for OBS, compensation). */
  weights: Float64Array;
  /** OBS only: the quadratic model's predicted loss increase ½Σ w_Qᵀ(H⁻¹[Q,Q])⁻¹w_Q so far. */
  predictedLossIncrease?: number;
}

/**
 * Magnitude pruning: zeroes the smallest |w_q| among `prunable` at each sparsity (one ranking,
 * nested levels). `weights` (finite) is not modified; each level gets its own copy.
 *
 * `prunable` lists distinct parameter indices (at least one); `sparsities` is a list of fractions
 * in [0, 1] of those to zero, round(s·m) of m — 0 prunes nothing, 1 prunes every listed weight; the
 * levels come back sorted ascending, and an empty list gives an empty result.
 * @example magnitudePrune(weights, weightIndices, [0.5, 0.9]);
 */
export function magnitudePrune(
  weights: Float64Array,
  prunable: ArrayLike<number>,
  sparsities: readonly number[],
): PrunedWeights[] {
  const fn = 'magnitudePrune';
  checkArity(fn, arguments.length, 3);
  const w = checkVector(fn, 'weights', weights);
  return pruneBySaliency(w, readPrunable(fn, prunable, w.length), readSparsities(fn, sparsities), w.map(Math.abs));
}

/**
 * OBD saliencies ½·H_qq·w_q² for every parameter, from the exact Hessian diagonal (e.g.
 * `hessianOperator(loss, params).diagonal()`); both finite and of the same length. A negative
 * H_qq (the network is not at a minimum along e_q) gives a negative saliency: the quadratic model
 * predicts that removing w_q LOWERS the loss, so such weights are removed first — we keep the
 * formula rather than hide that.
 * @example obdSaliency(weights, H.diagonal());
 */
export function obdSaliency(weights: Float64Array, hessianDiagonal: Float64Array): Float64Array {
  const fn = 'obdSaliency';
  checkArity(fn, arguments.length, 2);
  return saliencies(fn, weights, hessianDiagonal);
}

function saliencies(fn: string, weights: unknown, hessianDiagonal: unknown): Float64Array {
  const w = checkVector(fn, 'weights', weights);
  const diagonal = checkVector(fn, 'hessianDiagonal', hessianDiagonal);
  if (diagonal.length !== w.length) {
    throw new ShapeError(
      fn,
      `the Hessian diagonal has ${diagonal.length} entries but there are ${w.length} parameters`,
    );
  }
  return w.map((value, q) => 0.5 * diagonal[q]! * value * value);
}

/**
 * OBD pruning: zeroes the lowest saliencies ½H_qq w_q² among `prunable` at each sparsity,
 * without compensating the other weights (`prunable` and `sparsities` as in `magnitudePrune`).
 * @example obdPrune(weights, H.diagonal(), weightIndices, [0.1, 0.5, 0.9]);
 */
export function obdPrune(
  weights: Float64Array,
  hessianDiagonal: Float64Array,
  prunable: ArrayLike<number>,
  sparsities: readonly number[],
): PrunedWeights[] {
  const fn = 'obdPrune';
  checkArity(fn, arguments.length, 4);
  const saliency = saliencies(fn, weights, hessianDiagonal);
  return pruneBySaliency(weights, readPrunable(fn, prunable, weights.length), readSparsities(fn, sparsities), saliency);
}

/** Options of `obsPrune`. */
export interface ObsOptions {
  /** Weights removed jointly per step (default 1: classic one-at-a-time OBS). */
  blockSize?: number;
  /** Use (H⁻¹ + H⁻ᵀ)/2 when the given inverse is not symmetric, instead of refusing it (default false). */
  symmetrize?: boolean;
}

/**
 * Optimal Brain Surgeon with the compensating update, iterated (see the module comment).
 * `inverseHessian` is a finite, symmetric d×d row-major approximation of H⁻¹ (e.g.
 * `fisherInverse(G, { damping }).toMatrix()`); it is copied, not modified. The update reads
 * row q of H⁻¹ as its column q, so a non-symmetric matrix is refused unless
 * `symmetrize: true`, which uses (H⁻¹ + H⁻ᵀ)/2. `prunable` and `sparsities` as in
 * `magnitudePrune`. Returns the compensated weights at each requested sparsity.
 *
 * @example
 * const Hinv = fisherInverse(G, { damping: 1e-3 }).toMatrix();
 * obsPrune(weights, Hinv, weightIndices, [0.5, 0.9], { blockSize: 4 });
 */
export function obsPrune(
  weights: Float64Array,
  inverseHessian: Float64Array,
  prunable: ArrayLike<number>,
  sparsities: readonly number[],
  options?: ObsOptions,
): PrunedWeights[] {
  const fn = 'obsPrune';
  checkArity(fn, arguments.length, 5);
  const d = checkVector(fn, 'weights', weights).length;
  checkVector(fn, 'inverseHessian', inverseHessian, { length: d * d }); // d×d for d parameters
  const given = readOptions(fn, options, ['blockSize', 'symmetrize']);
  const blockSize = given.blockSize === undefined ? 1 : checkPositiveInteger(fn, 'options.blockSize', given.blockSize);
  const symmetrizing =
    given.symmetrize === undefined ? false : checkBoolean(fn, 'options.symmetrize', given.symmetrize);
  if (!symmetrizing) {
    checkSymmetric(
      fn,
      'inverseHessian',
      inverseHessian,
      d,
      'OBS reads row q as column q; pass { symmetrize: true } to use (H⁻¹ + H⁻ᵀ)/2 knowingly',
    );
  }
  const candidates = readPrunable(fn, prunable, d);
  const targets = targetCounts(readSparsities(fn, sparsities), candidates.length);
  return surgeon(weights, symmetrize(inverseHessian, d), candidates, targets, blockSize);
}

/** The OBS iteration on private copies: `hinv` is owned (it is downdated in place). */
function surgeon(
  weights: Float64Array,
  hinv: Float64Array,
  candidates: readonly number[],
  targets: { sparsity: number; count: number }[],
  blockSize: number,
): PrunedWeights[] {
  const d = weights.length;
  const w = Float64Array.from(weights);
  const alive = new Uint8Array(d);
  for (const q of candidates) alive[q] = 1;
  const removed: number[] = [];
  let pruned = 0;
  let lossIncrease = 0;
  const out: PrunedWeights[] = [];
  for (const { sparsity, count } of targets) {
    while (pruned < count) {
      const k = Math.min(blockSize, count - pruned);
      const block = lowestSaliencies(candidates, alive, k, (q) => {
        const h = hinv[q * d + q]!;
        // A non-positive diagonal can only come from rounding after many downdates (the Schur
        // complement of a positive definite matrix is positive definite): treat as free to remove.
        return h > 0 ? (w[q]! * w[q]!) / (2 * h) : 0;
      });
      lossIncrease += removeBlock(hinv, w, d, block);
      for (const q of block) {
        alive[q] = 0;
        removed.push(q);
        // Row and column q of the updated H⁻¹ are zero in exact arithmetic; make them exactly zero
        // so no later compensation can move a removed weight by a rounding error.
        for (let j = 0; j < d; j++) {
          hinv[q * d + j] = 0;
          hinv[j * d + q] = 0;
        }
      }
      for (const q of removed) w[q] = 0;
      pruned += block.length;
    }
    out.push({ sparsity, pruned, weights: Float64Array.from(w), predictedLossIncrease: lossIncrease });
  }
  return out;
}

/**
 * Removes the block Q: δθ = −H⁻¹[:, Q]·c with c = (H⁻¹[Q, Q])⁻¹w_Q, then the Schur-complement
 * update of H⁻¹. Returns the predicted loss increase ½w_Qᵀc.
 */
function removeBlock(hinv: Float64Array, w: Float64Array, d: number, block: number[]): number {
  const k = block.length;
  if (k === 1) {
    const q = block[0]!;
    const h = hinv[q * d + q]!;
    const column = hinv.slice(q * d, (q + 1) * d); // row q = column q (H⁻¹ symmetric)
    if (!(h > 0)) {
      w[q] = 0;
      return 0;
    }
    const wq = w[q]!;
    const c = wq / h;
    axpy(-c, column, w, w); // θ ← θ − (w_q/[H⁻¹]_qq)·H⁻¹[:, q]
    w[q] = 0; // exactly, not up to rounding
    rank1Update(hinv, d, d, -1 / h, column, column);
    return (0.5 * wq * wq) / h;
  }
  // S = H⁻¹[Q, Q] (k×k), rows R = H⁻¹[Q, :] (k×d)
  const S = new Float64Array(k * k);
  const R = new Float64Array(k * d);
  const wQ = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const qa = block[a]!;
    R.set(hinv.subarray(qa * d, (qa + 1) * d), a * d);
    for (let b = 0; b < k; b++) S[a * k + b] = hinv[qa * d + block[b]!]!;
    wQ[a] = w[qa]!;
  }
  const L = cholesky(S, k);
  const c = choleskySolveFactor(L, k, wQ);
  // δθ = −Rᵀc
  const delta = gemm(R, c, d, k, 1, { transposeA: true });
  subVectors(w, delta, w);
  for (const q of block) w[q] = 0;
  // H⁻¹ ← H⁻¹ − RᵀS⁻¹R = H⁻¹ − YᵀY with Y = L⁻¹R
  // The columns of R are the rows of Rᵀ, so they are contiguous there; Yᵀ is built row by row.
  const RT = transpose(R, k, d);
  const YT = new Float64Array(d * k);
  for (let j = 0; j < d; j++) YT.set(solveLowerTriangular(L, k, RT.subarray(j * k, (j + 1) * k)), j * k);
  gemm(YT, YT, d, k, d, { transposeB: true, alpha: -1, beta: 1, out: hinv }); // YᵀY = Yᵀ·(Yᵀ)ᵀ
  return 0.5 * dot(wQ, c); // ½w_Qᵀc
}

/** The k alive candidates with the lowest saliency. */
function lowestSaliencies(
  candidates: readonly number[],
  alive: Uint8Array,
  k: number,
  saliency: (q: number) => number,
): number[] {
  const scored: { q: number; s: number }[] = [];
  for (const q of candidates) if (alive[q] === 1) scored.push({ q, s: saliency(q) });
  if (k === 1) {
    let best = scored[0]!;
    for (const entry of scored) if (entry.s < best.s) best = entry;
    return [best.q];
  }
  scored.sort((a, b) => a.s - b.s);
  return scored.slice(0, k).map((entry) => entry.q);
}

/** Zeroes the lowest `saliency` among the candidates, for each sparsity (nested levels). */
function pruneBySaliency(
  weights: Float64Array,
  candidates: readonly number[],
  sparsities: readonly number[],
  saliency: Float64Array,
): PrunedWeights[] {
  const order = [...candidates].sort((a, b) => saliency[a]! - saliency[b]!);
  return targetCounts(sparsities, candidates.length).map(({ sparsity, count }) => {
    const w = Float64Array.from(weights);
    for (let k = 0; k < count; k++) w[order[k]!] = 0;
    return { sparsity, pruned: count, weights: w };
  });
}

/** The prunable indices: distinct, in [0, d), at least one. */
function readPrunable(fn: string, prunable: unknown, d: number): number[] {
  const indices = checkIndexList(fn, 'prunable', prunable, { size: d, unique: true });
  if (indices.length === 0)
    throw new InvalidArgumentError(fn, 'prunable is empty; list the indices of the parameters that may be set to zero');
  return Array.from(indices);
}

/** The sparsity levels: a list (array or Float64Array) of fractions in [0, 1]. */
function readSparsities(fn: string, sparsities: unknown): number[] {
  if (!Array.isArray(sparsities) && !(sparsities instanceof Float64Array)) {
    const hint = typeof sparsities === 'number' ? `; for one level write [${sparsities}]` : '';
    throw new InvalidArgumentError(
      fn,
      `sparsities must be a list of fractions in [0, 1], got ${describeValue(sparsities)}${hint}`,
    );
  }
  return Array.from(sparsities as ArrayLike<unknown>, (s, i) => {
    if (typeof s === 'number' && !Number.isFinite(s))
      throw new NonFiniteError(fn, `sparsities[${i}] is ${s}; a sparsity is a fraction in [0, 1]`);
    return checkNumber(fn, `sparsities[${i}]`, s, { min: 0, max: 1 });
  });
}

/** Sorted sparsity levels and the number of weights each removes (round(s·m)). */
function targetCounts(sparsities: readonly number[], m: number): { sparsity: number; count: number }[] {
  return [...sparsities].sort((a, b) => a - b).map((sparsity) => ({ sparsity, count: Math.round(sparsity * m) }));
}
