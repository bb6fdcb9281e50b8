/**
 * `npm start`: the seed's worked examples and the real-data results, computed by tapegrad.
 * Each section lives in scripts/sections/ and returns its text, so tests can run them too.
 */
import { hvpSection } from './sections/hvp.js';

const sections: Array<[string, () => string]> = [['hvp', () => hvpSection()]];

console.log('tapegrad — automatic differentiation over Float64Array, specialised in second order');
for (const [name, section] of sections) {
  const started = performance.now();
  console.log(section());
  if (process.env['TAPEGRAD_DEMO_TIMING']) console.log(`(${name}: ${(performance.now() - started).toFixed(0)} ms)`);
}
