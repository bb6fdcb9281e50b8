/**
 * The package as a user receives it: a copy of the publishable files in a temporary directory,
 * built there (so `dist/` and its source maps sit beside the shipped `src/`, exactly as in the
 * tarball), then packed with `npm pack` and unpacked into a consumer project's `node_modules`.
 *
 * Nothing here writes into the working tree: a clean clone after `npm ci` is enough, and tests
 * running side by side each get their own directory.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The compilers the type tests use: the oldest TypeScript the declarations support, and the newest. */
export const COMPILERS = {
  // Installed as a nested dependency (test/types/oldest-compiler), so node_modules/.bin/tsc stays TypeScript 7.
  oldest: { name: 'TypeScript 5.7', tsc: join(ROOT, 'test/types/oldest-compiler/node_modules/typescript/bin/tsc') },
  newest: { name: 'TypeScript 7', tsc: join(ROOT, 'node_modules/typescript/bin/tsc') },
} as const;

export interface PackedPackage {
  /** The directory the package was built and packed in. */
  readonly stage: string;
  /** The .tgz `npm pack` wrote. */
  readonly tarball: string;
  /** A consumer project whose `node_modules/tapegrad` holds the unpacked tarball. */
  readonly consumer: string;
  /** The files in the tarball, relative to the package root. */
  readonly files: readonly string[];
}

/** Runs a command and returns its stdout; a failure throws with the command's stderr in the message. */
export function run(command: string, args: readonly string[], cwd: string): string {
  try {
    return execFileSync(command, args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
  }
}

/** Copies what `files` in package.json ships (plus the build inputs), builds, packs and unpacks. */
export function packPackage(label: string): PackedPackage {
  const base = mkdtempSync(join(tmpdir(), `tapegrad-${label}-`));
  const stage = join(base, 'stage');
  mkdirSync(stage);
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
  const inputs = new Set([
    ...manifest.files.filter((f) => f !== 'dist'),
    'package.json',
    'tsconfig.json',
    'tsconfig.build.json',
  ]);
  for (const entry of inputs) {
    if (existsSync(join(ROOT, entry))) cpSync(join(ROOT, entry), join(stage, entry), { recursive: true });
  }
  run(process.execPath, [COMPILERS.newest.tsc, '-p', 'tsconfig.build.json'], stage);
  const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', base], stage)) as {
    filename: string;
    files: { path: string }[];
  }[];
  const tarball = join(base, packed[0]!.filename);
  const consumer = join(base, 'consumer');
  const installed = join(consumer, 'node_modules', 'tapegrad');
  mkdirSync(installed, { recursive: true });
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], base);
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  return { stage, tarball, consumer, files: packed[0]!.files.map((f) => f.path) };
}

/** Writes a strict tsconfig over `files` into `dir`, for the given module resolution. */
export function writeStrictTsconfig(
  dir: string,
  name: string,
  files: readonly string[],
  resolution: 'nodenext' | 'bundler',
): string {
  const compilerOptions = {
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    target: 'ES2022',
    lib: ['ES2022'],
    types: [],
    noEmit: true,
    // The package's own declarations are checked too, as a consumer without skipLibCheck would.
    skipLibCheck: false,
    ...(resolution === 'nodenext'
      ? { module: 'NodeNext', moduleResolution: 'NodeNext' }
      : { module: 'ESNext', moduleResolution: 'Bundler' }),
  };
  writeFileSync(join(dir, name), JSON.stringify({ compilerOptions, files }, null, 2));
  return name;
}
