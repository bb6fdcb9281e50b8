/**
 * gemv and gemm throughput at n = 100, 500, 1000: the library kernels against the textbook
 * loops they replace, in GFLOP/s (2·n² flops for gemv, 2·n³ for gemm).
 *
 *   node --import tsx/esm bench/linalg.bench.ts
 *
 * The naive gemm takes seconds per call at n = 1000, so it runs there with benchmark.js's
 * minimum sample count (`minSamples: 2`, `maxTime: 3`); its figure is noisier but the gap is
 * large. Everything is single-threaded JavaScript on Float64Array.
 */
import Benchmark from 'benchmark';
import { createRandom, gemm, gemv } from '../src/linalg/index.js';

function naiveGemv(a: Float64Array, n: number, x: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j]! * x[j]!;
    y[i] = s;
  }
  return y;
}

function naiveGemm(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * n + p]! * b[p * n + j]!;
      c[i * n + j] = s;
    }
  }
  return c;
}

interface Row {
  name: string;
  flops: number;
}

const rows = new Map<string, Row>();
const suite = new Benchmark.Suite('linalg');
let sink = 0; // keeps results observable so the work cannot be optimised away

for (const n of [100, 500, 1000]) {
  const rng = createRandom(n);
  const a = rng.normals(n * n);
  const b = rng.normals(n * n);
  const x = rng.normals(n);
  const gemvFlops = 2 * n * n;
  const gemmFlops = 2 * n * n * n;
  const add = (name: string, flops: number, fn: () => Float64Array, options: Benchmark.Options = {}): void => {
    rows.set(name, { name, flops });
    suite.add(
      name,
      () => {
        sink += fn()[0]!;
      },
      options,
    );
  };
  add(`gemv n=${n} (library)`, gemvFlops, () => gemv(a, n, n, x));
  add(`gemv n=${n} (naive)`, gemvFlops, () => naiveGemv(a, n, x));
  const slow = n >= 500 ? { minSamples: 2, maxTime: 3 } : {};
  add(`gemm n=${n} (library)`, gemmFlops, () => gemm(a, b, n, n, n), slow);
  add(`gemm n=${n} (naive)`, gemmFlops, () => naiveGemm(a, b, n), slow);
}

suite
  .on('cycle', (event: Benchmark.Event) => {
    const bench = event.target as unknown as { name: string; stats: Benchmark.Stats };
    const row = rows.get(bench.name)!;
    const seconds = bench.stats.mean;
    const gflops = row.flops / seconds / 1e9;
    const samples = bench.stats.sample.length;
    console.log(
      `${bench.name.padEnd(24)} ${gflops.toFixed(2).padStart(6)} GFLOP/s  ` +
        `${(seconds * 1e3).toFixed(3).padStart(10)} ms/op  ±${bench.stats.rme.toFixed(1)}%  (${samples} samples)`,
    );
  })
  .on('complete', () => {
    if (Number.isNaN(sink)) console.log('(sink)');
  })
  .run();
