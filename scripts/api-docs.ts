/**
 * `npm run docs` — writes the API reference, docs/api/*.md, from the package's exports and their
 * JSDoc, read with the TypeScript compiler API (the 5.7 compiler that test/types installs beside the build's).
 *
 * For every export of src/index.ts: its kind, signature(s), documentation, examples, and the
 * tapegrad errors it can throw — found by following its body through the library's own calls
 * (not into the user's callbacks) to every `new …Error(…)`. `--check` compares instead of
 * writing and exits 1 when the files are stale; test/docs/api.test.ts runs the same comparison.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'tapegrad-oldest-typescript';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'docs/api');

interface Entry {
  name: string;
  kind: string;
  file: string;
  page: Page;
  signature: string;
  doc: string;
  examples: string[];
  throws: string[];
  undocumented: boolean;
}

interface Page {
  file: string;
  title: string;
  intro: string;
  matches: (source: string) => boolean;
}

/** Pages of the reference, by where an export is defined (first match wins). */
const PAGES: Page[] = [
  {
    file: 'errors.md',
    title: 'Errors',
    intro: 'The typed errors every function throws on bad input, and their codes.',
    matches: (f) => f === 'src/errors.ts',
  },
  {
    file: 'tensors.md',
    title: 'Tensors',
    intro: 'Creating tensors and reading their values.',
    matches: (f) => f === 'src/autodiff/tensor.ts',
  },
  {
    file: 'ops.md',
    title: 'Ops',
    intro: 'Differentiable operations on tensors: elementwise maths, linear algebra, reductions, shapes.',
    matches: (f) => f.startsWith('src/autodiff/ops/'),
  },
  {
    file: 'transforms.md',
    title: 'Transforms',
    intro: 'grad, vjp, jvp, jacobian and friends; trees of tensors; compilation; custom primitives.',
    matches: (f) => /^src\/autodiff\/(transforms|tree|primitive|jit)/.test(f),
  },
  {
    file: 'inspection.md',
    title: 'Inspection and checks',
    intro: 'Recording and printing tapes, counting ops, catching NaNs, checking gradients.',
    matches: (f) => f.startsWith('src/autodiff/'),
  },
  {
    file: 'linear.md',
    title: 'Linear operators, solvers and spectra',
    intro:
      'Everything that works on a LinearOperator or a dense matrix: inverse-Hessian solvers, the incremental inverse, eigenvalue and trace estimates.',
    matches: (f) => f.startsWith('src/hessian/linear/') || f.startsWith('src/hessian/solvers/'),
  },
  {
    file: 'applications.md',
    title: 'Applications',
    intro: 'Influence functions, leave-one-out predictions, pruning and second-order optimisers.',
    matches: (f) => f.startsWith('src/hessian/applications/'),
  },
  {
    file: 'hessian.md',
    title: 'Hessians',
    intro: 'Hessian-vector products, Hessian operators, Gauss–Newton and Fisher.',
    matches: (f) => f.startsWith('src/hessian/'),
  },
  {
    file: 'random.md',
    title: 'Random numbers',
    intro: 'A seeded random source.',
    matches: (f) => f.startsWith('src/linalg/'),
  },
  { file: 'other.md', title: 'Other exports', intro: 'Exports not covered by another page.', matches: () => true },
];

function kindOf(checker: ts.TypeChecker, symbol: ts.Symbol, declaration: ts.Declaration): string {
  if (ts.isFunctionDeclaration(declaration)) return 'function';
  if (ts.isClassDeclaration(declaration)) return 'class';
  if (ts.isInterfaceDeclaration(declaration)) return 'interface';
  if (ts.isTypeAliasDeclaration(declaration)) return 'type';
  if (ts.isVariableDeclaration(declaration)) {
    return checker.getTypeOfSymbolAtLocation(symbol, declaration).getCallSignatures().length > 0
      ? 'function'
      : 'constant';
  }
  return 'export';
}

