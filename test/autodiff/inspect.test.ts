import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  add,
  dot,
  exp,
  grad,
  matmul,
  mul,
  reshape,
  sum,
  tensor,
  transpose,
  type Tensor,
} from '../../src/autodiff/index.js';
import { countOps, formatTape, recordGradTape, recordTape, tapeStats, tapeToDot } from '../../src/autodiff/inspect.js';
import { setValueHook } from '../../src/autodiff/primitive.js';
import { backwardSweep, forwardSweep } from '../../src/autodiff/sweep.js';
import { docPath, readBlocks, walkthroughBlocks } from '../../scripts/walkthrough.js';
import { tapeSection } from '../../scripts/sections/tape.js';

const sumExp = (x: Tensor): Tensor => sum(exp(x));
const A = tensor([
  [2, 1],
  [0, 3],
]);
const quadratic = (x: Tensor): Tensor => mul(0.5, dot(x, matmul(A, x)));

/** The node lines of a formatted tape (those starting with an id). */
const nodeLines = (text: string): string[] => text.split('\n').filter((l) => /^\s+%\d+\s/.test(l));

describe('recordTape', () => {
  it('records f once, unswept, with leaves first and outputs by node id', () => {
    const r = recordTape(sumExp, tensor([0, 1]));
    expect(r.tape.nodes.map((n) => n.primitive?.name ?? `leaf ${n.label}`)).toEqual(['leaf x', 'exp', 'sum']);
    expect(r.inputs).toEqual([0]);
    expect(r.outputs).toEqual([2]);
    expect(r.phases).toEqual(['input', 'forward', 'forward']);
    expect(r.value.level).toBe(0);
    expect(r.value.item()).toBeCloseTo(1 + Math.E, 14);
  });

  it('labels the leaves of a tree by path under the given root', () => {
    const r = recordTape(
      (p: { w: Tensor; b: Tensor }) => sum(add(p.w, p.b)),
      { w: tensor([1, 2]), b: tensor([3, 4]) },
      { label: 'params' },
    );
    expect(r.tape.nodes.filter((n) => n.primitive === undefined).map((n) => n.label)).toEqual(['params.w', 'params.b']);
    expect(r.inputs).toEqual([0, 1]);
  });

  it('keeps outputs that do not depend on x as constants without a node', () => {
    const r = recordTape((x: Tensor) => [exp(x), tensor(7)], tensor([0]));
    expect(r.outputs).toEqual([1]);
    expect((r.value as Tensor[])[1]!.item()).toBe(7);
  });

  it('rejects what it cannot record', () => {
    expect(() => recordTape(3 as never, tensor(1))).toThrow(InvalidArgumentError);
    expect(() => formatTape({} as never)).toThrow(/formatTape: source must be a recording from recordTape/);
    // A bad option is named as the user wrote it.
    expect(() => formatTape(recordTape(exp, tensor([0])), { level: 1 as never })).toThrow(
      /formatTape: options\.level must be true or false/,
    );
  });
});

describe('formatTape', () => {
  const text = formatTape(recordTape(sumExp, tensor([0, 1])));
  const lines = nodeLines(text);

  it('prints one line per node with id, op, inputs, shape and value, and marks the output', () => {
    expect(text.split('\n')[0]).toMatch(/^tape at level \d+: 3 nodes — 1 input, 2 ops$/);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^\s+%0\s+input\s+x\s+\[2\]\s+\[0, 1\]$/);
    expect(lines[1]).toMatch(/^\s+%1\s+exp\s+%0\s+\[2\]\s+\[1, 2\.718\]$/);
    expect(lines[2]).toMatch(/^\s+%2\s+sum\s+%1\s+axes=\[0\]\s+\[\]\s+3\.718\s+← output$/);
    expect(text).toContain('ops: exp 1, sum 1');
    expect(text).toContain('holds 40 B in 3 arrays');
  });

  it('aligns the columns', () => {
    const header = text.split('\n')[1]!;
    for (const column of ['op', 'inputs', 'shape', 'value']) {
      const at = header.indexOf(` ${column}`) + 1;
      for (const line of lines) expect(line[at - 1]).toBe(' ');
      for (const line of lines) expect(line[at]).not.toBe(' ');
    }
  });

  it('shows constants by shape or value and informative parameters only', () => {
    const out = formatTape(
      recordTape((x: Tensor) => mul(2, sum(matmul(A, x, { transposeA: true }), 0)), tensor([[1], [1]])),
      { values: false },
    );
    const body = nodeLines(out);
    expect(body.find((l) => l.includes('matmul'))).toMatch(/matmul\s+const\[2,2\], %0\s+Aᵀ·B\s+\[2,1\]$/);
    expect(body.find((l) => l.includes(' mul '))).toMatch(/mul\s+2, %\d+/);
    expect(out).not.toMatch(/shape=\[/); // reshape's target is the shape column already
    expect(out).not.toContain('value');
  });
});

