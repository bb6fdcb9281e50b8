/**
 * The pieces of `npm run compare`, as pure(ish) functions the tests can call: argument parsing,
 * measuring one workload in every mode, and formatting the tables as aligned text, Markdown or
 * CSV. `bin/compare.ts` only wires them to the process.
 *
 * What a row measures, for one Hessian-vector product (or one value / gradient):
 *
 * - time: the median over K timed runs, after warm-up, of `performance.now()` around a batch of
 *   calls sized so one run lasts at least a couple of milliseconds (so the timer's resolution
 *   does not matter for the fast rows);
 * - tape nodes / bytes held: every reverse-mode tape the call records (found by walking the
 *   input's primal chain inside f), counted with `tapeStats`' rules; for the replayed operators,
 *   the one tape the operator keeps alive between products;
 * - ops / bytes allocated: `countOps` around one call — primitive evaluations at every level;
 * - error: max|a − b| / max|b| against the hand-written closed form.
 */
import { performance } from 'node:perf_hooks';
import { collectGarbage, formatSeconds, machineLine, median, timeCall, type TimingOptions } from '../bench/timing.js';
import { grad, hessianOperator, hvp, jit, HVP_MODES, type HvpMode, type Tree } from '../src/index.js';
import { countOps, tapeStats } from '../src/autodiff/inspect.js';
import { flatten } from '../src/autodiff/tree.js';
import { Tensor, dataOf } from '../src/autodiff/tensor.js';
import type { Tape } from '../src/autodiff/tape.js';
import {
  checkTargets,
  flat,
  logistic,
  mlp,
  quadratic,
  relativeError,
  rosenbrock,
  scalarRosenbrock,
  TARGET_MODES,
  type TargetCheck,
  type Workload,
} from '../bench/workloads.js';

// ---------------------------------------------------------------------------------------------
// Options

export const WORKLOAD_CHOICES = ['quadratic', 'logistic', 'mlp', 'rosenbrock', 'scalar-rosenbrock', 'all'] as const;
export type WorkloadChoice = (typeof WORKLOAD_CHOICES)[number];
export const FORMATS = ['text', 'markdown', 'csv'] as const;
export type Format = (typeof FORMATS)[number];

export interface CompareOptions {
  readonly workload: WorkloadChoice;
  /** Size for the quadratic and the Rosenbrock workloads; undefined means the benchmark's default sizes. */
  readonly n: number | undefined;
  readonly repeats: number;
  readonly format: Format;
  readonly help: boolean;
}

export const USAGE = `Usage: npm run compare -- [options]

Times every Hessian-vector product mode of tapegrad next to the gradient and a hand-written
Float64Array closed form, with tape sizes, op counts and errors. One table per workload.

Options:
  --workload <name>   quadratic | logistic | mlp | rosenbrock | scalar-rosenbrock | all (default all)
                      'rosenbrock' runs the vectorised and the scalar-op versions.
  --n <size>          size of the quadratic and Rosenbrock workloads (default: quadratic 100 and
                      1000, vectorised Rosenbrock 10000, scalar Rosenbrock 1000). Logistic
                      (N = 2000, d = 100) and the MLP (64→64→10, batch 256) keep their sizes.
  --repeats <K>       timed runs per row after warm-up; the median is reported (default 5)
  --format <f>        text | markdown | csv (default text)
  --help              print this message
`;

