/**
 * The engine's own costs, with benchmark.js:
 *
 * 1. per-node overhead — the scalar-op Rosenbrock (n = 1000, one rank-0 op per tape node):
 *    evaluating it on constants (no tape), recording it (`recordTape`, no sweep) and its
 *    gradient, each reported in ns per tape node and ns per primitive evaluation (`countOps`);
 * 2. gradients of the vectorised workloads beside their hand-written closed forms (ratios).
 *
 *   node --import tsx/esm bench/engine.bench.ts      (or `npm run bench`)
 */
import Benchmark from 'benchmark';
import { grad, type Tensor, type Tree } from '../src/index.js';
import { countOps, recordTape, tapeStats } from '../src/autodiff/inspect.js';
import { collectGarbage, formatSeconds, machineLine } from './timing.js';
import { logistic, mlp, quadratic, rosenbrock, scalarRosenbrock, type Workload } from './workloads.js';

const OPTIONS: Benchmark.Options = { minSamples: 5, maxTime: 0.8, initCount: 1 };
let sink = 0;

/** Mean seconds per call of each function, by name, in one synchronous benchmark.js suite. */
function measure(cases: Record<string, () => unknown>): Record<string, number> {
  const means: Record<string, number> = {};
  const suite = new Benchmark.Suite();
  for (const [name, fn] of Object.entries(cases)) {
    suite.add(
      name,
      () => {
        if (fn() !== undefined) sink++;
      },
      { ...OPTIONS, onStart: () => collectGarbage?.() },
    );
  }
  suite.on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as { name: string; stats: Benchmark.Stats; error?: unknown };
    if (bench.error !== undefined) throw bench.error;
    means[bench.name] = bench.stats.mean;
  });
  suite.run({ async: false });
  return means;
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const pad = (cells: readonly string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [rule, pad(header), rule, ...rows.map(pad), rule].join('\n');
}

console.log(`engine.bench — ${machineLine()}; benchmark.js mean per call (maxTime ${OPTIONS.maxTime} s)`);

// 1. Per-node overhead.
{
  const w = scalarRosenbrock(1000) as Workload;
  const f = (x: Tree): Tensor => w.f(x);
  const forwardNodes = tapeStats(recordTape(f, w.x)).nodes;
  const ops = {
    'value (no tape)': countOps(() => f(w.x)).ops,
    'record (recordTape)': countOps(() => recordTape(f, w.x)).ops,
    gradient: countOps(() => grad(f)(w.x)).ops,
  };
  const means = measure({
    'value (no tape)': () => f(w.x),
    'record (recordTape)': () => recordTape(f, w.x),
    gradient: () => grad(f)(w.x),
    'hand gradient': () => w.hand.gradient(w.xFlat),
  });
  console.log(`\nPer-node overhead: ${w.description}; the forward tape has ${forwardNodes} nodes (${w.size} leaves)`);
  const rows = Object.entries(ops).map(([name, count]) => {
    const s = means[name]!;
    return [
      name,
      formatSeconds(s),
      String(count),
      `${((s / forwardNodes) * 1e9).toFixed(0)} ns`,
      `${((s / count) * 1e9).toFixed(0)} ns`,
    ];
  });
  rows.push([
    'hand gradient',
    formatSeconds(means['hand gradient']!),
    '—',
    `${((means['hand gradient']! / forwardNodes) * 1e9).toFixed(1)} ns`,
    '—',
  ]);
  console.log(table(['computation', 'mean/call', 'ops evaluated', 'per tape node', 'per op'], rows));
  console.log(`gradient ÷ hand gradient = ${(means.gradient! / means['hand gradient']!).toFixed(0)}×`);
}

// 2. Vectorised gradients beside their closed forms.
{
  const workloads = [
    quadratic(100),
    quadratic(1000),
    logistic(),
    mlp(),
    rosenbrock(1000),
    rosenbrock(10_000),
  ] as Workload[];
  const rows: string[][] = [];
  for (const w of workloads) {
    const f = (x: Tree): Tensor => w.f(x);
    const nodes = tapeStats(recordTape(f, w.x)).nodes;
    const { ops, bytesAllocated } = countOps(() => grad(f)(w.x));
    const m = measure({ gradient: () => grad(f)(w.x), hand: () => w.hand.gradient(w.xFlat) });
    const overhead = (m.gradient! - m.hand!) / ops;
    rows.push([
      w.name,
      formatSeconds(m.gradient!),
      formatSeconds(m.hand!),
      `${(m.gradient! / m.hand!).toFixed(2)}×`,
      String(nodes),
      String(ops),
      `${(bytesAllocated / 1024).toFixed(0)} KiB`,
      `${(overhead * 1e9).toFixed(0)} ns`,
    ]);
  }
  console.log('\nGradients of the vectorised workloads');
  console.log(
    table(['workload', 'tapegrad', 'hand', 'ratio', 'tape nodes', 'ops', 'allocated', '(t − hand)/op'], rows),
  );
  console.log('(t − hand)/op: the time tapegrad spends beyond the closed form, per primitive evaluation.');
}
if (Number.isNaN(sink)) console.log('(sink)');