const printer = ts.createPrinter({ removeComments: true });

/** The declaration without its body or comments, as a reader wants to see it. */
function signatureOf(
  checker: ts.TypeChecker,
  name: string,
  symbol: ts.Symbol,
  declarations: readonly ts.Declaration[],
): string {
  const first = declarations[0]!;
  if (ts.isFunctionDeclaration(first)) {
    const overloads = declarations.filter((d): d is ts.FunctionDeclaration => ts.isFunctionDeclaration(d));
    const shown = overloads.length > 1 ? overloads.filter((d) => d.body === undefined) : overloads;
    return shown
      .map((d) =>
        printer
          .printNode(
            ts.EmitHint.Unspecified,
            ts.factory.updateFunctionDeclaration(
              d,
              d.modifiers?.filter((m) => m.kind !== ts.SyntaxKind.ExportKeyword),
              d.asteriskToken,
              d.name,
              d.typeParameters,
              d.parameters,
              d.type,
              undefined,
            ),
            d.getSourceFile(),
          )
          .replace(/;?$/, ';'),
      )
      .join('\n');
  }
  if (ts.isVariableDeclaration(first)) {
    const type = checker.getTypeOfSymbolAtLocation(symbol, first);
    return `const ${name}: ${checker.typeToString(type, first, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType)};`;
  }
  if (ts.isClassDeclaration(first)) {
    const members = first.members
      .filter((m) => !ts.isClassStaticBlockDeclaration(m) && !ts.isSemicolonClassElement(m))
      .filter(
        (m) =>
          !(ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) &&
          !(m.name !== undefined && ts.isPrivateIdentifier(m.name)),
      )
      .filter(
        (m) =>
          !/@internal\b/.test(
            ts
              .getJSDocCommentsAndTags(m)
              .map((c) => c.getText())
              .join('\n'),
          ),
      )
      .map((m) => {
        const stripped = ts.isMethodDeclaration(m)
          ? ts.factory.updateMethodDeclaration(
              m,
              m.modifiers,
              m.asteriskToken,
              m.name,
              m.questionToken,
              m.typeParameters,
              m.parameters,
              m.type,
              undefined,
            )
          : ts.isConstructorDeclaration(m)
            ? ts.factory.updateConstructorDeclaration(m, m.modifiers, m.parameters, undefined)
            : ts.isGetAccessorDeclaration(m)
              ? ts.factory.updateGetAccessorDeclaration(m, m.modifiers, m.name, m.parameters, m.type, undefined)
              : ts.isPropertyDeclaration(m)
                ? ts.factory.updatePropertyDeclaration(m, m.modifiers, m.name, m.questionToken, m.type, undefined)
                : m;
        return `  ${printer.printNode(ts.EmitHint.Unspecified, stripped, first.getSourceFile()).replace(/;?$/, ';')}`;
      });
    const heritage = first.heritageClauses?.map((h) => ` ${h.getText()}`).join('') ?? '';
    return `class ${name}${heritage} {\n${members.join('\n')}\n}`;
  }
  return printer.printNode(ts.EmitHint.Unspecified, first, first.getSourceFile()).replace(/^export /, '');
}

/** The JSDoc of a declaration: text, examples, @throws, and whether it says anything at all. */
function docOf(declarations: readonly ts.Declaration[]): { doc: string; examples: string[]; throws: string[] } {
  const blocks = declarations
    .flatMap((d) => ts.getJSDocCommentsAndTags(ts.isVariableDeclaration(d) ? d.parent.parent : d))
    .filter(ts.isJSDoc);
  const text: string[] = [];
  const examples: string[] = [];
  const throws: string[] = [];
  for (const block of blocks) {
    const comment = ts.getTextOfJSDocComment(block.comment)?.trim();
    if (comment !== undefined && comment !== '' && !text.includes(comment)) text.push(comment);
    for (const tag of block.tags ?? []) {
      const body = ts.getTextOfJSDocComment(tag.comment)?.trim() ?? '';
      if (tag.tagName.text === 'example' && body !== '' && !examples.includes(body)) examples.push(body);
      if (tag.tagName.text === 'throws' && body !== '') throws.push(body);
    }
  }
  return { doc: text.join('\n\n'), examples, throws };
}

