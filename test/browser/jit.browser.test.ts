/// <reference lib="dom" />
/**
 * jit in a real browser page, twice: in the test page itself, where `new Function` is allowed and
 * the generated code runs; and in a frame whose Content-Security-Policy has no 'unsafe-eval',
 * where `new Function` throws and jit runs the same optimised plan with its interpreter — same
 * bits, one warning. The frame imports the library as a bundler would and posts its results back.
 */
import { describe, expect, it } from 'vitest';
import { dot, grad, hvp, jit, matmul, mul, tensor, type Tensor } from '../../src/index.js';

const A = [
  [4, 1, 0],
  [2, 3, 1],
  [0, 1, 5],
];
const f = (x: Tensor): Tensor => mul(0.5, dot(x, matmul(tensor(A), x)));
const x = [0.5, -1, 2];
const v = [1, 0.25, -0.5];

interface FrameReply {
  codeGeneration: string;
  warnings: string[];
  gradient: number[];
  products: number[][];
  error?: string;
}

/** Runs jit inside a same-origin frame whose CSP forbids eval, and returns what it posted. */
function runInStrictFrame(): Promise<FrameReply> {
  const nonce = 'jit-csp-test';
  const library = new URL('../../src/index.ts', import.meta.url).href;
  const script = `
    const warnings = [];
    const warn = console.warn;
    console.warn = (...args) => { warnings.push(args.join(' ')); };
    let codeGeneration = 'allowed';
    try { new Function('return 1'); } catch (e) { codeGeneration = e.name; }
    try {
      const tg = await import(${JSON.stringify(library)});
      const A = tg.tensor(${JSON.stringify(A)});
      const f = (y) => tg.mul(0.5, tg.dot(y, tg.matmul(A, y)));
      const x = tg.tensor(${JSON.stringify(x)});
      const v = tg.tensor(${JSON.stringify(v)});
      const gradient = Array.from(tg.jit(tg.grad(f))(x).toArray());
      const products = ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd'].map((mode) =>
        Array.from(tg.jit((y, u) => tg.hvp(f, y, u, { mode }))(x, v).toArray()));
      parent.postMessage({ codeGeneration, warnings, gradient, products }, '*');
    } catch (e) {
      parent.postMessage({ codeGeneration, warnings, gradient: [], products: [], error: String(e && e.stack || e) }, '*');
    } finally {
      console.warn = warn;
    }`;
  const frame = document.createElement('iframe');
  frame.srcdoc = `<!doctype html><meta http-equiv="Content-Security-Policy" content="script-src 'self' 'nonce-${nonce}'"><script type="module" nonce="${nonce}">${script}</script>`;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the strict frame did not answer')), 30_000);
    window.addEventListener('message', function listen(event: MessageEvent) {
      if (event.source !== frame.contentWindow) return;
      clearTimeout(timer);
      window.removeEventListener('message', listen);
      frame.remove();
      resolve(event.data as FrameReply);
    });
    document.body.appendChild(frame);
  });
}

describe('jit in a real browser page', () => {
  it('generates code where new Function is allowed, with the interpreted bits', () => {
    const gradient = jit(grad(f));
    expect(Array.from(gradient(tensor(x)).toArray())).toEqual(Array.from(grad(f)(tensor(x)).toArray()));
    expect(gradient.lower(tensor(x)).source).toMatch(/return function run/);
  });

  it("falls back to the plan interpreter under a CSP without 'unsafe-eval', with the same bits and one warning", async () => {
    const reply = await runInStrictFrame();
    expect(reply.error).toBeUndefined();
    expect(reply.codeGeneration).toBe('EvalError');
    expect(reply.gradient).toEqual(Array.from(grad(f)(tensor(x)).toArray()));
    const modes = ['fwd-over-rev', 'rev-over-rev', 'rev-over-fwd'] as const;
    modes.forEach((mode, k) =>
      expect(reply.products[k], mode).toEqual(Array.from(hvp(f, tensor(x), tensor(v), { mode }).toArray())),
    );
    expect(reply.warnings.length).toBe(1);
    expect(reply.warnings[0]).toMatch(/interpreter/);
  });
});
