/**
 * `npm run report` — writes a self-contained HTML report (inline SVG drawn by scripts/svg.ts, no
 * external assets) of the real-data applications:
 *
 *   - predicted vs actual leave-one-out change in test loss, one scatter per inverse-Hessian route;
 *   - convergence of the iterative solvers (CG, Neumann, LiSSA) and of Newton–CG training;
 *   - leave-one-out parameter errors and group removal;
 *   - test accuracy and loss against sparsity for magnitude, OBD and OBS pruning.
 *
 * Options: `--small` (reduced settings, a few seconds — what the test runs), `--out <path>`
 * (default report/index.html).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  FULL_INFLUENCE,
  FULL_PRUNING,
  SMALL_INFLUENCE,
  SMALL_PRUNING,
  formatInfluence,
  formatPruning,
  runInfluenceExperiment,
  runPruningExperiment,
  type InfluenceExperiment,
  type PruningExperiment,
} from './sections/applications.js';
import { escapeXml, lineChart, scatterPlot } from './svg.js';

export interface ReportOptions {
  small?: boolean;
  out?: string;
  /** Receives one line as each part of the report starts (the command prints them; tests stay quiet). */
  log?: (line: string) => void;
}

/** Builds the report's HTML (runs the experiments). */
export function buildReport(options: { small?: boolean; log?: (line: string) => void } = {}): {
  html: string;
  influence: InfluenceExperiment;
  pruning: PruningExperiment;
} {
  const small = options.small === true;
  const log = options.log ?? (() => {});
  const started = performance.now();
  const influenceResult = runInfluenceExperiment(small ? SMALL_INFLUENCE : FULL_INFLUENCE, log);
  const pruning = runPruningExperiment(small ? SMALL_PRUNING : FULL_PRUNING, log);
  const seconds = (performance.now() - started) / 1000;
  return { html: renderReport(influenceResult, pruning, small, seconds), influence: influenceResult, pruning };
}

/** Builds the report and writes it to `out` (default report/index.html); returns the path. */
export function writeReport(options: ReportOptions = {}): string {
  const out = resolve(options.out ?? 'report/index.html');
  const { html } = buildReport(options);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, html);
  return out;
}

