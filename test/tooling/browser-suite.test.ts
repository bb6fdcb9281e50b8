/**
 * `npm test` on a machine with Node and nothing else: the browser suite is found when a Chromium
 * exists, skipped with one plain line when none does, and a failure under CI=true.
 *
 * "No Chromium" is tested two ways, because they differ: TAPEGRAD_CHROMIUM pointing nowhere (the
 * search must say so and go on looking), and a machine whose Chromium is really hidden — the
 * config is loaded in a private mount namespace with an empty /usr/bin, where the system binary
 * does not exist. That needs `unshare` (root, or user namespaces); without it the second group
 * is skipped and says why.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findChromium } from '../support/chromium.js';

describe('finding Chromium', () => {
  // The install locations are replaced by [] so that the machine's own Chromium, if any, is not found.
  it('TAPEGRAD_CHROMIUM pointing nowhere is reported, and the search goes on', () => {
    const search = findChromium({ TAPEGRAD_CHROMIUM: '/nowhere/chromium', PATH: '' }, []);
    expect(search.found).toBeUndefined();
    expect(search.reason).toContain('TAPEGRAD_CHROMIUM=/nowhere/chromium is not an executable file');
    // It goes on to PATH: an executable named chromium there is found.
    const dir = mkdtempSync(join(tmpdir(), 'tapegrad-chromium-'));
    const binary = join(dir, 'chromium');
    writeFileSync(binary, '#!/bin/sh\n');
    chmodSync(binary, 0o755);
    try {
      expect(findChromium({ TAPEGRAD_CHROMIUM: '/nowhere/chromium', PATH: dir }, []).found).toBe(binary);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a TAPEGRAD_CHROMIUM that exists is used first', () => {
    const search = findChromium({ TAPEGRAD_CHROMIUM: process.execPath, PATH: '' });
    expect(search.found).toBe(process.execPath);
  });

  it('without a Chromium the reason says where it looked and how to enable the suite', () => {
    const search = findChromium({ TAPEGRAD_CHROMIUM: '/nowhere/chromium', PATH: '/nowhere' }, []);
    expect(search.found).toBeUndefined();
    expect(search.reason).toMatch(/apt-get install chromium/);
    expect(search.reason).toMatch(/TAPEGRAD_CHROMIUM/);
  });
});

/** The absolute path of a system command (the hidden runs have no PATH to search). */
function which(name: string): string | undefined {
  const out = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return out.status === 0 ? out.stdout.trim() : undefined;
}

const tools = { unshare: which('unshare'), mount: which('mount'), sh: which('sh') };

/** Runs a node snippet with /usr/bin hidden (an empty tmpfs over it), using a copy of node. */
function withoutUsrBin(
  code: string,
  env: Record<string, string>,
): { status: number | null; stdout: string; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tapegrad-no-browser-'));
  const node = join(dir, 'node');
  copyFileSync(process.execPath, node);
  const script = `${tools.mount} -t tmpfs none /usr/bin && exec ${node} --import tsx/esm --input-type=module -e "${code.replace(/"/g, '\\"')}"`;
  const result = spawnSync(tools.unshare!, ['--mount', '--propagation', 'private', tools.sh!, '-c', script], {
    cwd: process.cwd(),
    env: { PATH: '/nowhere', HOME: process.env['HOME'] ?? '/tmp', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const canHide =
  tools.unshare !== undefined &&
  tools.mount !== undefined &&
  tools.sh !== undefined &&
  spawnSync(tools.unshare, ['--mount', 'true']).status === 0;

describe.skipIf(!canHide)('on a machine whose Chromium is hidden (needs unshare; skipped without it)', () => {
  it('the search finds nothing', () => {
    const { stdout } = withoutUsrBin(
      "import('./test/support/chromium.ts').then((m) => console.log(JSON.stringify(m.findChromium())))",
      {},
    );
    const search = JSON.parse(stdout.trim().split('\n').pop()!) as { found?: string; reason: string };
    expect(search.found).toBeUndefined();
  });

  it('npm test skips the browser suite with one plain line', () => {
    const { status, stdout } = withoutUsrBin("await import('./vitest.browser.config.ts')", {
      TAPEGRAD_CHROMIUM: '/nowhere/chromium',
    });
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /^browser suite skipped: TAPEGRAD_CHROMIUM=\/nowhere\/chromium is not an executable file; no Chromium in /m,
    );
  });

  it('under CI=true a missing browser fails the run', () => {
    const { status, stderr } = withoutUsrBin("await import('./vitest.browser.config.ts')", { CI: 'true' });
    expect(status).not.toBe(0);
    expect(stderr).toContain('CI=true needs the browser suite');
  });
});
