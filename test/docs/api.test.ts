/**
 * The API reference in docs/api is generated (`npm run docs`) and must match the sources: every
 * export documented, with the errors it can throw, and the files on disk current.
 */
import { describe, expect, it } from 'vitest';
import { generate, staleFiles } from '../../scripts/api-docs.js';
import * as tapegrad from '../../src/index.js';

const { files, undocumented } = generate();
const text = [...files.values()].join('\n');

describe('the API reference (docs/api)', () => {
  it('documents every export', () => {
    expect(undocumented).toEqual([]);
    const missing = Object.keys(tapegrad).filter((name) => !new RegExp(`^## ${name.replace(/\$/g, '\\$')}$`, 'm').test(text));
    expect(missing).toEqual([]);
  });

  it('lists the errors of a function that validates its arguments', () => {
    const matmul = /^## matmul$[\s\S]*?^\*\*Throws:\*\* (.*)$/m.exec(text);
    expect(matmul?.[1]).toContain('ShapeError');
    const cg = /^## cgSolve$[\s\S]*?^\*\*Throws:\*\* (.*)$/m.exec(text);
    expect(cg?.[1]).toContain('NegativeCurvatureError');
  });

  it('is current: `npm run docs` would not change it', () => {
    expect(staleFiles(files), 'docs/api is stale: run npm run docs').toEqual([]);
  });
});
