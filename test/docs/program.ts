/**
 * Turning a documentation fragment into a complete program that a strict compiler accepts and
 * Node runs:
 *
 * - every export of the package is imported from `src/index.ts` (and, for an example on an
 *   internal helper, every other export of the file it documents), so `import … from
 *   'tapegrad'` lines are dropped;
 * - the data a fragment uses without defining it (`f`, `x`, `v`, `X`, `H`, `b`, …) is imported
 *   from fixtures.ts; the fragment runs in a block of its own, so its own definitions shadow them;
 * - a statement followed by `// → value` is checked: an expression against what it evaluated
 *   to, a `const` against the value it bound, a `console.log(…)` against what it printed, and
 *   `// → throws NameError` (optionally `: start of the message`) against the error it threw. A
 *   bare `// →` takes the expected output from the comment lines below it; on one line, two or
 *   more spaces end the claim and start a remark (`// → [2, 4]   the gradient`).
 */
import { readFileSync } from 'node:fs';
import ts from 'tapegrad-oldest-typescript';
import type { Example } from './extract.ts';

/** The names fixtures.ts exports: data fragments may use without defining it. */
const FIXTURE_NAMES = [...readFileSync(new URL('./fixtures.ts', import.meta.url), 'utf8').matchAll(/^export (?:const|function) (\w+)/gm)].map((m) => m[1]!);

export interface Program {
  readonly origin: string;
  /** The complete TypeScript module. */
  readonly text: string;
  /** How many `// →` checks it makes. */
  readonly checks: number;
}

interface Expectation {
  kind: 'value' | 'printed' | 'throws';
  text: string;
}

