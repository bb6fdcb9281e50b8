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
import { InvalidArgumentError, ShapeError } from '../../errors.js';
import { axpy, cholesky, choleskySolveFactor, dot, gemm, rank1Update, solveLowerTriangular, subVectors, transpose } from '../../linalg/index.js';

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
 * nested levels).
 * @example magnitudePrune(weights, weightIndices, [0.5, 0.9]);
 */
export function magnitudePrune(weights: Float64Array, prunable: ArrayLike<number>, sparsities: readonly number[]): PrunedWeights[] {
  return pruneBySaliency('magnitudePrune', weights, prunable, sparsities, weights.map(Math.abs));
}

/**
 * OBD saliencies ½·H_qq·w_q² for every parameter, from the exact Hessian diagonal (e.g.
 * `hessianOperator(loss, params).diagonal()`). A negative H_qq (the network is not at a minimum
 * along e_q) gives a negative saliency: the quadratic model predicts that removing w_q LOWERS the
 * loss, so such weights are removed first — we keep the formula rather than hide that.
 * @example obdSaliency(weights, H.diagonal());
 */
export function obdSaliency(weights: Float64Array, hessianDiagonal: Float64Array): Float64Array {
  if (hessianDiagonal.length !== weights.length) {
    throw new ShapeError('obdSaliency', `the Hessian diagonal has ${hessianDiagonal.length} entries but there are ${weights.length} parameters`);
  }
  return weights.map((w, q) => 0.5 * hessianDiagonal[q]! * w * w);
}

/**
 * OBD pruning: zeroes the lowest saliencies ½H_qq w_q² among `prunable` at each sparsity,
 * without compensating the other weights.
 * @example obdPrune(weights, H.diagonal(), weightIndices, [0.1, 0.5, 0.9]);
 */
export function obdPrune(weights: Float64Array, hessianDiagonal: Float64Array, prunable: ArrayLike<number>, sparsities: readonly number[]): PrunedWeights[] {
  return pruneBySaliency('obdPrune', weights, prunable, sparsities, obdSaliency(weights, hessianDiagonal));
}

/** Options of `obsPrune`. */
export interface ObsOptions {
  /** Weights removed jointly per step (default 1: classic one-at-a-time OBS). */
  blockSize?: number;
}

/**
 * Optimal Brain Surgeon with the compensating update, iterated (see the module comment).
 * `inverseHessian` is a d×d row-major approximation of H⁻¹ (e.g.
 * `IncrementalInverse.fromGradients(G, N, d, { damping }).toMatrix()`); it is copied, not modified.
 * Returns the compensated weights at each requested sparsity.
 *
 * @example
 * const Hinv = IncrementalInverse.fromGradients(G, N, d, { damping: 1e-3 }).toMatrix();
 * obsPrune(weights, Hinv, weightIndices, [0.5, 0.9], { blockSize: 4 });
 */
export function obsPrune(weights: Float64Array, inverseHessian: Float64Array, prunable: ArrayLike<number>, sparsities: readonly number[], options: ObsOptions = {}): PrunedWeights[] {
  const fn = 'obsPrune';
  const d = weights.length;
  if (inverseHessian.length !== d * d) throw new ShapeError(fn, `the inverse Hessian must be ${d}×${d} (${d * d} entries) for ${d} parameters, got ${inverseHessian.length} entries`);
  const blockSize = options.blockSize ?? 1;
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new InvalidArgumentError(fn, `blockSize must be a positive integer, got ${blockSize}`);
  const candidates = checkPrunable(fn, prunable, d);
  const targets = targetCounts(fn, sparsities, candidates.length);

  const hinv = Float64Array.from(inverseHessian);
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
function lowestSaliencies(candidates: readonly number[], alive: Uint8Array, k: number, saliency: (q: number) => number): number[] {
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
function pruneBySaliency(fn: string, weights: Float64Array, prunable: ArrayLike<number>, sparsities: readonly number[], saliency: Float64Array): PrunedWeights[] {
  const candidates = checkPrunable(fn, prunable, weights.length);
  const order = [...candidates].sort((a, b) => saliency[a]! - saliency[b]!);
  return targetCounts(fn, sparsities, candidates.length).map(({ sparsity, count }) => {
    const w = Float64Array.from(weights);
    for (let k = 0; k < count; k++) w[order[k]!] = 0;
    return { sparsity, pruned: count, weights: w };
  });
}

function checkPrunable(fn: string, prunable: ArrayLike<number>, d: number): number[] {
  const seen = new Set<number>();
  for (let k = 0; k < prunable.length; k++) {
    const q = prunable[k]!;
    if (!Number.isInteger(q) || q < 0 || q >= d) throw new InvalidArgumentError(fn, `prunable index ${q} is out of range [0, ${d})`);
    if (seen.has(q)) throw new InvalidArgumentError(fn, `prunable index ${q} is listed twice`);
    seen.add(q);
  }
  if (seen.size === 0) throw new InvalidArgumentError(fn, 'no prunable parameters given');
  return [...seen];
}

/** Sorted sparsity levels and the number of weights each removes (round(s·m)). */
function targetCounts(fn: string, sparsities: readonly number[], m: number): { sparsity: number; count: number }[] {
  for (const s of sparsities) {
    if (!(s >= 0 && s <= 1)) throw new InvalidArgumentError(fn, `sparsity must be in [0, 1], got ${s}`);
  }
  return [...sparsities].sort((a, b) => a - b).map((sparsity) => ({ sparsity, count: Math.round(sparsity * m) }));
}
