/**
 * Code generation for `jit`: a plan becomes one JavaScript function, built with `new Function`.
 *
 * The generated module is a factory: it allocates the plan's buffers and registers once, binds
 * the constants, index maps and kernels it is given, and returns `run(inputs)`, which fills the
 * buffers step by step and returns fresh copies of the outputs. Each fused loop is a plain
 * `for` over Float64Arrays with one `const t<node> = …` per fused op; each kernel step calls the
 * primitive's own value through a small adapter. Long programs (thousands of rank-0 ops) are split
 * into parts of up to a thousand statements, so that each part stays small enough for the
 * engine's optimising compiler.
 *
 * What this file leaves out: the interpreter that runs the same plan where `new Function` is
 * forbidden (interpret.ts).
 */
import { matmulKernel } from '../ops/linear-algebra.js';
import { dataOf, fromData, type Tensor } from '../tensor.js';
import { HELPERS } from './builtins.js';
import type { KernelStep, LoopStep, Operand, Plan, Storage } from './plan.js';

/** A compiled plan: takes the inputs' arrays, returns fresh output arrays. */
export type Runner = (inputs: readonly Float64Array[]) => Float64Array[];

/** What the generated factory receives: helpers, constants, index maps and kernel adapters. */
export interface Environment {
  readonly H: typeof HELPERS;
  readonly C: readonly Float64Array[];
  readonly M: readonly Int32Array[];
  readonly K: readonly ((...arrays: Float64Array[]) => Float64Array)[];
}

/** The matrix product written into `out`, by the matmul primitive's own kernel for these shapes (so the same bits). */
export function matmulInto(step: KernelStep): (a: Float64Array, b: Float64Array, out: Float64Array) => Float64Array {
  const [A, B] = step.inputs.map((i) => i.shape) as [readonly number[], readonly number[]];
  const { ta, tb } = step.params as { ta: boolean; tb: boolean };
  return (a, b, out) => matmulKernel(a, b, A, B, ta, tb, out);
}

/** The adapter a kernel step calls: wraps arrays as tensors, runs the primitive, unwraps its result. */
export function kernelAdapter(step: KernelStep): (...arrays: Float64Array[]) => Float64Array {
  if (step.into) return matmulInto(step) as (...arrays: Float64Array[]) => Float64Array;
  const n = step.inputs.length;
  const shapes = step.inputs.map((i) => i.shape);
  return (...arrays) => {
    const inputs = new Array<Tensor>(n);
    for (let j = 0; j < n; j++) inputs[j] = fromData(arrays[j]!, shapes[j]!);
    let params = step.params;
    if (step.paramInputs.length > 0) {
      const copy = { ...(step.params as Record<string, unknown>) };
      step.paramInputs.forEach((p, k) => (copy[p.key] = fromData(arrays[n + k]!, p.shape)));
      params = copy;
    }
    return dataOf(step.primitive.value(inputs, params));
  };
}

/**
 * The most lines in one part of the generated code. Measured on scalar programs (8000 to 45 000
 * rank-0 ops) in the jit bench: parts of about 1000 lines ran the value and gradient 2–4× faster
 * than parts of 400 (which the engine inlines into `run`, making that too large to optimise), and
 * the HVPs 1–4× faster than parts of 2000 (each part runs once per call, and larger ones took
 * longer to be optimised).
 */
const PART_BUDGET = 1000;
/** More rank-0 outputs than this are copied out of the registers by a loop. */
const TABLED_OUTPUTS = 16;
/** Up to this many inputs get a variable each in the generated code. */
const NAMED_INPUTS = 32;

/** What code generation carries from step to step: the plan and what the factory will be given. */
interface CodeState {
  readonly plan: Plan;
  /** Whether each input has a variable of its own (`in<k>`) or is read from the call's array (`I[k]`). */
  readonly named: boolean;
  readonly C: Float64Array[];
  readonly M: Int32Array[];
  readonly K: ((...arrays: Float64Array[]) => Float64Array)[];
  readonly constantName: Map<number, string>;
}

/**
 * Generates the factory's source and the environment it needs: the prologue (declarations), the
 * code of each step (fused loops and kernel calls) gathered into parts, and the epilogue that
 * copies the outputs out.
 */
export function generate(plan: Plan): { source: string; environment: Environment } {
  const code: CodeState = {
    plan,
    // A few inputs are named variables, set on each call; many (an array of scalars) are read from
    // the call's array itself, which spares the call one assignment per input.
    named: plan.inputCount <= NAMED_INPUTS,
    C: [],
    M: [],
    K: [],
    constantName: new Map(),
  };
  const { declarations, inputs } = prologue(code);
  const parts = intoParts(
    plan.steps.map((step) => (step.kind === 'loop' ? loopSource(code, step) : kernelSource(code, step))),
  );
  const returned = epilogue(code, declarations);
  const source = indent([
    ...declarations,
    ...parts.map((lines, k) => [`function part${k}() {`, ...lines.map((l) => `  ${l}`), '}'].join('\n')),
    'return function run(inputs) {',
    ...(code.named ? inputs.map((name, k) => `  ${name} = inputs[${k}];`) : ['  I = inputs;']),
    ...parts.map((_, k) => `  part${k}();`),
    ...returned,
    '};',
  ]);
  return { source, environment: { H: HELPERS, C: code.C, M: code.M, K: code.K } };
}