describe('recordGradTape: the backward pass as data', () => {
  it('records the VJP rules after the forward pass: sum(exp(x)) → mul fed by the exp node', () => {
    const x = tensor([0, 1]);
    const r = recordGradTape(sumExp, x);
    const expNode = r.tape.nodes.find((n) => n.primitive?.name === 'exp')!;
    expect(r.phases[expNode.id]).toBe('forward');
    const backward = r.tape.nodes.filter((n) => r.phases[n.id] === 'backward');
    expect(backward.length).toBeGreaterThan(0);
    const rule = backward.find((n) => n.primitive?.name === 'mul')!;
    expect(rule.parents.some((p) => p === expNode)).toBe(true);
    expect(r.outputs).toEqual([rule.id]);
    expect(Array.from(r.value.data)).toEqual(Array.from(grad(sumExp)(x).data));

    const text = formatTape(r);
    expect(text).toMatch(/1 input, 2 forward, 1 backward/);
    const all = text.split('\n');
    const rule_ = all.findIndex((l) => l.includes('backward pass'));
    expect(rule_).toBeGreaterThan(0);
    expect(all[rule_ + 1]).toMatch(new RegExp(`%${rule.id}\\s+mul\\s+const\\[2\\], %${expNode.id}\\s`));
  });

  it('records the gradient of ½xᵀAx, and sweeps over it give Hv both ways', () => {
    const x = tensor([1, 2]);
    const v = tensor([1, -1]);
    const r = recordGradTape(quadratic, x);
    expect(Array.from(r.value.data)).toEqual([3, 6.5]);
    const out = r.tape.nodes[r.outputs[0]!]!;
    const expected = Array.from(matmul(mul(0.5, add(A, transpose(A))), v).data);
    expect(Array.from(backwardSweep(r.tape, [[out, v]]).get(r.inputs[0]!)!.data)).toEqual(expected);
    expect(Array.from(forwardSweep(r.tape, new Map([[r.inputs[0]!, v]]), out.id)[out.id]!.data)).toEqual(expected);
  });
});

