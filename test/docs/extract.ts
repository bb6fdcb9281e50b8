/**
 * Finding the examples the documentation shows: every `@example` in a JSDoc comment under
 * `src/`, and every ```ts / ```js block in README.md and docs/*.md. A block whose info string
 * says `no-run` (```ts no-run) is skipped; each one carries its reason in the text beside it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface Example {
  /** Where it came from: `src/autodiff/transforms.ts:118`, `README.md:52`. */
  readonly origin: string;
  /** The source file it was found in, relative to the project root. */
  readonly file: string;
  /** The code, dedented, with `import … from 'tapegrad'` lines left in (the program replaces them). */
  readonly code: string;
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else out.push(path);
  }
  return out;
}

/** Every `@example` of every JSDoc comment in the TypeScript files under `src/`. */
export function sourceExamples(root: string): Example[] {
  const examples: Example[] = [];
  for (const path of walk(join(root, 'src')).filter((p) => p.endsWith('.ts'))) {
    const file = relative(root, path);
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const startLine = text.slice(0, match.index).split('\n').length;
      const lines = match[0]
        .replace(/^\/\*\*/, '')
        .replace(/\*\/$/, '')
        .split('\n')
        .map((line) => line.replace(/^\s*\* ?/, ''));
      for (let i = 0; i < lines.length; i++) {
        const tag = /^\s*@example\b ?(.*)$/.exec(lines[i]!);
        // An @example on a one-line comment (`/** Formats. @example f(); // 1 */`) starts mid-line.
        const inline = tag === null ? /^(.*?)@example\b ?(.*)$/.exec(lines[i]!) : null;
        if (tag === null && inline === null) continue;
        const body: string[] = [];
        const first = (tag?.[1] ?? inline![2]!).replace(/\s*$/, '');
        if (first !== '') body.push(first);
        let j = i + 1;
        for (; j < lines.length && !/^\s*@\w+/.test(lines[j]!); j++) body.push(lines[j]!);
        while (body.length > 0 && body[body.length - 1]!.trim() === '') body.pop();
        examples.push({ origin: `${file}:${startLine + i}`, file, code: body.join('\n') });
        i = j - 1;
      }
    }
  }
  return examples;
}

/** Every ```ts / ```js / ```typescript / ```javascript block of a markdown file, unless marked no-run. */
export function markdownExamples(root: string, file: string): Example[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|js|typescript|javascript)\b(.*)$/.exec(lines[i]!);
    if (fence === null) continue;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.startsWith('```')) j++;
    if (!/\bno-run\b/.test(fence[2]!)) examples.push({ origin: `${file}:${i + 1}`, file, code: lines.slice(i + 1, j).join('\n') });
    i = j;
  }
  return examples;
}

/** The markdown the doc test reads: README.md and every docs/*.md (not the generated API reference). */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs];
}