/** The declarations allocated once per compiled function: registers, inputs, constants, fresh results, buffers. */
function prologue(code: CodeState): { declarations: string[]; inputs: string[] } {
  const { plan, C } = code;
  const declarations: string[] = [
    '"use strict";',
    'const H = env.H;',
    `const R = new Float64Array(${Math.max(plan.registers, 1)});`,
  ];
  const inputs: string[] = [];
  if (code.named) for (let k = 0; k < plan.inputCount; k++) inputs.push(`in${k}`);
  if (inputs.length > 0) declarations.push(`let ${inputs.join(', ')};`);
  if (!code.named) declarations.push('let I;');
  const fresh: string[] = [];
  for (const [id, s] of plan.storage) {
    if (s.kind === 'const') {
      code.constantName.set(id, `c${id}`);
      declarations.push(`const c${id} = env.C[${C.length}];`);
      C.push(s.data);
    } else if (s.kind === 'fresh') {
      fresh.push(`f${id}`);
    }
  }
  if (fresh.length > 0) declarations.push(`let ${fresh.join(', ')};`);
  plan.buffers.forEach((size, k) => declarations.push(`const b${k} = new Float64Array(${size});`));
  return { declarations, inputs };
}

/** The expression for the array that holds a stored value. */
function arrayOf(code: CodeState, id: number): string {
  const s: Storage = code.plan.storage.get(id)!;
  switch (s.kind) {
    case 'input':
      return code.named ? `in${s.index}` : `I[${s.index}]`;
    case 'const':
      return code.constantName.get(id)!;
    case 'buffer':
      return `b${s.buffer}`;
    case 'fresh':
      return `f${id}`;
    case 'register':
      return `R.subarray(${s.slot}, ${s.slot + 1})`;
  }
}

/** One loop being generated: the locals hoisted before it (arrays, maps, scalars read once). */
interface LoopState {
  readonly step: LoopStep;
  readonly pre: string[];
  readonly local: Map<string, string>;
}

/** The local that holds `expression`, declared before the loop the first time `key` is asked for. */
function alias(loop: LoopState, key: string, expression: string): string {
  let name = loop.local.get(key);
  if (name === undefined) {
    name = `a${loop.local.size}`;
    loop.local.set(key, name);
    loop.pre.push(`const ${name} = ${expression};`);
  }
  return name;
}

/** The expression that reads an operand at element i of the loop. */
function readOperand(code: CodeState, loop: LoopState, o: Operand): string {
  if (o.kind === 'temp') return `t${o.node}`;
  const { step } = loop;
  const s = code.plan.storage.get(o.value)!;
  if (s.kind === 'register' && o.read.kind !== 'gather')
    return step.size > 1 ? alias(loop, `r${o.value}`, `R[${s.slot}]`) : `R[${s.slot}]`;
  if (s.kind === 'const' && o.read.kind !== 'gather' && (s.data.length === 1 || o.read.kind === 'scalar'))
    return numberLiteral(s.data[o.read.kind === 'scalar' ? o.read.at : 0]!);
  const array = alias(loop, `v${o.value}`, arrayOf(code, o.value));
  const r = o.read;
  switch (r.kind) {
    case 'identity':
      return `${array}[i]`;
    case 'scalar':
      return step.size > 1 ? alias(loop, `s${o.value}:${r.at}`, `${array}[${r.at}]`) : `${array}[${r.at}]`;
    case 'offset':
      return `${array}[i + ${r.offset}]`;
    case 'gather': {
      const map = alias(loop, `m${code.M.length}`, `env.M[${code.M.length}]`);
      code.M.push(r.map);
      return r.zeros ? `(${map}[i] >= 0 ? ${array}[${map}[i]] : 0)` : `${array}[${map}[i]]`;
    }
  }
}

/** A fused loop: its body (one `const t<node>` per member), then the store of its root or its sum. */
function loopSource(code: CodeState, step: LoopStep): string[] {
  const loop: LoopState = { step, pre: [], local: new Map() };
  const read = (o: Operand) => readOperand(code, loop, o);
  const body = step.members.map((m) => `const t${m.node} = ${m.rule.source(m.args.map(read))};`);
  const root = code.plan.storage.get(step.root)!;
  const target =
    root.kind === 'register' ? `R[${root.slot}]` : `${alias(loop, `v${step.root}`, arrayOf(code, step.root))}[i]`;
  const lines = [
    `// %${step.root}: ${step.members.map((m) => m.rule.name).join(', ')}${step.sum ? (step.members.length > 0 ? ', ' : '') + 'sum' : ''}`,
  ];
  const { pre } = loop;
  if (step.sum !== undefined) {
    const summand = read(step.sum);
    const total = target.replace('[i]', '[0]');
    if (step.size === 1) lines.push('{', ...pre, 'const i = 0;', ...body, `${total} = ${summand};`, '}');
    else
      lines.push(
        '{',
        ...pre,
        'let total = 0;',
        `for (let i = 0; i < ${step.size}; i++) {`,
        ...body,
        `total += ${summand};`,
        '}',
        `${total} = total;`,
        '}',
      );
    return lines;
  }
  const result = `t${step.root}`;
  if (step.size === 1) lines.push('{', ...pre, 'const i = 0;', ...body, `${target} = ${result};`, '}');
  else lines.push('{', ...pre, `for (let i = 0; i < ${step.size}; i++) {`, ...body, `${target} = ${result};`, '}', '}');
  return lines;
}

