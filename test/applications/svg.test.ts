/** The report's line charts: legends beside the data, never on it; log-scaled iteration axes. */
import { describe, expect, it } from 'vitest';
import { lineChart } from '../../scripts/svg.js';

const cg = Array.from({ length: 22 }, (_, k) => ({ x: k, y: 10 ** (-k / 2) }));
const neumann = Array.from({ length: 1001 }, (_, k) => ({ x: k, y: Math.exp(-k / 120) }));
const chart = lineChart(
  [
    { name: 'CG', points: cg },
    { name: 'Neumann (a long series name)', points: neumann },
  ],
  { title: 'convergence', xLabel: 'iteration (log scale)', yLabel: 'residual', logX: true, logY: true },
);

/** Every number of one attribute across the markup. */
const numbers = (pattern: RegExp) => [...chart.matchAll(pattern)].map((m) => Number(m[1]));

describe('lineChart', () => {
  it('puts the legend right of the plotting area and inside the picture', () => {
    const [plotX, plotWidth] = [/<rect x="([\d.]+)"/, /<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)"/].map((p) =>
      Number(p.exec(chart)![1]),
    );
    const legendX = numbers(
      /<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#fff" stroke="#ddd"/g,
    )[0]!;
    const width = Number(/<svg[^>]* width="([\d.]+)"/.exec(chart)![1]);
    expect(legendX).toBeGreaterThan(plotX! + plotWidth!);
    // Every path point lies inside the plotting area, left of the legend.
    const xs = [...chart.matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1]));
    expect(Math.max(...xs)).toBeLessThanOrEqual(plotX! + plotWidth! + 1e-9);
    const legendWidth = numbers(
      /<rect x="[\d.]+" y="[\d.]+" width="([\d.]+)" height="[\d.]+" fill="#fff" stroke="#ddd"/g,
    )[0]!;
    expect(legendX + legendWidth).toBeLessThanOrEqual(width);
  });

  it('labels a log-scaled x axis at powers of ten, so 21 iterations and 1000 both read', () => {
    const labels = [...chart.matchAll(/text-anchor="middle" font-size="11">([^<]+)</g)].map((m) => m[1]);
    expect(labels).toEqual(expect.arrayContaining(['1', '10', '100', '1000']));
  });
});
