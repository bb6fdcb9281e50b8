/**
 * `npm start`: worked examples and the real-data results, computed by tapegrad.
 * Each section lives in scripts/sections/ and returns its text, so tests can run them too.
 */
import { applicationsSection } from './sections/applications.js';
import { hvpSection } from './sections/hvp.js';
import { inverseSection } from './sections/inverse.js';
import { tapeSection } from './sections/tape.js';

const sections: Array<[string, () => string]> = [
  ['hvp', () => hvpSection()],
  ['tape', () => tapeSection()],
  ['inverse', () => inverseSection()],
  ['applications', () => applicationsSection()],
];

console.log('tapegrad — automatic differentiation over Float64Array, specialised in second order');
for (const [name, section] of sections) {
  const started = performance.now();
  console.log(`\n${section().replace(/^\n+/, '')}`);
  if (process.env['TAPEGRAD_DEMO_TIMING']) console.log(`(${name}: ${(performance.now() - started).toFixed(0)} ms)`);
}
