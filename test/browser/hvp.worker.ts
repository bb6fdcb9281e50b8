/**
 * A module Web Worker that runs tapegrad off the main thread: it receives a matrix and two
 * vectors as Float64Arrays, computes the Hessian-vector product of ½xᵀAx in every mode —
 * interpreted, and compiled by `jit` — and posts the products back (transferring fresh copies,
 * never a tensor's own buffer).
 */
import { HVP_MODES, dot, hvp, jit, matmul, mul, tensor, type Tensor } from '../../src/index.js';

interface Request {
  a: Float64Array;
  n: number;
  x: Float64Array;
  v: Float64Array;
}

const scope = globalThis as unknown as {
  onmessage: ((event: { data: Request }) => void) | null;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
};

scope.onmessage = ({ data }) => {
  const A = tensor(data.a, [data.n, data.n]);
  const f = (y: Tensor) => mul(0.5, dot(y, matmul(A, y)));
  const products = HVP_MODES.map((mode) => ({
    mode,
    values: hvp(f, tensor(data.x), tensor(data.v), { mode }).toArray(),
  }));
  const compiled = HVP_MODES.map((mode) => {
    const product = jit((y: Tensor, u: Tensor) => hvp(f, y, u, { mode }));
    const values = product(tensor(data.x), tensor(data.v)).toArray();
    const generated = product.lower(tensor(data.x), tensor(data.v)).source.length > 0;
    return { mode, values, generated };
  });
  const isWorker = typeof (globalThis as { document?: unknown }).document === 'undefined';
  scope.postMessage({ products, compiled, isWorker }, [
    ...products.map((p) => p.values.buffer as ArrayBuffer),
    ...compiled.map((p) => p.values.buffer as ArrayBuffer),
  ]);
};
