/**
 * Matrix products: matmul (NumPy semantics for 1-D and 2-D operands), dot, outer.
 *
 * One primitive does the work: C = op(A)·op(B) on matrices, where op is the identity or the
 * transpose, computed by the cache-blocked `gemm` kernel. Carrying the transpose flags as
 * parameters lets every VJP be another product of the same primitive with no transpose copied:
 *
 *   C = A·B   ⇒  Ā = C̄·Bᵀ,  B̄ = Aᵀ·C̄        (and the flag-flipped forms for transposed operands)
 *
 * and the JVP is bilinearity, Ċ = Ȧ·B + A·Ḃ. Vector operands are handled by the same primitive
 * (their cotangents are outer or matrix-vector products), so no reshape nodes surround it.
 */
import { ShapeError, formatShape } from '../../errors.js';
import { checkArity, checkBoolean, readOptions } from '../../validate.js';
import { gemm, gemv, gemvT } from '../../linalg/blas.js';
import { dot as dotKernel } from '../../linalg/vector.js';
import { bind } from '../primitive.js';
import { Tensor, toTensor, dataOf, fromData, type TensorLike } from '../tensor.js';
import { bilinearJvp, mul, type Binary } from './arithmetic.js';
import { reshape } from './shape.js';

interface MatmulParams {
  /** Use Aᵀ in place of A. */
  readonly ta: boolean;
  /** Use Bᵀ in place of B. */
  readonly tb: boolean;
}

const flags = (ta: boolean, tb: boolean): MatmulParams => ({ ta, tb });

// One primitive for every NumPy case, so a vector never needs a reshape node around it:
//   matrix·matrix  [m,k]·[k,n] → [m,n]      matrix·vector  [m,k]·[k] → [m]
//   vector·matrix  [k]·[k,n]   → [n]        vector·vector  [k]·[k]   → []
// The transpose flags apply to 2-D operands only.
const matmulPrimitive: Binary<MatmulParams> = {
  name: 'matmul',
  value: ([A, B], { ta, tb }) =>
    fromData(matmulKernel(dataOf(A), dataOf(B), A.shape, B.shape, ta, tb), matmulShape(A.shape, B.shape, ta, tb)),
  vjps: [
    (g, { inputs: [a, b], params }) => cotangentA(g, a, b, params),
    (g, { inputs: [a, b], params }) => cotangentB(g, a, b, params),
  ],
  // Ċ = op(Ȧ)·op(B) + op(A)·op(Ḃ): bilinearity
  jvp: bilinearJvp((a, b, { ta, tb }: MatmulParams) => matmulRaw(a, b, ta, tb)),
};

/**
 * Ā for C = op(A)·op(B), writing M = op(A):
 *   matrix·matrix  M̄ = C̄·op(B)ᵀ,  and Ā = M̄ or, when A is transposed, M̄ᵀ = op(B)·C̄ᵀ
 *   matrix·vector  M̄ = C̄·bᵀ (an outer product), transposed likewise
 *   vector··       ā = op(B)·C̄ (a matrix-vector product), or C̄·b for two vectors
 */
function cotangentA(g: Tensor, a: Tensor, b: Tensor, { ta, tb }: MatmulParams): Tensor {
  if (a.rank === 1) return b.rank === 1 ? mul(g, b) : matmulRaw(b, g, tb, false);
  if (b.rank === 1) return ta ? outer(b, g) : outer(g, b);
  return ta ? matmulRaw(b, g, tb, true) : matmulRaw(g, b, false, !tb);
}

/** B̄ for C = op(A)·op(B), the mirror image of `cotangentA` (M = op(B): M̄ = op(A)ᵀ·C̄). */
function cotangentB(g: Tensor, a: Tensor, b: Tensor, { ta, tb }: MatmulParams): Tensor {
  if (b.rank === 1) return a.rank === 1 ? mul(g, a) : matmulRaw(a, g, !ta, false);
  if (a.rank === 1) return tb ? outer(g, a) : outer(a, g);
  return tb ? matmulRaw(g, a, true, ta) : matmulRaw(a, g, !ta, false);
}

/** The shape of op(A)·op(B) for operands of shapes A and B (already checked). */
export function matmulShape(A: readonly number[], B: readonly number[], ta: boolean, tb: boolean): number[] {
  if (A.length === 1 && B.length === 1) return [];
  if (B.length === 1) return [ta ? A[1]! : A[0]!];
  if (A.length === 1) return [tb ? B[0]! : B[1]!];
  return [ta ? A[1]! : A[0]!, tb ? B[0]! : B[1]!];
}

/**
 * op(A)·op(B) on the operands' data, into `out` when given — the one kernel dispatch that both
 * the matmul primitive and `jit`'s generated code use, so compiled products have the
 * interpreter's bits: dot for two vectors; gemv / gemvT for a matrix and a vector (read in place
 * whichever way it is transposed, where gemm would first copy a transposed operand), also when a
 * matrix operand is a single row or column; gemm otherwise. Shapes are already checked.
 */
