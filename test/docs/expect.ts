/**
 * The checks a generated example program calls for each `// → value` claim.
 *
 * A value is shown the way the docs write it: a Tensor as its nested values (`[[1, 2], [3, 4]]`,
 * a rank-0 tensor as a number), typed arrays and arrays as `[a, b]`, objects as `{ key: value }`,
 * strings in single quotes. A claim matches when, after collapsing whitespace, its text equals
 * that rendering, where
 *
 * - a number in the claim matches a number rounded to the digits written (`0.997` matches
 *   0.99714…, `2.5` matches 2.5 and 2.5000000000000004, but not 2.51), and
 * - `…` matches anything (`{ nodes: 4, … }`).
 */
import { inspect } from 'node:util';
import { Tensor } from '../../src/index.js';

/** Renders a value the way the documentation writes values. */
export function render(value: unknown, depth = 0): string {
  if (value instanceof Tensor) return value.rank === 0 ? render(value.item()) : render(nest(Array.from(value.toArray()), value.shape));
  if (typeof value === 'number') return Object.is(value, -0) ? '0' : String(value);
  if (typeof value === 'string') return depth === 0 ? `'${value}'` : `'${value}'`;
  if (typeof value === 'bigint') return `${value}n`;
  if (value === null || value === undefined || typeof value === 'boolean') return String(value);
  if (typeof value === 'function') return `[Function ${value.name || 'anonymous'}]`;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return render(Array.from(value as unknown as ArrayLike<number>), depth);
  if (Array.isArray(value)) return `[${value.map((v) => render(v, depth + 1)).join(', ')}]`;
  if (value instanceof Error) return `${value.name}: ${value.message}`;
  if (value instanceof Map) return `Map { ${[...value].map(([k, v]) => `${render(k, depth + 1)} => ${render(v, depth + 1)}`).join(', ')} }`;
  const entries = Object.entries(value as object);
  return entries.length === 0 ? '{}' : `{ ${entries.map(([k, v]) => `${k}: ${render(v, depth + 1)}`).join(', ')} }`;
}

function nest(values: number[], shape: readonly number[]): unknown {
  if (shape.length <= 1) return values;
  const [first, ...rest] = shape as [number, ...number[]];
  const step = rest.reduce((a, d) => a * d, 1);
  return Array.from({ length: first }, (_, i) => nest(values.slice(i * step, (i + 1) * step), rest));
}

const NUMBER = String.raw`-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|-?Infinity|NaN`;

function normalise(text: string): string {
  return text
    .replace(/\s+/g, ' ')
    .replace(/([[({]) /g, '$1')
    .replace(/ ([\])}])/g, '$1')
    .trim();
}

/** Significant digits written in a numeric literal (`2.50` → 3, `1e-8` → 1, `1000` → 4). */
function digitsOf(literal: string): number {
  const mantissa = literal.replace(/^-/, '').replace(/e.*$/i, '').replace('.', '').replace(/^0+/, '');
  return Math.max(1, Math.min(17, mantissa.length));
}

function sameNumber(written: string, actual: string): boolean {
  if (written === actual) return true;
  const want = Number(written);
  const got = Number(actual);
  if (!Number.isFinite(want) || !Number.isFinite(got)) return Object.is(want, got);
  if (want === 0) return Math.abs(got) < 0.5 * 10 ** -Math.max(0, (written.split('.')[1] ?? '').length);
  return Number(got.toPrecision(digitsOf(written))) === want;
}

/** Whether `actual` (a rendering) satisfies the claim `expected`; see the module comment. */
export function matches(expected: string, actual: string): boolean {
  const want = normalise(expected).replace(/\s*…\s*/g, '…');
  const got = normalise(actual);
  const written: string[] = [];
  let pattern = '';
  for (const part of want.split(new RegExp(`(${NUMBER}|…)`))) {
    if (part === '') continue;
    if (part === '…') pattern += '[\\s\\S]*?';
    else if (new RegExp(`^(?:${NUMBER})$`).test(part)) {
      written.push(part);
      pattern += `(${NUMBER})`;
    } else pattern += part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const found = new RegExp(`^${pattern}$`).exec(got);
  if (found === null) return false;
  return written.every((literal, i) => sameNumber(literal, found[i + 1]!));
}

/** Checks a value claim: `expr; // → value`. */
export function __value(where: string, expected: string, evaluate: () => unknown): void {
  const actual = render(evaluate());
  if (!matches(expected, actual)) throw new Error(`${where}: the example says\n  ${expected}\nbut the value is\n  ${actual}`);
}

/** Checks a printed claim: `console.log(…); // → output`. */
export function __printed(where: string, expected: string, run: () => void): void {
  const printed: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    printed.push(args.map((a) => (typeof a === 'string' ? a : inspect(a, { depth: 6 }))).join(' '));
  };
  try {
    run();
  } finally {
    console.log = original;
  }
  const actual = printed.join('\n');
  if (!matches(expected, actual)) throw new Error(`${where}: the example says it prints\n${expected}\nbut it printed\n${actual}`);
}

/** Checks an error claim: `expr; // → throws ShapeError: start of the message`. */
export function __throws(where: string, name: string, message: string, run: () => void): void {
  try {
    run();
  } catch (error) {
    const got = error as Error & { fn?: unknown };
    // The claim may leave out the name of the function that threw (`div: …` or just `…`).
    const texts = [got.message, typeof got.fn === 'string' && got.message.startsWith(`${got.fn}: `) ? got.message.slice(got.fn.length + 2) : got.message];
    const wanted = message.replace(/…\s*$/, '').trim();
    if (got.name !== name || (wanted !== '' && !texts.some((text) => matches(`${wanted} …`, text) || matches(wanted, text)))) {
      throw new Error(`${where}: the example says it throws ${name}${message === '' ? '' : `: ${message}`}\nbut it threw ${got.name}: ${got.message}`);
    }
    return;
  }
  throw new Error(`${where}: the example says it throws ${name}, but it returned normally`);
}
