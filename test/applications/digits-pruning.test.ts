/**
 * Pruning a 64→16→10 MLP on digits without retraining (DEFAULT_PRUNING: Adam 300 steps, curvature
 * from 256 training rows, OBS in blocks of 4). ~6 s.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_PRUNING,
  formatPruning,
  runPruningExperiment,
  type PruningExperiment,
} from '../../scripts/sections/applications.js';

let e: PruningExperiment;
beforeAll(() => {
  e = runPruningExperiment(DEFAULT_PRUNING);
  console.log(formatPruning(e));
});

describe('digits: magnitude, OBD and OBS pruning', () => {
  it('the dense network is a reasonable classifier', () => {
    expect(e.parameters).toBe(64 * 16 + 16 + 16 * 10 + 10);
    expect(e.dense.accuracy).toBeGreaterThan(0.95);
  });

  it('light pruning costs nothing', () => {
    const light = e.rows.find((r) => r.sparsity === 0.1)!;
    for (const m of [light.magnitude, light.obd, light.obs])
      expect(m.accuracy).toBeGreaterThanOrEqual(e.dense.accuracy - 0.01);
  });

  it('OBS keeps higher test accuracy than magnitude pruning at high sparsity (70–90 %)', () => {
    for (const s of [0.7, 0.8, 0.9]) {
      const row = e.rows.find((r) => r.sparsity === s)!;
      expect(row.obs.accuracy).toBeGreaterThan(row.magnitude.accuracy);
      expect(row.obs.loss).toBeLessThan(row.magnitude.loss);
    }
  });
});
