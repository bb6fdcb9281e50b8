/**
 * No function in src/ outside src/linalg is longer than 60 code lines (the body's lines that hold
 * code: signature, doc comment, blank lines and comment-only lines not counted), as measured by
 * scripts/long-functions.ts. src/linalg is left out: its raw Float64Array kernels are long loops
 * on purpose. Run `npx tsx scripts/long-functions.ts 60` to see what is over.
 */
import { describe, expect, it } from 'vitest';
import { scanFunctions, scanSource } from '../../scripts/long-functions.js';

const LIMIT = 60;

const key = (f: { file: string; name: string }): string => `${f.file}: ${f.name}`;

describe('function length', () => {
  const functions = scanFunctions('src').filter((f) => !f.file.startsWith('src/linalg/'));

  it(`no function outside src/linalg is longer than ${LIMIT} lines`, () => {
    const over = functions
      .filter((f) => f.lines > LIMIT)
      .map((f) => `${key(f)} (${f.file}:${f.line}): ${f.lines} lines`);
    expect(over, 'split these into the steps they already have').toEqual([]);
  });

  it('the scanner finds the functions of src/ (declarations, methods and arrow functions)', () => {
    const names = new Set(functions.map(key));
    expect(names.has('src/hessian/applications/trust-region.ts: trustRegion')).toBe(true);
    expect(names.has('src/hessian/applications/stopping.ts: roundingWatch > step')).toBe(true);
    expect(functions.length).toBeGreaterThan(100);
  });
});

describe('the line count', () => {
  const source = [
    '/**',
    ' * A doc comment: not counted.',
    ' */',
    'export function outer(x: number): number {',
    '  // a comment alone on its line: not counted',
    '',
    '  const inner = (y: number) =>',
    '    y + 1;',
    '  const text = `a',
    'b`; /* a comment after code */',
    '  return inner(x) /',
    '    2;',
    '}',
    'class Box {',
    '  get size(): number { return 1; }',
    '  scale(k: number): number {',
    '    return k;',
    '  }',
    '}',
    'const object = { method() {',
    '  return 2;',
    '} };',
    'console.log((z: number) => z);',
  ].join('\n');
  const found = scanSource('example.ts', source);

  it('counts the lines of the body that hold code: not the signature, braces, doc comment, blank or comment-only lines', () => {
    const outer = found.find((f) => f.name === 'outer')!;
    // `const inner`, `y + 1`, the template's two lines, `return`, `2;`
    expect(outer).toMatchObject({ line: 4, lines: 6 });
  });

  it('lists nested functions under the name of the one around them, and methods under their class', () => {
    expect(found.map((f) => [f.name, f.lines])).toEqual([
      ['outer', 6],
      ['outer > inner', 1],
      ['Box > size', 1],
      ['Box > scale', 1],
      ['method', 1],
    ]);
  });
});
