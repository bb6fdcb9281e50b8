/**
 * jit on the benchmark workloads, with benchmark.js: value, gradient and the two AD HVP modes, each
 * interpreted and compiled, plus `hessianOperator(f, x, { mode, jit: true })` (x fixed, v the
 * argument: what depends on x alone is folded at compile time), next to the hand-written closed forms of
 * `workloads.ts`. Prints mean time per call, ratios to the closed form and to the interpreted
 * engine, the compile time (the first call, in ms) and the error against the closed form.
 *
 *   node --import tsx/esm bench/jit.bench.ts        (or `npm run bench -- jit`)
 *   node --import tsx/esm bench/jit.bench.ts mlp    (only the workloads whose name contains `mlp`)
 *
 * Each case runs for under half a second (`maxTime: 0.4`, at least 5 samples) after a full
 * garbage collection.
 */
import Benchmark from 'benchmark';
import { grad, hessianOperator, hvp, jit, type Tensor, type Tree } from '../src/index.js';
import { collectGarbage, formatSeconds, machineLine } from './timing.js';
import { flat, relativeError, standardWorkloads, TARGET_MODES, type Workload } from './workloads.js';

const OPTIONS: Benchmark.Options = { minSamples: 5, maxTime: 0.4, initCount: 1 };
let sink = 0;

interface Quantity {
  /** Row label. */
  readonly name: string;
  readonly interpreted: () => unknown;
  /** Builds the compiled version (its first call is timed as the compile time). */
  readonly compile: () => () => unknown;
  readonly hand: () => unknown;
  /** The closed-form result to compare the compiled one with. */
  readonly exact: () => Float64Array | number;
  /** Target ratio compiled ÷ hand, by workload bound. */
  readonly limit: number;
}

function quantities(w: Workload): Quantity[] {
  const f = (x: Tree): Tensor => w.f(x);
  const { x, v, xFlat, vFlat, hand } = w;
  const kernel = w.bound === 'kernel';
  const small = w.bound === 'overhead';
  const perNode = w.bound === 'per-node';
  const valueLimit = kernel ? 1.2 : small ? (w.family === 'quadratic' ? 1.5 : 2) : 5;
  const hvpLimit = kernel ? 1.5 : small ? (w.family === 'quadratic' ? 2 : 3) : 8;
  const operatorLimit = kernel ? 1.2 : small ? (w.family === 'quadratic' ? 1.5 : 2) : 8;
  const rows: Quantity[] = [
    {
      name: 'value',
      interpreted: () => f(x),
      compile: () => {
        const j = jit(f);
        return () => j(x);
      },
      hand: () => hand.value(xFlat),
      exact: () => hand.value(xFlat),
      limit: valueLimit,
    },
    {
      name: 'gradient',
      interpreted: () => grad(f)(x),
      compile: () => {
        const j = jit(grad(f));
        return () => j(x);
      },
      hand: () => hand.gradient(xFlat),
      exact: () => hand.gradient(xFlat),
      limit: valueLimit,
    },
  ];
  for (const mode of TARGET_MODES) {
    rows.push({
      name: `hvp ${mode}`,
      interpreted: () => hvp(f, x, v, { mode }),
      compile: () => {
        const j = jit((y: Tree, u: Tree) => hvp(f, y, u, { mode }));
        return () => j(x, v);
      },
      hand: () => hand.hvp(xFlat, vFlat),
      exact: () => hand.hvp(xFlat, vFlat),
      limit: hvpLimit,
    });
  }
  if (!perNode) {
    const handOperator = hand.operator(xFlat);
    for (const mode of TARGET_MODES) {
      const interpretedOperator = hessianOperator(f, x, { mode });
      rows.push({
        name: `operator ${mode}`,
        interpreted: () => interpretedOperator.apply(vFlat),
        compile: () => {
          const compiled = hessianOperator(f, x, { mode, jit: true });
          return () => compiled.apply(vFlat);
        },
        hand: () => handOperator(vFlat),
        exact: () => handOperator(vFlat),
        limit: operatorLimit,
      });
    }
  }
  return rows;
}

interface Measured {
  readonly name: string;
  readonly interpreted: number;
  readonly compiled: number;
  readonly hand: number;
  readonly compileMs: number;
  readonly error: number;
  readonly limit: number;
}

function time(name: string, fn: () => unknown): number {
  let mean = NaN;
  const bench = new Benchmark(
    name,
    () => {
      if (fn() !== undefined) sink++;
    },
    { ...OPTIONS, onStart: () => collectGarbage?.() },
  );
  bench.on('complete', () => (mean = bench.stats.mean));
  bench.run({ async: false });
  if ((bench as unknown as { error?: unknown }).error !== undefined)
    throw (bench as unknown as { error: unknown }).error;
  return mean;
}

function measure(w: Workload): Measured[] {
  return quantities(w).map((q) => {
    const started = performance.now();
    const compiled = q.compile();
    const first = compiled();
    const compileMs = performance.now() - started;
    // Large generated functions are optimised by the engine in the background: let that finish
    // before timing (a second of calls, or 2000, whichever comes first).
    for (let k = 0, until = performance.now() + 1000; k < 2000 && performance.now() < until; k++) compiled();
    const got =
      first instanceof Object &&
      'shape' in (first as object) &&
      (first as Tensor).size === 1 &&
      typeof q.exact() === 'number'
        ? (first as Tensor).item()
        : first instanceof Float64Array
          ? first
          : flat(first);
    return {
      name: q.name,
      interpreted: time(`${q.name} interpreted`, q.interpreted),
      compiled: time(`${q.name} compiled`, compiled),
      hand: time(`${q.name} hand`, q.hand),
      compileMs,
      error: relativeError(got, q.exact()),
      limit: q.limit,
    };
  });
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const pad = (cells: readonly string[]) =>
    cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const rule = widths.map((width) => '─'.repeat(width)).join('  ');
  return [rule, pad(header), rule, ...rows.map(pad), rule].join('\n');
}

const ratio = (r: number) => `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}×`;

console.log(
  `jit.bench — ${machineLine()}; benchmark.js mean per call (maxTime ${OPTIONS.maxTime} s, ≥ ${OPTIONS.minSamples} samples)`,
);
console.log(
  'operator rows: hessianOperator(f, x, { mode, jit: true }).apply(v) — x fixed when the operator is built, v the argument; the interpreted column is the same operator without jit (a replayed recording), the hand column the closed-form operator with its x-dependent state precomputed.',
);
let met = 0;
let total = 0;
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const w of standardWorkloads().filter((wl) => only.length === 0 || only.some((o) => wl.name.includes(o)))) {
  const rows = measure(w);
  console.log(`\n${w.name}: ${w.description}, ${w.size} parameters`);
  console.log(
    table(
      [
        'case',
        'interpreted',
        'compiled',
        'hand',
        'compiled ÷ hand',
        'target',
        'compiled ÷ interpreted',
        'compile ms',
        'error',
      ],
      rows.map((r) => {
        total++;
        const pass = r.compiled / r.hand <= r.limit;
        if (pass) met++;
        return [
          r.name,
          formatSeconds(r.interpreted),
          formatSeconds(r.compiled),
          formatSeconds(r.hand),
          ratio(r.compiled / r.hand),
          `≤ ${r.limit} ${pass ? 'PASS' : 'MISS'}`,
          ratio(r.compiled / r.interpreted),
          r.compileMs.toFixed(1),
          r.error.toExponential(1),
        ];
      }),
    ),
  );
}
console.log(`\n${met} of ${total} ratio targets met.`);
if (Number.isNaN(sink)) console.log('(sink)');