export function matmulKernel(
  a: Float64Array,
  b: Float64Array,
  A: readonly number[],
  B: readonly number[],
  ta: boolean,
  tb: boolean,
  out?: Float64Array,
): Float64Array {
  if (A.length === 1 && B.length === 1) {
    const result = out ?? new Float64Array(1);
    result[0] = dotKernel(a, b);
    return result;
  }
  if (B.length === 1) return ta ? gemvT(a, A[0]!, A[1]!, b, out) : gemv(a, A[0]!, A[1]!, b, out);
  if (A.length === 1) return tb ? gemv(b, B[0]!, B[1]!, a, out) : gemvT(b, B[0]!, B[1]!, a, out);
  const m = ta ? A[1]! : A[0]!;
  const k = ta ? A[0]! : A[1]!;
  const n = tb ? B[0]! : B[1]!;
  if (n === 1) return ta ? gemvT(a, k, m, b, out) : gemv(a, m, k, b, out); // op(A)·b, b a column
  if (m === 1) return tb ? gemv(b, n, k, a, out) : gemvT(b, k, n, a, out); // aᵀ·op(B) = op(B)ᵀ·a
  return gemm(
    a,
    b,
    m,
    k,
    n,
    out === undefined ? { transposeA: ta, transposeB: tb } : { transposeA: ta, transposeB: tb, out },
  );
}

/** op(A)·op(B) straight to the primitive (shapes already checked). */
function matmulRaw(a: Tensor, b: Tensor, ta: boolean, tb: boolean): Tensor {
  return bind(matmulPrimitive, [a, b], flags(ta, tb));
}

/**
 * Matrix product with NumPy's rules for 1-D and 2-D operands: `[n,k]@[k,m]` → `[n,m]`,
 * `[n,k]@[k]` → `[n]`, `[k]@[k,m]` → `[m]`, `[k]@[k]` → `[]`.
 * Pass `{ transposeA, transposeB }` to multiply by a transpose without forming it.
 * @example matmul(tensor([[1, 2], [3, 4]]), tensor([1, 1])).toArray(); // → [3, 7]
 */
export function matmul(a: TensorLike, b: TensorLike, options?: { transposeA?: boolean; transposeB?: boolean }): Tensor {
  checkArity('matmul', arguments.length, 3);
  const { transposeA = false, transposeB = false } = readOptions('matmul', options, ['transposeA', 'transposeB']);
  checkBoolean('matmul', 'options.transposeA', transposeA);
  checkBoolean('matmul', 'options.transposeB', transposeB);
  return product2('matmul', toTensor(a, 'matmul', 'a'), toTensor(b, 'matmul', 'b'), transposeA, transposeB);
}

/** matmul on checked tensors, with shape errors naming `fn`. */
function product2(fn: string, x: Tensor, y: Tensor, transposeA: boolean, transposeB: boolean): Tensor {
  if (x.rank < 1 || x.rank > 2 || y.rank < 1 || y.rank > 2) {
    throw new ShapeError(
      fn,
      `operands must be 1-D or 2-D, got ${formatShape(x.shape)} and ${formatShape(y.shape)}; use mul for scalars`,
    );
  }
  const ta = transposeA && x.rank === 2;
  const tb = transposeB && y.rank === 2;
  const k = x.rank === 1 ? x.size : ta ? x.shape[0]! : x.shape[1]!;
  const kB = y.rank === 1 ? y.size : tb ? y.shape[1]! : y.shape[0]!;
  if (k !== kB) {
    const describeOperand = (t: Tensor, transposed: boolean) => `${formatShape(t.shape)}${transposed ? 'ᵀ' : ''}`;
    throw new ShapeError(
      fn,
      `cannot multiply ${describeOperand(x, ta)} by ${describeOperand(y, tb)}: inner sizes ${k} and ${kB} differ`,
    );
  }
  return matmulRaw(x, y, ta, tb);
}

/**
 * Inner product of two vectors (`[k]·[k]` → `[]`); for matrices, the matrix product.
 * @example dot(tensor([1, 2]), tensor([3, 4])).item(); // → 11
 */
export function dot(a: TensorLike, b: TensorLike): Tensor {
  checkArity('dot', arguments.length, 2);
  const x = toTensor(a, 'dot', 'a');
  const y = toTensor(b, 'dot', 'b');
  if (x.rank === 1 && y.rank === 1 && x.size !== y.size) {
    throw new ShapeError('dot', `vectors have lengths ${x.size} and ${y.size}; they must match`);
  }
  return product2('dot', x, y, false, false);
}

/** Outer product of two vectors: `[n]`, `[m]` → `[n, m]`. @example outer(tensor([1, 2]), tensor([3])).toNested(); // [[3], [6]] */
export function outer(a: TensorLike, b: TensorLike): Tensor {
  checkArity('outer', arguments.length, 2);
  const x = toTensor(a, 'outer', 'a');
  const y = toTensor(b, 'outer', 'b');
  if (x.rank !== 1 || y.rank !== 1)
    throw new ShapeError('outer', `needs two vectors, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  return matmul(reshape(x, [x.size, 1]), reshape(y, [1, y.size]));
}