/** The `// →` claim about the statement ending on line `endLine` (0-based), if there is one. */
function expectationAfter(lines: readonly string[], endLine: number, endColumn: number): Expectation | undefined {
  let rest = lines[endLine]!.slice(endColumn);
  let at = endLine;
  let claim = /^\s*;?\s*\/\/\s*→(.*)$/.exec(rest);
  if (claim === null && /^\s*;?\s*$/.test(rest) && at + 1 < lines.length) {
    at = endLine + 1;
    rest = lines[at]!;
    claim = /^\s*\/\/\s*→(.*)$/.exec(rest);
  }
  if (claim === null) return undefined;
  // On one line, a run of two or more spaces ends the claim: `// → [2, 4]   the gradient` checks [2, 4].
  let text = claim[1]!.trim().split(/\s{2,}/)[0]!;
  if (text === '') {
    const below: string[] = [];
    for (let i = at + 1; i < lines.length && /^\s*\/\//.test(lines[i]!); i++) below.push(lines[i]!.replace(/^\s*\/\/ ?/, ''));
    text = below.join('\n');
  }
  const thrown = /^throws\b\s*(.*)$/s.exec(text);
  if (thrown !== null) return { kind: 'throws', text: thrown[1]! };
  return { kind: 'value', text };
}

function isConsoleLog(statement: ts.Statement): boolean {
  return (
    ts.isExpressionStatement(statement) &&
    ts.isCallExpression(statement.expression) &&
    statement.expression.expression.getText() === 'console.log'
  );
}

/** Rewrites the checked statements of `code`; returns the new code and the number of checks. */
function instrument(example: Example, code: string): { code: string; checks: number } {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lines = code.split('\n');
  const edits: { start: number; end: number; text: string }[] = [];
  let checks = 0;
  for (const statement of source.statements) {
    const end = source.getLineAndCharacterOfPosition(statement.end);
    const claim = expectationAfter(lines, end.line, end.character);
    if (claim === undefined) continue;
    checks++;
    const where = `${example.origin} (line ${end.line + 1} of the example)`;
    const start = statement.getStart(source);
    const original = code.slice(start, statement.end);
    const quoted = JSON.stringify(claim.text);
    let text: string;
    if (claim.kind === 'throws') {
      if (!ts.isExpressionStatement(statement)) throw new Error(`${where}: '// → throws' belongs after an expression statement`);
      const [, name = '', message = ''] = /^(\w+)(?::\s*([\s\S]*))?$/.exec(claim.text.trim()) ?? [];
      text = `__throws(${JSON.stringify(where)}, ${JSON.stringify(name)}, ${JSON.stringify(message)}, () => { ${original} });`;
    } else if (isConsoleLog(statement)) {
      text = `__printed(${JSON.stringify(where)}, ${quoted}, () => { ${original} });`;
    } else if (ts.isExpressionStatement(statement)) {
      text = `__value(${JSON.stringify(where)}, ${quoted}, () => (${statement.expression.getText(source)}));`;
    } else if (ts.isVariableStatement(statement) && statement.declarationList.declarations.length === 1 && ts.isIdentifier(statement.declarationList.declarations[0]!.name)) {
      text = `${original}\n__value(${JSON.stringify(where)}, ${quoted}, () => ${statement.declarationList.declarations[0]!.name.text});`;
    } else {
      throw new Error(`${where}: a '// →' claim belongs after an expression, a single const, or console.log(…)`);
    }
    edits.push({ start, end: statement.end, text });
  }
  let out = code;
  for (const edit of edits.reverse()) out = out.slice(0, edit.start) + edit.text + out.slice(edit.end);
  return { code: out, checks };
}

export interface ImportPlan {
  /** Module specifier of the package entry (src/index.ts) as seen from the generated files. */
  readonly entry: string;
  /** The package's exports: name → whether it is a type only. */
  readonly packageExports: ReadonlyMap<string, boolean>;
  /** For each source file (relative to the root), its exports. */
  readonly fileExports: ReadonlyMap<string, ReadonlyMap<string, boolean>>;
  /** Module specifier of a source file as seen from the generated files. */
  readonly specifier: (file: string) => string;
  /** Module specifier of the runtime checks (expect.ts). */
  readonly checksModule: string;
  /** Module specifier of the fixtures (fixtures.ts). */
  readonly fixturesModule: string;
}

// Exports that cannot be bound by name in a module (`var`, an alias of `variance`).
const RESERVED = new Set(['var', 'default']);

function importLine(names: ReadonlyMap<string, boolean>, from: string, skip: ReadonlySet<string>): string {
  const list = [...names].filter(([name]) => !skip.has(name) && !RESERVED.has(name)).map(([name, typeOnly]) => (typeOnly ? `type ${name}` : name));
  return list.length === 0 ? '' : `import { ${list.join(', ')} } from '${from}';\n`;
}

/** The complete program for one example. */
export function toProgram(example: Example, plan: ImportPlan): Program {
  const imports: string[] = [];
  const kept = example.code
    .split('\n')
    .filter((line) => {
      if (/^\s*import\b.*from\s+['"]tapegrad['"];?\s*$/.test(line)) return false;
      if (/^\s*import\b/.test(line)) {
        // The walk-through imports engine internals from the repository's source: './src/…'.
        imports.push(line.replace(/(['"])\.\/src\//, `$1${plan.entry.replace(/src\/index\.js$/, 'src/')}`));
        return false;
      }
      return true;
    })
    .join('\n');
  const { code, checks } = instrument(example, kept);
  const own = plan.fileExports.get(example.file) ?? new Map<string, boolean>();
  // An example documents its own file: where the file exports a name (linalg's `dot` on
  // Float64Arrays), that binding wins over the package's export and the fixtures of that name.
  const fixtures = new Map(FIXTURE_NAMES.filter((name) => !plan.packageExports.has(name) && !own.has(name)).map((name) => [name, false]));
  const text =
    `// ${example.origin}\n` +
    importLine(plan.packageExports, plan.entry, new Set(own.keys())) +
    importLine(own, plan.specifier(example.file), new Set()) +
    importLine(fixtures, plan.fixturesModule, new Set()) +
    // `tg.var(…)`: an export named by a reserved word is reached through the namespace.
    `import * as tg from '${plan.entry}';\n` +
    `import { __printed, __throws, __value } from '${plan.checksModule}';\n` +
    imports.join('\n') +
    `\n{\n${code}\n}\nexport {};\n`;
  return { origin: example.origin, text, checks };
}

/** The exports of the package entry and of every source file, read with the compiler's checker. */
export function readExports(root: string, files: readonly string[]): { packageExports: Map<string, boolean>; fileExports: Map<string, Map<string, boolean>> } {
  const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, types: [] };
  const entry = `${root}/src/index.ts`;
  const program = ts.createProgram([entry, ...files.map((f) => `${root}/${f}`)], options);
  const checker = program.getTypeChecker();
  const exportsOf = (path: string): Map<string, boolean> => {
    const source = program.getSourceFile(path);
    const symbol = source === undefined ? undefined : checker.getSymbolAtLocation(source);
    const names = new Map<string, boolean>();
    if (symbol === undefined) return names;
    for (const exported of checker.getExportsOfModule(symbol)) {
      const target = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      names.set(exported.name, (target.flags & ts.SymbolFlags.Value) === 0);
    }
    return names;
  };
  const packageExports = exportsOf(entry);
  const fileExports = new Map<string, Map<string, boolean>>();
  for (const file of files) {
    fileExports.set(file, exportsOf(`${root}/${file}`));
  }
  return { packageExports, fileExports };
}
