import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeReport } from '../../scripts/report.js';

const directory = mkdtempSync(join(tmpdir(), 'tapegrad-report-'));
afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('npm run report', () => {
  it('writes a self-contained HTML report with one scatter per solver and the line charts (--small)', () => {
    const path = writeReport({ small: true, out: join(directory, 'nested', 'index.html') });
    const html = readFileSync(path, 'utf8');
    expect(html.startsWith('<!doctype html>')).toBe(true);
    const scatters = html.match(/<svg[^>]*class="scatter"/g) ?? [];
    expect(scatters.length).toBe(6);
    for (const name of [
      'exact (Cholesky)',
      'CG',
      'Neumann',
      'LiSSA',
      'Sherman–Morrison (empirical Fisher)',
      'Sherman–Morrison (expected Fisher)',
    ]) {
      expect(html).toContain(`aria-label="${name}"`);
    }
    expect((html.match(/<svg[^>]*class="line-chart"/g) ?? []).length).toBe(4); // convergence, training, accuracy, loss
    expect(html).toContain('<circle');
    expect(html).not.toMatch(/<script|<link|src="http/); // nothing external
    expect(html).not.toContain('NaN');
  });
});
