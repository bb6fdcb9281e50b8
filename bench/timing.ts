/**
 * Timing helpers shared by the benchmarks (`bench/*.bench.ts`) and `npm run compare`: a full
 * garbage collection between measurements, the median time per call after a warm-up, times
 * printed to three significant figures, and a header line naming the machine and its load.
 */
import { performance } from 'node:perf_hooks';
import { arch, cpus, loadavg, platform } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** How `timeCall` measures. */
export interface TimingOptions {
  /** Timed runs; the median is reported. */
  readonly repeats: number;
  /** Minimum duration of one run in ms: fast calls are batched up to it. */
  readonly runMs: number;
  /** Minimum warm-up in ms before timing. */
  readonly warmupMs: number;
}

// A full garbage collection before each row keeps one row's garbage from being collected on the
// next row's clock. `--expose-gc` can be switched on at run time; a fresh context then sees gc.
setFlagsFromString('--expose-gc');
export const collectGarbage = runInNewContext('gc') as (() => void) | undefined;

/** Median seconds per call of `fn`, after a garbage collection and a warm-up. */
export function timeCall(fn: () => unknown, options: TimingOptions): number {
  collectGarbage?.();
  let sink = 0;
  const observe = (r: unknown) => {
    if (r !== undefined) sink++;
  };
  // Warm up for at least warmupMs (and 3 calls) so the JIT has settled, then size the batch
  // so that one timed run lasts at least runMs.
  let start = performance.now();
  let calls = 0;
  while (calls < 3 || performance.now() - start < options.warmupMs) {
    observe(fn());
    calls++;
  }
  const each = Math.max((performance.now() - start) / calls, 1e-4);
  const batch = Math.max(1, Math.ceil(options.runMs / each));
  const perCall: number[] = [];
  for (let r = 0; r < options.repeats; r++) {
    start = performance.now();
    for (let i = 0; i < batch; i++) observe(fn());
    perCall.push((performance.now() - start) / batch / 1e3);
  }
  if (sink < 0) console.log(sink);
  return median(perCall);
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** 3 significant figures in ns, µs, ms or s; '—' for a time that was not measured (NaN, ∞). */
export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '—';
  const [value, unit] = s < 1e-6 ? [s * 1e9, 'ns'] : s < 1e-3 ? [s * 1e6, 'µs'] : s < 1 ? [s * 1e3, 'ms'] : [s, 's'];
  return `${value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2)} ${unit}`;
}

/**
 * The header line: CPU, Node, OS — and the 1-minute load average, because on a shared machine
 * a load above the core count means the timings were contended and should be read as such.
 */
export function machineLine(): string {
  const cpu = cpus()[0]?.model.trim().replace(/\s+/g, ' ') ?? 'unknown CPU';
  return `${cpu} (${cpus().length} cores), Node ${process.version}, ${platform()} ${arch()}, load ${loadavg()[0]!.toFixed(2)}`;
}
