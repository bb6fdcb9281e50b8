/**
 * The benchmark compares tapegrad with hand-written closed forms; a ratio means something only
 * if both compute the same numbers. These tests check that, at small sizes, for every workload:
 * value, gradient, every AD HVP mode, both replayed operators and the hand operator.
 *
 * Tolerance: 1e-12 relative, normwise (max|a − b| / max|b|). Both sides evaluate the same
 * formulas in float64 with different summation orders and groupings, so they differ by rounding
 * only. Each entry is a sum of at most k ≤ 40 products (the longest dot product at these sizes),
 * so each side is within γ_k·Σ|terms| ≈ k·2⁻⁵³·Σ|terms| ≤ 4.5e-15·Σ|terms| of the exact value;
 * with random data the cancellation Σ|terms| / max|result| stays well below 100, which puts the
 * difference under ~1e-12 with room to spare (observed: ≤ 1e-15). The softmax / softplus /
 * tanh evaluations add a few ulps each. A real mistake in a closed form (a missing ½, a
 * transposed A, a dropped λv or R-operator term) gives errors of order 1e-2 to 1.
 *
 * The finite-difference modes are checked against their own truncation error, not 1e-12.
 */
import { describe, expect, it } from 'vitest';
import { grad, hessianOperator, hvp, type Tensor, type Tree } from '../../src/index.js';
import { flat, relativeError, smallWorkloads, quadratic, type Workload } from '../../bench/workloads.js';
import {
  FORMATS,
  TABLE_MODES,
  UsageError,
  formatReport,
  measureWorkload,
  parseArgs,
  selectWorkloads,
} from '../../bin/compare-lib.js';

const EXACT = 1e-12;

describe.each(smallWorkloads().map((w) => [w.name, w] as const))('closed forms of %s', (_name, w: Workload) => {
  const f = (x: Tree): Tensor => w.f(x);
  const handHvp = w.hand.hvp(w.xFlat, w.vFlat);

  it('flattens x and v in ravel order', () => {
    expect(flat(w.x)).toEqual(w.xFlat);
    expect(flat(w.v)).toEqual(w.vFlat);
  });

  it('value and gradient match tapegrad', () => {
    expect(relativeError(f(w.x).item(), w.hand.value(w.xFlat))).toBeLessThan(EXACT);
    expect(relativeError(flat(grad(f)(w.x)), w.hand.gradient(w.xFlat))).toBeLessThan(EXACT);
  });

  it.each(['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd'] as const)('HVP matches hvp %s', (mode) => {
    expect(relativeError(flat(hvp(f, w.x, w.v, { mode })), handHvp)).toBeLessThan(EXACT);
  });

  it('finite-difference HVPs agree to their truncation error', () => {
    expect(relativeError(flat(hvp(f, w.x, w.v, { mode: 'finite-difference' })), handHvp)).toBeLessThan(1e-6);
    expect(relativeError(flat(hvp(f, w.x, w.v, { mode: 'central-difference' })), handHvp)).toBeLessThan(1e-8);
  });

  it('the hand operator and both replayed operators match the hand HVP', () => {
    expect(relativeError(w.hand.operator(w.xFlat)(w.vFlat), handHvp)).toBeLessThan(EXACT);
    for (const mode of ['fwd-over-rev', 'rev-over-rev'] as const) {
      expect(relativeError(hessianOperator(f, w.x, { mode }).apply(w.vFlat), handHvp)).toBeLessThan(EXACT);
    }
  });

  it('the HVP is not trivially zero (the check has teeth)', () => {
    expect(Math.max(...handHvp.map(Math.abs))).toBeGreaterThan(1e-3);
  });
});

describe('the standard sizes are DESIGN.md’s', () => {
  it('quadratic H = ½(A + Aᵀ) is not A: the hand form would notice a missing transpose', () => {
    const w = quadratic(6) as Workload;
    const wrong = w.hand.gradient(w.xFlat).map((g, i) => g * (i === 0 ? 1.5 : 1));
    expect(relativeError(wrong, flat(grad((x: Tree) => w.f(x))(w.x)))).toBeGreaterThan(1e-3);
  });

  it('selectWorkloads gives quadratic 100 and 1000, logistic, MLP (4810 parameters), Rosenbrock 10 000 and scalar 1000', () => {
    const sizes = selectWorkloads({ workload: 'all', n: undefined }).map((w) => `${w.family}:${w.size}`);
    expect(sizes).toEqual([
      'quadratic:100',
      'quadratic:1000',
      'logistic:100',
      'mlp:4810',
      'rosenbrock:10000',
      'scalar-rosenbrock:1000',
    ]);
  });
});

