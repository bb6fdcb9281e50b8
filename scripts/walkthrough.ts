/**
 * The engine output quoted in docs/walkthrough.md.
 *
 *   npx tsx scripts/walkthrough.ts           prints every block
 *   npx tsx scripts/walkthrough.ts --write   regenerates the blocks inside docs/walkthrough.md
 *
 * Each block in the doc sits right after a marker `<!-- output: name -->` as a ```text fence;
 * `--write` replaces the fence's contents and nothing else. test/autodiff/inspect.test.ts checks
 * that the doc matches what this script prints, so the walk-through cannot go stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { add, dot, grad, jvp, linearize, matmul, mul, tensor, transpose, type Tensor } from '../src/autodiff/index.js';
import { countOps, formatTape, recordGradTape, recordTape, tapeStats } from '../src/autodiff/inspect.js';
import { backwardSweep, forwardSweep } from '../src/autodiff/sweep.js';

export const docPath = resolve(fileURLToPath(import.meta.url), '../../docs/walkthrough.md');

/** f(x) = ½ xᵀAx with a non-symmetric A, so that ∇f = ½(A + Aᵀ)x is visibly not Ax. */
const A = tensor([
  [2, 1],
  [0, 3],
]);
const x = tensor([1, 2]);
const v = tensor([1, -1]);
const f = (y: Tensor): Tensor => mul(0.5, dot(y, matmul(A, y)));

const show = (t: Tensor): string => `[${Array.from(t.data, (n) => String(Number(n.toPrecision(6)))).join(', ')}]`;

function levelsBlock(): string {
  // D(x ↦ x · D(y ↦ x + y)(1))(1), each D a forward-mode jvp with tangent 1.
  let gap = 0;
  let inner = 0;
  const outer = jvp(
    (a: Tensor) => {
      const d = jvp(
        (b: Tensor) => {
          gap = b.level - a.level;
          return add(a, b);
        },
        tensor(1),
        tensor(1),
      ).tangent;
      inner = d.item();
      return mul(a, d);
    },
    tensor(1),
    tensor(1),
  ).tangent.item();
  return [
    `level of y − level of x inside the inner jvp: ${gap}`,
    `inner derivative D(y ↦ x + y)(1):            ${inner}`,
    `outer derivative D(x ↦ x · 1)(1):            ${outer}`,
  ].join('\n');
}

function hvpBlock(): string {
  const recording = recordGradTape(f, x);
  const gradientNode = recording.tape.nodes[recording.outputs[0]!]!;
  const leaf = recording.inputs[0]!;
  const reverse = countOps(() => backwardSweep(recording.tape, [[gradientNode, v]]).get(leaf)!);
  const forward = countOps(() => forwardSweep(recording.tape, new Map([[leaf, v]]), gradientNode.id)[gradientNode.id]!);
  const reference = matmul(mul(0.5, add(A, transpose(A))), v);
  return table([
    [`backward sweep, seed v at %${gradientNode.id}`, `Hv = ${show(reverse.result)}`, `${reverse.ops} evaluations`],
    [`forward sweep, tangent v at %${leaf}`, `Hv = ${show(forward.result)}`, `${forward.ops} evaluations`],
    ['½(A + Aᵀ)v, directly', `     ${show(reference)}`, ''],
  ]);
}

/** Rows as aligned columns: text columns padded on the right, the rest on the left. */
function table(rows: readonly (readonly string[])[], rightAligned: readonly number[] = []): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const cell = (text: string, c: number): string =>
    rightAligned.includes(c) ? text.padStart(widths[c]!) : text.padEnd(widths[c]!);
  return rows.map((r) => r.map(cell).join('   ').trimEnd()).join('\n');
}

function modesBlock(): string {
  const g = grad(f) as (y: Tensor) => Tensor;
  const modes: [string, string, () => Tensor][] = [
    ['rev-over-rev', 'grad(y ↦ ∇f(y)ᵀv)(x)', () => grad((y: Tensor) => dot(g(y), v))(x)],
    ['fwd-over-rev', 'linearize(grad(f), x).jvp(v)', () => linearize(g, x).jvp(v)],
    ['fwd-over-rev', 'jvp(grad(f), x, v).tangent', () => jvp(g, x, v).tangent],
    ['gradient', 'grad(f)(x)', () => g(x)],
  ];
  const rows = modes.map(([mode, code, run]) => {
    const c = countOps(run);
    return [mode, code, show(c.result), String(c.ops), `${c.bytesAllocated} B`];
  });
  return table([['mode', 'call', 'result', 'evaluations', 'allocated'], ...rows], [2, 3, 4]);
}

/** Every block of the walk-through, by marker name, in the doc's order. */
export function walkthroughBlocks(): Record<string, string> {
  const forward = recordTape(f, x);
  const backward = recordGradTape(f, x);
  const stats = (s: ReturnType<typeof tapeStats>) => `${s.nodes} nodes, ${s.bytesHeld} bytes held`;
  return {
    'forward-tape': formatTape(forward, { level: false }),
    'grad-tape': formatTape(backward, { level: false }),
    'tape-sizes': [
      `f alone:        ${stats(tapeStats(forward))}`,
      `f and its grad: ${stats(tapeStats(backward))}`,
    ].join('\n'),
    hvp: hvpBlock(),
    modes: modesBlock(),
    levels: levelsBlock(),
  };
}

const markerPattern = /<!-- output: ([\w-]+) -->\n```text\n([\s\S]*?)```/g;

/** The blocks currently in the doc, by marker name. */
export function readBlocks(markdown: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const m of markdown.matchAll(markerPattern)) found[m[1]!] = m[2]!.replace(/\n$/, '');
  return found;
}

/** The doc with every marked block replaced by the freshly printed one. */
export function fillBlocks(markdown: string, blocks: Record<string, string>): string {
  return markdown.replace(markerPattern, (whole, name: string) => {
    const text = blocks[name];
    if (text === undefined)
      throw new Error(`walkthrough: the doc has a block "${name}" that the script does not print`);
    return `<!-- output: ${name} -->\n\`\`\`text\n${text}\n\`\`\``;
  });
}

function main(): void {
  const blocks = walkthroughBlocks();
  if (process.argv.includes('--write')) {
    const before = readFileSync(docPath, 'utf8');
    const missing = Object.keys(blocks).filter((name) => !(name in readBlocks(before)));
    if (missing.length > 0) throw new Error(`walkthrough: the doc has no marker for ${missing.join(', ')}`);
    const after = fillBlocks(before, blocks);
    writeFileSync(docPath, after);
    console.log(after === before ? 'docs/walkthrough.md is up to date' : 'docs/walkthrough.md regenerated');
    return;
  }
  for (const [name, text] of Object.entries(blocks)) console.log(`── ${name} ──\n${text}\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
