/**
 * Hessian-vector products on the benchmark workloads, with benchmark.js: for each workload the
 * value, the gradient, every `hvp` mode and the replayed `hessianOperator(...).apply`
 * (fwd-over-rev and rev-over-rev), next to the hand-written closed forms of `workloads.ts`.
 * Prints mean time per call and the ratios the performance targets are set for, each marked PASS or MISS.
 *
 *   node --import tsx/esm bench/hvp.bench.ts        (or `npm run bench`, which runs every file)
 *
 * Each case runs for under a second (`maxTime: 0.8`, at least 5 samples) after a full
 * garbage collection, so the whole file takes about two minutes. `npm run compare` gives the
 * same rows with tape and op counts, faster and a little noisier.
 */
import Benchmark from 'benchmark';
import { grad, hessianOperator, hvp, HVP_MODES, type Tensor, type Tree } from '../src/index.js';
import { collectGarbage, formatSeconds, machineLine } from './timing.js';
import { checkTargets, standardWorkloads, TARGET_MODES, type TargetCheck, type Workload } from './workloads.js';

const OPTIONS: Benchmark.Options = { minSamples: 5, maxTime: 0.8, initCount: 1 };
let sink = 0; // results stay observable, so no work can be optimised away

interface Case {
  name: string;
  fn: () => unknown;
}

function casesFor(w: Workload): Case[] {
  const f = (x: Tree): Tensor => w.f(x);
  const { x, v, xFlat, vFlat, hand } = w;
  const cases: Case[] = [
    { name: 'value', fn: () => f(x) },
    { name: 'gradient', fn: () => grad(f)(x) },
    ...HVP_MODES.map((mode) => ({ name: `hvp ${mode}`, fn: () => hvp(f, x, v, { mode }) })),
  ];
  for (const mode of TARGET_MODES) {
    const op = hessianOperator(f, x, { mode });
    cases.push({ name: `operator ${mode} (replay)`, fn: () => op.apply(vFlat) });
  }
  const handOperator = hand.operator(xFlat);
  cases.push(
    { name: 'hand value', fn: () => hand.value(xFlat) },
    { name: 'hand gradient', fn: () => hand.gradient(xFlat) },
    { name: 'hand HVP', fn: () => hand.hvp(xFlat, vFlat) },
    { name: 'hand operator', fn: () => handOperator(vFlat) },
  );
  return cases;
}

/** Runs one workload's cases; returns mean seconds and relative margin of error by case name. */
function runWorkload(w: Workload): Map<string, { mean: number; rme: number; samples: number }> {
  const results = new Map<string, { mean: number; rme: number; samples: number }>();
  const suite = new Benchmark.Suite(w.name);
  for (const c of casesFor(w)) {
    suite.add(
      c.name,
      () => {
        if (c.fn() !== undefined) sink++;
      },
      { ...OPTIONS, onStart: () => collectGarbage?.() },
    );
  }
  suite.on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as { name: string; stats: Benchmark.Stats; error?: unknown };
    if (bench.error !== undefined) throw bench.error;
    results.set(bench.name, { mean: bench.stats.mean, rme: bench.stats.rme, samples: bench.stats.sample.length });
  });
  suite.run({ async: false });
  return results;
}

/** An aligned table: the first `left` columns left-aligned, the rest (numbers) right-aligned. */
function table(header: readonly string[], rows: readonly (readonly string[])[], left = 1): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const pad = (cells: readonly string[]) =>
    cells.map((c, j) => (j < left ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [rule, pad(header), rule, ...rows.map(pad), rule].join('\n');
}

const ratio = (r: number) => `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}×`;

function report(w: Workload, results: Map<string, { mean: number; rme: number; samples: number }>): TargetCheck[] {
  const mean = (name: string) => results.get(name)!.mean;
  const handFor = (name: string): number | undefined => {
    if (name === 'value') return mean('hand value');
    if (name === 'gradient') return mean('hand gradient');
    if (name.startsWith('hvp ')) return mean('hand HVP');
    if (name.startsWith('operator ')) return mean('hand operator');
    return undefined;
  };
  const rows = [...results].map(([name, r]) => {
    const hand = handFor(name);
    return [
      name,
      formatSeconds(r.mean),
      `±${r.rme.toFixed(1)}%`,
      String(r.samples),
      ratio(r.mean / mean('gradient')),
      hand === undefined ? '—' : ratio(r.mean / hand),
    ];
  });
  console.log(`\n${w.name}: ${w.description}, ${w.size} parameters`);
  console.log(table(['case', 'mean/call', 'rme', 'samples', '÷ gradient', '÷ hand'], rows));
  const checks = checkTargets(w.bound, {
    gradient: mean('gradient'),
    handGradient: mean('hand gradient'),
    handHvp: mean('hand HVP'),
    handOperator: mean('hand operator'),
    hvp: Object.fromEntries(HVP_MODES.map((m) => [m, mean(`hvp ${m}`)])),
    operator: Object.fromEntries(TARGET_MODES.map((m) => [m, mean(`operator ${m} (replay)`)])),
  });
  for (const c of checks)
    console.log(`${c.pass ? 'PASS' : 'MISS'}  ${c.target} = ${c.ratio.toFixed(2)} (target ≤ ${c.limit})`);
  return checks;
}

console.log(
  `hvp.bench — ${machineLine()}; benchmark.js mean per call (maxTime ${OPTIONS.maxTime} s, ≥ ${OPTIONS.minSamples} samples)`,
);
console.log(
  '÷ hand: value, gradient and hvp rows against the closed form from scratch; operator rows against the hand operator with its x-dependent state precomputed.',
);
const summary: { workload: string; check: TargetCheck }[] = [];
for (const w of standardWorkloads()) {
  for (const check of report(w, runWorkload(w))) summary.push({ workload: w.name, check });
}

console.log('\nPerformance targets');
console.log(
  table(
    ['workload', 'target', 'ratio', 'limit', ''],
    summary.map(({ workload, check }) => [
      workload,
      check.target,
      check.ratio.toFixed(2),
      `≤ ${check.limit}`,
      check.pass ? 'PASS' : 'MISS',
    ]),
    2,
  ),
);
const missed = summary.filter((s) => !s.check.pass).length;
console.log(`${summary.length - missed} of ${summary.length} targets met.`);
if (Number.isNaN(sink)) console.log('(sink)');
