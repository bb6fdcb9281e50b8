/**
 * A worked example: for f(x) = ½xᵀAx with a random (non-symmetric) A, the Hessian is
 * ½(A + Aᵀ), so H·v can be written down directly — and computed by every hvp mode.
 */
import { HVP_MODES, dot, hvp, matmul, mul, randn, type Tensor } from '../../src/index.js';
import { gemv, gemvT } from '../../src/linalg/index.js';
import { formatVector, heading, maxAbsDifference, table } from '../format.js';

export function hvpSection(n = 3, seed = 31): string {
  const A = randn([n, n], seed);
  const x = randn([n], seed + 1);
  const v = randn([n], seed + 2);
  // Direct: ½(A + Aᵀ)v = ½(Av + Aᵀv), two matrix-vector products with the linear algebra layer.
  const Av = gemv(A.data, n, n, v.data);
  const Atv = gemvT(A.data, n, n, v.data);
  const direct = Av.map((value, i) => 0.5 * (value + Atv[i]!));
  const f = (y: Tensor) => mul(0.5, dot(y, matmul(A, y)));

  const rows = [['mode', 'H·v', 'max |error|']];
  rows.push(['direct ½(A + Aᵀ)v', formatVector(direct, 12), '']);
  for (const mode of HVP_MODES) {
    const product = hvp(f, x, v, { mode });
    rows.push([mode, formatVector(product.data, 12), maxAbsDifference(product.data, direct).toExponential(1)]);
  }
  return [
    heading(`The Hessian-vector product of f(x) = ½xᵀAx (n = ${n}, A random, not symmetric)`),
    'H = ½(A + Aᵀ), so H·v is known exactly; every mode of hvp(f, x, v, { mode }) computes it.',
    'AD modes agree to rounding; the difference modes to what their step allows (√ε and ∛ε).',
    '',
    table(rows),
  ].join('\n');
}