/**
 * The error classes a declaration can throw: every `new XError(…)` (X a subclass of
 * TapegradError) in its body and, transitively, in the bodies of library functions and methods
 * it calls. Calls into user callbacks resolve to parameters, not declarations, and are not followed.
 */
function errorsOf(
  checker: ts.TypeChecker,
  declarations: readonly ts.Declaration[],
  errorClasses: ReadonlySet<string>,
): string[] {
  const found = new Set<string>();
  const seen = new Set<ts.Node>();
  const library = (node: ts.Node) => relative(ROOT, node.getSourceFile().fileName).startsWith('src/');
  const follow = (expression: ts.Expression) => {
    let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(expression) ? expression.name : expression);
    if (symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    for (const d of symbol?.declarations ?? []) {
      if (!library(d)) continue;
      if (ts.isVariableDeclaration(d) && d.initializer !== undefined) visit(d.initializer);
      else if (ts.isFunctionLike(d) || ts.isClassDeclaration(d)) visit(d);
    }
  };
  const visit = (node: ts.Node): void => {
    if (seen.has(node)) return;
    seen.add(node);
    const walk = (n: ts.Node): void => {
      if (ts.isNewExpression(n)) {
        const name = n.expression.getText();
        if (errorClasses.has(name)) found.add(name);
        else follow(n.expression);
      } else if (ts.isCallExpression(n)) {
        follow(n.expression);
      }
      ts.forEachChild(n, walk);
    };
    walk(node);
  };
  for (const d of declarations) visit(d);
  return [...found].sort();
}

export function generate(): { files: Map<string, string>; undocumented: string[] } {
  const entry = join(ROOT, 'src/index.ts');
  const program = ts.createProgram([entry], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  const exports = checker.getExportsOfModule(moduleSymbol);
  const resolved = exports.map((exported) => {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    return { name: exported.name, symbol, declarations: symbol.declarations ?? [] };
  });
  const errorClasses = new Set(
    resolved
      .filter((r) =>
        r.declarations.some(
          (d) => ts.isClassDeclaration(d) && relative(ROOT, d.getSourceFile().fileName) === 'src/errors.ts',
        ),
      )
      .map((r) => r.name),
  );
  const entries: Entry[] = resolved
    .filter((r) => r.declarations.length > 0)
    .map(({ name, symbol, declarations }) => {
      const file = relative(ROOT, declarations[0]!.getSourceFile().fileName).split('\\').join('/');
      const { doc, examples, throws } = docOf(declarations);
      const kind = kindOf(checker, symbol, declarations[0]!);
      const code = kind === 'function' || kind === 'class' ? errorsOf(checker, declarations, errorClasses) : [];
      const named = throws.map((t) => /^\{?(\w+)\}?/.exec(t)?.[1] ?? t);
      return {
        name,
        kind,
        file,
        page: PAGES.find((p) => p.matches(file))!,
        signature: signatureOf(checker, name, symbol, declarations),
        doc,
        examples,
        throws: [
          ...new Set([
            ...code.filter((c) => c !== 'TapegradError' || code.length === 1),
            ...named.filter((n) => errorClasses.has(n)),
          ]),
        ].sort(),
        undocumented: doc === '',
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name, 'en'));
  return { files: render(entries), undocumented: entries.filter((e) => e.undocumented).map((e) => e.name) };
}

/** GitHub-style heading anchors: lower case, and a repeated heading on a page gets -1, -2, …. */
function anchors(entries: readonly Entry[]): Map<Entry, string> {
  const used = new Map<string, number>();
  const result = new Map<Entry, string>();
  for (const e of entries) {
    const base = e.name.toLowerCase().replace(/[^a-z0-9_-]+/g, '-');
    const count = used.get(`${e.page.file}#${base}`) ?? 0;
    used.set(`${e.page.file}#${base}`, count + 1);
    result.set(e, count === 0 ? base : `${base}-${count}`);
  }
  return result;
}

/** JSDoc inline tags as markdown: {@link X} becomes `X`. */
function markdown(text: string): string {
  return text.replace(
    /\{@link(?:code|plain)?\s+([^}|\s]+)(?:[|\s]+([^}]*))?\}/g,
    (_, target: string, label?: string) => `\`${label?.trim() || target}\``,
  );
}

