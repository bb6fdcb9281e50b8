/**
 * docs/walkthrough.md's jit section quotes what `lower` prints for ½xᵀAx; this test recomputes it,
 * so the section cannot go stale. (Its blocks use their own marker, `<!-- jit output: name -->`.)
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dot, hvp, jit, matmul, mul, tensor, type Tensor } from '../../src/index.js';

function block(doc: string, name: string): string {
  const match = new RegExp(`<!-- jit output: ${name} -->\\n\`\`\`text\\n([\\s\\S]*?)\\n\`\`\``).exec(doc);
  if (match === null) throw new Error(`docs/walkthrough.md has no jit output block '${name}'`);
  return match[1]!;
}

describe('docs/walkthrough.md, section 6', () => {
  it('quotes exactly the plan and source jit prints for the HVP of ½xᵀAx', () => {
    const A = tensor([
      [2, 1],
      [0, 3],
    ]);
    const f = (x: Tensor) => mul(0.5, dot(x, matmul(A, x)));
    const product = jit((x: Tensor, v: Tensor) => hvp(f, x, v));
    const x = tensor([1, 2]);
    const v = tensor([1, -1]);
    expect(Array.from(product(x, v).toArray())).toEqual([1.5, -2.5]);
    const { plan, source } = product.lower(x, v);
    const doc = readFileSync(new URL('../../docs/walkthrough.md', import.meta.url), 'utf8');
    expect(block(doc, 'plan')).toBe(plan);
    expect(block(doc, 'source')).toBe(source);
  });
});