/** A bad command line: `bin/compare.ts` prints the message and USAGE and exits with status 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Parses `--name value` and `--name=value` options. */
export function parseArgs(argv: readonly string[]): CompareOptions {
  let workload: WorkloadChoice = 'all';
  let n: number | undefined;
  let repeats = 5;
  let format: Format = 'text';
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      help = true;
      continue;
    }
    const match = /^--([a-z]+)(?:=(.*))?$/.exec(arg);
    if (match === null) throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; options start with --`);
    const name = match[1]!;
    if (!['workload', 'n', 'repeats', 'format'].includes(name)) throw new UsageError(`unknown option --${name}`);
    let value = match[2];
    if (value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value`);
    }
    switch (name) {
      case 'workload':
        if (!(WORKLOAD_CHOICES as readonly string[]).includes(value)) {
          throw new UsageError(
            `--workload must be one of ${WORKLOAD_CHOICES.join(', ')}; got ${JSON.stringify(value)}`,
          );
        }
        workload = value as WorkloadChoice;
        break;
      case 'n':
        n = positiveInteger('--n', value, 2);
        break;
      case 'repeats':
        repeats = positiveInteger('--repeats', value, 1);
        break;
      case 'format':
        if (!(FORMATS as readonly string[]).includes(value))
          throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got ${JSON.stringify(value)}`);
        format = value as Format;
        break;
    }
  }
  return { workload, n, repeats, format, help };
}

function positiveInteger(option: string, text: string, minimum: number): number {
  const value = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(value) || value < minimum) {
    throw new UsageError(`${option} must be an integer ≥ ${minimum}; got ${JSON.stringify(text)}`);
  }
  return value;
}

/** The workloads a command line asks for. */
export function selectWorkloads(options: Pick<CompareOptions, 'workload' | 'n'>): Workload[] {
  const { workload, n } = options;
  const list: Workload[] = [];
  const want = (name: WorkloadChoice) => workload === 'all' || workload === name;
  if (want('quadratic')) for (const size of n === undefined ? [100, 1000] : [n]) list.push(quadratic(size) as Workload);
  if (want('logistic')) list.push(logistic() as Workload);
  if (want('mlp')) list.push(mlp() as Workload);
  if (want('rosenbrock')) list.push(rosenbrock(n ?? 10_000) as Workload);
  if (want('rosenbrock') || want('scalar-rosenbrock')) list.push(scalarRosenbrock(n ?? 1000) as Workload);
  return list;
}

// ---------------------------------------------------------------------------------------------
// Timing

// ---------------------------------------------------------------------------------------------
// Tapes recorded by a call

/** Wraps f so that every reverse-mode tape tracing its input is collected (outermost first). */
function probed(w: Workload, tapes: Set<Tape>): (x: Tree) => Tensor {
  return (x) => {
    const first = flatten(x, 'compare').leaves[0];
    const chain: Tape[] = [];
    for (let t = first; t !== undefined && t.level > 0; t = t.primal) {
      if (t.trace?.kind === 'reverse') chain.push(t.trace as Tape);
    }
    for (const tape of chain.reverse()) tapes.add(tape);
    return w.f(x);
  };
}

/** Nodes and distinct bytes held by a set of tapes (tapeStats' rules, buffers counted once across tapes). */
export function tapesHeld(tapes: Iterable<Tape>): { nodes: number; bytesHeld: number } {
  const buffers = new Set<ArrayBufferLike>();
  let nodes = 0;
  for (const tape of tapes) {
    nodes += tapeStats(tape).nodes;
    for (const node of tape.nodes) {
      buffers.add(dataOf(node.output).buffer);
      for (const input of node.inputs) buffers.add(dataOf(input).buffer);
      if (node.params !== null && typeof node.params === 'object') {
        for (const value of Object.values(node.params)) if (value instanceof Tensor) buffers.add(dataOf(value).buffer);
      }
    }
  }
  let bytesHeld = 0;
  for (const b of buffers) bytesHeld += b.byteLength;
  return { nodes, bytesHeld };
}

// ---------------------------------------------------------------------------------------------
// Measuring one workload

export type RowKind = 'tapegrad' | 'operator' | 'hand';

export interface Row {
  /** What was computed, e.g. `hvp fwd-over-rev`, `operator rev-over-rev (replay)`, `hand HVP`. */
  readonly mode: string;
  readonly kind: RowKind;
  /** Median seconds per call. */
  readonly seconds: number;
  /** Time ÷ tapegrad's gradient. */
  readonly perGradient: number;
  /** Time ÷ the matching hand-written closed form (value, gradient, HVP, or precomputed operator). */
  readonly perHand: number | undefined;
  /** Tape nodes recorded per call (operators: kept by the operator); undefined when none is made. */
  readonly nodes: number | undefined;
  readonly bytesHeld: number | undefined;
  /** Primitive evaluations per call (countOps). */
  readonly ops: number | undefined;
  readonly bytesAllocated: number | undefined;
  /** max|a − b|/max|b| against the closed form. */
  readonly error: number | undefined;
  /** The same quantity through `jit` (operator replays: `{ jit: true }`); undefined for rows jit does not apply to. */
  readonly jit: JitMeasurement | undefined;
}

/** A row's quantity computed by compiled code. */
export interface JitMeasurement {
  /** Median seconds per call, once compiled. */
  readonly seconds: number;
  /** Time ÷ the same hand-written closed form as the row's. */
  readonly perHand: number | undefined;
  /** Milliseconds of the first call: tracing, optimising, generating code and running once. */
  readonly compileMs: number;
  /** False when jit ran the function uncompiled (a constant depends on the argument values). */
  readonly compiled: boolean;
  /** max|a − b|/max|b| of the compiled result against the interpreted one (0: bit for bit). */
  readonly differenceFromInterpreted: number;
}

export interface WorkloadTable {
  readonly workload: Workload;
  readonly rows: Row[];
  readonly targets: TargetCheck[];
}

export const OPERATOR_MODES = ['fwd-over-rev', 'rev-over-rev'] as const;

/** Runs every mode of one workload and builds its table. */
export function measureWorkload(w: Workload, timing: TimingOptions): WorkloadTable {
  const f = (x: Tree) => w.f(x);
  const { x, v, xFlat, vFlat, hand } = w;
  const handValue = hand.value(xFlat);
  const handGradient = hand.gradient(xFlat);
  const handHvp = hand.hvp(xFlat, vFlat);
  const handOperator = hand.operator(xFlat);

  interface Measured {
    mode: string;
    kind: RowKind;
    seconds: number;
    handSeconds: 'value' | 'gradient' | 'hvp' | 'operator' | undefined;
    nodes: number | undefined;
    bytesHeld: number | undefined;
    ops: number | undefined;
    bytesAllocated: number | undefined;
    error: number | undefined;
    jit?: Omit<JitMeasurement, 'perHand'> | undefined;
  }
  const measured: Measured[] = [];

  /**
   * The compiled twin of a row: `build` makes the jitted call (its first run is the compile
   * time), `interpreted` is the row's own result to compare with.
   */
  const compiled = (
    build: () => { call: () => Float64Array | number; compiled: () => boolean },
    interpreted: Float64Array | number,
  ): Omit<JitMeasurement, 'perHand'> => {
    const started = performance.now();
    const { call, compiled: wasCompiled } = build();
    const first = call();
    const compileMs = performance.now() - started;
    return {
      seconds: timeCall(call, timing),
      compileMs,
      compiled: wasCompiled(),
      differenceFromInterpreted: relativeError(first, interpreted),
    };
  };
  const jitted =
    <A extends unknown[]>(fn: (...args: A) => unknown, args: A, read: (out: unknown) => Float64Array | number) =>
    () => {
      const j = jit(fn as (...a: unknown[]) => unknown) as ((...a: unknown[]) => unknown) & {
        lower(...a: unknown[]): { valueDependent: string | undefined };
      };
      return { call: () => read(j(...args)), compiled: () => j.lower(...args).valueDependent === undefined };
    };

  /** A tapegrad call: counted, probed for tapes, checked, then timed. */
  const tapegrad = (
    mode: string,
    handSeconds: Measured['handSeconds'],
    reference: Float64Array | number,
    call: (fn: (x: Tree) => Tensor) => Float64Array | number,
    jitOf?: () => { call: () => Float64Array | number; compiled: () => boolean },
  ): void => {
    const tapes = new Set<Tape>();
    const counted = countOps(() => call(probed(w, tapes)));
    const held = tapes.size === 0 ? undefined : tapesHeld(tapes);
    const seconds = timeCall(() => call(f), timing);
    const jitRow = jitOf === undefined ? undefined : compiled(jitOf, counted.result);
    measured.push({
      mode,
      kind: 'tapegrad',
      seconds,
      handSeconds,
      nodes: held?.nodes,
      bytesHeld: held?.bytesHeld,
      ops: counted.ops,
      bytesAllocated: counted.bytesAllocated,
      error: relativeError(counted.result, reference),
      jit: jitRow,
    });
  };

  // Warm every code path first: timing a row while later rows' paths are still unseen measured
  // the JIT re-optimising shared engine functions (the first gradient row read 3-5x too slow).
  for (const call of [
    () => f(x),
    () => grad(f)(x),
    ...HVP_MODES.map((mode) => () => hvp(f, x, v, { mode })),
    ...OPERATOR_MODES.map((mode) => () => hessianOperator(f, x, { mode }).apply(flatOf(v))),
  ]) {
    const until = performance.now() + timing.warmupMs / 2;
    do call();
    while (performance.now() < until);
  }

  tapegrad(
    'value',
    'value',
    handValue,
    (fn) => fn(x).item(),
    jitted(f, [x], (out) => (out as Tensor).item()),
  );
  tapegrad('gradient', 'gradient', handGradient, (fn) => flatOf(grad(fn)(x)), jitted(grad(f), [x], flatOf));
  for (const mode of HVP_MODES) {
    tapegrad(
      `hvp ${mode}`,
      'hvp',
      handHvp,
      (fn) => flatOf(hvp(fn, x, v, { mode })),
      jitted((y: Tree, u: Tree) => hvp(f, y, u, { mode }), [x, v], flatOf),
    );
  }

  for (const mode of OPERATOR_MODES) {
    const tapes = new Set<Tape>();
    const recorded = countOps(() => hessianOperator(probed(w, tapes), x, { mode }));
    const op = recorded.result;
    // The operator keeps the outermost tape (f's forward pass and its recorded backward pass);
    // the inner tape of the gradient it recorded is garbage once recording ends.
    const kept = [...tapes][0];
    const held = kept === undefined ? undefined : tapesHeld([kept]);
    const recordSeconds = timeCall(() => hessianOperator(f, x, { mode }), {
      ...timing,
      repeats: Math.max(1, Math.min(timing.repeats, 3)),
    });
    const allHeld = tapesHeld(tapes);
    measured.push({
      mode: `operator ${mode} (record)`,
      kind: 'operator',
      seconds: recordSeconds,
      handSeconds: 'gradient',
      nodes: allHeld.nodes,
      bytesHeld: allHeld.bytesHeld,
      ops: recorded.ops,
      bytesAllocated: recorded.bytesAllocated,
      error: relativeError(op.gradient, handGradient),
    });
    const applied = countOps(() => op.apply(vFlat));
    const seconds = timeCall(() => op.apply(vFlat), timing);
    const jitRow = compiled(() => {
      const compiledOp = hessianOperator(f, x, { mode, jit: true });
      compiledOp.apply(vFlat);
      return { call: () => compiledOp.apply(vFlat), compiled: () => countOps(() => compiledOp.apply(vFlat)).ops === 0 };
    }, applied.result);
    measured.push({
      mode: `operator ${mode} (replay)`,
      kind: 'operator',
      seconds,
      handSeconds: 'operator',
      nodes: held?.nodes,
      bytesHeld: held?.bytesHeld,
      ops: applied.ops,
      bytesAllocated: applied.bytesAllocated,
      error: relativeError(applied.result, handHvp),
      jit: jitRow,
    });
  }

  const handRow = (
    mode: string,
    handSeconds: Measured['handSeconds'],
    call: () => unknown,
    error: number | undefined,
  ): void => {
    measured.push({
      mode,
      kind: 'hand',
      seconds: timeCall(call, timing),
      handSeconds,
      nodes: undefined,
      bytesHeld: undefined,
      ops: undefined,
      bytesAllocated: undefined,
      error,
    });
  };
  handRow('hand value', 'value', () => hand.value(xFlat), undefined);
  handRow('hand gradient', 'gradient', () => hand.gradient(xFlat), undefined);
  handRow('hand HVP', 'hvp', () => hand.hvp(xFlat, vFlat), undefined);
  handRow(
    'hand operator (precomputed at x)',
    'operator',
    () => handOperator(vFlat),
    relativeError(handOperator(vFlat), handHvp),
  );

  const secondsOf = (mode: string) => measured.find((m) => m.mode === mode)!.seconds;
  const gradientSeconds = secondsOf('gradient');
  const handSecondsOf = {
    value: secondsOf('hand value'),
    gradient: secondsOf('hand gradient'),
    hvp: secondsOf('hand HVP'),
    operator: secondsOf('hand operator (precomputed at x)'),
  };
  const rows = measured.map((m): Row => ({
    mode: m.mode,
    kind: m.kind,
    seconds: m.seconds,
    perGradient: m.seconds / gradientSeconds,
    perHand: m.handSeconds === undefined ? undefined : m.seconds / handSecondsOf[m.handSeconds],
    nodes: m.nodes,
    bytesHeld: m.bytesHeld,
    ops: m.ops,
    bytesAllocated: m.bytesAllocated,
    error: m.error,
    jit:
      m.jit === undefined
        ? undefined
        : { ...m.jit, perHand: m.handSeconds === undefined ? undefined : m.jit.seconds / handSecondsOf[m.handSeconds] },
  }));
  const targets = checkTargets(w.bound, {
    gradient: gradientSeconds,
    handGradient: handSecondsOf.gradient,
    handHvp: handSecondsOf.hvp,
    handOperator: handSecondsOf.operator,
    hvp: Object.fromEntries(TARGET_MODES.map((mode) => [mode, secondsOf(`hvp ${mode}`)])),
    operator: Object.fromEntries(TARGET_MODES.map((mode) => [mode, secondsOf(`operator ${mode} (replay)`)])),
  });
  return { workload: w, rows, targets };
}

function flatOf(tree: unknown): Float64Array {
  return tree instanceof Float64Array ? tree : flat(tree);
}

/** Every HVP mode the table has a row for (for tests). */
export const TABLE_MODES: readonly string[] = [
  'value',
  'gradient',
  ...HVP_MODES.map((m: HvpMode) => `hvp ${m}`),
  ...OPERATOR_MODES.flatMap((m) => [`operator ${m} (record)`, `operator ${m} (replay)`]),
  'hand value',
  'hand gradient',
  'hand HVP',
  'hand operator (precomputed at x)',
];

// ---------------------------------------------------------------------------------------------
// Formatting

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 ** 2) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 ** 2).toFixed(2)} MiB`;
}