function render(entries: Entry[]): Map<string, string> {
  const files = new Map<string, string>();
  const anchorOf = anchors(PAGES.flatMap((page) => entries.filter((e) => e.page === page)));
  const errorPage = entries.filter((e) => e.page.file === 'errors.md');
  const errorAnchor = (name: string) => anchorOf.get(errorPage.find((e) => e.name === name)!) ?? name.toLowerCase();
  const index: string[] = [
    '# API reference',
    '',
    'Generated from the sources by `npm run docs`; do not edit by hand. Every function checks its arguments and',
    'throws the typed errors listed under it (see [Errors](errors.md)); "Throws" names the classes a call can raise',
    'itself, not errors thrown by functions you pass in.',
    '',
  ];
  for (const page of PAGES) {
    const mine = entries.filter((e) => e.page === page);
    if (mine.length === 0) continue;
    index.push(
      `## [${page.title}](${page.file})`,
      '',
      page.intro,
      '',
      mine.map((e) => `[\`${e.name}\`](${page.file}#${anchorOf.get(e)!})`).join(' · '),
      '',
    );
    const lines = [`# ${page.title}`, '', page.intro, '', '[All pages](README.md)', ''];
    for (const e of mine) {
      lines.push(`## ${e.name}`, '', `*${e.kind}* · defined in \`${e.file}\``, '', '```ts', e.signature, '```', '');
      lines.push(e.undocumented ? '*Not documented.*' : markdown(e.doc), '');
      for (const example of e.examples) lines.push('```ts', example, '```', '');
      if (e.throws.length > 0)
        lines.push(`**Throws:** ${e.throws.map((t) => `[\`${t}\`](errors.md#${errorAnchor(t)})`).join(', ')}`, '');
    }
    files.set(page.file, `${lines.join('\n').replace(/\n+$/, '')}\n`);
  }
  files.set('README.md', `${index.join('\n').replace(/\n+$/, '')}\n`);
  return files;
}

/** The generated files that differ from docs/api on disk, plus stale files there. */
export function staleFiles(files: Map<string, string>): string[] {
  let existing: string[] = [];
  try {
    existing = readdirSync(OUT).filter((f) => f.endsWith('.md'));
  } catch {
    existing = [];
  }
  const stale = [...files].filter(([file, text]) => {
    try {
      return readFileSync(join(OUT, file), 'utf8') !== text;
    } catch {
      return true;
    }
  });
  return [...stale.map(([file]) => file), ...existing.filter((f) => !files.has(f))];
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  console.log('docs: reading the exports of src/index.ts…');
  const { files, undocumented } = generate();
  if (process.argv.includes('--check')) {
    const stale = staleFiles(files);
    if (stale.length > 0) {
      console.error(`docs: docs/api is stale (${stale.join(', ')}); run npm run docs`);
      process.exitCode = 1;
    } else console.log('docs: docs/api is current');
  } else {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    for (const [file, text] of files) writeFileSync(join(OUT, file), text);
    const missing = undocumented;
    console.log(
      `docs: wrote ${files.size} files to docs/api${missing.length > 0 ? `; ${missing.length} exports have no documentation: ${missing.join(', ')}` : ''}`,
    );
  }
}
