/**
 * hessianOperator(f, x, { jit: true }): the compiled operator gives the interpreted operator's
 * products bit for bit, in every mode, on trees, and runs no interpreted op once compiled.
 */
import { describe, expect, it } from 'vitest';
import { HVP_MODES, countOps, createRandom, hessianOperator, type Tree } from '../../src/index.js';
import { smallWorkloads } from '../../bench/workloads.js';

const EXACT = ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd'] as const;

describe('hessianOperator with jit: true', () => {
  for (const w of smallWorkloads()) {
    for (const mode of HVP_MODES) {
      it(`${w.name}, ${mode}: the same products as the interpreted operator, bit for bit`, () => {
        const f = (x: Tree) => w.f(x as never);
        const interpreted = hessianOperator(f, w.x, { mode, damping: 0.25 });
        const compiled = hessianOperator(f, w.x, { mode, damping: 0.25, jit: true });
        expect(compiled.jit).toBe(true);
        expect(interpreted.jit).toBe(false);
        expect(compiled.value).toBe(interpreted.value);
        expect(compiled.gradient).toEqual(interpreted.gradient);
        const rng = createRandom(7);
        // The first product compiles; the later ones run the generated code on new directions.
        for (let k = 0; k < 3; k++) {
          const v = rng.normals(compiled.size);
          const expected = interpreted.apply(v);
          const got = compiled.apply(v);
          expect(got).toEqual(expected);
          expect(got).not.toBe(compiled.apply(v)); // a fresh array per product
        }
      });
    }
  }

  for (const mode of EXACT) {
    it(`${mode}: once compiled, a product evaluates no interpreted op`, () => {
      const w = smallWorkloads()[3]!; // vectorised Rosenbrock: slices, squares, sums
      const f = (x: Tree) => w.f(x as never);
      const compiled = hessianOperator(f, w.x, { mode, jit: true });
      const v = createRandom(3).normals(compiled.size);
      compiled.apply(v);
      expect(countOps(() => compiled.apply(v)).ops).toBe(0);
      const interpreted = hessianOperator(f, w.x, { mode });
      expect(countOps(() => interpreted.apply(v)).ops).toBeGreaterThan(0);
    });
  }
});