const ratio = (r: number | undefined) => (r === undefined ? '—' : `${r >= 100 ? r.toFixed(0) : r.toFixed(2)}×`);
const count = (c: number | undefined) => (c === undefined ? '—' : c.toLocaleString('en-US'));
const bytes = (b: number | undefined) => (b === undefined ? '—' : formatBytes(b));
const error = (e: number | undefined) => (e === undefined ? '—' : e === 0 ? '0' : e.toExponential(1));

const COLUMNS = [
  'mode',
  'time/call',
  '÷ gradient',
  '÷ hand',
  'tape nodes',
  'bytes held',
  'ops/call',
  'allocated/call',
  'rel. error',
  'jit time/call',
  'jit ÷ hand',
  'jit compile',
] as const;

function cells(row: Row): string[] {
  const j = row.jit;
  const jitCells =
    j === undefined
      ? ['—', '—', '—']
      : [
          `${formatSeconds(j.seconds)}${j.compiled ? '' : ' †'}`,
          ratio(j.perHand),
          `${j.compileMs.toFixed(j.compileMs < 10 ? 1 : 0)} ms`,
        ];
  return [
    row.mode,
    formatSeconds(row.seconds),
    ratio(row.perGradient),
    ratio(row.perHand),
    count(row.nodes),
    bytes(row.bytesHeld),
    count(row.ops),
    bytes(row.bytesAllocated),
    error(row.error),
    ...jitCells,
  ];
}

