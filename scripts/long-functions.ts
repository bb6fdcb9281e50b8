/**
 * Lists the functions under `src/` by length, longest first: every function declaration, method,
 * accessor, constructor, and every arrow function or function expression assigned to a variable.
 *
 * The length of a function is the code lines of its body: the lines between the line of its
 * opening brace and the line of its closing brace that hold code — so the signature, the doc
 * comment before it, blank lines and lines that are only a comment are not counted. A nested function's lines count for it and for the
 * function around it.
 *
 *   npx tsx scripts/long-functions.ts            every function of 30 lines or more
 *   npx tsx scripts/long-functions.ts 60         only those longer than 60 lines
 *   npx tsx scripts/long-functions.ts --all      every function
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'tapegrad-oldest-typescript';

/** One function found by the scanner. */
export interface FunctionLength {
  /** The file, relative to the repository root, with '/' separators. */
  readonly file: string;
  /** The function's name, qualified by the functions and classes around it (`outer > inner`). */
  readonly name: string;
  /** The line the function starts on (1-based). */
  readonly line: number;
  /** Its code lines (see the module comment). */
  readonly lines: number;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The `.ts` files under `dir` (a path relative to the repository root), sorted. */
function sourceFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const full = join(path, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(full);
    }
  };
  walk(join(ROOT, dir));
  return found.sort();
}

/** For each line of the file, whether it holds code (not blank, not only a comment). */
function codeLines(source: ts.SourceFile): boolean[] {
  const hasCode = new Array<boolean>(source.getLineStarts().length).fill(false);
  // Every token marks the lines it spans (a string or template literal can span several);
  // comments are trivia between tokens, and doc comments are skipped.
  const mark = (node: ts.Node): void => {
    if (ts.isJSDoc(node)) return;
    const children = node.getChildren(source);
    if (children.length > 0) {
      children.forEach(mark);
      return;
    }
    if (node.kind === ts.SyntaxKind.EndOfFileToken) return;
    const last = lineOf(source, node.getEnd());
    for (let line = lineOf(source, node.getStart(source)); line <= last; line++) hasCode[line] = true;
  };
  mark(source);
  return hasCode;
}

/** The name of a function-like node, or undefined for one that is not listed (a callback passed inline). */
function functionName(node: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(node)) return node.name?.text ?? 'default';
  if (ts.isMethodDeclaration(node) || ts.isGetAccessorDeclaration(node) || ts.isSetAccessorDeclaration(node)) {
    return node.name.getText();
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) {
    return node.parent.name.getText();
  }
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isPropertyAssignment(node.parent)) {
    return node.parent.name.getText();
  }
  return undefined;
}

function lineOf(source: ts.SourceFile, position: number): number {
  return source.getLineAndCharacterOfPosition(position).line;
}

/**
 * The code lines of a function body: those between the lines of its braces (a body on one line
 * counts 1), or those of an arrow function's expression.
 */
function bodyLines(source: ts.SourceFile, body: ts.Node, hasCode: boolean[]): number {
  let first = lineOf(source, body.getStart(source));
  let last = lineOf(source, body.getEnd());
  if (ts.isBlock(body)) {
    if (first === last) return 1;
    first++;
    last--;
  }
  let lines = 0;
  for (let line = first; line <= last; line++) if (hasCode[line]) lines++;
  return lines;
}

/** Every listed function of one file. */
export function scanFile(path: string): FunctionLength[] {
  return scanSource(relative(ROOT, path).split(sep).join('/'), readFileSync(path, 'utf8'));
}

/** Every listed function of the TypeScript source `text`, reported as from `file`. */
export function scanSource(file: string, text: string): FunctionLength[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const hasCode = codeLines(source);
  const found: FunctionLength[] = [];
  const visit = (node: ts.Node, outer: string[]): void => {
    const name = functionName(node);
    let inside = outer;
    if (name !== undefined && 'body' in node && node.body !== undefined) {
      const body = node.body as ts.Node;
      inside = [...outer, name];
      found.push({
        file,
        name: inside.join(' > '),
        line: lineOf(source, node.getStart(source)) + 1,
        lines: bodyLines(source, body, hasCode),
      });
    } else if (ts.isClassDeclaration(node) && node.name !== undefined) {
      inside = [...outer, node.name.text];
    }
    ts.forEachChild(node, (child) => visit(child, inside));
  };
  visit(source, []);
  return found;
}

/** Every listed function under `dir` (default `src`), longest first (ties by file and line). */
export function scanFunctions(dir = 'src'): FunctionLength[] {
  return sourceFiles(dir)
    .flatMap(scanFile)
    .sort((a, b) => b.lines - a.lines || a.file.localeCompare(b.file) || a.line - b.line);
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argument = process.argv[2];
  const above = argument === '--all' ? 0 : argument === undefined ? 29 : Number(argument);
  const rows = scanFunctions().filter((f) => f.lines > above);
  for (const f of rows) console.log(`${String(f.lines).padStart(5)}  ${f.file}:${f.line}  ${f.name}`);
  console.log(`${rows.length} functions longer than ${above} lines`);
}