describe('tapeToDot', () => {
  const r = recordGradTape(quadratic, tensor([1, 2]));
  const dot = tapeToDot(r);

  it('is well-formed DOT: balanced braces and quotes, every edge between declared nodes', () => {
    expect(dot.startsWith('digraph "tape" {')).toBe(true);
    expect(dot.trimEnd().endsWith('}')).toBe(true);
    const unquoted = dot.replace(/"(?:[^"\\]|\\.)*"/g, '""');
    expect((unquoted.match(/{/g) ?? []).length).toBe((unquoted.match(/}/g) ?? []).length);
    expect((dot.replace(/\\"/g, '').match(/"/g) ?? []).length % 2).toBe(0);
    const declared = new Set([...dot.matchAll(/^ {2}(\w+) \[/gm)].map((m) => m[1]));
    const edges = [...dot.matchAll(/^ {2}(\w+) -> (\w+)/gm)];
    expect(edges.length).toBeGreaterThan(r.tape.nodes.length - 1);
    for (const [, from, to] of edges) {
      expect(declared.has(from)).toBe(true);
      expect(declared.has(to)).toBe(true);
    }
    for (const node of r.tape.nodes) expect(declared.has(`n${node.id}`)).toBe(true);
  });

  it('draws one edge per parent, styles leaves, outputs and backward nodes, and can hide constants', () => {
    const parentEdges = r.tape.nodes.reduce((n, node) => n + node.parents.filter(Boolean).length, 0);
    expect([...dot.matchAll(/^ {2}n\d+ -> n\d+/gm)]).toHaveLength(parentEdges);
    expect(dot).toMatch(/n0 \[label="%0 x\\n\[2\]".*shape=ellipse/);
    expect(dot).toMatch(new RegExp(`n${r.outputs[0]} \\[.*peripheries=2`));
    const backward = r.phases.indexOf('backward');
    expect(dot).toMatch(new RegExp(`n${backward} \\[.*fillcolor="#fbd9b0"`));
    expect(dot).toContain('c0 [label="const[2,2]"');
    const bare = tapeToDot(r, { constants: false });
    expect(bare).not.toMatch(/^ {2}c\d+/m);
  });

  it('escapes labels', () => {
    const odd = tapeToDot(recordTape((p: Record<string, Tensor>) => exp(p['a"b\\c']!), { 'a"b\\c': tensor(1) }));
    expect(odd).toContain('label="%0 x.a\\"b\\\\c\\n[]"');
  });
});

describe('tapeStats', () => {
  it('counts nodes, ops by kind and the bytes held, shared data once', () => {
    // x (16 B), exp (16 B), sum (8 B); the traced x shares x's data.
    const stats = tapeStats(recordTape(sumExp, tensor([0, 1])));
    expect(stats).toEqual({ nodes: 3, leaves: 1, opsByKind: { exp: 1, sum: 1 }, bytesHeld: 40, arraysHeld: 3 });
  });

  it('counts a constant used by several nodes once', () => {
    const c = tensor([1, 2, 3]);
    const stats = tapeStats(recordTape((x: Tensor) => add(mul(x, c), mul(x, c)), tensor([0, 0, 0])));
    // x, c, two products and their sum: 5 distinct arrays of 24 bytes
    expect(stats.bytesHeld).toBe(5 * 24);
    expect(stats.opsByKind).toEqual({ mul: 2, add: 1 });
  });

  it('agrees with the tape behind a recording', () => {
    const r = recordGradTape(quadratic, tensor([1, 2]));
    expect(tapeStats(r)).toEqual(tapeStats(r.tape));
    expect(tapeStats(r).nodes).toBe(r.tape.nodes.length);
  });
});

describe('countOps', () => {
  it('counts each primitive evaluation and the bytes it allocated', () => {
    const plain = countOps(() => add(tensor([1, 2, 3]), tensor([4, 5, 6])));
    expect(plain).toMatchObject({ ops: 1, opsByKind: { add: 1 }, bytesAllocated: 24 });
    expect(Array.from(plain.result.data)).toEqual([5, 7, 9]);
    expect(countOps(() => reshape(tensor([1, 2]), [2, 1])).bytesAllocated).toBe(0);
  });

  it('counts a gradient exactly: forward ops and the VJP rules at level 0', () => {
    // forward: exp, sum; backward: reshape (of the seed to [1]), broadcastTo, mul
    const c = countOps(() => grad(sumExp)(tensor([0, 1])));
    expect(c.ops).toBe(5);
    expect(c.opsByKind).toEqual({ exp: 1, sum: 1, reshape: 1, broadcastTo: 1, mul: 1 });
    expect(c.bytesAllocated).toBe(16 + 8 + 16 + 16);
  });

  it('nests: the inner count is part of the outer one', () => {
    let inner = 0;
    const outer = countOps(() => {
      exp(tensor([1]));
      inner = countOps(() => exp(exp(tensor([1])))).ops;
    });
    expect(inner).toBe(2);
    expect(outer.ops).toBe(3);
  });

  it('removes its hook afterwards, also when fn throws', () => {
    countOps(() => exp(tensor([1])));
    expect(setValueHook(undefined)).toBeUndefined();
    expect(() =>
      countOps(() => {
        exp(tensor([1]));
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(setValueHook(undefined)).toBeUndefined();
  });
});

describe('docs/walkthrough.md', () => {
  it('quotes exactly what scripts/walkthrough.ts prints (regenerate with --write)', () => {
    const doc = readFileSync(docPath, 'utf8');
    expect(readBlocks(doc)).toEqual(walkthroughBlocks());
  });

  it('shows Hv = ½(A + Aᵀ)v in every mode', () => {
    const blocks = walkthroughBlocks();
    expect(blocks['hvp']!.match(/\[1\.5, -2\.5\]/g)).toHaveLength(3);
    expect(blocks['modes']!.match(/\[1\.5, -2\.5\]/g)).toHaveLength(3);
    expect(blocks['levels']).toMatch(/inner derivative .*: +1\n.*: +1$/);
  });

  it('gives the demo a tape section', () => {
    const section = tapeSection();
    expect(section).toContain('backward pass');
    expect(section).toMatch(/%7\s+add\s+%4, %6\s+\[2\]\s+\[3, 6\.5\]\s+← output/);
  });
});