function title(t: WorkloadTable): string {
  return `${t.workload.name}: ${t.workload.description}, ${t.workload.size.toLocaleString('en-US')} parameters`;
}

function targetLines(t: WorkloadTable): string[] {
  return t.targets.map((c) => `${c.pass ? 'PASS' : 'MISS'}  ${c.target} = ${c.ratio.toFixed(2)} (target ≤ ${c.limit})`);
}

const LEGEND = [
  '÷ hand: value, gradient and hvp rows against the hand-written closed form computed from scratch; replayed operators against the hand operator with the x-dependent state precomputed; record rows against the hand gradient.',
  'tape nodes / bytes held: tapes recorded during one call (for replay rows: the tape the operator keeps; for record rows: all tapes made while recording). ops/call and allocated/call: countOps.',
  'jit: the same quantity through jit (value: jit(f); gradient: jit(grad(f)); hvp: jit((x, v) => hvp(f, x, v, { mode })); replay: hessianOperator(f, x, { mode, jit: true }).apply); jit compile: the first call. † jit ran it uncompiled: a constant depends on the argument values (a finite-difference step, a stabilising shift).',
];

/** Aligned plain-text table, right-aligned numbers, with PASS/MISS lines under it. */
export function formatText(t: WorkloadTable): string {
  const body = t.rows.map(cells);
  const widths = COLUMNS.map((c, j) => Math.max(c.length, ...body.map((r) => r[j]!.length)));
  const line = (r: readonly string[]) =>
    r.map((c, j) => (j === 0 ? c.padEnd(widths[j]!) : c.padStart(widths[j]!))).join('  ');
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const out = [title(t), rule, line(COLUMNS), rule];
  t.rows.forEach((row, i) => {
    if (i > 0 && row.kind !== t.rows[i - 1]!.kind) out.push(rule.replace(/─/g, '·'));
    out.push(line(body[i]!));
  });
  out.push(rule, ...targetLines(t));
  return out.join('\n');
}