function renderReport(e: InfluenceExperiment, p: PruningExperiment, small: boolean, seconds: number): string {
  const first = e.testIndices[0]!;
  const scatters = e.solvers.map((s) =>
    scatterPlot(
      Array.from(e.actual[0]!, (actual, i) => ({ x: actual, y: s.predicted[0]![i]! })),
      {
        title: s.name,
        xLabel: 'actual Δ test loss (retrained)',
        yLabel: 'predicted Δ test loss',
        diagonal: true,
        note: `r = ${s.correlations[0]!.toFixed(4)}`,
      },
    ),
  );
  const iterative = e.solvers.filter((s) => s.residualNorms.length > 1);
  const convergence = lineChart(
    iterative.map((s) => ({ name: s.name, points: s.residualNorms.map((r, k) => ({ x: k, y: r })) })),
    // CG stops after a few dozen iterations where Neumann and LiSSA run a thousand: log-scaled
    // iterations keep both readable (iteration 0, where every residual is 1, is left out).
    {
      title: `Solving H·s = ∇ℓ(test #${first})`,
      xLabel: 'iteration (log scale)',
      yLabel: 'relative residual ‖b − Hx‖/‖b‖',
      logX: true,
      logY: true,
    },
  );
  const training = lineChart(
    [
      {
        name: 'Newton–CG',
        points: e.training.history
          .map((h) => ({ x: h.iteration, y: h.gradientNorm }))
          .concat([{ x: e.training.iterations, y: e.training.gradientNorm }]),
      },
    ],
    {
      title: 'Training the logistic regression',
      xLabel: 'Newton iteration',
      yLabel: '‖∇L(θ)‖',
      logY: true,
      width: 420,
    },
  );
  const methods = [
    { name: 'magnitude', pick: (r: PruningExperiment['rows'][number]) => r.magnitude },
    { name: 'OBD', pick: (r: PruningExperiment['rows'][number]) => r.obd },
    { name: 'OBS', pick: (r: PruningExperiment['rows'][number]) => r.obs },
  ];
  const accuracy = lineChart(
    methods.map((m) => ({ name: m.name, points: p.rows.map((r) => ({ x: 100 * r.sparsity, y: m.pick(r).accuracy })) })),
    {
      title: 'Test accuracy after pruning (no retraining)',
      xLabel: 'sparsity of the weights (%)',
      yLabel: 'test accuracy',
    },
  );
  const loss = lineChart(
    methods.map((m) => ({ name: m.name, points: p.rows.map((r) => ({ x: 100 * r.sparsity, y: m.pick(r).loss })) })),
    {
      title: 'Test loss after pruning',
      xLabel: 'sparsity of the weights (%)',
      yLabel: 'test cross-entropy',
      logY: true,
    },
  );
  const correlationRows = e.solvers
    .map(
      (s) =>
        `<tr><td>${escapeXml(s.name)}</td>${s.correlations.map((r) => `<td>${r.toFixed(4)}</td>`).join('')}<td>${s.pooled.toFixed(4)}</td><td>${escapeXml(s.settings)}</td></tr>`,
    )
    .join('\n');
  const pruningRows = p.rows
    .map(
      (r) =>
        `<tr><td>${Math.round(100 * r.sparsity)} %</td><td>${r.magnitude.accuracy.toFixed(3)}</td><td>${r.magnitude.loss.toFixed(3)}</td>` +
        `<td>${r.obd.accuracy.toFixed(3)}</td><td>${r.obd.loss.toFixed(3)}</td><td>${r.obs.accuracy.toFixed(3)}</td><td>${r.obs.loss.toFixed(3)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tapegrad — the Hessian at work on real data</title>
<style>
body { font: 15px/1.5 system-ui, sans-serif; max-width: 1180px; margin: 2em auto; padding: 0 1em; color: #222; }
h1, h2 { font-weight: 600; }
.grid { display: flex; flex-wrap: wrap; gap: 12px; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
td, th { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
td:first-child, th:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 0.8em; font-size: 12.5px; white-space: pre-wrap; overflow-wrap: anywhere; }
.note { color: #555; }
</style>
</head>
<body>
<h1>tapegrad — the Hessian at work on real data</h1>
<p class="note">Generated by <code>npm run report${small ? ' -- --small' : ''}</code> in ${seconds.toFixed(1)} s${small ? ' with the reduced <code>--small</code> settings (fewer retrainings, a smaller network): the numbers are a smoke test, not the results' : ''}. Every plot is inline SVG drawn by <code>scripts/svg.ts</code>.</p>

<h2>1. Influence functions against actual leave-one-out retraining</h2>
<p>Breast cancer (UCI, ${e.train.rows} training / ${e.test.rows} test rows, standardised with training statistics), logistic regression with L2 λ = ${e.settings.lambda} on every parameter,
trained by Newton–CG to ‖∇L‖ = ${e.training.gradientNorm.toExponential(1)}. For each of the ${e.retrainedCount} training points the model was <em>retrained</em> without it
(warm-started Newton–CG to ‖∇L₋ᵢ‖ ≤ 1e-10), and the change of the test loss compared with the influence prediction
Δℓ_test ≈ (1/n)·∇ℓ_testᵀH⁻¹∇ℓᵢ, where H⁻¹∇ℓ_test comes from each inverse-Hessian route. Scatter: test point #${first} (the highest test loss, ${e.testLosses[0]!.toFixed(3)}).</p>
<div class="grid">
${scatters.join('\n')}
</div>
<table>
<tr><th>inverse Hessian</th>${e.testIndices.map((t, k) => `<th>r, test #${t} (loss ${e.testLosses[k]!.toFixed(2)})</th>`).join('')}<th>pooled r</th><th>settings</th></tr>
${correlationRows}
</table>

<h2>2. Convergence</h2>
<div class="grid">
${convergence}
${training}
</div>
<p class="note">LiSSA's curve is its minibatch residual (averaged over repeats), not the exact residual of its estimate; it plateaus at the sampling noise.</p>

<h2>3. Leave-one-out parameters, group removal, self-influence</h2>
<pre>${escapeXml(formatInfluence(e))}</pre>

<h2>4. Pruning an MLP on digits: magnitude, OBD, OBS</h2>
<div class="grid">
${accuracy}
${loss}
</div>
<table>
<tr><th>sparsity</th><th>magnitude acc</th><th>loss</th><th>OBD acc</th><th>loss</th><th>OBS acc</th><th>loss</th></tr>
${pruningRows}
</table>
<pre>${escapeXml(formatPruning(p))}</pre>
</body>
</html>
`;
}

function parseArguments(argv: readonly string[]): ReportOptions {
  const options: ReportOptions = {};
  for (let k = 0; k < argv.length; k++) {
    const arg = argv[k]!;
    if (arg === '--small') options.small = true;
    else if (arg === '--out') {
      const value = argv[++k];
      if (value === undefined) throw new Error('report: --out needs a path');
      options.out = value;
    } else if (arg.startsWith('--out=')) options.out = arg.slice('--out='.length);
    else throw new Error(`report: unknown argument ${JSON.stringify(arg)}; use --small and/or --out <path>`);
  }
  return options;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const started = performance.now();
  const path = writeReport({
    ...parseArguments(process.argv.slice(2)),
    log: (line) => console.log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`),
  });
  console.log(`report written to ${path}`);
}