/** A kernel step: one call of its adapter, storing a fresh result or writing into the step's buffer. */
function kernelSource(code: CodeState, step: KernelStep): string[] {
  const index = code.K.length;
  code.K.push(kernelAdapter(step));
  const args = [...step.inputs, ...step.paramInputs].map((i) => arrayOf(code, i.value));
  if (step.into)
    return [
      `env.K[${index}](${[...args, arrayOf(code, step.node)].join(', ')}); // ${step.primitive.name} → [${step.shape.join(', ')}]`,
    ];
  return [
    `f${step.node} = env.K[${index}](${args.join(', ')}); // ${step.primitive.name} → [${step.shape.join(', ')}]`,
  ];
}

/** The steps' code gathered into parts of about PART_BUDGET lines (a step is never split). */
function intoParts(steps: readonly string[][]): string[][] {
  const parts: string[][] = [];
  let current: string[] = [];
  let weight = 0;
  for (const lines of steps) {
    if (weight + lines.length > PART_BUDGET && current.length > 0) {
      parts.push(current);
      current = [];
      weight = 0;
    }
    current.push(...lines);
    weight += lines.length;
  }
  if (current.length > 0) parts.push(current);
  return parts;
}

/**
 * The end of `run`: fresh copies of the outputs. Rank-0 outputs in registers are copied out by a
 * loop over a table when there are many (a gradient with respect to an array of scalars), one
 * expression each otherwise; the table is declared in the prologue.
 */
function epilogue(code: CodeState, declarations: string[]): string[] {
  const { plan, M } = code;
  const registerOutputs = plan.outputs.flatMap((o, k) => {
    const s = plan.storage.get(o.value)!;
    return s.kind === 'register' ? [[k, s.slot] as const] : [];
  });
  const tabled = registerOutputs.length > TABLED_OUTPUTS;
  const outputs = plan.outputs.map((o) => {
    const s = plan.storage.get(o.value)!;
    if (s.kind === 'register') return tabled ? 'undefined' : `Float64Array.of(R[${s.slot}])`;
    return `${arrayOf(code, o.value)}.slice()`;
  });
  if (!tabled) return [`  return [${outputs.join(', ')}];`];
  declarations.push(`const OP = env.M[${M.length}], OS = env.M[${M.length + 1}];`);
  M.push(
    Int32Array.from(registerOutputs, ([k]) => k),
    Int32Array.from(registerOutputs, ([, slot]) => slot),
  );
  return [
    `  const out = [${outputs.join(', ')}];`,
    '  for (let k = 0; k < OP.length; k++) {',
    '    const one = H.allocate(1);',
    '    one[0] = R[OS[k]];',
    '    out[OP[k]] = one;',
    '  }',
    '  return out;',
  ];
}

/** Re-indents generated lines by their braces, for people reading the source. */
function indent(blocks: readonly string[]): string {
  let depth = 0;
  const out: string[] = [];
  for (const line of blocks.join('\n').split('\n')) {
    const text = line.trim();
    if (text.startsWith('}')) depth = Math.max(0, depth - 1);
    out.push(`${'  '.repeat(depth)}${text}`);
    if (text.endsWith('{')) depth++;
  }
  return out.join('\n');
}

function numberLiteral(x: number): string {
  if (Object.is(x, -0)) return '(-0)';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '(-Infinity)';
  return x < 0 ? `(${String(x)})` : String(x);
}

/** The `Function` constructor jit uses; replaceable so tests can act out a page that forbids it. */
let functionConstructor: (parameter: string, body: string) => (...args: unknown[]) => unknown = (parameter, body) =>
  new Function(parameter, body) as (...args: unknown[]) => unknown;

/** @internal Replaces the code-generation step (tests simulate a Content-Security-Policy); returns the previous one. */
export function setFunctionConstructor(next: typeof functionConstructor): typeof functionConstructor {
  const previous = functionConstructor;
  functionConstructor = next;
  return previous;
}

/** Builds the runner from generated source; throws what `new Function` throws (an EvalError under CSP). */
export function compileSource(source: string, environment: Environment): Runner {
  const factory = functionConstructor('env', source);
  return factory(environment) as Runner;
}
