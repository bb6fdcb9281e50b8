/**
 * `npm run compare [-- --workload quadratic|logistic|mlp|rosenbrock|scalar-rosenbrock|all]
 *                      [--n 1000] [--repeats K] [--format text|markdown|csv]`
 *
 * Puts tapegrad's Hessian-vector-product modes side by side on the benchmark workloads: one
 * table per workload with time per product, ratios to the gradient and to a hand-written closed
 * form, tape sizes, op counts and errors, and the performance targets marked PASS or MISS. Timing is
 * a median of `performance.now()` runs (quick), not benchmark.js — `npm run bench` is the
 * careful measurement. The logic lives in `compare-lib.ts`.
 */
import {
  USAGE,
  UsageError,
  formatReport,
  measureWorkload,
  parseArgs,
  selectWorkloads,
  type CompareOptions,
} from './compare-lib.js';

function main(argv: readonly string[]): number {
  let options: CompareOptions;
  try {
    options = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`compare: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const workloads = selectWorkloads(options);
  // Progress goes to stderr, so `--format markdown > file` still writes only the tables.
  process.stderr.write(
    `compare: ${workloads.length} workload${workloads.length === 1 ? '' : 's'}, ${options.repeats} repeat${options.repeats === 1 ? '' : 's'} each\n`,
  );
  const tables = workloads.map((w, k) => {
    process.stderr.write(`[${k + 1}/${workloads.length}] measuring ${w.name}…\n`);
    return measureWorkload(w, { repeats: options.repeats, runMs: 20, warmupMs: 150 });
  });
  process.stdout.write(`${formatReport(tables, options.format, options.repeats)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
