/**
 * Both second-order optimisers on a standard test set from the literature (Moré, Garbow &
 * Hillstrom 1981; the problems, their sources and their published minima are in
 * literature-problems.ts), from the standard starting points, with DEFAULT options.
 *
 * Each run must stop with a convergence reason and reach a minimum listed for that start:
 * |f − f*| ≤ 1e-8·max(1, |f*|), or f ≤ 1e-10 where f* = 0. Minimising 1e-6·f and 1e6·f must reach
 * the same listed minimum of f: the stopping rules and the forcing term are relative, so the
 * scale of the loss does not decide where the optimiser stops. The per-problem table (iterations,
 * Hessian-vector products, gradient evaluations, f reached, reason) is printed at the end; the
 * same problems through SciPy are in bench/scipy_literature.py.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mul, tensor, type Tensor } from '../../src/index.js';
import { newtonCg, trustRegion } from '../../src/hessian/applications/index.js';
import { PROBLEMS, type ListedMinimum, type Problem } from './literature-problems.js';

const SCALES = [1, 1e-6, 1e6] as const;
const OPTIMISERS = { newtonCg, trustRegion } as const;

interface Row {
  problem: string;
  n: number;
  optimiser: string;
  scale: number;
  iterations: number;
  hessianVectorProducts: number;
  gradientEvaluations: number;
  f: number;
  reason: string;
}
const rows: Row[] = [];

/** The listed minimum f reaches, to the test's tolerance, or undefined. */
function reachedMinimum(problem: Problem, f: number): ListedMinimum | undefined {
  return problem.minima.find((m) => (m.f === 0 ? f <= 1e-10 : Math.abs(f - m.f) <= 1e-8 * Math.max(1, Math.abs(m.f))));
}

describe('second-order optimisers on the Moré–Garbow–Hillstrom test set, default options', () => {
  for (const problem of PROBLEMS) {
    for (const [name, optimise] of Object.entries(OPTIMISERS)) {
      it(`${name}: ${problem.name} reaches a listed minimum from the standard start, for f, 1e-6·f and 1e6·f`, () => {
        let atScaleOne: ListedMinimum | undefined;
        for (const scale of SCALES) {
          const loss = scale === 1 ? problem.f : (x: Tensor) => mul(scale, problem.f(x));
          const result = optimise(loss, tensor([...problem.start]));
          const f = problem.f(tensor(result.vector)).item();
          rows.push({
            problem: problem.name,
            n: problem.n,
            optimiser: name,
            scale,
            iterations: result.iterations,
            hessianVectorProducts: result.hessianVectorProducts,
            gradientEvaluations: result.gradientEvaluations,
            f,
            reason: result.reason,
          });
          const where = `${name} on ${scale}·f: f = ${f}, reason ${result.reason} (${result.message})`;
          expect(result.converged, where).toBe(true);
          const minimum = reachedMinimum(problem, f);
          expect(minimum, `${where}; listed minima ${problem.minima.map((m) => m.f).join(', ')}`).toBeDefined();
          if (scale === 1) atScaleOne = minimum;
          else expect(minimum, `${where}: not the minimum reached on f itself`).toBe(atScaleOne);
        }
      });
    }
  }
});

afterAll(() => {
  if (rows.length === 0) return;
  const header = ['problem', 'n', 'optimiser', 'scale', 'iterations', 'HVPs', 'gradients', 'f reached', 'reason'];
  const lines = rows.map((r) => [
    r.problem,
    String(r.n),
    r.optimiser,
    r.scale === 1 ? '1' : r.scale.toExponential(0),
    String(r.iterations),
    String(r.hessianVectorProducts),
    String(r.gradientEvaluations),
    r.f === 0 ? '0' : r.f.toPrecision(12),
    r.reason,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells.map((c, i) => (i === 0 || i === 2 || i === 8 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(['', format(header), ...lines.map(format)].join('\n'));
});
