/**
 * The plan interpreter: runs an optimised plan without generating code, for pages whose
 * Content-Security-Policy forbids `new Function` (no `'unsafe-eval'`).
 *
 * It runs the same steps as the generated code — the same fused loops, each element computed by
 * the same scalar formulas in the same order, the same kernels, the same buffers allocated once —
 * so its results are bit for bit those of the compiled function; it is only slower, paying a call
 * per fused op per element instead of inlined arithmetic.
 *
 * What this file leaves out: code generation (codegen.ts).
 */
import { kernelAdapter, type Runner } from './codegen.js';
import type { LoopStep, Operand, Plan } from './plan.js';

/** An operand read: element i of the current call's arrays, or a temporary. */
type Reader = (i: number) => number;

/** Builds a runner that interprets `plan`. */
export function interpretPlan(plan: Plan): Runner {
  const registers = new Float64Array(Math.max(plan.registers, 1));
  // The array behind each stored value; inputs and kernel results are set on every call.
  const arrays = new Map<number, Float64Array>();
  const buffers = plan.buffers.map((size) => new Float64Array(size));
  for (const [id, s] of plan.storage) {
    if (s.kind === 'const') arrays.set(id, s.data);
    else if (s.kind === 'buffer') arrays.set(id, buffers[s.buffer]!);
    else if (s.kind === 'register') arrays.set(id, registers.subarray(s.slot, s.slot + 1));
  }
  const steps = plan.steps.map((step) => {
    if (step.kind === 'kernel') {
      const adapter = kernelAdapter(step);
      const sources = [...step.inputs, ...step.paramInputs].map((i) => i.value);
      if (step.into) {
        const out = arrays.get(step.node)!;
        return () => {
          adapter(...sources.map((id) => arrays.get(id)!), out);
        };
      }
      return () => {
        arrays.set(step.node, adapter(...sources.map((id) => arrays.get(id)!)));
      };
    }
    return loopRunner(step, plan, arrays);
  });
  const inputIds = [...plan.storage]
    .filter(([, s]) => s.kind === 'input')
    .map(([id, s]) => [id, (s as { index: number }).index] as const);
  return (inputs) => {
    for (const [id, index] of inputIds) arrays.set(id, inputs[index]!);
    for (const run of steps) run();
    return plan.outputs.map((o) => arrays.get(o.value)!.slice());
  };
}

function loopRunner(step: LoopStep, plan: Plan, arrays: Map<number, Float64Array>): () => void {
  const temps = new Map<number, number>();
  step.members.forEach((m, k) => temps.set(m.node, k));
  const values = new Float64Array(Math.max(step.members.length, 1));
  const reader = (o: Operand): (() => Reader) => {
    if (o.kind === 'temp') {
      const slot = temps.get(o.node)!;
      return () => () => values[slot]!;
    }
    const r = o.read;
    return () => {
      const array = arrays.get(o.value)!;
      switch (r.kind) {
        case 'identity':
          return (i) => array[i]!;
        case 'scalar': {
          const v = array[r.at]!;
          return () => v;
        }
        case 'offset':
          return (i) => array[i + r.offset]!;
        case 'gather':
          return r.zeros ? (i) => (r.map[i]! >= 0 ? array[r.map[i]!]! : 0) : (i) => array[r.map[i]!]!;
      }
    };
  };
  const memberReaders = step.members.map((m) => m.args.map(reader));
  const sumReader = step.sum === undefined ? undefined : reader(step.sum);
  const rootIsMember = step.sum === undefined;
  const rules = step.members.map((m) => m.rule.evaluate);
  return () => {
    // Bind this call's arrays (inputs and kernel results change from call to call).
    const bound = memberReaders.map((list) => list.map((make) => make()));
    const out = arrays.get(step.root)!;
    const n = step.members.length;
    const summand = sumReader?.();
    let total = 0;
    for (let i = 0; i < step.size; i++) {
      for (let k = 0; k < n; k++) {
        const args = bound[k]!;
        values[k] =
          args.length === 1
            ? rules[k]!(args[0]!(i))
            : args.length === 2
              ? rules[k]!(args[0]!(i), args[1]!(i))
              : rules[k]!(args[0]!(i), args[1]!(i), args[2]!(i));
      }
      if (rootIsMember) out[i] = values[n - 1]!;
      else if (step.size === 1) total = summand!(i);
      else total += summand!(i);
    }
    if (!rootIsMember) out[0] = total;
  };
}