describe('compare CLI', () => {
  it('parses options and rejects bad ones with a clear message', () => {
    expect(parseArgs([])).toEqual({ workload: 'all', n: undefined, repeats: 5, format: 'text', help: false });
    expect(parseArgs(['--workload', 'mlp', '--n=50', '--repeats', '3', '--format', 'csv'])).toEqual({
      workload: 'mlp',
      n: 50,
      repeats: 3,
      format: 'csv',
      help: false,
    });
    expect(parseArgs(['--help']).help).toBe(true);
    expect(() => parseArgs(['--workload', 'resnet'])).toThrow(UsageError);
    expect(() => parseArgs(['--workload', 'resnet'])).toThrow(/--workload must be one of quadratic, logistic/);
    expect(() => parseArgs(['--repeats', '0'])).toThrow(/--repeats must be an integer ≥ 1/);
    expect(() => parseArgs(['--n'])).toThrow(/--n needs a value/);
    expect(() => parseArgs(['--speed', 'fast'])).toThrow(/unknown option --speed/);
    expect(() => parseArgs(['mlp'])).toThrow(/unexpected argument/);
  });

  it('builds a row for every mode, in every format, at small sizes', () => {
    const tables = smallWorkloads().map((w) => measureWorkload(w, { repeats: 1, runMs: 0, warmupMs: 0 }));
    for (const t of tables) {
      expect(t.rows.map((r) => r.mode)).toEqual(TABLE_MODES);
      for (const r of t.rows) {
        expect(r.seconds).toBeGreaterThan(0);
        if (r.kind !== 'hand') expect(r.ops).toBeGreaterThan(0);
        if (r.error !== undefined) expect(r.error).toBeLessThan(r.mode.includes('difference') ? 1e-6 : EXACT);
        // The jit columns: on every tapegrad row and every replay, the compiled result is the interpreted one, bit for bit.
        const jitted = r.kind === 'tapegrad' || r.mode.endsWith('(replay)');
        expect(r.jit !== undefined, r.mode).toBe(jitted);
        if (r.jit !== undefined) expect(r.jit.differenceFromInterpreted, `${t.workload.name}: ${r.mode}`).toBe(0);
      }
      // Replayed operators always compile; the exact HVP modes compile wherever no stabilising shift is computed from values.
      for (const r of t.rows) if (r.mode.endsWith('(replay)')) expect(r.jit!.compiled, r.mode).toBe(true);
      if (t.workload.family === 'quadratic' || t.workload.family === 'rosenbrock') {
        for (const r of t.rows)
          if (r.kind === 'tapegrad' && !r.mode.includes('difference')) expect(r.jit!.compiled, r.mode).toBe(true);
      }
      // Every recorded product has a tape; evaluating the value alone records none.
      expect(t.rows.find((r) => r.mode === 'value')!.nodes).toBeUndefined();
      expect(t.rows.find((r) => r.mode === 'gradient')!.nodes).toBeGreaterThan(0);
      expect(t.rows.find((r) => r.mode === 'operator rev-over-rev (replay)')!.nodes).toBeGreaterThan(0);
      expect(t.targets.length).toBeGreaterThanOrEqual(2);
    }
    for (const format of FORMATS) {
      const text = formatReport(tables, format, 1);
      for (const mode of TABLE_MODES) expect(text).toContain(mode);
      expect(text).toContain('Node v');
    }
    // The text table is aligned: every body line of a table has the same width.
    const block = formatReport(tables.slice(0, 1), 'text', 1)
      .split('\n')
      .filter((l) => /^(value|gradient|hvp|operator|hand) /.test(l));
    expect(new Set(block.map((l) => l.length)).size).toBe(1);
    const csv = formatReport(tables, 'csv', 1).split('\n');
    expect(csv[1]).toBe(
      'workload,mode,kind,seconds,per_gradient,per_hand,tape_nodes,bytes_held,ops,bytes_allocated,relative_error,jit_seconds,jit_per_hand,jit_compile_ms,jit_compiled',
    );
    expect(csv.length).toBe(2 + tables.length * TABLE_MODES.length);
  });
});