export function formatMarkdown(t: WorkloadTable): string {
  const out = [
    `### ${title(t)}`,
    '',
    `| ${COLUMNS.join(' | ')} |`,
    `| ${COLUMNS.map((_, j) => (j === 0 ? ':--' : '--:')).join(' | ')} |`,
  ];
  for (const row of t.rows) out.push(`| ${cells(row).join(' | ')} |`);
  out.push('', ...targetLines(t).map((l) => `- ${l}`));
  return out.join('\n');
}

const CSV_COLUMNS = [
  'workload',
  'mode',
  'kind',
  'seconds',
  'per_gradient',
  'per_hand',
  'tape_nodes',
  'bytes_held',
  'ops',
  'bytes_allocated',
  'relative_error',
  'jit_seconds',
  'jit_per_hand',
  'jit_compile_ms',
  'jit_compiled',
];

function csvCell(value: string | number | undefined): string {
  if (value === undefined) return '';
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** CSV rows (no header) with raw numbers: seconds, bytes, ratios. */
export function formatCsvRows(t: WorkloadTable): string[] {
  return t.rows.map((r) =>
    [
      t.workload.name,
      r.mode,
      r.kind,
      r.seconds,
      r.perGradient,
      r.perHand,
      r.nodes,
      r.bytesHeld,
      r.ops,
      r.bytesAllocated,
      r.error,
      r.jit?.seconds,
      r.jit?.perHand,
      r.jit?.compileMs,
      r.jit === undefined ? undefined : String(r.jit.compiled),
    ]
      .map(csvCell)
      .join(','),
  );
}

/** The whole report in one format: header, then one table per workload. */
export function formatReport(tables: readonly WorkloadTable[], format: Format, repeats: number): string {
  const header = `tapegrad compare — ${machineLine()}; median of ${repeats} timed runs after warm-up`;
  if (format === 'csv') return [`# ${header}`, CSV_COLUMNS.join(','), ...tables.flatMap(formatCsvRows)].join('\n');
  if (format === 'markdown')
    return [
      `## ${header}`,
      '',
      ...tables.map(formatMarkdown).flatMap((t) => [t, '']),
      ...LEGEND.map((l) => `_${l}_`).flatMap((l) => [l, '']),
    ]
      .join('\n')
      .trimEnd();
  return [header, '', ...tables.flatMap((t) => [formatText(t), '']), ...LEGEND].join('\n');
}
